//! `acquit declare`: the micro-entrepreneur's declaration equals the
//! receipts ledger of the period, split by activity — computed here a
//! second time from `acquit ledger --json`, `invoice show --json` and
//! `company show --json`, with the rules written out once more (see
//! acquit_core::declaration) — and bad input changes nothing.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

mod common;
use common::Acquit;

/// "1234.56" or "-0.05" in cents.
fn cents(amount: &Value) -> i64 {
    let text = amount
        .as_str()
        .unwrap_or_else(|| panic!("{amount} is not a decimal string"));
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (units, decimals) = digits.split_once('.').unwrap_or((digits, ""));
    assert!(decimals.len() <= 2, "{text}");
    let value: i64 = format!("{units}{decimals:0<2}").parse().unwrap();
    if negative { -value } else { value }
}

/// "20" or "5.5" (percent) in basis points.
fn basis_points(rate: &Value) -> i128 {
    let text = rate.as_str().unwrap();
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    format!("{units}{decimals:0<2}").parse().unwrap()
}

/// `amount / denominator` rounded half away from zero.
fn round_div(amount: i128, denominator: i128) -> i128 {
    let (q, r) = (amount / denominator, amount % denominator);
    if 2 * r.abs() >= denominator {
        q + amount.signum()
    } else {
        q
    }
}

/// The declaration's column of a line: goods → goods; a service → the
/// seller's services activity, else commercial services; no nature → the
/// seller's activity, else unknown.
fn column(nature: &Value, seller: Option<&str>) -> String {
    match (nature.as_str(), seller) {
        (Some("goods"), _) => "goods",
        (Some("service"), Some(s @ ("commercial-services" | "liberal-services"))) => s,
        (Some("service"), _) => "commercial-services",
        (None, Some(s)) => s,
        (None, None) => "unknown",
        (Some(other), _) => panic!("nature {other}"),
    }
    .to_owned()
}

/// `amount` split over `invoice`'s lines in proportion to their totals
/// including VAT (largest remainder, ties to the first group), by column:
/// column → (received, excluding VAT), in cents.
fn split(amount: i64, invoice: &Value, seller: Option<&str>) -> BTreeMap<String, (i64, i64)> {
    let mut groups: Vec<(String, i128, i128)> = Vec::new();
    for line in invoice["lines"].as_array().unwrap() {
        let key = (
            column(&line["nature"], seller),
            basis_points(&line["vat_rate"]),
        );
        let weight = i128::from(cents(&line["net"])) * (10_000 + key.1);
        match groups
            .iter_mut()
            .find(|g| (g.0.as_str(), g.1) == (key.0.as_str(), key.1))
        {
            Some(g) => g.2 += weight,
            None => groups.push((key.0, key.1, weight)),
        }
    }
    let total: i128 = groups.iter().map(|g| g.2).sum();
    let magnitude = i128::from(amount.abs());
    let mut shares: Vec<i128> = groups.iter().map(|g| magnitude * g.2 / total).collect();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(magnitude * groups[i].2 % total));
    let short = magnitude - shares.iter().sum::<i128>();
    for &i in order.iter().take(short as usize) {
        shares[i] += 1;
    }
    let mut by_column = BTreeMap::new();
    for (g, share) in groups.iter().zip(shares) {
        let received = share * i128::from(amount.signum());
        let excluding = round_div(received * 10_000, 10_000 + g.1);
        let entry = by_column.entry(g.0.clone()).or_insert((0, 0));
        entry.0 += received as i64;
        entry.1 += excluding as i64;
    }
    by_column
}

/// The quarter a `YYYY-MM-DD` date falls in: `2026-Q4`.
fn quarter_of(date: &str) -> String {
    let month: u32 = date[5..7].parse().unwrap();
    format!("{}-Q{}", &date[..4], month.div_ceil(3))
}

fn by_activity(rows: &Value) -> BTreeMap<String, (i64, i64)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["activity"].as_str().unwrap().to_owned(),
                (cents(&r["received"]), cents(&r["excluding_vat"])),
            )
        })
        .collect()
}

