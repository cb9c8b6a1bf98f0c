//! `acquit import clients FILE [--dry-run] [--skip-bad] [--json]`: clients
//! from a spreadsheet or another tool's CSV export, previewed row by row
//! (`acquit_core::import` reads and checks; the store finds duplicates),
//! then written in one transaction, or nothing at all.
//!
//! `acquit import invoices FILE [--dry-run] [--skip-bad] [--new-series
//! REASON] [--pdfs DIR] [--json]`: the invoices issued before Acquit
//! (`acquit_core::import_invoices`, `Store::plan_invoice_import`), the
//! same way: previewed, then all written or none.

use std::path::{Path, PathBuf};

use acquit_core::import::{self, ImportError};
use acquit_store::{ImportOutcome, PlannedRow};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::table::{Align, Table};
use crate::{CliError, open, to_json};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Clients from a CSV file (comma or semicolon, UTF-8 or Windows-1252;
    /// the exports of Invoice Ninja or a spreadsheet) or vCards (an address
    /// book's or a phone's .vcf): each row or card checked,
    /// duplicates of existing clients left out, nothing written while a row
    /// has an error (unless --skip-bad)
    Clients(ClientsArgs),
    /// Invoices issued before Acquit, in another tool (one row per VAT
    /// rate: number, date, client, rate, amount without VAT, VAT, paid and
    /// when): they count in the ledger, the declaration, the reminders and
    /// the dashboard, are never renumbered, and the numbering goes on after
    /// them (after F-2026-0147 comes F-2026-0148)
    Invoices(InvoicesArgs),
}

