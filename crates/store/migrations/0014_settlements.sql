-- What each issued document's status is read from, kept by triggers (#26):
-- the list's status filter and its counts walk an index instead of summing
-- every invoice's payments and credit notes (at 100,000 invoices a count
-- read and derived every row: ~220 ms).
--
-- The sums are facts added up as they are written (payments and credit
-- notes are never changed or deleted, a link's status moves), so a row
-- always equals what `invoices::settlement` sums live; the status column is
-- `acquit_core::Settlement::status` written for SQLite (a credit note is
-- listed as issued, as `list_page` shows it). The two are kept equal by
-- crates/store/tests/settlements.rs, over a grid of cases and over books
-- built through the store's own API.
CREATE TABLE invoice_settlements (
    invoice_id      INTEGER PRIMARY KEY REFERENCES invoices (id),
    credit_note     INTEGER NOT NULL CHECK (credit_note IN (0, 1)),
    total_minor     INTEGER NOT NULL,
    -- Credit notes issued against the invoice, positive.
    credited_minor  INTEGER NOT NULL DEFAULT 0,
    -- Payments less refunds and reversals.
    paid_minor      INTEGER NOT NULL DEFAULT 0,
    -- How many of its payment links are processing (SEPA on its way).
    processing      INTEGER NOT NULL DEFAULT 0 CHECK (processing >= 0),
    status          TEXT NOT NULL GENERATED ALWAYS AS (
        CASE
            WHEN credit_note THEN 'issued'
            WHEN credited_minor >= total_minor THEN 'cancelled'
            WHEN total_minor - credited_minor - paid_minor <= 0 THEN 'paid'
            WHEN paid_minor > 0 THEN 'partially-paid'
            WHEN processing > 0 THEN 'processing'
            ELSE 'issued'
        END
    ) VIRTUAL
) STRICT;
CREATE INDEX invoice_settlements_status ON invoice_settlements (status, invoice_id);

INSERT INTO invoice_settlements (invoice_id, credit_note, total_minor, credited_minor, paid_minor, processing)
SELECT i.id, i.kind = 'credit_note', i.total_minor,
       COALESCE((SELECT -SUM(cn.total_minor) FROM invoices cn
                 WHERE cn.credits_invoice_id = i.id AND cn.number IS NOT NULL), 0),
       COALESCE((SELECT SUM(p.amount_minor) FROM payments p WHERE p.invoice_id = i.id), 0),
       (SELECT COUNT(*) FROM payment_links l WHERE l.invoice_id = i.id AND l.status = 'processing')
FROM invoices i WHERE i.number IS NOT NULL;

-- A document is issued (a draft numbered, or an invoice imported issued):
-- its row; a credit note adds to what its invoice has credited.
CREATE TRIGGER settlement_when_issued AFTER UPDATE OF number ON invoices
WHEN OLD.number IS NULL AND NEW.number IS NOT NULL
BEGIN
    INSERT INTO invoice_settlements (invoice_id, credit_note, total_minor)
    VALUES (NEW.id, NEW.kind = 'credit_note', NEW.total_minor);
    UPDATE invoice_settlements SET credited_minor = credited_minor - NEW.total_minor
    WHERE invoice_id = NEW.credits_invoice_id;
END;
CREATE TRIGGER settlement_when_inserted_issued AFTER INSERT ON invoices
WHEN NEW.number IS NOT NULL
BEGIN
    INSERT INTO invoice_settlements (invoice_id, credit_note, total_minor)
    VALUES (NEW.id, NEW.kind = 'credit_note', NEW.total_minor);
    UPDATE invoice_settlements SET credited_minor = credited_minor - NEW.total_minor
    WHERE invoice_id = NEW.credits_invoice_id;
END;
CREATE TRIGGER settlement_of_payments AFTER INSERT ON payments
BEGIN
    UPDATE invoice_settlements SET paid_minor = paid_minor + NEW.amount_minor
    WHERE invoice_id = NEW.invoice_id;
END;
CREATE TRIGGER settlement_of_new_links AFTER INSERT ON payment_links
WHEN NEW.status = 'processing'
BEGIN
    UPDATE invoice_settlements SET processing = processing + 1 WHERE invoice_id = NEW.invoice_id;
END;
CREATE TRIGGER settlement_of_links AFTER UPDATE OF status ON payment_links
WHEN (OLD.status = 'processing') <> (NEW.status = 'processing')
BEGIN
    UPDATE invoice_settlements
    SET processing = processing + (NEW.status = 'processing') - (OLD.status = 'processing')
    WHERE invoice_id = NEW.invoice_id;
END;
-- Derived from facts only: written by the triggers above, never by hand.
CREATE TRIGGER invoice_settlements_are_derived_d BEFORE DELETE ON invoice_settlements
BEGIN SELECT RAISE(ABORT, 'a settlement is derived from the payments and credit notes: it is never deleted'); END;
