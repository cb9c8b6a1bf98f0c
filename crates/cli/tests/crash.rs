//! Crash test: `kill -9` the real `acquit` binary at random moments while it
//! issues invoices and records payments, and check after every kill that
//! the database is whole.
//!
//! Each round runs, in a `bash -c` loop in its own process group, the
//! sequence a user would type — `invoice new`, `invoice add-line`, `invoice
//! issue`, then one to three `payment add` for amounts up to what is due —
//! over and over on one database, and kills the whole group with SIGKILL
//! after a delay of 5 to 150 ms. A round first finishes what the killed one
//! left (adds the line to an empty draft, issues a draft, pays what is due),
//! as a user would, so kills land in every command, not mostly in the first
//! ones. Then it checks that
//!
//! - the file opens (`Store::open` runs `PRAGMA integrity_check`) and the
//!   journal verifies;
//! - the issued numbers are exactly F-2026-0001 ..= F-2026-n, no gap, no
//!   duplicate, and the journal has one entry per issued invoice and per
//!   payment;
//! - every invoice balances: amount due = total − paid, 0 ≤ paid ≤ total,
//!   the status follows, and the ledger adds up to the payments.
//!
//! At the end it also checks, through the CLI, that every command that
//! reported success (its output was logged by the loop) left its effect in
//! the file, and that the next invoice gets number n + 1 (no crashed
//! transaction moved the counter).
//!
//! Amounts come from an xorshift generator seeded with the round number, so
//! a failing round can be replayed; the delay too.

#![cfg(unix)]

use std::collections::{BTreeMap, HashMap};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use acquit_core::InvoiceStatus;
use acquit_store::Store;
use serde_json::Value;

mod common;
use common::Acquit;

const ROUNDS: u64 = 200;
/// Invoices planned per round: more than fit in 150 ms, so the kill lands
/// inside the loop (a round that finishes first is counted as such).
const INVOICES_PER_ROUND: u64 = 6;
const DATE: &str = "2026-11-23";
const PREFIX: &str = "F-2026-";

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform enough in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).expect("lo <= hi");
        lo + i64::try_from(self.next() % span).expect("small")
    }
}

/// One invoice of the loop: a line of `price` cents excluding VAT at 20 %
/// (a multiple of 5 cents, so the VAT is exact and the total is price × 6/5),
/// then payments in cents that add up to at most the total.
struct Plan {
    price: i64,
    payments: Vec<i64>,
}

impl Plan {
    fn new(rng: &mut Rng) -> Plan {
        let price = 5 * rng.range(200, 40_000); // 10.00 € to 2 000.00 €
        let mut remaining = price * 6 / 5;
        let count = rng.range(1, 3);
        let mut payments = Vec::new();
        for i in 0..count {
            if remaining == 0 {
                break;
            }
            // Half of the invoices end fully paid.
            let amount = if i == count - 1 && rng.range(0, 1) == 0 {
                remaining
            } else {
                rng.range(1, remaining)
            };
            payments.push(amount);
            remaining -= amount;
        }
        Plan { price, payments }
    }
}

