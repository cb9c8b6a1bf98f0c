//! `acquit-audit --db ADVISORY_DB [--lockfile Cargo.lock] [--ignore ID]…`:
//! exit 1 when a crate Acquit ships has a known vulnerability (see the
//! library's doc), 2 when the check could not run.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "acquit-audit",
    about = "RustSec advisory check of the crates Acquit ships"
)]
struct Args {
    /// A checkout of https://github.com/rustsec/advisory-db (never fetched).
    #[arg(long, env = "ACQUIT_ADVISORY_DB")]
    db: PathBuf,
    /// The workspace's lock file; its folder is where `cargo metadata` runs.
    #[arg(long, default_value = "Cargo.lock")]
    lockfile: PathBuf,
    /// An advisory id that does not fail the check (say why in the commit).
    #[arg(long)]
    ignore: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("acquit-audit: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let dir = args
        .lockfile
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Every platform's dependencies (`./x setup` fetches them all, so
    // --offline reads their manifests): the app is built for Windows and
    // macOS too.
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let shipped = acquit_audit::shipped(&metadata).map_err(|e| e.to_string())?;
    let audit = acquit_audit::audit(&args.db, &args.lockfile, &shipped, &args.ignore)
        .map_err(|e| e.to_string())?;
    println!(
        "{} advisories read; {} locked packages, {} shipped ({})",
        audit.advisories,
        audit.locked,
        audit.shipped,
        acquit_audit::SHIPPED.join(", ")
    );
    for f in &audit.findings {
        let what = match (&f.informational, f.shipped, f.ignored) {
            (None, true, false) => "VULNERABLE (shipped)".to_owned(),
            (None, true, true) => "vulnerable (shipped, ignored by --ignore)".to_owned(),
            (None, false, _) => "vulnerable (not shipped: tests or build only)".to_owned(),
            (Some(kind), shipped, _) => {
                format!("{kind}{}", if shipped { " (shipped)" } else { "" })
            }
        };
        let patched = if f.patched.is_empty() {
            "no patched version".to_owned()
        } else {
            format!("patched: {}", f.patched.join(", "))
        };
        println!(
            "{} {} {}: {what}: {} ({patched})",
            f.id, f.package.0, f.package.1, f.title
        );
    }
    let failing = audit.findings.iter().filter(|f| f.fails()).count();
    if failing > 0 {
        println!(
            "{failing} known vulnerabilities in shipped crates: update them (cargo update -p NAME) or --ignore ID with a reason"
        );
    } else {
        println!("no known vulnerability in a shipped crate");
    }
    Ok(failing == 0)
}
