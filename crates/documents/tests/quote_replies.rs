//! A quote accepted on its page: the answer travels sealed with the page's
//! key through the real relay (in-process, its SQLite store), and the next
//! sync records it. The relay cannot read the quote nor the answer, and
//! cannot make one up: a reply not sealed with the key, one naming another
//! quote, or one outside the validity changes nothing.

use acquit_core::quote::{DecidedVia, QuoteStatus};
use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, InvoiceDetails, Line, Money, Quantity, Seller, VatRate};
use acquit_documents::quote_page::{self, read_replies, seal_reply};
use acquit_documents::share::{self, key_from_url};
use acquit_relay_protocol::QuoteReply;
use acquit_store::{NewQuote, Store};
use acquit_sync::relay::{PullToken, RelayClient, RelayConfig};
use acquit_testkit::servers::RelayInProcess;
use chrono::NaiveDate;

struct World {
    relay: RelayClient,
    base: String,
    relay_db: std::path::PathBuf,
    store: Store,
    _served: RelayInProcess,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let relay_db = dir.path().join("relay.db");
    let served = RelayInProcess::start(&relay_db, None).await;
    let base = served.base.clone();
    let relay = RelayClient::new(
        RelayConfig::new(&base, &served.inbox, PullToken::new(&served.token).unwrap()).unwrap(),
    )
    .unwrap();
    let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
    store
        .set_seller(&Seller::new(
            "Atelier Durand",
            "12 rue des Lilas, 75011 Paris",
        ))
        .unwrap();
    World {
        relay,
        base,
        relay_db,
        store,
        _served: served,
        _dir: dir,
    }
}

/// Issues a quote of 2 880,00 € dated `on`, valid until `until`.
fn issue_quote(store: &mut Store, on: NaiveDate, until: NaiveDate) -> String {
    let client = store
        .add_client(&Client::new("Boulangerie Lumière"))
        .unwrap();
    let id = store
        .create_quote(&NewQuote {
            client,
            currency: Currency::EUR,
            valid_until: Some(until),
            details: InvoiceDetails::default(),
        })
        .unwrap();
    store
        .quote_add_line(
            id,
            &Line {
                description: "Site vitrine".into(),
                input: LineInput {
                    quantity: Quantity::ONE,
                    unit_price: Money::new(240_000, Currency::EUR),
                    vat_rate: VatRate::parse("20").unwrap(),
                    discount: Discount::None,
                },
                nature: None,
                unit: None,
            },
        )
        .unwrap();
    store.issue_quote(id, on).unwrap()
}

