//! `acquit_facturx::check::parse_svrl`: the SVRL report Saxon-HE writes
//! when it runs the Factur-X and BR-FR rules. It comes from a tool, not a
//! person, but a broken or unexpected report must be an error, never a
//! panic.
//!
//! Invariants when Ok: a finding has a rule (never empty), its text has its
//! whitespace collapsed (no leading, trailing or double spaces, no tabs or
//! newlines), and there are no more findings than `failed-assert` and
//! `successful-report` tags in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(findings) = acquit_facturx::check::parse_svrl(s) else {
        return;
    };
    let tags = s.matches("failed-assert").count() + s.matches("successful-report").count();
    assert!(findings.len() <= tags, "{} findings from {tags} tags", findings.len());
    for f in &findings {
        assert!(!f.rule.is_empty(), "{f:?}");
        assert_eq!(f.text.trim(), f.text, "{f:?}");
        assert!(!f.text.contains("  "), "{f:?}");
        assert!(!f.text.contains(['\n', '\t', '\r']), "{f:?}");
    }
});
