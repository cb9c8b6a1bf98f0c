//! What was sent to the platform and what came back (migration 0007):
//! reserved then recorded, never twice, never changed; statuses recorded
//! once, only about documents Acquit sent.

use acquit_testkit::books as support;

use acquit_core::{Currency, Lang, Money};
use acquit_store::{
    FlowAck, FlowKind, NewPayment, NewStatus, PaymentId, PaymentMethod, Rejection, Store,
    StoreError,
};
use chrono::NaiveDate;

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const OTHER_SHA: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

fn books() -> (tempfile::TempDir, Store, String) {
    let (dir, mut store) = acquit_testkit::books::with_seller();
    // Before September 2027: the store issues it without the e-invoice data.
    let on = NaiveDate::from_ymd_opt(2026, 11, 6).unwrap();
    let number = support::issue_invoice(&mut store, "Boulangerie", Lang::Fr, 120_000, on);
    (dir, store, number)
}

fn rejected<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Rejected(Rejection::Invalid(why))) => why,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn status(number: &str, flow: &str, code: u16) -> NewStatus {
    NewStatus {
        number: number.to_owned(),
        source_flow_id: flow.to_owned(),
        message_id: format!("CDAR-{flow}"),
        code,
        label: "Approuvée".into(),
        issuer_role: Some("BY".into()),
        reason_code: None,
        reason: None,
        amount: None,
        vat_rate: None,
        issued_at: "20270907120000".into(),
    }
}

#[test]
fn a_flow_is_reserved_once_recorded_once_and_never_changed() {
    let (_dir, mut store, number) = books();
    let file = format!("{number}.pdf");
    let reserved = store
        .reserve_einvoice(&number, FlowKind::Invoice, None, &number, SHA, &file)
        .unwrap();
    assert_eq!(reserved.flow_id, None);
    assert_eq!(reserved.ack, None);
    // A retry resumes the same reservation; another file is refused.
    let again = store
        .reserve_einvoice(&number, FlowKind::Invoice, None, &number, SHA, &file)
        .unwrap();
    assert_eq!(again, reserved);
    let why = rejected(store.reserve_einvoice(
        &number,
        FlowKind::Invoice,
        None,
        &number,
        OTHER_SHA,
        &file,
    ));
    assert!(why.contains("already sent"), "{why}");
    assert_eq!(store.unsettled_einvoice_flows().unwrap().len(), 1);

    store
        .einvoice_submitted(
            &number,
            "flow-1",
            "2027-09-06T10:00:00Z",
            FlowAck::Pending,
            None,
        )
        .unwrap();
    // The same answer recorded twice changes nothing; another id is refused.
    store
        .einvoice_submitted(
            &number,
            "flow-1",
            "2027-09-06T10:00:00Z",
            FlowAck::Pending,
            None,
        )
        .unwrap();
    let why = rejected(store.einvoice_submitted(&number, "flow-2", "x", FlowAck::Ok, None));
    assert!(why.contains("flow-1"), "{why}");

    assert!(
        store
            .einvoice_acknowledged("flow-1", FlowAck::Ok, None, "2027-09-06T10:01:00Z")
            .unwrap()
    );
    // Final: a later Pending does not undo it.
    assert!(
        !store
            .einvoice_acknowledged("flow-1", FlowAck::Pending, None, "2027-09-06T10:02:00Z")
            .unwrap()
    );
    let flow = store.einvoice_flow(&number).unwrap().unwrap();
    assert_eq!(flow.ack, Some(FlowAck::Ok));
    assert_eq!(flow.flow_id.as_deref(), Some("flow-1"));
    assert!(store.unsettled_einvoice_flows().unwrap().is_empty());

    // Whatever code opens the file: what was sent stays as it was.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    for sql in [
        "UPDATE einvoice_flows SET sha256 = '0000000000000000000000000000000000000000000000000000000000000000'",
        "UPDATE einvoice_flows SET flow_id = 'flow-9'",
        "DELETE FROM einvoice_flows",
    ] {
        let error = conn.execute(sql, []).unwrap_err().to_string();
        assert!(error.contains("never"), "{sql}: {error}");
    }
}

