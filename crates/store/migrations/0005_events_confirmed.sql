-- The relay is a messenger, Stripe is the truth: an event the relay hands
-- over is applied only once Stripe confirms it with the user's own key.
-- Two new outcomes:
--   'unconfirmed'  received from the relay, Stripe not reachable yet: the
--                  relay's copy is kept (`payload`) and the next sync asks
--                  Stripe again. Not final.
--   'rejected'     Stripe does not know the event, it is of the other mode
--                  (test/live) or another account, Stripe's object disagrees
--                  with it, or the books refused its fact: never applied,
--                  final; `detail` says why and `payload` keeps what was
--                  received, for the Reconciliation screen.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
CREATE TABLE stripe_events_new (
    event_id       TEXT PRIMARY KEY,
    type           TEXT NOT NULL,
    created        INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('relay', 'stripe')),
    outcome        TEXT NOT NULL CHECK (outcome IN ('applied', 'ignored', 'unmatched', 'deferred', 'unconfirmed', 'rejected')),
    invoice_id     INTEGER REFERENCES invoices (id),
    detail         TEXT NOT NULL,
    fact           TEXT,
    payload        TEXT,
    first_seen_at  TEXT NOT NULL,
    applied_at     TEXT,
    CHECK (outcome IN ('unmatched', 'deferred') OR fact IS NULL),
    CHECK (outcome IN ('unmatched', 'deferred', 'unconfirmed', 'rejected') OR payload IS NULL),
    CHECK (outcome <> 'unconfirmed' OR payload IS NOT NULL),
    CHECK ((outcome IN ('applied', 'ignored')) = (applied_at IS NOT NULL))
) STRICT;
INSERT INTO stripe_events_new
    SELECT event_id, type, created, source, outcome, invoice_id, detail, fact, payload, first_seen_at, applied_at
    FROM stripe_events;
DROP TABLE stripe_events;
ALTER TABLE stripe_events_new RENAME TO stripe_events;
CREATE INDEX stripe_events_waiting ON stripe_events (outcome)
    WHERE outcome IN ('unmatched', 'deferred', 'unconfirmed', 'rejected');
