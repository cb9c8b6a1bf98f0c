//! Recurring invoices through the real `acquit` binary: the dates of a
//! monthly schedule from the 31st, each period made once whether `run` is
//! called twice, by two processes at once or killed (SIGKILL) mid-run, the
//! numbering gapless and chronological, pause and resume, drafts to review.

mod common;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use common::Acquit;
use serde_json::Value;

/// A micro-entrepreneur, one client, and a draft of one line (retainer).
fn books() -> (Acquit, String) {
    let acquit = Acquit::new();
    common::micro_entrepreneur_company(&acquit);
    common::lumiere_client(&acquit);
    let draft = acquit
        .ok(&["invoice", "new", "--client", "1"])
        .trim()
        .to_owned();
    acquit.ok(&[
        "invoice",
        "add-line",
        &draft,
        "--desc",
        "Maintenance mensuelle",
        "--qty",
        "1",
        "--unit-price",
        "450",
        "--unit",
        "month",
    ]);
    (acquit, draft)
}

/// The issued invoices' numbers and dates, by number.
fn issued(acquit: &Acquit) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = acquit
        .json(&["invoice", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| {
            Some((
                i["number"].as_str()?.to_owned(),
                i["issue_date"].as_str()?.to_owned(),
            ))
        })
        .collect();
    out.sort();
    out
}

