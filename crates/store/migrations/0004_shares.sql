-- Invoice pages shared through the relay (`acquit share`): the relay's
-- `/v/{doc_token}` serves an AES-256-GCM bundle of the invoice that only
-- `key` opens. The key is kept here, in the user's own database, so the
-- page can be republished (paid state, stamped PDF) under the same URL; it
-- protects the invoice from the relay's operator, not from this laptop.
-- At most one live share per invoice; a revoked one stays revoked (the
-- relay keeps a tombstone) and sharing again makes a new token and key.
CREATE TABLE shares (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id),
    doc_token     TEXT NOT NULL UNIQUE,
    key           BLOB NOT NULL CHECK (length(key) = 32),
    created_at    TEXT NOT NULL,
    published_at  TEXT,
    revoked_at    TEXT
) STRICT;
CREATE UNIQUE INDEX shares_live ON shares (invoice_id) WHERE revoked_at IS NULL;
