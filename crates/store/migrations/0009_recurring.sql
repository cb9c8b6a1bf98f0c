-- Recurring invoices.
--
-- recurring: a schedule (core `recurring::Rule`) and the invoice it makes
-- each period, copied from a draft when the schedule was made (`template`:
-- JSON of the currency, references and lines; the draft itself stays an
-- ordinary draft). `mode` auto issues each period's invoice, draft prepares
-- it for review. Paused and resumed by facts (recurring_events), never by a
-- flag rewritten.
CREATE TABLE recurring (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    template    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('auto', 'draft')),
    -- 'mail': each invoice issued is mailed to the client by Acquit (SMTP).
    send        TEXT NOT NULL DEFAULT 'none' CHECK (send IN ('none', 'mail')),
    created_at  TEXT NOT NULL,
    CHECK (send = 'none' OR mode = 'auto')
) STRICT;

CREATE TABLE recurring_events (
    id           INTEGER PRIMARY KEY,
    recurring_id INTEGER NOT NULL REFERENCES recurring (id),
    kind         TEXT NOT NULL CHECK (kind IN ('pause', 'resume')),
    on_date      TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;

-- One invoice per schedule and period, ever: the primary key is what makes
-- "never twice for the same period" hold with two processes at once, and
-- the row is written in the transaction that makes (and issues) the
-- invoice, so a crash leaves both or neither. A generated draft the user
-- deletes leaves its period taken (invoice_id NULL): it is not made again.
CREATE TABLE recurring_runs (
    recurring_id INTEGER NOT NULL REFERENCES recurring (id),
    period       INTEGER NOT NULL CHECK (period >= 0),
    period_date  TEXT NOT NULL,
    invoice_id   INTEGER UNIQUE REFERENCES invoices (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (recurring_id, period)
) STRICT;

CREATE TRIGGER recurring_is_kept_u BEFORE UPDATE ON recurring
BEGIN SELECT RAISE(ABORT, 'a recurring schedule is never changed: pause it and make another'); END;
CREATE TRIGGER recurring_is_kept_d BEFORE DELETE ON recurring
BEGIN SELECT RAISE(ABORT, 'a recurring schedule is never deleted: pause it'); END;
CREATE TRIGGER recurring_events_are_facts_u BEFORE UPDATE ON recurring_events
BEGIN SELECT RAISE(ABORT, 'a pause or resume is a fact: it is never changed'); END;
CREATE TRIGGER recurring_events_are_facts_d BEFORE DELETE ON recurring_events
BEGIN SELECT RAISE(ABORT, 'a pause or resume is a fact: it is never deleted'); END;
CREATE TRIGGER recurring_runs_are_kept_u BEFORE UPDATE OF recurring_id, period, period_date, created_at ON recurring_runs
BEGIN SELECT RAISE(ABORT, 'a period billed is never changed'); END;
CREATE TRIGGER recurring_runs_are_kept_d BEFORE DELETE ON recurring_runs
BEGIN SELECT RAISE(ABORT, 'a period billed is never forgotten'); END;
