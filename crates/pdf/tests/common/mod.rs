//! The real command-line tools the tests check PDFs with, and the demo
//! documents (`acquit_testkit::samples`, shared with the benches).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub use acquit_testkit::samples::*;

/// A place for this test's files.
pub fn out(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("acquit-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = out(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn package_of(tool: &str) -> &'static str {
    match tool {
        "qpdf" => "qpdf",
        "zbarimg" => "zbar-tools",
        _ => "poppler-utils",
    }
}

/// Runs a real tool; a missing tool fails the test and names its package.
pub fn run(tool: &str, args: &[&str]) -> Output {
    match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: these tests need it. Install it with `sudo apt-get install {}`",
            package_of(tool)
        ),
        Err(e) => panic!("could not run {tool}: {e}"),
    }
}

pub fn pdftotext(path: &std::path::Path, page: Option<usize>) -> String {
    let p = path.to_str().unwrap();
    let page_s = page.map(|n| n.to_string());
    let mut args = vec![];
    if let Some(n) = &page_s {
        args.extend(["-f", n.as_str(), "-l", n.as_str()]);
    }
    args.extend([p, "-"]);
    let o = run("pdftotext", &args);
    assert!(
        o.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Collapses the no-break spaces and line breaks pdftotext keeps, so
/// phrases can be searched for whole.
pub fn flat(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}', '\n'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text in content-stream order (`pdftotext -raw`): how rotated text such
/// as the PAID stamp comes out whole instead of interleaved with its
/// neighbours.
pub fn pdftotext_raw(path: &std::path::Path) -> String {
    let o = run("pdftotext", &["-raw", path.to_str().unwrap(), "-"]);
    assert!(
        o.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}
