-- The logo is part of what was issued (#19): an invoice or quote drawn
-- again "as issued" shows the logo it had on its issue day, whatever logo
-- the seller set since.
--
-- logos: each logo ever issued with, by its SHA-256 (lower-case hex);
-- kept for ever, never changed.
-- invoices.logo / quotes.logo, set in the issuing UPDATE and then locked by
-- the issued-document triggers like every other snapshot column:
--   NULL  issued before this migration: the logo was not kept, the current
--         one is drawn (as before);
--   ''    issued without a logo;
--   hex   the SHA-256 of the logo in `logos`.
CREATE TABLE logos (
    sha256  TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    png     BLOB NOT NULL
) STRICT;
CREATE TRIGGER logos_are_kept_u BEFORE UPDATE ON logos
BEGIN SELECT RAISE(ABORT, 'an issued logo is never changed'); END;
CREATE TRIGGER logos_are_kept_d BEFORE DELETE ON logos
BEGIN SELECT RAISE(ABORT, 'an issued logo is never deleted'); END;

ALTER TABLE invoices ADD COLUMN logo TEXT CHECK (logo IS NULL OR logo = '' OR length(logo) = 64);
ALTER TABLE quotes ADD COLUMN logo TEXT CHECK (logo IS NULL OR logo = '' OR length(logo) = 64);

-- The as-issued PDF of an invoice, kept the first time Acquit draws it in
-- the invoice's own language (at issue, or on first use for invoices issued
-- before): from then on that file *is* the original, byte for byte, even
-- when a later version of Acquit draws or writes Factur-X differently. It
-- is what was sent to the platform (whose SHA-256 the flow records).
CREATE TABLE issued_pdfs (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    pages       INTEGER NOT NULL CHECK (pages > 0),
    pdf         BLOB NOT NULL CHECK (substr(pdf, 1, 5) = CAST('%PDF-' AS BLOB))
) STRICT;
CREATE TRIGGER issued_pdfs_of_issued_only BEFORE INSERT ON issued_pdfs
WHEN (SELECT number FROM invoices WHERE id = NEW.invoice_id) IS NULL
BEGIN SELECT RAISE(ABORT, 'only an issued invoice has an as-issued PDF'); END;
CREATE TRIGGER issued_pdfs_are_kept_u BEFORE UPDATE ON issued_pdfs
BEGIN SELECT RAISE(ABORT, 'an as-issued PDF is never changed'); END;
CREATE TRIGGER issued_pdfs_are_kept_d BEFORE DELETE ON issued_pdfs
BEGIN SELECT RAISE(ABORT, 'an as-issued PDF is never deleted'); END;
