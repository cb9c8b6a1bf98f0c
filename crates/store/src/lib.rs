//! The local SQLite store of invoices, clients, payments and the journal.
//!
//! One file holds everything a user owns. Opening it checks, in order, that
//! it is a SQLite file, that it is Acquit's (`application_id`), that this
//! version of Acquit knows its schema (`user_version`: a newer file is
//! refused, never downgraded), and that it passes `PRAGMA integrity_check`
//! (once per process while the file is unchanged: the app opens it from
//! several threads, and the check reads all of it; the app's first open,
//! [`Store::open_checking_later`], runs it on a thread of its own and its
//! first write waits for it, so the list shows before the check ends, and
//! a file that fails refuses every write). Only then are pending
//! migrations applied, after an exact copy of the file next to it
//! (`<name>.before-schema-N.db`, checked); a migration that fails puts that
//! copy back byte for byte and says so ([`StoreError::MigrationFailed`]).
//! Opens of one file within a process wait for each other.
//!
//! The connection runs in WAL mode with `synchronous=FULL` (an acknowledged
//! write survives a power cut; invoicing writes are rare, so the fsync is
//! cheap), foreign keys on, and a busy timeout so the app and the CLI can
//! write to the same file: every write is one `BEGIN IMMEDIATE` transaction.
//!
//! Issued invoices are locked by SQLite triggers (`migrations/0001`), not
//! only by this crate's API.

mod backup;
pub mod dashboard;
mod declare;
mod demo;
mod einvoicing;
mod import;
mod imported;
pub mod invoice_detail;
mod invoices;
mod journal;
mod links;
mod parties;
mod payments;
pub mod private;
mod quotes;
mod reconcile;
mod recurring;
mod reminders;
mod shares;
mod stripe;
mod timeline;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

pub use backup::{BackupFile, KEEP as BACKUPS_KEPT, backups_dir, check_backup, list_backups};
pub use declare::{Declaration, Receipt, THRESHOLDS_SETTING, YearToDate};
pub use demo::DemoSummary;
pub use einvoicing::{
    Answer, EInvoiceFlow, FlowAck, FlowKind, NewReceived, NewStatus, Received, ReceivedStatus,
    sha256_hex,
};
pub use import::{ClientImport, Outcome as ImportOutcome, PlannedRow};
pub use imported::{Continued, InvoiceImport, PastOutcome, PlannedInvoice};
pub use invoices::{
    CreditNoteRow, InvoiceId, InvoiceSummary, InvoiceView, ListQuery, NewDraft, StoredLine,
};
pub use journal::{JournalProblem, JournalReport};
pub use links::{
    CHECKOUT_LONGEST_SECS, CHECKOUT_SHORTEST_SECS, LinkId, LinkKind, LinkStatus, NewLink,
    StoredLink, TimelineEntry,
};
pub use parties::{ClientId, check_logo, same_client};
pub use payments::{
    LedgerEntry, LedgerTotal, NewPayment, PaymentId, PaymentKind, PaymentMethod, StoredPayment,
    StripeMethod, ledger_totals,
};
pub use quotes::{
    NewQuote, QuoteId, QuoteInvoice, QuoteSummary, QuoteView,
    VALIDITY_SETTING as QUOTE_VALIDITY_SETTING,
};
pub use recurring::{Delivery, Made, PeriodMade, Recurring, RecurringMode, Run, Template};
pub use reminders::{
    JUST_SENT_SECONDS, MailKind, NewMail, NewReminder, Remindable, ReminderVia, SentMail,
    StoredReminder,
};
pub use shares::{SHARE_KEY_LEN, StoredShare};
pub use stripe::{
    ApplyOutcome, CheckoutRef, EventSource, MissingFee, NewStripeEvent, ProposalStatus, Recording,
    RefundProposal, StripeEventRecord, StripeFact, StripeRefund,
};
pub use timeline::TimelineEvent;

/// "ACQT": marks a SQLite file as Acquit's.
pub const APPLICATION_ID: i32 = 0x4143_5154;

