//! Bad input never panics (issue 19): every command's arguments, fed with
//! hostile values, through the real `acquit` binary. Each run must end
//! with exit 0 (done), 1 (refused, with a message), 2 (clap's usage error)
//! or 3 (an outside failure, with a message): never a panic (exit 101,
//! "panicked" on stderr), a signal or a hang; and a message is a sentence,
//! not a `Debug` dump (`Os {`, `Error {`).
//!
//! # What is run
//!
//! The commands come from clap itself (`Cli::command()`), walked through
//! every subcommand, so a new command or argument is covered without
//! touching this file. A command is run when it is a leaf, or when its
//! subcommand is optional (`acquit ledger`, `acquit declare`). For each
//! one:
//!
//! - a **baseline** run, every required argument at a plausible value
//!   ([`plausible`]): it must not be a usage error (exit 2), which proves
//!   the filling right, so that the hostile runs reach Acquit's own code;
//! - for each argument that takes a value, positional or option (the
//!   global `--db` and `--stripe-api-base` too, with every command below
//!   where they are defined), one run per value of [`hostile`]: that
//!   argument hostile, **every other required argument plausible** (so
//!   the hostile value gets as far as it can instead of being stopped by a
//!   bad neighbour), plus the few a command needs that clap does not know
//!   of ([`CONTEXT`]). "Required" is what clap asks for: this test parses
//!   the line with clap in-process and adds what it says is missing
//!   (`required_unless_present`, a required group). Options are given as
//!   `--name=VALUE`, so that a value starting with `-` is a value;
//!   positionals come after `--`;
//! - for each argument whose value is a path (`PathBuf`), one run per file
//!   of [`hostile_files`]: NUL bytes, invalid UTF-8, 10 kB of junk, a real
//!   format's magic then junk, XML with external and nested entities, a
//!   folder;
//! - for the commands that read a secret or a token on stdin
//!   ([`STDIN_READERS`]), one run per payload of [`hostile_stdin`]: the
//!   hostile values, NUL bytes, invalid UTF-8.
//!
//! NUL cannot go through argv (the OS forbids it in `execve`'s strings):
//! it goes through files and stdin instead.
//!
//! A hostile value that is *accepted* is stored, and may hurt later: after
//! every run that succeeded and changed the books, [`follow_ups`] reads
//! them back (the newest draft issued, its PDF drawn, the reminders). And
//! [`REGRESSIONS`] replays, in order, the command lines that panicked
//! before issue 19's fixes.
//!
//! # Isolation
//!
//! Each run has its own folder (on tmpfs when there is one: SQLite's
//! fsyncs on a disk double the time): a copy of books filled by `acquit
//! demo` (plus an issued, an accepted and a draft quote, and a recurring
//! schedule), a private HOME and XDG folders, and a working folder three
//! levels down, so that `../../etc/passwd` stays inside it. The
//! environment is cleared: no proxy, no `DBUS_SESSION_BUS_ADDRESS` and an
//! empty private `XDG_RUNTIME_DIR` (the OS keychain cannot be reached: a
//! command that would store a secret stops there, exit 3), no `ACQUIT_*`
//! secret (no Stripe key: a command that would call Stripe stops at "not
//! connected", before any request), and every URL Acquit reads from the
//! environment (VIES, the company directory, Stripe) points at a closed
//! port on 127.0.0.1; the plausible URLs too. `PATH` holds only stubs of
//! `xdg-open` and `xdg-email` that exit 1 (so `send` and `remind` launch
//! nothing real), and `xmllint` when it is installed (`facturx check` runs
//! it). Java is left out: its three rule runs are slow, and only the
//! baseline's genuine Factur-X gets that far (it then stops at "`java` is
//! needed", exit 3). Each process is killed after [`TIMEOUT`], which
//! fails the test.
//!
//! All failures are collected, then reported at once: the command line,
//! what went wrong, the exit code and the head of stderr.

mod common;

use std::any::TypeId;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::CommandFactory as _;
use common::Acquit;
use serde_json::Value;

/// How many `acquit` processes ran, for the summary.
static PROCESSES: AtomicUsize = AtomicUsize::new(0);

/// A process that takes longer is a hang: it is killed and reported.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Commands not run, with why. None so far: no command is interactive
/// when stdin is not a terminal, none reaches further than 127.0.0.1, and
/// none runs for long on these books.
const SKIPPED: &[(&[&str], &str)] = &[];

/// The commands that read a secret or a token on stdin (not visible in
/// clap's definition): they also get [`hostile_stdin`].
const STDIN_READERS: &[&[&str]] = &[
    &["stripe", "connect"],
    &["mail", "set"],
    &["pa", "connect"],
    &["relay", "set"],
];

/// Options as `(long name, value)`.
type Options = &'static [(&'static str, &'static str)];

