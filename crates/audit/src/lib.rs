//! A RustSec advisory check of what Acquit ships (issue 19), against an
//! advisory database given by path: a checkout of
//! <https://github.com/rustsec/advisory-db>, never fetched here, as tests
//! and CI have no network.
//!
//! Why not `cargo audit`: it builds a git and HTTP client to fetch the
//! database, and it cannot tell a crate the app, the CLI or the relay ship
//! from one only a test or a build script uses. The matching of versions
//! against advisories is the RustSec project's own (`rustsec::Report`),
//! not ours; this crate only decides what ships and what fails.
//!
//! What ships: the normal (not dev, not build) dependencies of the
//! packages in [`SHIPPED`], for every target platform, read from `cargo
//! metadata`. A vulnerability in one of them fails the check unless its id
//! is ignored with a reason; one elsewhere in `Cargo.lock`, and the
//! informational advisories (unmaintained, unsound, notices), are reported
//! without failing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rustsec::advisory::Informational;

/// The workspace packages whose binaries reach users.
pub const SHIPPED: [&str; 3] = ["acquit-app", "acquit-cli", "acquit-relay"];

/// A package as `Cargo.lock` names it.
pub type Package = (String, String);

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(
        "cannot read the advisory database at {path}: {source} (give a checkout of https://github.com/rustsec/advisory-db with --db or ACQUIT_ADVISORY_DB)"
    )]
    Database {
        path: String,
        source: rustsec::Error,
    },
    #[error("cannot read {path}: {source}")]
    Lockfile {
        path: String,
        source: rustsec::cargo_lock::Error,
    },
    #[error("cargo metadata's output could not be read: {0}")]
    Metadata(String),
}

/// One advisory that matches a locked package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: String,
    pub package: Package,
    pub title: String,
    /// `None` for a vulnerability, else unmaintained, unsound, notice…
    pub informational: Option<String>,
    pub patched: Vec<String>,
    pub shipped: bool,
    pub ignored: bool,
}

impl Finding {
    /// Whether it fails the check.
    pub fn fails(&self) -> bool {
        self.informational.is_none() && self.shipped && !self.ignored
    }
}

/// What the check found, and how many advisories it read.
#[derive(Debug)]
pub struct Audit {
    pub advisories: usize,
    pub locked: usize,
    pub shipped: usize,
    pub findings: Vec<Finding>,
}

impl Audit {
    pub fn failed(&self) -> bool {
        self.findings.iter().any(Finding::fails)
    }
}

/// The packages [`SHIPPED`] depend on, transitively, by normal
/// dependencies only, from `cargo metadata --format-version 1` (without
/// `--filter-platform`: a crate shipped to one platform is shipped).
pub fn shipped(metadata: &serde_json::Value) -> Result<BTreeSet<Package>, AuditError> {
    let bad = |what: &str| AuditError::Metadata(format!("no {what}"));
    let packages = metadata["packages"]
        .as_array()
        .ok_or_else(|| bad("packages"))?;
    let mut by_id = BTreeMap::new();
    for p in packages {
        let (Some(id), Some(name), Some(version)) =
            (p["id"].as_str(), p["name"].as_str(), p["version"].as_str())
        else {
            return Err(bad("package id, name or version"));
        };
        by_id.insert(id.to_owned(), (name.to_owned(), version.to_owned()));
    }
    let nodes = metadata["resolve"]["nodes"]
        .as_array()
        .ok_or_else(|| bad("resolve"))?;
    let mut normal: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in nodes {
        let id = node["id"].as_str().ok_or_else(|| bad("node id"))?;
        let deps = node["deps"].as_array().ok_or_else(|| bad("node deps"))?;
        let entry = normal.entry(id).or_default();
        for dep in deps {
            // kind null: a normal dependency ("dev" and "build" otherwise).
            let is_normal = dep["dep_kinds"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
            if is_normal && let Some(pkg) = dep["pkg"].as_str() {
                entry.push(pkg);
            }
        }
    }
    let mut todo: Vec<&str> = by_id
        .iter()
        .filter(|(_, (name, _))| SHIPPED.contains(&name.as_str()))
        .map(|(id, _)| id.as_str())
        .collect();
    if todo.len() != SHIPPED.len() {
        return Err(AuditError::Metadata(format!(
            "not every shipped package is in the workspace ({})",
            SHIPPED.join(", ")
        )));
    }
    let mut seen = BTreeSet::new();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(normal.get(id).into_iter().flatten());
        }
    }
    Ok(seen
        .into_iter()
        .filter_map(|id| by_id.get(id).cloned())
        .collect())
}

/// Checks `lockfile` against the database at `db`; `shipped` from
/// [`shipped`]; advisories in `ignore` are reported but do not fail.
pub fn audit(
    db: &Path,
    lockfile: &Path,
    shipped: &BTreeSet<Package>,
    ignore: &[String],
) -> Result<Audit, AuditError> {
    let database = rustsec::Database::open(db).map_err(|source| AuditError::Database {
        path: db.display().to_string(),
        source,
    })?;
    let locked = rustsec::Lockfile::load(lockfile).map_err(|source| AuditError::Lockfile {
        path: lockfile.display().to_string(),
        source,
    })?;
    let settings = rustsec::report::Settings {
        informational_warnings: vec![
            Informational::Unmaintained,
            Informational::Unsound,
            Informational::Notice,
        ],
        ..Default::default()
    };
    let report = rustsec::Report::generate(&database, &locked, &settings);
    let finding = |advisory: &rustsec::advisory::Metadata,
                   versions: Option<&rustsec::advisory::Versions>,
                   package: &rustsec::package::Package| {
        let package = (package.name.to_string(), package.version.to_string());
        let id = advisory.id.to_string();
        Finding {
            shipped: shipped.contains(&package),
            ignored: ignore.contains(&id),
            id,
            package,
            title: advisory.title.clone(),
            informational: advisory.informational.as_ref().map(|i| i.to_string()),
            patched: versions
                .map(|v| v.patched().iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
        }
    };
    let mut findings: Vec<Finding> = report
        .vulnerabilities
        .list
        .iter()
        .map(|v| finding(&v.advisory, Some(&v.versions), &v.package))
        .collect();
    for warnings in report.warnings.values() {
        for w in warnings {
            if let Some(advisory) = &w.advisory {
                let mut f = finding(advisory, w.versions.as_ref(), &w.package);
                // A warning never fails, whatever its metadata says.
                f.informational.get_or_insert_with(|| w.kind.to_string());
                findings.push(f);
            }
        }
    }
    findings.sort_by(|a, b| (!a.fails(), &a.package, &a.id).cmp(&(!b.fails(), &b.package, &b.id)));
    Ok(Audit {
        advisories: database.iter().count(),
        locked: locked.packages.len(),
        shipped: shipped.len(),
        findings,
    })
}
