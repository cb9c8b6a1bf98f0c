//! Keeping the books safe: `acquit journal verify`, `acquit backup`,
//! `acquit restore`.
//!
//! A broken journal is a finding about the data, not a failure of the
//! command: `journal verify` then exits 1 (the user must act: restore a
//! backup), with `--json` still printing the report on stdout.

use std::path::{Path, PathBuf};

use acquit_store::{JournalProblem, StoreError};
use clap::Subcommand;
use serde::Serialize;

use crate::ledger::{parent_of, same_file};
use crate::{CliError, open, to_json};

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check the hash chain of issued documents and payments against the
    /// tables: exit 0 if intact, 1 if broken (then restore a backup)
    Verify {
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Serialize)]
struct ReportJson<'a> {
    intact: bool,
    entries: u64,
    /// The first problem found: `{seq, subject, what}`, `seq` 0 for a
    /// document or payment missing from the journal.
    problem: Option<&'a JournalProblem>,
}

pub fn journal(command: JournalCommand, db: &Path) -> Result<String, CliError> {
    let JournalCommand::Verify { json } = command;
    let report = open(db)?.verify_journal()?;
    let output = if json {
        to_json(&ReportJson {
            intact: report.problem.is_none(),
            entries: report.entries,
            problem: report.problem.as_ref(),
        })
    } else {
        String::new()
    };
    match report.problem {
        None if json => Ok(output),
        None => Ok(format!(
            "journal intact: {} {}\n",
            report.entries,
            if report.entries == 1 {
                "entry"
            } else {
                "entries"
            }
        )),
        Some(problem) => Err(CliError::Finding {
            stdout: output,
            message: format!(
                "the journal is broken at {problem}: restore a backup (`acquit restore FILE`)"
            ),
        }),
    }
}

/// `acquit backup [--out FILE]`: an online copy, checked; without `--out`
/// a rotated one in `backups/` next to the database.
pub fn backup(out: Option<PathBuf>, db: &Path) -> Result<String, CliError> {
    if let Some(out) = &out {
        if out.exists() {
            return Err(CliError::rejected(format!(
                "--out {} already exists: choose a new file name (a backup never overwrites a file)",
                out.display()
            )));
        }
        let parent = parent_of(out);
        if !parent.is_dir() {
            return Err(CliError::rejected(format!(
                "--out {}: the folder {} does not exist: create it first",
                out.display(),
                parent.display()
            )));
        }
    }
    if !db.is_file() {
        return Err(CliError::rejected(format!(
            "there is no database at {}: nothing to back up (check --db or ACQUIT_DB)",
            db.display()
        )));
    }
    let store = open(db)?;
    let written = match out {
        Some(out) => {
            store.backup(&out)?;
            out
        }
        None => store.backup_rotated(&parent_of(db).join("backups"))?,
    };
    Ok(format!("{}\n", written.display()))
}

/// `acquit restore FILE`: checks the backup before touching the database,
/// saves the database aside, then copies the backup in.
pub fn restore(file: PathBuf, db: &Path) -> Result<String, CliError> {
    if same_file(&file, db) {
        return Err(CliError::rejected(format!(
            "{} is the database itself: give a backup file (see the folder {})",
            file.display(),
            parent_of(db).join("backups").display()
        )));
    }
    acquit_store::check_backup(&file).map_err(|error| match error {
        StoreError::NotADatabase { path } => CliError::rejected(format!(
            "{} is not an Acquit backup (it is not a SQLite file): give a file made by `acquit backup`; nothing was changed",
            path.display()
        )),
        StoreError::Corrupt { path, details } => CliError::rejected(format!(
            "{} is damaged ({details}) and cannot be restored: try an older backup; nothing was changed",
            path.display()
        )),
        other => CliError::from(other),
    })?;
    let mut store = crate::open_or_create(db)?;
    let safety = store.restore_from(&file)?;
    Ok(format!(
        "Restored {} into {}.\nThe database as it was before is saved as {}.\n",
        file.display(),
        store.path().display(),
        safety.display()
    ))
}
