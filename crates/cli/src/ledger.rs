//! `acquit ledger [export --csv FILE]`: the receipts ledger (registre des
//! recettes), every payment, refund and counter-entry in date order.
//!
//! The CSV export is for an accountant or a spreadsheet: UTF-8 without a
//! byte order mark, a header row, fields quoted as RFC 4180 says (only when
//! they hold a comma, a quote or a line break; quotes doubled), lines ending
//! with CRLF, amounts as plain decimals with a `.`. It is written to a temp
//! file next to the target, synced, then renamed over it, so a reader never
//! sees half a file and a failed export leaves the old one in place.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use acquit_core::{Currency, Lang, Money};
use acquit_store::LedgerEntry;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::payment::kind_name;
use crate::table::{Align, Table};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LedgerArgs {
    #[command(subcommand)]
    command: Option<LedgerCommand>,
    #[command(flatten)]
    range: Range,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Write the ledger to a CSV file and print how many rows it has
    Export {
        /// The CSV file to write (replaced if it exists)
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        #[command(flatten)]
        range: Range,
    },
}

#[derive(Debug, Args)]
struct Range {
    /// From this day, YYYY-MM-DD (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// To this day, YYYY-MM-DD (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
}

impl Range {
    fn parse(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), CliError> {
        parse::date_range(self.from.as_deref(), self.to.as_deref())
    }
}

pub fn run(args: LedgerArgs, db: &Path) -> Result<String, CliError> {
    match args.command {
        None => {
            let (from, to) = args.range.parse()?;
            let entries = open(db)?.ledger(from, to)?;
            Ok(if args.json {
                to_json(&entries.iter().map(EntryJson::from).collect::<Vec<_>>())
            } else {
                human(&entries)
            })
        }
        Some(LedgerCommand::Export { csv, range }) => {
            let (from, to) = range.parse()?;
            check_destination(&csv, db)?;
            let entries = open(db)?.ledger(from, to)?;
            // The same CSV as `export all` and the app write.
            write_atomically(
                &csv,
                acquit_documents::export::ledger_csv(&entries).as_bytes(),
            )?;
            Ok(format!("{}\n", entries.len()))
        }
    }
}

/// One entry of `ledger --json`.
#[derive(Debug, Serialize)]
struct EntryJson {
    date: NaiveDate,
    invoice_number: String,
    client: String,
    /// `payment`, `refund` or `reversal`.
    kind: &'static str,
    method: &'static str,
    /// For Stripe payments: `card` or `sepa_debit` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    stripe_method: Option<&'static str>,
    amount: String,
    currency: String,
    /// `null` while unknown (a Stripe fee not reported yet).
    fee: Option<String>,
    /// Amount − fee; `null` while the fee is unknown.
    net: Option<String>,
    reference: Option<String>,
    payment_id: i64,
}

impl From<&LedgerEntry> for EntryJson {
    fn from(e: &LedgerEntry) -> EntryJson {
        EntryJson {
            date: e.date,
            invoice_number: e.invoice_number.clone(),
            client: e.client.clone(),
            kind: kind_name(e.kind),
            method: e.method.as_str(),
            stripe_method: e.stripe_method.map(|m| m.as_str()),
            amount: e.amount.to_decimal_string(),
            currency: e.amount.currency().code().to_owned(),
            fee: e.fee.map(|f| f.to_decimal_string()),
            net: e.net.map(|n| n.to_decimal_string()),
            reference: e.reference.clone(),
            payment_id: e.payment_id.0,
        }
    }
}

fn human(entries: &[LedgerEntry]) -> String {
    if entries.is_empty() {
        return "No receipts in this period.\n".into();
    }
    let mut table = Table::new(&[
        ("DATE", Align::Left),
        ("INVOICE", Align::Left),
        ("CLIENT", Align::Left),
        ("KIND", Align::Left),
        ("METHOD", Align::Left),
        ("AMOUNT", Align::Right),
        ("FEE", Align::Right),
        ("NET", Align::Right),
        ("REFERENCE", Align::Left),
    ]);
    // Totals per currency, in minor units (i128: no sum of i64 overflows).
    let mut totals: BTreeMap<String, (Currency, i128, i128)> = BTreeMap::new();
    for e in entries {
        table.row(vec![
            e.date.to_string(),
            e.invoice_number.clone(),
            e.client.clone(),
            kind_name(e.kind).to_owned(),
            e.method_label(),
            e.amount.format(Lang::Fr),
            e.fee.map(|f| f.format(Lang::Fr)).unwrap_or_default(),
            e.net.map(|n| n.format(Lang::Fr)).unwrap_or_default(),
            e.reference.clone().unwrap_or_default(),
        ]);
        let currency = e.amount.currency();
        let total = totals
            .entry(currency.code().to_owned())
            .or_insert((currency, 0, 0));
        total.1 += i128::from(e.amount.minor());
        total.2 += i128::from(e.fee.map_or(0, |f| f.minor()));
    }
    let mut out = table.render();
    for (currency, amount, fees) in totals.into_values() {
        let money = |minor: i128| {
            i64::try_from(minor)
                .map(|m| Money::new(m, currency).format(Lang::Fr))
                .unwrap_or_else(|_| "(too large)".into())
        };
        out.push_str(&format!(
            "Total {}: {} received, {} in known fees\n",
            currency.code(),
            money(amount),
            money(fees)
        ));
    }
    out
}

/// Refuses, before anything is opened, a destination that cannot be
/// written: a folder, a missing folder, the database itself.
fn check_destination(file: &Path, db: &Path) -> Result<(), CliError> {
    if file.is_dir() {
        return Err(CliError::rejected(format!(
            "--csv {} is a folder: give a file name, e.g. {}",
            file.display(),
            file.join("ledger.csv").display()
        )));
    }
    let parent = parent_of(file);
    if !parent.is_dir() {
        return Err(CliError::rejected(format!(
            "--csv {}: the folder {} does not exist: create it first",
            file.display(),
            parent.display()
        )));
    }
    if same_file(file, db) {
        return Err(CliError::rejected(format!(
            "--csv {} is the database itself: choose another file",
            file.display()
        )));
    }
    Ok(())
}

/// The folder `file` is in (`.` for a bare file name).
pub fn parent_of(file: &Path) -> &Path {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Whether `a` and `b` name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `bytes` to a temp file in `file`'s folder, syncs it, and renames
/// it over `file`.
fn write_atomically(file: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let fail =
        |e: std::io::Error| CliError::Outside(format!("could not write {}: {e}", file.display()));
    let dir = parent_of(file);
    let mut temp = tempfile::Builder::new()
        .prefix(".acquit-export-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(file).map_err(|e| fail(e.error))?;
    // The rename itself survives a power cut once the folder is synced
    // (not possible everywhere: best effort).
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}
