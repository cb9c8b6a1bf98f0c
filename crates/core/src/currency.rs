//! ISO 4217 currencies and their exponents (how many minor units a major
//! unit has: EUR 2, JPY 0, BHD 3).
//!
//! The table holds the currencies an invoice may reasonably be in (those
//! Stripe settles, plus the European ones). An unknown code is an error, not
//! a guess at its exponent: a wrong exponent multiplies amounts by 100.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A currency Acquit knows, with its ISO 4217 exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// `(code, exponent)`, sorted by code.
const TABLE: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PLN", 2),
    ("RON", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("ZAR", 2),
];

/// The code is not in Acquit's currency table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a currency Acquit knows: use a three-letter ISO 4217 code such as EUR, USD, GBP or CHF"
)]
pub struct UnknownCurrency(pub String);

impl Currency {
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        exponent: 2,
    };
    pub const USD: Currency = Currency {
        code: *b"USD",
        exponent: 2,
    };
    pub const GBP: Currency = Currency {
        code: *b"GBP",
        exponent: 2,
    };
    pub const JPY: Currency = Currency {
        code: *b"JPY",
        exponent: 0,
    };

    /// Looks a code up, case-insensitively ("eur" is EUR).
    pub fn from_code(code: &str) -> Result<Currency, UnknownCurrency> {
        let upper = code.trim().to_ascii_uppercase();
        TABLE
            .binary_search_by(|(c, _)| (*c).cmp(upper.as_str()))
            .map(|i| {
                let (c, exponent) = TABLE[i];
                let b = c.as_bytes();
                Currency {
                    code: [b[0], b[1], b[2]],
                    exponent,
                }
            })
            .map_err(|_| UnknownCurrency(code.trim().to_owned()))
    }

    /// Every currency in the table, by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        TABLE
            .iter()
            .map(|(c, _)| Currency::from_code(c).expect("table entry"))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("codes are ASCII")
    }

    /// Number of decimal places of the minor unit.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// 10^exponent: minor units per major unit.
    pub fn minor_per_major(&self) -> i64 {
        10i64.pow(u32::from(self.exponent))
    }

    /// The symbol used when formatting, if the currency has a well-known one.
    pub(crate) fn symbol(&self) -> Option<&'static str> {
        match self.code() {
            "EUR" => Some("€"),
            "USD" => Some("$"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::from_code(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_code() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, exponent) in TABLE {
            assert_eq!(Currency::from_code(code).unwrap().exponent(), *exponent);
        }
    }

    #[test]
    fn exponents_follow_iso_4217() {
        for (code, exponent, per_major) in [
            ("EUR", 2, 100),
            ("eur", 2, 100),
            (" JPY ", 0, 1),
            ("KWD", 3, 1000),
        ] {
            let c = Currency::from_code(code).unwrap();
            assert_eq!(
                (c.exponent(), c.minor_per_major()),
                (exponent, per_major),
                "{code}"
            );
        }
    }

    #[test]
    fn unknown_codes_are_refused_with_advice() {
        for code in ["", "EU", "EURO", "XXX", "€"] {
            let err = Currency::from_code(code).unwrap_err();
            assert!(err.to_string().contains("ISO 4217"), "{err}");
        }
    }

    #[test]
    fn serde_uses_the_code() {
        assert_eq!(serde_json_like(Currency::EUR), "EUR");
        let back: Currency = Currency::try_from("gbp".to_owned()).unwrap();
        assert_eq!(back, Currency::GBP);
    }

    fn serde_json_like(c: Currency) -> String {
        String::from(c)
    }
}
