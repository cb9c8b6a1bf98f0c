//! Acquit's identifiers checked against python-stdnum, the reference library
//! for them: on every number python-stdnum's own tests try (its sdist's
//! doctest files and its modules' doctests), and on variants of the valid
//! ones with one character changed, Acquit must accept exactly the numbers
//! python-stdnum accepts, and normalize them to the same compact form.
//!
//! The verdicts come from python-stdnum itself: `tests/stdnum/corpus.py`
//! runs it in the venv `./x setup` makes at `target/py` (python-stdnum pinned
//! in `tests/requirements.txt`, its test files fetched from its sdist) and
//! prints one line per number. Without that venv this test fails and says
//! to run `./x setup`.
//!
//! The few deliberate differences are listed in [`KNOWN`] with the reason
//! for each; the test fails if one of them no longer occurs, so the list
//! stays true. `cargo test -p acquit-core --test stdnum -- --nocapture`
//! prints the agreement figures.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use acquit_core::ids::{Bic, Iban, Siren, Siret, VatNumber};

/// One number and python-stdnum's verdict on it.
struct Case<'a> {
    kind: &'a str,
    source: &'a str,
    input: &'a str,
    /// "valid", or the exception python-stdnum raised (`InvalidChecksum`…).
    verdict: &'a str,
    /// python-stdnum's compact form of a valid number.
    compact: &'a str,
}

impl Case<'_> {
    fn valid(&self) -> bool {
        self.verdict == "valid"
    }

    fn variant(&self) -> bool {
        self.source.starts_with("variant")
    }

    /// The input's two first characters, uppercased, ignoring separators.
    fn prefix(&self) -> String {
        let letters = self.input.chars().filter(|c| c.is_ascii_alphanumeric());
        letters.take(2).collect::<String>().to_ascii_uppercase()
    }
}

/// A deliberate difference: which cases it covers, and why Acquit differs.
struct Known {
    reason: &'static str,
    covers: fn(&Case) -> bool,
}

const KNOWN: &[Known] = &[
    Known {
        reason: "One-Stop Shop numbers (EU…, IM…): python-stdnum's eu.vat takes them, \
                 Acquit refuses them as a client's VAT number (they identify a non-EU seller)",
        covers: |c| c.kind == "vat" && matches!(c.prefix().as_str(), "EU" | "IM"),
    },
    Known {
        reason: "a comma inside a number: python-stdnum drops it in German and Danish \
                 numbers only (not Belgian ones); Acquit never does, as a comma more \
                 likely separates two numbers",
        covers: |c| c.kind == "vat" && c.input.contains(','),
    },
    Known {
        reason: "Belgian bank codes: python-stdnum refuses an IBAN whose bank code is not in \
                 its copy of the National Bank of Belgium's list; Acquit checks the national \
                 check digits, not the list, which changes",
        covers: |c| c.kind == "iban" && c.prefix() == "BE" && c.verdict == "InvalidComponent",
    },
];

/// python-stdnum's verdicts, as `tests/stdnum/corpus.py` prints them.
fn corpus() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/stdnum/corpus.py");
    let python = acquit_testkit::python();
    let output = Command::new(&python)
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("could not run {}: {e}: run ./x setup", python.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} {} failed ({}): {stderr}",
        python.display(),
        script.display(),
        output.status
    );
    String::from_utf8(output.stdout).expect("the corpus is UTF-8")
}

fn parse_line(line: &str) -> Case<'_> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [kind, source, input, verdict, compact] = fields[..] else {
        panic!("a corpus line has 5 tab-separated fields: {line:?}");
    };
    Case {
        kind,
        source,
        input,
        verdict,
        compact,
    }
}

