//! A client's VAT number confirmed with VIES: the client of `vies` against
//! the fake VIES over real HTTP on 127.0.0.1, and what `confirm_client`
//! keeps on the client's profile.

use acquit_core::ids::VatNumber;
use acquit_core::{Client, Seller, VatExemption};
use acquit_store::{ClientId, Store};
use acquit_sync::vies::{Confirmation, ViesClient, ViesError, confirm_client};
use serde_json::Value;

/// The fake VIES on 127.0.0.1 (Spain's register down, as by default).
async fn fake() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(fake_vies::serve(listener, fake_vies::Config::default()));
    base
}

/// An address nothing listens on: the network is down.
async fn nowhere() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    base
}

fn vat(number: &str) -> VatNumber {
    VatNumber::parse(number).unwrap()
}

/// Books with a seller whose own VAT number is `seller_vat`, and a client
/// with `client_vat`.
fn books(seller_vat: Option<&str>, client_vat: &str) -> (tempfile::TempDir, Store, ClientId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
    let mut seller = Seller::new("Atelier Durand", "12 rue des Lilas, Paris");
    seller.vat_number = seller_vat.map(vat);
    store.set_seller(&seller).unwrap();
    let client = Client {
        vat_number: Some(vat(client_vat)),
        business: true,
        vat_exemption: VatExemption::ReverseCharge,
        ..Client::new("Kunde GmbH")
    };
    let id = store.add_client(&client).unwrap();
    (dir, store, id)
}

