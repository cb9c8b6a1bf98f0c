//! What the measures of the app (`./x memory`, `./x startup`) share:
//! finding the built app, starting it as a user would in fresh data dirs on
//! a copy of some books, and reading their figures.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A program of this build's `target/<profile>/` (the measure runs from
/// `target/<profile>/examples/`), or `examples/` itself with `example`.
pub fn built(name: &str, example: bool) -> PathBuf {
    let exe = std::env::current_exe().expect("the running binary's path");
    let examples = exe.parent().expect("target/<profile>/examples");
    let dir = if example {
        examples
    } else {
        examples.parent().expect("target/<profile>")
    };
    let bin = dir.join(name);
    if !bin.is_file() {
        die(&format!(
            "{} is missing: `cargo build --release --bin acquit-app --example {name}` (or `./x memory`, `./x startup`)",
            bin.display()
        ));
    }
    bin
}

/// Dies unless a display is there (Xvfb for the `./x` verbs).
pub fn need_display() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        die("no display: run under Xvfb (`./x memory` and `./x startup` do)");
    }
}

/// Starts `bin` in fresh data dirs (kept by the returned `TempDir`) on a
/// copy of `db`, its log at `log` level, no Stripe key or relay token from
/// this shell, its stderr as `stderr` says.
pub fn start(bin: &Path, db: &Path, log: &str, stderr: Stdio) -> (tempfile::TempDir, Child) {
    let home = tempfile::Builder::new()
        .prefix("acquit-measure-")
        .tempdir()
        .expect("a temp dir");
    let copy = home.path().join("acquit.db");
    std::fs::copy(db, &copy).unwrap_or_else(|e| die(&format!("copying {}: {e}", db.display())));
    let child = Command::new(bin)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("ACQUIT_DB", &copy)
        .env("ACQUIT_LOG", log)
        .env("NO_COLOR", "1")
        .env_remove("ACQUIT_STRIPE_KEY")
        .env_remove("ACQUIT_RELAY_TOKEN")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| die(&format!("starting {}: {e}", bin.display())));
    (home, child)
}

/// SIGTERM, then SIGKILL after 5 s; WebKit's helpers exit with their parent.
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..50 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    // Give the helpers a moment to go before the next measure starts.
    std::thread::sleep(Duration::from_secs(1));
}

pub fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

/// Says what is wrong, named after the measure, and exits 2.
pub fn die(message: &str) -> ! {
    let name = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    eprintln!("{name}: {message}");
    std::process::exit(2);
}
