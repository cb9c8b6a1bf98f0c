//! Median render time of a one-page invoice with both QR codes (target:
//! ≤ 2.5 ms in release), and of the same as SVG pages (the app's preview). A plain binary (`harness = false`) so it needs no
//! benchmarking framework: `cargo bench -p acquit-pdf`. Words after `--`
//! keep only the measures whose names contain one of them
//! (`cargo bench -p acquit-pdf --bench render -- "both QR"`), e.g. to profile one.

use acquit_testkit::samples as common;

use std::time::{Duration, Instant};

use acquit_core::Lang;
use acquit_pdf::{render, render_svg};

/// Median and minimum (the minimum shows the cost without the noise of a
/// busy machine).
fn median_min(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[0])
}

/// Whether the command line asks for the measure called `name`.
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

fn measure(name: &str, doc: &acquit_pdf::Document, runs: usize) {
    if !wanted(name) {
        return;
    }
    // Warm up: fonts are parsed once per process.
    for _ in 0..10 {
        std::hint::black_box(render(doc).unwrap());
    }
    let samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let r = render(std::hint::black_box(doc)).unwrap();
            let elapsed = start.elapsed();
            std::hint::black_box(r);
            elapsed
        })
        .collect();
    let size = render(doc).unwrap().bytes.len();
    let (median, min) = median_min(samples);
    println!(
        "{name}: median {:.3} ms, min {:.3} ms over {runs} runs ({size} bytes)",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}

fn main() {
    let doc = common::invoice(Lang::Fr);
    assert!(doc.payment_url.is_some() && doc.seller.iban.is_some());
    measure("one-page invoice, both QR codes", &doc, 300);
    // The common case: no character beyond the fonts' fixed subset
    // (the fixture above has Greek and Cyrillic names, which need a font
    // subset of their own for each document).
    let mut latin = doc.clone();
    latin.lines[1].description = "Traduction anglaise pour Ørsted Åkerlund".to_owned();
    latin.lines[2].description = "Relecture allemande pour Jürgen Weiß".to_owned();
    measure(
        "one-page invoice, both QR codes, Western names",
        &latin,
        300,
    );
    measure(
        "one-page invoice, PAID stamp",
        &common::paid(common::invoice(Lang::Fr)),
        300,
    );
    measure("60-line invoice", &common::long_invoice(60), 100);
    measure_svg("one-page invoice as SVG", &doc, 300);
    measure_svg("60-line invoice as SVG", &common::long_invoice(60), 100);
}

fn measure_svg(name: &str, doc: &acquit_pdf::Document, runs: usize) {
    if !wanted(name) {
        return;
    }
    for _ in 0..10 {
        std::hint::black_box(render_svg(doc).unwrap());
    }
    let samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let pages = render_svg(std::hint::black_box(doc)).unwrap();
            let elapsed = start.elapsed();
            std::hint::black_box(pages);
            elapsed
        })
        .collect();
    let size: usize = render_svg(doc).unwrap().iter().map(String::len).sum();
    let (median, min) = median_min(samples);
    println!(
        "{name}: median {:.3} ms, min {:.3} ms over {runs} runs ({size} bytes)",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}