fn decimal(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A positive `--json` amount (`"1215.00"`) in cents.
fn cents(decimal: &str) -> i64 {
    let (units, hundredths) = decimal.split_once('.').expect("two decimals");
    units.parse::<i64>().unwrap() * 100 + hundredths.parse::<i64>().unwrap()
}

const METHODS: [&str; 5] = ["transfer", "cheque", "cash", "card-terminal", "other"];

/// Where the last round stopped, read from the database: what a user
/// would finish before starting the next invoice.
#[derive(Debug)]
enum Resume {
    Nothing,
    /// The newest invoice is a draft without lines.
    AddLine {
        draft: i64,
    },
    /// The newest invoice is a draft with its line, of this total in cents.
    Issue {
        draft: i64,
        total: i64,
    },
    /// The newest invoice is issued and this much (cents) is still due.
    Pay {
        number: String,
        due: i64,
    },
}

impl Resume {
    fn read(store: &Store) -> Resume {
        let newest = store.list_page(&acquit_store::ListQuery {
            limit: 1,
            ..acquit_store::ListQuery::default()
        });
        match newest.unwrap().first() {
            None => Resume::Nothing,
            Some(s) => match &s.number {
                None if s.total.is_zero() => Resume::AddLine { draft: s.id.0 },
                None => Resume::Issue {
                    draft: s.id.0,
                    total: s.total.minor(),
                },
                Some(number) if s.amount_due.is_positive() => Resume::Pay {
                    number: number.clone(),
                    due: s.amount_due.minor(),
                },
                Some(_) => Resume::Nothing,
            },
        }
    }
}

/// The bash loop of one round. Before each command it logs `begin`, after
/// a success `ok` with the command's output, after a failure `fail` with
/// the exit code (and stops).
fn script(round: u64, resume: &Resume, rng: &mut Rng) -> String {
    let mut s = String::from(
        "set -u\nlog() { printf '%s\\n' \"$*\" >> \"$LOG\"; }\n\
         fail() { log \"fail $1 $2\"; exit 1; }\n",
    );
    let new = |tag: &str| {
        format!(
            "log 'begin new {tag}'\n\
             d=$(\"$ACQUIT\" invoice new --client 1 2>>\"$ERR\") || fail new $?\n\
             log \"ok new {tag} $d\"\n"
        )
    };
    let add_line = |tag: &str, price: i64| {
        format!(
            "log \"begin line {tag} $d\"\n\
             \"$ACQUIT\" invoice add-line \"$d\" --desc 'Item {tag}' --qty 1 \
                 --unit-price {} --vat 20 >/dev/null 2>>\"$ERR\" || fail line $?\n\
             log 'ok line {tag}'\n",
            decimal(price)
        )
    };
    let issue = |tag: &str, total: i64| {
        format!(
            "log \"begin issue {tag} $d\"\n\
             n=$(\"$ACQUIT\" invoice issue \"$d\" --date {DATE} 2>>\"$ERR\") || fail issue $?\n\
             log \"ok issue {tag} $n {total}\"\n"
        )
    };
    let pay = |tag: &str, j: usize, cents: i64| {
        let method = METHODS[(usize::try_from(round).unwrap() + j) % METHODS.len()];
        format!(
            "log \"begin pay {tag} $n\"\n\
             p=$(\"$ACQUIT\" payment add \"$n\" --amount {} --method {method} \
                 --date {DATE} 2>>\"$ERR\") || fail pay $?\n\
             log \"ok pay {tag} $n $p {cents}\"\n",
            decimal(cents)
        )
    };

    // First what the last round left unfinished.
    let tag = format!("{round} r");
    match resume {
        Resume::Nothing => {}
        Resume::AddLine { draft } => {
            let plan = Plan::new(rng);
            s.push_str(&format!("d={draft}\n"));
            s.push_str(&add_line(&tag, plan.price));
            s.push_str(&issue(&tag, plan.price * 6 / 5));
        }
        Resume::Issue { draft, total } => {
            s.push_str(&format!("d={draft}\n"));
            s.push_str(&issue(&tag, *total));
        }
        Resume::Pay { number, due } => {
            s.push_str(&format!("n={number}\n"));
            let cents = if rng.range(0, 1) == 0 {
                *due
            } else {
                rng.range(1, *due)
            };
            s.push_str(&pay(&tag, 0, cents));
        }
    }
    for i in 0..INVOICES_PER_ROUND {
        let plan = Plan::new(rng);
        let tag = format!("{round} {i}");
        s.push_str(&new(&tag));
        s.push_str(&add_line(&tag, plan.price));
        s.push_str(&issue(&tag, plan.price * 6 / 5));
        for (j, cents) in plan.payments.iter().enumerate() {
            s.push_str(&pay(&tag, j, *cents));
        }
    }
    s.push_str("log done\n");
    s
}

/// What the loop reported as done, across rounds.
#[derive(Debug, Default)]
struct Acknowledged {
    /// Issued number → total in cents.
    issued: BTreeMap<String, i64>,
    /// Payment id → (invoice number, cents).
    payments: BTreeMap<i64, (String, i64)>,
}

/// Where the kill of a round landed.
#[derive(Default, Debug)]
struct Kills {
    before_first_command: u64,
    between_commands: u64,
    mid_command: u64,
    /// Of those mid-command: the command's transaction had committed.
    mid_command_committed: u64,
    /// Mid-command kills per command (`new`, `line`, `issue`, `pay`).
    by_command: BTreeMap<String, u64>,
    finished_first: u64,
}

impl Acquit {
    /// A company and client 1.
    fn setup(&self) {
        self.ok(&["init"]);
        self.ok(&[
            "company",
            "set",
            "--name",
            "Atelier Durand",
            "--siren",
            "732829320",
            "--address",
            "12 rue des Lilas\\n75011 Paris",
        ]);
        assert_eq!(
            self.ok(&["client", "add", "--name", "Boulangerie Martin"]),
            "1\n"
        );
    }

    /// Runs round `round`'s loop, kills it after 5–150 ms, and returns its
    /// log and whether it finished before the kill.
    fn round(&self, round: u64, resume: &Resume) -> (String, bool) {
        let mut rng = Rng::new(round + 1);
        let delay = Duration::from_millis(u64::try_from(rng.range(5, 150)).unwrap());
        let log = self.dir.path().join(format!("round-{round}.log"));
        let err = self.dir.path().join("stderr.log");
        let mut child = Command::new("bash")
            .args(["-c", &script(round, resume, &mut rng)])
            .env("ACQUIT", env!("CARGO_BIN_EXE_acquit"))
            .env("ACQUIT_DB", &self.db)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("LOG", &log)
            .env("ERR", &err)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("bash runs");
        let pgid = child.id();
        std::thread::sleep(delay);
        // Still running (not reaped: its pgid cannot have been reused).
        let finished = if child.try_wait().unwrap().is_none() {
            let status = Command::new("kill")
                .args(["-9", "--", &format!("-{pgid}")])
                .status()
                .expect("kill runs");
            assert!(status.success(), "kill -9 -{pgid} failed");
            let status = child.wait().unwrap();
            wait_until_gone(pgid);
            status.success()
        } else {
            wait_until_gone(pgid);
            true
        };
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(failure) = complete_lines(&text).find(|l| l.starts_with("fail ")) {
            // 137: acquit itself got the SIGKILL a hair before bash.
            if !failure.ends_with(" 137") {
                panic!(
                    "round {round}: a command failed on its own: {failure}\nstderr: {}",
                    std::fs::read_to_string(&err).unwrap_or_default()
                );
            }
        }
        (text, finished)
    }
}

/// The lines of a log that were written whole (a kill may cut the last).
fn complete_lines(text: &str) -> impl Iterator<Item = &str> {
    let whole = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    whole.lines().filter(|l| !l.is_empty())
}

/// Waits until no live process is left in the group `pgid` (killed
/// children of bash are reparented and reaped elsewhere; zombies hold no
/// lock). Reads /proc where there is one.
fn wait_until_gone(pgid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while group_alive(pgid) {
        assert!(
            Instant::now() < deadline,
            "process group {pgid} is still alive 10 s after SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp …"; comm may hold ')'.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            return false;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        matches!(fields.as_slice(), [state, _, pgrp, ..]
            if pgrp.parse::<u32>() == Ok(pgid) && *state != "Z" && *state != "X")
    })
}

/// `Err(message)` unless `cond`.
macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return Err(format!($($message)+));
        }
    };
}

