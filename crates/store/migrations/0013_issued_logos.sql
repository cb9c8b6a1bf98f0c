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
