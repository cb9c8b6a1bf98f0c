//! The `acquit` command line over the same core and database as the app.
//!
//! # Exit codes (a contract, see INTERFACES in the brief)
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | rejected input: stderr says what is wrong and what to do; nothing was changed. Also a finding the user must act on: `journal verify` on a broken journal |
//! | 2 | usage: an unknown command or flag, a missing required flag (clap's own errors) |
//! | 3 | an outside failure: I/O, an unexpected SQLite error, a file edited by hand |
//!
//! Every message on stderr starts with `acquit: `.
//!
//! # Nothing changes on bad input
//!
//! Each command parses everything it was given (amounts, dates, identifiers)
//! *before* it opens the database, so a typo never touches the file. What
//! can only be checked against the data (an unknown client, an issued
//! invoice) is refused by the store, which changes nothing when it refuses.
//! The one exception is an amount (a line's price, a payment, a credit
//! note), which is read in the currency of its invoice and so after the
//! database is opened — but before any write; its form (a number, more
//! than zero) is still checked before.
//!
//! # Output
//!
//! Read commands print compact tables or blocks for people, with amounts
//! written the French way (or the client's language on an invoice), and take
//! `--json` for scripts: amounts are then plain decimal strings with a `.`
//! (`"1215.00"`), dates `YYYY-MM-DD`, and statuses and kinds kebab-case.
//! Commands that create something print its id or number alone on stdout.

mod client;
mod company;
mod declare;
mod einvoice;
mod facturx;
mod import;
mod invoice;
mod ledger;
mod link;
mod mail;
mod online;
mod parse;
mod payment;
mod pdf;
mod quote;
mod recurring;
mod remind;
mod safety;
mod share;
mod stdin;
pub mod stripe;
mod sync;
mod table;

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use acquit_store::{Rejection, Store, StoreError};
use clap::{Parser, Subcommand};