/// How long a writer waits for another (the app and the CLI) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one migration per release that changed it, in order: the
/// count is the schema version (`user_version`), derived, never restated.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_payments_journal.sql"),
    include_str!("../migrations/0003_stripe_links_events.sql"),
    include_str!("../migrations/0004_shares.sql"),
    include_str!("../migrations/0005_events_confirmed.sql"),
    include_str!("../migrations/0006_legal_data.sql"),
    include_str!("../migrations/0007_einvoicing.sql"),
    include_str!("../migrations/0008_reminders_mail.sql"),
    include_str!("../migrations/0009_recurring.sql"),
    include_str!("../migrations/0010_quotes.sql"),
    include_str!("../migrations/0011_recurring_links.sql"),
    include_str!("../migrations/0012_issued_elsewhere.sql"),
    include_str!("../migrations/0013_as_issued.sql"),
    include_str!("../migrations/0014_settlements.sql"),
];

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build creates and understands.
pub fn schema_version() -> usize {
    MIGRATION_COUNT
}
const MIGRATION_COUNT: usize = MIGRATIONS.len();

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} is not an Acquit database (it is not a SQLite file): choose another file, or restore a backup with `acquit restore`"
    )]
    NotADatabase { path: PathBuf },
    #[error("{path} is a SQLite database of another application: choose another file for Acquit")]
    ForeignDatabase { path: PathBuf },
    #[error(
        "{path} was written by a newer version of Acquit (schema {found}; this version knows up to {known}): update Acquit to open it"
    )]
    TooNew {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error(
        "{path} failed its integrity check ({details}): restore your latest backup with `acquit restore`"
    )]
    Corrupt { path: PathBuf, details: String },
    #[error(
        "{path} was changed outside Acquit ({problem}), so its locks on issued invoices and payments cannot be trusted: restore your latest backup with `acquit restore`"
    )]
    SchemaChanged { path: PathBuf, problem: String },
    #[error("the database could not be migrated: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "Acquit could not upgrade {path} from schema {from} to {to} ({reason}). The file was put back exactly as it was before (a copy is kept at {backup}); nothing was lost. Use the previous version of Acquit meanwhile, and report this problem with that copy"
    )]
    MigrationFailed {
        path: PathBuf,
        backup: PathBuf,
        from: usize,
        to: usize,
        reason: String,
    },
    #[error("could not back up the database to {path}: {source}")]
    Backup {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Rejected(#[from] Rejection),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data could not be read ({0}): the file may have been edited by hand")]
    Decode(String),
}

/// A sum of stored amounts that leaves `i64` (or mixes currencies) can only
/// come from rows written behind Acquit's back.
impl From<acquit_core::MoneyError> for StoreError {
    fn from(e: acquit_core::MoneyError) -> StoreError {
        StoreError::Decode(e.to_string())
    }
}

/// Input the store refuses, with what to do. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("set your company first (`acquit company set --name … --address …`)")]
    NoSeller,
    #[error("there is no client {0}: see `acquit client list`")]
    NoSuchClient(i64),
    #[error("there is no draft {0}: see `acquit invoice list --status draft`")]
    NoSuchDraft(i64),
    #[error("there is no invoice {0}: see `acquit invoice list`")]
    NoSuchInvoice(String),
    #[error(
        "invoice {0} is issued and locked: to correct it, issue a credit note (`acquit credit-note {0}`)"
    )]
    Locked(String),
    #[error("draft {0} has no lines: add one with `acquit invoice add-line {0} …` before issuing")]
    EmptyDraft(i64),
    #[error(
        "{number} is dated {last}; a new document cannot be dated {date}, earlier: numbers follow dates"
    )]
    Chronology {
        number: String,
        last: String,
        date: String,
    },
    #[error(
        "a balance invoice deducts issued deposit invoices of the same client and currency; {0} is not one"
    )]
    NotADeposit(String),
    #[error("{0}")]
    Tax(#[from] acquit_core::tax::TaxError),
    #[error("{0}")]
    Pattern(#[from] acquit_core::numbering::PatternError),
    #[error("{amount} is more than the {due} still due on {number}: record at most what is due")]
    Overpayment {
        number: String,
        amount: String,
        due: String,
    },
    #[error("{number} is a credit note: payments and credit notes apply to invoices")]
    NotAnInvoice { number: String },
    #[error(
        "{client} is invoiced without French VAT ({exemption}), so its invoices must show its VAT number: add the client's VAT number"
    )]
    ExemptionNeedsVatNumber { client: String, exemption: String },
    #[error(
        "this invoice offers payment by transfer, but your company has no IBAN: add it (`acquit company set --iban …`) or choose other ways to pay"
    )]
    TransferWithoutIban,
    #[error(
        "{client} is invoiced without French VAT ({exemption}), but line {line} has {rate} VAT: set the VAT of every line to 0 %"
    )]
    VatOnExemptInvoice {
        client: String,
        exemption: String,
        line: usize,
        rate: acquit_core::VatRate,
    },
    /// What the law asks of the invoice on its issue date and it lacks
    /// ([`acquit_core::compliance`]), each with how to give it.
    #[error("this invoice cannot be issued on {date}: {}", gaps.iter().map(|g| g.to_string()).collect::<Vec<_>>().join("; "))]
    Incomplete {
        date: chrono::NaiveDate,
        gaps: Vec<acquit_core::compliance::Gap>,
    },
    #[error("there is no payment {0}: see `acquit payment list NUMBER`")]
    NoSuchPayment(i64),
    #[error("payment {0} was already reversed")]
    AlreadyReversed(i64),
    #[error(
        "{number} was already reminded at this step, on {on} (via {via}): the next step comes later (`acquit reminders` lists what is due)"
    )]
    AlreadyReminded {
        number: String,
        on: chrono::NaiveDate,
        via: String,
    },
    #[error(
        "a send of {number} to {to} began at {at} and was cut off before the server answered: the client may have it; check your Sent folder, then send again with --again"
    )]
    MailInterrupted {
        number: String,
        to: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    #[error("{number} was just sent to {to} (at {at}): to send it once more, use --again")]
    JustMailed {
        number: String,
        to: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    #[error("there is no quote {0}: see `acquit quote list`")]
    NoSuchQuote(String),
    #[error("quote {0} is issued and locked: to offer something else, issue a new quote")]
    QuoteLocked(String),
    #[error(
        "the quote would be valid until {valid_until}, before its issue date {date}: change the validity date (--valid-until)"
    )]
    ValidityBeforeIssue {
        valid_until: chrono::NaiveDate,
        date: chrono::NaiveDate,
    },
    #[error(
        "{number} is {status}: only an accepted quote is invoiced (`acquit quote accept {number} --by NAME`)"
    )]
    QuoteNotAccepted { number: String, status: String },
    #[error(
        "draft {draft} was already made from {number}: issue it (`acquit invoice issue {draft}`) or delete it first"
    )]
    QuoteDraftPending { number: String, draft: i64 },
    #[error("{number} is invoiced in full by {by}: to bill more, issue a new quote")]
    QuoteInvoiced { number: String, by: String },
    #[error("{0}")]
    Decision(#[from] acquit_core::quote::DecisionError),
    #[error("{0}")]
    Threshold(#[from] acquit_core::declaration::ThresholdError),
    #[error("{0}")]
    Invalid(String),
}

/// What identifies a file's content cheaply: its length and modification
/// time (nanoseconds). SQLite writes to the `-wal` file; the main file
/// changes only at a checkpoint, so a file edited by anything else, or
/// restored, has another stamp.
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// Per database file of this process: a lock every `Store::open` of it
/// holds from start to end (a second opener, e.g. the app's sync thread
/// while the first open still migrates, waits instead of migrating too),
/// and what is known of its integrity.
type Opening = std::collections::HashMap<PathBuf, Arc<Mutex<FileCheck>>>;

/// What this process knows of a file's integrity.
#[derive(Debug, Default)]
struct FileCheck {
    /// The stamp the file had when its integrity last passed.
    checked: Option<Stamp>,
    /// A check running in the background ([`Store::open_checking_later`])
    /// of the file as it was at that stamp.
    running: Option<(Stamp, Arc<Check>)>,
}

/// The outcome of a background integrity check, once known.
#[derive(Debug, Default)]
struct Check {
    outcome: Mutex<Option<Result<(), Failure>>>,
    done: std::sync::Condvar,
}

impl Check {
    fn finish(&self, outcome: Result<(), Failure>) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        self.done.notify_all();
    }

    /// Waits for the outcome.
    fn wait(&self) -> Result<(), Failure> {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(known) = outcome.as_ref() {
                return known.clone();
            }
            outcome = self
                .done
                .wait(outcome)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Why a file failed its check, kept to be said by every write after it.
#[derive(Debug, Clone)]
enum Failure {
    Corrupt(String),
    SchemaChanged(String),
}

impl Failure {
    fn of(error: StoreError) -> Failure {
        match error {
            StoreError::SchemaChanged { problem, .. } => Failure::SchemaChanged(problem),
            StoreError::Corrupt { details, .. } => Failure::Corrupt(details),
            // SQLite itself refusing to read a page is damage too.
            other => Failure::Corrupt(other.to_string()),
        }
    }

    fn error(self, path: &Path) -> StoreError {
        let path = path.to_path_buf();
        match self {
            Failure::Corrupt(details) => StoreError::Corrupt { path, details },
            Failure::SchemaChanged(problem) => StoreError::SchemaChanged { path, problem },
        }
    }
}

fn opening(path: &Path) -> Arc<Mutex<FileCheck>> {
    static OPENING: std::sync::OnceLock<Mutex<Opening>> = std::sync::OnceLock::new();
    // The folder resolved, not the file: it may not exist yet.
    let key = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .map(|d| d.join(name))
        .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    };
    OPENING
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key)
        .or_default()
        .clone()
}

