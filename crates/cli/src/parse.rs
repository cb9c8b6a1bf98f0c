//! Reading what people type on the command line into domain values.
//!
//! Each function refuses bad input with a [`CliError::Rejected`] whose
//! message names the value and says what to write instead. The rules of the
//! values themselves (decimal separators, checksums) are the core's; this
//! module only adds which flag a value came from where the core's message
//! does not already say what it is.

use acquit_core::decimal::{self, Grouping};
use acquit_core::{Address, Country, Currency, Discount, Money, Quantity, VatRate};
use chrono::{Datelike as _, NaiveDate};

use crate::CliError;

/// An amount in `currency`: `1234.56`, `1 234,56`, `12,50 €`.
pub fn amount(input: &str, currency: Currency) -> Result<Money, CliError> {
    Money::parse(input, currency).map_err(CliError::rejected)
}

/// What can be checked of an amount given to `flag` before its currency is
/// known (it is the invoice's, read from the database): that a plain number
/// is a number, and more than zero. Amounts with a currency mark (`12 €`,
/// `USD 5`) are left to [`amount_in`], which knows the currency.
pub fn amount_shape(input: &str, flag: &str) -> Result<(), CliError> {
    let plain = input.chars().all(|c| {
        c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\u{a0}' | '\u{202f}' | '-' | '+' | '−')
    });
    if !plain {
        return Ok(());
    }
    // 3 decimals: the most any currency has (BHD, KWD); the exact limit is
    // the currency's, checked by `amount_in`.
    match decimal::parse_scaled(input, 3, Grouping::Spaces) {
        Ok(scaled) if scaled <= 0 => Err(not_positive(input, flag)),
        Ok(_) | Err(decimal::DecimalError::TooManyDecimals { .. }) => Ok(()),
        Err(reason) => Err(CliError::rejected(format!(
            "{flag} \"{}\" is not an amount: {reason}",
            input.trim()
        ))),
    }
}

/// An amount more than zero given to `flag`, in `currency`.
pub fn amount_in(input: &str, currency: Currency, flag: &str) -> Result<Money, CliError> {
    let money =
        Money::parse(input, currency).map_err(|e| CliError::rejected(format!("{flag}: {e}")))?;
    if !money.is_positive() {
        return Err(not_positive(input, flag));
    }
    Ok(money)
}

fn not_positive(input: &str, flag: &str) -> CliError {
    CliError::rejected(format!(
        "{flag} \"{}\" is not more than zero: give the amount received or credited, e.g. 120.50",
        input.trim()
    ))
}

/// The id of a payment, as `acquit payment list` shows it.
pub fn payment_id(input: &str) -> Result<i64, CliError> {
    input
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            CliError::rejected(format!(
                "\"{}\" is not a payment id: give the number `acquit payment list NUMBER` shows",
                input.trim()
            ))
        })
}

/// `--from` and `--to`, inclusive, the first not after the second.
pub fn date_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), CliError> {
    let from = from.map(|d| date(d, "--from")).transpose()?;
    let to = to.map(|d| date(d, "--to")).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(CliError::rejected(format!(
            "--from {f} is after --to {t}: swap them"
        )));
    }
    Ok((from, to))
}

pub fn quantity(input: &str) -> Result<Quantity, CliError> {
    Quantity::parse(input).map_err(CliError::rejected)
}

pub fn vat_rate(input: &str) -> Result<VatRate, CliError> {
    VatRate::parse(input).map_err(|e| CliError::rejected(format!("--vat: {e}")))
}

/// `--client ID`: a client's id as `acquit client list` shows it.
pub fn client_id(input: &str) -> Result<acquit_store::ClientId, CliError> {
    input
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(acquit_store::ClientId)
        .ok_or_else(|| {
            CliError::rejected(format!(
                "--client \"{}\" is not a client id: give the number `acquit client list` shows",
                input.trim()
            ))
        })
}

pub fn currency(input: &str) -> Result<Currency, CliError> {
    Currency::from_code(input).map_err(CliError::rejected)
}

