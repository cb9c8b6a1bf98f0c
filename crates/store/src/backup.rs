//! Backups and restores, with SQLite's online backup API (a consistent copy
//! even while the app writes).
//!
//! `backup_rotated` writes `acquit-YYYYMMDD-HHMMSS.db` into a folder and
//! keeps the newest [`KEEP`]. `restore_from` first checks the backup (a
//! SQLite file, Acquit's, a schema this version knows, integrity, and an
//! intact journal), then saves the current database next to it, and only
//! then copies the backup in. A refused restore changes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, MAIN_DB, OpenFlags};

use crate::{
    APPLICATION_ID, MIGRATION_COUNT, Rejection, Store, StoreError, backup_to, check_header,
    not_a_database, read_identity,
};

/// How many rotated backups are kept.
pub const KEEP: usize = 20;

impl Store {
    /// Backs up into `dir` under a timestamped name, deleting the oldest
    /// rotated backups beyond [`KEEP`]. Returns the new file.
    pub fn backup_rotated(&self, dir: &Path) -> Result<PathBuf, StoreError> {
        crate::private::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%.3f");
        let dest = dir.join(format!("acquit-{stamp}.db"));
        backup_to(self.conn(), &dest)?;
        let mut rotated: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io_error(dir, e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("acquit-") && n.ends_with(".db"))
            })
            .collect();
        rotated.sort();
        let excess = rotated.len().saturating_sub(KEEP);
        for old in &rotated[..excess] {
            std::fs::remove_file(old).map_err(|e| io_error(old, e))?;
        }
        Ok(dest)
    }

    /// Replaces this database's content with the backup at `backup`, after
    /// checking it. The current content is first saved as
    /// `<db>.before-restore-<time>.db`, whose path is returned.
    pub fn restore_from(&mut self, backup: &Path) -> Result<PathBuf, StoreError> {
        check_backup(backup)?;
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%.3f");
        let mut safety = self
            .path()
            .with_extension(format!("before-restore-{stamp}.db"));
        // Never overwrite an earlier safety copy, however close in time.
        let mut n = 1;
        while safety.exists() {
            n += 1;
            safety = self
                .path()
                .with_extension(format!("before-restore-{stamp}-{n}.db"));
        }
        backup_to(self.conn(), &safety)?;
        self.conn
            .restore(MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)
            .map_err(|source| StoreError::Backup {
                path: backup.to_path_buf(),
                source,
            })?;
        // Bring an older backup up to this version's schema.
        let reopened = Store::open(self.path())?;
        *self = reopened;
        Ok(safety)
    }
}

/// The folder of rotated backups for the database at `db`: `backups/` next
/// to it (the CLI's `acquit backup`, the app, the backup before an update).
pub fn backups_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("backups")
}

/// One rotated backup in a backups folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    pub path: PathBuf,
    /// When it was made (local time), read from its name.
    pub made: chrono::NaiveDateTime,
    pub bytes: u64,
}

/// The rotated backups in `dir`, newest first; none when `dir` does not
/// exist. Other files are left out.
pub fn list_backups(dir: &Path) -> Result<Vec<BackupFile>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Some(stamp) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("acquit-")?.strip_suffix(".db"))
        else {
            continue;
        };
        let Ok(made) = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S%.3f") else {
            continue;
        };
        let meta = entry.metadata().map_err(|e| io_error(&path, e))?;
        if meta.is_file() {
            found.push(BackupFile {
                path,
                made,
                bytes: meta.len(),
            });
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.made));
    Ok(found)
}