/// Runs `PRAGMA integrity_check` on the file of `conn`, and compares its
/// schema, when current, with the one Acquit makes (a file whose lock
/// triggers were dropped by another program is refused, as a backup is),
/// unless this process already checked it with the same stamp: the check
/// reads the whole file (about 1 s for 100,000 invoices) and the app opens
/// the same file from several threads (commands, sync, exports). A check
/// of the same stamp running in the background is waited for, not run
/// twice. `now` is the file's stamp, read once by the open.
fn verify_once(
    conn: &Connection,
    path: &Path,
    version: usize,
    now: Option<Stamp>,
    state: &mut FileCheck,
) -> Result<(), StoreError> {
    if let Some((at, check)) = state.running.take()
        && Some(at) == now
    {
        return match check.wait() {
            Ok(()) => {
                state.checked = now;
                Ok(())
            }
            Err(failure) => Err(failure.error(path)),
        };
    }
    if now.is_some() && state.checked == now {
        return Ok(());
    }
    state.checked = None;
    integrity(conn, path, version)?;
    state.checked = now;
    Ok(())
}

/// The check itself: `PRAGMA integrity_check`, and the schema compared with
/// the one Acquit makes when it is current.
fn integrity(conn: &Connection, path: &Path, version: usize) -> Result<(), StoreError> {
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    if problems != ["ok"] {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            details: problems.join("; "),
        });
    }
    // Older books are compared once migrated (see `Store::open`): a file a
    // migration cannot upgrade is put back as it was, and says so.
    if version == MIGRATION_COUNT
        && let Some(problem) = backup::schema_problem(conn, version)?
    {
        return Err(StoreError::SchemaChanged {
            path: path.to_path_buf(),
            problem,
        });
    }
    Ok(())
}

