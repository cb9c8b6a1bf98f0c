//! `./x memory`: Acquit's idle memory next to a bare Tauri window, measured
//! in the same run under the same display and WebKit settings.
//!
//! Each program is started in its own temporary data dirs (Acquit on a copy
//! of the database given with `--db`, e.g. the demo books), left idle for
//! `--idle` seconds (10 by default), then the PSS of its process and of every
//! descendant (WebKitWebProcess, WebKitNetworkProcess) is summed from
//! `/proc/PID/smaps_rollup`: PSS splits shared pages between the processes
//! that map them, so the sum does not count shared libraries twice, as RSS
//! sums would. The two are measured alternately, `--rounds` times each (2 by
//! default); the medians and their ratio are printed. Linux only.

mod launch;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use launch::{die, median, stop};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut db: Option<PathBuf> = None;
    let mut idle = 10u64;
    let mut rounds = 2usize;
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| die(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--db" => db = Some(PathBuf::from(value())),
            "--idle" => {
                idle = value()
                    .parse()
                    .unwrap_or_else(|_| die("--idle takes seconds"))
            }
            "--rounds" => {
                rounds = value()
                    .parse()
                    .unwrap_or_else(|_| die("--rounds takes a count"))
            }
            _ => die(&format!(
                "unknown argument {arg}: idle_memory --db ACQUIT.db [--idle SECONDS] [--rounds N]"
            )),
        }
    }
    let db = db.unwrap_or_else(|| {
        die("--db ACQUIT.db is required (the books Acquit opens: ./x memory makes the demo's)")
    });
    if !Path::new("/proc/self/smaps_rollup").exists() {
        die("this measure reads /proc/PID/smaps_rollup: Linux 4.14 or newer only");
    }
    launch::need_display();
    let app = launch::built("acquit-app", false);
    let bare = launch::built("bare_window", true);

    let mut figures: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=rounds {
        for (which, (name, bin)) in [("bare window", &bare), ("Acquit", &app)]
            .into_iter()
            .enumerate()
        {
            let (total, parts) = measure(bin, &db, Duration::from_secs(idle));
            let detail = parts
                .iter()
                .map(|(comm, kb)| format!("{comm} {}", mib(*kb)))
                .collect::<Vec<_>>()
                .join(", ");
            println!("round {round}: {name:<12} {:>9}  ({detail})", mib(total));
            figures[which].push(total);
        }
    }
    let bare_kb = median(&mut figures[0]);
    let app_kb = median(&mut figures[1]);
    let ratio = app_kb as f64 / bare_kb as f64;
    println!(
        "median PSS after {idle} s idle: bare window {}, Acquit {}: ratio {ratio:.2} (target ≤ 1.30)",
        mib(bare_kb),
        mib(app_kb)
    );
    if ratio > 1.3 {
        std::process::exit(1);
    }
}

/// Starts `bin` in fresh data dirs, waits `idle`, and returns the summed
/// PSS (kB) of it and its descendants, with each process's share.
fn measure(bin: &Path, db: &Path, idle: Duration) -> (u64, Vec<(String, u64)>) {
    let (_home, mut child) = launch::start(bin, db, "warn", Stdio::null());
    std::thread::sleep(idle);
    if let Ok(Some(status)) = child.try_wait() {
        die(&format!(
            "{} exited early ({status}): is the display usable?",
            bin.display()
        ));
    }
    let mut parts = Vec::new();
    for pid in tree(child.id()) {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if let Some(kb) = pss_kb(pid) {
            parts.push((comm.trim().to_owned(), kb));
        }
    }
    if !parts.iter().any(|(comm, _)| comm.starts_with("WebKitWeb")) {
        die(&format!(
            "{} has no WebKitWebProcess after {idle:?}: did its window open?",
            bin.display()
        ));
    }
    stop(&mut child);
    (parts.iter().map(|(_, kb)| kb).sum(), parts)
}

/// `pid` and all its descendants, from the parent ids in `/proc/*/stat`.
fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name is in parentheses and may hold spaces: the
        // parent id is the second field after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    out
}

fn pss_kb(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mib(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}