/// A `YYYY-MM-DD` date given to `flag`.
pub fn date(input: &str, flag: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
        .ok()
        // A four-digit year: chrono also reads `+262142-12-31`, its last
        // day, and the due date 30 days after it panicked (issue 19).
        .filter(|d| (0..=9999).contains(&d.year()))
        .ok_or_else(|| {
            CliError::rejected(format!(
                "{flag} \"{}\" is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23",
                input.trim()
            ))
        })
}

/// The date of issue `--date` gives, else today: never after today
/// (`acquit_core::numbering::check_issue_date`).
pub fn issue_date(given: Option<&str>) -> Result<NaiveDate, CliError> {
    let today = acquit_store::today();
    let Some(given) = given else {
        return Ok(today);
    };
    let date = date(given, "--date")?;
    acquit_core::numbering::check_issue_date(date, today)
        .map_err(|e| CliError::rejected(format!("--date {e}")))?;
    Ok(date)
}

/// A percentage from 0 to 100, with or without `%` (`10`, `10 %`, `2,5%`),
/// in basis points (10 % is 1000).
pub fn percent(input: &str, flag: &str) -> Result<u32, CliError> {
    let trimmed = input.trim();
    let number = trimmed.strip_suffix('%').unwrap_or(trimmed);
    let scaled = decimal::parse_scaled(number, 2, Grouping::Spaces).map_err(|reason| {
        CliError::rejected(format!(
            "{flag} \"{trimmed}\" is not a percentage: {reason} (write e.g. 10% or 2.5%)"
        ))
    })?;
    u32::try_from(scaled)
        .ok()
        .filter(|bp| *bp <= VatRate::FULL)
        .ok_or_else(|| {
            CliError::rejected(format!(
                "{flag} \"{trimmed}\" is not between 0 and 100 %: write e.g. 10%"
            ))
        })
}

/// A whole number of days given to `flag`.
pub fn days(input: &str, flag: &str) -> Result<u32, CliError> {
    input.trim().parse().map_err(|_| {
        CliError::rejected(format!(
            "{flag} \"{}\" is not a number of days: write a whole number, e.g. 30",
            input.trim()
        ))
    })
}

/// A line's discount: a percentage of the line (`10%`) or an amount in the
/// invoice's currency (`50`, `49,90`).
pub fn discount(input: &str, currency: Currency) -> Result<Discount, CliError> {
    if input.trim().ends_with('%') {
        return Ok(Discount::Percent(percent(input, "--discount")?));
    }
    let money = Money::parse(input, currency)
        .map_err(|e| CliError::rejected(format!("--discount: {e} (or write a percentage: 10%)")))?;
    if money.is_negative() {
        return Err(CliError::rejected(format!(
            "--discount \"{}\" is negative: a discount is taken off the line; to charge more, raise the unit price",
            input.trim()
        )));
    }
    Ok(Discount::Amount(money.minor()))
}

/// A validated identifier (IBAN, SIREN, email…): the core's error already
/// names the kind of identifier and what to check.
pub fn id<T, E: std::fmt::Display>(
    input: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, CliError> {
    input.map(parse).transpose().map_err(CliError::rejected)
}

/// The address flags of `company set` and `client add|edit`.
#[derive(Debug, clap::Args)]
pub struct AddressArgs {
    /// A street line of the address (repeat for several lines)
    #[arg(long, value_name = "LINE")]
    street: Vec<String>,
    #[arg(long, value_name = "CODE")]
    postcode: Option<String>,
    #[arg(long, value_name = "CITY")]
    city: Option<String>,
    /// ISO 3166-1 code of the country: FR, BE, DE, GB… [default: FR]
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// Shorthand for a French address on one line: "12 rue des Lilas,
    /// 75011 Paris" ("" clears the address)
    #[arg(long, value_name = "ADDRESS")]
    address: Option<String>,
}

impl AddressArgs {
    pub fn parts(&self) -> AddressParts<'_> {
        AddressParts {
            street: &self.street,
            postcode: self.postcode.as_deref(),
            city: self.city.as_deref(),
            country: self.country.as_deref(),
            shorthand: self.address.as_deref(),
            prefix: "",
        }
    }
}

