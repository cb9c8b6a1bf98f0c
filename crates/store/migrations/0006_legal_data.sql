-- Schema 6: the data French law asks of an invoice from 1 September 2027
-- (and EN 16931 of an e-invoice).
--
-- Each line says whether it sells goods or a service, and what its
-- quantity counts (a UN/ECE Rec 20 unit, by its name in
-- acquit_core::Unit). Lines of older books have neither: NULL, printed as
-- before.
ALTER TABLE invoice_lines ADD COLUMN nature TEXT CHECK (nature IN ('goods', 'service'));
ALTER TABLE invoice_lines ADD COLUMN unit TEXT CHECK (unit IN ('hour', 'day', 'month', 'unit', 'kg', 'm', 'm2', 'km', 'lump-sum'));

-- What an invoice says beyond its lines and parties (acquit_core::
-- InvoiceDetails as JSON): the buyer's order and reference, the delivery
-- address, the euro rate of a foreign-currency invoice and, once issued,
-- its VAT in euros and, for a credit note, the corrected invoice's date.
-- Typed on drafts; written for the last time when the document is issued,
-- after which the lock triggers of schema 1 forbid any change. NULL in
-- older books.
ALTER TABLE invoices ADD COLUMN details TEXT;

-- Seller and client profiles are JSON (schema 1): their new fields
-- (legal form, capital, registration, activity, structured addresses) need
-- no column. Addresses written as text still read (acquit_core::Address).