#[test]
fn declare_json_on_the_demo_books_equals_the_ledgers_sums_by_activity() {
    let acquit = Acquit::new();
    acquit.ok(&["demo"]);
    // A quarter the demo has receipts in, from the ledger's own dates (the
    // demo is dated around today).
    let ledger = acquit.json(&["ledger", "--json"]);
    let first = ledger[0]["date"].as_str().expect("the demo has receipts");
    let period = quarter_of(first);
    let declaration = acquit.json(&["declare", "--period", &period, "--json"]);
    assert_eq!(declaration["period"], period.as_str());
    let (from, to) = (
        declaration["from"].as_str().unwrap().to_owned(),
        declaration["to"].as_str().unwrap().to_owned(),
    );
    let entries: Vec<&Value> = ledger
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let date = e["date"].as_str().unwrap();
            from.as_str() <= date && date <= to.as_str()
        })
        .collect();
    assert!(!entries.is_empty());

    let seller = acquit.json(&["company", "show", "--json"]);
    // The demo's company has not changed since its invoices were issued, so
    // its activity now is the one snapshotted on them.
    let activity = seller["activity"].as_str();
    let mut invoices: HashMap<String, Value> = HashMap::new();
    let mut expected: BTreeMap<String, (i64, i64)> = [
        "goods",
        "commercial-services",
        "liberal-services",
        "unknown",
    ]
    .into_iter()
    .map(|a| (a.to_owned(), (0, 0)))
    .collect();
    let mut ledger_sum = 0;
    for entry in &entries {
        assert_eq!(entry["currency"], "EUR", "the demo's receipts are in euros");
        let number = entry["invoice_number"].as_str().unwrap().to_owned();
        let invoice = invoices
            .entry(number.clone())
            .or_insert_with(|| acquit.json(&["invoice", "show", &number, "--json"]));
        let amount = cents(&entry["amount"]);
        ledger_sum += amount;
        for (column, (received, excluding)) in split(amount, invoice, activity) {
            let sum = expected.get_mut(&column).unwrap();
            sum.0 += received;
            sum.1 += excluding;
        }
    }

    assert_eq!(
        by_activity(&declaration["activities"]),
        expected,
        "{declaration:#}"
    );
    assert_eq!(cents(&declaration["total"]["received"]), ledger_sum);
    assert_eq!(
        declaration["receipts"].as_array().unwrap().len(),
        entries.len()
    );
    assert_eq!(declaration["not_converted"], serde_json::json!([]));
    // The demo writes its lines' natures or its activity: nothing unknown.
    assert_eq!(expected["unknown"], (0, 0));
    assert!(
        declaration["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["kind"] != "unknown-activity"),
        "{declaration:#}"
    );
    // The same money by month: the quarter is the sum of its months.
    let year = &period[..4];
    let q: u32 = period[6..].parse().unwrap();
    let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for m in 3 * q - 2..=3 * q {
        let month = acquit.json(&["declare", "--period", &format!("{year}-{m:02}"), "--json"]);
        for (activity, (r, e)) in by_activity(&month["activities"]) {
            let sum = months.entry(activity).or_insert((0, 0));
            sum.0 += r;
            sum.1 += e;
        }
    }
    assert_eq!(months, expected);
}

fn company_with(activity: &str) -> Vec<&str> {
    vec![
        "company",
        "set",
        "--name",
        "Atelier Durand",
        "--siren",
        "732829320",
        "--address",
        "12 rue des Lilas\\n75011 Paris",
        "--activity",
        activity,
    ]
}

