//! `acquit import clients FILE [--dry-run] [--skip-bad] [--json]`: clients
//! from a spreadsheet or another tool's CSV export, previewed row by row
//! (`acquit_core::import` reads and checks; the store finds duplicates),
//! then written in one transaction, or nothing at all.

use std::path::{Path, PathBuf};

use acquit_core::Client;
use acquit_core::import::{self, ImportError};
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

/// What happens to one row.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
enum Outcome {
    /// Imported (or, with --dry-run, would be).
    New,
    /// The books already have this client.
    Duplicate { of: String },
    /// An earlier row of the file is the same client.
    Repeated { line: usize },
    /// What is wrong, each problem with how it reads.
    Error { errors: Vec<String> },
}

#[derive(Debug, Serialize)]
struct RowJson {
    line: usize,
    name: Option<String>,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Debug, Serialize)]
struct ReportJson {
    written: bool,
    imported: usize,
    ignored_columns: Vec<String>,
    rows: Vec<RowJson>,
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
    let mut rows = Vec::with_capacity(parsed.rows.len());
    let mut new: Vec<(usize, Client)> = Vec::new();
    for row in parsed.rows {
        let (name, outcome) = match row.result {
            Err(errors) => (None, Outcome::Error { errors }),
            Ok(client) => {
                let name = Some(client.name.clone());
                if let Some((_, existing)) = store.duplicate_of(&client)? {
                    (name, Outcome::Duplicate { of: existing })
                } else if let Some((line, _)) = new
                    .iter()
                    .find(|(_, earlier)| acquit_store::same_client(earlier, &client))
                {
                    (name, Outcome::Repeated { line: *line })
                } else {
                    new.push((row.line, client));
                    (name, Outcome::New)
                }
            }
        };
        rows.push(RowJson {
            line: row.line,
            name,
            outcome,
        });
    }
    let bad = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Error { .. }))
        .count();
    let write = !args.dry_run && (bad == 0 || args.skip_bad) && !new.is_empty();
    if write {
        let clients: Vec<Client> = new.iter().map(|(_, c)| c.clone()).collect();
        store.add_clients(&clients)?;
    }
    let report = ReportJson {
        written: write,
        imported: if write { new.len() } else { 0 },
        ignored_columns: parsed.mapping.ignored,
        rows,
    };
    let out = if args.json {
        to_json(&report)
    } else {
        human(&report, new.len(), args.dry_run)
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
                Outcome::New => "new".into(),
                Outcome::Duplicate { of } => format!("already a client ({of}): left out"),
                Outcome::Repeated { line } => format!("same as line {line}: left out"),
                Outcome::Error { errors } => format!("error: {}", errors.join("; ")),
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
