//! Renders invoices and credit notes to PDF, offline.
//!
//! Owns the page layout engine (measuring, wrapping, paginating), the
//! embedded subset fonts, the payment and EPC QR codes and the PAID stamp.
//! Depends on `acquit-core` only. Empty until the PDF issue lands.