/// Invoices that get paid: the command line of Acquit.
#[derive(Debug, Parser)]
#[command(
    name = "acquit",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    after_help = "Exit codes: 0 ok, 1 rejected input (nothing was changed), 2 usage, 3 outside failure."
)]
pub struct Cli {
    /// The database file [default: the platform's data folder, on Linux
    /// ~/.local/share/acquit/acquit.db, shared with the app]
    // An OsString, not a PathBuf: an empty ACQUIT_DB means "the default",
    // which clap's path parser would refuse as a missing value.
    #[arg(
        long,
        global = true,
        env = "ACQUIT_DB",
        value_name = "PATH",
        value_parser = clap::value_parser!(OsString)
    )]
    db: Option<OsString>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database if it does not exist yet, and print its path
    Init,
    /// Your company: who issues the invoices
    #[command(subcommand, arg_required_else_help = true)]
    Company(company::CompanyCommand),
    /// The people and businesses you invoice
    #[command(subcommand, arg_required_else_help = true)]
    Client(client::ClientCommand),
    /// Drafts and issued invoices
    #[command(subcommand, arg_required_else_help = true)]
    Invoice(invoice::InvoiceCommand),
    /// Fill an empty database with realistic demo data (to try Acquit)
    Demo {
        /// Also add this many older invoices (to try large books: 100000)
        #[arg(long, value_name = "N", default_value_t = 0)]
        invoices: usize,
    },
    /// Export documents in bulk
    #[command(subcommand, arg_required_else_help = true)]
    Export(pdf::ExportCommand),
    /// Correct an issued invoice with a credit note, and print its number
    CreditNote(invoice::CreditNoteArgs),
    /// Money received: record, list, reverse
    #[command(subcommand, arg_required_else_help = true)]
    Payment(payment::PaymentCommand),
    /// The receipts ledger (registre des recettes), or its CSV export
    Ledger(ledger::LedgerArgs),
    /// What a micro-entrepreneur declares for a month or a quarter, by
    /// activity, and the year so far against the thresholds
    Declare(declare::DeclareArgs),
    /// The tamper-evident journal of issued documents and payments
    #[command(subcommand, arg_required_else_help = true)]
    Journal(safety::JournalCommand),
    /// Back up the database (online, checked) and print the backup's path
    Backup {
        /// The backup file to create [default: a new file in the folder
        /// `backups/` next to the database, which keeps the newest 20]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Your Stripe account: connect (key on stdin, kept in the OS keychain),
    /// status, disconnect
    Stripe(stripe::StripeArgs),
    /// Payment links for issued invoices: create (prints the URL to share),
    /// list, deactivate
    #[command(subcommand, arg_required_else_help = true)]
    Link(link::LinkCommand),
    /// Your webhook relay: set it up (token on stdin), status
    #[command(subcommand, arg_required_else_help = true)]
    Relay(sync::RelayCommand),
    /// Fetch Stripe payments (from the relay, or Stripe) and apply them
    Sync(sync::SyncArgs),
    /// Compare the last 30 days of Stripe payments with the books
    Reconcile(sync::ReconcileArgs),
    /// Share an issued invoice as an end-to-end encrypted page on your
    /// relay, and print its URL (or --revoke it)
    Share(share::ShareArgs),
    /// E-invoices: check a Factur-X you made or received
    #[command(subcommand, arg_required_else_help = true)]
    Facturx(facturx::FacturxCommand),
    /// Your e-invoicing platform (plateforme agréée): connect (client
    /// secret on stdin, kept in the OS keychain), status, disconnect
    #[command(subcommand, arg_required_else_help = true)]
    Pa(einvoice::PaCommand),
    /// E-invoices through your platform: send an issued invoice, follow
    /// its statuses
    #[command(subcommand, arg_required_else_help = true)]
    Einvoice(einvoice::EinvoiceCommand),
    /// The mail server Acquit sends invoices, receipts and reminders
    /// through: set (password on stdin, kept in the OS keychain), test,
    /// status, forget
    #[command(subcommand, arg_required_else_help = true)]
    Mail(mail::MailCommand),
    /// Send an invoice or credit note (or its receipt) to the client: by
    /// mail from Acquit, your mail client, or WhatsApp
    Send(mail::SendArgs),
    /// Invoices that repeat (every N weeks or months), made from a draft,
    /// each period once
    #[command(subcommand, arg_required_else_help = true)]
    Recurring(recurring::RecurringCommand),
    /// Bring clients in from another tool or a spreadsheet (CSV), checked
    /// row by row before anything is written
    #[command(subcommand, arg_required_else_help = true)]
    Import(import::ImportCommand),
    /// Quotes (devis): draft, issue, the client's decision, then the
    /// deposit and balance invoices
    #[command(subcommand, arg_required_else_help = true)]
    Quote(quote::QuoteCommand),
    /// Payment reminders due today (with the late-payment penalties
    /// accrued), and the schedule they follow
    Reminders(remind::RemindersArgs),
    /// Remind a client of an unpaid invoice, through your mail client or
    /// WhatsApp, and record it on the invoice's timeline
    Remind(remind::RemindArgs),
    /// E-reporting: the period's sales to consumers (per day and VAT
    /// rate) and to businesses abroad (per invoice), from the books
    Ereport(einvoice::EreportArgs),
    /// Replace the database with a backup, after checking it; the current
    /// database is saved aside first
    Restore {
        /// The backup file (see `acquit backup`)
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// Why a command failed, and so with which exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input was refused before anything was changed (exit 1).
    #[error("{0}")]
    Rejected(String),
    /// The store refused (exit 1) or failed (exit 3): see [`CliError::exit_code`].
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something outside Acquit failed (exit 3).
    #[error("{0}")]
    Outside(String),
    /// The command ran, and found something wrong with the data that the
    /// user must act on (exit 1): `stdout` is still printed (a `--json`
    /// report), then `message` on stderr.
    #[error("{message}")]
    Finding { stdout: String, message: String },
}

impl From<Rejection> for CliError {
    fn from(rejection: Rejection) -> CliError {
        CliError::Store(StoreError::Rejected(rejection))
    }
}

impl CliError {
    /// Input refused with `message`, which says what is wrong and what to do.
    pub(crate) fn rejected(message: impl std::fmt::Display) -> CliError {
        CliError::Rejected(message.to_string())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Rejected(_) => 1,
            CliError::Store(error) => match error {
                // The user can act on these: another file, a backup, an update.
                StoreError::Rejected(_)
                | StoreError::NotADatabase { .. }
                | StoreError::ForeignDatabase { .. }
                | StoreError::TooNew { .. }
                | StoreError::Corrupt { .. }
                | StoreError::SchemaChanged { .. } => 1,
                _ => 3,
            },
            CliError::Outside(_) => 3,
            CliError::Finding { .. } => 1,
        }
    }
}

