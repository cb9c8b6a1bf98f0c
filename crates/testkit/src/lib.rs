//! What the workspace's test binaries share, so each rule of a test lives
//! once. A dev-dependency only: nothing here ships.
//!
//! - [`books`]: books built through the store's own API, `eur`;
//! - [`samples`]: demo documents for the PDF's and Factur-X's tests and
//!   benches;
//! - [`facturx`]: the checks nobody here wrote (xmllint, Saxon-HE with the
//!   FNFE rules, the `factur-x` Python library) run on our XML and PDFs;
//! - [`servers`]: the workspace's own binaries (`fake-stripe`, `fake-pa`,
//!   `acquit-relay`) run on 127.0.0.1, a fake served on a thread, curl;
//! - [`keyring`]: a private D-Bus session with GNOME Keyring (the real OS
//!   keychain, never the user's);
//! - here: the Python of the venv `./x setup` makes (the reference tools:
//!   python-stdnum, factur-x, aiosmtpd), a real SMTP server and a real
//!   HTTPS server run with it, the tests' HTTP clients.

pub mod books;
pub mod facturx;
pub mod keyring;
pub mod samples;
pub mod servers;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// An HTTP client for a test. In a workspace build (`cargo test
/// --workspace`) reqwest is compiled with rustls but no default crypto
/// provider (acquit-http's one stack: ring), and building any client
/// panics until a provider is installed for the process: this installs
/// ring first.
pub fn http() -> reqwest::Client {
    http_builder().build().expect("an HTTP client")
}

/// [`http`]'s builder, for a test that sets timeouts or redirects.
pub fn http_builder() -> reqwest::ClientBuilder {
    acquit_http::install_provider();
    #[allow(clippy::disallowed_methods)] // The tests' one place, after the install.
    reqwest::Client::builder()
}

/// The Python of the venv `./x setup` makes: `$CARGO_TARGET_DIR/py`, or
/// `py` in the target directory the running test was built in.
pub fn python() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let target_dirs = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(exe.ancestors().map(Path::to_path_buf));
    let found = target_dirs
        .map(|dir| dir.join("py/bin/python"))
        .find(|python| python.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "the Python test tools are not set up (no target/py/bin/python above {}): \
             run ./x setup, which installs tests/requirements.txt",
            exe.display()
        )
    })
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("py").join(name)
}

/// How the SMTP server speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// Plain, then STARTTLS before anything else (port 587's way).
    Starttls,
    /// TLS from the first byte (SMTPS, port 465's way).
    Tls,
}

/// A real SMTP server (aiosmtpd, `py/smtp_server.py`) on 127.0.0.1 for
/// one test: AUTH required against [`SmtpServer::USER`] and
/// [`SmtpServer::PASSWORD`], its certificate from a throwaway CA
/// ([`SmtpServer::ca`]); a recipient at `denied.example` is refused with
/// 550. Killed when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// As it came over the wire.
    pub raw: Vec<u8>,
    /// As Python's `email` package reads it (`py/parse_mail.py`).
    pub parsed: Value,
    /// `mail_from`, `rcpt_tos`, and the `login` it authenticated with.
    pub envelope: Value,
}

impl SmtpServer {
    pub const USER: &'static str = "camille@nova.example";
    pub const PASSWORD: &'static str = "correct horse battery staple é";

    pub fn start(mode: SmtpMode) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(python())
            .arg(script("smtp_server.py"))
            .arg("--dir")
            .arg(dir.path())
            .arg("--mode")
            .arg(match mode {
                SmtpMode::Starttls => "starttls",
                SmtpMode::Tls => "tls",
            })
            .arg("--user")
            .arg(Self::USER)
            .env("SMTP_TEST_PASSWORD", Self::PASSWORD)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start the SMTP server: {e}: run ./x setup"));
        let mut server = SmtpServer {
            child,
            dir,
            port: 0,
        };
        server.port = wait_ready(
            &mut server.child,
            server.dir.path(),
            "the SMTP server (aiosmtpd)",
        );
        server
    }

    /// The PEM of the CA that signed the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The messages received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| ReceivedMail {
                raw: std::fs::read(&eml).unwrap(),
                parsed: parse_mail(&eml),
                envelope: serde_json::from_slice(
                    &std::fs::read(eml.with_extension("json")).unwrap(),
                )
                .unwrap(),
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real HTTPS server (Python's `http.server`, `py/https_server.py`) on
/// 127.0.0.1, its certificate from a throwaway CA that no trust store
/// knows: `GET /` answers 200 "hello over TLS". Stopped on drop.
#[derive(Debug)]
pub struct HttpsServer {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl HttpsServer {
    pub fn start() -> HttpsServer {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(python())
            .arg(script("https_server.py"))
            .arg("--dir")
            .arg(dir.path())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start the HTTPS server: {e}: run ./x setup"));
        let mut server = HttpsServer {
            child,
            dir,
            port: 0,
        };
        server.port = wait_ready(&mut server.child, server.dir.path(), "the HTTPS server");
        server
    }

    /// `https://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }

    /// The PEM of the CA that signed the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The requests it answered: `method`, `path`, `user_agent`, `tls`
    /// (the protocol version, e.g. "TLSv1.3").
    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("requests.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a Python server's `ready.json` in `dir` and returns its port.
fn wait_ready(child: &mut Child, dir: &Path, what: &str) -> u16 {
    let ready = dir.join("ready.json");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready.is_file() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} exited ({status}): are the Python test tools installed? run ./x setup");
        }
        assert!(Instant::now() < deadline, "{what} did not start in 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let ready: Value = serde_json::from_slice(&std::fs::read(ready).unwrap()).unwrap();
    ready["port"].as_u64().unwrap() as u16
}

/// A message file as Python's `email` package reads it: decoded
/// `subject`, `from`/`to`/`reply_to` (`name`, `address`), `message_id`,
/// `date`, `text`, `html`, `attachments` (`filename`, `content_type`,
/// `size`, `sha256`), `defects`, and `raw_ascii` (every byte 7-bit).
pub fn parse_mail(path: &Path) -> Value {
    let out = Command::new(python())
        .arg(script("parse_mail.py"))
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "parse_mail.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
