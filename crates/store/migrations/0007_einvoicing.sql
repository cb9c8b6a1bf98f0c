-- E-invoicing through a plateforme agréée (AFNOR XP Z12-013).
--
-- einvoice_flows: what Acquit sent to the platform about an issued
-- document: the document itself once ('invoice'), and a status 212
-- "Encaissée" per payment received ('cashed', with its payment). Written in two steps so that a
-- crash between them is repaired, not sent twice: reserved (tracking_id =
-- the document's number, sha256 of the file) before the upload; the
-- platform's flow id and acknowledgement recorded after. The
-- acknowledgement (Pending → Ok | Error) is the platform's to change; the
-- rest never changes.
CREATE TABLE einvoice_flows (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id),
    kind          TEXT NOT NULL CHECK (kind IN ('invoice', 'cashed')),
    payment_id    INTEGER REFERENCES payments (id),
    tracking_id   TEXT NOT NULL UNIQUE CHECK (length(tracking_id) BETWEEN 1 AND 64),
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    file_name     TEXT NOT NULL,
    reserved_at   TEXT NOT NULL,
    flow_id       TEXT UNIQUE,
    submitted_at  TEXT,
    ack_status    TEXT CHECK (ack_status IN ('Pending', 'Ok', 'Error')),
    ack_reason    TEXT,
    updated_at    TEXT,
    CHECK ((kind = 'cashed') = (payment_id IS NOT NULL)),
    CHECK ((flow_id IS NULL) = (ack_status IS NULL))
) STRICT;
CREATE UNIQUE INDEX einvoice_flows_once ON einvoice_flows (invoice_id, kind, COALESCE(payment_id, 0));

-- The lifecycle statuses the platforms relayed (CDAR messages), as facts:
-- never updated, never deleted; the same status of the same message is
-- recorded once.
CREATE TABLE einvoice_statuses (
    id             INTEGER PRIMARY KEY,
    invoice_id     INTEGER NOT NULL REFERENCES invoices (id),
    source_flow_id TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    code           INTEGER NOT NULL CHECK (code BETWEEN 1 AND 999),
    label          TEXT NOT NULL,
    issuer_role    TEXT,
    reason_code    TEXT,
    reason         TEXT,
    amount         TEXT,
    vat_rate       TEXT,
    issued_at      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (source_flow_id, invoice_id, code)
) STRICT;

CREATE TRIGGER einvoice_statuses_are_facts_u BEFORE UPDATE ON einvoice_statuses
BEGIN SELECT RAISE(ABORT, 'a lifecycle status received is a fact: it is never changed'); END;
CREATE TRIGGER einvoice_statuses_are_facts_d BEFORE DELETE ON einvoice_statuses
BEGIN SELECT RAISE(ABORT, 'a lifecycle status received is a fact: it is never deleted'); END;
CREATE TRIGGER einvoice_flows_keep_what_was_sent BEFORE UPDATE OF invoice_id, kind, payment_id, tracking_id, sha256, file_name, reserved_at ON einvoice_flows
BEGIN SELECT RAISE(ABORT, 'what was sent to the platform is never changed'); END;
CREATE TRIGGER einvoice_flows_keep_the_flow_id BEFORE UPDATE OF flow_id ON einvoice_flows
WHEN OLD.flow_id IS NOT NULL AND NEW.flow_id IS NOT OLD.flow_id
BEGIN SELECT RAISE(ABORT, 'a flow id, once the platform gave it, is never changed'); END;
CREATE TRIGGER einvoice_flows_are_kept BEFORE DELETE ON einvoice_flows
WHEN OLD.flow_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a flow the platform received is never forgotten'); END;

-- Invoices received from suppliers through the platform (flowType
-- SupplierInvoice), each kept as the platform handed it over (the file
-- byte for byte, its SHA-256) with what the list shows of it. Facts:
-- never changed, never deleted.
CREATE TABLE einvoice_received (
    id              INTEGER PRIMARY KEY,
    flow_id         TEXT NOT NULL UNIQUE,
    file_name       TEXT NOT NULL,
    syntax          TEXT NOT NULL,
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    file            BLOB NOT NULL,
    supplier        TEXT NOT NULL,
    supplier_siren  TEXT,
    number          TEXT NOT NULL,
    type_code       TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    due_date        TEXT,
    total_minor     INTEGER NOT NULL,
    due_minor       INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    received_at     TEXT NOT NULL
) STRICT;
CREATE TRIGGER einvoice_received_are_facts_u BEFORE UPDATE ON einvoice_received
BEGIN SELECT RAISE(ABORT, 'a received invoice is kept as received: it is never changed'); END;
CREATE TRIGGER einvoice_received_are_facts_d BEFORE DELETE ON einvoice_received
BEGIN SELECT RAISE(ABORT, 'a received invoice is kept as received: it is never deleted'); END;

-- The user's answers to received invoices (lifecycle statuses issued as
-- the buyer: 204 taken over, 205 approved, 206 partly approved, 207
-- disputed, 208 suspended, 210 refused, 211 payment sent), each a CDAR
-- message kept as written (so a send cut off is resumed with the same
-- bytes), reserved before the upload and completed with the platform's
-- flow id after, like einvoice_flows.
CREATE TABLE einvoice_answers (
    id            INTEGER PRIMARY KEY,
    received_id   INTEGER NOT NULL REFERENCES einvoice_received (id),
    code          INTEGER NOT NULL CHECK (code IN (204, 205, 206, 207, 208, 210, 211)),
    reason_code   TEXT,
    reason        TEXT,
    tracking_id   TEXT NOT NULL UNIQUE CHECK (length(tracking_id) BETWEEN 1 AND 64),
    message       BLOB NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    reserved_at   TEXT NOT NULL,
    flow_id       TEXT UNIQUE,
    submitted_at  TEXT,
    ack_status    TEXT CHECK (ack_status IN ('Pending', 'Ok', 'Error')),
    ack_reason    TEXT,
    UNIQUE (received_id, code),
    CHECK ((flow_id IS NULL) = (ack_status IS NULL))
) STRICT;
CREATE TRIGGER einvoice_answers_keep_what_was_sent BEFORE UPDATE OF received_id, code, reason_code, reason, tracking_id, message, sha256, reserved_at ON einvoice_answers
BEGIN SELECT RAISE(ABORT, 'what was sent to the platform is never changed'); END;
CREATE TRIGGER einvoice_answers_keep_the_flow_id BEFORE UPDATE OF flow_id ON einvoice_answers
WHEN OLD.flow_id IS NOT NULL AND NEW.flow_id IS NOT OLD.flow_id
BEGIN SELECT RAISE(ABORT, 'a flow id, once the platform gave it, is never changed'); END;
CREATE TRIGGER einvoice_answers_are_kept BEFORE DELETE ON einvoice_answers
WHEN OLD.flow_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a flow the platform received is never forgotten'); END;
