//! The check against a small advisory database written here in RustSec's
//! format (a real checkout is given by path: fuzz/README.md and the issue
//! note have the run), over the workspace's real `Cargo.lock`.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_acquit-audit");

fn workspace_lock() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock")
}

/// Writes an advisory as the advisory-db lays them out:
/// `crates/<package>/<id>.md`, TOML front matter then a title.
fn advisory(db: &Path, id: &str, package: &str, informational: Option<&str>, patched: &str) {
    let dir = db.join("crates").join(package);
    std::fs::create_dir_all(&dir).unwrap();
    let informational =
        informational.map_or(String::new(), |i| format!("informational = \"{i}\"\n"));
    std::fs::write(
        dir.join(format!("{id}.md")),
        format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"2099-01-01\"\n\
             url = \"https://example.invalid/{id}\"\n{informational}\n[versions]\npatched = [\"{patched}\"]\n```\n\n\
             # A made-up advisory for {package}\n\nWritten by the test.\n"
        ),
    )
    .unwrap();
}

fn run(db: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .arg("--lockfile")
        .arg(workspace_lock())
        .args(extra)
        .env_remove("ACQUIT_ADVISORY_DB")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), text)
}

#[test]
fn a_vulnerable_shipped_crate_fails_and_others_are_only_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path();
    // The relay verifies signatures with subtle; proptest is a test's.
    advisory(db, "RUSTSEC-2099-0001", "subtle", None, ">= 99.0.0");
    advisory(db, "RUSTSEC-2099-0002", "proptest", None, ">= 99.0.0");
    advisory(
        db,
        "RUSTSEC-2099-0003",
        "hmac",
        Some("unmaintained"),
        ">= 99.0.0",
    );
    // Fixed in every version we could lock: not a finding.
    advisory(db, "RUSTSEC-2099-0004", "sha2", None, ">= 0.0.1");

    let (code, out) = run(db, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("4 advisories read"), "{out}");
    let line = |id: &str| out.lines().find(|l| l.starts_with(id)).map(str::to_owned);
    let subtle = line("RUSTSEC-2099-0001").unwrap_or_else(|| panic!("{out}"));
    assert!(
        subtle.contains("subtle") && subtle.contains("VULNERABLE (shipped)"),
        "{subtle}"
    );
    assert!(subtle.contains("patched: >=99.0.0"), "{subtle}");
    let proptest = line("RUSTSEC-2099-0002").unwrap_or_else(|| panic!("{out}"));
    assert!(proptest.contains("not shipped"), "{proptest}");
    let hmac = line("RUSTSEC-2099-0003").unwrap_or_else(|| panic!("{out}"));
    assert!(hmac.contains("unmaintained (shipped)"), "{hmac}");
    assert!(line("RUSTSEC-2099-0004").is_none(), "{out}");
    assert!(
        out.contains("1 known vulnerabilities in shipped crates"),
        "{out}"
    );

    // Ignored with a reason, it no longer fails; nothing else does.
    let (code, out) = run(db, &["--ignore", "RUSTSEC-2099-0001"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ignored by --ignore"), "{out}");
    assert!(
        out.contains("no known vulnerability in a shipped crate"),
        "{out}"
    );
}

#[test]
fn no_database_is_a_clear_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = run(&dir.path().join("nowhere"), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("advisory database"), "{out}");
    assert!(out.contains("rustsec/advisory-db"), "{out}");
}