/// Starts the integrity check of `path` on a thread of its own, on its own
/// read-only connection; its outcome goes to `check`. Without a thread, it
/// runs here and now.
fn spawn_check(path: &Path, version: usize, check: Arc<Check>) {
    let (on_thread, at) = (check.clone(), path.to_path_buf());
    let started = std::thread::Builder::new()
        .name("integrity-check".into())
        .spawn(move || run_check(&at, version, &on_thread));
    if started.is_err() {
        run_check(path, version, &check);
    }
}

fn run_check(path: &Path, version: usize, check: &Check) {
    let outcome = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(StoreError::from)
    .and_then(|conn| {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        integrity(&conn, path, version)
    });
    check.finish(outcome.map_err(Failure::of));
}

/// An open Acquit database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The integrity check still running when this store was opened by
    /// [`Store::open_checking_later`]: the first write waits for it.
    pending: Option<Arc<Check>>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(path.as_ref(), false)
    }

    /// [`Store::open`] for the app's start: the integrity check of a file
    /// whose schema is current (it reads the whole file, about 1 s for
    /// 100,000 invoices) runs on a thread of its own instead of before the
    /// first rows. Reading works at once; the **first write waits** for
    /// the check and, if it failed, is refused with why (and so is every
    /// write after it), as `Store::open` would have refused the file. A
    /// file to migrate is checked first, as by `Store::open`: migrating
    /// writes.
    pub fn open_checking_later(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(path.as_ref(), true)
    }

    fn open_with(path: &Path, later: bool) -> Result<Store, StoreError> {
        let path = path.to_path_buf();
        let lock = opening(&path);
        let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
        check_header(&path)?;
        make_private(&path)?;
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not_a_database(e, &path))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;

        let (app_id, version, tables) =
            read_identity(&conn).map_err(|e| not_a_database(e, &path))?;
        if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
            return Err(StoreError::ForeignDatabase { path });
        }
        if version > MIGRATION_COUNT {
            return Err(StoreError::TooNew {
                path,
                found: version,
                known: MIGRATION_COUNT,
            });
        }

        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Triggers and views run only SQLite's own harmless functions, never
        // one a program registered, whoever wrote them into the file.
        conn.pragma_update(None, "trusted_schema", "OFF")?;

        let now = stamp(&path);
        let mut pending = None;
        if later && version == MIGRATION_COUNT && now.is_some() && state.checked != now {
            pending = Some(match &state.running {
                Some((at, check)) if Some(*at) == now => check.clone(),
                _ => {
                    let check = Arc::new(Check::default());
                    spawn_check(&path, version, check.clone());
                    state.running = now.map(|at| (at, check.clone()));
                    check
                }
            });
        } else {
            verify_once(&conn, &path, version, now, &mut state)?;
        }

        let backup = if version > 0 && version < MIGRATION_COUNT {
            let backup = path.with_extension(format!("before-schema-{}.db", version + 1));
            exact_copy(&conn, &path, &backup)?;
            Some(backup)
        } else {
            None
        };
        // After the copy: switching to WAL rewrites the file's header.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Only a new file is stamped: a read-only command writes nothing.
        if app_id != APPLICATION_ID {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.commit()?;
        }
        if let Err(error) = migrations().to_latest(&mut conn) {
            let Some(backup) = backup else {
                return Err(error.into());
            };
            // Put the file back exactly as it was, from the copy made above.
            drop(conn);
            restore_exact(&backup, &path)?;
            return Err(StoreError::MigrationFailed {
                path,
                backup,
                from: version,
                to: MIGRATION_COUNT,
                // Not the whole migration's SQL, only what SQLite said.
                reason: short_reason(&match error {
                    rusqlite_migration::Error::RusqliteError { err, .. } => err.to_string(),
                    other => other.to_string(),
                }),
            });
        }
        if backup.is_some()
            && let Some(problem) = backup::schema_problem(&conn, MIGRATION_COUNT)?
        {
            state.checked = None;
            return Err(StoreError::SchemaChanged { path, problem });
        }
        Ok(Store {
            conn,
            path,
            pending,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies the live database to `dest` with SQLite's online backup, then
    /// checks the copy's integrity.
    pub fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        backup_to(&self.conn, dest)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it or nothing.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.checked()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Waits for the background integrity check, if one was running when
    /// this store was opened; its failure refuses the write.
    fn checked(&mut self) -> Result<(), StoreError> {
        let Some(check) = &self.pending else {
            return Ok(());
        };
        check.wait().map_err(|failure| failure.error(&self.path))?;
        self.pending = None;
        Ok(())
    }

    /// Whether the file is known to have passed its integrity check (always,
    /// but while the check of [`Store::open_checking_later`] still runs);
    /// `Err` says why it failed. Never waits.
    pub fn integrity(&self) -> Result<bool, StoreError> {
        let Some(check) = &self.pending else {
            return Ok(true);
        };
        let outcome = check
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match outcome {
            None => Ok(false),
            Some(Ok(())) => Ok(true),
            Some(Err(failure)) => Err(failure.error(&self.path)),
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
    }
}

fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // a new file
    };
    let mut header = [0u8; 16];
    let read = file.read(&mut header).unwrap_or(0);
    if read == 0 || (read == 16 && &header == b"SQLite format 3\0") {
        Ok(())
    } else {
        Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        })
    }
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(i32, usize, i64)> {
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    Ok((
        app_id,
        usize::try_from(version).unwrap_or(usize::MAX),
        tables,
    ))
}

