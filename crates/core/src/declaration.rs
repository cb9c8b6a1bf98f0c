//! The micro-entrepreneur's declaration of receipts (the monthly or
//! quarterly *déclaration de chiffre d'affaires* to URSSAF), and the
//! thresholds the year's receipts are watched against. Pure rules: the
//! store reads the receipts ledger and applies them.
//!
//! # What is counted: cash basis
//!
//! - A payment counts in the period it was **received** (`received_on`);
//!   a refund or a counter-entry (reversal) subtracts in the period of its
//!   own date, as the receipts ledger shows them. The declaration of a
//!   period is therefore exactly the ledger of that period, split.
//! - Only euros are declared. A receipt of an invoice in another currency is
//!   converted with the invoice's own euro rate (`InvoiceDetails.eur_rate`,
//!   [`crate::EurRate::to_eur`], rounded once to the cent) when it has one;
//!   without a rate it is **not converted**: it is listed apart, counted in
//!   no column and no threshold, with a warning. A rate is never guessed.
//!
//! # Split by activity ([`split`])
//!
//! Each received amount (in euros) is spread over the invoice's lines in
//! proportion to each line's total including VAT (its net × (1 + rate),
//! exact in integers), with [`crate::tax::allocate`] (largest remainder),
//! so the parts add up to the amount to the cent. A refund is split like a
//! payment, with the opposite sign. Each line goes to a column
//! ([`column`]):
//! - a line of **goods** → goods (sale of goods, BIC);
//! - a **service** line → the activity of the seller *as snapshotted on the
//!   invoice* if it is a services activity (commercial or liberal), else
//!   commercial services;
//! - a line **without nature** (older books) → the snapshot seller's
//!   activity; without one, the column is **unknown**: counted in the
//!   totals, listed apart with a warning, and left to the user to declare.
//!
//! An invoice whose lines give nothing to split in proportion to (no
//! positive line total) puts the whole amount in the unknown column.
//!
//! Each part is also given **excluding VAT**: the part less the VAT its
//! rate holds, rounded once per rate and receipt (`part × 1 / (1 + rate)`).
//! Under the VAT franchise both are the same. The thresholds are turnover
//! excluding VAT, so they are compared with that figure.
//!
//! # Thresholds ([`Threshold`], data in `thresholds.json`)
//!
//! Kept as data with their legal source and years, never written in the
//! logic; a user's own figures (stored in the books) take precedence for
//! the years they cover ([`pick`]). For a year with no figures the latest
//! earlier ones are used, and said to be outdated.
//! - scope *all* (the goods ceiling) is compared with the year's total;
//!   scope *services* with the services part (commercial + liberal): a
//!   business that does both must stay under both (BOI-BIC-DECLA-10-10-10
//!   § 10), and a services-only business meets the services one first.
//!   Money of unknown activity counts in the total, not in services.
//! - The year-to-date total runs from 1 January of the period's year to
//!   the period's last day.
//! - [`Level::Near`] from 90 % of a threshold ([`NEAR_PERCENT`]); crossed
//!   when the total is *above* it; the VAT franchise's higher threshold
//!   likewise. What crossing means is the threshold's own text (data, fr
//!   and en), since it changed with the law (e.g. 2025 for the VAT
//!   franchise).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::invoice::Nature;
use crate::money::{MoneyError, round_div};
use crate::party::Activity;
use crate::tax::{LineAmounts, allocate};
use crate::{Currency, Lang, Money, VatRate};

// ------------------------------------------------------------------ periods

/// A month or a quarter: what a micro-entrepreneur declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    year: i32,
    span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Span {
    /// 1 to 12.
    Month(u32),
    /// 1 to 4.
    Quarter(u32),
}

/// A period that could not be read, with what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{input}\" is not a period{reason}: type a month as 2027-03 or a quarter as 2027-Q1")]
pub struct PeriodError {
    pub input: String,
    reason: &'static str,
}

impl Period {
    /// Reads `2027-03` (a month) or `2027-Q1` (a quarter, `q` also
    /// accepted). Anything else is refused.
    pub fn parse(input: &str) -> Result<Period, PeriodError> {
        let trimmed = input.trim();
        let fail = |reason| PeriodError {
            input: trimmed.to_owned(),
            reason,
        };
        let (year, rest) = trimmed.split_once('-').ok_or_else(|| fail(""))?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail(""));
        }
        let year: i32 = year.parse().map_err(|_| fail(""))?;
        let span = if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            match q {
                "1" | "2" | "3" | "4" => Span::Quarter(q.parse().map_err(|_| fail(""))?),
                _ => return Err(fail(" (quarters are Q1 to Q4)")),
            }
        } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
            match rest.parse() {
                Ok(m @ 1..=12) => Span::Month(m),
                _ => return Err(fail(" (months are 01 to 12)")),
            }
        } else {
            return Err(fail(""));
        };
        Ok(Period { year, span })
    }

    pub fn month(year: i32, month: u32) -> Option<Period> {
        (1..=12).contains(&month).then_some(Period {
            year,
            span: Span::Month(month),
        })
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        (1..=4).contains(&quarter).then_some(Period {
            year,
            span: Span::Quarter(quarter),
        })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn is_quarter(self) -> bool {
        matches!(self.span, Span::Quarter(_))
    }

    /// The months it covers, first and last.
    fn months(self) -> (u32, u32) {
        match self.span {
            Span::Month(m) => (m, m),
            Span::Quarter(q) => (3 * q - 2, 3 * q),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.months().0, 1).expect("a valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        let (_, last) = self.months();
        let next = if last == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, last + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).expect("a valid month")
    }

    /// 1 January of its year: where the year-to-date total starts.
    pub fn year_start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 1, 1).expect("a valid year")
    }

    /// The month or quarter `date` falls in.
    pub fn month_of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            span: Span::Month(date.month()),
        }
    }

    pub fn quarter_of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            span: Span::Quarter(date.month().div_ceil(3)),
        }
    }

    /// As a person reads it: "mars 2027", "1er trimestre 2027"; "March
    /// 2027", "Q1 2027".
    pub fn label(self, lang: Lang) -> String {
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let year = self.year;
        match (self.span, lang) {
            (Span::Month(m), Lang::Fr) => format!("{} {year}", FR[m as usize - 1]),
            (Span::Month(m), Lang::En) => format!("{} {year}", EN[m as usize - 1]),
            (Span::Quarter(1), Lang::Fr) => format!("1er trimestre {year}"),
            (Span::Quarter(q), Lang::Fr) => format!("{q}e trimestre {year}"),
            (Span::Quarter(q), Lang::En) => format!("Q{q} {year}"),
        }
    }
}

