-- Payment reminders: one per invoice and step, ever.
--
-- step is the number of days from the invoice's due date the reminder
-- belongs to (a schedule's step, or the day of a reminder sent by hand);
-- UNIQUE (invoice_id, step) is what makes "never twice for the same step"
-- hold with two processes at once. A reminder handed to the user's mail
-- client or WhatsApp is recorded sent at once; one Acquit sends itself
-- (SMTP) is reserved first with the Message-ID it will carry, and marked
-- sent when the server accepted it, so a crash in between is seen (and
-- told to the user) rather than sent twice. What was reminded never
-- changes; only sent_at is written, once.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    invoice_id  INTEGER NOT NULL REFERENCES invoices (id),
    step        INTEGER NOT NULL CHECK (step BETWEEN -366 AND 36600),
    tone        TEXT NOT NULL CHECK (tone IN ('courtesy', 'reminder', 'firm', 'final')),
    via         TEXT NOT NULL CHECK (via IN ('email', 'whatsapp', 'smtp')),
    reminded_on TEXT NOT NULL CHECK (reminded_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    amount_due  INTEGER NOT NULL CHECK (amount_due > 0),
    penalties   INTEGER NOT NULL CHECK (penalties >= 0),
    message_id  TEXT,
    reserved_at TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (invoice_id, step),
    CHECK (via = 'smtp' OR sent_at IS NOT NULL),
    CHECK ((via = 'smtp') = (message_id IS NOT NULL))
) STRICT;

CREATE TRIGGER reminders_keep_what_was_sent BEFORE UPDATE OF invoice_id, step, tone, via, reminded_on, amount_due, penalties, message_id, reserved_at ON reminders
BEGIN SELECT RAISE(ABORT, 'a reminder is never changed'); END;
CREATE TRIGGER reminders_sent_once BEFORE UPDATE OF sent_at ON reminders
WHEN OLD.sent_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a reminder is sent once'); END;
-- Only a reservation whose SMTP send the server surely refused is
-- forgotten (so the step can be sent once fixed).
CREATE TRIGGER reminders_are_kept BEFORE DELETE ON reminders
WHEN OLD.sent_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a reminder sent is never deleted'); END;

-- Mail Acquit sent itself (SMTP): an invoice or receipt to its client, or a
-- test message (no invoice). Reserved with its Message-ID before the send,
-- marked sent with the server's answer after: a click twice, or a crash
-- mid-send, is seen before a second copy goes (the store refuses a send
-- while one of the same document is unfinished or just done, unless the
-- user asks again).
CREATE TABLE sent_mail (
    id           INTEGER PRIMARY KEY,
    invoice_id   INTEGER REFERENCES invoices (id),
    kind         TEXT NOT NULL CHECK (kind IN ('invoice', 'receipt', 'test')),
    message_id   TEXT NOT NULL UNIQUE CHECK (message_id GLOB '<*@*>'),
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    attachment_sha256 TEXT CHECK (attachment_sha256 IS NULL OR length(attachment_sha256) = 64),
    reserved_at  TEXT NOT NULL,
    sent_at      TEXT,
    answer       TEXT,
    CHECK ((kind = 'test') = (invoice_id IS NULL))
) STRICT;
CREATE INDEX sent_mail_invoice ON sent_mail (invoice_id, kind);

CREATE TRIGGER sent_mail_keeps_what_was_sent BEFORE UPDATE OF invoice_id, kind, message_id, recipient, subject, attachment_sha256, reserved_at ON sent_mail
BEGIN SELECT RAISE(ABORT, 'a mail sent is never changed'); END;
CREATE TRIGGER sent_mail_sent_once BEFORE UPDATE OF sent_at, answer ON sent_mail
WHEN OLD.sent_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a mail is sent once'); END;
CREATE TRIGGER sent_mail_is_kept BEFORE DELETE ON sent_mail
BEGIN SELECT RAISE(ABORT, 'a mail sent is never deleted'); END;
