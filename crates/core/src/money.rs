//! Money: an integer number of minor units with its ISO 4217 currency.
//!
//! Never a float. Arithmetic is checked: adding euros to dollars or
//! overflowing is an error, not a silent wrap. All rounding in Acquit goes
//! through [`round_div`], which rounds half away from zero (0.005 → 0.01,
//! −0.005 → −0.01), the rule of French tax practice and of most invoicing
//! software; see `tax.rs` for where rounding happens and on what base.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Lang;
use crate::currency::{Currency, UnknownCurrency};
use crate::decimal::{self, DecimalError, Grouping};

/// An exact amount of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// A typed amount that could not be read, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("\"{input}\" is not an amount: {reason}")]
    Malformed { input: String, reason: DecimalError },
    #[error("\"{input}\" has too many decimals: {currency} amounts have {exponent}")]
    TooPrecise {
        input: String,
        currency: Currency,
        exponent: u8,
    },
    #[error("\"{input}\" is in {found}, but this amount is in {expected}")]
    WrongCurrency {
        input: String,
        found: String,
        expected: Currency,
    },
    #[error(transparent)]
    UnknownCurrency(#[from] UnknownCurrency),
}

/// Arithmetic that cannot give a meaningful amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} and {1} amounts")]
    CurrencyMismatch(Currency, Currency),
    #[error("the amount is too large")]
    Overflow,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// The amount in minor units (cents for EUR).
    pub const fn minor(&self) -> i64 {
        self.minor
    }

    pub const fn currency(&self) -> Currency {
        self.currency
    }

    pub const fn is_zero(&self) -> bool {
        self.minor == 0
    }

    pub const fn is_negative(&self) -> bool {
        self.minor < 0
    }

    pub const fn is_positive(&self) -> bool {
        self.minor > 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_neg().ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// The sum of `amounts`, all in `currency` (zero when empty).
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// Reads an amount typed in any language's common form: `1234.56`,
    /// `1234,56`, `1 234,56`, optionally with the currency's symbol or code
    /// (`12,50 €`, `EUR 12.50`). See `decimal.rs` for the exact rules.
    pub fn parse(input: &str, currency: Currency) -> Result<Money, AmountError> {
        Money::parse_with(input, currency, Grouping::Spaces)
    }

    /// Reads an amount as written in `lang`: English also accepts commas
    /// grouping thousands (`€1,234.56`), and then only `.` as the decimal
    /// separator.
    pub fn parse_localized(
        input: &str,
        currency: Currency,
        lang: Lang,
    ) -> Result<Money, AmountError> {
        Money::parse_with(input, currency, Grouping::for_lang(lang))
    }

    fn parse_with(
        input: &str,
        currency: Currency,
        grouping: Grouping,
    ) -> Result<Money, AmountError> {
        let number = strip_currency(input, currency)?;
        let exponent = currency.exponent();
        match decimal::parse_scaled(&number, exponent, grouping) {
            Ok(scaled) => Ok(Money::new(
                i64::try_from(scaled).expect("parse_scaled bounds the value to i64"),
                currency,
            )),
            Err(DecimalError::TooManyDecimals { .. }) => Err(AmountError::TooPrecise {
                input: input.trim().to_owned(),
                currency,
                exponent,
            }),
            Err(reason) => Err(AmountError::Malformed {
                input: input.trim().to_owned(),
                reason,
            }),
        }
    }

    /// The amount as a plain decimal string with a `.`: `1234.56`, `-0.05`,
    /// `1234` (JPY). This is the form of the CLI's `--json` output.
    pub fn to_decimal_string(&self) -> String {
        decimal::format_scaled(
            i128::from(self.minor),
            self.currency.exponent(),
            '.',
            None,
            false,
        )
    }

    /// The amount as a person reads it in `lang`:
    /// French `1 234,56 €` (narrow no-break space between groups, no-break
    /// space before the symbol), English `€1,234.56`.
    pub fn format(&self, lang: Lang) -> String {
        let exponent = self.currency.exponent();
        match lang {
            Lang::Fr => {
                let number = decimal::format_scaled(
                    i128::from(self.minor),
                    exponent,
                    ',',
                    Some('\u{202f}'),
                    false,
                );
                let unit = match self.currency.code() {
                    "USD" => "$US",
                    _ => self.currency.symbol().unwrap_or(self.currency.code()),
                };
                format!("{number}\u{a0}{unit}")
            }
            Lang::En => {
                let number = decimal::format_scaled(
                    i128::from(self.minor.unsigned_abs()),
                    exponent,
                    '.',
                    Some(','),
                    false,
                );
                let sign = if self.minor < 0 { "-" } else { "" };
                match self.currency.symbol() {
                    Some(symbol) => format!("{sign}{symbol}{number}"),
                    None => format!("{sign}{} {number}", self.currency.code()),
                }
            }
        }
    }
}

