//! The micro-entrepreneur's declaration of a month or a quarter, from the
//! receipts ledger: `acquit declare` and the app's Declaration screen.
//! The rules (cash basis, euros only, the split by activity, thresholds)
//! are [`acquit_core::declaration`]'s; this module reads the books and
//! applies them.
//!
//! - The receipts are [`Store::ledger`]'s, from 1 January of the period's
//!   year to its last day: those of the period make the declaration, all of
//!   them the year-to-date total. So the declaration's columns add up to
//!   the ledger's sum of the period (in euros), to the cent.
//! - Each receipt's invoice is read once: its currency and euro rate, the
//!   seller's activity as snapshotted when it was issued (the current
//!   profile's for a file written before snapshots), and its lines' natures
//!   and computed amounts.
//! - The VAT franchise thresholds are compared only while the seller (the
//!   current profile) is under the franchise: a seller who charges VAT is
//!   already out of it.
//! - The user's own thresholds are the setting [`THRESHOLDS_SETTING`]: a
//!   JSON list in the form of `thresholds.json`'s entries.

use std::collections::{BTreeMap, HashMap};

use acquit_core::declaration::{
    self, Check, Columns, Part, Period, Picked, Regime, Scope, SplitError, Threshold, Warning,
};
use acquit_core::tax::LineAmounts;
use acquit_core::{Activity, Currency, EurRate, InvoiceDetails, Money, Nature, Totals, VatRegime};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Deserialize;

use crate::{LedgerEntry, Rejection, Store, StoreError, from_json};

/// The setting that holds the user's own thresholds.
pub const THRESHOLDS_SETTING: &str = "declare.thresholds";

/// What to declare for a period, and the year so far against the
/// thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub period: Period,
    /// The period's receipts by column, in euros.
    pub columns: Columns,
    /// The period's receipts, each with its split.
    pub receipts: Vec<Receipt>,
    /// The period's receipts left in their currency (no euro rate), one
    /// sum per currency.
    pub not_converted: Vec<Money>,
    pub year_to_date: YearToDate,
    /// The year-to-date total against each threshold compared.
    pub checks: Vec<Check>,
    /// The seller is under the VAT franchise, so its thresholds are
    /// compared.
    pub vat_franchise: bool,
    pub warnings: Vec<Warning>,
}

/// From 1 January to the period's last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearToDate {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub columns: Columns,
    pub not_converted: Vec<Money>,
}

/// One line of the ledger and what the declaration makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub entry: LedgerEntry,
    /// The amount in euros: as received, or converted at `eur_rate`; none
    /// when it could not be converted.
    pub eur: Option<Money>,
    /// The invoice's rate, when the amount was converted with it.
    pub eur_rate: Option<EurRate>,
    /// By column, adding up to `eur`; empty when not converted.
    pub parts: Vec<Part>,
}

/// An invoice's id, seller snapshot, totals and details (JSON).
type FactsRow = (i64, Option<String>, Option<String>, Option<String>);

/// What the split needs of an invoice.
struct Facts {
    eur_rate: Option<EurRate>,
    seller: Option<Activity>,
    lines: Vec<(Option<Nature>, LineAmounts)>,
}

/// The activity of a seller snapshot, without reading the rest of it.
#[derive(Deserialize)]
struct SellerActivity {
    #[serde(default)]
    activity: Option<Activity>,
}

fn decode(e: impl std::fmt::Display) -> StoreError {
    StoreError::Decode(e.to_string())
}