fn not_a_database(error: rusqlite::Error, path: &Path) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_path_buf(),
        },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            details: error.to_string(),
        },
        _ => StoreError::Sqlite(error),
    }
}

/// SQLite's reason without the migration's SQL it quotes ("… in CREATE …").
fn short_reason(reason: &str) -> String {
    let first = reason.lines().next().unwrap_or_default();
    let cut = first.find(" in ").map_or(first, |i| &first[..i]);
    cut.chars().take(200).collect()
}

/// Copies the database file byte for byte to `dest` (after moving any WAL
/// content into it, and holding the write lock so nothing changes
/// meanwhile), syncs the copy and checks its integrity. Used before
/// migrations: unlike SQLite's online backup, which rewrites the header's
/// change counter, the copy can put the file back exactly as it was.
fn exact_copy(conn: &Connection, path: &Path, dest: &Path) -> Result<(), StoreError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| StoreError::Io { path: p, source }
    };
    // A no-op unless the file is in WAL mode.
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(Rejection::Invalid(format!(
            "{} is in use by another program: close other Acquit windows and commands, then try again",
            path.display()
        ))
        .into());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let copied = std::fs::copy(path, dest)
        .and_then(|_| std::fs::File::open(dest)?.sync_all())
        .map_err(io(dest));
    conn.execute_batch("COMMIT")?;
    copied?;
    let copy = Connection::open_with_flags(
        dest,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_a_database(e, dest))?;
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt {
            path: dest.to_path_buf(),
            details: check,
        });
    }
    Ok(())
}

