//! E-reporting of transactions (CGI art. 290; décret n° 2022-1299 as
//! amended): the sales that do not go through the platforms as e-invoices
//! ([`Channel::ReportConsumer`], [`Channel::ReportInternational`]) are
//! reported to the tax authority through the platform, sales to consumers
//! as daily totals per VAT rate, sales to businesses abroad invoice by
//! invoice. Computed from the issued documents only, so a report always
//! equals the books; credit notes count with their negative amounts on
//! their own date.
//!
//! How often: every two months under the VAT franchise, monthly otherwise
//! (the simplified regime, which is a freelancer's usual one; a business
//! filing monthly under the normal regime reports every ten days, which
//! Acquit does not know: it does not record the VAT filing regime). The
//! payments received for services (e-reporting of payment data) are not
//! built yet.
//!
//! [`Channel::ReportConsumer`]: crate::einvoicing::Channel::ReportConsumer
//! [`Channel::ReportInternational`]: crate::einvoicing::Channel::ReportInternational

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::address::Country;
use crate::money::{Money, MoneyError};
use crate::quantity::VatRate;
use crate::tax::{Totals, VatRegime};

/// How often the transactions are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    Monthly,
    /// January–February, March–April, …
    TwoMonthly,
}

impl Frequency {
    /// The frequency of a seller under `regime`.
    pub fn of(regime: VatRegime) -> Frequency {
        match regime {
            VatRegime::Franchise => Frequency::TwoMonthly,
            VatRegime::Standard => Frequency::Monthly,
        }
    }
}

/// The days one report covers, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportPeriod {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl ReportPeriod {
    /// Reads `2027-09`: that month, or under [`Frequency::TwoMonthly`] the
    /// two months it starts (an odd month: `2027-09` is September and
    /// October).
    pub fn parse(input: &str, frequency: Frequency) -> Result<ReportPeriod, String> {
        let trimmed = input.trim();
        let bad = || format!("\"{trimmed}\" is not a period: type the month it starts, as 2027-09");
        let first =
            NaiveDate::parse_from_str(&format!("{trimmed}-01"), "%Y-%m-%d").map_err(|_| bad())?;
        if trimmed.len() != 7 {
            return Err(bad());
        }
        let months = match frequency {
            Frequency::Monthly => 1,
            Frequency::TwoMonthly => {
                if first.month() % 2 == 0 {
                    return Err(format!(
                        "under the VAT franchise a report covers two months starting with an odd one: {}-{:02} (not {trimmed})",
                        first.year(),
                        first.month() - 1
                    ));
                }
                2
            }
        };
        let next = first
            .checked_add_months(chrono::Months::new(months))
            .ok_or_else(bad)?;
        Ok(ReportPeriod {
            first,
            last: next.pred_opt().ok_or_else(bad)?,
        })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

/// Who a reported sale was to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Buyer {
    Consumer,
    /// A business established abroad, or invoiced without French VAT.
    International,
}

/// One issued document to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub number: String,
    pub date: NaiveDate,
    pub buyer: Buyer,
    /// The buyer's country, when known.
    pub country: Option<Country>,
    /// As issued (negative for a credit note).
    pub totals: Totals,
}

/// Sales to consumers on one day, at one VAT rate, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayTotal {
    pub date: NaiveDate,
    pub rate: VatRate,
    pub base: Money,
    pub vat: Money,
    /// How many documents (invoices and credit notes) it adds up.
    pub documents: u32,
}

/// One sale to a business abroad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InternationalSale {
    pub number: String,
    pub date: NaiveDate,
    pub country: Option<Country>,
    pub net: Money,
    pub vat: Money,
    pub total: Money,
}

/// What one period reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub period: ReportPeriod,
    pub frequency: Frequency,
    /// By day, then rate, then currency.
    pub consumers: Vec<DayTotal>,
    /// By date, then number.
    pub international: Vec<InternationalSale>,
}

/// The report of `period` from `sales` (those outside it are left out).
pub fn report(
    period: ReportPeriod,
    frequency: Frequency,
    sales: &[Sale],
) -> Result<Report, MoneyError> {
    let mut consumers: Vec<DayTotal> = Vec::new();
    let mut international = Vec::new();
    for sale in sales.iter().filter(|s| period.contains(s.date)) {
        match sale.buyer {
            Buyer::Consumer => {
                for row in &sale.totals.vat {
                    let same = |d: &DayTotal| {
                        d.date == sale.date
                            && d.rate == row.rate
                            && d.base.currency() == row.base.currency()
                    };
                    match consumers.iter_mut().find(|d| same(d)) {
                        Some(day) => {
                            day.base = day.base.checked_add(row.base)?;
                            day.vat = day.vat.checked_add(row.vat)?;
                            day.documents += 1;
                        }
                        None => consumers.push(DayTotal {
                            date: sale.date,
                            rate: row.rate,
                            base: row.base,
                            vat: row.vat,
                            documents: 1,
                        }),
                    }
                }
            }
            Buyer::International => international.push(InternationalSale {
                number: sale.number.clone(),
                date: sale.date,
                country: sale.country,
                net: sale.totals.net,
                vat: sale.totals.vat_total,
                total: sale.totals.total,
            }),
        }
    }
    consumers.sort_by(|a, b| {
        (a.date, a.rate.basis_points(), a.base.currency().code()).cmp(&(
            b.date,
            b.rate.basis_points(),
            b.base.currency().code(),
        ))
    });
    international.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
    Ok(Report {
        period,
        frequency,
        consumers,
        international,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_follow_the_regime() {
        let two = ReportPeriod::parse("2027-09", Frequency::TwoMonthly).unwrap();
        assert_eq!(
            (two.first, two.last),
            (day("2027-09-01"), day("2027-10-31"))
        );
        let err = ReportPeriod::parse("2027-10", Frequency::TwoMonthly).unwrap_err();
        assert!(err.contains("2027-09"), "{err}");
        let one = ReportPeriod::parse("2028-02", Frequency::Monthly).unwrap();
        assert_eq!(
            (one.first, one.last),
            (day("2028-02-01"), day("2028-02-29"))
        );
        let dec = ReportPeriod::parse("2027-11", Frequency::TwoMonthly).unwrap();
        assert_eq!(dec.last, day("2027-12-31"));
        for bad in ["2027-9", "2027-13", "september", "2027-09-01", ""] {
            assert!(
                ReportPeriod::parse(bad, Frequency::Monthly).is_err(),
                "{bad}"
            );
        }
    }
}