/// Options given to every run of a command besides its required ones,
/// where the command needs them for reasons clap does not know of:
/// `company set` wants a whole company, else every hostile value stops at
/// "give your company's address". A hostile option replaces its own entry.
const CONTEXT: &[(&[&str], Options)] = &[(
    &["company", "set"],
    &[
        ("legal-form", "ei"),
        ("siren", "732829320"),
        ("street", "8 rue de la Roquette"),
        ("postcode", "75011"),
        ("city", "Paris"),
        ("registration", "exempt"),
        ("activity", "liberal-services"),
    ],
)];

/// Command lines that panicked before issue 19's fixes, run in order on
/// one copy of the books, each with the exit code it must end with now.
/// `{draft}` is a draft's id; `{far-due}` a CSV file of one invoice due on
/// chrono's last day.
const REGRESSIONS: &[&[(&[&str], i32)]] = &[
    // The due date, 30 days after chrono's last day, overflowed in the
    // store (`NaiveDate + Days`): the CLI now refuses a year of more than
    // four digits.
    &[(&["invoice", "issue", "{draft}", "--date=+262142-12-31"], 1)],
    // Payment terms of u32::MAX days were kept, and the next issue
    // overflowed adding them: now refused above a year.
    &[
        (
            &[
                "company",
                "set",
                "--name=Camille Roux",
                "--legal-form=ei",
                "--siren=732829320",
                "--address=8 rue de la Roquette, 75011 Paris",
                "--registration=exempt",
                "--activity=liberal-services",
                "--payment-terms=4294967295",
            ],
            1,
        ),
        (&["invoice", "issue", "{draft}"], 0),
    ],
    // An invoice imported as due on chrono's last day made `reminders` and
    // `remind` overflow (`NaiveDate + TimeDelta`): the import now reads
    // four-digit years only, so the row is an error and nothing is written.
    &[
        (&["import", "invoices", "{far-due}"], 1),
        (&["reminders"], 0),
    ],
];

/// The values every argument gets, by name (the name stands for the value
/// in the report).
fn hostile() -> Vec<(&'static str, String)> {
    vec![
        ("<empty>", String::new()),
        ("<10 kB of x>", "x".repeat(10 * 1024)),
        ("<10 kB of 9>", "9".repeat(10 * 1024)),
        ("<RTL override>", "\u{202E}evil".into()),
        ("<emoji>", "💸🧾".into()),
        ("<sql>", "'; drop table invoices; --".into()),
        ("<traversal>", "../../etc/passwd".into()),
        ("<dash>", "-1".into()),
        ("<controls>", "\t\r\n".into()),
        ("<combining mark>", "\u{0301}".into()),
        ("<u64 overflow>", "18446744073709551616".into()),
        ("<u32 max>", "4294967295".into()),
        ("<chrono's last day>", "+262142-12-31".into()),
    ]
}

/// What a path argument gets: files (or a folder) with hostile contents,
/// written in the run's working folder.
fn hostile_files() -> Vec<(&'static str, Content)> {
    let mut junk = Vec::new();
    for (_, value) in hostile() {
        junk.extend_from_slice(value.as_bytes());
        junk.extend_from_slice(b"\0;,\"\n");
    }
    junk.truncate(10 * 1024);
    let cii = "xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\"";
    let mut laughs = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY l0 \"lol\">\n");
    for level in 1..10 {
        let below = format!("&l{};", level - 1);
        let _ = writeln!(laughs, "<!ENTITY l{level} \"{}\">", below.repeat(10));
    }
    let _ = write!(
        laughs,
        "]>\n<rsm:CrossIndustryInvoice {cii}>&l9;</rsm:CrossIndustryInvoice>\n"
    );
    vec![
        ("<empty file>", Content::File(Vec::new())),
        ("<NUL bytes>", Content::File(vec![0; 64])),
        (
            "<CSV with NUL>",
            Content::File(b"Nom;Email;SIREN\nAc\0me;a\0@b.fr;552\x00100554\n".to_vec()),
        ),
        (
            "<CSV of hostile values>",
            Content::File(
                "Num\u{e9}ro;Date;Client;Taux TVA;Montant HT;TVA;\u{c9}ch\u{e9}ance\n\u{202E}evil;+262142-12-31;'; drop table invoices; --;../../etc/passwd;💸🧾;99999999999999999999;\u{0301}\n"
                    .as_bytes()
                    .to_vec(),
            ),
        ),
        (
            "<invalid UTF-8>",
            Content::File(vec![0xff, 0xfe, 0x00, 0xc3, 0x28, b'\n', 0xe2, 0x82]),
        ),
        ("<10 kB of junk with NUL>", Content::File(junk)),
        (
            "<PNG magic, then junk>",
            Content::File(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xff\xff\xff\0".to_vec()),
        ),
        (
            "<PDF magic, then junk>",
            Content::File(b"%PDF-1.7\n\0\0 obj << /Type /Catalog >>\n%%EOF\0".to_vec()),
        ),
        (
            "<SQLite magic, then junk>",
            Content::File({
                let mut b = b"SQLite format 3\0".to_vec();
                b.resize(4096, 0xab);
                b
            }),
        ),
        (
            "<XML with an external entity>",
            Content::File(
                format!(
                    "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<rsm:CrossIndustryInvoice {cii}>&x;</rsm:CrossIndustryInvoice>\n"
                )
                .into_bytes(),
            ),
        ),
        ("<XML billion laughs>", Content::File(laughs.into_bytes())),
        ("<folder>", Content::Folder),
    ]
}

