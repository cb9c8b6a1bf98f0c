//! `./x startup`: how long Acquit takes from its start to its first rows
//! drawn, on each books file given, in a release build, as a user starts it.
//!
//! Each round starts `acquit-app` in fresh data dirs on a copy of the file
//! (the page cache kept warm by the copy: the figure is the app's work, not
//! the disk's), reads its stderr until the window says "first rows shown"
//! (logged once by the app when the list's first page is drawn, with the
//! time since `run` began, and how much of it came after the page began to
//! load), and stops it. Prints, per file, the median of the in-app figure
//! and of the wall time from the process's spawn (which adds the loader),
//! with the targets beside
//! (≤ 400 ms on the demo books, ≤ 1 s at 100,000 invoices). Linux, under a
//! display (Xvfb).

mod launch;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use launch::{die, median, stop};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut files: Vec<PathBuf> = Vec::new();
    let mut rounds = 3usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| die("--rounds takes a count"))
            }
            file if !file.starts_with("--") => files.push(PathBuf::from(file)),
            _ => die(&format!(
                "unknown argument {arg}: cold_start BOOKS.db… [--rounds N]"
            )),
        }
    }
    if files.is_empty() {
        die("give one or more books files (./x startup makes the demo's and 100,000 invoices)");
    }
    launch::need_display();
    let app = launch::built("acquit-app", false);
    for file in &files {
        let mut inside = Vec::new();
        let mut page = Vec::new();
        let mut wall = Vec::new();
        for round in 1..=rounds {
            let (in_app, in_page, spawned) = measure(&app, file);
            println!(
                "{} round {round}: first rows {in_app} ms after run began ({in_page} ms of it in the page), {} ms after spawn",
                file.display(),
                spawned.as_millis()
            );
            inside.push(in_app);
            page.push(in_page);
            wall.push(spawned.as_millis() as u64);
        }
        println!(
            "{}: median first rows {} ms after run began ({} ms of it in the page), {} ms after spawn",
            file.display(),
            median(&mut inside),
            median(&mut page),
            median(&mut wall)
        );
    }
}

/// One start on a copy of `db`: (the app's own figure, the page's part of
/// it, the wall time).
fn measure(app: &Path, db: &Path) -> (u64, u64, Duration) {
    let spawned = Instant::now();
    let (_home, mut child) = launch::start(app, db, "info", Stdio::piped());
    let stderr = child.stderr.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("first rows shown") {
                let figures = field(&line, "after_ms").zip(field(&line, "page_ms"));
                let _ = tx.send((figures, spawned.elapsed()));
                return;
            }
        }
    });
    let seen = rx.recv_timeout(Duration::from_secs(60));
    stop(&mut child);
    match seen {
        Ok((Some((after, page)), wall)) => (after, page, wall),
        Ok((None, _)) => die("the \"first rows shown\" line lacks after_ms or page_ms"),
        Err(_) => die("no first rows within 60 s: did the window open?"),
    }
}

/// `name=412` in a log line, its colours' escape codes removed first (they
/// hold digits too).
fn field(line: &str, name: &str) -> Option<u64> {
    let mut plain = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ … a letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    let key = format!("{name}=");
    let at = plain.find(&key)? + key.len();
    plain[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}