/// Where goods are delivered or the service performed, when it is not the
/// billing address.
#[derive(Debug, clap::Args)]
pub struct DeliveryArgs {
    /// A street line of the delivery address (repeat for several lines)
    #[arg(long, value_name = "LINE")]
    delivery_street: Vec<String>,
    #[arg(long, value_name = "CODE")]
    delivery_postcode: Option<String>,
    #[arg(long, value_name = "CITY")]
    delivery_city: Option<String>,
    /// ISO 3166-1 code of the delivery country [default: FR]
    #[arg(long, value_name = "CC")]
    delivery_country: Option<String>,
    /// Shorthand for a French delivery address on one line ("" clears it)
    #[arg(long, value_name = "ADDRESS")]
    delivery_address: Option<String>,
}

impl DeliveryArgs {
    pub fn parts(&self) -> AddressParts<'_> {
        AddressParts {
            street: &self.delivery_street,
            postcode: self.delivery_postcode.as_deref(),
            city: self.delivery_city.as_deref(),
            country: self.delivery_country.as_deref(),
            shorthand: self.delivery_address.as_deref(),
            prefix: "delivery-",
        }
    }
}

/// The parts of an address as typed: `--street` (repeated), `--postcode`,
/// `--city`, `--country`, or the `--address` shorthand (a French address
/// on one line, "12 rue des Lilas, 75011 Paris"; lines may also be
/// separated by a typed `\n`, since shells make real new lines awkward).
#[derive(Debug, Default)]
pub struct AddressParts<'a> {
    pub street: &'a [String],
    pub postcode: Option<&'a str>,
    pub city: Option<&'a str>,
    pub country: Option<&'a str>,
    pub shorthand: Option<&'a str>,
    /// The flags' prefix in messages: "" or "delivery-".
    pub prefix: &'a str,
}

impl AddressParts<'_> {
    fn any(&self) -> bool {
        !self.street.is_empty()
            || self.postcode.is_some()
            || self.city.is_some()
            || self.country.is_some()
    }

    /// The address these parts give on top of `before` (the fields not
    /// given are kept): `None` when no part was given, `Some(None)` for an
    /// empty `--address ""` (cleared).
    pub fn apply(&self, before: Option<&Address>) -> Result<Option<Option<Address>>, CliError> {
        let p = self.prefix;
        if let Some(text) = self.shorthand {
            if self.any() {
                return Err(CliError::rejected(format!(
                    "give the address either with --{p}address or with --{p}street, --{p}postcode, --{p}city and --{p}country, not both"
                )));
            }
            let text = text.replace("\\n", "\n");
            if text.trim().is_empty() {
                return Ok(Some(None));
            }
            return Address::parse_french(&text)
                .map(|a| Some(Some(a)))
                .map_err(|e| CliError::rejected(format!("--{p}address: {e}")));
        }
        if !self.any() {
            return Ok(None);
        }
        let before = before.cloned().unwrap_or_default();
        let lines = if self.street.is_empty() {
            before.lines
        } else {
            self.street.to_vec()
        };
        let keep = |given: Option<&str>, old: Option<String>| match given {
            Some(v) => Some(v.to_owned()),
            None => old,
        };
        let country = match self.country {
            Some(code) => Country::parse(code)
                .map_err(|e| CliError::rejected(format!("--{p}country: {e}")))?,
            None => before.country.unwrap_or(Country::FR),
        };
        Address::new(
            lines,
            keep(self.postcode, before.postcode),
            keep(self.city, before.city),
            country,
        )
        .map(|a| Some(Some(a)))
        .map_err(|e| CliError::rejected(e.to_string().replace("--", &format!("--{p}"))))
    }
}