#[test]
fn statuses_are_facts_recorded_once_about_documents_sent() {
    let (_dir, mut store, number) = books();
    // Not sent yet: a status about it is refused.
    let why = rejected(store.record_einvoice_status(&status(&number, "lc-1", 205)));
    assert!(why.contains("did not send"), "{why}");
    store
        .reserve_einvoice(&number, FlowKind::Invoice, None, &number, SHA, "f.pdf")
        .unwrap();
    store
        .einvoice_submitted(
            &number,
            "flow-1",
            "2027-09-06T10:00:00Z",
            FlowAck::Pending,
            None,
        )
        .unwrap();

    let first = store
        .record_einvoice_status(&status(&number, "lc-1", 205))
        .unwrap()
        .expect("new");
    assert_eq!(first.code, 205);
    assert_eq!(
        store
            .record_einvoice_status(&status(&number, "lc-1", 205))
            .unwrap(),
        None,
        "read twice, recorded once"
    );
    let mut refused = status(&number, "lc-2", 210);
    refused.reason_code = Some("TX_TVA_ERR".into());
    refused.reason = Some("Taux de TVA erroné".into());
    store.record_einvoice_status(&refused).unwrap().unwrap();
    // A code outside the lifecycle's (the cdar_read fuzz target's find) is
    // a rejection the sync skips, not a database error that stops it.
    for code in [0, 1000, 2100] {
        let why = rejected(store.record_einvoice_status(&status(&number, "lc-3", code)));
        assert!(why.contains("not a lifecycle status"), "{code}: {why}");
    }
    let all = store.einvoice_statuses(&number).unwrap();
    assert_eq!(all.iter().map(|s| s.code).collect::<Vec<_>>(), [205, 210]);
    assert_eq!(all[1].reason.as_deref(), Some("Taux de TVA erroné"));

    let conn = rusqlite::Connection::open(store.path()).unwrap();
    for sql in [
        "UPDATE einvoice_statuses SET code = 205",
        "DELETE FROM einvoice_statuses",
    ] {
        let error = conn.execute(sql, []).unwrap_err().to_string();
        assert!(error.contains("never"), "{sql}: {error}");
    }
}

/// 500 € received by transfer on `number`.
fn transfer_received(store: &mut Store, number: &str) -> PaymentId {
    store
        .record_payment(
            number,
            &NewPayment {
                amount: Money::new(50_000, Currency::EUR),
                method: PaymentMethod::Transfer,
                received_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                reference: None,
                fee: None,
            },
        )
        .unwrap()
}

#[test]
fn a_status_212_is_about_one_payment_of_the_invoice() {
    let (_dir, mut store, number) = books();
    let payment = transfer_received(&mut store, &number);
    let why =
        rejected(store.reserve_einvoice(&number, FlowKind::Cashed, None, "t-212", SHA, "c.xml"));
    assert!(why.contains("one payment"), "{why}");
    let cashed = store
        .reserve_einvoice(
            &number,
            FlowKind::Cashed,
            Some(payment),
            "t-212",
            SHA,
            "c.xml",
        )
        .unwrap();
    assert_eq!(cashed.payment, Some(payment));
    // The invoice's own flow is another row.
    store
        .reserve_einvoice(
            &number,
            FlowKind::Invoice,
            None,
            &number,
            OTHER_SHA,
            "f.pdf",
        )
        .unwrap();
    assert_eq!(store.unsettled_einvoice_flows().unwrap().len(), 2);
}