/// Checks that `path` is a usable Acquit backup without changing it.
pub fn check_backup(path: &Path) -> Result<(), StoreError> {
    if !path.is_file() {
        return Err(Rejection::Invalid(format!(
            "{} does not exist or is not a file",
            path.display()
        ))
        .into());
    }
    check_header(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_a_database(e, path))?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let (app_id, version, _) = read_identity(&conn).map_err(|e| not_a_database(e, path))?;
    if app_id != APPLICATION_ID || version == 0 {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
        });
    }
    if version > MIGRATION_COUNT {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: MIGRATION_COUNT,
        });
    }
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            details: check,
        });
    }
    if let Some(problem) = schema_problem(&conn, version)? {
        return Err(Rejection::Invalid(format!(
            "{} is not an Acquit backup as Acquit writes them ({problem}): it was changed outside Acquit; restore another backup",
            path.display()
        ))
        .into());
    }
    if version == MIGRATION_COUNT {
        let store = Store {
            conn,
            path: path.to_path_buf(),
            pending: None,
        };
        journal_verifies(&store, path, true)?;
    } else {
        // An older backup is brought up to date when restored: try it on a
        // copy first, so that one the upgrade or its checks refuse (data an
        // older schema let in) is refused here and the books stay as they
        // are (a fuzz find).
        drop(conn);
        let dir = tempfile::tempdir().map_err(|e| io_error(path, e))?;
        let copy = dir.path().join("upgrade-check.db");
        std::fs::copy(path, &copy).map_err(|e| io_error(path, e))?;
        let upgraded = match Store::open(&copy) {
            Ok(upgraded) => upgraded,
            Err(error) => {
                // What went wrong, without the temporary copy's path.
                let why = match error {
                    StoreError::Corrupt { details, .. } => details,
                    StoreError::SchemaChanged { problem, .. } => problem,
                    StoreError::MigrationFailed { reason, .. } => reason,
                    other => other.to_string(),
                };
                return Err(Rejection::Invalid(format!(
                    "{} cannot be brought up to this version of Acquit ({why}): restore another backup",
                    path.display()
                ))
                .into());
            }
        };
        // Read to the end (a fuzz find: an older backup with two bits
        // flipped in a text column was restored, and then its books could
        // not be read). Its journal's findings do not refuse it: books from
        // before the journal (schema 1) have invoices it never saw.
        journal_verifies(&upgraded, path, false)?;
    }
    Ok(())
}

/// Refuses the backup at `path` (open as `store`) when its books cannot be
/// read to the end (a value that is not UTF-8 in a text column: a fuzz
/// find) or, when `strict`, unless its journal verifies.
fn journal_verifies(store: &Store, path: &Path, strict: bool) -> Result<(), StoreError> {
    let problem = match store.verify_journal() {
        Ok(report) if strict => report.problem.map(|p| p.to_string()),
        Ok(_) => None,
        Err(StoreError::Sqlite(e)) => {
            return Err(Rejection::Invalid(format!(
                "{} is damaged: a row cannot be read ({e}); restore another backup",
                path.display()
            ))
            .into());
        }
        Err(other) => return Err(other),
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Rejection::Invalid(format!(
            "{} is not a faithful backup: its journal is broken at {problem}",
            path.display()
        ))
        .into()),
    }
}

/// How a database's schema differs from the one Acquit makes at `version`
/// (an in-memory database migrated to it), if it does: every table, index
/// and trigger by its text ([`schema_of`]). The lock triggers are what make
/// issued invoices, payments and the journal immutable whatever program
/// opens the file, and a table's `CHECK`s what keeps its rows sane: a copy
/// without one must not come back. SQLite rewrites a table's text on a
/// rename (migration 5 renames `stripe_events_new`), the same way in the
/// file and in the migrated reference, so the texts still compare.
pub(crate) fn schema_problem(
    conn: &Connection,
    version: usize,
) -> Result<Option<String>, StoreError> {
    let want = if version == crate::MIGRATION_COUNT {
        current_schema()
    } else {
        let mut expected = Connection::open_in_memory()?;
        crate::migrations().to_version(&mut expected, version)?;
        schema_of(&expected)?
    };
    let have = schema_of(conn)?;
    for (what, sql) in &want {
        match have.get(what) {
            None => return Ok(Some(format!("its {what} is missing"))),
            Some(found) if found != sql => return Ok(Some(format!("its {what} was changed"))),
            Some(_) => {}
        }
    }
    Ok(have
        .keys()
        .find(|what| !want.contains_key(*what))
        .map(|what| format!("it has an unknown {what}")))
}

