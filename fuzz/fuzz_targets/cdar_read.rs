//! `acquit_pa::lifecycle::read_cdar`: the lifecycle statuses (CDAR XML)
//! the platforms relay, from outside. A broken or hostile message must be
//! an error, never a panic or a hang.
//!
//! Invariants when Ok: every status names an invoice (never empty), its
//! code is the 1–999 of the UNTDID list the books accept, and reading the
//! same bytes twice gives the same answer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(messages) = acquit_pa::lifecycle::read_cdar(data) else {
        return;
    };
    for m in &messages {
        assert!(!m.invoice_number.trim().is_empty(), "{m:?}");
        assert!((1..=999).contains(&m.code), "{m:?}");
    }
    assert_eq!(acquit_pa::lifecycle::read_cdar(data).ok(), Some(messages));
});
