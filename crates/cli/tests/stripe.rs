//! `acquit stripe connect|status|disconnect`: the real binary, the fake
//! Stripe API over real HTTP, and the REAL OS keychain: a private D-Bus
//! session bus with GNOME Keyring unlocked on it (the Secret Service), as a
//! desktop session has. Nothing touches the user's own bus or keyring: the
//! bus listens in a private folder, and the keyring daemon keeps its files
//! in a private HOME.
//!
//! Without `dbus-daemon` or `gnome-keyring-daemon` these tests FAIL and name
//! the Debian packages to install (`./x setup` installs them).

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use acquit_testkit::keyring::{Keyring, Provider};
use common::{Acquit, output_with_stdin, text};
use serde_json::Value;

/// The key under test: its middle part must appear nowhere but in the keychain.
const KEY: &str = "sk_test_acquitCliKeychainSecret0004242";
const KEY_MARK: &str = "acquitCliKeychainSecret";
const ACCOUNT: &str = "acct_1FakeStripeAcquit00";

/// The fake Stripe API, served on its own thread for the whole test.
struct Fake {
    base: String,
}

impl Fake {
    fn start() -> Fake {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                let _ = fake_stripe::serve(listener, fake_stripe::Config::default()).await;
            });
        });
        Fake {
            base: rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        }
    }
}

/// The runs of one test, kept to search their output for the key.
struct Session {
    acquit: Acquit,
    fake: Fake,
    keyring: Option<Keyring>,
    outputs: Vec<Output>,
}

impl Session {
    fn new(provider: Option<Provider>) -> Session {
        Session {
            acquit: Acquit::new(),
            fake: Fake::start(),
            keyring: provider.map(Keyring::start),
            outputs: Vec::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.acquit.command(args);
        command
            .env("ACQUIT_STRIPE_API_BASE", &self.fake.base)
            .env_remove("ACQUIT_STRIPE_KEY")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        match &self.keyring {
            Some(keyring) => {
                command
                    .env("DBUS_SESSION_BUS_ADDRESS", &keyring.address)
                    .env("XDG_RUNTIME_DIR", keyring.dir.path().join("run"));
            }
            None => {
                // No bus at all: none in the environment, none in the
                // (empty, private) runtime folder.
                let run = self.acquit.dir.path().join("run");
                std::fs::create_dir_all(&run).unwrap();
                command
                    .env_remove("DBUS_SESSION_BUS_ADDRESS")
                    .env("XDG_RUNTIME_DIR", run);
            }
        }
        command
    }

    /// Runs `acquit args` with `stdin`, keeps the output, checks the exit code.
    fn run(&mut self, args: &[&str], stdin: &str, code: i32, extra: &[(&str, &str)]) -> Output {
        let mut command = self.command(args);
        for (name, value) in extra {
            command.env(name, value);
        }
        let out = output_with_stdin(command, stdin);
        assert_eq!(
            out.status.code(),
            Some(code),
            "acquit {args:?}: expected exit {code}; stdout: {}; stderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
        self.outputs.push(out.clone());
        out
    }

    fn stdout(&mut self, args: &[&str]) -> String {
        text(&self.run(args, "", 0, &[]).stdout)
    }

    fn stderr(&mut self, args: &[&str], stdin: &str, code: i32) -> String {
        text(&self.run(args, stdin, code, &[]).stderr)
    }

    fn lookup(&self, user: &str) -> Option<String> {
        self.keyring.as_ref().expect("a keyring").lookup(user)
    }

    /// The key appears in no output and no file of Acquit's folder (the
    /// database and its WAL, backups, any log).
    fn assert_key_nowhere(&self) {
        for out in &self.outputs {
            for stream in [&out.stdout, &out.stderr] {
                assert!(
                    !text(stream).contains(KEY_MARK),
                    "the key was printed: {}",
                    text(stream)
                );
            }
        }
        let mut files = 0;
        search_files(self.acquit.dir.path(), &mut files);
        assert!(files > 0, "the data folder is empty: nothing was searched");
    }
}

fn search_files(dir: &Path, count: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            search_files(&path, count);
        } else {
            *count += 1;
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes
                .windows(KEY_MARK.len())
                .any(|w| w == KEY_MARK.as_bytes());
            assert!(!found, "the key was written to {}", path.display());
        }
    }
}