/// `2027-03`, `2027-Q1`: the form [`Period::parse`] reads.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Month(m) => write!(f, "{}-{m:02}", self.year),
            Span::Quarter(q) => write!(f, "{}-Q{q}", self.year),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// ------------------------------------------------------------------ columns

/// The column of the declaration a line's money goes to (`None`: unknown).
/// The rules are the module's: goods → goods; a service → the seller's
/// services activity, else commercial services; no nature → the seller's
/// activity, if any.
pub fn column(nature: Option<Nature>, seller: Option<Activity>) -> Option<Activity> {
    match (nature, seller) {
        (Some(Nature::Goods), _) => Some(Activity::Goods),
        (
            Some(Nature::Service),
            Some(services @ (Activity::CommercialServices | Activity::LiberalServices)),
        ) => Some(services),
        (Some(Nature::Service), _) => Some(Activity::CommercialServices),
        (None, seller) => seller,
    }
}

/// The columns in the order they are shown and declared, unknown last.
pub const COLUMNS: [Option<Activity>; 4] = [
    Some(Activity::Goods),
    Some(Activity::CommercialServices),
    Some(Activity::LiberalServices),
    None,
];

/// A column's name as URSSAF's form has it.
pub fn column_label(activity: Option<Activity>, lang: Lang) -> &'static str {
    match (activity, lang) {
        (Some(Activity::Goods), Lang::Fr) => {
            "Ventes de marchandises, restauration, hébergement (BIC)"
        }
        (Some(Activity::Goods), Lang::En) => "Sale of goods, food, lodging (BIC)",
        (Some(Activity::CommercialServices), Lang::Fr) => {
            "Prestations de services commerciales ou artisanales (BIC)"
        }
        (Some(Activity::CommercialServices), Lang::En) => "Commercial or craft services (BIC)",
        (Some(Activity::LiberalServices), Lang::Fr) => "Prestations de services libérales (BNC)",
        (Some(Activity::LiberalServices), Lang::En) => "Liberal services (BNC)",
        (None, Lang::Fr) => "Activité inconnue",
        (None, Lang::En) => "Unknown activity",
    }
}

/// Money of one column: as received, and excluding VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Part {
    pub activity: Option<Activity>,
    pub received: Money,
    pub excluding_vat: Money,
}

impl Part {
    pub fn zero(activity: Option<Activity>, currency: Currency) -> Part {
        Part {
            activity,
            received: Money::zero(currency),
            excluding_vat: Money::zero(currency),
        }
    }
}

/// Why a receipt could not be split over its invoice's lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("the invoice's lines have no positive total to split the amount in proportion to")]
    NoWeights,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Splits `amount` (a receipt, in euros; negative for a refund) over the
/// invoice's lines (each with its nature and computed amounts) by column,
/// as the module says. The parts' `received` add up to `amount` exactly;
/// they come in [`COLUMNS`] order, one per column that a line goes to.
pub fn split(
    amount: Money,
    lines: &[(Option<Nature>, LineAmounts)],
    seller: Option<Activity>,
) -> Result<Vec<Part>, SplitError> {
    // Lines of one column and one rate weigh together: fewer roundings.
    let mut groups: Vec<(Option<Activity>, VatRate, i128)> = Vec::new();
    for (nature, line) in lines {
        let key = (column(*nature, seller), line.vat_rate);
        let weight =
            i128::from(line.net.minor()) * i128::from(VatRate::FULL + line.vat_rate.basis_points());
        match groups.iter_mut().find(|g| (g.0, g.1) == key) {
            Some(group) => group.2 += weight,
            None => groups.push((key.0, key.1, weight)),
        }
    }
    if groups.iter().any(|g| g.2 < 0) || groups.iter().all(|g| g.2 == 0) {
        return Err(SplitError::NoWeights);
    }
    let weights: Vec<i128> = groups.iter().map(|g| g.2).collect();
    // `allocate` splits a non-negative amount; a refund is split as the
    // payment it gives back, then negated, so both round alike.
    let magnitude = i128::from(amount.minor()).abs();
    let sign = i128::from(amount.minor().signum());
    let currency = amount.currency();
    let mut parts: Vec<Part> = Vec::new();
    for ((activity, rate, _), share) in groups.iter().zip(allocate(magnitude, &weights)) {
        let received = sign * share;
        let full = i128::from(VatRate::FULL);
        let excluding = round_div(received * full, full + i128::from(rate.basis_points()));
        let received = money(received, currency)?;
        let excluding = money(excluding, currency)?;
        match parts.iter_mut().find(|p| p.activity == *activity) {
            Some(part) => {
                part.received = part.received.checked_add(received)?;
                part.excluding_vat = part.excluding_vat.checked_add(excluding)?;
            }
            None => parts.push(Part {
                activity: *activity,
                received,
                excluding_vat: excluding,
            }),
        }
    }
    parts.sort_by_key(|p| COLUMNS.iter().position(|c| *c == p.activity));
    Ok(parts)
}

fn money(minor: i128, currency: Currency) -> Result<Money, MoneyError> {
    i64::try_from(minor)
        .map(|m| Money::new(m, currency))
        .map_err(|_| MoneyError::Overflow)
}

/// The four columns' sums, in euros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Columns {
    /// Always the four of [`COLUMNS`], in that order.
    rows: Vec<Part>,
}

impl Default for Columns {
    fn default() -> Columns {
        Columns {
            rows: COLUMNS
                .iter()
                .map(|c| Part::zero(*c, Currency::EUR))
                .collect(),
        }
    }
}

impl Columns {
    pub fn add(&mut self, part: &Part) -> Result<(), MoneyError> {
        let row = self
            .rows
            .iter_mut()
            .find(|r| r.activity == part.activity)
            .expect("every column has a row");
        row.received = row.received.checked_add(part.received)?;
        row.excluding_vat = row.excluding_vat.checked_add(part.excluding_vat)?;
        Ok(())
    }

    /// Goods, commercial services, liberal services, unknown.
    pub fn rows(&self) -> &[Part] {
        &self.rows
    }