/// What a command reading stdin gets: the hostile values as lines, and
/// what argv cannot carry.
fn hostile_stdin() -> Vec<(&'static str, Vec<u8>)> {
    let mut payloads: Vec<(&'static str, Vec<u8>)> = hostile()
        .into_iter()
        .map(|(name, value)| (name, format!("{value}\n").into_bytes()))
        .collect();
    payloads.extend([
        ("<NUL>", b"\0".to_vec()),
        ("<key with NUL>", b"sk_test_\0abc\n".to_vec()),
        ("<two lines with NUL>", b"tok\0en\nadm\0in\n".to_vec()),
        ("<10 kB with NUL>", {
            let mut b = vec![b'a'; 10 * 1024];
            b[5000] = 0;
            b
        }),
        ("<invalid UTF-8>", vec![0xff, 0xfe, 0x00, 0xc3, 0x28, b'\n']),
    ]);
    payloads
}

#[derive(Debug, Clone)]
enum Content {
    File(Vec<u8>),
    Folder,
}

/// One argument of a command line: as given to the binary, and as shown
/// in the report.
#[derive(Debug, Clone)]
struct Part {
    arg: String,
    shown: String,
}

impl Part {
    fn plain(text: &str) -> Part {
        Part {
            arg: text.to_owned(),
            shown: text.to_owned(),
        }
    }
}

#[derive(Debug, Default)]
struct Run {
    args: Vec<Part>,
    stdin: Option<(&'static str, Vec<u8>)>,
    /// A hostile file, written as `hostile-input` in the working folder.
    file: Option<Content>,
    /// A baseline run (all plausible): a usage error is a failure too.
    baseline: bool,
    /// The exit code it must end with (a regression).
    expect: Option<i32>,
    /// Command lines run after it on the same books (a regression), with
    /// the exit code each must end with.
    then: Vec<(Vec<Part>, i32)>,
}

impl Run {
    fn shown(&self) -> String {
        let mut line = shown(&self.args);
        if let Some((name, _)) = &self.stdin {
            let _ = write!(line, " < {name}");
        }
        line
    }
}

/// `acquit ARGS`, hostile values by their names.
fn shown(args: &[Part]) -> String {
    let mut line = String::from("acquit");
    for part in args {
        line.push(' ');
        line.push_str(&part.shown);
    }
    line
}

/// What the books hold, for the plausible values.
#[derive(Debug)]
struct Books {
    /// The template books (`acquit demo` and more), copied for each run.
    db: PathBuf,
    /// Its bytes, to tell whether a run changed the books.
    template: Vec<u8>,
    /// Files the plausible values point at (absolute paths).
    fixtures: PathBuf,
    /// An issued invoice with an amount still due.
    open_invoice: String,
    draft: String,
    /// An issued quote, and one accepted.
    quote_number: String,
    quote_accepted: String,
    quote_draft: String,
    schedule: String,
}

/// A command to run: its path of subcommands and its clap definition,
/// with the global arguments of the commands above it.
struct Leaf {
    path: Vec<String>,
    command: clap::Command,
    inherited: Vec<clap::Arg>,
}

impl Leaf {
    /// Its own arguments, then the global ones from above.
    fn arguments(&self) -> impl Iterator<Item = &clap::Arg> {
        self.command.get_arguments().chain(self.inherited.iter())
    }
}

fn leaves(
    command: &clap::Command,
    path: &mut Vec<String>,
    inherited: &[clap::Arg],
    out: &mut Vec<Leaf>,
) {
    let runnable = !command.has_subcommands() || !command.is_subcommand_required_set();
    if runnable && !path.is_empty() {
        out.push(Leaf {
            path: path.clone(),
            command: command.clone(),
            inherited: inherited.to_vec(),
        });
    }
    let mut below = inherited.to_vec();
    below.extend(
        command
            .get_arguments()
            .filter(|a| a.is_global_set())
            .cloned(),
    );
    for sub in command.get_subcommands() {
        path.push(sub.get_name().to_owned());
        leaves(sub, path, &below, out);
        path.pop();
    }
}

fn takes_value(arg: &clap::Arg) -> bool {
    arg.get_action().takes_values()
}

fn is_path(arg: &clap::Arg) -> bool {
    arg.get_value_parser().type_id() == TypeId::of::<PathBuf>()
}

/// A value that passes for `arg` of the command at `path`, given the
/// books: an existing invoice number, a draft, a date… Anything unknown
/// gets "1" (an id).
fn plausible(path: &[String], arg: &clap::Arg, books: &Books) -> String {
    if let Some(value) = arg.get_possible_values().first() {
        return value.get_name().to_owned();
    }
    let id = arg.get_id().as_str();
    let fixture = |name: &str| books.fixtures.join(name).display().to_string();
    let top = path[0].as_str();
    let leaf = path.last().map_or("", String::as_str);
    match (top, leaf, id) {
        ("quote", "invoice", "number") => books.quote_accepted.clone(),
        ("quote", _, "number") => books.quote_number.clone(),
        ("quote", _, "quote") => books.quote_draft.clone(),
        ("recurring", _, "id") => books.schedule.clone(),
        ("recurring", _, "from") => books.draft.clone(),
        ("import", "clients", "file") => fixture("clients.csv"),
        ("import", "invoices", "file") => fixture("invoices.csv"),
        ("restore", _, "file") => fixture("backup.db"),
        ("facturx", _, "file") => fixture("facturx.pdf"),
        ("invoice", _, "invoice") => books.open_invoice.clone(),
        ("company", "lookup", _) => "732829320".into(),
        (_, _, "number") => books.open_invoice.clone(),
        (_, _, "draft") => books.draft.clone(),
        (_, _, "out") => "out.pdf".into(),
        (_, _, "csv") => "out.csv".into(),
        (_, _, "zip") => "out.zip".into(),
        (_, _, "dir") => "out".into(),
        (_, _, "url") => "http://127.0.0.1:9".into(),
        (_, _, "inbox") => "ibx_test".into(),
        (_, _, "client_id") => "acquit-test".into(),
        (_, _, "host") => "127.0.0.1".into(),
        (_, _, "port") => "9".into(),
        (_, _, "user") => "user".into(),
        (_, _, "security") => "starttls".into(),
        (_, _, "from" | "to") => "me@example.com".into(),
        (_, _, "by") => "Jeanne Martin".into(),
        (_, _, "desc") => "Conseil".into(),
        (_, _, "qty") => "1".into(),
        (_, _, "unit_price" | "amount") => "100".into(),
        (_, _, "every") => "1m".into(),
        (_, _, "start") => "2030-01-15".into(),
        (_, _, "period") => "2026-09".into(),
        (_, _, "reason_code") => "AUTRE".into(),
        (_, _, "regime") => "micro".into(),
        (_, _, "scope") => "all".into(),
        (_, _, "year") => "2026".into(),
        (_, _, "limit") => "83600".into(),
        (_, _, "name") => "Nova SAS".into(),
        _ => match arg
            .get_value_names()
            .and_then(|names| names.first())
            .map(|n| n.as_str())
        {
            Some("YYYY-MM-DD" | "DATE") => "2026-06-15".into(),
            Some("URL") => "http://127.0.0.1:9".into(),
            Some("AMOUNT") => "100".into(),
            _ => "1".into(),
        },
    }
}

/// `--name=VALUE` (or `-n=VALUE`) for an option.
fn option(arg: &clap::Arg, value: &str, shown: &str) -> Part {
    let flag = match (arg.get_long(), arg.get_short()) {
        (Some(long), _) => format!("--{long}"),
        (None, Some(short)) => format!("-{short}"),
        (None, None) => unreachable!("an option has a name"),
    };
    Part {
        arg: format!("{flag}={value}"),
        shown: format!("{flag}={shown}"),
    }
}

/// The values of one command line, by argument id, in the order given.
type Values = Vec<(clap::Id, Part)>;

/// `--name=VALUE` options in the order of the definition, then `--` and
/// the positionals.
fn render(leaf: &Leaf, values: &Values) -> Vec<Part> {
    let mut args: Vec<Part> = leaf.path.iter().map(|p| Part::plain(p)).collect();
    let mut positionals = Vec::new();
    for arg in leaf.arguments() {
        let Some((_, part)) = values.iter().find(|(id, _)| id == arg.get_id()) else {
            continue;
        };
        if arg.is_positional() {
            positionals.push(part.clone());
        } else {
            args.push(option(arg, &part.arg, &part.shown));
        }
    }
    if !positionals.is_empty() {
        args.push(Part::plain("--"));
        args.extend(positionals);
    }
    args
}

/// The argument of `leaf` that clap names `rendered` in a "required
/// arguments were not provided" error: `--year <YYYY>`, `<ID>`, or a
/// group's `<--dir <DIR>|--zip <FILE>>` (its first member).
fn named<'l>(leaf: &'l Leaf, rendered: &str) -> Option<&'l clap::Arg> {
    let first = match rendered.strip_prefix('<') {
        Some(group) if group.starts_with('-') => group.split('|').next()?,
        _ => rendered,
    };
    if let Some(long) = first.strip_prefix("--") {
        let long = long.split([' ', '=']).next()?;
        return leaf.arguments().find(|a| a.get_long() == Some(long));
    }
    let name = first.trim_start_matches('<').split('>').next()?;
    leaf.arguments().find(|a| {
        a.is_positional()
            && a.get_value_names()
                .is_some_and(|names| names.iter().any(|n| n.as_str() == name))
    })
}

