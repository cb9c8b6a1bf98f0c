-- Acquit schema, version 1: the seller, clients, invoices and their lines,
-- and the counters of the numbering series.
--
-- Money is INTEGER minor units next to a currency code; quantities are
-- thousandths, rates basis points. Dates are ISO 8601 text (YYYY-MM-DD),
-- instants RFC 3339 UTC.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row: the user's company.
CREATE TABLE seller (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    profile             TEXT NOT NULL,  -- acquit_core::Seller as JSON
    logo_png            BLOB,
    updated_at          TEXT NOT NULL
) STRICT;

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    profile     TEXT NOT NULL,          -- acquit_core::Client as JSON
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX clients_name ON clients (name COLLATE NOCASE);

-- The last number taken in each series ("F-2026-{N}" → 12).
CREATE TABLE number_series (
    series      TEXT PRIMARY KEY,
    last_value  INTEGER NOT NULL CHECK (last_value > 0)
) STRICT;

-- Drafts and issued documents (invoices and credit notes). A row is a draft
-- while `number` is NULL; issuing fills number, dates, snapshots and totals
-- in one UPDATE, after which triggers below forbid any change.
CREATE TABLE invoices (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('standard', 'deposit', 'balance', 'credit_note')),
    client_id           INTEGER NOT NULL REFERENCES clients (id),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    due_date            TEXT,
    credits_invoice_id  INTEGER REFERENCES invoices (id),
    reason              TEXT,
    created_at          TEXT NOT NULL,
    -- Set when issued:
    number              TEXT UNIQUE,
    issue_date          TEXT,
    sale_date           TEXT,
    seller_snapshot     TEXT,           -- acquit_core::Seller as JSON, as of issue
    buyer_snapshot      TEXT,           -- acquit_core::Client as JSON, as of issue
    net_minor           INTEGER,
    vat_minor           INTEGER,
    total_minor         INTEGER,
    totals              TEXT,           -- acquit_core::Totals as JSON
    issued_at           TEXT,
    CHECK ((number IS NULL) = (issue_date IS NULL)),
    CHECK ((number IS NULL) = (total_minor IS NULL)),
    CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL))
) STRICT;
CREATE INDEX invoices_client ON invoices (client_id);
CREATE INDEX invoices_issue_date ON invoices (issue_date) WHERE number IS NOT NULL;
CREATE INDEX invoices_credits ON invoices (credits_invoice_id) WHERE credits_invoice_id IS NOT NULL;

CREATE TABLE invoice_lines (
    id                INTEGER PRIMARY KEY,
    invoice_id        INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    description       TEXT NOT NULL,
    quantity_milli    INTEGER NOT NULL CHECK (quantity_milli >= 0),
    unit_price_minor  INTEGER NOT NULL,
    vat_bp            INTEGER NOT NULL CHECK (vat_bp BETWEEN 0 AND 10000),
    discount_kind     TEXT NOT NULL DEFAULT 'none' CHECK (discount_kind IN ('none', 'percent', 'amount')),
    discount_value    INTEGER NOT NULL DEFAULT 0 CHECK (discount_value >= 0),
    UNIQUE (invoice_id, position)
) STRICT;

-- The deposit invoices a balance invoice deducts.
CREATE TABLE balance_deposits (
    balance_id  INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    deposit_id  INTEGER NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (balance_id, deposit_id)
) STRICT;

-- Issued documents are locked for ever, whatever code touches the file.
CREATE TRIGGER invoices_locked_update BEFORE UPDATE ON invoices
WHEN OLD.number IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: an issued invoice cannot be changed; issue a credit note');
END;

CREATE TRIGGER invoices_locked_delete BEFORE DELETE ON invoices
WHEN OLD.number IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: an issued invoice cannot be deleted; issue a credit note');
END;

CREATE TRIGGER invoice_lines_locked_insert BEFORE INSERT ON invoice_lines
WHEN (SELECT number FROM invoices WHERE id = NEW.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: the lines of an issued invoice cannot be changed');
END;

CREATE TRIGGER invoice_lines_locked_update BEFORE UPDATE ON invoice_lines
WHEN (SELECT number FROM invoices WHERE id = OLD.invoice_id) IS NOT NULL
  OR (SELECT number FROM invoices WHERE id = NEW.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: the lines of an issued invoice cannot be changed');
END;

CREATE TRIGGER invoice_lines_locked_delete BEFORE DELETE ON invoice_lines
WHEN (SELECT number FROM invoices WHERE id = OLD.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: the lines of an issued invoice cannot be changed');
END;

CREATE TRIGGER balance_deposits_locked BEFORE DELETE ON balance_deposits
WHEN (SELECT number FROM invoices WHERE id = OLD.balance_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: the deposits of an issued balance invoice cannot be changed');
END;

CREATE TRIGGER balance_deposits_locked_insert BEFORE INSERT ON balance_deposits
WHEN (SELECT number FROM invoices WHERE id = NEW.balance_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: the deposits of an issued balance invoice cannot be changed');
END;

-- A counter only moves forward, by one.
CREATE TRIGGER number_series_forward BEFORE UPDATE ON number_series
WHEN NEW.last_value <> OLD.last_value + 1 OR NEW.series <> OLD.series
BEGIN
    SELECT RAISE(ABORT, 'acquit: a numbering series only moves forward by one');
END;

CREATE TRIGGER number_series_kept BEFORE DELETE ON number_series
BEGIN
    SELECT RAISE(ABORT, 'acquit: a numbering series cannot be deleted');
END;