async fn requests(base: &str) -> Vec<Value> {
    let body = acquit_http::client()
        .build()
        .unwrap()
        .get(format!("{base}/_fake/requests"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn a_valid_number_is_confirmed_and_its_consultation_number_kept() {
    let base = fake().await;
    let vies = ViesClient::new(&base).unwrap();
    let (_dir, mut store, id) = books(Some("FR44732829320"), "DE 136 695 976");
    let Confirmation::Checked(check) = confirm_client(&mut store, id, &vies).await.unwrap() else {
        panic!("not checked");
    };
    assert!(check.valid);
    let consultation = check.consultation.clone().unwrap();
    assert!(consultation.starts_with("WAPI"), "{consultation}");
    assert_eq!(check.checked_on, chrono::Utc::now().date_naive());
    // Germany discloses neither name nor address: VIES's "---" is nothing.
    assert_eq!(
        (check.name.as_deref(), check.address.as_deref()),
        (None, None)
    );
    let client = store.client(id).unwrap();
    assert_eq!(client.current_vat_check(), Some(&check));

    // The request VIES got: the number without its prefix, the seller as
    // the requester.
    let sent = requests(&base).await;
    assert_eq!(
        sent[0],
        serde_json::json!({"countryCode": "DE", "vatNumber": "136695976",
            "requesterMemberStateCode": "FR", "requesterNumber": "44732829320"})
    );

    // A new number: the check of the old one no longer counts.
    let mut edited = client.clone();
    edited.vat_number = Some(vat("BE0403019261"));
    store.update_client(id, &edited).unwrap();
    assert_eq!(store.client(id).unwrap().current_vat_check(), None);
    let Confirmation::Checked(check) = confirm_client(&mut store, id, &vies).await.unwrap() else {
        panic!("not checked");
    };
    assert_eq!(check.name.as_deref(), Some("ATELIER DU PARC SRL"));
    assert_eq!(store.client(id).unwrap().current_vat_check(), Some(&check));
}

#[tokio::test]
async fn without_a_vat_number_of_its_own_the_seller_gets_no_consultation_number() {
    let base = fake().await;
    let vies = ViesClient::new(&base).unwrap();
    let (_dir, mut store, id) = books(None, "IT00743110157");
    let Confirmation::Checked(check) = confirm_client(&mut store, id, &vies).await.unwrap() else {
        panic!("not checked");
    };
    assert!(check.valid);
    assert_eq!(check.consultation, None);
    assert_eq!(check.name.as_deref(), Some("STUDIO ROSSI SRL"));
    assert_eq!(
        requests(&base).await[0],
        serde_json::json!({"countryCode": "IT", "vatNumber": "00743110157"})
    );
}

#[tokio::test]
async fn a_number_vies_does_not_know_is_kept_as_invalid() {
    let base = fake().await;
    let vies = ViesClient::new(&base).unwrap();
    let (_dir, mut store, id) = books(Some("FR44732829320"), "ATU13585627");
    let Confirmation::Checked(check) = confirm_client(&mut store, id, &vies).await.unwrap() else {
        panic!("not checked");
    };
    assert!(!check.valid);
    assert_eq!(check.consultation, None);
    assert_eq!(store.client(id).unwrap().current_vat_check(), Some(&check));
}

#[tokio::test]
async fn a_member_state_down_or_the_network_down_is_not_confirmed_and_changes_nothing() {
    let base = fake().await;
    let (_dir, mut store, id) = books(Some("FR44732829320"), "ESB64717838");
    let before = store.client(id).unwrap();
    let vies = ViesClient::new(&base).unwrap();
    assert_eq!(
        confirm_client(&mut store, id, &vies).await.unwrap(),
        Confirmation::NotConfirmed(ViesError::MemberStateUnavailable { state: "ES".into() })
    );
    assert_eq!(store.client(id).unwrap(), before);

    let offline = ViesClient::new(&nowhere().await).unwrap();
    let outcome = confirm_client(&mut store, id, &offline).await.unwrap();
    let Confirmation::NotConfirmed(error) = outcome else {
        panic!("{outcome:?}");
    };
    assert!(matches!(error, ViesError::Unreachable { .. }), "{error}");
    assert!(error.is_transient());
    assert!(
        error.to_string().contains("check that you are online"),
        "{error}"
    );
    assert_eq!(store.client(id).unwrap(), before);
}

#[tokio::test]
async fn vies_s_errors_are_typed_and_say_what_to_do() {
    let base = fake().await;
    let vies = ViesClient::new(&base).unwrap();
    let me = vat("FR44732829320");
    let busy = vies.check(&vat("NL004495445B01"), Some(&me)).await;
    assert_eq!(busy, Err(ViesError::MemberStateBusy { state: "NL".into() }));
    let slow = vies.check(&vat("PL8567346215"), Some(&me)).await;
    assert_eq!(slow, Err(ViesError::Timeout { state: "PL".into() }));
    assert!(slow.unwrap_err().is_transient());
    // The UK is not in VIES: nothing is sent.
    let uk = vies.check(&vat("GB980780684"), Some(&me)).await;
    assert!(matches!(uk, Err(ViesError::NotInVies { .. })));
    // French and UK clients are not checked at all.
    let (_dir, mut store, id) = books(Some("FR44732829320"), "FR40303265045");
    assert_eq!(
        confirm_client(&mut store, id, &vies).await.unwrap(),
        Confirmation::NotApplicable
    );
}

#[test]
fn vies_is_reached_over_https_or_on_this_machine() {
    for ok in [
        "https://ec.europa.eu/taxation_customs/vies/rest-api",
        "https://ec.europa.eu/taxation_customs/vies/rest-api/",
        "http://127.0.0.1:12112",
        "http://localhost:8080",
        "http://[::1]:9",
    ] {
        assert!(ViesClient::new(ok).is_ok(), "{ok}");
    }
    assert_eq!(
        ViesClient::new("https://ec.europa.eu/taxation_customs/vies/rest-api/")
            .unwrap()
            .base(),
        "https://ec.europa.eu/taxation_customs/vies/rest-api"
    );
    assert!(matches!(
        ViesClient::new("http://ec.europa.eu/taxation_customs/vies/rest-api"),
        Err(ViesError::InsecureUrl(_))
    ));
    for bad in ["ec.europa.eu", "ftp://ec.europa.eu", ""] {
        assert!(
            matches!(ViesClient::new(bad), Err(ViesError::BadUrl(_))),
            "{bad}"
        );
    }
}