/// Whether `numbers` are exactly F-2026-0001 ..= F-2026-n.
fn check_numbering(numbers: &[String]) -> Result<(), String> {
    let mut sequence = Vec::new();
    for n in numbers {
        match n.strip_prefix(PREFIX).and_then(|s| s.parse::<u64>().ok()) {
            Some(seq) => sequence.push(seq),
            None => return Err(format!("{n} is not an F-2026-NNNN number")),
        }
    }
    sequence.sort_unstable();
    let expected: Vec<u64> = (1..=sequence.len() as u64).collect();
    ensure!(
        sequence == expected,
        "the issued numbers have a gap or a duplicate: {sequence:?} (expected 1..={}); \
         all numbers: {numbers:?}",
        sequence.len()
    );
    Ok(())
}

/// What a check found.
#[derive(Debug)]
struct Counts {
    issued: usize,
    payments: usize,
    drafts: usize,
}

/// Opens the database as the app would.
fn open(db: &Path, context: &str) -> Store {
    Store::open(db).unwrap_or_else(|e| panic!("{context}: the database does not open: {e}"))
}

/// Checks every invariant above; `Err` says which one broke.
fn check(store: &Store) -> Result<Counts, String> {
    let report = store.verify_journal().map_err(|e| e.to_string())?;
    if let Some(problem) = &report.problem {
        return Err(format!("the journal is broken at {problem}"));
    }
    let drift = store.settlement_drift().map_err(|e| e.to_string())?;
    ensure!(
        drift.is_empty(),
        "the kept settlements of {drift:?} differ from their payments"
    );
    let invoices = store.list_invoices(None).map_err(|e| e.to_string())?;
    let issued: Vec<_> = invoices.iter().filter(|s| s.number.is_some()).collect();
    let numbers: Vec<String> = issued.iter().filter_map(|s| s.number.clone()).collect();
    check_numbering(&numbers)?;

    let ledger = store.ledger(None, None).map_err(|e| e.to_string())?;
    let mut paid: HashMap<&str, i64> = HashMap::new();
    for entry in &ledger {
        ensure!(
            entry.amount.is_positive(),
            "only payments were recorded, not {entry:?}"
        );
        *paid.entry(entry.invoice_number.as_str()).or_default() += entry.amount.minor();
    }
    ensure!(
        report.entries as usize == issued.len() + ledger.len(),
        "the journal has {} entries for {} issued invoices and {} payments",
        report.entries,
        issued.len(),
        ledger.len()
    );
    let mut due_total = 0;
    for s in &issued {
        let number = s.number.as_deref().unwrap_or_default();
        let total = s.total.minor();
        let paid = paid.remove(number).unwrap_or(0);
        ensure!(
            (0..=total).contains(&paid),
            "{number} has {paid} paid of {total}"
        );
        ensure!(
            s.amount_due.minor() == total - paid,
            "{number}: amount due {} ≠ total {total} − paid {paid}",
            s.amount_due.minor()
        );
        let status = match paid {
            0 => InvoiceStatus::Issued,
            p if p == total => InvoiceStatus::Paid,
            _ => InvoiceStatus::PartiallyPaid,
        };
        ensure!(
            s.status == status,
            "{number} with {paid} paid of {total} is {:?}",
            s.status
        );
        due_total += s.amount_due.minor();
    }
    ensure!(
        paid.is_empty(),
        "payments on invoices that are not issued: {paid:?}"
    );
    let issued_total: i64 = issued.iter().map(|s| s.total.minor()).sum();
    let ledger_total: i64 = ledger.iter().map(|e| e.amount.minor()).sum();
    ensure!(
        ledger_total == issued_total - due_total,
        "the ledger's sum {ledger_total} is not what the invoices were paid ({})",
        issued_total - due_total
    );
    Ok(Counts {
        issued: issued.len(),
        payments: ledger.len(),
        drafts: invoices.len() - issued.len(),
    })
}

