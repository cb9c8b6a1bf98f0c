//! Reminders recorded (migration 0008): one per invoice and step, even
//! from two stores at once; an SMTP send reserved then marked sent once;
//! never changed, never deleted; the late terms read from the books.

use acquit_testkit::books as support;

use acquit_core::reminders::Tone;
use acquit_core::{Lang, Seller};
use acquit_store::{
    NewPayment, NewReminder, PaymentMethod, Rejection, ReminderVia, Store, StoreError,
};
use acquit_testkit::books::eur;
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn books() -> (tempfile::TempDir, Store, String) {
    let (dir, mut store) = acquit_testkit::books::with_seller();
    let number = support::issue_invoice(
        &mut store,
        "Boulangerie",
        Lang::Fr,
        120_000,
        day("2026-11-06"),
    );
    (dir, store, number)
}

fn reminder(step: i32, via: ReminderVia) -> NewReminder {
    NewReminder {
        step,
        tone: Tone::Reminder,
        via,
        reminded_on: day("2026-12-13"),
        amount_due: eur(120_000),
        penalties: eur(230),
        message_id: (via == ReminderVia::Smtp).then(|| format!("<r{step}@acquit.example>")),
    }
}

#[test]
fn one_reminder_per_step_even_from_two_stores_at_once() {
    let (dir, mut store, number) = books();
    let mut other = Store::open(dir.path().join("acquit.db")).unwrap();
    let first = store
        .record_reminder(&number, &reminder(7, ReminderVia::Email))
        .unwrap();
    assert!(first.sent_at.is_some());
    match other.record_reminder(&number, &reminder(7, ReminderVia::Whatsapp)) {
        Err(StoreError::Rejected(Rejection::AlreadyReminded { number: n, on, via })) => {
            assert_eq!(
                (n.as_str(), on, via.as_str()),
                (number.as_str(), day("2026-12-13"), "email")
            );
        }
        other => panic!("expected AlreadyReminded, got {other:?}"),
    }
    // Two threads racing on the next step: exactly one wins.
    let path = dir.path().join("acquit.db");
    let wins: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                let number = number.clone();
                s.spawn(move || {
                    let mut store = Store::open(path).unwrap();
                    store
                        .record_reminder(&number, &reminder(15, ReminderVia::Email))
                        .is_ok() as usize
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(wins, 1);
    let steps: Vec<i32> = store
        .reminders_of(&number)
        .unwrap()
        .iter()
        .map(|r| r.step)
        .collect();
    assert_eq!(steps, [7, 15]);
}

#[test]
fn an_smtp_reminder_is_reserved_then_sent_once_and_never_changed() {
    let (_dir, mut store, number) = books();
    let reserved = store
        .record_reminder(&number, &reminder(30, ReminderVia::Smtp))
        .unwrap();
    assert_eq!(reserved.sent_at, None);
    assert_eq!(reserved.message_id.as_deref(), Some("<r30@acquit.example>"));
    // On the timeline, as interrupted until the server answers.
    let last = store.timeline(&number).unwrap().pop().unwrap();
    assert!(last.what.contains("send interrupted"), "{}", last.what);
    store.reminder_sent(reserved.id).unwrap();
    assert!(store.reminder_sent(reserved.id).is_err());
    let last = store.timeline(&number).unwrap().pop().unwrap();
    assert_eq!(
        last.what,
        "reminder 30 days after the due date by email (sent by Acquit), penalties €2.30 (<r30@acquit.example>)"
    );
    // A Message-ID is for SMTP only.
    let mut bad = reminder(40, ReminderVia::Email);
    bad.message_id = Some("<x@y>".into());
    assert!(store.record_reminder(&number, &bad).is_err());
    // Raw SQL cannot rewrite or forget one.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    for sql in [
        "UPDATE reminders SET penalties = 0",
        "UPDATE reminders SET sent_at = NULL",
        "DELETE FROM reminders",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("reminder"), "{sql}: {err}");
    }
}

#[test]
fn only_an_invoice_awaiting_payment_is_reminded() {
    let (_dir, mut store, number) = books();
    store
        .record_payment(
            &number,
            &NewPayment {
                amount: eur(120_000),
                method: PaymentMethod::Transfer,
                received_on: day("2026-11-20"),
                reference: None,
                fee: None,
            },
        )
        .unwrap();
    let err = store
        .record_reminder(&number, &reminder(7, ReminderVia::Email))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("only an invoice still awaiting payment"),
        "{err}"
    );
    assert!(store.remindable_invoices().unwrap().is_empty());
}

#[test]
fn late_terms_leave_out_a_reversed_payment_and_its_counter_entry() {
    let (_dir, mut store, number) = books();
    let paid = store
        .record_payment(
            &number,
            &NewPayment {
                amount: eur(50_000),
                method: PaymentMethod::Cheque,
                received_on: day("2026-11-20"),
                reference: Some("bounced".into()),
                fee: None,
            },
        )
        .unwrap();
    store
        .reverse_payment(paid, day("2026-11-25"), Some("bounced cheque"))
        .unwrap();
    let terms = store.late_terms(&number).unwrap().unwrap();
    assert_eq!(terms.total, eur(120_000));
    assert!(terms.settled.is_empty(), "{:?}", terms.settled);
    assert_eq!(terms.rate_bp, Seller::DEFAULT_LATE_PENALTY_BP);
    assert!(!terms.business);
    assert_eq!(
        store.remindable_invoices().unwrap(),
        std::slice::from_ref(&number)
    );
}