/// Puts `backup` (an [`exact_copy`]) back in place of `path` after a failed
/// migration: through a temporary file and a rename, so `path` is at every
/// moment either the migrating file or the exact copy. Stale `-wal`/`-shm`
/// files of the failed attempt are removed first.
fn restore_exact(backup: &Path, path: &Path) -> Result<(), StoreError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| StoreError::Io { path: p, source }
    };
    let sidecar = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let temp = sidecar(".restoring");
    std::fs::copy(backup, &temp).map_err(io(&temp))?;
    std::fs::File::open(&temp)
        .and_then(|f| f.sync_all())
        .map_err(io(&temp))?;
    for stale in [sidecar("-wal"), sidecar("-shm")] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&stale)(e)),
            _ => {}
        }
    }
    std::fs::rename(&temp, path).map_err(io(path))?;
    if let Some(dir) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A new database file (and its folder) is created private before SQLite
/// opens it, so its `-wal`/`-shm` are private too; an existing one has the
/// group's and others' access taken away.
fn make_private(path: &Path) -> Result<(), StoreError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| StoreError::Io { path: p, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private::create_dir_all(dir).map_err(io(dir))?;
    }
    if !private::touch_new(path).map_err(io(path))? {
        private::restrict(path);
    }
    Ok(())
}

fn backup_to(conn: &Connection, dest: &Path) -> Result<(), StoreError> {
    let fail = |source| StoreError::Backup {
        path: dest.to_path_buf(),
        source,
    };
    private::touch_new(dest).map_err(|source| StoreError::Io {
        path: dest.to_path_buf(),
        source,
    })?;
    let mut target = Connection::open(dest).map_err(fail)?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut target).map_err(fail)?;
        backup
            .run_to_completion(256, Duration::from_millis(5), None)
            .map_err(fail)?;
    }
    let check: String = target
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(fail)?;
    if check != "ok" {
        return Err(StoreError::Corrupt {
            path: dest.to_path_buf(),
            details: check,
        });
    }
    Ok(())
}

/// The database the app and the CLI share when none is given:
/// `acquit/acquit.db` in the platform's data folder (Linux
/// `~/.local/share/acquit/acquit.db`). `ACQUIT_DB` overrides it.
pub fn default_db_path() -> Option<PathBuf> {
    match std::env::var_os("ACQUIT_DB") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::data_dir().map(|dir| dir.join("acquit").join("acquit.db")),
    }
}

/// Today's date in the user's local time zone; `ACQUIT_TODAY`
/// (YYYY-MM-DD), when set, stands in for it: what the books do on another
/// day, for tests and demos (an unreadable value is not taken).
pub fn today() -> chrono::NaiveDate {
    std::env::var("ACQUIT_TODAY")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain types serialize")
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Decode(e.to_string()))
}
