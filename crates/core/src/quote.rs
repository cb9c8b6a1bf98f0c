//! Quotes (devis): their state, derived from facts, and the deposit asked
//! when one is accepted.
//!
//! A quote is issued like an invoice (its own gapless series, locked once
//! issued) with a validity date. Nobody sets its state; it follows from
//! what happened, checked in this order:
//!
//! | facts                                             | status    |
//! |---------------------------------------------------|-----------|
//! | not issued                                        | draft     |
//! | the client accepted it (by hand or on its page)   | accepted  |
//! | the client declined it                            | declined  |
//! | today is after its validity date                  | expired   |
//! | it was shared or mailed to the client             | sent      |
//! | otherwise                                         | issued    |
//!
//! A decision is final (one per quote) and must fall between the issue
//! date and the validity date, both included: an expired quote is not
//! accepted, a new one is issued.
//!
//! # The deposit
//!
//! A deposit of `p` (basis points) on an accepted quote is asked per VAT
//! rate: for each rate, base × p / 10 000 rounded half away from zero
//! (`money::round_div`), its VAT computed as on any line. The balance
//! invoice then deducts the deposit's bases and VAT amounts exactly
//! (`Totals::balance_after`), so deposit + balance = the quote, to the cent.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::round_div;
use crate::quantity::{VatRate, format_percent};
use crate::{Lang, Money, Totals};

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteStatus {
    Draft,
    Issued,
    Sent,
    Accepted,
    Declined,
    Expired,
}

impl QuoteStatus {
    pub const ALL: [QuoteStatus; 6] = [
        QuoteStatus::Draft,
        QuoteStatus::Issued,
        QuoteStatus::Sent,
        QuoteStatus::Accepted,
        QuoteStatus::Declined,
        QuoteStatus::Expired,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::Issued => "issued",
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Declined => "declined",
            QuoteStatus::Expired => "expired",
        }
    }

    /// Whether the client may still decide: issued or sent, not expired.
    pub fn awaits_decision(&self) -> bool {
        matches!(self, QuoteStatus::Issued | QuoteStatus::Sent)
    }
}

impl std::str::FromStr for QuoteStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QuoteStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = QuoteStatus::ALL.iter().map(QuoteStatus::as_str).collect();
                format!(
                    "\"{s}\" is not a quote status: use one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Who decided on the quote and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecidedVia {
    /// Recorded by the seller (`acquit quote accept`, the app).
    Hand,
    /// By the client on the quote's shared page.
    Page,
}

impl DecidedVia {
    pub fn as_str(&self) -> &'static str {
        match self {
            DecidedVia::Hand => "hand",
            DecidedVia::Page => "page",
        }
    }
}

impl std::str::FromStr for DecidedVia {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hand" => Ok(DecidedVia::Hand),
            "page" => Ok(DecidedVia::Page),
            other => Err(format!("\"{other}\" is not where a quote is decided")),
        }
    }
}

/// The client's answer to a quote: a fact, recorded once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub accepted: bool,
    pub on: NaiveDate,
    /// The name the client typed (or the seller recorded).
    pub by: String,
    pub comment: Option<String>,
    pub via: DecidedVia,
}

/// What is known of an issued quote, from which its status follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteFacts<'a> {
    pub issued: bool,
    pub valid_until: Option<NaiveDate>,
    pub sent: bool,
    pub decision: Option<&'a Decision>,
}

impl QuoteFacts<'_> {
    /// The status on `today` (see the module's table).
    pub fn status(&self, today: NaiveDate) -> QuoteStatus {
        if !self.issued {
            return QuoteStatus::Draft;
        }
        match self.decision {
            Some(d) if d.accepted => QuoteStatus::Accepted,
            Some(_) => QuoteStatus::Declined,
            None if self.valid_until.is_some_and(|until| today > until) => QuoteStatus::Expired,
            None if self.sent => QuoteStatus::Sent,
            None => QuoteStatus::Issued,
        }
    }
}