/// Reads one round's log: records what was acknowledged, and says where the
/// kill landed (checking, for a kill during `add-line`, `issue` or `payment
/// add`, whether the command had committed).
fn account(text: &str, finished: bool, store: &Store, acked: &mut Acknowledged, kills: &mut Kills) {
    let mut last = None;
    for line in complete_lines(text) {
        let words: Vec<&str> = line.split(' ').collect();
        match words.as_slice() {
            ["ok", "issue", _, _, number, total] => {
                let total = total.parse().unwrap();
                let before = acked.issued.insert((*number).to_owned(), total);
                assert_eq!(before, None, "{number} was issued twice");
            }
            ["ok", "pay", _, _, number, id, cents] => {
                let before = acked.payments.insert(
                    id.parse().unwrap(),
                    ((*number).to_owned(), cents.parse().unwrap()),
                );
                assert_eq!(before, None, "payment {id} was recorded twice");
            }
            _ => {}
        }
        last = Some(words);
    }
    if finished {
        kills.finished_first += 1;
        return;
    }
    let Some(last) = last else {
        kills.before_first_command += 1;
        return;
    };
    if last[0] != "begin" {
        kills.between_commands += 1;
        return;
    }
    kills.mid_command += 1;
    *kills.by_command.entry(last[1].to_owned()).or_default() += 1;
    let committed = match last.as_slice() {
        ["begin", "line", _, _, draft] => store
            .invoice_by_id(acquit_store::InvoiceId(draft.parse().unwrap()))
            .is_ok_and(|v| !v.lines.is_empty()),
        ["begin", "issue", _, _, draft] => store
            .invoice_by_id(acquit_store::InvoiceId(draft.parse().unwrap()))
            .is_ok_and(|v| v.number.is_some()),
        ["begin", "pay", _, _, number] => {
            let recorded = store.payments(number).unwrap().len();
            let acknowledged = acked.payments.values().filter(|(n, _)| n == number).count();
            recorded > acknowledged
        }
        _ => false,
    };
    if committed {
        kills.mid_command_committed += 1;
    }
}