/// Acquit's answer: its normalized value, or its error message.
fn acquit(kind: &str, input: &str) -> Result<String, String> {
    fn answer<T: Into<String>, E: ToString>(result: Result<T, E>) -> Result<String, String> {
        result.map(Into::into).map_err(|e| e.to_string())
    }
    match kind {
        "vat" => answer(VatNumber::parse(input)),
        "iban" => answer(Iban::parse(input)),
        "bic" => answer(Bic::parse(input)),
        "siren" => answer(Siren::parse(input)),
        "siret" => answer(Siret::parse(input)),
        other => panic!("unknown kind {other} in the corpus"),
    }
}

/// Whether Acquit's value is python-stdnum's compact form, up to the
/// leading zeros python-stdnum adds to an older Belgian, Dutch or Greek VAT
/// number (Acquit keeps a number as it was written: values stored by
/// earlier versions must render as before).
fn same_number(kind: &str, ours: &str, theirs: &str) -> bool {
    if ours == theirs {
        return true;
    }
    let (prefix, body) = ours.split_at(2.min(ours.len()));
    kind == "vat"
        && theirs.strip_prefix(prefix).is_some_and(|padded| {
            padded.len() > body.len()
                && padded.ends_with(body)
                && padded[..padded.len() - body.len()]
                    .bytes()
                    .all(|b| b == b'0')
        })
}

/// Agreement counts for one group of cases.
#[derive(Default)]
struct Tally {
    valid: (usize, usize),
    invalid: (usize, usize),
    known: usize,
}

impl Tally {
    fn count(&mut self, valid: bool, agrees: bool) {
        let (agreed, all) = if valid {
            &mut self.valid
        } else {
            &mut self.invalid
        };
        *all += 1;
        *agreed += usize::from(agrees);
    }
}

#[test]
fn identifiers_agree_with_python_stdnum() {
    let corpus = corpus();
    let cases: Vec<Case> = corpus.lines().map(parse_line).collect();
    assert!(
        cases.len() > 1000,
        "only {} numbers in the corpus",
        cases.len()
    );

    let mut tallies: BTreeMap<(&str, bool), Tally> = BTreeMap::new();
    let mut known_seen = vec![0usize; KNOWN.len()];
    let mut disagreements = Vec::new();
    for case in &cases {
        let ours = acquit(case.kind, case.input);
        let agrees = match &ours {
            Ok(value) => case.valid() && same_number(case.kind, value, case.compact),
            Err(_) => !case.valid(),
        };
        let tally = tallies.entry((case.kind, case.variant())).or_default();
        if agrees {
            tally.count(case.valid(), true);
        } else if let Some(i) = KNOWN.iter().position(|known| (known.covers)(case)) {
            known_seen[i] += 1;
            tally.known += 1;
        } else {
            tally.count(case.valid(), false);
            disagreements.push(format!(
                "{} {:?} (from {}): python-stdnum {} {}, Acquit {:?}",
                case.kind, case.input, case.source, case.verdict, case.compact, ours
            ));
        }
    }

    eprintln!("Acquit against python-stdnum (agreeing / numbers):");
    for ((kind, variant), tally) in &tallies {
        let what = if *variant { "variants" } else { "own tests" };
        let (va, vn) = tally.valid;
        let (ia, in_) = tally.invalid;
        let known = match tally.known {
            0 => String::new(),
            n => format!(", known differences {n}"),
        };
        eprintln!("  {kind:<5} {what:<9}  valid {va}/{vn}, invalid {ia}/{in_}{known}");
    }
    for (known, seen) in KNOWN.iter().zip(&known_seen) {
        eprintln!("  known difference ({seen} numbers): {}", known.reason);
    }

    let shown = disagreements.iter().take(40).cloned().collect::<Vec<_>>();
    assert!(
        disagreements.is_empty(),
        "{} numbers where Acquit and python-stdnum disagree:\n{}",
        disagreements.len(),
        shown.join("\n")
    );
    let stale: Vec<&str> = KNOWN
        .iter()
        .zip(&known_seen)
        .filter(|(_, seen)| **seen == 0)
        .map(|(known, _)| known.reason)
        .collect();
    assert!(
        stale.is_empty(),
        "known differences that no longer occur (drop them from KNOWN): {stale:?}"
    );
}
