//! Spawning the real `acquit-relay` binary for integration tests.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use acquit_relay_protocol::InboxCreated;

pub const BIN: &str = env!("CARGO_BIN_EXE_acquit-relay");

/// `--db FILE` or `--database-url URL`, as arguments.
pub fn storage_args(db: &Path) -> Vec<OsString> {
    vec!["--db".into(), db.into()]
}

/// The PostgreSQL URL to test against, when `ACQUIT_RELAY_TEST_DATABASE_URL`
/// is set (start one with `tests/start-postgres.sh`).
pub fn postgres_url() -> Option<String> {
    std::env::var("ACQUIT_RELAY_TEST_DATABASE_URL").ok()
}

/// A running relay on 127.0.0.1 with OS-chosen ports (the public one and,
/// unless `extra` says otherwise, the metrics one); killed on drop.
#[derive(Debug)]
pub struct Relay {
    pub child: Child,
    pub base: String,
    pub db: PathBuf,
    /// The metrics listener's base URL, once its line was read on stderr.
    metrics: mpsc::Receiver<String>,
    metrics_base: std::sync::OnceLock<String>,
    /// The stderr copier, joined on drop so the log file is complete.
    stderr: Option<std::thread::JoinHandle<()>>,
}

/// Where the relay's stderr goes once the metrics line is picked out.
enum Log {
    Inherit,
    File(std::fs::File),
}

impl Relay {
    pub fn start(db: &Path, extra: &[&str]) -> Relay {
        Self::spawn(db, extra, "warn", Log::Inherit)
    }

    /// Like [`Relay::start`], with its log at `level` written to `log`.
    pub fn start_logged(db: &Path, extra: &[&str], level: &str, log: &Path) -> Relay {
        let file = std::fs::File::create(log).unwrap();
        Self::spawn(db, extra, level, Log::File(file))
    }

    fn spawn(db: &Path, extra: &[&str], level: &str, log: Log) -> Relay {
        Self::spawn_on(storage_args(db), db, extra, level, log)
    }

    /// A relay on PostgreSQL at `url`.
    pub fn start_postgres(url: &str, extra: &[&str]) -> Relay {
        let storage = vec!["--database-url".into(), url.into()];
        Self::spawn_on(storage, Path::new(""), extra, "warn", Log::Inherit)
    }

    fn spawn_on(storage: Vec<OsString>, db: &Path, extra: &[&str], level: &str, log: Log) -> Relay {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", "127.0.0.1:0"]).args(storage);
        // Never the fixed default port: tests run side by side.
        if !extra.contains(&"--metrics-listen") {
            cmd.args(["--metrics-listen", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(extra)
            .env("RUST_LOG", level)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn acquit-relay");
        let (metrics, stderr) = forward_stderr(child.stderr.take().unwrap(), log);
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("acquit-relay listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Relay {
            child,
            base,
            db: db.to_owned(),
            metrics,
            metrics_base: std::sync::OnceLock::new(),
            stderr: Some(stderr),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `path` on the metrics listener (panics if it has none).
    pub fn metrics_url(&self, path: &str) -> String {
        let base = self.metrics_base.get_or_init(|| {
            self.metrics
                .recv_timeout(Duration::from_secs(10))
                .expect("the relay printed its metrics address")
        });
        format!("{base}{path}")
    }
}

/// Copies the relay's stderr to `log`, sending the metrics listener's
/// address when its line goes by.
fn forward_stderr(
    stderr: std::process::ChildStderr,
    mut log: Log,
) -> (mpsc::Receiver<String>, std::thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let copier = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.strip_prefix("acquit-relay metrics on ") {
                let _ = tx.send(addr.trim().to_owned());
            }
            match &mut log {
                Log::Inherit => eprintln!("{line}"),
                Log::File(f) => {
                    let _ = writeln!(f, "{line}");
                }
            }
        }
    });
    (rx, copier)
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(copier) = self.stderr.take() {
            let _ = copier.join();
        }
    }
}

/// `acquit-relay inbox create --json` on `db`.
pub fn create_inbox(db: &Path, secret: Option<&str>) -> InboxCreated {
    create_inbox_on(storage_args(db), secret)
}

/// `acquit-relay inbox create --json` on PostgreSQL at `url`.
pub fn create_inbox_postgres(url: &str, secret: Option<&str>) -> InboxCreated {
    create_inbox_on(vec!["--database-url".into(), url.into()], secret)
}

fn create_inbox_on(storage: Vec<OsString>, secret: Option<&str>) -> InboxCreated {
    let mut cmd = Command::new(BIN);
    cmd.args(["inbox", "create", "--json"]).args(storage);
    if let Some(s) = secret {
        cmd.args(["--webhook-secret", s]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "inbox create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn event_body(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"event","type":"checkout.session.completed","data":{{"object":{{"id":"cs_test_{id}","amount_total":12000}}}}}}"#
    )
}

/// POSTs `body` to the inbox's webhook with `signature` (None: no header).
pub async fn post_webhook(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    body: &str,
    signature: Option<String>,
) -> reqwest::Response {
    let mut req = client
        .post(relay.url(&inbox.webhook_path))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(sig) = signature {
        req = req.header("stripe-signature", sig);
    }
    req.send().await.unwrap()
}

pub async fn post_signed(
    client: &reqwest::Client,
    relay: &Relay,
    inbox: &InboxCreated,
    secret: &str,
    id: &str,
) -> u16 {
    let body = event_body(id);
    let sig = acquit_relay::signature::sign(secret, now(), body.as_bytes());
    post_webhook(client, relay, inbox, &body, Some(sig))
        .await
        .status()
        .as_u16()
}

/// Just a base URL, for tasks that outlive or do not own the [`Relay`].
#[derive(Debug, Clone)]
pub struct Target {
    pub base: String,
}

impl Target {
    /// POSTs a signed event; None when the connection fails.
    pub async fn post(
        &self,
        client: &reqwest::Client,
        inbox: &InboxCreated,
        secret: &str,
        id: &str,
    ) -> Option<u16> {
        let body = event_body(id);
        let sig = acquit_relay::signature::sign(secret, now(), body.as_bytes());
        let res = client
            .post(format!("{}{}", self.base, inbox.webhook_path))
            .header("stripe-signature", sig)
            .body(body)
            .send()
            .await
            .ok()?;
        Some(res.status().as_u16())
    }
}

/// `acquit-relay inbox admin-token --inbox … --db … --json`: the command's
/// output (the new credential's JSON on success).
pub fn issue_admin_token(db: &Path, inbox: &str) -> std::process::Output {
    Command::new(BIN)
        .args(["inbox", "admin-token", "--json", "--inbox", inbox])
        .args(storage_args(db))
        .output()
        .unwrap()
}

/// The metrics listener's `/metrics` text.
pub async fn metrics_text(client: &reqwest::Client, relay: &Relay) -> String {
    client
        .get(relay.metrics_url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A PUT of `body` as JSON to `path` with `bearer`.
pub async fn put_json(
    client: &reqwest::Client,
    relay: &Relay,
    path: &str,
    bearer: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    client
        .put(relay.url(path))
        .bearer_auth(bearer)
        .json(body)
        .send()
        .await
        .unwrap()
}