#[test]
fn connect_status_disconnect_with_the_real_keychain() {
    let mut s = Session::new(Some(Provider::Unlocked));
    let user = format!("stripe-secret-key:{ACCOUNT}");

    s.stdout(&["init"]);
    assert!(s.stdout(&["stripe", "status"]).contains("not connected"));

    // Connect: the key on stdin, as pasted (with a newline).
    let out = s.run(&["stripe", "connect"], &format!("  {KEY}\n"), 0, &[]);
    assert_eq!(
        text(&out.stdout),
        "Connected to Fake Stripe test account (test mode) with sk_test_…4242\n"
    );
    // In the real keychain, under Acquit's service and the account.
    assert_eq!(s.lookup(&user).as_deref(), Some(KEY));

    // Status: the mask, never the key.
    let status = s.stdout(&["stripe", "status"]);
    assert!(
        status.contains("connected to Fake Stripe test account"),
        "{status}"
    );
    assert!(
        status.contains("sk_test_…4242, in the keychain"),
        "{status}"
    );
    let json: Value = serde_json::from_str(&s.stdout(&["stripe", "status", "--json"])).unwrap();
    assert_eq!(json["connected"], true);
    assert_eq!(json["account"]["id"], ACCOUNT);
    assert_eq!(json["account"]["mode"], "test");
    assert_eq!(json["key_hint"], "sk_test_…4242");
    assert_eq!(json["key_source"], "keychain");
    assert_eq!(json["keychain"]["available"], true);
    assert_eq!(json["keychain"]["has_key"], true);
    assert_eq!(json["check"], Value::Null);

    // Re-verified against Stripe, with the key read back from the keychain.
    let json: Value =
        serde_json::from_str(&s.stdout(&["stripe", "status", "--check", "--json"])).unwrap();
    assert_eq!(json["check"]["ok"], true, "{json}");
    assert_eq!(json["check"]["account_id"], ACCOUNT);

    // The rest of Acquit goes on as before, and backs up the database.
    s.stdout(&["backup"]);
    s.stdout(&["journal", "verify"]);

    // Connecting again replaces the key (one entry, not two).
    s.run(&["stripe", "connect"], KEY, 0, &[]);
    assert_eq!(s.lookup(&user).as_deref(), Some(KEY));

    // Disconnect: the key leaves the keychain; twice is fine.
    let out = s.stdout(&["stripe", "disconnect"]);
    assert!(out.contains("removed from the keychain"), "{out}");
    assert!(out.contains("sk_test_…4242"), "{out}");
    assert_eq!(s.lookup(&user), None);
    assert!(
        s.stdout(&["stripe", "disconnect"])
            .contains("Not connected to Stripe")
    );
    let status = s.stdout(&["stripe", "status"]);
    assert!(status.contains("not connected"), "{status}");
    let json: Value = serde_json::from_str(&s.stdout(&["stripe", "status", "--json"])).unwrap();
    assert_eq!(json["connected"], false);
    assert_eq!(json["key_hint"], Value::Null);

    // The invoices' database still opens and verifies.
    s.stdout(&["journal", "verify"]);
    s.stdout(&["backup"]);

    s.assert_key_nowhere();
}