#[test]
fn a_mixed_invoice_is_declared_by_the_natures_of_its_lines() {
    let acquit = Acquit::new();
    acquit.ok(&company_with("liberal-services"));
    acquit.ok(&["client", "add", "--name", "Boulangerie Martin"]);
    acquit.ok(&["invoice", "new", "--client", "1"]);
    for (nature, price, vat) in [("goods", "100", "20"), ("service", "100", "0")] {
        acquit.ok(&[
            "invoice",
            "add-line",
            "1",
            "--desc",
            "Travaux",
            "--qty",
            "1",
            "--unit-price",
            price,
            "--vat",
            vat,
            "--nature",
            nature,
        ]);
    }
    acquit.ok(&["invoice", "issue", "1", "--date", "2026-02-01"]);
    acquit.ok(&[
        "payment",
        "add",
        "F-2026-0001",
        "--amount",
        "110",
        "--method",
        "transfer",
        "--date",
        "2026-02-10",
    ]);
    let declaration = acquit.json(&["declare", "--period", "2026-02", "--json"]);
    let rows = by_activity(&declaration["activities"]);
    assert_eq!(
        rows["goods"],
        (6_000, 5_000),
        "60 € of the 120 € TTC goods line, 50 € excluding VAT"
    );
    assert_eq!(rows["liberal-services"], (5_000, 5_000));
    assert_eq!(rows["commercial-services"], (0, 0));
    assert_eq!(
        declaration["receipts"][0]["parts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The year so far, against the micro ceilings (the company charges VAT:
    // not the franchise's).
    assert_eq!(declaration["vat_franchise"], false);
    let thresholds = declaration["thresholds"].as_array().unwrap();
    assert_eq!(thresholds.len(), 2);
    assert!(
        thresholds
            .iter()
            .all(|t| t["regime"] == "micro" && t["level"] == "below")
    );
    assert_eq!(thresholds[1]["year_to_date"], "50.00", "services only");
    assert_eq!(
        acquit.json(&["declare", "--period", "2026-Q1", "--json"])["activities"],
        declaration["activities"]
    );
    // For people, in French.
    let text = acquit.ok(&["declare", "--period", "2026-02", "--lang", "fr"]);
    assert!(text.contains("Déclaration du février 2026"), "{text}");
    assert!(
        text.contains("Prestations de services libérales (BNC)"),
        "{text}"
    );
}

#[test]
fn thresholds_can_be_set_shown_and_reset() {
    let acquit = Acquit::new();
    acquit.ok(&company_with("commercial-services"));
    let set = [
        "declare",
        "thresholds",
        "set",
        "--regime",
        "micro",
        "--scope",
        "services",
        "--year",
        "2026",
        "--limit",
        "100",
        "--source",
        "my accountant",
    ];
    assert_eq!(acquit.ok(&set), "");
    let shown = acquit.json(&["declare", "thresholds", "--year", "2026", "--json"]);
    let services = &shown[1];
    assert_eq!(
        (services["limit"].as_str(), services["yours"].as_bool()),
        (Some("100.00"), Some(true))
    );
    assert_eq!(
        shown[0]["yours"], false,
        "the other scope keeps Acquit's figure"
    );

    // Past 90 % of it, the declaration says so, with what crossing means.
    acquit.ok(&["client", "add", "--name", "Boulangerie Martin"]);
    acquit.ok(&["invoice", "new", "--client", "1"]);
    acquit.ok(&[
        "invoice",
        "add-line",
        "1",
        "--desc",
        "Réparation",
        "--qty",
        "1",
        "--unit-price",
        "95",
        "--vat",
        "0",
    ]);
    acquit.ok(&["invoice", "issue", "1", "--date", "2026-03-01"]);
    acquit.ok(&[
        "payment",
        "add",
        "F-2026-0001",
        "--amount",
        "95",
        "--method",
        "cash",
        "--date",
        "2026-03-02",
    ]);
    let d = acquit.json(&["declare", "--period", "2026-03", "--json"]);
    let services = &d["thresholds"][1];
    assert_eq!(
        (services["level"].as_str(), services["percent"].as_i64()),
        (Some("near"), Some(95))
    );
    let statement = services["statement"].as_str().unwrap();
    assert!(
        statement.contains("two calendar years in a row"),
        "{statement}"
    );

    // Nonsense is refused before anything is written; a wrong word is usage.
    let higher = acquit.fails(
        1,
        &[
            "declare",
            "thresholds",
            "set",
            "--regime",
            "micro",
            "--scope",
            "all",
            "--year",
            "2026",
            "--limit",
            "100",
            "--higher",
            "200",
            "--source",
            "x",
        ],
    );
    assert!(higher.contains("no higher threshold"), "{higher}");
    acquit.fails(
        2,
        &[
            "declare",
            "thresholds",
            "set",
            "--regime",
            "macro",
            "--scope",
            "all",
            "--year",
            "2026",
            "--limit",
            "100",
            "--source",
            "x",
        ],
    );
    assert_eq!(
        acquit.json(&["declare", "thresholds", "--year", "2026", "--json"]),
        shown
    );

    assert_eq!(
        acquit.ok(&["declare", "thresholds", "reset", "--year", "2026"]),
        "1\n"
    );
    let shown = acquit.json(&["declare", "thresholds", "--year", "2026", "--json"]);
    assert_eq!(shown[1]["yours"], false);
    acquit.fails(2, &["declare", "thresholds", "reset"]);
}

#[test]
fn a_bad_period_is_refused_with_what_to_type_and_changes_nothing() {
    // Refused before the database is opened: not even created.
    let acquit = Acquit::new();
    for bad in [
        "2027-3",
        "2027-13",
        "2027-Q5",
        "2027",
        "Q1-2027",
        "2027-03-01",
    ] {
        let error = acquit.fails(1, &["declare", "--period", bad, "--json"]);
        assert!(
            error.contains("type a month as 2027-03 or a quarter as 2027-Q1"),
            "{bad}: {error}"
        );
    }
    assert!(!acquit.db.exists());
    acquit.fails(2, &["declare"]);
    acquit.fails(2, &["declare", "--period"]);

    // On books, a refused period leaves them as they were.
    let acquit = Acquit::new();
    acquit.ok(&["demo"]);
    let before = (
        acquit.json(&["ledger", "--json"]),
        acquit.json(&["invoice", "list", "--json"]),
    );
    acquit.fails(1, &["declare", "--period", "2027-S1"]);
    let after = (
        acquit.json(&["ledger", "--json"]),
        acquit.json(&["invoice", "list", "--json"]),
    );
    assert_eq!(before, after);
}