/// Why a decision cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("the quote is a draft: issue it before the client decides")]
    NotIssued,
    #[error("the client already {} this quote on {on}: a decision is final", if *.accepted { "accepted" } else { "declined" })]
    AlreadyDecided { accepted: bool, on: NaiveDate },
    #[error(
        "the quote was valid until {until}, not on {on}: issue a new quote (or give the day the client decided with --date)"
    )]
    Expired { until: NaiveDate, on: NaiveDate },
    #[error("the quote was issued on {issued}: a decision on {on} would come before it")]
    BeforeIssue { issued: NaiveDate, on: NaiveDate },
    #[error("say who decided: the client's name (--by)")]
    NoName,
}

/// Checks that a decision `on` may be recorded on a quote issued on
/// `issued` (`None`: a draft), valid until `valid_until`, with `previous`
/// already recorded, by `by`.
pub fn check_decision(
    issued: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    previous: Option<&Decision>,
    on: NaiveDate,
    by: &str,
) -> Result<(), DecisionError> {
    let issued = issued.ok_or(DecisionError::NotIssued)?;
    if let Some(d) = previous {
        return Err(DecisionError::AlreadyDecided {
            accepted: d.accepted,
            on: d.on,
        });
    }
    if on < issued {
        return Err(DecisionError::BeforeIssue { issued, on });
    }
    if let Some(until) = valid_until
        && on > until
    {
        return Err(DecisionError::Expired { until, on });
    }
    if by.trim().is_empty() {
        return Err(DecisionError::NoName);
    }
    Ok(())
}

/// A deposit percentage, in basis points (3 000 = 30 %), more than 0 and
/// less than 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DepositShare(u32);

impl DepositShare {
    /// Reads `30%`, `30 %`, `30`, `12,5 %`.
    pub fn parse(input: &str) -> Result<DepositShare, String> {
        let rate = VatRate::parse(input).map_err(|e| {
            format!(
                "\"{}\" is not a deposit percentage ({e}): write e.g. 30%",
                input.trim()
            )
        })?;
        DepositShare::from_basis_points(rate.basis_points())
    }

    pub fn from_basis_points(bp: u32) -> Result<DepositShare, String> {
        if bp == 0 || bp >= VatRate::FULL {
            return Err(format!(
                "a deposit is more than 0 % and less than 100 % of the quote, not {}: for the whole amount, invoice without --deposit",
                format_percent(bp, Lang::En)
            ));
        }
        Ok(DepositShare(bp))
    }

    pub fn basis_points(&self) -> u32 {
        self.0
    }

    pub fn format(&self, lang: Lang) -> String {
        format_percent(self.0, lang)
    }

