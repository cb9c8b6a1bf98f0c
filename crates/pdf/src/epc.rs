//! The EPC069-12 "GiroCode" payload: a SEPA credit transfer in a QR code.
//!
//! A banking app that scans it pre-fills a transfer: beneficiary, IBAN,
//! amount and the invoice number as the remittance text, so the payment can
//! be matched to the invoice. A pure function so every field is testable
//! without a QR decoder. Version 002 (the BIC is optional but we write it
//! when known), character set 1 (UTF-8), identification `SCT`, fields
//! separated by LF, trailing empty fields omitted, at most 331 bytes; the QR
//! code itself must use error-correction level M.

use acquit_core::Money;
use acquit_core::ids::{Bic, Iban};

/// The most a GiroCode payload may hold.
pub const MAX_BYTES: usize = 331;
const MAX_NAME_CHARS: usize = 70;
const MAX_REMITTANCE_CHARS: usize = 140;
/// EUR 999,999,999.99: the largest amount the format allows.
const MAX_AMOUNT_CENTS: i64 = 99_999_999_999;

/// Why no transfer QR code can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpcError {
    #[error("a SEPA transfer QR code is in euros only, not {0}")]
    NotEuro(String),
    #[error("a SEPA transfer QR code needs an amount between 0.01 and 999999999.99 EUR")]
    AmountOutOfRange,
    #[error("the beneficiary name is empty: set the seller's legal name")]
    EmptyName,
    #[error("the transfer QR payload would be {0} bytes, more than the 331 allowed")]
    TooLong(usize),
}

/// The payload of a GiroCode for paying `amount` to `name` at `iban`, with
/// `remittance` (the invoice number) as the unstructured remittance text.
///
/// The name is cut to its first 70 characters and the remittance to 140,
/// as the format requires; line breaks inside them become spaces.
pub fn epc_payload(
    name: &str,
    iban: &Iban,
    bic: Option<&Bic>,
    amount: Money,
    remittance: &str,
) -> Result<String, EpcError> {
    let code = amount.currency().code().to_owned();
    if code != "EUR" {
        return Err(EpcError::NotEuro(code));
    }
    let cents = amount.minor();
    if !(1..=MAX_AMOUNT_CENTS).contains(&cents) {
        return Err(EpcError::AmountOutOfRange);
    }
    let name = field(name, MAX_NAME_CHARS);
    if name.is_empty() {
        return Err(EpcError::EmptyName);
    }
    let remittance = field(remittance, MAX_REMITTANCE_CHARS);
    let fields = [
        "BCD".to_owned(),
        "002".to_owned(),
        "1".to_owned(),
        "SCT".to_owned(),
        bic.map(|b| b.as_str().to_owned()).unwrap_or_default(),
        name,
        iban.as_str().to_owned(),
        format!("EUR{}.{:02}", cents / 100, cents % 100),
        // Purpose code and structured (RF) reference: none.
        String::new(),
        String::new(),
        remittance,
    ];
    let mut payload = fields.join("\n");
    while payload.ends_with('\n') {
        payload.pop();
    }
    if payload.len() > MAX_BYTES {
        return Err(EpcError::TooLong(payload.len()));
    }
    Ok(payload)
}

