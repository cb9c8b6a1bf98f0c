-- Acquit schema, version 3: Stripe payment links, the Stripe events applied
-- (each exactly once), the checkout sessions they mention, refund proposals,
-- and the Stripe details of payments.

-- A payment link or Checkout Session for an issued invoice. Created in two
-- steps so a crash between them is retried with the same Idempotency-Key
-- (derived from `id`): reserved ('pending', no Stripe id), then created in
-- Stripe ('open', stripe_id and url filled). `status` is derived by the store
-- from the link's own facts and its checkout sessions (see links.rs) and kept
-- here for queries; its history is `payment_link_history`.
CREATE TABLE payment_links (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (id),
    kind            TEXT NOT NULL CHECK (kind IN ('payment_link', 'checkout')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    token           TEXT NOT NULL UNIQUE CHECK (length(token) >= 22),
    stripe_id       TEXT UNIQUE,
    url             TEXT,
    expires_at      TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'open', 'processing', 'paid', 'expired', 'deactivated', 'failed')),
    failure         TEXT,           -- why Stripe refused to create it
    expired_at      TEXT,           -- Stripe said it expired
    deactivated_at  TEXT,           -- the user or Stripe deactivated it
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((stripe_id IS NULL) = (url IS NULL))
) STRICT;
CREATE INDEX payment_links_invoice ON payment_links (invoice_id);
CREATE INDEX payment_links_pending ON payment_links (status) WHERE status = 'pending';

CREATE TRIGGER payment_links_on_issued_only BEFORE INSERT ON payment_links
WHEN (SELECT number FROM invoices WHERE id = NEW.invoice_id) IS NULL
  OR (SELECT kind FROM invoices WHERE id = NEW.invoice_id) = 'credit_note'
BEGIN
    SELECT RAISE(ABORT, 'acquit: payment links are for issued invoices only');
END;

-- What a link was created for never changes.
CREATE TRIGGER payment_links_fixed BEFORE UPDATE ON payment_links
WHEN NEW.id <> OLD.id OR NEW.invoice_id <> OLD.invoice_id OR NEW.kind <> OLD.kind
  OR NEW.amount_minor <> OLD.amount_minor OR NEW.currency <> OLD.currency
  OR NEW.token <> OLD.token OR NEW.created_at <> OLD.created_at
  OR (OLD.stripe_id IS NOT NULL AND NEW.stripe_id IS NOT OLD.stripe_id)
BEGIN
    SELECT RAISE(ABORT, 'acquit: a payment link''s invoice, amount and token cannot be changed');
END;

CREATE TRIGGER payment_links_kept BEFORE DELETE ON payment_links
BEGIN
    SELECT RAISE(ABORT, 'acquit: a payment link cannot be deleted; deactivate it');
END;

-- Every status a link went through, for the invoice's timeline.
CREATE TABLE payment_link_history (
    id       INTEGER PRIMARY KEY,
    link_id  INTEGER NOT NULL REFERENCES payment_links (id),
    at       TEXT NOT NULL,
    status   TEXT NOT NULL,
    detail   TEXT
) STRICT;
CREATE INDEX payment_link_history_link ON payment_link_history (link_id);

-- Checkout sessions seen in events, with the furthest state each reached:
-- processing → paid or failed, never back. A link's status is derived from
-- them, so events about one session give the same result in any order.
CREATE TABLE checkout_sessions (
    id          TEXT PRIMARY KEY,
    link_id     INTEGER NOT NULL REFERENCES payment_links (id),
    state       TEXT NOT NULL CHECK (state IN ('processing', 'paid', 'failed')),
    failure     TEXT,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX checkout_sessions_link ON checkout_sessions (link_id);

-- Stripe's side of a payment or refund. Existing rows keep NULLs.
ALTER TABLE payments ADD COLUMN link_id INTEGER REFERENCES payment_links (id);
ALTER TABLE payments ADD COLUMN stripe_checkout_session TEXT;
ALTER TABLE payments ADD COLUMN stripe_refund TEXT;
ALTER TABLE payments ADD COLUMN stripe_method TEXT CHECK (stripe_method IS NULL OR stripe_method IN ('card', 'sepa_debit'));
CREATE UNIQUE INDEX payments_one_per_refund ON payments (stripe_refund) WHERE stripe_refund IS NOT NULL;
CREATE INDEX payments_intent ON payments (stripe_payment_intent) WHERE stripe_payment_intent IS NOT NULL;

-- The same lock as in version 2, over the new columns too: only a NULL fee
-- may be filled, once.
DROP TRIGGER payments_locked_update;
CREATE TRIGGER payments_locked_update BEFORE UPDATE ON payments
WHEN NOT (OLD.fee_minor IS NULL AND NEW.fee_minor IS NOT NULL
          AND NEW.id = OLD.id AND NEW.invoice_id = OLD.invoice_id AND NEW.kind = OLD.kind
          AND NEW.method = OLD.method AND NEW.amount_minor = OLD.amount_minor
          AND NEW.currency = OLD.currency AND NEW.received_on = OLD.received_on
          AND NEW.reference IS OLD.reference
          AND NEW.stripe_payment_intent IS OLD.stripe_payment_intent
          AND NEW.stripe_charge IS OLD.stripe_charge
          AND NEW.reverses_payment_id IS OLD.reverses_payment_id
          AND NEW.recorded_at = OLD.recorded_at
          AND NEW.link_id IS OLD.link_id
          AND NEW.stripe_checkout_session IS OLD.stripe_checkout_session
          AND NEW.stripe_refund IS OLD.stripe_refund
          AND NEW.stripe_method IS OLD.stripe_method)
BEGIN
    SELECT RAISE(ABORT, 'acquit: a recorded payment cannot be changed; record a counter-entry');
END;

-- Every Stripe event Acquit has seen, with what it did: the exactly-once
-- ledger. 'applied', 'ignored' and 'unmatched' are final; 'deferred' (a
-- refund whose payment is not recorded yet) is tried again. `fact` (the
-- store's reading of the event) and `payload` (the raw event) are kept only
-- while the event awaits reconciliation (unmatched) or a retry (deferred).
CREATE TABLE stripe_events (
    event_id       TEXT PRIMARY KEY,
    type           TEXT NOT NULL,
    created        INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('relay', 'stripe')),
    outcome        TEXT NOT NULL CHECK (outcome IN ('applied', 'ignored', 'unmatched', 'deferred')),
    invoice_id     INTEGER REFERENCES invoices (id),
    detail         TEXT NOT NULL,
    fact           TEXT,
    payload        TEXT,
    first_seen_at  TEXT NOT NULL,
    applied_at     TEXT,
    CHECK (outcome IN ('unmatched', 'deferred') OR (fact IS NULL AND payload IS NULL)),
    CHECK ((outcome IN ('applied', 'ignored')) = (applied_at IS NOT NULL))
) STRICT;
CREATE INDEX stripe_events_waiting ON stripe_events (outcome) WHERE outcome IN ('unmatched', 'deferred');

-- A refund made in Stripe, proposed to the user as a credit note to issue
-- (issuing stays the user's act). 'done' once a credit note of that amount
-- is issued for the invoice; 'dismissed' by the user.
CREATE TABLE refund_proposals (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id),
    payment_id    INTEGER NOT NULL UNIQUE REFERENCES payments (id),  -- the refund row
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    stripe_ref    TEXT NOT NULL,     -- re_… or, when Stripe did not list it, the charge
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dismissed')),
    credit_note   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX refund_proposals_invoice ON refund_proposals (invoice_id);