    pub fn get(&self, activity: Option<Activity>) -> Part {
        *self
            .rows
            .iter()
            .find(|r| r.activity == activity)
            .expect("every column has a row")
    }

    /// Every column, unknown included (`activity` is `None`).
    pub fn total(&self) -> Result<Part, MoneyError> {
        self.sum_of(&COLUMNS, None)
    }

    /// Commercial and liberal services (`activity` is commercial services).
    pub fn services(&self) -> Result<Part, MoneyError> {
        self.sum_of(
            &[
                Some(Activity::CommercialServices),
                Some(Activity::LiberalServices),
            ],
            Some(Activity::CommercialServices),
        )
    }

    fn sum_of(
        &self,
        columns: &[Option<Activity>],
        label: Option<Activity>,
    ) -> Result<Part, MoneyError> {
        let mut sum = Part::zero(label, Currency::EUR);
        for row in self.rows.iter().filter(|r| columns.contains(&r.activity)) {
            sum.received = sum.received.checked_add(row.received)?;
            sum.excluding_vat = sum.excluding_vat.checked_add(row.excluding_vat)?;
        }
        Ok(sum)
    }
}

// --------------------------------------------------------------- thresholds

/// Which rule a threshold belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// The micro-enterprise regime's ceilings (CGI art. 50-0, 102 ter).
    Micro,
    /// The VAT franchise (franchise en base, CGI art. 293 B).
    VatFranchise,
}

impl Regime {
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Micro => "micro",
            Regime::VatFranchise => "vat-franchise",
        }
    }
}

impl std::str::FromStr for Regime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "micro" => Ok(Regime::Micro),
            "vat-franchise" => Ok(Regime::VatFranchise),
            other => Err(format!(
                "\"{other}\" is not a regime: use micro or vat-franchise"
            )),
        }
    }
}

/// What a threshold is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The total turnover (the goods ceiling).
    All,
    /// The services part: commercial and liberal services.
    Services,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Services => "services",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "all" => Ok(Scope::All),
            "services" => Ok(Scope::Services),
            other => Err(format!("\"{other}\" is not a scope: use all or services")),
        }
    }
}

/// Every threshold there is, in the order they are shown.
pub const KINDS: [(Regime, Scope); 4] = [
    (Regime::Micro, Scope::All),
    (Regime::Micro, Scope::Services),
    (Regime::VatFranchise, Scope::All),
    (Regime::VatFranchise, Scope::Services),
];

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    pub fr: String,
    pub en: String,
}

impl Said {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// One threshold for a range of calendar years, with where it comes from.
/// In JSON (`thresholds.json`, the user's own in the books) amounts are
/// decimal strings in euros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ThresholdData", into = "ThresholdData")]
pub struct Threshold {
    pub regime: Regime,
    pub scope: Scope,
    /// The first year it applies to.
    pub from: i32,
    /// The last year (none: until further notice).
    pub to: Option<i32>,
    /// Excluding VAT, in euros.
    pub limit: Money,
    /// The VAT franchise's higher threshold (seuil majoré), if any.
    pub higher: Option<Money>,
    /// The legal text and year the figure comes from.
    pub source: String,
    /// What crossing `limit` means.
    pub crossed: Option<Said>,
    /// What crossing `higher` means.
    pub higher_crossed: Option<Said>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdData {
    regime: Regime,
    scope: Scope,
    from: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<i32>,
    limit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    higher: Option<String>,
    source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crossed: Option<Said>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    higher_crossed: Option<Said>,
}

/// A threshold that does not make sense, with what to fix (typed, so the
/// app can say it in French).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    #[error("a threshold is an amount in euros more than zero, not {0}")]
    NotPositive(String),
    #[error("the micro regime has one ceiling per scope: give no higher threshold")]
    HigherOnMicro,
    #[error("the higher threshold ({higher}) must be above the threshold ({limit})")]
    HigherNotAbove { higher: String, limit: String },
    #[error(
        "the years {from}–{to} are not a range of years: give the first year, then the last one (or none)"
    )]
    Years { from: i32, to: String },
    #[error("say where the figure comes from (the legal text and its year, or \"my accountant\")")]
    NoSource,
    #[error("two {regime} thresholds for {scope} cover the same years ({a}… and {b}…)")]
    Overlap {
        regime: &'static str,
        scope: &'static str,
        a: i32,
        b: i32,
    },
    /// An amount or a stored table that does not read.
    #[error("{0}")]
    Unreadable(String),
}

impl TryFrom<ThresholdData> for Threshold {
    type Error = ThresholdError;
    fn try_from(d: ThresholdData) -> Result<Threshold, ThresholdError> {
        let amount = |what: &str, s: &str| {
            Money::parse(s, Currency::EUR)
                .map_err(|e| ThresholdError::Unreadable(format!("{what}: {e}")))
        };
        let threshold = Threshold {
            regime: d.regime,
            scope: d.scope,
            from: d.from,
            to: d.to,
            limit: amount("limit", &d.limit)?,
            higher: d
                .higher
                .as_deref()
                .map(|h| amount("higher", h))
                .transpose()?,
            source: d.source,
            crossed: d.crossed,
            higher_crossed: d.higher_crossed,
        };
        threshold.check()?;
        Ok(threshold)
    }
}

impl From<Threshold> for ThresholdData {
    fn from(t: Threshold) -> ThresholdData {
        ThresholdData {
            regime: t.regime,
            scope: t.scope,
            from: t.from,
            to: t.to,
            limit: t.limit.to_decimal_string(),
            higher: t.higher.map(|h| h.to_decimal_string()),
            source: t.source,
            crossed: t.crossed,
            higher_crossed: t.higher_crossed,
        }
    }
}

impl Threshold {
    /// Refuses what cannot be a threshold: an amount of zero or less, not
    /// in euros, a higher threshold not above it (or on the micro regime,
    /// which has none), years in the wrong order, no source.
    pub fn check(&self) -> Result<(), ThresholdError> {
        if self.limit.currency() != Currency::EUR || !self.limit.is_positive() {
            return Err(ThresholdError::NotPositive(self.limit.to_string()));
        }
        match (self.regime, self.higher) {
            (Regime::Micro, Some(_)) => return Err(ThresholdError::HigherOnMicro),
            (_, Some(h)) if h.currency() != Currency::EUR || h.minor() <= self.limit.minor() => {
                return Err(ThresholdError::HigherNotAbove {
                    higher: h.to_decimal_string(),
                    limit: self.limit.to_decimal_string(),
                });
            }
            _ => {}
        }
        if !(1900..=9999).contains(&self.from) || self.to.is_some_and(|to| to < self.from) {
            return Err(ThresholdError::Years {
                from: self.from,
                to: self.to.map(|t| t.to_string()).unwrap_or_default(),
            });
        }
        if self.source.trim().is_empty() {
            return Err(ThresholdError::NoSource);
        }
        Ok(())
    }

