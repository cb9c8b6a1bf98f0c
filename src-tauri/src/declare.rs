//! The Declaration screen: what a micro-entrepreneur declares to URSSAF for
//! a month or a quarter, by activity, and the year so far against the
//! micro-regime and VAT-franchise thresholds, with the user's own figures.
//! The same store functions as `acquit declare` (`Store::declaration`,
//! `set_threshold`, `remove_thresholds`); the rules are
//! `acquit_core::declaration`'s. Amounts come formatted in the UI's
//! language.

use acquit_core::declaration::{
    self, Check, Columns, Part, Period, Regime, Scope, Threshold, Warning,
};
use acquit_core::{Activity, Currency, Lang, Money};
use acquit_store::Declaration;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::{PaymentKindChoice, RegimeChoice, ScopeChoice, ThresholdLevelChoice};
use crate::commands::{Books, CommandError};
use crate::view::id32;

/// One column of the declaration, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ColumnRow {
    /// `goods`, `commercial-services`, `liberal-services`, `unknown`;
    /// `total` and `services` for the sums.
    pub activity: String,
    /// As URSSAF's form names it.
    pub label: String,
    pub received: String,
    pub excluding_vat: String,
}

/// A receipt of the period and where its money goes.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptRow {
    pub payment_id: i32,
    /// YYYY-MM-DD.
    pub date: String,
    pub invoice: String,
    pub client: String,
    pub kind: PaymentKindChoice,
    /// As received, in the invoice's currency.
    pub amount: String,
    /// In euros when the amount is in another currency and was converted;
    /// None when it is in euros or could not be converted.
    pub eur: Option<String>,
    pub converted: bool,
    /// By column: "Liberal services (BNC) 50.00 €".
    pub parts: Vec<ColumnRow>,
}

/// A threshold of the year and the year-to-date total against it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdRow {
    pub regime: RegimeChoice,
    pub scope: ScopeChoice,
    /// "micro-enterprise ceiling for services".
    pub name: String,
    /// "2026–2028".
    pub years: String,
    pub limit: String,
    pub higher: Option<String>,
    /// Plain decimals for the edit form: `83600.00`.
    pub limit_input: String,
    pub higher_input: Option<String>,
    pub source: String,
    /// The user's own figure.
    pub yours: bool,
    /// The figure of an earlier year: none known for this one.
    pub outdated: bool,
    pub year_to_date: String,
    pub percent: i32,
    pub level: ThresholdLevelChoice,
    /// From 90 % on: where the total stands and what crossing means.
    pub statement: Option<String>,
}

/// What there is to check before declaring ([`Warning`], without its
/// figures: its message says them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum DeclarationWarningKind {
    // Receipts of no known activity: lines without a nature, no activity
    // on the profile.
    UnknownActivity,
    // Receipts in another currency without a euro rate.
    NotConverted,
    // The thresholds of an earlier year are used.
    Outdated,
    // No threshold known: nothing is checked.
    NoThresholds,
}

impl From<&Warning> for DeclarationWarningKind {
    fn from(warning: &Warning) -> DeclarationWarningKind {
        match warning {
            Warning::UnknownActivity { .. } => DeclarationWarningKind::UnknownActivity,
            Warning::NotConverted { .. } => DeclarationWarningKind::NotConverted,
            Warning::Outdated { .. } => DeclarationWarningKind::Outdated,
            Warning::NoThresholds { .. } => DeclarationWarningKind::NoThresholds,
        }
    }
}

/// Something to check before declaring.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationWarning {
    pub kind: DeclarationWarningKind,
    pub message: String,
}

/// The Declaration screen.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationView {
    /// `2027-Q1` or `2027-03`.
    pub period: String,
    /// "1er trimestre 2027", "March 2027".
    pub label: String,
    pub year: i32,
    /// YYYY-MM-DD, both inclusive.
    pub from: String,
    pub to: String,
    /// Goods, commercial services, liberal services, unknown.
    pub columns: Vec<ColumnRow>,
    pub total: ColumnRow,
    /// Receipts in another currency without a euro rate, per currency.
    pub not_converted: Vec<String>,
    pub receipts: Vec<ReceiptRow>,
    /// From 1 January to the period's end.
    pub year_from: String,
    pub year_total: ColumnRow,
    pub year_services: ColumnRow,
    pub year_not_converted: Vec<String>,
    /// The seller is under the VAT franchise: its thresholds are compared.
    pub vat_franchise: bool,
    pub thresholds: Vec<ThresholdRow>,
    pub warnings: Vec<DeclarationWarning>,
}

fn activity_code(activity: Option<Activity>) -> &'static str {
    activity.map_or("unknown", Activity::as_str)
}

fn column_row(part: &Part, lang: Lang) -> ColumnRow {
    ColumnRow {
        activity: activity_code(part.activity).to_owned(),
        label: declaration::column_label(part.activity, lang).to_owned(),
        received: part.received.format(lang),
        excluding_vat: part.excluding_vat.format(lang),
    }
}

fn sum_row(
    columns: &Columns,
    sum: fn(&Columns) -> Result<Part, acquit_core::MoneyError>,
    code: &str,
    label: &str,
    lang: Lang,
) -> ColumnRow {
    // The store added the same parts without overflowing.
    let part = sum(columns).unwrap_or_else(|_| Part::zero(None, Currency::EUR));
    ColumnRow {
        activity: code.to_owned(),
        label: label.to_owned(),
        received: part.received.format(lang),
        excluding_vat: part.excluding_vat.format(lang),
    }
}

fn years(t: &Threshold) -> String {
    match t.to {
        Some(to) if to == t.from => t.from.to_string(),
        Some(to) => format!("{}–{to}", t.from),
        None => format!("{}–", t.from),
    }
}