/// The arguments `leaf` needs besides `target`: its required ones, and
/// those clap asks for once they are given (`required_unless_present`,
/// `requires`, a required group), found by parsing the command line with
/// clap itself, in this process, until it stops asking.
fn required(leaf: &Leaf, target: Option<&clap::Arg>, books: &Books) -> Values {
    let mut values: Values = Vec::new();
    let plausible_part = |arg: &clap::Arg| Part::plain(&plausible(&leaf.path, arg, books));
    if let Some(target) = target {
        values.push((target.get_id().clone(), plausible_part(target)));
    }
    let not_target = |arg: &clap::Arg| target.is_none_or(|t| t.get_id() != arg.get_id());
    for arg in leaf.arguments() {
        if takes_value(arg) && arg.is_required_set() && not_target(arg) {
            values.push((arg.get_id().clone(), plausible_part(arg)));
        }
    }
    let context = CONTEXT
        .iter()
        .filter(|(path, _)| leaf.path.iter().eq(path.iter()))
        .flat_map(|(_, options)| options.iter());
    for (long, value) in context {
        let arg = leaf
            .arguments()
            .find(|a| a.get_long() == Some(long))
            .unwrap_or_else(|| panic!("CONTEXT: {:?} has no --{long}", leaf.path));
        if not_target(arg) {
            values.push((arg.get_id().clone(), Part::plain(value)));
        }
    }
    for _ in 0..8 {
        let line = std::iter::once("acquit".to_owned())
            .chain(render(leaf, &values).into_iter().map(|p| p.arg));
        let Err(error) = acquit_cli::Cli::command().try_get_matches_from(line) else {
            break;
        };
        if error.kind() != clap::error::ErrorKind::MissingRequiredArgument {
            break;
        }
        let Some(clap::error::ContextValue::Strings(missing)) =
            error.get(clap::error::ContextKind::InvalidArg)
        else {
            break;
        };
        let before = values.len();
        for rendered in missing {
            if let Some(arg) = named(leaf, rendered)
                && !values.iter().any(|(id, _)| id == arg.get_id())
            {
                values.push((arg.get_id().clone(), plausible_part(arg)));
            }
        }
        if values.len() == before {
            break;
        }
    }
    // The target is set by the caller.
    if target.is_some() {
        values.remove(0);
    }
    values
}

