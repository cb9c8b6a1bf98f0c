-- Quotes (devis).
--
-- quotes: a draft while `number` is NULL; issuing fills number, dates,
-- snapshots and totals in one UPDATE, after which triggers forbid any
-- change. `body` is what the quote offers (core lines and references, as
-- JSON: the same `Template` a recurring schedule copies), read by the
-- invoices made from it. Numbers come from their own series (the counter
-- key is prefixed `quote:` in number_series, so no pattern can ever share
-- a counter with the invoices and leave a gap in theirs).
CREATE TABLE quotes (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    body            TEXT NOT NULL,
    valid_until     TEXT CHECK (valid_until IS NULL OR valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at      TEXT NOT NULL,
    -- Set when issued:
    number          TEXT UNIQUE,
    issue_date      TEXT,
    seller_snapshot TEXT,
    buyer_snapshot  TEXT,
    total_minor     INTEGER,
    totals          TEXT,
    issued_at       TEXT,
    CHECK ((number IS NULL) = (issue_date IS NULL)),
    CHECK ((number IS NULL) = (totals IS NULL)),
    CHECK (number IS NULL OR (valid_until IS NOT NULL AND valid_until >= issue_date))
) STRICT;
CREATE INDEX quotes_issue_date ON quotes (issue_date) WHERE number IS NOT NULL;

CREATE TRIGGER quotes_locked_update BEFORE UPDATE ON quotes
WHEN OLD.number IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'acquit: an issued quote cannot be changed; issue a new one'); END;
CREATE TRIGGER quotes_locked_delete BEFORE DELETE ON quotes
WHEN OLD.number IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'acquit: an issued quote cannot be deleted'); END;

-- What happened to an issued quote, as facts: sent (shared or mailed; the
-- first one counts), accepted or declined (once: the unique index), with
-- the day, who decided and where (by hand, or on the quote's page).
CREATE TABLE quote_events (
    id        INTEGER PRIMARY KEY,
    quote_id  INTEGER NOT NULL REFERENCES quotes (id),
    kind      TEXT NOT NULL CHECK (kind IN ('sent', 'accepted', 'declined')),
    on_date   TEXT NOT NULL CHECK (on_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    by_name   TEXT,
    comment   TEXT,
    via       TEXT CHECK (via IN ('hand', 'page')),
    at        TEXT NOT NULL,
    CHECK ((kind = 'sent') = (by_name IS NULL)),
    CHECK ((kind = 'sent') = (via IS NULL))
) STRICT;
CREATE UNIQUE INDEX quote_events_one_decision ON quote_events (quote_id)
WHERE kind IN ('accepted', 'declined');

CREATE TRIGGER quote_events_issued_only BEFORE INSERT ON quote_events
WHEN (SELECT number FROM quotes WHERE id = NEW.quote_id) IS NULL
BEGIN SELECT RAISE(ABORT, 'acquit: only an issued quote is sent, accepted or declined'); END;
CREATE TRIGGER quote_events_are_facts_u BEFORE UPDATE ON quote_events
BEGIN SELECT RAISE(ABORT, 'acquit: what happened to a quote is never changed'); END;
CREATE TRIGGER quote_events_are_facts_d BEFORE DELETE ON quote_events
BEGIN SELECT RAISE(ABORT, 'acquit: what happened to a quote is never deleted'); END;

-- The invoices made from a quote: deposits, then the full or balance
-- invoice. A draft made from a quote and deleted takes its row with it.
CREATE TABLE quote_invoices (
    quote_id    INTEGER NOT NULL REFERENCES quotes (id),
    invoice_id  INTEGER NOT NULL UNIQUE REFERENCES invoices (id) ON DELETE CASCADE,
    PRIMARY KEY (quote_id, invoice_id)
) STRICT;

CREATE TRIGGER quote_invoices_accepted_only BEFORE INSERT ON quote_invoices
WHEN NOT EXISTS (SELECT 1 FROM quote_events WHERE quote_id = NEW.quote_id AND kind = 'accepted')
BEGIN SELECT RAISE(ABORT, 'acquit: only an accepted quote is invoiced'); END;

-- A quote's page shared through the relay (`acquit quote share`), as
-- invoices' pages are (0004 `shares`): the relay's `/v/{doc_token}` serves
-- a bundle only `key` opens, and the client's answer comes back sealed with
-- the same key. `replies_seen`: the relay's id of the last reply read, so
-- each is read once.
CREATE TABLE quote_shares (
    id            INTEGER PRIMARY KEY,
    quote_id      INTEGER NOT NULL REFERENCES quotes (id),
    doc_token     TEXT NOT NULL UNIQUE,
    key           BLOB NOT NULL CHECK (length(key) = 32),
    created_at    TEXT NOT NULL,
    published_at  TEXT,
    revoked_at    TEXT,
    replies_seen  INTEGER NOT NULL DEFAULT 0 CHECK (replies_seen >= 0)
) STRICT;
CREATE UNIQUE INDEX quote_shares_live ON quote_shares (quote_id) WHERE revoked_at IS NULL;
