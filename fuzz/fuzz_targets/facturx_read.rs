//! `acquit_facturx::read::summary`: the suppliers' invoices that arrive
//! through the platform (a Factur-X PDF or a CII XML), shown in the inbox.
//! Anything must be an error, never a panic.
//!
//! Invariants when Ok: a number and a seller (never empty), the total and
//! the amount due in one currency, and the same answer twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(summary) = acquit_facturx::read::summary(data) else {
        return;
    };
    assert!(!summary.number.trim().is_empty(), "{summary:?}");
    assert!(!summary.seller_name.trim().is_empty(), "{summary:?}");
    assert_eq!(summary.total.currency(), summary.due.currency(), "{summary:?}");
    assert_eq!(acquit_facturx::read::summary(data).ok(), Some(summary));
});
