-- Recurring invoices with a payment link (#23).
--
-- link = 1: each invoice the schedule issues gets a Stripe payment link for
-- all it asks, reserved (status 'pending', its token drawn) in the very
-- transaction that issues the invoice, so a crash leaves both or neither;
-- the next sync creates it on Stripe under an idempotency key derived from
-- the link's id, so it is never made twice. Only a schedule that issues by
-- itself makes links (a draft to review gets its link when the user issues
-- it). Adding a column fires no trigger: a schedule is still never changed.
ALTER TABLE recurring ADD COLUMN link INTEGER NOT NULL DEFAULT 0 CHECK (link IN (0, 1));
