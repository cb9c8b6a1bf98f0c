//! Reminding a client of an unpaid invoice, and what the lateness costs.
//!
//! # The schedule
//! A reminder schedule is a list of days counted from the due date: `-3`
//! is three days before it, `7` a week after. On a given day the step due
//! for an invoice is the latest one reached, unless a reminder was already
//! sent at that step or a later one (a laptop off for a month sends one
//! reminder, the latest, not four). Steps dated on or before the issue day
//! are skipped. The tone rises with the steps: a courtesy note before the
//! due date, then a reminder, firmer ones, and a final notice; never firm
//! before a first reminder after the due date was actually sent.
//!
//! # Late-payment penalties (Code de commerce art. L441-10 and D441-5)
//! ```text
//! penalties = Σ over each day late d of  outstanding(d) × rate(d) / 365
//! ```
//! - **Days late**: every day after the due date up to and including the
//!   day of reckoning. A payment made ten days after the due date is ten
//!   days late (the administration's formula: amount × rate × days / 365,
//!   a year of 365 days, leap years included).
//! - **outstanding(d)**: what was still owed on day d: the total minus the
//!   payments, refunds and credit notes dated *before* d (never below
//!   zero). A partial payment stops the interest on what it paid from its
//!   day on.
//! - **rate(d)**: the invoice's annual rate. For a business client it is
//!   at least three times the legal interest rate in force on day d (L441-10
//!   II: a lower rate in the terms is void), using the rate "for all other
//!   cases", that of a creditor acting for its business ([`LEGAL_RATES`]).
//!   A consumer owes the invoice's rate.
//! - **Rounding**: the sum is exact (integers), then rounded once, half
//!   away from zero, to the currency's minor unit ([`crate::money::round_div`]).
//! - **The 40 € indemnity** for recovery costs (D441-5) is due once per
//!   invoice by a business client from its first day late, in euros
//!   whatever the invoice's currency; never by a consumer.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::Currency;
use crate::money::{Money, MoneyError, round_div};

/// The legal interest rate for a creditor acting for its business ("pour
/// tous les autres cas", Code monétaire et financier L313-2 and D313-1-A),
/// in basis points a year, by the first day of the half-year it applies to
/// (year, month). Published by ministerial order each June and December;
/// a half-year missing here is taken at the latest rate known, and said so
/// ([`LateCharges::legal_rate_assumed`]).
pub const LEGAL_RATES: &[(i32, u32, u32)] = &[
    (2023, 1, 206), // arrêté du 22 décembre 2022
    (2023, 7, 422), // arrêté du 27 juin 2023
    (2024, 1, 507), // arrêté du 21 décembre 2023
    (2024, 7, 492), // arrêté du 26 juin 2024
    (2025, 1, 371), // arrêté du 17 décembre 2024
    (2025, 7, 276), // arrêté du 19 juin 2025
    (2026, 1, 262), // arrêté du 15 décembre 2025
];

/// The fixed indemnity for recovery costs owed by a late business client.
pub const RECOVERY_INDEMNITY: Money = Money::new(4000, Currency::EUR);

/// Days in the year of the penalty formula.
const YEAR_DAYS: i128 = 365;

/// The legal rate in force on `day`, and whether the table knows that
/// half-year (else the nearest rate it has).
pub fn legal_rate_on(day: NaiveDate) -> (u32, bool) {
    let half = (day.year(), if day.month() >= 7 { 7 } else { 1 });
    let mut found = None;
    for &(year, month, bp) in LEGAL_RATES {
        if (year, month) <= half {
            found = Some(((year, month) == half, bp));
        }
    }
    match found {
        Some((exact, bp)) => (bp, exact),
        None => (LEGAL_RATES[0].2, false),
    }
}

/// What an invoice's lateness is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateTerms {
    pub due_date: NaiveDate,
    /// What the client owed at issue (the invoice's total).
    pub total: Money,
    /// What reduced it, by day: payments and credit notes positive,
    /// refunds negative; in the invoice's currency.
    pub settled: Vec<(NaiveDate, Money)>,
    /// The invoice's annual penalty rate, in basis points.
    pub rate_bp: u32,
    /// A business client (the legal floor and the indemnity apply).
    pub business: bool,
}

