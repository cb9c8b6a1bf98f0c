//! `acquit import clients FILE [--dry-run] [--skip-bad] [--json]`: clients
//! from a spreadsheet or another tool's CSV export, previewed row by row
//! (`acquit_core::import` reads and checks; the store finds duplicates),
//! then written in one transaction, or nothing at all.

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
    /// the exports of Invoice Ninja or a spreadsheet): each row checked,
    /// duplicates of existing clients left out, nothing written while a row
    /// has an error (unless --skip-bad)
    Clients(ClientsArgs),
}

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// The CSV file; its first line names the columns (Nom, Email, SIREN…)
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

#[derive(Debug, Serialize)]
struct ReportJson {
    written: bool,
    imported: usize,
    ignored_columns: Vec<String>,
    rows: Vec<PlannedRow>,
}

pub fn run(command: ImportCommand, db: &Path) -> Result<String, CliError> {
    match command {
        ImportCommand::Clients(args) => clients(args, db),
    }
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
        ignored_columns: plan.ignored_columns,
        rows: plan.rows,
    };
    let out = if args.json {
        to_json(&report)
    } else {
        human(&report, new, args.dry_run)
    };
    if bad > 0 && !args.skip_bad && !args.dry_run {
        return Err(CliError::Finding {
            stdout: out,
            message: format!(
                "{bad} row(s) have errors: nothing was imported; fix them in the file, or import the others with --skip-bad"
            ),
        });
    }
    Ok(out)
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
                ImportOutcome::Error { errors } => format!("error: {}", errors.join("; ")),
            },
        ]);
    }
    let mut out = table.render();
    if !report.ignored_columns.is_empty() {
        out.push_str(&format!(
            "Columns left out (not recognised): {}.\n",
            report.ignored_columns.join(", ")
        ));
    }
    out.push_str(&if report.written {
        format!("{} client(s) imported.\n", report.imported)
    } else if dry_run {
        format!("{new} client(s) would be imported (--dry-run: nothing written).\n")
    } else if new == 0 {
        "Nothing new to import.\n".into()
    } else {
        "Nothing imported.\n".into()
    });
    out
}
