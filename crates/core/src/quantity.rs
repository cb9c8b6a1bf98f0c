//! Quantities (exact, three decimals: 1.5 days, 0.25 h, 12 pieces) and VAT
//! rates (basis points: 20 % is 2000, 5.5 % is 550).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Lang;
use crate::decimal::{self, DecimalError, Grouping};

/// A non-negative quantity in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(i64);

/// A VAT rate in basis points (hundredths of a percent), 0 to 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("\"{input}\" is not a quantity: {reason}")]
    Malformed { input: String, reason: DecimalError },
    #[error(
        "\"{0}\" is negative: a quantity is zero or more (to take something back, issue a credit note)"
    )]
    Negative(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("\"{input}\" is not a rate: {reason} (write 20, 20 %, 5.5 or 5,5 %)")]
    Malformed { input: String, reason: DecimalError },
    #[error("\"{0}\" is not between 0 and 100 %")]
    OutOfRange(String),
}

impl Quantity {
    pub const ONE: Quantity = Quantity(1000);
    /// Thousandths per unit.
    pub const SCALE: i64 = 1000;

    /// `thousandths` must be zero or more.
    pub fn from_thousandths(thousandths: i64) -> Result<Quantity, QuantityError> {
        if thousandths < 0 {
            return Err(QuantityError::Negative(
                Quantity(thousandths.abs()).to_string(),
            ));
        }
        Ok(Quantity(thousandths))
    }

    pub fn units(units: i64) -> Quantity {
        assert!(units >= 0, "negative quantity");
        Quantity(units * Self::SCALE)
    }

    pub fn thousandths(&self) -> i64 {
        self.0
    }

    /// Reads `1.5`, `1,5`, `12`, `0.125`.
    pub fn parse(input: &str) -> Result<Quantity, QuantityError> {
        let scaled = decimal::parse_scaled(input, 3, Grouping::Spaces).map_err(|reason| {
            QuantityError::Malformed {
                input: input.trim().to_owned(),
                reason,
            }
        })?;
        if scaled < 0 {
            return Err(QuantityError::Negative(input.trim().to_owned()));
        }
        Ok(Quantity(
            i64::try_from(scaled).expect("bounded by parse_scaled"),
        ))
    }

    /// `1,5` in French, `1.5` in English; no trailing zeros.
    pub fn format(&self, lang: Lang) -> String {
        decimal::format_scaled(i128::from(self.0), 3, lang.decimal_point(), None, true)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Lang::En))
    }
}

impl VatRate {
    pub const ZERO: VatRate = VatRate(0);
    /// Basis points per percent.
    pub const PER_PERCENT: u32 = 100;
    /// 100 % in basis points.
    pub const FULL: u32 = 10_000;

    pub fn from_basis_points(bp: u32) -> Result<VatRate, RateError> {
        if bp > Self::FULL {
            return Err(RateError::OutOfRange(format!("{bp} bp")));
        }
        Ok(VatRate(bp))
    }

    pub fn basis_points(&self) -> u32 {
        self.0
    }

    /// Reads `20`, `20%`, `20 %`, `5.5`, `5,5 %`, `2.1`.
    pub fn parse(input: &str) -> Result<VatRate, RateError> {
        let trimmed = input.trim();
        let number = trimmed.strip_suffix('%').unwrap_or(trimmed);
        let scaled = decimal::parse_scaled(number, 2, Grouping::Spaces).map_err(|reason| {
            RateError::Malformed {
                input: trimmed.to_owned(),
                reason,
            }
        })?;
        u32::try_from(scaled)
            .ok()
            .filter(|bp| *bp <= Self::FULL)
            .map(VatRate)
            .ok_or_else(|| RateError::OutOfRange(trimmed.to_owned()))
    }

    /// `20`, `5.5`: the plain decimal e-invoices and statuses carry.
    pub fn to_decimal_string(&self) -> String {
        decimal::format_scaled(i128::from(self.0), 2, '.', None, true)
    }

    /// `5,5 %` in French (no-break space), `5.5%` in English.
    pub fn format(&self, lang: Lang) -> String {
        format_percent(self.0, lang)
    }
}

/// A rate in basis points as `lang` writes it: `20 %` (a no-break space in
/// French), `7.86%`. VAT rates and late-payment rates alike.
pub fn format_percent(bp: u32, lang: Lang) -> String {
    let number = decimal::format_scaled(i128::from(bp), 2, lang.decimal_point(), None, true);
    match lang {
        Lang::Fr => format!("{number}\u{a0}%"),
        Lang::En => format!("{number}%"),
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for (input, thousandths) in [
            ("1", 1000),
            ("1.5", 1500),
            ("1,5", 1500),
            ("0.125", 125),
            ("0", 0),
        ] {
            assert_eq!(
                Quantity::parse(input).unwrap().thousandths(),
                thousandths,
                "{input}"
            );
        }
        assert_eq!(Quantity::parse("1.5").unwrap().format(Lang::Fr), "1,5");
        assert_eq!(Quantity::parse("12").unwrap().format(Lang::En), "12");
        let negative = Quantity::parse("-2").unwrap_err();
        assert!(matches!(negative, QuantityError::Negative(_)), "{negative}");
        assert!(negative.to_string().contains("credit note"));
        assert!(matches!(
            Quantity::parse("1.2345"),
            Err(QuantityError::Malformed {
                reason: DecimalError::TooManyDecimals { found: 4, max: 3 },
                ..
            })
        ));
    }

    #[test]
    fn rates() {
        for (input, bp) in [
            ("20", 2000),
            ("20%", 2000),
            ("20 %", 2000),
            ("5,5 %", 550),
            ("2.1", 210),
            ("0", 0),
            ("100", 10_000),
        ] {
            assert_eq!(VatRate::parse(input).unwrap().basis_points(), bp, "{input}");
        }
        assert_eq!(
            VatRate::parse("5.5").unwrap().format(Lang::Fr),
            "5,5\u{a0}%"
        );
        assert_eq!(VatRate::parse("20").unwrap().format(Lang::En), "20%");
        assert!(matches!(
            VatRate::parse("120"),
            Err(RateError::OutOfRange(_))
        ));
        assert!(matches!(
            VatRate::parse("-5"),
            Err(RateError::OutOfRange(_))
        ));
        assert!(matches!(
            VatRate::parse("5.55.5"),
            Err(RateError::Malformed { .. })
        ));
        assert!(matches!(
            VatRate::parse("5.555"),
            Err(RateError::Malformed { .. })
        ));
    }
}