/// What lateness costs on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateCharges {
    /// Days after the due date (0: not late).
    pub days_late: u32,
    /// Penalties accrued, in the invoice's currency.
    pub penalties: Money,
    /// The annual rate applied on the last day counted, in basis points:
    /// the invoice's, or the legal floor when higher.
    pub rate_bp: u32,
    /// The 40 € indemnity, when owed.
    pub indemnity: Option<Money>,
    /// A day counted fell in a half-year whose legal rate Acquit does not
    /// have: the latest known rate was used for the floor.
    pub legal_rate_assumed: bool,
}

impl LateTerms {
    /// What is still owed at the start of `day` (see the module docs).
    fn outstanding(&self, day: NaiveDate) -> Result<i128, MoneyError> {
        let mut owed = i128::from(self.total.minor());
        for (date, amount) in &self.settled {
            if amount.currency() != self.total.currency() {
                return Err(MoneyError::CurrencyMismatch(
                    self.total.currency(),
                    amount.currency(),
                ));
            }
            if *date < day {
                owed -= i128::from(amount.minor());
            }
        }
        Ok(owed.max(0))
    }

    /// The annual rate on `day`, and whether the legal rate was known.
    fn rate_on(&self, day: NaiveDate) -> (u32, bool) {
        if !self.business {
            return (self.rate_bp, true);
        }
        let (legal, known) = legal_rate_on(day);
        (self.rate_bp.max(3 * legal), known)
    }

    /// The penalties and indemnity owed when reckoned on `on` (see the
    /// module docs for the formula).
    pub fn charges(&self, on: NaiveDate) -> Result<LateCharges, MoneyError> {
        let currency = self.total.currency();
        let days_late = (on - self.due_date).num_days().max(0);
        let mut sum: i128 = 0;
        let mut rate_bp = self.rate_on(on).0;
        let mut assumed = false;
        let mut any_owed = false;
        for n in 1..=days_late {
            let day = self.due_date + chrono::Days::new(n as u64);
            let owed = self.outstanding(day)?;
            let (rate, known) = self.rate_on(day);
            rate_bp = rate;
            if owed > 0 {
                any_owed = true;
                assumed |= !known;
                sum += owed * i128::from(rate);
            }
        }
        let minor = round_div(sum, 10_000 * YEAR_DAYS);
        let penalties = Money::new(
            i64::try_from(minor).map_err(|_| MoneyError::Overflow)?,
            currency,
        );
        Ok(LateCharges {
            days_late: u32::try_from(days_late).map_err(|_| MoneyError::Overflow)?,
            penalties,
            rate_bp,
            indemnity: (self.business && any_owed).then_some(RECOVERY_INDEMNITY),
            legal_rate_assumed: assumed,
        })
    }
}

/// Formats an annual rate in basis points: `10 %`, `7,86 %`.
pub use crate::quantity::format_percent as format_rate;

/// How a reminder speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    /// Before (or on) the due date: a friendly note.
    Courtesy,
    /// The first after the due date.
    Reminder,
    /// Between the first and the last.
    Firm,
    /// The last step of the schedule.
    Final,
}

impl Tone {
    pub const ALL: [Tone; 4] = [Tone::Courtesy, Tone::Reminder, Tone::Firm, Tone::Final];

    pub fn as_str(&self) -> &'static str {
        match self {
            Tone::Courtesy => "courtesy",
            Tone::Reminder => "reminder",
            Tone::Firm => "firm",
            Tone::Final => "final",
        }
    }
}

/// The days, counted from the due date, on which to remind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule(Vec<i32>);

/// One step reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Days from the due date (negative: before it). Identifies the step:
    /// one reminder per invoice and offset, ever.
    pub offset: i32,
    /// The day the step falls on.
    pub date: NaiveDate,
    pub tone: Tone,
}

impl Default for Schedule {
    /// 3 days before the due date, then 7, 15 and 30 days after.
    fn default() -> Schedule {
        Schedule(vec![-3, 7, 15, 30])
    }
}