fn schedules(acquit: &Acquit) -> Vec<Value> {
    acquit
        .json(&["recurring", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn monthly_from_the_31st_bills_each_months_last_day_once() {
    let (acquit, draft) = books();
    let id = acquit
        .ok(&[
            "recurring",
            "add",
            "--from",
            &draft,
            "--every",
            "1m",
            "--start",
            "2026-01-31",
        ])
        .trim()
        .to_owned();
    assert_eq!(id, "1");
    // The draft stays a draft: the schedule copied it.
    assert_eq!(
        acquit.json(&["invoice", "show", &draft, "--json"])["status"],
        "draft"
    );
    let out = acquit.ok(&["recurring", "run", "--until", "2026-06-30"]);
    assert!(
        out.contains("period 0 (2026-01-31): issued F-2026-0001"),
        "{out}"
    );
    let dates: Vec<String> = issued(&acquit).into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        dates,
        [
            "2026-01-31",
            "2026-02-28",
            "2026-03-31",
            "2026-04-30",
            "2026-05-31",
            "2026-06-30"
        ]
    );
    let shown = acquit.json(&["invoice", "show", "F-2026-0002", "--json"]);
    assert_eq!(shown["total"], "450.00");
    assert_eq!(shown["lines"][0]["description"], "Maintenance mensuelle");
    // Twice: nothing more.
    let again = acquit.ok(&["recurring", "run", "--until", "2026-06-30"]);
    assert!(again.contains("Nothing due up to 2026-06-30"), "{again}");
    assert_eq!(issued(&acquit).len(), 6);
    let list = &schedules(&acquit)[0];
    assert_eq!(list["made"].as_array().unwrap().len(), 6);
    assert_eq!(list["next"], "2026-07-31");
    // Not in advance.
    let err = acquit.fails(1, &["recurring", "run", "--until", "2099-01-01"]);
    assert!(err.contains("not in advance"), "{err}");
}

#[test]
fn two_processes_at_once_make_each_period_once() {
    let (acquit, draft) = books();
    acquit.ok(&[
        "recurring",
        "add",
        "--from",
        &draft,
        "--every",
        "1w",
        "--start",
        "2026-01-05",
    ]);
    let spawn = || {
        acquit
            .command(&["recurring", "run", "--until", "2026-11-30", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", common::text(&out.stderr));
    }
    let numbers: Vec<String> = issued(&acquit).into_iter().map(|(n, _)| n).collect();
    // Mondays from 2026-01-05 to 2026-11-30: 48.
    assert_eq!(numbers.len(), 48);
    let expected: Vec<String> = (1..=48).map(|n| format!("F-2026-{n:04}")).collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    let made = &schedules(&acquit)[0]["made"];
    let periods: Vec<u64> = made
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["period"].as_u64().unwrap())
        .collect();
    assert_eq!(periods, (0..48).collect::<Vec<u64>>());
}

#[test]
fn a_period_the_numbering_cannot_take_becomes_a_draft_and_pauses_hold() {
    let (acquit, draft) = books();
    // An invoice issued on 2026-03-15: the schedule's earlier periods can
    // no longer be numbered on their own day.
    let other = common::issue(
        &acquit,
        &["--client", "1"],
        &["--desc", "Audit", "--qty", "1", "--unit-price", "900"],
        "2026-03-15",
    );
    assert_eq!(other, "F-2026-0001");
    acquit.ok(&[
        "recurring",
        "add",
        "--from",
        &draft,
        "--every",
        "1m",
        "--day",
        "1",
        "--start",
        "2026-01-01",
        "--count",
        "5",
    ]);
    let out = acquit.ok(&["recurring", "run", "--until", "2026-12-01"]);
    assert!(out.contains("period 0 (2026-01-01): draft"), "{out}");
    assert!(out.contains("dated 2026-03-15"), "{out}");
    assert!(
        out.contains("period 3 (2026-04-01): issued F-2026-0002"),
        "{out}"
    );
    let dates: Vec<(String, String)> = issued(&acquit);
    assert_eq!(
        dates,
        [
            ("F-2026-0001".to_owned(), "2026-03-15".to_owned()),
            ("F-2026-0002".to_owned(), "2026-04-01".to_owned()),
            ("F-2026-0003".to_owned(), "2026-05-01".to_owned()),
        ]
    );
    // Five periods in all (--count 5): two drafts to review, three issued.
    let list = &schedules(&acquit)[0];
    assert_eq!(list["made"].as_array().unwrap().len(), 5);
    assert!(list["next"].is_null(), "{list}");

    // Pause: nothing made; resumed today, the pause is not made up.
    acquit.ok(&[
        "recurring",
        "add",
        "--from",
        &draft,
        "--every",
        "2w",
        "--start",
        "2026-06-01",
        "--issue",
        "draft",
    ]);
    acquit.ok(&["recurring", "pause", "2"]);
    let err = acquit.fails(1, &["recurring", "pause", "2"]);
    assert!(err.contains("paused already"), "{err}");
    assert!(acquit.ok(&["recurring", "run"]).contains("Nothing due"));
    assert_eq!(schedules(&acquit)[1]["paused"], true);
    acquit.ok(&["recurring", "resume", "2"]);
    acquit.ok(&["recurring", "run"]);
    // Whatever day this runs, nothing dated before the resume (today) is
    // made: the pause's periods are skipped, not made up.
    let today = acquit_store::today().to_string();
    for made in schedules(&acquit)[1]["made"].as_array().unwrap() {
        assert!(made["date"].as_str().unwrap() >= today.as_str(), "{made}");
        assert!(made["number"].is_null(), "mode draft: {made}");
    }
}

/// SIGKILL lands anywhere in `recurring run` (weekly periods since 2020,
/// each issued in its own transaction; each round bills 12 more days, so
/// most rounds have work under way when the kill comes): after every kill,
/// each period made has exactly one issued invoice, the periods made are
/// 0..n without a hole, and the numbers of each year have no gap.
#[test]
fn kill_9_during_runs_leaves_no_duplicate_and_no_gap() {
    const ROUNDS: u64 = 200;
    let (acquit, draft) = books();
    acquit.ok(&[
        "recurring",
        "add",
        "--from",
        &draft,
        "--every",
        "1w",
        "--start",
        "2020-01-06",
        // Each invoice's payment link is reserved in its issuing
        // transaction: `check` finds exactly one per invoice.
        "--link",
    ]);
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut kills = 0;
    // Rounds that made at least one period before the kill came.
    let mut progressed = 0;
    let mut made_before = 0;
    for round in 0..ROUNDS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(1 + seed % 15);
        let until = (start + chrono::Days::new((round + 1) * 12)).to_string();
        let mut child = acquit
            .command(&["recurring", "run", "--until", &until])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        let made = check(&acquit, round);
        if made > made_before {
            progressed += 1;
        }
        made_before = made;
    }
    // A last run without a kill completes the schedule.
    acquit.ok(&["recurring", "run", "--until", "2026-11-30"]);
    let made = check(&acquit, ROUNDS);
    // Mondays from 2020-01-06 to 2026-11-30: 361.
    assert_eq!(made, 361);
    eprintln!(
        "{kills} of {ROUNDS} rounds were killed mid-run; {progressed} made periods before their end"
    );
    // (Both depend on the machine's speed: the figures are printed.)
    assert!(kills > 0, "no round was killed mid-run");
    assert!(progressed > 0, "no round made progress before its kill");
}

/// The invariants after a kill; returns how many periods were made.
fn check(acquit: &Acquit, round: u64) -> usize {
    let store = acquit_store::Store::open(&acquit.db)
        .unwrap_or_else(|e| panic!("round {round}: the books do not open: {e}"));
    let schedule = store.recurring(1).unwrap();
    let periods: Vec<u32> = schedule.runs.iter().map(|r| r.period).collect();
    assert_eq!(
        periods,
        (0..periods.len() as u32).collect::<Vec<_>>(),
        "round {round}: the periods made have a hole"
    );
    let mut numbers: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for run in &schedule.runs {
        let number = run.number.clone().unwrap_or_else(|| {
            panic!("round {round}: period {} has no issued invoice", run.period)
        });
        let links = store.links(&number).unwrap();
        assert_eq!(
            links.len(),
            1,
            "round {round}: {number} has {} payment links",
            links.len()
        );
        let (series, seq) = number.rsplit_once('-').unwrap();
        numbers
            .entry(series.to_owned())
            .or_default()
            .push(seq.parse().unwrap());
    }
    for (series, mut seqs) in numbers {
        seqs.sort_unstable();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u32).collect::<Vec<_>>(),
            "round {round}: {series} has a gap or a duplicate"
        );
    }
    // No invoice outside the schedule's periods (a draft made and not
    // recorded, an issued one without its period).
    let all = store.list_invoices(None).unwrap();
    let issued = all.iter().filter(|i| i.number.is_some()).count();
    assert_eq!(
        issued,
        schedule.runs.len(),
        "round {round}: issued ≠ periods made"
    );
    assert_eq!(
        all.len(),
        issued + 1,
        "round {round}: only the template's draft is left as a draft"
    );
    let journal = store.verify_journal().unwrap();
    assert!(
        journal.problem.is_none(),
        "round {round}: {:?}",
        journal.problem
    );
    schedule.runs.len()
}
