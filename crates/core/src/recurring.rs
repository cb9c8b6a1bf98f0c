//! Recurring invoices: when each period of a schedule falls.
//!
//! A schedule repeats every N weeks or N months from its start date. Its
//! periods are numbered from 0 (the start); period k's date is the start
//! plus k·N weeks, or for months the start's month plus k·N months on the
//! schedule's day of the month, the month's last day when it is shorter
//! (a schedule on the 31st bills on 28 or 29 February, then 31 March). The
//! day defaults to the start's. A schedule ends after a date or a count of
//! periods, or never. The period number is what the books key each
//! generated invoice on: the same period is never billed twice.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The unit of a schedule's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Week,
    Month,
}

/// Every `n` weeks or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Every {
    pub n: u32,
    pub unit: Unit,
}

impl Every {
    /// The longest step: three years.
    pub const MAX_MONTHS: u32 = 36;
    pub const MAX_WEEKS: u32 = 156;

    /// Reads `1m`, `3m`, `2w`, `1y` (twelve months).
    pub fn parse(input: &str) -> Result<Every, String> {
        let s = input.trim().to_ascii_lowercase();
        let bad = || {
            format!(
                "\"{}\" is not a period: type a number and w (weeks), m (months) or y (years), as 1m, 2w, 3m",
                input.trim()
            )
        };
        // The unit is the last character, whatever its width (found by the
        // fuzzer: a byte split panicked on "1ʺ").
        let unit = s.chars().last().ok_or_else(bad)?;
        let digits = &s[..s.len() - unit.len_utf8()];
        let n: u32 = digits.parse().map_err(|_| bad())?;
        let every = match unit.to_string().as_str() {
            "w" => Every {
                n,
                unit: Unit::Week,
            },
            "m" => Every {
                n,
                unit: Unit::Month,
            },
            "y" => Every {
                n: n.saturating_mul(12),
                unit: Unit::Month,
            },
            _ => return Err(bad()),
        };
        let max = match every.unit {
            Unit::Week => Self::MAX_WEEKS,
            Unit::Month => Self::MAX_MONTHS,
        };
        if every.n == 0 || every.n > max {
            return Err(format!(
                "\"{}\" is out of reach: between 1 and {max} {}",
                input.trim(),
                match every.unit {
                    Unit::Week => "weeks",
                    Unit::Month => "months",
                }
            ));
        }
        Ok(every)
    }
}

impl std::fmt::Display for Every {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.unit {
            Unit::Week => write!(f, "{}w", self.n),
            Unit::Month => write!(f, "{}m", self.n),
        }
    }
}

/// When a schedule stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum End {
    Never,
    /// No period after this day.
    Until(NaiveDate),
    /// This many periods in all.
    Count(u32),
}

/// A schedule's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub every: Every,
    /// For months: the day of the month (1–31, the month's last day when
    /// shorter); `None`: the start's day.
    pub day: Option<u32>,
    pub start: NaiveDate,
    pub end: End,
}

impl Rule {
    /// Checks the rule as typed: a day only for months, within 1–31; an end
    /// after the start; a count of at least one.
    pub fn new(every: Every, day: Option<u32>, start: NaiveDate, end: End) -> Result<Rule, String> {
        if let Some(d) = day {
            if every.unit == Unit::Week {
                return Err(
                    "--day is for monthly schedules: a weekly one repeats on the start's weekday"
                        .into(),
                );
            }
            if !(1..=31).contains(&d) {
                return Err(format!(
                    "day {d} is not a day of the month: type 1 to 31 (31: the last day)"
                ));
            }
        }
        match end {
            End::Until(until) if until < start => {
                return Err(format!(
                    "the schedule ends on {until}, before it starts on {start}"
                ));
            }
            End::Count(0) => {
                return Err("a schedule of 0 invoices bills nothing: --count 1 or more".into());
            }
            _ => {}
        }
        Ok(Rule {
            every,
            day,
            start,
            end,
        })
    }

    /// The date of period `k` (0: the first), `None` once the schedule has
    /// ended (or beyond the calendar).
    pub fn date_of(&self, k: u32) -> Option<NaiveDate> {
        if let End::Count(count) = self.end
            && k >= count
        {
            return None;
        }
        let date = match self.every.unit {
            Unit::Week => self.start.checked_add_days(chrono::Days::new(
                u64::from(k) * 7 * u64::from(self.every.n),
            ))?,
            Unit::Month => {
                let first = self.start.with_day(1)?;
                let month = first.checked_add_months(Months::new(k.checked_mul(self.every.n)?))?;
                let last = last_day(month)?;
                let day = if k == 0 && self.day.is_none() {
                    self.start.day()
                } else {
                    self.day.unwrap_or(self.start.day())
                };
                month.with_day(day.min(last))?
            }
        };
        // A monthly schedule on a day earlier than its start's: the first
        // period is the start itself, never a day before it.
        let date = date.max(self.start);
        match self.end {
            End::Until(until) if date > until => None,
            _ => Some(date),
        }
    }

