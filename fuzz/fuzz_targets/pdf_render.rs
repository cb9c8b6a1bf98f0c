//! The PDF renderer, `acquit_pdf::render` (and `render_svg`, the app's
//! preview of the same display list), on documents built from the bytes:
//! any Unicode in every text (names, addresses, descriptions, the number,
//! the payment method, a legal footer), up to 300 lines, quantities and
//! prices up to the extremes the tax computation takes, every kind
//! (invoice, deposit, balance, credit note, quote), both languages and
//! papers, a payment URL of any length, the PAID stamp, the IBAN's EPC
//! transfer code.
//!
//! Invariants:
//! - never a panic; the only error is a payment URL too long for a QR code
//!   (more than the 2331 bytes of a version-40 code at level M) — never a
//!   font error (which the crate calls a defect to report) nor a totals
//!   mismatch;
//! - the output starts with `%PDF-` and ends with `%%EOF` (then only
//!   whitespace), with at least one page, as many as the SVG preview;
//! - rendering is deterministic (the crate documents it: dates from the
//!   invoice, fixed resource names and `/ID`): the same document twice
//!   gives the same bytes.
//!
//! `qpdf --check` is too slow to run per input; with
//! `ACQUIT_FUZZ_PDF_DIR=DIR` every PDF rendered is written to DIR (named by
//! its SHA-256) so a corpus can be checked with qpdf afterwards
//! (fuzz/README.md, "qpdf on a corpus").
#![no_main]

use acquit_core::ids::{Bic, Iban};
use acquit_core::tax::compute;
use acquit_core::{
    Client, Currency, Discount, InvoiceDetails, InvoiceKind, Lang, Line, LineInput, Money, Nature,
    Quantity, Seller, Unit, VatRate, VatRegime,
};
use acquit_pdf::{Document, PaidStamp, Paper, QuoteTerms, RenderError, render, render_svg};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

/// Reads what the document is made of from the bytes (zeros once spent).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(std::array::from_fn(|_| self.u8()))
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    /// Text of up to 255 bytes: UTF-8 as given (lossy), or characters of any
    /// plane (combining marks, CJK, emoji, controls, bidi).
    fn text(&mut self) -> String {
        let head = self.u8();
        let len = usize::from(self.u8());
        let take = len.min(self.0.len());
        let (raw, rest) = self.0.split_at(take);
        self.0 = rest;
        if head & 1 == 0 {
            String::from_utf8_lossy(raw).into_owned()
        } else {
            raw.chunks(3)
                .filter_map(|c| {
                    let n = c.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) % 0x11_0000;
                    char::from_u32(n)
                })
                .collect()
        }
    }
    fn date(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(u64::from(self.u16()) * 4)
    }
}

const IBANS: [&str; 3] = [
    "FR76 3000 6000 0112 3456 7890 189",
    "DE89 3704 0044 0532 0130 00",
    "GB29 NWBK 6016 1331 9268 19",
];

