//! `acquit_facturx::check::embedded_xml`: reads PDFs that users receive
//! from outside, so any bytes must give an answer (Ok or an error), never a
//! panic or a hang (libFuzzer's -timeout catches the latter).
//!
//! Invariants when it finds a file: its name is one of the names an
//! embedded e-invoice has in Factur-X / ZUGFeRD / XRechnung files; reading
//! the same bytes again gives the same answer (no hidden state).
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "ZUGFeRD-invoice.xml",
    "xrechnung.xml",
];

fuzz_target!(|data: &[u8]| {
    let first = acquit_facturx::check::embedded_xml(data);
    if let Ok((name, _xml)) = &first {
        assert!(
            NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)),
            "embedded_xml answered a file named {name:?}"
        );
    }
    let again = acquit_facturx::check::embedded_xml(data);
    assert_eq!(
        first.as_ref().ok(),
        again.as_ref().ok(),
        "embedded_xml is not deterministic"
    );
});