fn field(text: &str, max_chars: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.trim()
        .chars()
        .take(max_chars)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_core::Currency;

    fn iban() -> Iban {
        Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap()
    }

    fn bic() -> Bic {
        Bic::parse("AGRIFRPP").unwrap()
    }

    #[test]
    fn payload_has_every_field_in_order() {
        let payload = epc_payload(
            "Éléonore Dûbois-Lefèvre",
            &iban(),
            Some(&bic()),
            Money::new(123_456, Currency::EUR),
            "F-2026-0042",
        )
        .unwrap();
        let fields: Vec<&str> = payload.split('\n').collect();
        assert_eq!(fields.len(), 11, "{payload:?}");
        assert_eq!(fields[0], "BCD", "service tag");
        assert_eq!(fields[1], "002", "version");
        assert_eq!(fields[2], "1", "character set: UTF-8");
        assert_eq!(fields[3], "SCT", "identification");
        assert_eq!(fields[4], "AGRIFRPP", "BIC");
        assert_eq!(fields[5], "Éléonore Dûbois-Lefèvre", "name, UTF-8 intact");
        assert_eq!(fields[6], "FR7630006000011234567890189", "IBAN, compact");
        assert_eq!(fields[7], "EUR1234.56", "amount");
        assert_eq!(fields[8], "", "purpose");
        assert_eq!(fields[9], "", "structured reference");
        assert_eq!(fields[10], "F-2026-0042", "remittance: the invoice number");
        assert!(!payload.ends_with('\n'));
    }

    #[test]
    fn bic_is_optional_in_version_002() {
        let payload = epc_payload("A", &iban(), None, Money::new(5, Currency::EUR), "F-1").unwrap();
        assert_eq!(
            payload,
            "BCD\n002\n1\nSCT\n\nA\nFR7630006000011234567890189\nEUR0.05\n\n\nF-1"
        );
    }

    #[test]
    fn empty_remittance_is_omitted_with_the_trailing_fields() {
        let payload = epc_payload(
            "A",
            &iban(),
            Some(&bic()),
            Money::new(100, Currency::EUR),
            " ",
        )
        .unwrap();
        assert!(payload.ends_with("\nEUR1.00"), "{payload:?}");
    }

    #[test]
    fn amounts_are_checked() {
        let name = "A";
        let at = |minor| epc_payload(name, &iban(), None, Money::new(minor, Currency::EUR), "F");
        assert_eq!(at(0), Err(EpcError::AmountOutOfRange));
        assert_eq!(at(-100), Err(EpcError::AmountOutOfRange));
        assert_eq!(at(100_000_000_000), Err(EpcError::AmountOutOfRange));
        assert!(at(99_999_999_999).unwrap().contains("\nEUR999999999.99\n"));
        assert!(at(1).unwrap().contains("\nEUR0.01\n"));
        assert!(at(1000).unwrap().contains("\nEUR10.00\n"));
    }

    #[test]
    fn only_euros() {
        let err = epc_payload("A", &iban(), None, Money::new(100, Currency::USD), "F");
        assert_eq!(err, Err(EpcError::NotEuro("USD".into())));
    }

    #[test]
    fn name_and_remittance_are_cut_and_flattened() {
        let long_name = "N".repeat(100);
        let long_ref = "R".repeat(200);
        let payload = epc_payload(
            &long_name,
            &iban(),
            None,
            Money::new(100, Currency::EUR),
            &long_ref,
        )
        .unwrap();
        let fields: Vec<&str> = payload.split('\n').collect();
        assert_eq!(fields[5].chars().count(), 70);
        assert_eq!(fields[10].chars().count(), 140);
        assert!(payload.len() <= MAX_BYTES);
        let payload = epc_payload(
            "Acme\nSARL",
            &iban(),
            None,
            Money::new(100, Currency::EUR),
            "F",
        )
        .unwrap();
        assert_eq!(payload.split('\n').nth(5), Some("Acme SARL"));
        assert_eq!(
            epc_payload(" ", &iban(), None, Money::new(100, Currency::EUR), "F"),
            Err(EpcError::EmptyName)
        );
    }

    #[test]
    fn multibyte_text_cannot_exceed_331_bytes() {
        // 70 three-byte characters and 140 four-byte ones: 210 + 560 bytes.
        let name = "€".repeat(70);
        let remittance = "🦀".repeat(140);
        let err = epc_payload(
            &name,
            &iban(),
            None,
            Money::new(100, Currency::EUR),
            &remittance,
        );
        assert!(matches!(err, Err(EpcError::TooLong(n)) if n > MAX_BYTES));
    }
}