impl Store {
    /// The declaration of `period`: see the module's rules.
    pub fn declaration(&self, period: Period) -> Result<Declaration, StoreError> {
        let seller = self.seller()?;
        let current_activity = seller.as_ref().and_then(|s| s.activity);
        let vat_franchise = seller
            .as_ref()
            .is_some_and(|s| s.vat_regime == VatRegime::Franchise);
        let entries = self.ledger(Some(period.year_start()), Some(period.last_day()))?;
        let mut facts: HashMap<String, Facts> = HashMap::new();
        let mut columns = Columns::default();
        let mut ytd = Columns::default();
        let mut foreign: BTreeMap<String, Money> = BTreeMap::new();
        let mut ytd_foreign: BTreeMap<String, Money> = BTreeMap::new();
        let mut receipts = Vec::new();
        for entry in entries {
            if !facts.contains_key(&entry.invoice_number) {
                let f = self.invoice_facts(&entry.invoice_number, current_activity)?;
                facts.insert(entry.invoice_number.clone(), f);
            }
            let f = &facts[&entry.invoice_number];
            let in_period = entry.date >= period.first_day();
            let (eur, eur_rate) = if entry.amount.currency() == Currency::EUR {
                (Some(entry.amount), None)
            } else {
                match f.eur_rate {
                    Some(rate) => (Some(rate.to_eur(entry.amount).map_err(decode)?), Some(rate)),
                    None => (None, None),
                }
            };
            let parts = match eur {
                Some(eur) => match declaration::split(eur, &f.lines, f.seller) {
                    Ok(parts) => parts,
                    // Nothing to weigh the lines by: the whole amount is of
                    // unknown activity (and its VAT unknown).
                    Err(SplitError::NoWeights) => vec![Part {
                        activity: None,
                        received: eur,
                        excluding_vat: eur,
                    }],
                    Err(SplitError::Money(e)) => return Err(decode(e)),
                },
                None => {
                    add_foreign(&mut ytd_foreign, entry.amount)?;
                    if in_period {
                        add_foreign(&mut foreign, entry.amount)?;
                    }
                    Vec::new()
                }
            };
            for part in &parts {
                ytd.add(part).map_err(decode)?;
                if in_period {
                    columns.add(part).map_err(decode)?;
                }
            }
            if in_period {
                receipts.push(Receipt {
                    entry,
                    eur,
                    eur_rate,
                    parts,
                });
            }
        }

        let mut warnings = Vec::new();
        let invoices_where = |keep: &dyn Fn(&Receipt) -> bool| {
            let mut numbers: Vec<String> = Vec::new();
            for r in receipts.iter().filter(|r| keep(r)) {
                if !numbers.contains(&r.entry.invoice_number) {
                    numbers.push(r.entry.invoice_number.clone());
                }
            }
            numbers
        };
        let unknown = invoices_where(&|r| r.parts.iter().any(|p| p.activity.is_none()));
        if !unknown.is_empty() {
            warnings.push(Warning::UnknownActivity {
                amount: columns.get(None).received,
                invoices: unknown,
            });
        }
        for amount in foreign.values() {
            warnings.push(Warning::NotConverted {
                amount: *amount,
                invoices: invoices_where(&|r| {
                    r.eur.is_none() && r.entry.amount.currency() == amount.currency()
                }),
            });
        }

        let total = ytd.total().map_err(decode)?.excluding_vat;
        let services = ytd.services().map_err(decode)?.excluding_vat;
        let compared: Vec<Picked> = self
            .thresholds(period.year())?
            .into_iter()
            .filter(|p| vat_franchise || p.threshold.regime != Regime::VatFranchise)
            .collect();
        if compared.is_empty() {
            warnings.push(Warning::NoThresholds {
                year: period.year(),
            });
        }
        if let Some(figures_of) = compared
            .iter()
            .filter(|p| p.outdated)
            .map(|p| p.threshold.to.unwrap_or(p.threshold.from))
            .max()
        {
            warnings.push(Warning::Outdated {
                year: period.year(),
                figures_of,
            });
        }
        let checks = compared
            .into_iter()
            .map(|p| {
                let of = match p.threshold.scope {
                    Scope::All => total,
                    Scope::Services => services,
                };
                Check::new(p, of)
            })
            .collect();

        Ok(Declaration {
            period,
            columns,
            receipts,
            not_converted: foreign.into_values().collect(),
            year_to_date: YearToDate {
                from: period.year_start(),
                to: period.last_day(),
                columns: ytd,
                not_converted: ytd_foreign.into_values().collect(),
            },
            checks,
            vat_franchise,
            warnings,
        })
    }

    fn invoice_facts(
        &self,
        number: &str,
        current_activity: Option<Activity>,
    ) -> Result<Facts, StoreError> {
        let conn = self.conn();
        let row: Option<FactsRow> = conn
            .query_row(
                "SELECT id, seller_snapshot, totals, details FROM invoices WHERE number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, seller, totals, details)) = row else {
            return Err(Rejection::NoSuchInvoice(number.to_owned()).into());
        };
        let seller = match seller {
            Some(json) => from_json::<SellerActivity>(&json)?.activity,
            None => current_activity,
        };
        let totals: Totals = from_json(
            &totals.ok_or_else(|| decode(format!("invoice {number} is issued without totals")))?,
        )?;
        let details: InvoiceDetails =
            details.map_or_else(|| Ok(Default::default()), |d| from_json(&d))?;
        let mut stmt = conn.prepare_cached(
            "SELECT nature FROM invoice_lines WHERE invoice_id = ?1 ORDER BY position",
        )?;
        let natures = stmt
            .query_map([id], |r| r.get::<_, Option<String>>(0))?
            .map(|n| n?.map(|n| n.parse::<Nature>().map_err(decode)).transpose())
            .collect::<Result<Vec<_>, StoreError>>()?;
        if natures.len() != totals.lines.len() {
            return Err(decode(format!(
                "invoice {number} has {} lines and {} line totals",
                natures.len(),
                totals.lines.len()
            )));
        }
        Ok(Facts {
            eur_rate: details.eur_rate,
            seller,
            lines: natures.into_iter().zip(totals.lines).collect(),
        })
    }