#[test]
fn the_timeline_tells_what_the_platforms_said_in_both_languages() {
    let (_dir, mut store, number) = books();
    store
        .reserve_einvoice(&number, FlowKind::Invoice, None, &number, SHA, "f.pdf")
        .unwrap();
    store
        .einvoice_submitted(
            &number,
            "flow-1",
            "2027-09-06T10:00:00Z",
            FlowAck::Pending,
            None,
        )
        .unwrap();
    store
        .einvoice_acknowledged("flow-1", FlowAck::Ok, None, "2027-09-06T10:01:00Z")
        .unwrap();
    let mut refused = status(&number, "lc-2", 210);
    refused.reason_code = Some("TX_TVA_ERR".into());
    refused.reason = Some("Taux de TVA erroné".into());
    store.record_einvoice_status(&refused).unwrap();

    let said: Vec<(String, String)> = store
        .timeline(&number)
        .unwrap()
        .into_iter()
        .map(|e| (e.event.describe(Lang::Fr), e.event.describe(Lang::En)))
        .collect();
    for (fr, en) in [
        (
            "e-facture déposée sur la plateforme (flow-1)",
            "e-invoice submitted to the platform (flow-1)",
        ),
        (
            "e-facture acceptée par la plateforme",
            "e-invoice accepted by the platform",
        ),
        (
            "statut 210 « Refusée »\u{202f}: Taux de TVA erroné",
            "status 210 “Refused”: Taux de TVA erroné",
        ),
    ] {
        assert!(
            said.iter().any(|(f, e)| f == fr && e == en),
            "{fr} / {en} in {said:#?}"
        );
    }
}

#[test]
fn a_reservation_the_platform_refused_is_forgotten_a_sent_flow_never() {
    let (_dir, mut store, number) = books();
    store
        .reserve_einvoice(&number, FlowKind::Invoice, None, &number, SHA, "f.pdf")
        .unwrap();
    store.cancel_einvoice_reservation(&number).unwrap();
    assert_eq!(store.einvoice_flow(&number).unwrap(), None);
    store
        .reserve_einvoice(&number, FlowKind::Invoice, None, &number, SHA, "f.pdf")
        .unwrap();
    store
        .einvoice_submitted(
            &number,
            "flow-1",
            "2027-09-06T10:00:00Z",
            FlowAck::Pending,
            None,
        )
        .unwrap();
    store.cancel_einvoice_reservation(&number).unwrap();
    assert_eq!(
        store
            .einvoice_flow(&number)
            .unwrap()
            .unwrap()
            .flow_id
            .as_deref(),
        Some("flow-1")
    );
}

/// A status 212 the platform's checks refuse is said as refused, with the
/// reason, after the report: never left to read as "reported".
#[test]
fn a_status_212_the_platform_refuses_is_said_refused_on_the_timeline() {
    let (_dir, mut store, number) = books();
    let payment = transfer_received(&mut store, &number);
    let tracking = format!("{number}-212-{}", payment.0);
    store
        .reserve_einvoice(
            &number,
            FlowKind::Cashed,
            Some(payment),
            &tracking,
            SHA,
            "c.xml",
        )
        .unwrap();
    store
        .einvoice_submitted(
            &tracking,
            "flow-212",
            "2026-11-21T10:00:00Z",
            FlowAck::Pending,
            None,
        )
        .unwrap();
    let said = |store: &Store| -> Vec<String> {
        store
            .timeline(&number)
            .unwrap()
            .into_iter()
            .map(|e| e.event.describe(Lang::En))
            .collect()
    };
    let reported = format!(
        "payment {} reported to the platform as cashed (status 212)",
        payment.0
    );
    assert!(said(&store).contains(&reported), "{:#?}", said(&store));
    assert!(!said(&store).iter().any(|s| s.contains("refused")));

    store
        .einvoice_acknowledged(
            "flow-212",
            FlowAck::Error,
            Some("BR-FR-CDV-14: no VAT rate"),
            "2026-11-21T10:05:00Z",
        )
        .unwrap();
    let events = store.timeline(&number).unwrap();
    let refused = events.last().unwrap();
    assert_eq!(
        refused.event.describe(Lang::En),
        format!(
            "the platform refused the report of payment {} as cashed (status 212): BR-FR-CDV-14: no VAT rate",
            payment.0
        )
    );
    assert_eq!(
        refused.event.describe(Lang::Fr),
        format!(
            "la plateforme a refusé la déclaration de l’encaissement {} (statut 212)\u{202f}: BR-FR-CDV-14: no VAT rate",
            payment.0
        )
    );
}