    pub fn covers(&self, year: i32) -> bool {
        self.from <= year && self.to.is_none_or(|to| year <= to)
    }

    fn overlaps(&self, other: &Threshold) -> bool {
        let end = |t: &Threshold| t.to.unwrap_or(i32::MAX);
        self.regime == other.regime
            && self.scope == other.scope
            && self.from <= end(other)
            && other.from <= end(self)
    }

    /// What the threshold is called, as a sentence's object.
    pub fn name(&self, lang: Lang) -> &'static str {
        match (self.regime, self.scope, lang) {
            (Regime::Micro, Scope::All, Lang::Fr) => {
                "plafond du régime micro-entreprise (chiffre d'affaires total)"
            }
            (Regime::Micro, Scope::All, Lang::En) => "micro-enterprise ceiling (total turnover)",
            (Regime::Micro, Scope::Services, Lang::Fr) => {
                "plafond du régime micro-entreprise pour les prestations de services"
            }
            (Regime::Micro, Scope::Services, Lang::En) => "micro-enterprise ceiling for services",
            (Regime::VatFranchise, Scope::All, Lang::Fr) => {
                "seuil de la franchise en base de TVA (chiffre d'affaires total)"
            }
            (Regime::VatFranchise, Scope::All, Lang::En) => {
                "VAT franchise threshold (total turnover)"
            }
            (Regime::VatFranchise, Scope::Services, Lang::Fr) => {
                "seuil de la franchise en base de TVA pour les prestations de services"
            }
            (Regime::VatFranchise, Scope::Services, Lang::En) => {
                "VAT franchise threshold for services"
            }
        }
    }
}

/// Refuses a table where two thresholds of one regime and scope cover the
/// same year: which one applies would be a guess.
pub fn check_table(table: &[Threshold]) -> Result<(), ThresholdError> {
    for (i, a) in table.iter().enumerate() {
        a.check()?;
        if let Some(b) = table[i + 1..].iter().find(|b| a.overlaps(b)) {
            return Err(ThresholdError::Overlap {
                regime: a.regime.as_str(),
                scope: a.scope.as_str(),
                a: a.from,
                b: b.from,
            });
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct ThresholdFile {
    thresholds: Vec<Threshold>,
}

/// The thresholds Acquit knows, from `thresholds.json` (read once).
pub fn builtin() -> &'static [Threshold] {
    static TABLE: std::sync::OnceLock<Vec<Threshold>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let file: ThresholdFile = serde_json::from_str(include_str!("thresholds.json"))
            .unwrap_or_else(|e| panic!("thresholds.json: {e}"));
        file.thresholds
    })
}

/// Reads a list of thresholds (the user's own, as stored), checked as a
/// table.
pub fn parse_table(json: &str) -> Result<Vec<Threshold>, ThresholdError> {
    let table: Vec<Threshold> =
        serde_json::from_str(json).map_err(|e| ThresholdError::Unreadable(e.to_string()))?;
    check_table(&table)?;
    Ok(table)
}

pub fn table_to_json(table: &[Threshold]) -> String {
    serde_json::to_string(table).expect("thresholds serialize")
}

/// `threshold` (a user's own figure) with the meaning of crossing it, when
/// it has none, taken from Acquit's threshold of the same regime and scope
/// for its first year (or the latest before): a figure changes with the
/// years, what crossing it means only with the law.
pub fn with_builtin_text(mut threshold: Threshold) -> Threshold {
    let acquits = pick(threshold.from, &[], builtin());
    if let Some(same) = acquits
        .iter()
        .find(|p| p.threshold.regime == threshold.regime && p.threshold.scope == threshold.scope)
    {
        if threshold.crossed.is_none() {
            threshold.crossed = same.threshold.crossed.clone();
        }
        if threshold.higher.is_some() && threshold.higher_crossed.is_none() {
            threshold.higher_crossed = same.threshold.higher_crossed.clone();
        }
    }
    threshold
}

/// The threshold that applies to a year, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Picked {
    pub threshold: Threshold,
    /// The user's own figure, not Acquit's.
    pub yours: bool,
    /// The latest figure known is of an earlier year than the one asked.
    pub outdated: bool,
}

/// For each of [`KINDS`], the threshold of `year`: the user's own if one
/// covers it, else Acquit's; failing both, the latest earlier one (either),
/// marked outdated; none if there is nothing earlier either.
pub fn pick(year: i32, yours: &[Threshold], builtin: &[Threshold]) -> Vec<Picked> {
    let mut picked = Vec::new();
    for (regime, scope) in KINDS {
        let kind = |t: &&Threshold| t.regime == regime && t.scope == scope;
        let covering = yours
            .iter()
            .filter(kind)
            .find(|t| t.covers(year))
            .map(|t| (t, true))
            .or_else(|| {
                builtin
                    .iter()
                    .filter(kind)
                    .find(|t| t.covers(year))
                    .map(|t| (t, false))
            });
        if let Some((t, mine)) = covering {
            picked.push(Picked {
                threshold: t.clone(),
                yours: mine,
                outdated: false,
            });
            continue;
        }
        // Yours first, so that on equal years yours wins (max_by_key keeps
        // the last maximum: iterate builtin first).
        let earlier = builtin
            .iter()
            .map(|t| (t, false))
            .chain(yours.iter().map(|t| (t, true)))
            .filter(|(t, _)| kind(t) && t.from < year)
            .max_by_key(|(t, _)| t.to.unwrap_or(t.from));
        if let Some((t, mine)) = earlier {
            picked.push(Picked {
                threshold: t.clone(),
                yours: mine,
                outdated: true,
            });
        }
    }
    picked
}

/// A warning is given from this share of a threshold.
pub const NEAR_PERCENT: i64 = 90;