impl Schedule {
    /// The earliest and latest step allowed, in days from the due date.
    pub const RANGE: std::ops::RangeInclusive<i32> = -60..=365;

    /// Reads `-3,7,15,30` (spaces allowed, any order; an empty list means
    /// no automatic reminder).
    pub fn parse(input: &str) -> Result<Schedule, String> {
        let mut steps = Vec::new();
        for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let day: i32 = part.parse().map_err(|_| {
                format!(
                    "\"{part}\" is not a number of days: type the days from the due date, \
                     comma-separated, as -3,7,15,30"
                )
            })?;
            if !Self::RANGE.contains(&day) {
                return Err(format!(
                    "{day} days is out of reach: a step is between {} and {} days from the due date",
                    Self::RANGE.start(),
                    Self::RANGE.end()
                ));
            }
            steps.push(day);
        }
        steps.sort_unstable();
        steps.dedup();
        Ok(Schedule(steps))
    }

    pub fn offsets(&self) -> &[i32] {
        &self.0
    }

    /// The tone of a reminder sent `offset` days from the due date: that of
    /// the last step at or before it (see [`Tone`]).
    pub fn tone_at(&self, offset: i32) -> Tone {
        if offset <= 0 {
            return Tone::Courtesy;
        }
        let after: Vec<i32> = self.0.iter().copied().filter(|&d| d > 0).collect();
        let reached = after.iter().filter(|&&d| d <= offset).count();
        match reached {
            0 | 1 => Tone::Reminder,
            n if n == after.len() => Tone::Final,
            _ => Tone::Firm,
        }
    }

    /// The tone of a reminder at `offset` given the offsets already sent:
    /// that of the schedule ([`Schedule::tone_at`]), but never firm or
    /// final before a first reminder after the due date went out (a
    /// message saying "despite our reminder" must follow one).
    pub fn tone_after(&self, offset: i32, sent: &[i32]) -> Tone {
        match self.tone_at(offset) {
            Tone::Firm | Tone::Final if !sent.iter().any(|&s| s > 0 && s < offset) => {
                Tone::Reminder
            }
            tone => tone,
        }
    }

    /// The step due on `today` for an invoice issued on `issued` and due on
    /// `due`, given the offsets at which reminders were already sent (see
    /// the module docs). `None`: nothing to send today.
    pub fn step_due(
        &self,
        issued: NaiveDate,
        due: NaiveDate,
        today: NaiveDate,
        sent: &[i32],
    ) -> Option<Step> {
        let offset = self
            .0
            .iter()
            .copied()
            .filter(|&d| {
                let date = due + chrono::Duration::days(i64::from(d));
                date > issued && date <= today
            })
            .max()?;
        if sent.iter().any(|&s| s >= offset) {
            return None;
        }
        Some(Step {
            offset,
            date: due + chrono::Duration::days(i64::from(offset)),
            tone: self.tone_after(offset, sent),
        })
    }

    /// The next step after `today` (for "next reminder on …").
    pub fn next_after(&self, issued: NaiveDate, due: NaiveDate, today: NaiveDate) -> Option<Step> {
        self.0
            .iter()
            .copied()
            .map(|d| (d, due + chrono::Duration::days(i64::from(d))))
            .find(|&(_, date)| date > today && date > issued)
            .map(|(offset, date)| Step {
                offset,
                date,
                tone: self.tone_at(offset),
            })
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(i32::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    fn terms(rate_bp: u32, business: bool) -> LateTerms {
        LateTerms {
            due_date: day("2026-03-01"),
            total: eur(123_456),
            settled: vec![],
            rate_bp,
            business,
        }
    }

    /// The issue's acceptance figures: 1 234,56 € 45 days late.
    #[test]
    fn penalties_on_1234_56_for_45_days() {
        let on = day("2026-04-15");
        // 10 %: 123456 × 0.10 × 45 / 365 = 1522.06… cents.
        let at_ten = terms(1000, true).charges(on).unwrap();
        assert_eq!(at_ten.days_late, 45);
        assert_eq!(at_ten.penalties, eur(1522));
        assert_eq!(at_ten.rate_bp, 1000);
        assert_eq!(at_ten.indemnity, Some(eur(4000)));
        // Three times the legal rate of 2026-H1 (2.62 %): 7.86 %, applied
        // when the terms say less (here 0): 123456 × 0.0786 × 45 / 365 =
        // 1196.38… cents.
        let floor = terms(0, true).charges(on).unwrap();
        assert_eq!(floor.rate_bp, 786);
        assert_eq!(floor.penalties, eur(1196));
        assert!(!floor.legal_rate_assumed);
        // A consumer owes the invoice's rate and no indemnity.
        let consumer = terms(1000, false).charges(on).unwrap();
        assert_eq!(consumer.penalties, eur(1522));
        assert_eq!(consumer.indemnity, None);
        assert_eq!(terms(0, false).charges(on).unwrap().penalties, eur(0));
    }

    #[test]
    fn the_due_date_itself_is_not_late() {
        let t = terms(1000, true);
        let on_time = t.charges(t.due_date).unwrap();
        assert_eq!(on_time.days_late, 0);
        assert_eq!(on_time.penalties, eur(0));
        assert_eq!(on_time.indemnity, None);
        let one_day = t.charges(day("2026-03-02")).unwrap();
        assert_eq!(one_day.days_late, 1);
        // 123456 × 0.1 / 365 = 33.82 → 34 cents.
        assert_eq!(one_day.penalties, eur(34));
    }

    #[test]
    fn a_partial_payment_stops_the_interest_on_what_it_paid_from_its_day() {
        let mut t = terms(1000, true);
        // Half paid 10 days late, then 20 more days on the other half:
        // (123456 × 10 + 61728 × 20) × 0.1 / 365 = 676.47… cents.
        t.settled = vec![(day("2026-03-11"), eur(61_728))];
        assert_eq!(t.charges(day("2026-03-31")).unwrap().penalties, eur(676));
        // Paid in full on day 10: 10 days, nothing after.
        t.settled = vec![(day("2026-03-11"), eur(123_456))];
        let paid = t.charges(day("2026-06-30")).unwrap();
        assert_eq!(paid.penalties, eur(338));
        assert_eq!(paid.indemnity, Some(eur(4000)));
        // Paid before the due date: nothing owed, no indemnity.
        t.settled = vec![(day("2026-02-20"), eur(123_456))];
        let early = t.charges(day("2026-06-30")).unwrap();
        assert_eq!(early.penalties, eur(0));
        assert_eq!(early.indemnity, None);
        // A refund puts the money back in the count.
        t.settled = vec![
            (day("2026-02-20"), eur(123_456)),
            (day("2026-03-10"), eur(-123_456)),
        ];
        // Owed again from 2026-03-11 to 2026-03-31: 21 days.
        let refunded = t.charges(day("2026-03-31")).unwrap();
        assert_eq!(refunded.penalties, eur(round(123_456 * 1000 * 21)));
    }

    fn round(numerator: i128) -> i64 {
        round_div(numerator, 10_000 * 365) as i64
    }

    #[test]
    fn the_floor_follows_the_legal_rate_of_each_day() {
        // Late across 1 January 2026: 2025-H2 (2.76 % → 8.28 %) then
        // 2026-H1 (2.62 % → 7.86 %).
        let t = LateTerms {
            due_date: day("2025-12-21"),
            total: eur(100_000),
            settled: vec![],
            rate_bp: 500,
            business: true,
        };
        let c = t.charges(day("2026-01-10")).unwrap();
        assert_eq!(c.days_late, 20);
        assert_eq!(c.rate_bp, 786);
        assert_eq!(c.penalties, eur(round(100_000 * (828 * 10 + 786 * 10))));
        // A half-year the table does not have is said so.
        let later = t.charges(day("2026-07-02")).unwrap();
        assert!(later.legal_rate_assumed);
    }

    #[test]
    fn legal_rates_by_half_year() {
        assert_eq!(legal_rate_on(day("2025-06-30")), (371, true));
        assert_eq!(legal_rate_on(day("2025-07-01")), (276, true));
        assert_eq!(legal_rate_on(day("2026-01-01")), (262, true));
        assert_eq!(legal_rate_on(day("2027-03-01")), (262, false));
        assert_eq!(legal_rate_on(day("2020-03-01")), (206, false));
    }

    #[test]
    fn penalties_keep_the_invoice_currency_and_refuse_a_mixed_one() {
        let mut t = terms(1000, true);
        t.total = Money::new(10_000, Currency::JPY);
        let c = t.charges(day("2026-04-15")).unwrap();
        assert_eq!(c.penalties.currency(), Currency::JPY);
        assert_eq!(c.indemnity, Some(RECOVERY_INDEMNITY));
        t.settled = vec![(day("2026-03-05"), eur(1))];
        assert!(t.charges(day("2026-04-15")).is_err());
    }

    #[test]
    fn schedule_parsing() {
        assert_eq!(
            Schedule::parse(" 30, -3,7 ,15,7").unwrap(),
            Schedule::default()
        );
        assert_eq!(Schedule::default().to_string(), "-3,7,15,30");
        assert_eq!(Schedule::parse("").unwrap().offsets(), &[] as &[i32]);
        assert!(Schedule::parse("7,x").unwrap_err().contains("\"x\""));
        assert!(Schedule::parse("400").unwrap_err().contains("365"));
    }

    #[test]
    fn tones_rise_with_the_steps() {
        let s = Schedule::default();
        let tones: Vec<Tone> = [-3, 0, 7, 10, 15, 29, 30, 90]
            .iter()
            .map(|&d| s.tone_at(d))
            .collect();
        use Tone::*;
        assert_eq!(
            tones,
            [
                Courtesy, Courtesy, Reminder, Reminder, Firm, Firm, Final, Final
            ]
        );
        // Never firm before a first reminder after the due date went out.
        assert_eq!(s.tone_after(15, &[-3]), Reminder);
        assert_eq!(s.tone_after(30, &[]), Reminder);
        assert_eq!(s.tone_after(15, &[7]), Firm);
        assert_eq!(s.tone_after(30, &[-3, 9]), Final);
        assert_eq!(s.tone_after(-3, &[]), Courtesy);
        let two = Schedule::parse("7,30").unwrap();
        assert_eq!((two.tone_at(7), two.tone_at(30)), (Reminder, Final));
        assert_eq!(Schedule::parse("7").unwrap().tone_at(60), Reminder);
    }

    #[test]
    fn the_step_due_is_the_latest_reached_and_never_one_already_sent() {
        let s = Schedule::default();
        let issued = day("2027-01-01");
        let due = day("2027-01-31");
        let step = |today: &str, sent: &[i32]| {
            s.step_due(issued, due, day(today), sent)
                .map(|st| (st.offset, st.date.to_string()))
        };
        assert_eq!(step("2027-01-27", &[]), None);
        assert_eq!(step("2027-01-28", &[]), Some((-3, "2027-01-28".into())));
        assert_eq!(step("2027-02-06", &[-3]), None);
        assert_eq!(step("2027-02-07", &[-3]), Some((7, "2027-02-07".into())));
        // Off for a month: only the latest step.
        assert_eq!(step("2027-03-05", &[-3]), Some((30, "2027-03-02".into())));
        // Sent at 30 (or later, by hand): nothing earlier comes back.
        assert_eq!(step("2027-03-05", &[30]), None);
        assert_eq!(step("2027-02-20", &[16]), None);
        // A step on or before the issue day is skipped.
        let late_issue = s.step_due(day("2027-01-29"), due, day("2027-01-30"), &[]);
        assert_eq!(late_issue, None);
        assert_eq!(
            s.next_after(issued, due, day("2027-02-07"))
                .map(|st| st.offset),
            Some(15)
        );
    }

    #[test]
    fn rates_are_written_in_the_language() {
        assert_eq!(format_rate(786, Lang::Fr), "7,86\u{a0}%");
        assert_eq!(format_rate(1000, Lang::En), "10%");
    }
}