/// Runs the command line `args` (program name first) and returns the exit
/// code, having printed the output on stdout and any error on stderr.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and --version go to stdout with 0, usage errors to stderr with 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let result = execute(cli).and_then(|output| print(&output));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let CliError::Finding { stdout, .. } = &error
                && let Err(e) = print(stdout)
            {
                eprintln!("acquit: {e}");
            }
            eprintln!("acquit: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs one parsed command line and returns what to print on stdout.
fn execute(cli: Cli) -> Result<String, CliError> {
    let path = database_path(cli.db)?;
    match cli.command {
        Command::Init => {
            let store = open_or_create(&path)?;
            Ok(format!("{}\n", store.path().display()))
        }
        Command::Company(command) => company::run(command, &path),
        Command::Client(command) => client::run(command, &path),
        Command::Invoice(command) => invoice::run(command, &path),
        Command::Demo { invoices } => demo(&path, invoices),
        Command::CreditNote(args) => invoice::credit_note(args, &path),
        Command::Payment(command) => payment::run(command, &path),
        Command::Ledger(args) => ledger::run(args, &path),
        Command::Declare(args) => declare::run(args, &path),
        Command::Journal(command) => safety::journal(command, &path),
        Command::Backup { out } => safety::backup(out, &path),
        Command::Restore { file } => safety::restore(file, &path),
        Command::Export(command) => pdf::export(command, &path),
        Command::Stripe(args) => stripe::run(args, &path),
        Command::Link(command) => link::run(command, &path),
        Command::Relay(command) => sync::relay(command, &path),
        Command::Sync(args) => sync::sync(args, &path),
        Command::Reconcile(args) => sync::reconcile(args, &path),
        Command::Share(args) => share::run(args, &path),
        Command::Facturx(command) => facturx::run(command),
        Command::Pa(command) => einvoice::pa(command, &path),
        Command::Einvoice(command) => einvoice::run(command, &path),
        Command::Ereport(args) => einvoice::ereport(args, &path),
        Command::Mail(command) => mail::run(command, &path),
        Command::Send(args) => mail::send(args, &path),
        Command::Recurring(command) => recurring::run(command, &path),
        Command::Quote(command) => quote::run(command, &path),
        Command::Import(command) => import::run(command, &path),
        Command::Reminders(args) => remind::list(args, &path),
        Command::Remind(args) => remind::remind(args, &path),
    }
}

/// `acquit demo`: only into an empty database, so that it never mixes with
/// (or replaces) real books.
fn demo(path: &Path, history: usize) -> Result<String, CliError> {
    let mut store = open_or_create(path)?;
    if store.seller()?.is_some() {
        return Err(CliError::rejected(format!(
            "{} already has your company: the demo only fills an empty database: use another file (--db demo.db)",
            path.display()
        )));
    }
    let summary = store.fill_demo_with(acquit_store::today(), history)?;
    let mut issued = summary.issued;
    // The store lists newest first; people read numbers in order.
    issued.reverse();
    let listed = match issued.as_slice() {
        [first, .., last] if issued.len() > 20 => format!("{first} … {last}"),
        _ => issued.join(", "),
    };
    Ok(format!(
        "Demo data added to {}:\n  {} clients\n  {} issued: {}\n  {} drafts\nSee them with `acquit invoice list`.\n",
        store.path().display(),
        summary.clients,
        issued.len(),
        listed,
        summary.drafts
    ))
}

fn print(output: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // `acquit invoice list | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Outside(format!(
            "could not write the output: {e}"
        ))),
        Ok(()) => Ok(()),
    }
}

fn database_path(flag: Option<OsString>) -> Result<PathBuf, CliError> {
    match flag {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => acquit_store::default_db_path().ok_or_else(|| {
            CliError::Outside(
                "could not find your data folder (is HOME set?): pass --db PATH or set ACQUIT_DB"
                    .into(),
            )
        }),
    }
}

/// The books at `path`, started empty when there are none, which is then
/// said on stderr: a mistyped `--db` or `ACQUIT_DB` starts new books, and
/// invoices issued in them would number from 0001 again beside the real
/// ones. (`init` starts them on purpose, silently.)
fn open(path: &Path) -> Result<Store, CliError> {
    let new = !path.exists() && !path.is_symlink();
    let store = open_or_create(path)?;
    if new {
        eprintln!(
            "acquit: warning: there were no books at {}: new, empty books were started there; if yours are elsewhere, give their path with --db or ACQUIT_DB",
            path.display()
        );
    }
    Ok(store)
}

/// The books at `path`, made empty (and their folder) when there are none,
/// as the app does on its first start: `init`, `demo`, `restore` onto a
/// new machine.
fn open_or_create(path: &Path) -> Result<Store, CliError> {
    if path.is_dir() {
        return Err(CliError::rejected(format!(
            "{} is a folder: give the path of the database file, e.g. {}",
            path.display(),
            path.join("acquit.db").display()
        )));
    }
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::Outside(format!(
                "could not create the folder {} for the database: {e}",
                parent.display()
            ))
        })?;
    }
    Ok(Store::open(path)?)
}

/// Pretty JSON with a final newline.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("CLI output types serialize");
    text.push('\n');
    text
}
