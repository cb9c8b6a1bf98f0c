//! What making a Factur-X adds to a render (target: at most 0.5 ms on a
//! one-page invoice): the plain PDF, the CII XML alone, and the PDF/A-3
//! carrying it, medians over the same document, in one run. A plain binary
//! (`harness = false`): `cargo bench -p acquit-facturx`.

use acquit_testkit::samples as common;

use std::time::{Duration, Instant};

use acquit_core::Lang;

fn median(name: &str, runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    for _ in 0..10 {
        std::hint::black_box(f());
    }
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let size = f();
    let median = samples[runs / 2];
    println!(
        "{name}: median {:.3} ms, min {:.3} ms over {runs} runs ({size} bytes)",
        median.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3
    );
    median
}

fn main() {
    for (what, doc) in [
        ("one-page invoice", common::invoice(Lang::Fr)),
        ("60 lines, 3 pages", common::long_invoice(60)),
    ] {
        let plain = median(&format!("{what}: plain PDF"), 300, || {
            acquit_pdf::render(&doc).unwrap().bytes.len()
        });
        median(&format!("{what}: CII XML alone"), 300, || {
            acquit_facturx::cii_xml(&doc).len()
        });
        let facturx = median(&format!("{what}: Factur-X (PDF/A-3 + XML)"), 300, || {
            acquit_facturx::facturx_pdf(&doc, None).unwrap().bytes.len()
        });
        println!(
            "{what}: Factur-X adds {:.3} ms",
            (facturx.as_secs_f64() - plain.as_secs_f64()) * 1e3
        );
    }
}