    /// The deposit's net amount at each VAT rate of `totals`: base × share,
    /// rounded half away from zero, rates with a zero result left out.
    pub fn bases(&self, totals: &Totals) -> Vec<(VatRate, Money)> {
        totals
            .vat
            .iter()
            .map(|row| {
                let minor = round_div(
                    i128::from(row.base.minor()) * i128::from(self.0),
                    i128::from(VatRate::FULL),
                );
                let minor = i64::try_from(minor).expect("a share of an i64 fits in i64");
                (row.rate, Money::new(minor, row.base.currency()))
            })
            .filter(|(_, base)| !base.is_zero())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::{self, Discount, LineInput};
    use crate::{Currency, Quantity, VatRegime};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn decision(accepted: bool) -> Decision {
        Decision {
            accepted,
            on: day("2027-01-10"),
            by: "Léa Martin".into(),
            comment: None,
            via: DecidedVia::Hand,
        }
    }

    #[test]
    fn status_follows_the_facts_in_order() {
        let accepted = decision(true);
        let declined = decision(false);
        let until = Some(day("2027-01-31"));
        let cases = [
            // (issued, sent, decision, today, status)
            (false, false, None, "2027-01-05", QuoteStatus::Draft),
            (true, false, None, "2027-01-05", QuoteStatus::Issued),
            (true, true, None, "2027-01-05", QuoteStatus::Sent),
            (true, true, None, "2027-01-31", QuoteStatus::Sent),
            (true, true, None, "2027-02-01", QuoteStatus::Expired),
            (true, false, None, "2027-02-01", QuoteStatus::Expired),
            // A decision stays what it was after the validity date.
            (
                true,
                true,
                Some(&accepted),
                "2027-06-01",
                QuoteStatus::Accepted,
            ),
            (
                true,
                false,
                Some(&declined),
                "2027-06-01",
                QuoteStatus::Declined,
            ),
        ];
        for (issued, sent, decision, today, expected) in cases {
            let facts = QuoteFacts {
                issued,
                valid_until: until,
                sent,
                decision,
            };
            assert_eq!(
                facts.status(day(today)),
                expected,
                "{issued} {sent} {today}"
            );
        }
    }

    #[test]
    fn a_decision_falls_within_the_validity_and_is_final() {
        let issued = Some(day("2027-01-05"));
        let until = Some(day("2027-02-04"));
        assert_eq!(
            check_decision(issued, until, None, day("2027-02-04"), "Léa"),
            Ok(())
        );
        assert_eq!(
            check_decision(issued, until, None, day("2027-01-05"), "Léa"),
            Ok(())
        );
        assert_eq!(
            check_decision(issued, until, None, day("2027-02-05"), "Léa"),
            Err(DecisionError::Expired {
                until: day("2027-02-04"),
                on: day("2027-02-05")
            })
        );
        assert!(matches!(
            check_decision(issued, until, None, day("2027-01-04"), "Léa"),
            Err(DecisionError::BeforeIssue { .. })
        ));
        assert_eq!(
            check_decision(None, until, None, day("2027-01-10"), "Léa"),
            Err(DecisionError::NotIssued)
        );
        assert_eq!(
            check_decision(issued, until, None, day("2027-01-10"), "  "),
            Err(DecisionError::NoName)
        );
        let previous = decision(false);
        let refused =
            check_decision(issued, until, Some(&previous), day("2027-01-11"), "Léa").unwrap_err();
        assert!(
            refused.to_string().contains("already declined"),
            "{refused}"
        );
    }

    #[test]
    fn deposit_shares_parse_within_bounds() {
        assert_eq!(DepositShare::parse("30%").unwrap().basis_points(), 3000);
        assert_eq!(DepositShare::parse("12,5 %").unwrap().basis_points(), 1250);
        for bad in ["0", "100%", "150", "abc", "-5"] {
            assert!(DepositShare::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            DepositShare::parse("30").unwrap().format(Lang::Fr),
            "30\u{a0}%"
        );
    }

    /// 30 % of a quote at two rates, rounded per rate: 30 % of 333,33 is
    /// 99,999 → 100,00; of 0,05 is 0,015 → 0,02 (half away from zero).
    /// Deposit + balance = the quote, base, VAT and total, to the cent.
    #[test]
    fn a_deposit_and_its_balance_add_up_to_the_quote() {
        let eur = Currency::from_code("EUR").unwrap();
        let line = |price: i64, bp: u32| LineInput {
            quantity: Quantity::ONE,
            unit_price: Money::new(price, eur),
            vat_rate: VatRate::from_basis_points(bp).unwrap(),
            discount: Discount::None,
        };
        let quote = tax::compute(
            &[line(33_333, 2000), line(5, 550)],
            eur,
            VatRegime::Standard,
        )
        .unwrap();
        let share = DepositShare::parse("30%").unwrap();
        let bases = share.bases(&quote);
        assert_eq!(
            bases
                .iter()
                .map(|(r, b)| (r.basis_points(), b.minor()))
                .collect::<Vec<_>>(),
            vec![(550, 2), (2000, 10_000)]
        );
        let deposit_lines: Vec<LineInput> = bases
            .iter()
            .map(|(r, b)| line(b.minor(), r.basis_points()))
            .collect();
        let deposit = tax::compute(&deposit_lines, eur, VatRegime::Standard).unwrap();
        let balance = quote.balance_after(std::slice::from_ref(&deposit)).unwrap();
        assert_eq!(
            deposit.total.minor() + balance.total.minor(),
            quote.total.minor()
        );
        assert_eq!(
            deposit.vat_total.minor() + balance.vat_total.minor(),
            quote.vat_total.minor()
        );
        assert_eq!(deposit.net.minor() + balance.net.minor(), quote.net.minor());
    }
}
