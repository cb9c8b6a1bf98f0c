//! What cannot be rendered is an error that says what to do; what renders
//! imperfectly is a warning in the result.

mod common;

use acquit_core::{Currency, Lang, Money};
use acquit_pdf::{EpcError, RenderError, Warning, render};
use common::*;

#[test]
fn totals_that_do_not_match_the_lines_are_refused() {
    let mut doc = invoice(Lang::Fr);
    doc.lines.pop();
    assert_eq!(
        render(&doc),
        Err(RenderError::TotalsMismatch {
            lines: 2,
            amounts: 3
        })
    );
}

#[test]
fn a_payment_link_too_long_for_a_qr_code_is_refused() {
    let mut doc = invoice(Lang::Fr);
    doc.payment_url = Some(format!("https://example.com/{}", "a".repeat(3000)));
    assert!(matches!(
        render(&doc),
        Err(RenderError::PaymentUrlTooLong(_))
    ));
}

#[test]
fn a_non_euro_invoice_gets_no_transfer_qr_and_says_why() {
    let mut doc = invoice(Lang::En);
    doc.amount_due = Money::new(1000, Currency::USD);
    let r = render(&doc).unwrap();
    assert_eq!(
        r.warnings,
        vec![Warning::NoTransferQr(EpcError::NotEuro("USD".into()))]
    );
}
