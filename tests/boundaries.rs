//! The dependency rules of ARCHITECTURE.md, checked on `cargo metadata`.
//!
//! - No crate under `crates/` depends on Tauri, directly or through another
//!   crate: the core must stay usable from the CLI, the relay and tests.
//! - Arrows between our own crates point one way, as the table below says
//!   (a crate may use only the Acquit crates listed for it).
//! - `fake-stripe` and `acquit-stripe` share no code, nor `fake-vies` and
//!   `acquit-sync`, nor `fake-pa` and `acquit-pa` (or `acquit-sync`,
//!   `acquit-documents`), nor `fake-entreprises` and `acquit-sync`.
//! - What ships (the app, the CLI, the relay) has one TLS crypto library:
//!   ring, through `acquit-http` and the updater plugin; never aws-lc,
//!   OpenSSL or native-tls beside it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// For each library crate under `crates/`, the Acquit crates it may depend on.
const ALLOWED: &[(&str, &[&str])] = &[
    ("acquit-core", &[]),
    ("acquit-store", &["acquit-core"]),
    ("acquit-pdf", &["acquit-core"]),
    ("acquit-facturx", &["acquit-core", "acquit-pdf"]),
    // The one TLS stack and user agent of every HTTP client.
    ("acquit-http", &[]),
    ("acquit-stripe", &["acquit-core", "acquit-http"]),
    (
        "acquit-pa",
        &["acquit-core", "acquit-secrets", "acquit-http"],
    ),
    ("acquit-mail", &["acquit-core", "acquit-secrets"]),
    // Test helpers: a dev-dependency only (books made through the store).
    (
        "acquit-testkit",
        &[
            "acquit-core",
            "acquit-store",
            "acquit-pdf",
            "acquit-facturx",
            "acquit-relay",
            "acquit-http",
        ],
    ),
    ("acquit-relay-protocol", &[]),
    // The dependency audit: a tool of the test command, of no Acquit crate.
    ("acquit-audit", &[]),
    (
        "acquit-sync",
        &[
            "acquit-core",
            "acquit-store",
            "acquit-stripe",
            "acquit-relay-protocol",
            "acquit-secrets",
            "acquit-http",
        ],
    ),
    // The documents are built on the sync, never the other way.
    (
        "acquit-documents",
        &[
            "acquit-core",
            "acquit-store",
            "acquit-pdf",
            "acquit-facturx",
            "acquit-stripe",
            "acquit-pa",
            "acquit-mail",
            "acquit-sync",
            "acquit-relay-protocol",
            "acquit-secrets",
        ],
    ),
    ("acquit-relay", &["acquit-relay-protocol"]),
    ("fake-stripe", &[]),
    ("fake-vies", &[]),
    ("fake-entreprises", &[]),
    ("fake-pa", &[]),
    ("acquit-secrets", &[]),
    (
        "acquit-cli",
        &[
            "acquit-core",
            "acquit-store",
            "acquit-pdf",
            "acquit-facturx",
            "acquit-stripe",
            "acquit-pa",
            "acquit-mail",
            "acquit-sync",
            "acquit-documents",
            "acquit-relay-protocol",
            "acquit-secrets",
        ],
    ),
];

/// The binaries Acquit ships.
const SHIPPED: &[&str] = &["acquit-app", "acquit-cli", "acquit-relay"];

/// Crypto or TLS libraries that would sit beside ring (aws-lc is a second
/// copy of the same primitives and a C/CMake build; OpenSSL a system one).
const OTHER_TLS: &[&str] = &[
    "aws-lc-rs",
    "aws-lc-sys",
    "aws-lc-fips-sys",
    "openssl-sys",
    "native-tls",
];

/// The workspace's packages and, for each, the packages it depends on
/// (normal and build dependencies; dev-dependencies do not ship).
struct Graph {
    /// Package id → name.
    names: BTreeMap<String, String>,
    /// Package id → manifest path, for workspace members.
    members: BTreeMap<String, String>,
    /// Package id → ids of its non-dev dependencies.
    deps: BTreeMap<String, Vec<String>>,
}

