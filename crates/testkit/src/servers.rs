//! The real `fake-stripe`, `fake-pa` and `acquit-relay` binaries on
//! 127.0.0.1, for the CLI's tests and the app's end-to-end tests. They are
//! the workspace's own binaries, found beside the test ([`sibling_bin`]).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Serves a fake of an outside service on its own thread for the whole
/// test (`serve` is the fake's own function): its base URL.
pub fn serve_in_background<F, Fut>(serve: F) -> String
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the fake");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a port for the fake");
            let base = format!("http://{}", listener.local_addr().expect("its address"));
            tx.send(base).expect("the test waits for the fake");
            serve(listener).await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the fake did not start")
}

/// A child process killed on drop.
#[derive(Debug)]
pub struct Running {
    pub child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `target/<profile>/NAME`: a workspace binary (`acquit`, `acquit-app`,
/// `fake-stripe`, `fake-pa`, `acquit-relay`), beside the `deps/` folder
/// the running test was built in. `cargo test --workspace` (`./x test`)
/// builds them all; a test never runs cargo itself.
pub fn sibling_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|n| n == "deps"))
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("{} is not under a cargo target folder", exe.display()));
    let path = profile_dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the workspace's binaries first (`cargo build --workspace --bins`, \
         or run the whole suite with `./x test`)",
        path.display()
    );
    path
}

/// The fake plateforme agréée (`fake-pa`), its requests logged as JSON lines.
#[derive(Debug)]
pub struct FakePa {
    pub base: String,
    pub log: PathBuf,
    _process: Running,
}

impl FakePa {
    pub fn start(dir: &Path) -> FakePa {
        let log = dir.join("fake-pa.jsonl");
        let mut child = Command::new(sibling_bin("fake-pa"))
            .args(["--listen", "127.0.0.1:0", "--log"])
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn fake-pa");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("fake-pa listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("fake-pa said {line:?}"))
            .to_owned();
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        FakePa {
            base,
            log,
            _process: Running { child },
        }
    }

    /// A test control under `/_fake/`.
    pub fn control(&self, path: &str, body: Value) -> (u16, Value) {
        post_json(&format!("{}{path}", self.base), &body)
    }

    /// The requests logged so far, oldest first.
    pub fn logged(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

/// The fake Stripe API.
#[derive(Debug)]
pub struct FakeStripe {
    pub base: String,
    pub log: PathBuf,
    _process: Running,
}

impl FakeStripe {
    pub fn start(dir: &Path, extra: &[&str]) -> FakeStripe {
        let log = dir.join("fake-stripe.jsonl");
        let mut child = Command::new(sibling_bin("fake-stripe"))
            .args(["--listen", "127.0.0.1:0", "--log"])
            .arg(&log)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn fake-stripe");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("fake-stripe listening on ")
            .unwrap_or_else(|| panic!("fake-stripe said {line:?}"))
            .to_owned();
        // Keep draining its stderr so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        FakeStripe {
            base,
            log,
            _process: Running { child },
        }
    }

    /// A test control under `/_fake/`.
    pub fn control(&self, path: &str, body: Value) -> (u16, Value) {
        post_json(&format!("{}{path}", self.base), &body)
    }
}

/// The relay, with one inbox.
#[derive(Debug)]
pub struct Relay {
    pub base: String,
    pub inbox: String,
    pub token: String,
    /// The inbox's admin credential (replacing the webhook secret needs it).
    pub admin: Option<String>,
    pub db: PathBuf,
    process: Option<Running>,
    listen: String,
}

impl Relay {
    pub fn start(dir: &Path) -> Relay {
        let db = dir.join("relay.db");
        let out = Command::new(sibling_bin("acquit-relay"))
            .args(["inbox", "create", "--db"])
            .arg(&db)
            .arg("--json")
            .output()
            .expect("run acquit-relay inbox create");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let created: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut relay = Relay {
            base: String::new(),
            inbox: created["inbox"].as_str().unwrap().to_owned(),
            token: created["token"].as_str().unwrap().to_owned(),
            admin: created["admin_token"].as_str().map(str::to_owned),
            db,
            process: None,
            listen: "127.0.0.1:0".into(),
        };
        relay.resume();
        relay
    }

    /// Stops the relay (the laptop cannot reach it; Stripe's webhooks fail).
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts it again on the same address and database.
    pub fn resume(&mut self) {
        let mut child = Command::new(sibling_bin("acquit-relay"))
            .args(["serve", "--listen", &self.listen, "--db"])
            .arg(&self.db)
            // fake-stripe's pay URLs are http://127.0.0.1:PORT/…; no metrics
            // listener (its fixed default port would clash between tests).
            .args(["--allow-pay-host", "127.0.0.1", "--metrics-listen", "off"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn acquit-relay");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("acquit-relay listening on ")
            .unwrap_or_else(|| panic!("acquit-relay said {line:?}"))
            .to_owned();
        let addr = addr.trim_start_matches("http://").to_owned();
        self.base = format!("http://{addr}");
        self.listen = addr;
        self.process = Some(Running { child });
    }
}

/// A minimal HTTP client for the tests (blocking, via curl: always present
/// where the tests run, and independent of the code under test).
pub fn post_json(url: &str, body: &Value) -> (u16, Value) {
    curl(&[
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &body.to_string(),
        url,
    ])
}

pub fn get(url: &str) -> (u16, String, Option<String>) {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "-",
            "-w",
            "\n%{http_code} %{redirect_url}",
            url,
        ])
        .output()
        .expect("curl is missing: sudo apt-get install curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, tail) = text.rsplit_once('\n').unwrap();
    let mut parts = tail.splitn(2, ' ');
    let status: u16 = parts.next().unwrap().parse().unwrap();
    let location = parts.next().filter(|l| !l.is_empty()).map(str::to_owned);
    (status, body.to_owned(), location)
}

fn curl(args: &[&str]) -> (u16, Value) {
    let out = Command::new("curl")
        .args(["-sS", "-o", "-", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl is missing: sudo apt-get install curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap();
    let value = serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()));
    (status.trim().parse().unwrap(), value)
}

/// Polls `check` every 50 ms until it returns true or `limit` passes.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// The relay's own library served on the test's tokio runtime, on
/// 127.0.0.1, over its SQLite file `db`, with one inbox: for the tests and
/// benches of the sync and the documents, which talk to it over HTTP as the
/// app does (the CLI's and the app's tests run the binary: [`Relay`]). It
/// stops accepting when dropped.
#[derive(Debug)]
pub struct RelayInProcess {
    pub base: String,
    pub inbox: String,
    pub token: String,
    /// The inbox's admin credential.
    pub admin: String,
    _shutdown: tokio::sync::watch::Sender<bool>,
}

impl RelayInProcess {
    /// Starts it; `webhook_secret` is the inbox's Stripe signing secret
    /// (else set later through the API).
    pub async fn start(db: &Path, webhook_secret: Option<&str>) -> RelayInProcess {
        use acquit_relay::server::{AppState, Config, router};
        use acquit_relay::store::{SqliteStore, Store as _};

        let store = std::sync::Arc::new(SqliteStore::open(db).expect("the relay's database"));
        let created = store
            .create_inbox(webhook_secret.map(str::to_owned))
            .await
            .expect("an inbox");
        let (shutdown, rx) = tokio::sync::watch::channel(false);
        let app = router(AppState::new(store, Config::default(), rx));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the relay");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the relay serves") });
        RelayInProcess {
            base,
            inbox: created.inbox,
            token: created.token,
            admin: created
                .admin_token
                .expect("a new inbox has an admin credential"),
            _shutdown: shutdown,
        }
    }
}