#[derive(Debug, Args)]
pub struct InvoicesArgs {
    /// The CSV file; its first line names the columns (Numéro, Date,
    /// Client, Taux TVA, Montant HT, TVA, Payée, Date de paiement…)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Show what would be imported, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Import the good invoices and leave out those with errors
    #[arg(long)]
    skip_bad: bool,
    /// When the former numbers are not of your pattern: why Acquit's
    /// series starts anew (recorded with the last former number)
    #[arg(long, value_name = "REASON")]
    new_series: Option<String>,
    /// A folder of the former tool's PDFs, named by number (F-2026-0147.pdf):
    /// kept with each invoice, and what Acquit gives for it
    #[arg(long, value_name = "DIR")]
    pdfs: Option<PathBuf>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct InvoicesJson {
    written: bool,
    imported: usize,
    columns: Vec<ColumnJson>,
    ignored_columns: Vec<String>,
    /// Series continued: after `last`, Acquit issues `next`.
    continued: Vec<acquit_store::Continued>,
    /// Numbers not of the pattern (a new series; --new-series says why).
    foreign: Vec<String>,
    /// Numbers whose PDF was found in --pdfs.
    pdfs: Vec<String>,
    invoices: Vec<acquit_store::PlannedInvoice>,
}

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// The CSV file (its first line names the columns: Nom, Email,
    /// SIREN…) or vCard file
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Show what would be imported, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Import the good rows and leave out those with errors
    #[arg(long)]
    skip_bad: bool,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

/// A column read: the file's header and what Acquit takes it for.
#[derive(Debug, Serialize)]
struct ColumnJson {
    header: String,
    field: &'static str,
}

/// The columns read, as `--json` gives them.
fn columns_json<C: Copy>(columns: &[(String, C)], key: fn(C) -> &'static str) -> Vec<ColumnJson> {
    columns
        .iter()
        .map(|(header, c)| ColumnJson {
            header: header.clone(),
            field: key(*c),
        })
        .collect()
}

/// The report, or the refusal that carries it when rows are bad and
/// neither skipped nor only previewed (nothing was written then).
fn held_back(out: String, bad: usize, noun: &str, go_on: bool) -> Result<String, CliError> {
    if bad > 0 && !go_on {
        return Err(CliError::Finding {
            stdout: out,
            message: format!(
                "{bad} {noun}(s) have errors: nothing was imported; fix them in the file, or import the others with --skip-bad"
            ),
        });
    }
    Ok(out)
}

/// The last line of a report: what was (or would be) imported.
fn closing(written: bool, imported: usize, new: usize, dry_run: bool, noun: &str) -> String {
    if written {
        format!("{imported} {noun}(s) imported.\n")
    } else if dry_run {
        format!("{new} {noun}(s) would be imported (--dry-run: nothing written).\n")
    } else if new == 0 {
        "Nothing new to import.\n".into()
    } else {
        "Nothing imported.\n".into()
    }
}

fn columns_line(columns: &[ColumnJson]) -> String {
    format!(
        "Columns read: {}.\n",
        columns
            .iter()
            .map(|c| format!("{} → {}", c.header, c.field))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[derive(Debug, Serialize)]
struct ReportJson {
    written: bool,
    imported: usize,
    columns: Vec<ColumnJson>,
    ignored_columns: Vec<String>,
    rows: Vec<PlannedRow>,
}

pub fn run(command: ImportCommand, db: &Path) -> Result<String, CliError> {
    match command {
        ImportCommand::Clients(args) => clients(args, db),
        ImportCommand::Invoices(args) => invoices(args, db),
    }
}

fn invoices(args: InvoicesArgs, db: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        CliError::rejected(format!("{} could not be read: {e}", args.file.display()))
    })?;
    let parsed = acquit_core::import_invoices::invoices(&bytes)
        .map_err(|e: ImportError| CliError::rejected(e.to_string()))?;
    let mut store = open(db)?;
    let plan = store.plan_invoice_import(parsed, acquit_store::today())?;
    let mut pdfs = std::collections::BTreeMap::new();
    if let Some(dir) = &args.pdfs {
        if !dir.is_dir() {
            return Err(CliError::rejected(format!(
                "{} is not a folder: give the folder of the former PDFs, named by number",
                dir.display()
            )));
        }
        for invoice in &plan.new {
            let path = dir.join(format!("{}.pdf", invoice.number));
            if let Ok(pdf) = std::fs::read(&path) {
                if !pdf.starts_with(b"%PDF-") {
                    return Err(CliError::rejected(format!(
                        "{} is not a PDF: leave it out of the folder, or replace it",
                        path.display()
                    )));
                }
                pdfs.insert(invoice.number.clone(), pdf);
            }
        }
    }
    let bad = plan.errors();
    let new = plan.new.len();
    let write = !args.dry_run && (bad == 0 || args.skip_bad) && new > 0;
    if write {
        store.import_invoices(&plan, args.new_series.as_deref(), &pdfs)?;
    }
    let report = InvoicesJson {
        written: write,
        imported: if write { new } else { 0 },
        columns: columns_json(&plan.columns, |c| c.key()),
        ignored_columns: plan.ignored_columns,
        continued: plan.continued,
        foreign: plan.foreign,
        pdfs: pdfs.into_keys().collect(),
        invoices: plan.rows,
    };
    let out = if args.json {
        to_json(&report)
    } else {
        invoices_human(&report, new, args.dry_run)
    };
    held_back(out, bad, "invoice", args.skip_bad || args.dry_run)
}

fn invoices_human(report: &InvoicesJson, new: usize, dry_run: bool) -> String {
    let mut table = Table::new(&[
        ("LINE", Align::Right),
        ("NUMBER", Align::Left),
        ("TOTAL", Align::Right),
        ("PAID", Align::Right),
        ("OUTCOME", Align::Left),
    ]);
    for row in &report.invoices {
        table.row(vec![
            row.lines
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            row.number.clone().unwrap_or_else(|| "–".into()),
            row.total.clone().unwrap_or_default(),
            row.paid.clone().unwrap_or_default(),
            match &row.outcome {
                acquit_store::PastOutcome::New { client, new_client } => {
                    if *new_client {
                        format!("new, for {client} (a new client)")
                    } else {
                        format!("new, for {client}")
                    }
                }
                acquit_store::PastOutcome::Already => "imported before: left out".into(),
                acquit_store::PastOutcome::Error { errors } => {
                    format!("error: {}", errors.join("; "))
                }
            },
        ]);
    }
    let mut out = table.render();
    out.push_str(&columns_line(&report.columns));
    if !report.ignored_columns.is_empty() {
        out.push_str(&format!(
            "Columns left out (not recognised): {}.\n",
            report.ignored_columns.join(", ")
        ));
    }
    for c in &report.continued {
        out.push_str(&format!(
            "The numbering continues: after {}, Acquit issues {}.\n",
            c.last, c.next
        ));
    }
    if !report.foreign.is_empty() {
        out.push_str(&format!(
            "Not of your numbering pattern (a new series starts): {}.\n",
            report.foreign.join(", ")
        ));
    }
    if !report.pdfs.is_empty() {
        out.push_str(&format!("PDFs kept: {}.\n", report.pdfs.join(", ")));
    }
    out.push_str(&closing(
        report.written,
        report.imported,
        new,
        dry_run,
        "invoice",
    ));
    out
}

fn clients(args: ClientsArgs, db: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        CliError::rejected(format!("{} could not be read: {e}", args.file.display()))
    })?;
    let parsed =
        import::clients(&bytes).map_err(|e: ImportError| CliError::rejected(e.to_string()))?;
    let mut store = open(db)?;
    let plan = store.plan_client_import(parsed)?;
    let bad = plan.errors();
    let new = plan.new.len();
    let write = !args.dry_run && (bad == 0 || args.skip_bad) && new > 0;
    if write {
        store.add_clients(&plan.new)?;
    }
    let report = ReportJson {
        written: write,
        imported: if write { new } else { 0 },
        columns: columns_json(&plan.columns, |c| c.key()),
        ignored_columns: plan.ignored_columns,
        rows: plan.rows,
    };
    let out = if args.json {
        to_json(&report)
    } else {
        human(&report, new, args.dry_run)
    };
    held_back(out, bad, "row", args.skip_bad || args.dry_run)
}

fn human(report: &ReportJson, new: usize, dry_run: bool) -> String {
    let mut table = Table::new(&[
        ("LINE", Align::Right),
        ("NAME", Align::Left),
        ("OUTCOME", Align::Left),
    ]);
    for row in &report.rows {
        table.row(vec![
            row.line.to_string(),
            row.name.clone().unwrap_or_else(|| "–".into()),
            match &row.outcome {
                ImportOutcome::New => "new".into(),
                ImportOutcome::Duplicate { of } => format!("already a client ({of}): left out"),
                ImportOutcome::Repeated { line } => format!("same as line {line}: left out"),
                ImportOutcome::Error { errors } => format!(
                    "error: {}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            },
        ]);
    }
    let mut out = table.render();
    out.push_str(&columns_line(&report.columns));
    if !report.ignored_columns.is_empty() {
        out.push_str(&format!(
            "Columns left out (not recognised): {}.\n",
            report.ignored_columns.join(", ")
        ));
    }
    out.push_str(&closing(
        report.written,
        report.imported,
        new,
        dry_run,
        "client",
    ));
    out
}