#[test]
fn kill_9_at_random_moments_never_breaks_the_books() {
    let started = Instant::now();
    let harness = Acquit::new();
    harness.setup();
    let mut acked = Acknowledged::default();
    let mut kills = Kills::default();
    let mut store = open(&harness.db, "after setup");
    let mut counts = check(&store).unwrap_or_else(|e| panic!("after setup: {e}"));
    let mut resumed = 0;
    let (mut in_loops, mut in_checks) = (Duration::ZERO, Duration::ZERO);
    for round in 0..ROUNDS {
        let before = Instant::now();
        let resume = Resume::read(&store);
        if !matches!(resume, Resume::Nothing) {
            resumed += 1;
        }
        // Nothing of the harness holds the file while the loop runs.
        drop(store);
        let looping = Instant::now();
        let (log, finished) = harness.round(round, &resume);
        let checking = Instant::now();
        let context = format!("after round {round}");
        store = open(&harness.db, &context);
        counts = check(&store).unwrap_or_else(|e| panic!("{context}: {e}"));
        account(&log, finished, &store, &mut acked, &mut kills);
        in_loops += checking - looping;
        in_checks += checking.elapsed() + (looping - before);
    }
    drop(store);

    // Through the CLI too: the journal, and what the loop saw succeed.
    let verified = harness.ok(&["journal", "verify"]);
    assert_eq!(
        verified,
        format!(
            "journal intact: {} entries\n",
            counts.issued + counts.payments
        )
    );
    let listed = harness.json(&["invoice", "list", "--json"]);
    let by_number: HashMap<&str, &Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| Some((i["number"].as_str()?, i)))
        .collect();
    let store = Store::open(&harness.db).unwrap();
    for (number, total) in &acked.issued {
        let invoice = by_number
            .get(number.as_str())
            .unwrap_or_else(|| panic!("{number} was issued (the CLI said so) but is gone"));
        assert_eq!(
            invoice["total"].as_str().unwrap(),
            decimal(*total),
            "{number}'s total"
        );
    }
    let mut recorded: HashMap<i64, (String, i64)> = HashMap::new();
    for number in by_number.keys() {
        for p in store.payments(number).unwrap() {
            recorded.insert(p.id.0, (p.invoice_number.clone(), p.amount.minor()));
        }
    }
    assert_eq!(recorded.len(), counts.payments, "payments() = the ledger");
    for (id, expected) in &acked.payments {
        assert_eq!(
            recorded.get(id),
            Some(expected),
            "payment {id} was recorded (the CLI said so) but is not as it said"
        );
    }
    // The ledger (through the CLI) is the payments, to the cent.
    let ledger = harness.json(&["ledger", "--json"]);
    let ledger = ledger.as_array().unwrap();
    assert_eq!(ledger.len(), counts.payments);
    let ledger_cents: i64 = ledger
        .iter()
        .map(|e| cents(e["amount"].as_str().unwrap()))
        .sum();
    let recorded_cents: i64 = recorded.values().map(|(_, c)| c).sum();
    assert_eq!(ledger_cents, recorded_cents, "the ledger's sum");
    drop(store);

    // No crashed transaction moved the counter: the next number follows.
    let draft = harness.ok(&["invoice", "new", "--client", "1"]);
    let draft = draft.trim();
    harness.ok(&[
        "invoice",
        "add-line",
        draft,
        "--desc",
        "After the crashes",
        "--qty",
        "1",
        "--unit-price",
        "100",
    ]);
    assert_eq!(
        harness.ok(&["invoice", "issue", draft, "--date", DATE]),
        format!("{PREFIX}{:04}\n", counts.issued + 1)
    );

    println!(
        "crash test: {ROUNDS} rounds in {:.1} s ({:.1} s in the loops, {:.1} s checking): {} invoices issued ({} acknowledged), \
         {} payments ({} acknowledged), {} drafts left, {resumed} rounds resumed a killed one; \
         kills: {} mid-command {:?} ({} after the command had committed), {} between commands, \
         {} before the first command, {} rounds finished before the kill",
        started.elapsed().as_secs_f64(),
        in_loops.as_secs_f64(),
        in_checks.as_secs_f64(),
        counts.issued,
        acked.issued.len(),
        counts.payments,
        acked.payments.len(),
        counts.drafts,
        kills.mid_command,
        kills.by_command,
        kills.mid_command_committed,
        kills.between_commands,
        kills.before_first_command,
        kills.finished_first,
    );
    assert!(
        counts.issued > 0 && counts.payments > 0,
        "the loop never got far enough to test anything"
    );
}