    /// The periods from `from` (a period number) dated on or before
    /// `until`, in order.
    pub fn periods_through(&self, from: u32, until: NaiveDate) -> Vec<(u32, NaiveDate)> {
        let mut out = Vec::new();
        let mut k = from;
        while let Some(date) = self.date_of(k) {
            if date > until {
                break;
            }
            out.push((k, date));
            k = match k.checked_add(1) {
                Some(next) => next,
                None => break,
            };
        }
        out
    }

    /// The first period dated after `after`, if the schedule goes on.
    pub fn next_after(&self, after: NaiveDate) -> Option<(u32, NaiveDate)> {
        let mut k = 0u32;
        loop {
            let date = self.date_of(k)?;
            if date > after {
                return Some((k, date));
            }
            k = k.checked_add(1)?;
        }
    }
}

fn last_day(first_of_month: NaiveDate) -> Option<u32> {
    let next = first_of_month.checked_add_months(Months::new(1))?;
    Some(next.pred_opt()?.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dates(rule: &Rule, n: u32) -> Vec<String> {
        (0..n)
            .filter_map(|k| rule.date_of(k))
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn monthly_from_the_31st_falls_on_each_months_last_day() {
        let rule = Rule::new(
            Every::parse("1m").unwrap(),
            None,
            day("2027-01-31"),
            End::Never,
        )
        .unwrap();
        assert_eq!(
            dates(&rule, 6),
            [
                "2027-01-31",
                "2027-02-28",
                "2027-03-31",
                "2027-04-30",
                "2027-05-31",
                "2027-06-30"
            ]
        );
        // A leap year's February.
        let leap = Rule::new(
            Every::parse("1m").unwrap(),
            Some(31),
            day("2028-01-31"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&leap, 2), ["2028-01-31", "2028-02-29"]);
    }

    #[test]
    fn quarterly_on_a_given_day_weekly_and_yearly() {
        let q = Rule::new(
            Every::parse("3m").unwrap(),
            Some(5),
            day("2027-01-05"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&q, 3), ["2027-01-05", "2027-04-05", "2027-07-05"]);
        let w = Rule::new(
            Every::parse("2w").unwrap(),
            None,
            day("2027-01-04"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&w, 3), ["2027-01-04", "2027-01-18", "2027-02-01"]);
        let y = Rule::new(
            Every::parse("1y").unwrap(),
            None,
            day("2028-02-29"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&y, 2), ["2028-02-29", "2029-02-28"]);
        // A day before the start's: the first period is the start itself.
        let early = Rule::new(
            Every::parse("1m").unwrap(),
            Some(1),
            day("2027-01-15"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&early, 3), ["2027-01-15", "2027-02-01", "2027-03-01"]);
    }

    #[test]
    fn a_schedule_ends_after_a_count_or_a_date() {
        let every = Every::parse("1m").unwrap();
        let count = Rule::new(every, None, day("2027-01-10"), End::Count(2)).unwrap();
        assert_eq!(dates(&count, 5), ["2027-01-10", "2027-02-10"]);
        let until = Rule::new(
            every,
            None,
            day("2027-01-10"),
            End::Until(day("2027-03-09")),
        )
        .unwrap();
        assert_eq!(dates(&until, 5), ["2027-01-10", "2027-02-10"]);
        assert_eq!(until.next_after(day("2027-02-10")), None);
        assert_eq!(
            count.periods_through(1, day("2030-01-01")),
            [(1, day("2027-02-10"))]
        );
    }

    #[test]
    fn what_is_refused_says_what_to_type() {
        assert!(Every::parse("0m").unwrap_err().contains("between 1 and 36"));
        assert!(Every::parse("2x").unwrap_err().contains("1m, 2w, 3m"));
        assert!(Every::parse("m").is_err());
        // A last character wider than a byte is a wrong unit, not a panic.
        assert!(Every::parse("1ʺ").unwrap_err().contains("1m, 2w, 3m"));
        assert!(Every::parse("").is_err());
        let w = Every::parse("1w").unwrap();
        assert!(
            Rule::new(w, Some(3), day("2027-01-01"), End::Never)
                .unwrap_err()
                .contains("monthly")
        );
        let m = Every::parse("1m").unwrap();
        assert!(Rule::new(m, Some(32), day("2027-01-01"), End::Never).is_err());
        assert!(Rule::new(m, None, day("2027-01-01"), End::Until(day("2026-12-31"))).is_err());
        assert!(Rule::new(m, None, day("2027-01-01"), End::Count(0)).is_err());
        assert_eq!(Every::parse(" 2W ").unwrap().to_string(), "2w");
    }
}