impl Graph {
    fn from_metadata(metadata: &Value) -> Graph {
        let mut names = BTreeMap::new();
        for package in metadata["packages"].as_array().expect("packages") {
            names.insert(
                package["id"].as_str().unwrap().to_owned(),
                package["name"].as_str().unwrap().to_owned(),
            );
        }
        let mut members = BTreeMap::new();
        for package in metadata["packages"].as_array().unwrap() {
            let id = package["id"].as_str().unwrap();
            let is_member = metadata["workspace_members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == id);
            if is_member {
                members.insert(
                    id.to_owned(),
                    package["manifest_path"].as_str().unwrap().to_owned(),
                );
            }
        }
        let mut deps = BTreeMap::new();
        for node in metadata["resolve"]["nodes"]
            .as_array()
            .expect("resolve.nodes")
        {
            let shipped: Vec<String> = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].as_str() != Some("dev"))
                })
                .map(|dep| dep["pkg"].as_str().unwrap().to_owned())
                .collect();
            deps.insert(node["id"].as_str().unwrap().to_owned(), shipped);
        }
        Graph {
            names,
            members,
            deps,
        }
    }

    fn id_of(&self, name: &str) -> Option<&str> {
        self.members
            .keys()
            .find(|id| self.names[*id] == name)
            .map(String::as_str)
    }

    /// The shortest dependency path from `from` to a package matching `target`.
    fn path_to(&self, from: &str, target: impl Fn(&str) -> bool) -> Option<Vec<String>> {
        let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
        let mut seen = BTreeSet::from([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(id) = queue.pop_front() {
            if id != from && target(&self.names[id]) {
                let mut path = vec![self.names[id].clone()];
                let mut at = id;
                while let Some(&before) = previous.get(at) {
                    path.push(self.names[before].clone());
                    at = before;
                }
                path.reverse();
                return Some(path);
            }
            for dep in self.deps.get(id).into_iter().flatten() {
                if seen.insert(dep) {
                    previous.insert(dep, id);
                    queue.push_back(dep);
                }
            }
        }
        None
    }

    /// Every broken rule, as a sentence naming the offender.
    fn violations(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (id, manifest) in &self.members {
            let name = &self.names[id];
            let under_crates = Path::new(manifest)
                .parent()
                .and_then(Path::parent)
                .and_then(Path::file_name)
                .is_some_and(|dir| dir == "crates");
            if !under_crates {
                continue;
            }
            if let Some(path) = self.path_to(id, |dep| dep == "tauri" || dep.starts_with("tauri-"))
            {
                problems.push(format!(
                    "{name} ({manifest}) depends on Tauri: {}",
                    path.join(" -> ")
                ));
            }
            let Some((_, allowed)) = ALLOWED.iter().find(|(crate_name, _)| crate_name == name)
            else {
                problems.push(format!(
                    "{name} ({manifest}) is not in the dependency table of tests/boundaries.rs: \
                     add it with the Acquit crates it may use, and to ARCHITECTURE.md"
                ));
                continue;
            };
            for dep in self.deps.get(id).into_iter().flatten() {
                let dep_name = &self.names[dep];
                if self.members.contains_key(dep) && !allowed.contains(&dep_name.as_str()) {
                    problems.push(format!(
                        "{name} ({manifest}) depends on {dep_name}, which ARCHITECTURE.md does not allow \
                         (allowed: {})",
                        if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") }
                    ));
                }
            }
        }
        for (a, b) in [
            ("fake-stripe", "acquit-stripe"),
            ("acquit-stripe", "fake-stripe"),
            ("fake-vies", "acquit-sync"),
            ("acquit-sync", "fake-vies"),
            ("fake-pa", "acquit-pa"),
            ("acquit-pa", "fake-pa"),
            ("fake-entreprises", "acquit-sync"),
            ("acquit-sync", "fake-entreprises"),
            ("acquit-sync", "fake-pa"),
            ("fake-pa", "acquit-documents"),
            ("acquit-documents", "fake-pa"),
        ] {
            if let Some(id) = self.id_of(a)
                && let Some(path) = self.path_to(id, |dep| dep == b)
            {
                problems.push(format!(
                    "{a} must share no code with {b}, but depends on it: {}",
                    path.join(" -> ")
                ));
            }
        }
        for shipped in SHIPPED {
            if let Some(id) = self.id_of(shipped)
                && let Some(path) = self.path_to(id, |dep| OTHER_TLS.contains(&dep))
            {
                problems.push(format!(
                    "{shipped} ships a second TLS stack: {} (the one stack is rustls with ring, \
                     from acquit-http: turn that crate's TLS feature off or pick its ring feature)",
                    path.join(" -> ")
                ));
            }
        }
        problems
    }
}

fn workspace_metadata() -> Value {
    // The graph of this machine's platform: offline, cargo has only the
    // crates this platform builds (a fresh machine lacks, say, Android's).
    // Our crates' arrows are the same on every platform; only third-party
    // crates vary.
    let host = host_triple();
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// The triple rustc builds for here (`host:` in `rustc -vV`).
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("running rustc -vV");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names its host")
        .to_owned()
}

#[test]
fn the_workspace_follows_the_dependency_rules() {
    let graph = Graph::from_metadata(&workspace_metadata());
    for expected in ALLOWED
        .iter()
        .map(|(name, _)| *name)
        .chain(SHIPPED.iter().copied())
    {
        assert!(
            graph.id_of(expected).is_some(),
            "{expected} is not a workspace member"
        );
    }
    let problems = graph.violations();
    assert!(
        problems.is_empty(),
        "dependency rules broken:\n- {}",
        problems.join("\n- ")
    );
}

/// The checker itself, on a workspace where the rules are broken on purpose:
/// `acquit-store` reaches tauri through a helper crate, `acquit-relay` uses
/// the core, `fake-stripe` uses the Stripe client, and tauri pulls aws-lc.
#[test]
fn the_checker_names_every_offender() {
    let fixture = include_str!("fixtures/metadata-broken.json");
    let graph = Graph::from_metadata(&serde_json::from_str(fixture).unwrap());
    let problems = graph.violations();
    let expected = [
        "fake-stripe (/ws/crates/fake-stripe/Cargo.toml) depends on acquit-stripe, which ARCHITECTURE.md does not allow (allowed: none)",
        "acquit-relay (/ws/crates/relay/Cargo.toml) depends on acquit-core, which ARCHITECTURE.md does not allow (allowed: acquit-relay-protocol)",
        "acquit-store (/ws/crates/store/Cargo.toml) depends on Tauri: acquit-store -> helper -> tauri",
        "fake-stripe must share no code with acquit-stripe, but depends on it: fake-stripe -> acquit-stripe",
        "acquit-app ships a second TLS stack: acquit-app -> tauri -> aws-lc-rs (the one stack is rustls with ring, \
         from acquit-http: turn that crate's TLS feature off or pick its ring feature)",
    ];
    assert_eq!(problems, expected);
}
