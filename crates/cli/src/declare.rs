//! `acquit declare --period 2027-03|2027-Q1 [--json]`: what a
//! micro-entrepreneur declares to URSSAF for a month or a quarter — the
//! amounts received, split by activity — and the year so far against the
//! micro-regime and VAT-franchise thresholds. `acquit declare thresholds`
//! shows the thresholds of a year, `… set` keeps the user's own figure,
//! `… reset` goes back to Acquit's.
//!
//! The rules are `acquit_core::declaration`'s and the reading of the books
//! `acquit_store`'s (`Store::declaration`): this module parses and prints.
//! Everything typed is read before the database is opened.

use std::path::Path;

use acquit_core::declaration::{
    self, Check, Columns, Part, Period, Regime, Scope, Threshold, Warning,
};
use acquit_core::{Activity, Currency, Lang, Money};
use acquit_store::{Declaration, Receipt};
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::client::LangArg;
use crate::payment::kind_name;
use crate::table::{Align, Table};
use crate::{CliError, open, to_json};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DeclareArgs {
    #[command(subcommand)]
    command: Option<DeclareCommand>,
    /// The month (2027-03) or quarter (2027-Q1) to declare
    #[arg(long, value_name = "PERIOD", required = true)]
    period: Option<String>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
    /// Language of the labels, warnings and statements [default: en]
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

#[derive(Debug, Subcommand)]
enum DeclareCommand {
    /// The thresholds of a year (yours where you set them, else Acquit's),
    /// with their sources
    Thresholds(ThresholdsArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
struct ThresholdsArgs {
    #[command(subcommand)]
    command: Option<ThresholdsCommand>,
    /// The year [default: this year]
    #[arg(long, value_name = "YYYY")]
    year: Option<i32>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ThresholdsCommand {
    /// Keep your own figure for a threshold, for a year or a range of years
    /// (it replaces yours for the same years, and goes before Acquit's)
    Set(SetArgs),
    /// Remove your own figures, so that Acquit's apply again
    Reset {
        /// Those that cover this year
        #[arg(
            long,
            value_name = "YYYY",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        year: Option<i32>,
        /// All of them
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Args)]
struct SetArgs {
    /// micro (the micro-enterprise ceilings) or vat-franchise
    #[arg(long, value_parser = |s: &str| s.parse::<Regime>())]
    regime: Regime,
    /// all (the total turnover: the goods ceiling) or services
    #[arg(long, value_parser = |s: &str| s.parse::<Scope>())]
    scope: Scope,
    /// The first year it applies to
    #[arg(long, value_name = "YYYY")]
    year: i32,
    /// The last year it applies to [default: --year]
    #[arg(long, value_name = "YYYY")]
    to: Option<i32>,
    /// The threshold in euros, excluding VAT: 83600
    #[arg(long, value_name = "AMOUNT")]
    limit: String,
    /// The VAT franchise's higher threshold (seuil majoré), in euros
    #[arg(long, value_name = "AMOUNT")]
    higher: Option<String>,
    /// Where the figure comes from: the legal text and its year
    #[arg(long, value_name = "TEXT")]
    source: String,
}

pub fn run(args: DeclareArgs, db: &Path) -> Result<String, CliError> {
    match args.command {
        Some(DeclareCommand::Thresholds(t)) => thresholds(t, db),
        None => {
            let input = args.period.unwrap_or_default();
            let period = Period::parse(&input).map_err(CliError::rejected)?;
            let lang = args.lang.map_or(Lang::En, Lang::from);
            let declaration = open(db)?.declaration(period)?;
            Ok(if args.json {
                to_json(&DeclarationJson::new(&declaration, lang))
            } else {
                human(&declaration, lang)
            })
        }
    }
}

fn thresholds(args: ThresholdsArgs, db: &Path) -> Result<String, CliError> {
    match args.command {
        None => {
            let year = args.year.unwrap_or_else(|| acquit_store::today().year());
            let picked = open(db)?.thresholds(year)?;
            if args.json {
                let rows: Vec<ThresholdJson> = picked
                    .iter()
                    .map(|p| ThresholdJson::new(&p.threshold, p.yours, p.outdated))
                    .collect();
                return Ok(to_json(&rows));
            }
            if picked.is_empty() {
                return Ok(format!(
                    "No threshold known for {year}: set them with `acquit declare thresholds set`.\n"
                ));
            }
            let mut table = Table::new(&[
                ("REGIME", Align::Left),
                ("SCOPE", Align::Left),
                ("YEARS", Align::Left),
                ("THRESHOLD", Align::Right),
                ("HIGHER", Align::Right),
                ("FIGURE", Align::Left),
                ("SOURCE", Align::Left),
            ]);
            for p in &picked {
                let t = &p.threshold;
                table.row(vec![
                    t.regime.as_str().to_owned(),
                    t.scope.as_str().to_owned(),
                    years(t),
                    t.limit.format(Lang::Fr),
                    t.higher.map(|h| h.format(Lang::Fr)).unwrap_or_default(),
                    match (p.yours, p.outdated) {
                        (true, false) => "yours",
                        (false, false) => "Acquit's",
                        (true, true) => "yours, outdated",
                        (false, true) => "Acquit's, outdated",
                    }
                    .to_owned(),
                    t.source.clone(),
                ]);
            }
            Ok(format!("Thresholds for {year}\n{}", table.render()))
        }
        Some(ThresholdsCommand::Set(set)) => {
            let amount = |flag: &str, input: &str| {
                Money::parse(input, Currency::EUR)
                    .map_err(|e| CliError::rejected(format!("{flag}: {e}")))
            };
            let threshold = Threshold {
                regime: set.regime,
                scope: set.scope,
                from: set.year,
                to: Some(set.to.unwrap_or(set.year)),
                limit: amount("--limit", &set.limit)?,
                higher: set
                    .higher
                    .as_deref()
                    .map(|h| amount("--higher", h))
                    .transpose()?,
                source: set.source.trim().to_owned(),
                crossed: None,
                higher_crossed: None,
            };
            threshold.check().map_err(CliError::rejected)?;
            open(db)?.set_threshold(&threshold)?;
            Ok(String::new())
        }
        Some(ThresholdsCommand::Reset { year, all }) => {
            let removed = open(db)?.remove_thresholds(if all { None } else { year })?;
            Ok(format!("{removed}\n"))
        }
    }
}

/// `2027`, `2026–2028`, `2026–`.
fn years(t: &Threshold) -> String {
    match t.to {
        Some(to) if to == t.from => t.from.to_string(),
        Some(to) => format!("{}–{to}", t.from),
        None => format!("{}–", t.from),
    }
}

/// `goods`, `commercial-services`, `liberal-services`, `unknown`.
fn activity_name(activity: Option<Activity>) -> &'static str {
    activity.map_or("unknown", Activity::as_str)
}

// --------------------------------------------------------------------- JSON

/// `declare --json`. Amounts are decimal strings in euros unless a
/// `currency` says otherwise.
#[derive(Debug, Serialize)]
struct DeclarationJson {
    /// `2027-03` or `2027-Q1`.
    period: String,
    from: NaiveDate,
    to: NaiveDate,
    currency: &'static str,
    /// goods, commercial-services, liberal-services, unknown: always the four.
    activities: Vec<PartJson>,
    total: AmountsJson,
    /// Receipts in another currency without a euro rate: counted nowhere.
    not_converted: Vec<ForeignJson>,
    receipts: Vec<ReceiptJson>,
    year_to_date: YearToDateJson,
    /// The seller is under the VAT franchise: its thresholds are compared.
    vat_franchise: bool,
    thresholds: Vec<CheckJson>,
    warnings: Vec<WarningJson>,
}

#[derive(Debug, Serialize)]
struct PartJson {
    activity: &'static str,
    received: String,
    excluding_vat: String,
}

impl From<&Part> for PartJson {
    fn from(p: &Part) -> PartJson {
        PartJson {
            activity: activity_name(p.activity),
            received: p.received.to_decimal_string(),
            excluding_vat: p.excluding_vat.to_decimal_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct AmountsJson {
    received: String,
    excluding_vat: String,
}

impl From<Part> for AmountsJson {
    fn from(p: Part) -> AmountsJson {
        AmountsJson {
            received: p.received.to_decimal_string(),
            excluding_vat: p.excluding_vat.to_decimal_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct ForeignJson {
    amount: String,
    currency: String,
}

fn foreign(amounts: &[Money]) -> Vec<ForeignJson> {
    amounts
        .iter()
        .map(|m| ForeignJson {
            amount: m.to_decimal_string(),
            currency: m.currency().code().to_owned(),
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct ReceiptJson {
    date: NaiveDate,
    invoice_number: String,
    client: String,
    /// `payment`, `refund` or `reversal`.
    kind: &'static str,
    /// As in the ledger: in the invoice's currency.
    amount: String,
    currency: String,
    /// In euros; `null` when not converted.
    eur: Option<String>,
    /// Units of the currency per euro, when converted with it.
    eur_rate: Option<String>,
    parts: Vec<PartJson>,
    payment_id: i64,
}

impl From<&Receipt> for ReceiptJson {
    fn from(r: &Receipt) -> ReceiptJson {
        ReceiptJson {
            date: r.entry.date,
            invoice_number: r.entry.invoice_number.clone(),
            client: r.entry.client.clone(),
            kind: kind_name(r.entry.kind),
            amount: r.entry.amount.to_decimal_string(),
            currency: r.entry.amount.currency().code().to_owned(),
            eur: r.eur.map(|m| m.to_decimal_string()),
            eur_rate: r.eur_rate.map(|rate| rate.format(Lang::En)),
            parts: r.parts.iter().map(PartJson::from).collect(),
            payment_id: r.entry.payment_id.0,
        }
    }
}

#[derive(Debug, Serialize)]
struct YearToDateJson {
    from: NaiveDate,
    to: NaiveDate,
    activities: Vec<PartJson>,
    total: AmountsJson,
    /// Commercial and liberal services.
    services: AmountsJson,
    not_converted: Vec<ForeignJson>,
}

#[derive(Debug, Serialize)]
struct ThresholdJson {
    /// `micro` or `vat-franchise`.
    regime: &'static str,
    /// `all` (the total) or `services`.
    scope: &'static str,
    from: i32,
    to: Option<i32>,
    limit: String,
    higher: Option<String>,
    source: String,
    /// Your own figure rather than Acquit's.
    yours: bool,
    /// The figure of an earlier year: none is known for this one.
    outdated: bool,
}

impl ThresholdJson {
    fn new(t: &Threshold, yours: bool, outdated: bool) -> ThresholdJson {
        ThresholdJson {
            regime: t.regime.as_str(),
            scope: t.scope.as_str(),
            from: t.from,
            to: t.to,
            limit: t.limit.to_decimal_string(),
            higher: t.higher.map(|h| h.to_decimal_string()),
            source: t.source.clone(),
            yours,
            outdated,
        }
    }
}

#[derive(Debug, Serialize)]
struct CheckJson {
    #[serde(flatten)]
    threshold: ThresholdJson,
    /// The year's total for the scope, excluding VAT.
    year_to_date: String,
    /// Of the threshold, rounded down.
    percent: i64,
    /// below, near (from 90 %), crossed, near-higher, higher-crossed.
    level: &'static str,
    /// What to know, from 90 % on; `null` below.
    statement: Option<String>,
}

impl CheckJson {
    fn new(c: &Check, lang: Lang) -> CheckJson {
        CheckJson {
            threshold: ThresholdJson::new(&c.picked.threshold, c.picked.yours, c.picked.outdated),
            year_to_date: c.total.to_decimal_string(),
            percent: c.percent(),
            level: c.level.as_str(),
            statement: c.statement(lang),
        }
    }
}

#[derive(Debug, Serialize)]
struct WarningJson {
    /// unknown-activity, not-converted, outdated, no-thresholds.
    kind: &'static str,
    message: String,
}

impl WarningJson {
    fn new(w: &Warning, lang: Lang) -> WarningJson {
        WarningJson {
            kind: w.code(),
            message: w.message(lang),
        }
    }
}

fn sum(columns: &Columns, f: fn(&Columns) -> Result<Part, acquit_core::MoneyError>) -> Part {
    // The store added these same parts without overflowing.
    f(columns).unwrap_or_else(|_| Part::zero(None, Currency::EUR))
}

impl DeclarationJson {
    fn new(d: &Declaration, lang: Lang) -> DeclarationJson {
        let ytd = &d.year_to_date;
        DeclarationJson {
            period: d.period.to_string(),
            from: d.period.first_day(),
            to: d.period.last_day(),
            currency: "EUR",
            activities: d.columns.rows().iter().map(PartJson::from).collect(),
            total: sum(&d.columns, Columns::total).into(),
            not_converted: foreign(&d.not_converted),
            receipts: d.receipts.iter().map(ReceiptJson::from).collect(),
            year_to_date: YearToDateJson {
                from: ytd.from,
                to: ytd.to,
                activities: ytd.columns.rows().iter().map(PartJson::from).collect(),
                total: sum(&ytd.columns, Columns::total).into(),
                services: sum(&ytd.columns, Columns::services).into(),
                not_converted: foreign(&ytd.not_converted),
            },
            vat_franchise: d.vat_franchise,
            thresholds: d.checks.iter().map(|c| CheckJson::new(c, lang)).collect(),
            warnings: d
                .warnings
                .iter()
                .map(|w| WarningJson::new(w, lang))
                .collect(),
        }
    }
}

// -------------------------------------------------------------------- human

fn human(d: &Declaration, lang: Lang) -> String {
    let money = |m: Money| m.format(Lang::Fr);
    let mut out = format!(
        "{} ({} – {}), received in euros\n",
        match lang {
            Lang::Fr => format!("Déclaration du {}", d.period.label(lang)),
            Lang::En => format!("Declaration for {}", d.period.label(lang)),
        },
        d.period.first_day(),
        d.period.last_day()
    );
    let mut table = Table::new(&[
        ("ACTIVITY", Align::Left),
        ("RECEIVED", Align::Right),
        ("EXCLUDING VAT", Align::Right),
    ]);
    for row in d.columns.rows() {
        if row.activity.is_none() && row.received.is_zero() && row.excluding_vat.is_zero() {
            continue;
        }
        table.row(vec![
            declaration::column_label(row.activity, lang).to_owned(),
            money(row.received),
            money(row.excluding_vat),
        ]);
    }
    let total = sum(&d.columns, Columns::total);
    table.row(vec![
        "Total".into(),
        money(total.received),
        money(total.excluding_vat),
    ]);
    out.push_str(&table.render());
    for m in &d.not_converted {
        out.push_str(&format!("Not converted (no euro rate): {}\n", money(*m)));
    }
    let ytd = &d.year_to_date;
    out.push_str(&format!(
        "\nYear to date ({} – {}): {} excluding VAT, of which services {}\n",
        ytd.from,
        ytd.to,
        money(sum(&ytd.columns, Columns::total).excluding_vat),
        money(sum(&ytd.columns, Columns::services).excluding_vat)
    ));
    if !d.checks.is_empty() {
        let mut table = Table::new(&[
            ("THRESHOLD", Align::Left),
            ("LIMIT", Align::Right),
            ("HIGHER", Align::Right),
            ("YEAR TO DATE", Align::Right),
            ("%", Align::Right),
            ("LEVEL", Align::Left),
        ]);
        for c in &d.checks {
            let t = &c.picked.threshold;
            table.row(vec![
                t.name(lang).to_owned(),
                money(t.limit),
                t.higher.map(money).unwrap_or_default(),
                money(c.total),
                c.percent().to_string(),
                c.level.as_str().to_owned(),
            ]);
        }
        out.push_str(&table.render());
    }
    if !d.vat_franchise {
        out.push_str(match lang {
            Lang::Fr => {
                "Vous facturez la TVA\u{a0}: les seuils de la franchise en base ne sont pas comparés.\n"
            }
            Lang::En => "You charge VAT: the VAT franchise thresholds are not compared.\n",
        });
    }
    let statements: Vec<String> = d
        .checks
        .iter()
        .filter_map(|c| c.statement(lang))
        .chain(d.warnings.iter().map(|w| w.message(lang)))
        .collect();
    if !statements.is_empty() {
        out.push('\n');
        for s in statements {
            out.push_str(&format!("! {s}\n"));
        }
    }
    out
}