/// Where a total stands against a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Under 90 % of the threshold.
    Below,
    /// From 90 % of the threshold, not above it.
    Near,
    /// Above the threshold (and, if there is one, under 90 % of the higher).
    Crossed,
    /// Above the threshold and from 90 % of the higher one.
    NearHigher,
    /// Above the higher threshold.
    HigherCrossed,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Below => "below",
            Level::Near => "near",
            Level::Crossed => "crossed",
            Level::NearHigher => "near-higher",
            Level::HigherCrossed => "higher-crossed",
        }
    }
}

/// A year-to-date total against one threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    #[serde(flatten)]
    pub picked: Picked,
    /// The year's total for its scope, excluding VAT, in euros.
    pub total: Money,
    pub level: Level,
}

impl Check {
    pub fn new(picked: Picked, total: Money) -> Check {
        let t = &picked.threshold;
        let reached = |limit: Money| {
            i128::from(total.minor()) * 100 >= i128::from(limit.minor()) * i128::from(NEAR_PERCENT)
        };
        let above = |limit: Money| total.minor() > limit.minor();
        let level = match t.higher {
            Some(h) if above(h) => Level::HigherCrossed,
            Some(h) if above(t.limit) && reached(h) => Level::NearHigher,
            _ if above(t.limit) => Level::Crossed,
            _ if reached(t.limit) => Level::Near,
            _ => Level::Below,
        };
        Check {
            picked,
            total,
            level,
        }
    }

    /// The share of the threshold reached, in whole percent (rounded down).
    pub fn percent(&self) -> i64 {
        percent(self.total, self.picked.threshold.limit)
    }

    /// The share of the higher threshold reached, if there is one.
    pub fn higher_percent(&self) -> Option<i64> {
        self.picked.threshold.higher.map(|h| percent(self.total, h))
    }

    /// What the user must know, from 90 % of the threshold on: how far the
    /// year's receipts are, and what crossing means (the threshold's own
    /// text). None while below.
    pub fn statement(&self, lang: Lang) -> Option<String> {
        let t = &self.picked.threshold;
        let name = t.name(lang);
        let total = self.total.format(lang);
        let limit = t.limit.format(lang);
        let meaning = |said: &Option<Said>| {
            match said {
            Some(s) => s.get(lang).to_owned(),
            None => match lang {
                Lang::Fr => "Vérifiez auprès de votre service des impôts ou de l'URSSAF ce que ce dépassement implique.".to_owned(),
                Lang::En => "Ask your tax office or URSSAF what crossing it means for you.".to_owned(),
            },
        }
        };
        let higher = t.higher.map(|h| h.format(lang)).unwrap_or_default();
        Some(match (self.level, lang) {
            (Level::Below, _) => return None,
            (Level::Near, Lang::Fr) => format!(
                "Vos recettes de l'année hors TVA ({total}) atteignent {}\u{a0}% du {name} ({limit}). S'il est dépassé\u{a0}: {}",
                self.percent(),
                lower_first(meaning(&t.crossed))
            ),
            (Level::Near, Lang::En) => format!(
                "Your receipts of the year excluding VAT ({total}) reach {}% of the {name} ({limit}). If it is exceeded: {}",
                self.percent(),
                lower_first(meaning(&t.crossed))
            ),
            (Level::Crossed, Lang::Fr) => format!(
                "Vos recettes de l'année hors TVA ({total}) dépassent le {name} ({limit}). {}",
                meaning(&t.crossed)
            ),
            (Level::Crossed, Lang::En) => format!(
                "Your receipts of the year excluding VAT ({total}) exceed the {name} ({limit}). {}",
                meaning(&t.crossed)
            ),
            (Level::NearHigher, Lang::Fr) => format!(
                "Vos recettes de l'année hors TVA ({total}) dépassent le {name} ({limit}) et atteignent {}\u{a0}% du seuil majoré ({higher}). {} Au-delà du seuil majoré\u{a0}: {}",
                self.higher_percent().unwrap_or_default(),
                meaning(&t.crossed),
                lower_first(meaning(&t.higher_crossed))
            ),
            (Level::NearHigher, Lang::En) => format!(
                "Your receipts of the year excluding VAT ({total}) exceed the {name} ({limit}) and reach {}% of the higher threshold ({higher}). {} Beyond the higher threshold: {}",
                self.higher_percent().unwrap_or_default(),
                meaning(&t.crossed),
                lower_first(meaning(&t.higher_crossed))
            ),
            (Level::HigherCrossed, Lang::Fr) => format!(
                "Vos recettes de l'année hors TVA ({total}) dépassent le seuil majoré ({higher}) du {name}. {}",
                meaning(&t.higher_crossed)
            ),
            (Level::HigherCrossed, Lang::En) => format!(
                "Your receipts of the year excluding VAT ({total}) exceed the higher threshold ({higher}) of the {name}. {}",
                meaning(&t.higher_crossed)
            ),
        })
    }
}

/// A sentence made to follow a colon: "Le régime…" → "le régime…".
fn lower_first(sentence: String) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => sentence,
    }
}

fn percent(total: Money, limit: Money) -> i64 {
    let p = i128::from(total.minor()) * 100 / i128::from(limit.minor().max(1));
    i64::try_from(p.max(0)).unwrap_or(i64::MAX)
}

// ----------------------------------------------------------------- warnings

/// What the user must check before declaring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// Money in the unknown column: lines without nature on invoices whose
    /// seller had no activity (or lines with nothing to split over).
    UnknownActivity {
        amount: Money,
        invoices: Vec<String>,
    },
    /// Receipts in another currency without a euro rate: in no column.
    NotConverted {
        amount: Money,
        invoices: Vec<String>,
    },
    /// The thresholds of `year` are not known; those of `figures_of` are used.
    Outdated { year: i32, figures_of: i32 },
    /// No threshold known for `year` or before: nothing is checked.
    NoThresholds { year: i32 },
}

