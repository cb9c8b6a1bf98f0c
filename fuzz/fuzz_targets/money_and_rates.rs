//! The one decimal parser behind amounts, quantities and rates
//! (`crates/core/src/decimal.rs`), through its four users: `Money::parse`
//! (in EUR, and in USD, JPY and BHD for other exponents and symbols),
//! `Quantity::parse`, `VatRate::parse` and `EurRate::parse`.
//!
//! Invariants: never a panic; when a value is read, every way Acquit
//! prints it reads back as the same value:
//! - Money: `to_decimal_string()` through `parse`; `format(Fr)` (narrow
//!   no-break spaces, `€` after) through `parse`; `format(En)` (`€1,234.56`)
//!   through `parse_localized(.., En)`;
//! - Quantity, VatRate, EurRate: `format(En)` and `format(Fr)` through
//!   `parse`; a quantity is never negative, a VAT rate never above 100 %,
//!   a euro rate always positive.
#![no_main]

use acquit_core::{Currency, EurRate, Lang, Money, Quantity, VatRate};
use libfuzzer_sys::fuzz_target;

fn money(s: &str, currency: Currency) {
    let Ok(m) = Money::parse(s, currency) else {
        return;
    };
    assert_eq!(m.currency(), currency);
    let plain = m.to_decimal_string();
    assert_eq!(
        Money::parse(&plain, currency).as_ref(),
        Ok(&m),
        "{s:?} → {plain:?}"
    );
    let fr = m.format(Lang::Fr);
    assert_eq!(Money::parse(&fr, currency).as_ref(), Ok(&m), "{s:?} → {fr:?}");
    let en = m.format(Lang::En);
    assert_eq!(
        Money::parse_localized(&en, currency, Lang::En).as_ref(),
        Ok(&m),
        "{s:?} → {en:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    money(s, Currency::EUR);
    money(s, Currency::USD);
    money(s, Currency::JPY);
    money(s, Currency::from_code("BHD").expect("BHD is in the table"));
    let _ = Money::parse_localized(s, Currency::EUR, Lang::En);

    if let Ok(q) = Quantity::parse(s) {
        assert!(q.thousandths() >= 0, "{s:?} gives a negative quantity");
        for lang in [Lang::En, Lang::Fr] {
            let text = q.format(lang);
            assert_eq!(Quantity::parse(&text).as_ref(), Ok(&q), "{s:?} → {text:?}");
        }
    }

    if let Ok(r) = VatRate::parse(s) {
        assert!(r.basis_points() <= VatRate::FULL, "{s:?} gives {r:?}");
        for lang in [Lang::En, Lang::Fr] {
            let text = r.format(lang);
            assert_eq!(VatRate::parse(&text).as_ref(), Ok(&r), "{s:?} → {text:?}");
        }
    }

    if let Ok(r) = EurRate::parse(s) {
        assert!(r.per_euro_micro() > 0, "{s:?} gives {r:?}");
        for lang in [Lang::En, Lang::Fr] {
            let text = r.format(lang);
            assert_eq!(EurRate::parse(&text).as_ref(), Ok(&r), "{s:?} → {text:?}");
        }
    }
});