impl fmt::Display for Money {
    /// `1234.56 EUR`: unambiguous, for logs and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

/// Removes a leading or trailing symbol or code of `currency` (after a sign,
/// as in `-€12.50`); refuses one of another currency.
fn strip_currency(input: &str, currency: Currency) -> Result<String, AmountError> {
    let s = input.trim();
    let (sign, rest) = match s.chars().next() {
        Some(c @ ('-' | '−' | '+')) => (&s[..c.len_utf8()], s[c.len_utf8()..].trim_start()),
        _ => ("", s),
    };
    let mut marks: Vec<&str> = vec![currency.code()];
    marks.extend(currency.symbol());
    if currency.code() == "USD" {
        marks.extend(["$US", "US$"]);
    }
    // Longest first, so "$US" is not taken for "$".
    marks.sort_by_key(|m| std::cmp::Reverse(m.len()));
    let lower = rest.to_ascii_lowercase();
    for mark in &marks {
        let lower_mark = mark.to_ascii_lowercase();
        if lower.starts_with(&lower_mark) {
            return Ok(format!("{sign}{}", rest[mark.len()..].trim()));
        }
        if lower.ends_with(&lower_mark) {
            return Ok(format!("{sign}{}", rest[..rest.len() - mark.len()].trim()));
        }
    }
    // A symbol or code of another currency is a mistake worth naming.
    for other in ["€", "$", "£", "¥"] {
        if s.contains(other) {
            return Err(AmountError::WrongCurrency {
                input: s.to_owned(),
                found: other.to_owned(),
                expected: currency,
            });
        }
    }
    let letters: String = s.chars().filter(char::is_ascii_alphabetic).collect();
    if letters.len() == 3 && Currency::from_code(&letters).is_ok() {
        return Err(AmountError::WrongCurrency {
            input: s.to_owned(),
            found: letters.to_ascii_uppercase(),
            expected: currency,
        });
    }
    Ok(s.to_owned())
}

/// `numerator / denominator` rounded half away from zero.
///
/// This is the one rounding function of Acquit. `denominator` must be
/// positive.
pub fn round_div(numerator: i128, denominator: i128) -> i128 {
    assert!(denominator > 0, "round_div by {denominator}");
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[test]
    fn parsing_amounts() {
        let jpy = Currency::JPY;
        let cases: &[(&str, Currency, i64)] = &[
            ("1234.56", Currency::EUR, 123_456),
            ("1234,56", Currency::EUR, 123_456),
            ("1 234,56 €", Currency::EUR, 123_456),
            ("€1234.56", Currency::EUR, 123_456),
            ("EUR 12.5", Currency::EUR, 1250),
            ("12,50 eur", Currency::EUR, 1250),
            ("-0,05", Currency::EUR, -5),
            ("1234", jpy, 1234),
            ("¥1 234", jpy, 1234),
            ("10 $US", Currency::USD, 1000),
        ];
        for (input, currency, minor) in cases {
            assert_eq!(
                Money::parse(input, *currency),
                Ok(Money::new(*minor, *currency)),
                "{input}"
            );
        }
    }

    #[test]
    fn english_input_groups_with_commas() {
        assert_eq!(
            Money::parse_localized("€1,234.56", Currency::EUR, Lang::En),
            Ok(eur(123_456))
        );
        assert_eq!(
            Money::parse_localized("1 234,56", Currency::EUR, Lang::Fr),
            Ok(eur(123_456))
        );
        assert!(
            Money::parse("1,234.56", Currency::EUR).is_err(),
            "ambiguous without a language"
        );
    }

    #[test]
    fn refusing_amounts_with_the_reason() {
        let cases: &[(&str, Currency, &str)] = &[
            (
                "12,34,5",
                Currency::EUR,
                "\"12,34,5\" is not an amount: it has more than one decimal separator",
            ),
            (
                "12.345",
                Currency::EUR,
                "\"12.345\" has too many decimals: EUR amounts have 2",
            ),
            (
                "12.5",
                Currency::JPY,
                "\"12.5\" has too many decimals: JPY amounts have 0",
            ),
            (
                "12 $",
                Currency::EUR,
                "\"12 $\" is in $, but this amount is in EUR",
            ),
            (
                "12 GBP",
                Currency::EUR,
                "\"12 GBP\" is in GBP, but this amount is in EUR",
            ),
            (
                "douze",
                Currency::EUR,
                "\"douze\" is not an amount: it contains \"d\"",
            ),
            (
                "",
                Currency::EUR,
                "\"\" is not an amount: nothing was entered",
            ),
        ];
        for (input, currency, message) in cases {
            let err = Money::parse(input, *currency).unwrap_err().to_string();
            assert!(err.starts_with(message), "{input}: {err}");
        }
    }

    #[test]
    fn formatting_for_people() {
        let cases: &[(Money, Lang, &str)] = &[
            (eur(123_456), Lang::Fr, "1\u{202f}234,56\u{a0}€"),
            (eur(123_456), Lang::En, "€1,234.56"),
            (eur(-5), Lang::Fr, "-0,05\u{a0}€"),
            (eur(-123_456), Lang::En, "-€1,234.56"),
            (eur(0), Lang::En, "€0.00"),
            (
                Money::new(100_000_000, Currency::EUR),
                Lang::Fr,
                "1\u{202f}000\u{202f}000,00\u{a0}€",
            ),
            (Money::new(1234, Currency::JPY), Lang::En, "¥1,234"),
            (Money::new(150, Currency::USD), Lang::Fr, "1,50\u{a0}$US"),
            (
                Money::new(150, Currency::from_code("CHF").unwrap()),
                Lang::En,
                "CHF 1.50",
            ),
            (
                Money::new(150, Currency::from_code("CHF").unwrap()),
                Lang::Fr,
                "1,50\u{a0}CHF",
            ),
        ];
        for (money, lang, expected) in cases {
            assert_eq!(money.format(*lang), *expected, "{money} in {lang:?}");
        }
        assert_eq!(eur(-5).to_decimal_string(), "-0.05");
        assert_eq!(eur(123_456).to_string(), "1234.56 EUR");
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(eur(150).checked_add(eur(-50)), Ok(eur(100)));
        assert_eq!(
            eur(1).checked_add(Money::new(1, Currency::USD)),
            Err(MoneyError::CurrencyMismatch(Currency::EUR, Currency::USD))
        );
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), Err(MoneyError::Overflow));
        assert_eq!(eur(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
        assert_eq!(
            Money::sum(Currency::EUR, [eur(1), eur(2), eur(3)]),
            Ok(eur(6))
        );
        assert_eq!(Money::sum(Currency::EUR, []), Ok(eur(0)));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let cases: &[(i128, i128, i128)] = &[
            (5, 10, 1),
            (4, 10, 0),
            (15, 10, 2),
            (25, 10, 3),
            (-5, 10, -1),
            (-4, 10, 0),
            (-25, 10, -3),
            (1, 3, 0),
            (2, 3, 1),
            (-2, 3, -1),
            (0, 7, 0),
        ];
        for (n, d, expected) in cases {
            assert_eq!(round_div(*n, *d), *expected, "{n}/{d}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn printing_then_parsing_gives_back_the_amount(minor in -10_000_000_000i64..10_000_000_000) {
                let m = eur(minor);
                prop_assert_eq!(Money::parse(&m.to_decimal_string(), Currency::EUR), Ok(m));
                prop_assert_eq!(Money::parse(&m.format(Lang::Fr), Currency::EUR), Ok(m));
                prop_assert_eq!(Money::parse_localized(&m.format(Lang::En), Currency::EUR, Lang::En), Ok(m));
            }

            #[test]
            fn round_div_is_within_half_and_symmetric(n in -1_000_000i128..1_000_000, d in 1i128..10_000) {
                let q = round_div(n, d);
                prop_assert!((q * d - n).abs() * 2 <= d);
                prop_assert_eq!(round_div(-n, d), -q);
            }
        }
    }
}