/// A rate or percentage in basis points as a plain decimal: `20`, `5.5`.
pub fn basis_points_string(bp: u32) -> String {
    decimal::format_scaled(i128::from(bp), 2, '.', None, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, CliError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn discounts_are_a_percentage_or_an_amount() {
        let eur = Currency::EUR;
        assert_eq!(discount("10%", eur).unwrap(), Discount::Percent(1000));
        assert_eq!(discount(" 2,5 %", eur).unwrap(), Discount::Percent(250));
        assert_eq!(discount("49,90", eur).unwrap(), Discount::Amount(4990));
        assert!(message(discount("150%", eur)).contains("between 0 and 100"));
        assert!(message(discount("-5", eur)).contains("negative"));
        assert!(message(discount("12,34,5", eur)).contains("more than one decimal separator"));
    }

    #[test]
    fn amounts_are_checked_before_their_currency_is_known() {
        assert!(amount_shape("120,50", "--amount").is_ok());
        assert!(
            amount_shape("1 234.567", "--amount").is_ok(),
            "3 decimals: KWD"
        );
        assert!(
            amount_shape("12 €", "--amount").is_ok(),
            "left to amount_in"
        );
        assert!(message(amount_shape("12,34,5", "--amount")).contains("more than one decimal"));
        assert!(message(amount_shape("0", "--amount")).contains("not more than zero"));
        assert!(message(amount_shape("-5", "--amount")).starts_with("--amount \"-5\""));
        assert_eq!(
            amount_in("12,5", Currency::EUR, "--amount").unwrap(),
            Money::new(1250, Currency::EUR)
        );
        assert!(
            message(amount_in("1.234", Currency::EUR, "--amount")).contains("too many decimals")
        );
        assert!(
            message(amount_in("0,00 €", Currency::EUR, "--amount")).contains("not more than zero")
        );
    }

    #[test]
    fn payment_ids_and_date_ranges() {
        assert_eq!(payment_id(" 12 ").unwrap(), 12);
        assert_eq!(payment_id("#3").unwrap(), 3);
        assert!(message(payment_id("0")).contains("not a payment id"));
        assert!(message(payment_id("F-2026-0001")).contains("not a payment id"));
        assert!(date_range(Some("2026-01-01"), Some("2026-01-01")).is_ok());
        assert!(message(date_range(Some("2026-02-01"), Some("2026-01-31"))).contains("swap them"));
        assert!(message(date_range(None, Some("31/01/2026"))).starts_with("--to"));
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(
            date("2026-11-23", "--date").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert!(message(date("23/11/2026", "--date")).contains("YYYY-MM-DD"));
        assert!(message(date("2026-02-30", "--due")).starts_with("--due"));
    }

    #[test]
    fn addresses_are_given_by_parts_or_as_a_french_shorthand() {
        let shorthand = |text| AddressParts {
            shorthand: Some(text),
            ..AddressParts::default()
        };
        let typed = shorthand("12 rue des Lilas\\n 75011 Paris\n")
            .apply(None)
            .unwrap();
        let typed = typed.flatten().unwrap();
        assert_eq!(
            (
                typed.lines.as_slice(),
                typed.postcode.as_deref(),
                typed.city.as_deref()
            ),
            (
                &["12 rue des Lilas".to_owned()][..],
                Some("75011"),
                Some("Paris")
            )
        );
        assert_eq!(shorthand(" ").apply(None).unwrap(), Some(None), "cleared");
        assert!(message(shorthand("Lyon").apply(None)).contains("--street"));

        // Parts given on top of an address keep the others.
        let street = ["1 Canada Square".to_owned()];
        let parts = AddressParts {
            street: &street,
            postcode: Some("E14 5AB"),
            city: Some("London"),
            country: Some("gb"),
            ..AddressParts::default()
        };
        let london = parts.apply(Some(&typed)).unwrap().flatten().unwrap();
        assert_eq!(london.country, Country::parse("GB").ok());
        let moved = AddressParts {
            city: Some("Croydon"),
            ..AddressParts::default()
        };
        let moved = moved.apply(Some(&london)).unwrap().flatten().unwrap();
        assert_eq!(
            (moved.lines, moved.city.as_deref()),
            (london.lines.clone(), Some("Croydon"))
        );
        let bad = AddressParts {
            country: Some("UK"),
            prefix: "delivery-",
            ..AddressParts::default()
        };
        assert!(message(bad.apply(Some(&london))).starts_with("--delivery-country"));
        assert_eq!(AddressParts::default().apply(Some(&london)).unwrap(), None);
    }

    #[test]
    fn rates_print_without_trailing_zeros() {
        assert_eq!(basis_points_string(2000), "20");
        assert_eq!(basis_points_string(550), "5.5");
        assert_eq!(basis_points_string(0), "0");
    }
}