/// The checks themselves fail on what they are meant to catch.
#[test]
fn the_checks_catch_a_gap_and_a_broken_journal() {
    let numbers = |list: &[&str]| list.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    assert!(check_numbering(&numbers(&["F-2026-0002", "F-2026-0001"])).is_ok());
    let gap = check_numbering(&numbers(&["F-2026-0001", "F-2026-0003"])).unwrap_err();
    assert!(gap.contains("gap") && gap.contains("F-2026-0003"), "{gap}");
    let duplicate = check_numbering(&numbers(&["F-2026-0001", "F-2026-0001"]));
    assert!(duplicate.is_err(), "a duplicate went unnoticed");

    let harness = Acquit::new();
    harness.setup();
    let draft = harness.ok(&["invoice", "new", "--client", "1"]);
    let draft = draft.trim();
    harness.ok(&[
        "invoice",
        "add-line",
        draft,
        "--desc",
        "x",
        "--qty",
        "1",
        "--unit-price",
        "100",
    ]);
    harness.ok(&["invoice", "issue", draft, "--date", DATE]);
    harness.ok(&[
        "payment",
        "add",
        "F-2026-0001",
        "--amount",
        "20",
        "--method",
        "cash",
        "--date",
        DATE,
    ]);
    assert!(check(&open(&harness.db, "intact")).is_ok());
    {
        // Edited behind Acquit's back, the lock put back as it was: only
        // the journal can tell.
        let conn = rusqlite::Connection::open(&harness.db).unwrap();
        let lock: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'payments_locked_update'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute_batch(
            "DROP TRIGGER payments_locked_update;
             UPDATE payments SET amount_minor = 200000;",
        )
        .unwrap();
        conn.execute_batch(&lock).unwrap();
    }
    let broken = check(&open(&harness.db, "tampered")).unwrap_err();
    assert!(
        broken.contains("the journal is broken at entry 2 (payment:1)"),
        "{broken}"
    );
}