/// The schema the migrations make, as [`schema_of`] reads it, kept in
/// `schema.txt` (one object a line: `kind name<TAB>shape`): making it
/// again from the migrations costs 10 ms, at every `acquit` command. The
/// test `the_kept_schema_is_what_the_migrations_make` rewrites the file
/// with `ACQUIT_WRITE_FIXTURE=1` after a new migration.
fn current_schema() -> std::collections::BTreeMap<String, String> {
    include_str!("schema.txt")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(what, shape)| (what.to_owned(), shape.to_owned()))
        .collect()
}

/// "trigger invoices_locked_update" (or "table payments", "index …") → its
/// SQL text as SQLite keeps it, comments dropped and whitespace collapsed.
/// The whole text, a table's included: a `CHECK` or a default is part of
/// what the books rely on, and one changed inside a table's text (a fuzz
/// find: `paylokd` for `payload` in a `CHECK`) passed a comparison of the
/// columns alone, then made `Store::open` refuse the restored books.
fn schema_of(conn: &Connection) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
    )?;
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(kind, name, sql)| (format!("{kind} {name}"), sql_shape(&sql)))
        .collect())
}

/// SQL text without its comments, whitespace collapsed to single spaces
/// outside quoted strings and names (whose bytes are kept as they are), so
/// that a migration whose comments or layout were edited still compares
/// equal, and nothing else does.
fn sql_shape(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        let close = match c {
            '\'' | '"' | '`' => Some(c),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(close) = close {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
            // A quote inside is written twice, which this reads as the
            // string closing and opening again: the same bytes either way.
            for c in chars.by_ref() {
                out.push(c);
                if c == close {
                    break;
                }
            }
            continue;
        }
        if c == '-' && chars.peek() == Some(&'-') {
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            space = true;
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut star = false;
            for c in chars.by_ref() {
                if star && c == '/' {
                    break;
                }
                star = c == '*';
            }
            space = true;
        } else if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_drops_comments_and_layout_but_keeps_every_word_and_quote() {
        let written = "CREATE TABLE t (\n    a TEXT -- the name, --- kept?\n    /* a note */ CHECK (a <> 'x  -- y'),\n    \"b  c\" INTEGER\n)";
        assert_eq!(
            sql_shape(written),
            "CREATE TABLE t ( a TEXT CHECK (a <> 'x  -- y'), \"b  c\" INTEGER )"
        );
        assert_eq!(sql_shape("a  'it''s'\t[x  y]"), "a 'it''s' [x  y]");
        // One changed word inside a CHECK is a different shape.
        assert_ne!(
            sql_shape("CHECK (payload IS NULL)"),
            sql_shape("CHECK (paylokd IS NULL)")
        );
    }

    #[test]
    fn the_kept_schema_is_what_the_migrations_make() {
        let mut fresh = Connection::open_in_memory().unwrap();
        crate::migrations().to_latest(&mut fresh).unwrap();
        let made: String = schema_of(&fresh)
            .unwrap()
            .iter()
            .map(|(what, shape)| format!("{what}\t{shape}\n"))
            .collect();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.txt");
        if std::env::var_os("ACQUIT_WRITE_FIXTURE").is_some() {
            std::fs::write(path, &made).unwrap();
        }
        assert!(
            std::fs::read_to_string(path).unwrap() == made,
            "src/schema.txt is not the schema the migrations make: after adding a migration, \
             run ACQUIT_WRITE_FIXTURE=1 cargo test -p acquit-store --lib the_kept_schema"
        );
        assert!(made.lines().all(|l| l.split('\t').count() == 2));
    }
}