impl Warning {
    pub fn code(&self) -> &'static str {
        match self {
            Warning::UnknownActivity { .. } => "unknown-activity",
            Warning::NotConverted { .. } => "not-converted",
            Warning::Outdated { .. } => "outdated",
            Warning::NoThresholds { .. } => "no-thresholds",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let list = |invoices: &[String]| {
            let mut shown = invoices
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if invoices.len() > 5 {
                shown.push_str(", …");
            }
            shown
        };
        match (self, lang) {
            (Warning::UnknownActivity { amount, invoices }, Lang::Fr) => format!(
                "{} reçus ({}) sont d'une activité inconnue\u{a0}: leurs lignes n'ont pas de nature (biens ou service) et votre profil n'avait pas d'activité à l'émission. Déclarez-les vous-même dans la bonne colonne ; pour les prochaines factures, indiquez votre activité dans votre entreprise (acquit company set --activity).",
                amount.format(lang),
                list(invoices)
            ),
            (Warning::UnknownActivity { amount, invoices }, Lang::En) => format!(
                "{} received ({}) is of unknown activity: its lines have no nature (goods or service) and your profile had no activity when issued. Declare it yourself in the right column; for the next invoices, set your activity in your company (acquit company set --activity).",
                amount.format(lang),
                list(invoices)
            ),
            (Warning::NotConverted { amount, invoices }, Lang::Fr) => format!(
                "{} reçus ({}) ne sont comptés nulle part\u{a0}: la facture n'a pas de taux de change en euros. Convertissez-les en euros et ajoutez-les vous-même.",
                amount.format(lang),
                list(invoices)
            ),
            (Warning::NotConverted { amount, invoices }, Lang::En) => format!(
                "{} received ({}) is counted nowhere: the invoice has no euro exchange rate. Convert it to euros and add it yourself.",
                amount.format(lang),
                list(invoices)
            ),
            (Warning::Outdated { year, figures_of }, Lang::Fr) => format!(
                "Acquit ne connaît pas encore tous les seuils de {year}\u{a0}: ceux de {figures_of} sont utilisés. Vérifiez-les sur impots.gouv.fr et saisissez ceux de {year} (écran Déclaration, ou acquit declare thresholds set)."
            ),
            (Warning::Outdated { year, figures_of }, Lang::En) => format!(
                "Acquit does not know all the thresholds of {year} yet: those of {figures_of} are used. Check them on impots.gouv.fr and enter those of {year} (Declaration screen, or acquit declare thresholds set)."
            ),
            (Warning::NoThresholds { year }, Lang::Fr) => format!(
                "Acquit ne connaît aucun seuil pour {year}\u{a0}: rien n'est comparé. Saisissez-les (écran Déclaration, ou acquit declare thresholds set)."
            ),
            (Warning::NoThresholds { year }, Lang::En) => format!(
                "Acquit knows no threshold for {year}: nothing is compared. Enter them (Declaration screen, or acquit declare thresholds set)."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::{Discount, LineInput, VatRegime, compute};
    use crate::{EurRate, Quantity};

    const EUR: Currency = Currency::EUR;

    fn eur(minor: i64) -> Money {
        Money::new(minor, EUR)
    }

    /// Lines as an invoice computes them: (nature, quantity, price, rate).
    fn lines(specs: &[(Option<Nature>, &str, &str, &str)]) -> Vec<(Option<Nature>, LineAmounts)> {
        let inputs: Vec<LineInput> = specs
            .iter()
            .map(|(_, q, p, r)| LineInput {
                quantity: Quantity::parse(q).unwrap(),
                unit_price: Money::parse(p, EUR).unwrap(),
                vat_rate: VatRate::parse(r).unwrap(),
                discount: Discount::None,
            })
            .collect();
        let totals = compute(&inputs, EUR, VatRegime::Standard).unwrap();
        specs
            .iter()
            .map(|s| s.0)
            .zip(totals.lines.iter().copied())
            .collect()
    }

    fn received(parts: &[Part]) -> Vec<(Option<Activity>, i64)> {
        parts
            .iter()
            .map(|p| (p.activity, p.received.minor()))
            .collect()
    }

    const GOODS: Option<Nature> = Some(Nature::Goods);
    const SERVICE: Option<Nature> = Some(Nature::Service);

    #[test]
    fn periods_are_a_month_or_a_quarter() {
        let march = Period::parse("2027-03").unwrap();
        assert_eq!(march.first_day().to_string(), "2027-03-01");
        assert_eq!(march.last_day().to_string(), "2027-03-31");
        assert_eq!(march.to_string(), "2027-03");
        let q1 = Period::parse("2027-Q1").unwrap();
        assert_eq!(
            (q1.first_day().to_string(), q1.last_day().to_string()),
            ("2027-01-01".into(), "2027-03-31".into())
        );
        assert_eq!(
            Period::parse(" 2027-q4 ").unwrap().last_day().to_string(),
            "2027-12-31"
        );
        assert_eq!(
            Period::parse("2028-02").unwrap().last_day().to_string(),
            "2028-02-29"
        );
        assert_eq!(q1.year_start().to_string(), "2027-01-01");
        assert_eq!(q1.label(Lang::Fr), "1er trimestre 2027");
        assert_eq!(
            Period::parse("2027-Q2").unwrap().label(Lang::Fr),
            "2e trimestre 2027"
        );
        assert_eq!(march.label(Lang::En), "March 2027");
        assert_eq!(Period::quarter_of(march.first_day()), q1);
    }

    #[test]
    fn anything_else_is_refused_with_what_to_type() {
        for bad in [
            "2027",
            "2027-3",
            "2027-13",
            "2027-00",
            "2027-Q5",
            "2027-Q0",
            "27-03",
            "2027/03",
            "2027-03-01",
            "march",
            "",
            "2027-S1",
        ] {
            let error = Period::parse(bad).unwrap_err().to_string();
            assert!(
                error.contains("type a month as 2027-03 or a quarter as 2027-Q1"),
                "{bad}: {error}"
            );
        }
        assert!(
            Period::parse("2027-13")
                .unwrap_err()
                .to_string()
                .contains("months are 01 to 12")
        );
        assert!(
            Period::parse("2027-Q5")
                .unwrap_err()
                .to_string()
                .contains("quarters are Q1 to Q4")
        );
    }

    #[test]
    fn goods_lines_go_to_goods_whatever_the_seller_does() {
        for seller in [
            None,
            Some(Activity::LiberalServices),
            Some(Activity::CommercialServices),
        ] {
            assert_eq!(column(GOODS, seller), Some(Activity::Goods));
        }
    }

    #[test]
    fn service_lines_go_to_the_sellers_services_activity_else_commercial() {
        assert_eq!(
            column(SERVICE, Some(Activity::LiberalServices)),
            Some(Activity::LiberalServices)
        );
        assert_eq!(
            column(SERVICE, Some(Activity::CommercialServices)),
            Some(Activity::CommercialServices)
        );
        assert_eq!(
            column(SERVICE, Some(Activity::Goods)),
            Some(Activity::CommercialServices)
        );
        assert_eq!(column(SERVICE, None), Some(Activity::CommercialServices));
    }

    #[test]
    fn lines_without_nature_follow_the_seller_else_unknown() {
        assert_eq!(column(None, Some(Activity::Goods)), Some(Activity::Goods));
        assert_eq!(
            column(None, Some(Activity::LiberalServices)),
            Some(Activity::LiberalServices)
        );
        assert_eq!(column(None, None), None);
    }

    #[test]
    fn a_receipt_is_split_in_proportion_to_the_lines_totals_including_vat() {
        // 100 € of goods at 20 % (120 € TTC) and 100 € of service at 0 %:
        // 220 € in all, so a payment of 110 € is 60 € + 50 €.
        let l = lines(&[(GOODS, "1", "100", "20"), (SERVICE, "1", "100", "0")]);
        let parts = split(eur(11_000), &l, Some(Activity::LiberalServices)).unwrap();
        assert_eq!(
            received(&parts),
            [
                (Some(Activity::Goods), 6_000),
                (Some(Activity::LiberalServices), 5_000)
            ]
        );
        assert_eq!(parts[0].excluding_vat, eur(5_000), "60 € TTC at 20 %");
        assert_eq!(parts[1].excluding_vat, eur(5_000), "no VAT at 0 %");
    }

    #[test]
    fn the_parts_add_up_to_the_cent_largest_remainder() {
        // Three equal lines: 100.00 € is 33.34 + 33.33 + 33.33.
        let l = lines(&[
            (GOODS, "1", "10", "0"),
            (SERVICE, "1", "10", "0"),
            (None, "1", "10", "0"),
        ]);
        let parts = split(eur(10_000), &l, None).unwrap();
        assert_eq!(
            received(&parts),
            [
                (Some(Activity::Goods), 3_334),
                (Some(Activity::CommercialServices), 3_333),
                (None, 3_333)
            ]
        );
    }

    #[test]
    fn a_refund_is_split_like_a_payment_with_the_opposite_sign() {
        let l = lines(&[(GOODS, "1", "10", "20"), (SERVICE, "2", "10", "20")]);
        let paid = split(eur(1_001), &l, None).unwrap();
        let refunded = split(eur(-1_001), &l, None).unwrap();
        for (p, r) in paid.iter().zip(&refunded) {
            assert_eq!(p.activity, r.activity);
            assert_eq!(p.received.minor(), -r.received.minor());
            assert_eq!(p.excluding_vat.minor(), -r.excluding_vat.minor());
        }
        let sum: i64 = refunded.iter().map(|p| p.received.minor()).sum();
        assert_eq!(sum, -1_001);
    }

    #[test]
    fn an_invoice_with_nothing_to_weigh_cannot_be_split() {
        let l = lines(&[(GOODS, "0", "10", "20")]);
        assert_eq!(split(eur(100), &l, None), Err(SplitError::NoWeights));
    }

    #[test]
    fn a_foreign_receipt_is_converted_at_the_invoices_rate_then_split() {
        // The store's rule, with the core's pieces: 108.50 USD at 1.085 per
        // euro is 100.00 €.
        let rate = EurRate::parse("1.085").unwrap();
        let usd = Money::parse("108.50", Currency::from_code("USD").unwrap()).unwrap();
        let in_eur = rate.to_eur(usd).unwrap();
        assert_eq!(in_eur, eur(10_000));
        let l = lines(&[(SERVICE, "1", "100", "0")]);
        let parts = split(in_eur, &l, Some(Activity::LiberalServices)).unwrap();
        assert_eq!(
            received(&parts),
            [(Some(Activity::LiberalServices), 10_000)]
        );
    }

    #[test]
    fn columns_add_up_by_activity_and_services() {
        let mut columns = Columns::default();
        for (activity, minor) in [
            (Some(Activity::Goods), 100),
            (Some(Activity::CommercialServices), 20),
            (Some(Activity::LiberalServices), 3),
            (None, 1_000),
            (Some(Activity::Goods), -50),
        ] {
            columns
                .add(&Part {
                    activity,
                    received: eur(minor),
                    excluding_vat: eur(minor),
                })
                .unwrap();
        }
        assert_eq!(columns.rows().len(), 4);
        assert_eq!(columns.get(Some(Activity::Goods)).received, eur(50));
        assert_eq!(columns.services().unwrap().received, eur(23));
        assert_eq!(columns.total().unwrap().received, eur(1_073));
    }

    #[test]
    fn the_builtin_thresholds_are_a_valid_table_with_sources() {
        let table = builtin();
        check_table(table).unwrap();
        for t in table {
            assert!(!t.source.trim().is_empty());
            assert!(t.crossed.is_some(), "{t:?}");
            assert_eq!(
                t.higher.is_some(),
                t.regime == Regime::VatFranchise,
                "{t:?}"
            );
            assert_eq!(t.higher_crossed.is_some(), t.higher.is_some(), "{t:?}");
        }
        // The figures the law gives (see the report of the change).
        let of = |year, regime, scope| {
            let p = pick(year, &[], table);
            p.into_iter()
                .find(|p| p.threshold.regime == regime && p.threshold.scope == scope)
                .map(|p| {
                    (
                        p.threshold.limit.minor() / 100,
                        p.threshold.higher.map(|h| h.minor() / 100),
                        p.outdated,
                    )
                })
        };
        assert_eq!(
            of(2024, Regime::Micro, Scope::All),
            Some((188_700, None, false))
        );
        assert_eq!(
            of(2025, Regime::Micro, Scope::Services),
            Some((77_700, None, false))
        );
        assert_eq!(
            of(2025, Regime::VatFranchise, Scope::All),
            Some((85_000, Some(93_500), false))
        );
        assert_eq!(
            of(2025, Regime::VatFranchise, Scope::Services),
            Some((37_500, Some(41_250), false))
        );
        assert_eq!(
            of(2024, Regime::VatFranchise, Scope::Services),
            Some((36_800, Some(39_100), false))
        );
        // After the last year known, the latest figures, said to be outdated.
        assert_eq!(
            of(2027, Regime::VatFranchise, Scope::Services),
            Some((37_500, Some(41_250), true))
        );
        assert_eq!(of(2022, Regime::Micro, Scope::All), None);
    }

    #[test]
    fn thresholds_read_and_write_as_json_with_decimal_strings() {
        let json = r#"[{"regime":"micro","scope":"services","from":2027,"to":2027,"limit":"83 600","source":"my accountant"}]"#;
        let table = parse_table(json).unwrap();
        assert_eq!(table[0].limit, eur(8_360_000));
        let again = table_to_json(&table);
        assert!(again.contains(r#""limit":"83600.00""#), "{again}");
        assert_eq!(parse_table(&again).unwrap(), table);
    }

    #[test]
    fn nonsense_thresholds_are_refused_with_what_to_fix() {
        let refused = |json: &str| parse_table(json).unwrap_err().to_string();
        assert!(
            refused(r#"[{"regime":"micro","scope":"all","from":2027,"limit":"0","source":"x"}]"#)
                .contains("more than zero")
        );
        assert!(refused(r#"[{"regime":"vat-franchise","scope":"all","from":2027,"limit":"100","higher":"90","source":"x"}]"#).contains("must be above"));
        assert!(refused(r#"[{"regime":"micro","scope":"all","from":2027,"limit":"100","higher":"190","source":"x"}]"#).contains("no higher threshold"));
        assert!(refused(r#"[{"regime":"micro","scope":"all","from":2027,"to":2026,"limit":"100","source":"x"}]"#).contains("range of years"));
        assert!(
            refused(r#"[{"regime":"micro","scope":"all","from":2027,"limit":"100","source":" "}]"#)
                .contains("where the figure comes from")
        );
        assert!(refused(r#"[{"regime":"micro","scope":"all","from":2027,"limit":"100","source":"a"},{"regime":"micro","scope":"all","from":2020,"limit":"100","source":"b"}]"#).contains("same years"));
    }

    fn threshold(
        regime: Regime,
        scope: Scope,
        from: i32,
        to: Option<i32>,
        limit: i64,
        higher: Option<i64>,
    ) -> Threshold {
        Threshold {
            regime,
            scope,
            from,
            to,
            limit: eur(limit * 100),
            higher: higher.map(|h| eur(h * 100)),
            source: "test".into(),
            crossed: None,
            higher_crossed: None,
        }
    }

    #[test]
    fn your_figures_win_for_the_years_they_cover() {
        let acquits = [threshold(
            Regime::Micro,
            Scope::Services,
            2026,
            Some(2028),
            83_600,
            None,
        )];
        let yours = [threshold(
            Regime::Micro,
            Scope::Services,
            2027,
            Some(2027),
            90_000,
            None,
        )];
        let at = |year| {
            let p = pick(year, &yours, &acquits);
            (
                p[0].threshold.limit.minor() / 100,
                p[0].yours,
                p[0].outdated,
            )
        };
        assert_eq!(at(2027), (90_000, true, false));
        assert_eq!(at(2026), (83_600, false, false));
        assert_eq!(at(2028), (83_600, false, false));
        assert_eq!(at(2029), (83_600, false, true));
        assert!(pick(2025, &yours, &acquits).is_empty());
    }

    #[test]
    fn levels_warn_from_90_percent_and_say_when_crossed() {
        let micro = threshold(Regime::Micro, Scope::Services, 2027, None, 1_000, None);
        let vat = threshold(
            Regime::VatFranchise,
            Scope::All,
            2027,
            None,
            1_000,
            Some(2_000),
        );
        let level = |t: &Threshold, euros: i64| {
            Check::new(
                Picked {
                    threshold: t.clone(),
                    yours: false,
                    outdated: false,
                },
                eur(euros * 100),
            )
            .level
        };
        assert_eq!(level(&micro, 899), Level::Below);
        assert_eq!(level(&micro, 900), Level::Near);
        assert_eq!(
            level(&micro, 1_000),
            Level::Near,
            "reaching is not exceeding"
        );
        assert_eq!(level(&micro, 1_001), Level::Crossed);
        assert_eq!(level(&vat, 1_001), Level::Crossed);
        assert_eq!(level(&vat, 1_800), Level::NearHigher);
        assert_eq!(level(&vat, 2_000), Level::NearHigher);
        assert_eq!(level(&vat, 2_001), Level::HigherCrossed);
    }

    #[test]
    fn statements_name_the_threshold_and_what_crossing_means() {
        let table = builtin();
        let vat = pick(2025, &[], table)
            .into_iter()
            .find(|p| {
                p.threshold.regime == Regime::VatFranchise && p.threshold.scope == Scope::Services
            })
            .unwrap();
        let check = |euros: i64| Check::new(vat.clone(), eur(euros * 100));
        assert_eq!(check(30_000).statement(Lang::En), None);
        let near = check(34_000).statement(Lang::En).unwrap();
        assert!(
            near.contains("reach 90% of the VAT franchise threshold for services (€37,500.00)"),
            "{near}"
        );
        assert!(
            near.contains("If it is exceeded: the franchise still applies this year"),
            "{near}"
        );
        let crossed = check(38_000).statement(Lang::Fr).unwrap();
        assert!(
            crossed.contains(
                "dépassent le seuil de la franchise en base de TVA pour les prestations de services"
            ),
            "{crossed}"
        );
        assert!(
            crossed.contains("cesse au 1er janvier de l'année suivante"),
            "{crossed}"
        );
        let higher = check(41_251).statement(Lang::En).unwrap();
        assert!(
            higher.contains("exceed the higher threshold (€41,250.00)"),
            "{higher}"
        );
        assert!(
            higher.contains("from the day the higher threshold is exceeded"),
            "{higher}"
        );
    }

    #[test]
    fn warnings_say_what_to_do_in_both_languages() {
        let w = Warning::UnknownActivity {
            amount: eur(12_000),
            invoices: (1..=7).map(|i| format!("F-{i}")).collect(),
        };
        let fr = w.message(Lang::Fr);
        assert!(fr.contains("F-5, …") && fr.contains("--activity"), "{fr}");
        let w = Warning::Outdated {
            year: 2027,
            figures_of: 2025,
        };
        assert!(w.message(Lang::En).contains("those of 2025 are used"));
    }
}
