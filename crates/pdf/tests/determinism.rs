//! Same document, same bytes: the original issued PDF can be kept and
//! compared byte for byte, and nothing reads the clock.

mod common;

use acquit_core::Lang;
use acquit_pdf::render;
use common::*;

#[test]
fn the_same_document_renders_to_the_same_bytes() {
    for doc in [
        invoice(Lang::Fr),
        paid(invoice(Lang::En)),
        long_invoice(60),
        balance(Lang::Fr),
    ] {
        let a = render(&doc).unwrap().bytes;
        let b = render(&doc).unwrap().bytes;
        assert_eq!(a, b, "{}", doc.number);
    }
}

#[test]
fn the_same_document_renders_the_same_across_threads() {
    let doc = invoice(Lang::Fr);
    let here = render(&doc).unwrap().bytes;
    let there = std::thread::spawn(move || render(&doc).unwrap().bytes)
        .join()
        .unwrap();
    assert_eq!(here, there);
}

#[test]
fn document_dates_come_from_the_invoice_not_the_clock() {
    let bytes = render(&invoice(Lang::Fr)).unwrap().bytes;
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("D:20261102"),
        "creation date is the issue date"
    );
    assert!(!text.contains("D:1970"), "no epoch dates");
}

#[test]
fn the_stamped_pdf_differs_from_the_original() {
    let original = render(&invoice(Lang::Fr)).unwrap().bytes;
    let stamped = render(&paid(invoice(Lang::Fr))).unwrap().bytes;
    assert_ne!(original, stamped);
}
