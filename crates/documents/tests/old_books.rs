//! Books written by an older Acquit open, and every document issued in them
//! renders exactly as it did then: the "as issued" PDF is made again from
//! the snapshots taken at issue, so a change to the data model or the
//! layout that would alter an issued invoice shows here.
//!
//! `fixtures/books-schema-5.db` is `acquit demo` as schema 5 wrote it, plus
//! a partial credit note, a USD invoice and an invoice issued under the VAT
//! franchise (the seller moved to it afterwards, leaving drafts with VAT).
//! `fixtures/books-schema-5.as-issued.txt` holds the SHA-256 of each
//! document's as-issued PDF in French and English, as that version rendered
//! them. To write it again (only when an old invoice *should* print
//! differently, which the law rarely allows):
//!
//! ```sh
//! ACQUIT_WRITE_FIXTURE=1 cargo test -p acquit-sync --test old_books
//! ```

use std::fmt::Write as _;
use std::path::Path;

use acquit_core::Lang;
use acquit_documents::documents::{Rendering, render_pdf};
use acquit_store::Store;
use sha2::{Digest, Sha256};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

#[test]
fn documents_issued_by_schema_5_render_byte_for_byte_as_issued() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acquit.db");
    std::fs::copy(fixtures().join("books-schema-5.db"), &db).unwrap();
    let store = Store::open(&db).unwrap();

    let mut numbers: Vec<String> = store
        .list_invoices(None)
        .unwrap()
        .into_iter()
        .filter_map(|s| s.number)
        .collect();
    numbers.sort();
    assert_eq!(
        numbers.len(),
        10,
        "the fixture's issued documents: {numbers:?}"
    );

    let mut actual = String::new();
    for number in &numbers {
        for lang in [Lang::Fr, Lang::En] {
            let pdf = render_pdf(&store, number, Some(lang), Rendering::AsIssued).unwrap();
            let hash = Sha256::digest(&pdf.bytes);
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            writeln!(actual, "{number} {} {hex}", lang.code()).unwrap();
        }
    }
    let expected_path = fixtures().join("books-schema-5.as-issued.txt");
    if std::env::var_os("ACQUIT_WRITE_FIXTURE").is_some() {
        std::fs::write(&expected_path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap();
    let changed: Vec<&str> = actual
        .lines()
        .filter(|line| !expected.lines().any(|e| e == *line))
        .collect();
    assert!(
        changed.is_empty(),
        "these issued documents no longer render as they were issued:\n{}",
        changed.join("\n")
    );
    assert_eq!(actual, expected);
}

#[test]
fn an_original_once_drawn_is_that_file_for_ever() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acquit.db");
    std::fs::copy(fixtures().join("books-schema-5.db"), &db).unwrap();
    let store = Store::open(&db).unwrap();
    let number = "F-2026-0001";
    let lang = store.invoice(number).unwrap().buyer.lang;

    // As if an earlier version of Acquit had drawn it differently.
    let earlier = b"%PDF-1.7 drawn by an earlier version".to_vec();
    let (kept, pages) = store.keep_issued_pdf(number, &earlier, 1).unwrap();
    assert_eq!((kept.as_slice(), pages), (earlier.as_slice(), 1));
    // The first kept wins.
    let (kept, _) = store.keep_issued_pdf(number, b"%PDF-1.7 later", 2).unwrap();
    assert_eq!(kept, earlier);

    // Every later drawing of the original is that file...
    for asked in [None, Some(lang)] {
        let pdf = render_pdf(&store, number, asked, Rendering::AsIssued).unwrap();
        assert!(pdf.bytes == earlier, "{asked:?}");
    }
    // ...not a translation, nor the current copy (PAID stamp).
    let other = if lang == Lang::Fr { Lang::En } else { Lang::Fr };
    let translated = render_pdf(&store, number, Some(other), Rendering::AsIssued).unwrap();
    assert!(translated.bytes.starts_with(b"%PDF-") && translated.bytes != earlier);
    let current = render_pdf(&store, number, None, Rendering::Current).unwrap();
    assert!(current.bytes != earlier);
}
