-- Acquit schema, version 2: payments (and their counter-entries), and the
-- hash-chained journal of every legally relevant event.

-- Money received or given back. Rows are never changed or deleted: a
-- mistake is reversed by a counter-entry (kind 'reversal', negative amount,
-- pointing at the payment it cancels). Refunds are negative too.
CREATE TABLE payments (
    id                     INTEGER PRIMARY KEY,
    invoice_id             INTEGER NOT NULL REFERENCES invoices (id),
    kind                   TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'reversal')),
    method                 TEXT NOT NULL CHECK (method IN ('stripe', 'transfer', 'cheque', 'cash', 'card_terminal', 'other')),
    amount_minor           INTEGER NOT NULL CHECK ((kind = 'payment') = (amount_minor > 0) AND amount_minor <> 0),
    currency               TEXT NOT NULL CHECK (length(currency) = 3),
    fee_minor              INTEGER CHECK (fee_minor IS NULL OR fee_minor >= 0),  -- NULL: not known yet
    received_on            TEXT NOT NULL,
    reference              TEXT,
    stripe_payment_intent  TEXT,
    stripe_charge          TEXT,
    reverses_payment_id    INTEGER UNIQUE REFERENCES payments (id),
    recorded_at            TEXT NOT NULL,
    CHECK ((kind = 'reversal') = (reverses_payment_id IS NOT NULL))
) STRICT;
CREATE INDEX payments_invoice ON payments (invoice_id);
CREATE INDEX payments_received_on ON payments (received_on);
CREATE UNIQUE INDEX payments_one_per_intent ON payments (stripe_payment_intent)
    WHERE kind = 'payment' AND stripe_payment_intent IS NOT NULL;

CREATE TRIGGER payments_on_issued_only BEFORE INSERT ON payments
WHEN (SELECT number FROM invoices WHERE id = NEW.invoice_id) IS NULL
BEGIN
    SELECT RAISE(ABORT, 'acquit: payments are recorded against issued invoices only');
END;

-- A fee learnt later (Stripe's balance transaction) may fill a NULL fee;
-- nothing else about a payment ever changes.
CREATE TRIGGER payments_locked_update BEFORE UPDATE ON payments
WHEN NOT (OLD.fee_minor IS NULL AND NEW.fee_minor IS NOT NULL
          AND NEW.id = OLD.id AND NEW.invoice_id = OLD.invoice_id AND NEW.kind = OLD.kind
          AND NEW.method = OLD.method AND NEW.amount_minor = OLD.amount_minor
          AND NEW.currency = OLD.currency AND NEW.received_on = OLD.received_on
          AND NEW.reference IS OLD.reference
          AND NEW.stripe_payment_intent IS OLD.stripe_payment_intent
          AND NEW.stripe_charge IS OLD.stripe_charge
          AND NEW.reverses_payment_id IS OLD.reverses_payment_id
          AND NEW.recorded_at = OLD.recorded_at)
BEGIN
    SELECT RAISE(ABORT, 'acquit: a recorded payment cannot be changed; record a counter-entry');
END;

CREATE TRIGGER payments_locked_delete BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'acquit: a recorded payment cannot be deleted; record a counter-entry');
END;

-- Append-only. Entry n's hash is SHA-256 over entry n-1's hash and entry n's
-- canonical content (see journal.rs), so editing or removing any entry, or
-- the document it describes, is detected by `acquit journal verify`.
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    content    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'acquit: the journal is append-only');
END;

CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'acquit: the journal is append-only');
END;