#[test]
fn a_key_stripe_refuses_is_rejected_and_nothing_is_stored() {
    let mut s = Session::new(Some(Provider::Unlocked));
    // The fake, like Stripe in test mode, refuses any live key.
    let refused = "sk_live_acquitCliKeychainSecret0009999";
    let message = s.stderr(&["stripe", "connect"], refused, 1);
    assert!(message.contains("Stripe refused the API key"), "{message}");
    assert!(!message.contains(KEY_MARK), "{message}");
    assert_eq!(s.lookup(&format!("stripe-secret-key:{ACCOUNT}")), None);
    let json: Value = serde_json::from_str(&s.stdout(&["stripe", "status", "--json"])).unwrap();
    assert_eq!(json["connected"], false);

    // Not a key at all: refused before any request, without echoing it.
    let message = s.stderr(&["stripe", "connect"], "pk_test_acquitCliKeychainSecret", 1);
    assert!(message.contains("publishable key"), "{message}");
    let message = s.stderr(&["stripe", "connect"], "", 1);
    assert!(message.contains("no key on stdin"), "{message}");

    // A key given as an argument is refused (shell history, process list).
    let message = s.stderr(&["stripe", "connect", KEY], "", 1);
    assert!(
        message.contains("not give the key as an argument"),
        "{message}"
    );
    let message = s.stderr(&["stripe", "connect", "--key", KEY], "", 1);
    assert!(
        message.contains("not give the key as an argument"),
        "{message}"
    );
    assert_eq!(s.lookup(&format!("stripe-secret-key:{ACCOUNT}")), None);

    s.assert_key_nowhere();
}

#[test]
fn without_a_session_bus_connect_says_what_to_do() {
    let mut s = Session::new(None);
    let message = s.stderr(&["stripe", "connect"], KEY, 3);
    assert!(message.contains("no D-Bus session bus"), "{message}");
    assert!(message.contains("dbus-run-session"), "{message}");
    assert!(message.contains("ACQUIT_STRIPE_KEY"), "{message}");

    // Status reports it, without failing: nothing is connected.
    let json: Value = serde_json::from_str(&s.stdout(&["stripe", "status", "--json"])).unwrap();
    assert_eq!(json["keychain"]["available"], false);
    assert_eq!(json["keychain"]["error"], "no-session-bus");
    assert_eq!(json["connected"], false);

    s.assert_key_nowhere();
}

#[test]
fn acquit_stripe_key_overrides_the_keychain_and_is_never_written() {
    let mut s = Session::new(None);
    s.stdout(&["init"]);
    let out = s.run(
        &["stripe", "status", "--check", "--json"],
        "",
        0,
        &[("ACQUIT_STRIPE_KEY", KEY)],
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["key_source"], "environment");
    assert_eq!(json["key_hint"], "sk_test_…4242");
    assert_eq!(json["check"]["ok"], true, "{json}");
    assert_eq!(json["check"]["account_id"], ACCOUNT);
    assert_eq!(json["keychain"]["available"], false);

    // A malformed override is refused, naming the variable, not the value.
    let out = s.run(
        &["stripe", "status"],
        "",
        1,
        &[("ACQUIT_STRIPE_KEY", "nonsense_acquitCliKeychainSecret")],
    );
    assert!(text(&out.stderr).contains("ACQUIT_STRIPE_KEY is set but"));

    s.stdout(&["backup"]);
    s.assert_key_nowhere();
}

#[test]
fn a_keyring_never_unlocked_is_reported_as_locked() {
    let mut s = Session::new(Some(Provider::NeverUnlocked));
    let message = s.stderr(&["stripe", "connect"], KEY, 3);
    assert!(message.contains("keychain is locked"), "{message}");
    assert!(
        message.contains("gnome-keyring-daemon --unlock"),
        "{message}"
    );
    let json: Value = serde_json::from_str(&s.stdout(&["stripe", "status", "--json"])).unwrap();
    assert_eq!(json["keychain"]["error"], "locked");
    s.assert_key_nowhere();
}

#[test]
fn a_bus_without_a_secret_service_says_what_to_install() {
    let mut s = Session::new(Some(Provider::Nothing));
    let message = s.stderr(&["stripe", "connect"], KEY, 3);
    assert!(message.contains("org.freedesktop.secrets"), "{message}");
    assert!(message.contains("apt install gnome-keyring"), "{message}");
    let json: Value = serde_json::from_str(&s.stdout(&["stripe", "status", "--json"])).unwrap();
    assert_eq!(json["keychain"]["error"], "no-secret-service");
    s.assert_key_nowhere();
}