/// The command line of `leaf` with `target` set to `value` (shown as
/// `shown`) and `others` (see [`required`]).
fn command_line(
    leaf: &Leaf,
    target: Option<&clap::Arg>,
    value: &str,
    shown: &str,
    others: &Values,
) -> Vec<Part> {
    let mut values = others.clone();
    if let Some(target) = target {
        values.push((
            target.get_id().clone(),
            Part {
                arg: value.to_owned(),
                shown: shown.to_owned(),
            },
        ));
    }
    render(leaf, &values)
}

/// Every run: baselines, hostile arguments, hostile files, hostile
/// stdin, then the regressions.
fn plan(all: &[Leaf], books: &Books) -> (Vec<Run>, usize) {
    let mut runs = Vec::new();
    let mut arguments = 0;
    for leaf in all {
        let path: Vec<&str> = leaf.path.iter().map(String::as_str).collect();
        if SKIPPED.iter().any(|(p, _)| *p == path.as_slice()) {
            continue;
        }
        let baseline = required(leaf, None, books);
        runs.push(Run {
            args: command_line(leaf, None, "", "", &baseline),
            baseline: true,
            ..Run::default()
        });
        for arg in leaf.arguments().filter(|a| takes_value(a)) {
            arguments += 1;
            let others = required(leaf, Some(arg), books);
            for (name, value) in hostile() {
                runs.push(Run {
                    args: command_line(leaf, Some(arg), &value, name, &others),
                    ..Run::default()
                });
            }
            if is_path(arg) {
                for (name, content) in hostile_files() {
                    runs.push(Run {
                        args: command_line(leaf, Some(arg), "hostile-input", name, &others),
                        file: Some(content),
                        ..Run::default()
                    });
                }
            }
        }
        if STDIN_READERS.contains(&path.as_slice()) {
            for payload in hostile_stdin() {
                runs.push(Run {
                    args: command_line(leaf, None, "", "", &baseline),
                    stdin: Some(payload),
                    ..Run::default()
                });
            }
        }
    }
    let far_due = books.fixtures.join("far-due.csv").display().to_string();
    let line = |args: &[&str]| -> Vec<Part> {
        args.iter()
            .map(|a| {
                Part::plain(
                    &a.replace("{draft}", &books.draft)
                        .replace("{far-due}", &far_due),
                )
            })
            .collect()
    };
    for steps in REGRESSIONS {
        let ((first, code), rest) = steps.split_first().expect("a regression has a step");
        runs.push(Run {
            args: line(first),
            expect: Some(*code),
            then: rest
                .iter()
                .map(|(args, code)| (line(args), *code))
                .collect(),
            ..Run::default()
        });
    }
    (runs, arguments)
}

