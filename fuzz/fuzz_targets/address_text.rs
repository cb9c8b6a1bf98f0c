//! `Address::from_text` (the free text of older books) and
//! `Address::parse_french` (the CLI's `--address`).
//!
//! Invariants:
//! - `from_text(s).printed_text(Fr, FR) == s`: an address from older books
//!   prints exactly as written (and so does it for any other language and
//!   home country);
//! - `from_text`: its street lines are trimmed and never empty; a postcode
//!   found is five ASCII digits with a city and country FR;
//! - `parse_french` never panics; when Ok: at least one street line, a
//!   five-digit postcode, a city, country FR, nothing kept "as written".
#![no_main]

use acquit_core::{Address, Country, Lang};
use libfuzzer_sys::fuzz_target;

fn five_digits(code: &str) -> bool {
    code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    let old = Address::from_text(s);
    assert_eq!(old.printed_text(Lang::Fr, Country::FR), s);
    assert_eq!(old.printed_text(Lang::En, Country::FR), s);
    assert_eq!(old.as_written.as_deref(), Some(s));
    for line in &old.lines {
        assert!(!line.is_empty(), "empty street line from {s:?}");
        assert_eq!(line.trim(), line, "untrimmed street line from {s:?}");
    }
    if let Some(code) = &old.postcode {
        assert!(five_digits(code), "postcode {code:?} from {s:?}");
        assert!(old.city.as_deref().is_some_and(|c| !c.is_empty()));
        assert_eq!(old.country, Some(Country::FR));
    }

    if let Ok(typed) = Address::parse_french(s) {
        let code = typed.postcode.as_deref().expect("a French address has a postcode");
        assert!(five_digits(code), "postcode {code:?} from {s:?}");
        assert_eq!(typed.country, Some(Country::FR));
        assert!(typed.city.as_deref().is_some_and(|c| !c.is_empty()));
        assert!(!typed.lines.is_empty(), "no street line from {s:?}");
        assert!(typed.missing().is_empty(), "{:?} missing from {s:?}", typed.missing());
        assert_eq!(typed.as_written, None);
    }
});
