//! The validated identifiers of `crates/core/src/ids/`: IBAN, BIC, SIREN,
//! SIRET, VAT number, email, E.164 phone.
//!
//! Invariants: never a panic; when a value is read, its normal form is a
//! fixed point: `parse(x.as_str()) == x`; the printed forms read back too
//! (`Iban::formatted`, `Siren::formatted`, `Siret::formatted`); a SIRET's
//! SIREN is a valid SIREN; the French VAT number made from a SIREN is a
//! valid VAT number; a phone read with a default country (FR) is E.164.
#![no_main]

use acquit_core::ids::{Bic, Email, Iban, PhoneE164, Siren, Siret, VatNumber};
use libfuzzer_sys::fuzz_target;

/// `parse(value.as_str()) == value`, and the same for every other text.
macro_rules! fixed_point {
    ($ty:ty, $input:expr, $value:expr $(, $other:expr)*) => {{
        let value: &$ty = $value;
        let again = <$ty>::parse(value.as_str());
        assert_eq!(again.as_ref(), Ok(value), "{:?} → {:?}", $input, value.as_str());
        $(
            let text: String = $other;
            assert_eq!(<$ty>::parse(&text).as_ref(), Ok(value), "{:?} → {:?}", $input, text);
        )*
    }};
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(iban) = Iban::parse(s) {
        fixed_point!(Iban, s, &iban, iban.formatted(), iban.to_string());
        assert!(iban.as_str().starts_with(iban.country()));
    }
    if let Ok(bic) = Bic::parse(s) {
        fixed_point!(Bic, s, &bic, bic.to_string());
        assert!(matches!(bic.as_str().len(), 8 | 11), "BIC {:?}", bic.as_str());
    }
    if let Ok(siren) = Siren::parse(s) {
        fixed_point!(Siren, s, &siren, siren.formatted());
        assert_eq!(siren.as_str().len(), 9);
        let vat = VatNumber::french_from_siren(&siren);
        fixed_point!(VatNumber, s, &vat);
    }
    if let Ok(siret) = Siret::parse(s) {
        fixed_point!(Siret, s, &siret, siret.formatted());
        assert_eq!(siret.as_str().len(), 14);
        let siren = siret.siren();
        fixed_point!(Siren, s, &siren);
        assert!(siret.as_str().starts_with(siren.as_str()));
    }
    if let Ok(vat) = VatNumber::parse(s) {
        fixed_point!(VatNumber, s, &vat);
        assert_eq!(format!("{}{}", vat.country(), vat.national()), vat.as_str());
    }
    if let Ok(email) = Email::parse(s) {
        fixed_point!(Email, s, &email);
    }
    if let Ok(phone) = PhoneE164::parse(s) {
        fixed_point!(PhoneE164, s, &phone);
        assert!(phone.as_str().starts_with('+'), "phone {:?}", phone.as_str());
    }
    if let Ok(phone) = PhoneE164::parse_with_default_country(s, "FR") {
        fixed_point!(PhoneE164, s, &phone);
    }
});