/// Books filled by `acquit demo`, an issued quote, a draft quote and a
/// recurring schedule, and the fixture files of the plausible values.
fn books(root: &Path) -> Books {
    let acquit = Acquit::new();
    acquit.ok(&["demo"]);
    let invoices = acquit.json(&["invoice", "list", "--json"]);
    let invoices = invoices.as_array().unwrap();
    let pick = |wanted: &dyn Fn(&Value) -> bool| {
        invoices
            .iter()
            .find(|i| wanted(i))
            .unwrap_or_else(|| panic!("the demo has no such invoice: {invoices:#?}"))
    };
    let open_invoice = pick(&|i| i["status"] == "issued" && i["kind"] == "standard")["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let drafts: Vec<String> = invoices
        .iter()
        .filter(|i| i["status"] == "draft")
        .map(|i| i["id"].to_string())
        .collect();
    assert!(drafts.len() >= 2, "the demo has two drafts: {invoices:#?}");
    let quote = acquit
        .ok(&["quote", "new", "--client", "1"])
        .trim()
        .to_owned();
    acquit.ok(&[
        "quote",
        "add-line",
        &quote,
        "--desc",
        "Audit",
        "--qty",
        "2",
        "--unit-price",
        "450",
    ]);
    let quote_number = acquit.ok(&["quote", "issue", &quote]).trim().to_owned();
    let accepted = acquit
        .ok(&["quote", "new", "--client", "3"])
        .trim()
        .to_owned();
    acquit.ok(&[
        "quote",
        "add-line",
        &accepted,
        "--desc",
        "Jardin",
        "--qty",
        "3",
        "--unit-price",
        "120",
    ]);
    let quote_accepted = acquit.ok(&["quote", "issue", &accepted]).trim().to_owned();
    acquit.ok(&["quote", "accept", &quote_accepted, "--by", "Jeanne Martin"]);
    let quote_draft = acquit
        .ok(&["quote", "new", "--client", "2"])
        .trim()
        .to_owned();
    acquit.ok(&[
        "quote",
        "add-line",
        &quote_draft,
        "--desc",
        "Atelier",
        "--qty",
        "1",
        "--unit-price",
        "800",
    ]);
    let schedule = acquit
        .ok(&[
            "recurring",
            "add",
            "--from",
            &drafts[1],
            "--every",
            "1m",
            "--start",
            "2030-01-15",
        ])
        .trim()
        .to_owned();
    let fixtures = root.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    let backup = fixtures.join("backup.db");
    acquit.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let facturx = fixtures.join("facturx.pdf");
    acquit.ok(&[
        "invoice",
        "facturx",
        &open_invoice,
        "--out",
        facturx.to_str().unwrap(),
    ]);
    let import = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    std::fs::copy(
        import.join("invoice-ninja-clients.csv"),
        fixtures.join("clients.csv"),
    )
    .unwrap();
    std::fs::copy(
        import.join("invoices-tableur.csv"),
        fixtures.join("invoices.csv"),
    )
    .unwrap();
    // The template: a copy made once every write is done (a backup is a
    // whole, checked database file).
    std::fs::write(
        fixtures.join("far-due.csv"),
        "Num\u{e9}ro;Date;Client;Taux TVA;Montant HT;TVA;\u{c9}ch\u{e9}ance\nF-2025-0147;2025-01-01;Agence Lumi\u{e8}re;20;100;20;+262142-12-31\n",
    )
    .unwrap();
    let db = root.join("template.db");
    acquit.ok(&["backup", "--out", db.to_str().unwrap()]);
    Books {
        template: std::fs::read(&db).unwrap(),
        db,
        fixtures,
        open_invoice,
        draft: drafts[0].clone(),
        quote_number,
        quote_accepted,
        quote_draft,
        schedule,
    }
}

/// A folder of stand-ins for the programs Acquit may launch (each exits
/// 1), and `xmllint` when it is installed: the runs' whole `PATH`.
fn programs(root: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = root.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["xdg-open", "xdg-email", "open", "sensible-browser"] {
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\nexit 1\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(xmllint) = std::env::split_paths(&path)
        .map(|d| d.join("xmllint"))
        .find(|p| p.is_file())
    {
        std::os::unix::fs::symlink(xmllint, dir.join("xmllint")).unwrap();
    }
    dir
}

/// One run's private folder: its books, HOME, XDG folders, and a working
/// folder three levels down.
struct Place {
    dir: PathBuf,
    cwd: PathBuf,
    db: PathBuf,
}

impl Place {
    fn new(root: &Path, index: usize, books: &Books) -> Place {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = root.join(format!("run-{index}"));
        let cwd = dir.join("work/a/b");
        for sub in ["home", "data", "config", "cache", "runtime"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        std::fs::set_permissions(dir.join("runtime"), std::fs::Permissions::from_mode(0o700))
            .unwrap();
        std::fs::create_dir_all(&cwd).unwrap();
        let db = dir.join("acquit.db");
        std::fs::copy(&books.db, &db).unwrap();
        Place { dir, cwd, db }
    }

    /// Whether the books differ from the template, besides the two
    /// counters in SQLite's header that every opening bumps (the file
    /// change counter, at 24, and the version-valid-for number, at 92).
    fn changed(&self, books: &Books) -> bool {
        let wal = self.db.with_extension("db-wal");
        if std::fs::metadata(wal).is_ok_and(|m| m.len() > 0) {
            return true;
        }
        let Ok(mut bytes) = std::fs::read(&self.db) else {
            return true;
        };
        let mut template = books.template.clone();
        for counter in [24..28, 92..96] {
            for b in [&mut bytes, &mut template] {
                if let Some(range) = b.get_mut(counter.clone()) {
                    range.fill(0);
                }
            }
        }
        bytes != template
    }
}

/// How one process ended: `None` when it was killed after [`TIMEOUT`].
struct Outcome {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

/// Runs `acquit args` in `place`, stdin from `stdin` (else nothing),
/// with the environment of the module's doc.
fn spawn(place: &Place, args: &[Part], stdin: Option<&[u8]>, bin: &Path) -> Outcome {
    let stdin = match stdin {
        Some(bytes) => {
            let file = place.dir.join("stdin");
            std::fs::write(&file, bytes).unwrap();
            Stdio::from(std::fs::File::open(file).unwrap())
        }
        None => Stdio::null(),
    };
    // Files, not pipes: nothing blocks on a full pipe while this waits.
    let out = place.dir.join("stdout");
    let err = place.dir.join("stderr");
    let closed = "http://127.0.0.1:9";
    let mut child = Command::new(env!("CARGO_BIN_EXE_acquit"))
        .args(args.iter().map(|p| OsString::from(&p.arg)))
        .current_dir(&place.cwd)
        .env_clear()
        .env("PATH", bin)
        .env("HOME", place.dir.join("home"))
        .env("XDG_DATA_HOME", place.dir.join("data"))
        .env("XDG_CONFIG_HOME", place.dir.join("config"))
        .env("XDG_CACHE_HOME", place.dir.join("cache"))
        .env("XDG_RUNTIME_DIR", place.dir.join("runtime"))
        .env("TMPDIR", &place.dir)
        .env("LANG", "C.UTF-8")
        .env("ACQUIT_DB", &place.db)
        .env("ACQUIT_VIES_URL", closed)
        .env("ACQUIT_DIRECTORY_URL", closed)
        .env("ACQUIT_STRIPE_API_BASE", closed)
        .stdin(stdin)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    PROCESSES.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Outcome {
        status,
        stdout: common::text(&std::fs::read(out).unwrap()),
        stderr: common::text(&std::fs::read(err).unwrap()),
    }
}

/// What is wrong with how `line` ended, if anything; `expect` is the exit
/// code it must end with, `baseline` says it must not be a usage error.
fn judge(line: &str, outcome: &Outcome, expect: Option<i32>, baseline: bool) -> Option<String> {
    let head: String = outcome
        .stderr
        .trim()
        .chars()
        .take(400)
        .collect::<String>()
        .replace('\n', " | ");
    let Some(status) = outcome.status else {
        return Some(format!("{line}: still running after {TIMEOUT:?}, killed"));
    };
    let Some(code) = status.code() else {
        return Some(format!(
            "{line}: killed by a signal ({status}); stderr: {head}"
        ));
    };
    let mut wrong = Vec::new();
    if !matches!(code, 0..=3) {
        wrong.push(format!("exit {code}, not 0-3"));
    }
    if outcome.stderr.contains("panicked") {
        wrong.push("a panic".to_owned());
    }
    if matches!(code, 1 | 3) {
        if outcome.stderr.trim().is_empty() {
            wrong.push("no message".to_owned());
        }
        for noise in ["Os {", "Error {", "Custom {", "kind: "] {
            if outcome.stderr.contains(noise) {
                wrong.push(format!("a Debug dump ({noise:?}) in the message"));
            }
        }
    }
    if baseline && code == 2 {
        wrong.push("the plausible values are a usage error: fix `plausible` or CONTEXT".to_owned());
    }
    if let Some(expected) = expect
        && code != expected
    {
        wrong.push(format!("expected exit {expected} (a regression)"));
    }
    (!wrong.is_empty())
        .then(|| format!("{line}: {} (exit {code}); stderr: {head}", wrong.join(", ")))
}

/// After `line` succeeded and changed the books: the newest draft issued
/// (its due date from the payment terms, its number after the last date),
/// the PDF of what was issued (every stored field drawn), the reminders
/// (date arithmetic on every open invoice). What went wrong, if anything.
fn follow_ups(line: &str, place: &Place, books: &Books, bin: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    let mut step = |args: &[&str]| -> Option<String> {
        let args: Vec<Part> = args.iter().map(|a| Part::plain(a)).collect();
        let outcome = spawn(place, &args, None, bin);
        let then = format!("{line}, then {}", shown(&args));
        if let Some(failure) = judge(&then, &outcome, None, true) {
            failures.push(failure);
        }
        (outcome.status.and_then(|s| s.code()) == Some(0)).then_some(outcome.stdout)
    };
    let newest = step(&["invoice", "list", "--status=draft", "--json"])
        .and_then(|json| serde_json::from_str::<Value>(&json).ok())
        .and_then(|drafts| {
            drafts
                .as_array()?
                .iter()
                .filter_map(|d| d["id"].as_i64())
                .max()
        });
    let issued = newest
        .and_then(|id| step(&["invoice", "issue", &id.to_string()]))
        .map(|number| number.trim().to_owned());
    let number = issued.as_deref().unwrap_or(&books.open_invoice);
    step(&["invoice", "pdf", number, "--out=follow-up.pdf"]);
    step(&["reminders"]);
    failures
}

/// Runs `run` (and, after it, its follow-ups or a regression's next
/// steps) in its own place; what went wrong.
fn execute(index: usize, run: &Run, root: &Path, books: &Books, bin: &Path) -> Vec<String> {
    let place = Place::new(root, index, books);
    match &run.file {
        Some(Content::File(bytes)) => {
            std::fs::write(place.cwd.join("hostile-input"), bytes).unwrap()
        }
        Some(Content::Folder) => {
            let folder = place.cwd.join("hostile-input");
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join(format!("{}.pdf", books.open_invoice)),
                b"\0\xff",
            )
            .unwrap();
            std::fs::write(folder.join("\u{202E}💸.pdf"), b"%PDF\0").unwrap();
        }
        None => {}
    }
    let line = run.shown();
    let stdin = run.stdin.as_ref().map(|(_, bytes)| bytes.as_slice());
    let outcome = spawn(&place, &run.args, stdin, bin);
    let mut failures: Vec<String> = judge(&line, &outcome, run.expect, run.baseline)
        .into_iter()
        .collect();
    if run.then.is_empty() {
        if outcome.status.and_then(|s| s.code()) == Some(0) && place.changed(books) {
            failures.extend(follow_ups(&line, &place, books, bin));
        }
    } else {
        for (args, code) in &run.then {
            let outcome = spawn(&place, args, None, bin);
            let then = format!("{line}, then {}", shown(args));
            failures.extend(judge(&then, &outcome, Some(*code), false));
        }
    }
    let _ = std::fs::remove_dir_all(&place.dir);
    failures
}

#[test]
fn hostile_arguments_never_panic() {
    let started = Instant::now();
    // tmpfs when there is one: SQLite's fsyncs on a disk double the time.
    let root = tempfile::Builder::new()
        .prefix("acquit-hostile-")
        .tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap();
    let books = books(root.path());
    let bin = programs(root.path());

    let mut all = Vec::new();
    leaves(&acquit_cli::Cli::command(), &mut Vec::new(), &[], &mut all);
    assert!(
        all.len() > 50,
        "clap lists only {} commands: is the walk broken?",
        all.len()
    );
    let listed = STDIN_READERS
        .iter()
        .chain(SKIPPED.iter().map(|(p, _)| p))
        .chain(CONTEXT.iter().map(|(p, _)| p));
    for path in listed {
        assert!(
            all.iter().any(|l| l.path.iter().eq(path.iter())),
            "{path:?} is not a command any more: update the list"
        );
    }
    let (runs, arguments) = plan(&all, &books);

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| (n.get() * 2).min(8));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(run) = runs.get(index) else { break };
                    for failure in execute(index, run, root.path(), &books, &bin) {
                        failures.lock().unwrap().push((index, failure));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    eprintln!(
        "hostile_args: {} commands, {arguments} arguments, {} runs ({} processes with the follow-ups) in {:.1} s ({workers} at a time); skipped: {SKIPPED:?}",
        all.len() - SKIPPED.len(),
        runs.len(),
        PROCESSES.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failures in {} runs:\n{}",
        failures.len(),
        runs.len(),
        failures
            .iter()
            .map(|(_, f)| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