    /// The user's own thresholds, as stored.
    pub fn your_thresholds(&self) -> Result<Vec<Threshold>, StoreError> {
        match self.setting(THRESHOLDS_SETTING)? {
            Some(json) => declaration::parse_table(&json)
                .map_err(|e| decode(format!("your thresholds ({THRESHOLDS_SETTING}): {e}"))),
            None => Ok(Vec::new()),
        }
    }

    /// The thresholds of `year`: the user's own where they cover it, else
    /// Acquit's ([`declaration::pick`]).
    pub fn thresholds(&self, year: i32) -> Result<Vec<Picked>, StoreError> {
        Ok(declaration::pick(
            year,
            &self.your_thresholds()?,
            declaration::builtin(),
        ))
    }

    /// Keeps `threshold` as the user's own figure. It replaces one of the
    /// same regime, scope and years; one that covers some of the same years
    /// otherwise is refused, so that no figure is dropped unseen. Without a
    /// text of what crossing it means, Acquit's is kept with it
    /// ([`declaration::with_builtin_text`]).
    pub fn set_threshold(&mut self, threshold: &Threshold) -> Result<(), StoreError> {
        threshold.check().map_err(Rejection::from)?;
        let threshold = &declaration::with_builtin_text(threshold.clone());
        self.write(|tx| {
            let mut table = read_yours(tx)?;
            table.retain(|t| {
                !(t.regime == threshold.regime
                    && t.scope == threshold.scope
                    && t.from == threshold.from
                    && t.to == threshold.to)
            });
            if let Some(other) = table.iter().find(|t| {
                t.regime == threshold.regime
                    && t.scope == threshold.scope
                    && overlap(threshold, t)
            }) {
                return Err(Rejection::Invalid(format!(
                    "your {} threshold for {} already covers {}: remove it first (acquit declare thresholds reset --year {})",
                    other.regime.as_str(),
                    other.scope.as_str(),
                    years(other),
                    other.from
                ))
                .into());
            }
            table.push(threshold.clone());
            table.sort_by_key(|t| (t.regime, t.scope, t.from));
            write_yours(tx, &table)
        })
    }

    /// Removes the user's own thresholds that cover `year` (all of them when
    /// none), so Acquit's apply again. Returns how many were removed.
    pub fn remove_thresholds(&mut self, year: Option<i32>) -> Result<usize, StoreError> {
        self.write(|tx| {
            let mut table = read_yours(tx)?;
            let before = table.len();
            table.retain(|t| year.is_some_and(|y| !t.covers(y)));
            write_yours(tx, &table)?;
            Ok(before - table.len())
        })
    }
}

/// `2027` or `2026–2028` or `2026 on`.
fn years(t: &Threshold) -> String {
    match t.to {
        Some(to) if to == t.from => t.from.to_string(),
        Some(to) => format!("{}–{to}", t.from),
        None => format!("{} on", t.from),
    }
}

/// Whether `a` and `b` cover a year in common.
fn overlap(a: &Threshold, b: &Threshold) -> bool {
    let end = |t: &Threshold| t.to.unwrap_or(i32::MAX);
    a.from <= end(b) && b.from <= end(a)
}

fn read_yours(tx: &rusqlite::Transaction<'_>) -> Result<Vec<Threshold>, StoreError> {
    let json: Option<String> = tx
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [THRESHOLDS_SETTING],
            |r| r.get(0),
        )
        .optional()?;
    match json {
        Some(json) => declaration::parse_table(&json)
            .map_err(|e| decode(format!("your thresholds ({THRESHOLDS_SETTING}): {e}"))),
        None => Ok(Vec::new()),
    }
}

fn write_yours(tx: &rusqlite::Transaction<'_>, table: &[Threshold]) -> Result<(), StoreError> {
    if table.is_empty() {
        tx.execute("DELETE FROM settings WHERE key = ?1", [THRESHOLDS_SETTING])?;
    } else {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [THRESHOLDS_SETTING, &declaration::table_to_json(table)],
        )?;
    }
    Ok(())
}

fn add_foreign(sums: &mut BTreeMap<String, Money>, amount: Money) -> Result<(), StoreError> {
    let sum = sums
        .entry(amount.currency().code().to_owned())
        .or_insert(Money::zero(amount.currency()));
    *sum = sum.checked_add(amount).map_err(decode)?;
    Ok(())
}