/// The page as the client's browser opens it: its bundle, with its key.
async fn page(base: &str, token: &str, key: &[u8; 32]) -> (share::Summary, Vec<u8>) {
    let bundle = acquit_http::client()
        .build()
        .unwrap()
        .get(format!("{base}/v/{token}/bundle"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    share::open(key, &bundle).expect("the page opens with its key")
}

/// What the page posts: the sealed answer, to `/v/{token}/reply`.
async fn post_reply(base: &str, token: &str, body: Vec<u8>) -> u16 {
    acquit_http::client()
        .build()
        .unwrap()
        .post(format!("{base}/v/{token}/reply"))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn answer(quote: &str, accepted: bool, on: &str) -> QuoteReply {
    QuoteReply {
        v: 1,
        quote: quote.to_owned(),
        accepted,
        name: "Léa Martin".into(),
        comment: Some("Parfait, allons-y".into()),
        on: on.to_owned(),
    }
}

#[tokio::test]
async fn only_an_answer_sealed_with_the_pages_key_decides_the_quote() {
    let mut w = world().await;
    let today = acquit_store::today();
    let until = today + chrono::Days::new(30);
    let number = issue_quote(&mut w.store, today, until);
    let shared = quote_page::share_quote(&mut w.store, &w.relay, &number, today)
        .await
        .unwrap();
    let key = key_from_url(&shared.url).expect("the key is in the fragment");
    let token = shared.share.doc_token.clone();
    assert_eq!(
        w.store.quote(&number, today).unwrap().status,
        QuoteStatus::Sent,
        "sharing the page sends the quote"
    );

    // The page as the client opens it: a quote, open for an answer.
    let (summary, pdf) = page(&w.base, &token, &key).await;
    assert_eq!(
        (summary.kind.as_str(), summary.status.as_str()),
        ("quote", "open")
    );
    assert_eq!(summary.valid_until_iso, Some(until.to_string()));
    assert!(pdf.starts_with(b"%PDF"));

    // Forged by whoever holds the token but not the key (the relay's
    // operator): refused when read, nothing recorded.
    let mut forged = vec![1u8];
    forged.extend_from_slice(&[7u8; 60]);
    assert_eq!(post_reply(&w.base, &token, forged).await, 204);
    // Sealed with the key but naming another quote, and one dated after
    // the validity: not taken either.
    let other = seal_reply(&key, &answer("D-2099-0001", true, &today.to_string())).unwrap();
    assert_eq!(post_reply(&w.base, &token, other).await, 204);
    let late = (until + chrono::Days::new(1)).to_string();
    let late = seal_reply(&key, &answer(&number, true, &late)).unwrap();
    assert_eq!(post_reply(&w.base, &token, late).await, 204);
    let read = read_replies(&mut w.store, &w.relay, today).await.unwrap();
    assert!(read.decided.is_empty(), "{read:?}");
    assert_eq!(read.warnings.len(), 3, "{read:?}");
    assert!(
        read.warnings[0].contains("not sealed with its page's key"),
        "{read:?}"
    );
    assert!(read.warnings[1].contains("names another quote"), "{read:?}");
    assert!(read.warnings[2].contains("was not recorded"), "{read:?}");
    assert_eq!(
        w.store.quote(&number, today).unwrap().status,
        QuoteStatus::Sent
    );
    // Read once: the next sync does not report them again.
    let again = read_replies(&mut w.store, &w.relay, today).await.unwrap();
    assert_eq!(again, Default::default());

    // The client's real answer, as the page seals it.
    let real = seal_reply(&key, &answer(&number, true, &today.to_string())).unwrap();
    assert_eq!(post_reply(&w.base, &token, real).await, 204);
    let read = read_replies(&mut w.store, &w.relay, today).await.unwrap();
    assert_eq!(
        read.decided,
        vec![quote_page::DecidedQuote {
            number: number.clone(),
            accepted: true,
            by: "Léa Martin".into()
        }],
        "{read:?}"
    );
    let quote = w.store.quote(&number, today).unwrap();
    assert_eq!(quote.status, QuoteStatus::Accepted);
    let decision = quote.decision.unwrap();
    assert_eq!(
        (
            decision.by.as_str(),
            decision.via,
            decision.on,
            decision.comment.as_deref()
        ),
        (
            "Léa Martin",
            DecidedVia::Page,
            today,
            Some("Parfait, allons-y")
        )
    );
    // The page now shows the decision, and offers no more buttons.
    let (summary, _) = page(&w.base, &token, &key).await;
    assert_eq!(summary.status, "accepted");
    assert_eq!(summary.decision.unwrap().by, "Léa Martin");

    // Invoiced: once the deposit invoice has its own page, the quote's page
    // leads to it.
    let deposit = w
        .store
        .invoice_quote(
            &number,
            Some(acquit_core::quote::DepositShare::parse("30%").unwrap()),
            today,
        )
        .unwrap();
    let deposit = w.store.issue(deposit, today).unwrap();
    let invoice_page = share::share(&mut w.store, &w.relay, &deposit)
        .await
        .unwrap();
    let (summary, _) = page(&w.base, &token, &key).await;
    let link = summary
        .invoice
        .expect("the quote's page leads to the invoice");
    assert_eq!(link.number, deposit);
    assert_eq!(link.url, invoice_page.url);
    assert!(
        link.label.starts_with("Facture d’acompte"),
        "{}",
        link.label
    );

    // What the relay keeps holds nothing readable: no name, number, amount.
    drop(w.relay);
    let mut raw = std::fs::read(&w.relay_db).unwrap();
    for extra in ["-wal", "-shm"] {
        let mut path = w.relay_db.clone().into_os_string();
        path.push(extra);
        raw.extend(std::fs::read(path).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&raw);
    for secret in [
        "Léa",
        "Lumière",
        "Boulangerie",
        number.as_str(),
        "2 880",
        "2880",
        "Parfait",
    ] {
        assert!(
            !text.contains(secret),
            "the relay's files contain {secret:?}"
        );
    }
}
