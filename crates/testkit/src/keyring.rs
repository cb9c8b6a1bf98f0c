//! A private D-Bus session bus with GNOME Keyring on it (the Secret
//! Service), for the tests that use the REAL OS keychain. Nothing touches
//! the user's own bus or keyring: the bus listens in a private folder, and
//! the keyring daemon keeps its files in a private HOME. Without the
//! daemons the tests FAIL and name the Debian packages to install.
//!
//! Used by the CLI's tests and the app's end-to-end tests.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const APT_PACKAGES: &str = "dbus gnome-keyring libsecret-tools";

/// A private D-Bus session bus with an unlocked GNOME Keyring on it; both
/// daemons are killed when this is dropped (also when a test panics).
#[derive(Debug)]
pub struct Keyring {
    pub dir: tempfile::TempDir,
    pub address: String,
    bus: Child,
    keyring: Option<Child>,
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn require(program: &str) {
    assert!(
        find_program(program).is_some(),
        "`{program}` is not installed: the keychain tests need a D-Bus session bus and GNOME Keyring (the Secret Service). Install them: `sudo apt-get install {APT_PACKAGES}` (or run `./x setup`)"
    );
}

/// What runs on the private bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// GNOME Keyring with its login keyring unlocked (a desktop session).
    Unlocked,
    /// GNOME Keyring that was never unlocked: no default keyring.
    NeverUnlocked,
    /// Nothing serves `org.freedesktop.secrets` (and the bus cannot start
    /// anything: it has no service folders).
    Nothing,
}

impl Keyring {
    pub fn start(provider: Provider) -> Keyring {
        for program in [
            "dbus-daemon",
            "gnome-keyring-daemon",
            "dbus-send",
            "secret-tool",
        ] {
            require(program);
        }
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "data", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let socket = dir.path().join("run").join("bus");
        let mut bus = Command::new("dbus-daemon");
        if provider == Provider::Nothing {
            // A session bus without the system's service folders, so that
            // it cannot start a keyring on demand.
            let config = dir.path().join("bus.conf");
            std::fs::write(
                &config,
                format!(
                    r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                    socket.display()
                ),
            )
            .unwrap();
            bus.arg(format!("--config-file={}", config.display()));
        } else {
            bus.arg("--session")
                .arg(format!("--address=unix:path={}", socket.display()));
        }
        let mut bus = bus
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_owned();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed no address"
        );
        let mut keychain = Keyring {
            dir,
            address,
            bus,
            keyring: None,
        };
        if provider == Provider::Nothing {
            return keychain;
        }
        let mut command = Command::new("gnome-keyring-daemon");
        keychain.env(&mut command).arg("--foreground");
        if provider == Provider::Unlocked {
            command.arg("--unlock");
        }
        let mut daemon = command
            .arg("--components=secrets")
            .stdin(if provider == Provider::Unlocked {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts");
        // The password of the new login keyring, then end of input.
        if let Some(mut stdin) = daemon.stdin.take() {
            let _ = stdin.write_all(b"pw");
        }
        keychain.keyring = Some(daemon);
        keychain.wait_for_secret_service(provider == Provider::Unlocked);
        keychain
    }

    /// `command` with this session's bus and private folders.
    pub fn env<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
    }

    /// Until the keyring owns `org.freedesktop.secrets` and has unlocked its
    /// login collection (else the bus would start a locked one on demand).
    fn wait_for_secret_service(&self, unlocked: bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = self
                .env(&mut Command::new("dbus-send"))
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .unwrap();
            let owned = text(&out.stdout).contains("boolean true");
            let login = !unlocked || self.dir.path().join("data/keyrings/login.keyring").exists();
            if owned && login {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not start on the private bus in 15 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The secret stored for `user` under Acquit's service, read with
    /// libsecret's own tool: proof that the key is in the real keychain.
    pub fn lookup(&self, user: &str) -> Option<String> {
        let out = self
            .env(&mut Command::new("secret-tool"))
            .args(["lookup", "service", "app.acquit.desktop", "username", user])
            .output()
            .unwrap();
        let value = text(&out.stdout);
        (out.status.success() && !value.is_empty()).then_some(value)
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let Some(mut daemon) = self.keyring.take() {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
