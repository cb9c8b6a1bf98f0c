//! What the CDAR reader refuses, from inputs kept in
//! `tests/fixtures/fuzz-found/` (the `cdar_read` fuzz target's finds, also
//! replayed by `./x fuzz` through `fuzz/regressions.txt`).

use std::path::Path;

use acquit_pa::lifecycle::read_cdar;

fn found(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz-found")
            .join(name),
    )
    .unwrap()
}

/// A status whose ProcessConditionCode is 2100 was read as a status; the
/// books' CHECK then refused it as a database error, which stopped the
/// lifecycle sync at that flow (every later status unread).
#[test]
fn a_status_code_beyond_three_digits_is_refused() {
    let xml = found("status-code-2100.xml");
    let error = read_cdar(&xml).unwrap_err().to_string();
    assert!(
        error.contains("2100") && error.contains("not a lifecycle status"),
        "{error}"
    );
    // The same message with a real code reads.
    let text = String::from_utf8(xml).unwrap().replace(">2100<", ">210<");
    let messages = read_cdar(text.as_bytes()).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        (messages[0].invoice_number.as_str(), messages[0].code),
        ("F-2026-0001", 210)
    );
}
