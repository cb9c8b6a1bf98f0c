-- Invoices issued before Acquit, in another tool (#27).
--
-- origin 'elsewhere': imported with its number, date, client, totals per
-- VAT rate and what was paid; issued (sealed) in the import's transaction
-- and locked like any issued invoice (the triggers of 0001 hold: a number
-- set is never changed), so it counts in the ledger, the declaration, the
-- reminders and the dashboard, and is never renumbered. Acquit never draws
-- it: its PDF is the one the former tool made, kept here when given.
ALTER TABLE invoices ADD COLUMN origin TEXT NOT NULL DEFAULT 'acquit'
    CHECK (origin IN ('acquit', 'elsewhere'));

CREATE TABLE imported_pdfs (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id),
    sha256      TEXT NOT NULL,
    pdf         BLOB NOT NULL CHECK (substr(pdf, 1, 5) = CAST('%PDF-' AS BLOB))
) STRICT;
CREATE TRIGGER imported_pdfs_are_kept_u BEFORE UPDATE ON imported_pdfs
BEGIN SELECT RAISE(ABORT, 'an imported invoice''s PDF is never changed'); END;
CREATE TRIGGER imported_pdfs_are_kept_d BEFORE DELETE ON imported_pdfs
BEGIN SELECT RAISE(ABORT, 'an imported invoice''s PDF is never deleted'); END;

-- When the former tool's numbers are not of Acquit's pattern, Acquit's
-- numbering starts a new series: why is recorded, with the last number of
-- the former one, so the sequence can be explained to an inspector.
CREATE TABLE numbering_breaks (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    pattern   TEXT NOT NULL,
    previous  TEXT NOT NULL,
    reason    TEXT NOT NULL CHECK (length(trim(reason)) > 0)
) STRICT;
CREATE TRIGGER numbering_breaks_are_facts_u BEFORE UPDATE ON numbering_breaks
BEGIN SELECT RAISE(ABORT, 'a numbering break is a fact: it is never changed'); END;
CREATE TRIGGER numbering_breaks_are_facts_d BEFORE DELETE ON numbering_breaks
BEGIN SELECT RAISE(ABORT, 'a numbering break is a fact: it is never deleted'); END;