fn document(b: &mut Bytes<'_>) -> Option<Document> {
    let flags = b.u8();
    let currency =
        [Currency::EUR, Currency::USD, Currency::JPY, Currency::GBP][usize::from(b.u8() % 4)];
    let regime = if flags & 1 == 0 {
        VatRegime::Standard
    } else {
        VatRegime::Franchise
    };
    let lang = if flags & 2 == 0 { Lang::Fr } else { Lang::En };
    let mut seller = Seller::new(b.text(), b.text().as_str());
    seller.vat_regime = regime;
    if b.bool() {
        seller.iban = Iban::parse(IBANS[usize::from(b.u8() % 3)]).ok();
        seller.bic = Bic::parse("AGRIFRPP").ok();
    }
    if b.bool() {
        seller.legal_footer = Some(b.text());
        seller.early_payment_terms = Some(b.text());
    }
    let mut buyer = Client::new(b.text());
    buyer.address = b.bool().then(|| b.text().as_str().into());
    buyer.lang = lang;
    buyer.business = b.bool();

    let count = usize::from(b.u16() % 301);
    let mut lines = Vec::with_capacity(count);
    for _ in 0..count {
        let size = b.u8();
        // Small, large, or anything up to i64::MAX.
        let scale = |v: u64| -> i64 {
            (match size % 3 {
                0 => v % 1000,
                1 => v % 1_000_000_000,
                _ => v,
            } >> 1) as i64
        };
        let quantity = Quantity::from_thousandths(scale(b.u64())).ok()?;
        let price = scale(b.u64()) * if size & 0x80 != 0 { -1 } else { 1 };
        let rate = match b.u8() % 6 {
            0 => 2000,
            1 => 1000,
            2 => 550,
            3 => 210,
            4 => 0,
            _ => u32::from(b.u16()) % 10_001,
        };
        let discount = match b.u8() % 4 {
            0 | 1 => Discount::None,
            2 => Discount::Percent(u32::from(b.u16())),
            _ => Discount::Amount(i64::from(b.u16())),
        };
        lines.push(Line {
            description: b.text(),
            input: LineInput {
                quantity,
                unit_price: Money::new(price, currency),
                vat_rate: VatRate::from_basis_points(if regime == VatRegime::Franchise {
                    0
                } else {
                    rate
                })
                .ok()?,
                discount,
            },
            nature: [None, Some(Nature::Goods), Some(Nature::Service)][usize::from(size % 3)],
            unit: [None, Some(Unit::Hour), Some(Unit::Day), Some(Unit::LumpSum)]
                [usize::from(size / 3 % 4)],
        });
    }
    let inputs: Vec<LineInput> = lines.iter().map(|l| l.input.clone()).collect();
    let mut totals = compute(&inputs, currency, regime).ok()?;
    let kind = [
        InvoiceKind::Standard,
        InvoiceKind::Deposit,
        InvoiceKind::Balance,
        InvoiceKind::CreditNote,
    ][usize::from(flags >> 2 & 3)];
    let credit = kind == InvoiceKind::CreditNote;
    if credit {
        totals = totals.full_credit().ok()?;
    }
    let issue_date = b.date();
    let paid = flags & 0x10 != 0;
    Some(Document {
        kind,
        number: b.text(),
        issue_date,
        sale_date: b.bool().then(|| b.date()),
        due_date: b.date(),
        seller,
        buyer,
        lines,
        amount_due: if paid || credit {
            Money::zero(currency)
        } else {
            totals.total
        },
        deposits: vec![],
        credits: credit.then(|| b.text()),
        reason: credit.then(|| b.text()),
        details: InvoiceDetails {
            order_ref: b.bool().then(|| b.text()),
            buyer_ref: b.bool().then(|| b.text()),
            ..Default::default()
        },
        category: None,
        payment_url: b.bool().then(|| {
            let url = b.text();
            // Now and then a long one, to the QR code's limit and past it.
            let pad = "x".repeat(usize::from(b.u8() % 4) * 800);
            format!("https://relay.example/p/{url}{pad}")
        }),
        paid: paid.then(|| PaidStamp {
            date: issue_date,
            method: b.text(),
            paid: totals.total,
            remaining: Money::zero(currency),
        }),
        totals,
        logo_png: None,
        lang,
        paper: if flags & 0x20 == 0 {
            Paper::A4
        } else {
            Paper::Letter
        },
        quote: (flags & 0x40 != 0).then(|| QuoteTerms {
            valid_until: b.date(),
        }),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(doc) = document(&mut Bytes(data)) else {
        return;
    };
    let rendered = match render(&doc) {
        Ok(rendered) => rendered,
        Err(RenderError::PaymentUrlTooLong(n)) => {
            let url = doc.payment_url.as_deref().unwrap();
            assert!(
                n == url.len() && n > 2331,
                "a {}-byte URL is too long for a QR code",
                url.len()
            );
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let pdf = &rendered.bytes;
    assert!(pdf.starts_with(b"%PDF-"));
    let end = pdf.trim_ascii_end();
    assert!(
        end.ends_with(b"%%EOF"),
        "ends with {:?}",
        String::from_utf8_lossy(&end[end.len().saturating_sub(40)..])
    );
    assert!(rendered.pages >= 1);
    let again = render(&doc).unwrap();
    assert!(
        again.bytes == rendered.bytes,
        "two renderings of the same document differ"
    );
    let svgs = render_svg(&doc).unwrap();
    assert_eq!(svgs.len(), rendered.pages);
    if let Some(dir) = std::env::var_os("ACQUIT_FUZZ_PDF_DIR") {
        use sha2::Digest as _;
        let name = format!("{:x}.pdf", sha2::Sha256::digest(pdf));
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).unwrap();
    }
});