fn threshold_row(c: &Check, lang: Lang) -> ThresholdRow {
    let t = &c.picked.threshold;
    ThresholdRow {
        regime: t.regime.into(),
        scope: t.scope.into(),
        name: t.name(lang).to_owned(),
        years: years(t),
        limit: t.limit.format(lang),
        higher: t.higher.map(|h| h.format(lang)),
        limit_input: t.limit.to_decimal_string(),
        higher_input: t.higher.map(|h| h.to_decimal_string()),
        source: t.source.clone(),
        yours: c.picked.yours,
        outdated: c.picked.outdated,
        year_to_date: c.total.format(lang),
        percent: i32::try_from(c.percent()).unwrap_or(i32::MAX),
        level: c.level.into(),
        statement: c.statement(lang),
    }
}

fn view(d: &Declaration, lang: Lang) -> DeclarationView {
    let (total, services) = match lang {
        Lang::Fr => ("Total", "Dont prestations de services"),
        Lang::En => ("Total", "Of which services"),
    };
    let ytd = &d.year_to_date;
    DeclarationView {
        period: d.period.to_string(),
        label: d.period.label(lang),
        year: d.period.year(),
        from: d.period.first_day().to_string(),
        to: d.period.last_day().to_string(),
        columns: d
            .columns
            .rows()
            .iter()
            .map(|p| column_row(p, lang))
            .collect(),
        total: sum_row(&d.columns, Columns::total, "total", total, lang),
        not_converted: d.not_converted.iter().map(|m| m.format(lang)).collect(),
        receipts: d
            .receipts
            .iter()
            .map(|r| ReceiptRow {
                payment_id: id32(r.entry.payment_id.0),
                date: r.entry.date.to_string(),
                invoice: r.entry.invoice_number.clone(),
                client: r.entry.client.clone(),
                kind: r.entry.kind.into(),
                amount: r.entry.amount.format(lang),
                eur: r.eur_rate.and(r.eur).map(|m| m.format(lang)),
                converted: r.eur.is_some(),
                parts: r.parts.iter().map(|p| column_row(p, lang)).collect(),
            })
            .collect(),
        year_from: ytd.from.to_string(),
        year_total: sum_row(&ytd.columns, Columns::total, "total", total, lang),
        year_services: sum_row(&ytd.columns, Columns::services, "services", services, lang),
        year_not_converted: ytd.not_converted.iter().map(|m| m.format(lang)).collect(),
        vat_franchise: d.vat_franchise,
        thresholds: d.checks.iter().map(|c| threshold_row(c, lang)).collect(),
        warnings: d
            .warnings
            .iter()
            .map(|w| DeclarationWarning {
                kind: w.into(),
                message: w.message(lang),
            })
            .collect(),
    }
}

/// The declaration of `period` (`2027-Q1`, `2027-03`); none: this quarter.
#[tauri::command]
#[specta::specta]
pub fn declaration(
    books: State<'_, Books>,
    period: Option<String>,
    lang: String,
) -> Result<DeclarationView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let period = match period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).map_err(|e| CommandError::field("period", e.to_string()))?,
        None => Period::quarter_of(acquit_store::today()),
    };
    let declaration = books.with(|store| store.declaration(period))?;
    Ok(view(&declaration, lang))
}

/// The user's own figure for a threshold, for one year.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdInput {
    pub regime: RegimeChoice,
    pub scope: ScopeChoice,
    pub year: i32,
    /// In euros, excluding VAT, as typed.
    pub limit: String,
    /// The VAT franchise's higher threshold, as typed.
    pub higher: Option<String>,
    /// Where the figure comes from.
    pub source: String,
}

/// Keeps the user's own figure for a threshold of one year (it goes before
/// Acquit's); a form's problems come back per field (`limit`, `higher`,
/// `source`).
#[tauri::command]
#[specta::specta]
pub fn set_threshold(
    books: State<'_, Books>,
    input: ThresholdInput,
    lang: String,
) -> Result<(), CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let (regime, scope): (Regime, Scope) = (input.regime.into(), input.scope.into());
    let amount = |field: &str, typed: &str| {
        Money::parse_localized(typed, Currency::EUR, lang)
            .map_err(|e| CommandError::field(field, crate::messages::localize(&e)))
    };
    let higher = input
        .higher
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| amount("higher", h))
        .transpose()?;
    let threshold = Threshold {
        regime,
        scope,
        from: input.year,
        to: Some(input.year),
        limit: amount("limit", &input.limit)?,
        higher,
        source: input.source.trim().to_owned(),
        crossed: None,
        higher_crossed: None,
    };
    if let Err(e) = threshold.check() {
        let said = crate::messages::localize(&e);
        return Err(if threshold.source.is_empty() {
            CommandError::field("source", said)
        } else {
            CommandError::new(said)
        });
    }
    books.with(|store| store.set_threshold(&threshold))
}

/// Removes the user's own figures that cover `year`: Acquit's apply again.
/// Returns how many were removed.
#[tauri::command]
#[specta::specta]
pub fn reset_thresholds(books: State<'_, Books>, year: i32) -> Result<u32, CommandError> {
    books
        .with(|store| store.remove_thresholds(Some(year)))
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_is_named_by_its_core_code() {
        let amount = Money::new(1_000, Currency::EUR);
        for warning in [
            Warning::UnknownActivity {
                amount,
                invoices: vec!["F-2027-0001".into()],
            },
            Warning::NotConverted {
                amount,
                invoices: Vec::new(),
            },
            Warning::Outdated {
                year: 2031,
                figures_of: 2028,
            },
            Warning::NoThresholds { year: 2020 },
        ] {
            let kind = DeclarationWarningKind::from(&warning);
            assert_eq!(serde_json::to_value(kind).unwrap(), warning.code());
        }
    }
}
