//! The storage contract as tests, generic over [`Store`], so SQLite and
//! PostgreSQL are held to the same behaviour. Each function expects an empty
//! database (the oldest-unpulled check spans all inboxes).

use std::sync::Arc;
use std::time::Duration;

use acquit_relay_protocol::{LinkState, LinkStatus};

use crate::store::{
    Appended, CheckoutRef, Document, DocumentPut, DocumentStatus, LinkPut, NewEvent, Quotas,
    ReplyAdd, SecretSet, Store,
};

pub(crate) fn event(inbox: &str, id: &str) -> NewEvent {
    NewEvent {
        inbox: inbox.into(),
        id: id.into(),
        event_type: "ping".into(),
        received_at: crate::now_rfc3339(),
        payload: format!(r#"{{"id":"{id}"}}"#),
        checkout: None,
    }
}

/// Generous enough that no check but the quota ones reaches them.
const Q: Quotas = Quotas {
    max_links: 1000,
    max_documents: 1000,
    max_document_bytes: 1 << 30,
};

/// Every check, in turn, on one empty store.
pub(crate) async fn run_all<S: Store>(store: Arc<S>) {
    stores_dedups_and_orders(&*store).await;
    concurrent_appends_are_all_acked(store.clone()).await;
    rotation_keeps_previous_secret_until_grace_ends(&*store).await;
    purge_deletes_old_events_and_cursors_keep_growing(&*store).await;
    subscribers_are_woken_after_commit(&*store).await;
    links_are_replaced_by_their_owner_only(&*store).await;
    documents_are_owned_and_revoked_for_good(&*store).await;
    replies_are_capped_kept_on_republish_and_dropped_on_revoke(&*store).await;
    concurrent_replies_never_exceed_the_cap(store.clone()).await;
    checkout_events_are_found_through_their_link(&*store).await;
    the_pull_token_sets_the_first_secret_only_and_the_admin_token_is_its_own(&*store).await;
    link_quota_refuses_new_links_but_not_replacements(&*store).await;
    document_quotas_refuse_new_pages_and_bytes_but_not_replacements(&*store).await;
    // Last: it needs every earlier event marked pulled.
    oldest_unpulled_follows_the_pull_mark(&*store).await;
}

pub(crate) async fn stores_dedups_and_orders<S: Store>(store: &S) {
    let created = store.create_inbox(Some("whsec_a".into())).await.unwrap();
    assert!(created.inbox.starts_with("ibx_"));
    let got = store.inbox(&created.inbox).await.unwrap().unwrap();
    assert!(got.token_matches(&created.token));
    assert!(!got.token_matches("nope"));
    assert_eq!(got.secrets(0), ["whsec_a"]);
    let a = store.append(event(&created.inbox, "evt_1")).await.unwrap();
    let b = store.append(event(&created.inbox, "evt_2")).await.unwrap();
    assert_eq!(
        store.append(event(&created.inbox, "evt_1")).await.unwrap(),
        Appended::Duplicate
    );
    let (Appended::Stored(a), Appended::Stored(b)) = (a, b) else {
        panic!("not stored")
    };
    assert!(a < b);
    let events = store.events_after(&created.inbox, 0, 10).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["evt_1", "evt_2"]
    );
    assert_eq!(events[0].payload, r#"{"id":"evt_1"}"#);
    let after_first = store
        .events_after(&created.inbox, events[0].cursor, 10)
        .await
        .unwrap();
    assert_eq!(after_first.len(), 1);
    assert_eq!(
        store
            .events_after(&created.inbox, 0, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.inbox("ibx_unknown").await.unwrap().is_none());
}

pub(crate) async fn concurrent_appends_are_all_acked<S: Store>(store: Arc<S>) {
    let inbox = store.create_inbox(None).await.unwrap().inbox;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (store, inbox) = (store.clone(), inbox.clone());
            tokio::spawn(async move {
                store
                    .append(event(&inbox, &format!("evt_{}", i % 150)))
                    .await
            })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        if let Appended::Stored(_) = t.await.unwrap().unwrap() {
            stored += 1;
        }
    }
    assert_eq!(stored, 150);
    let all = store.events_after(&inbox, 0, 1000).await.unwrap();
    assert_eq!(all.len(), 150);
    assert!(all.windows(2).all(|w| w[0].cursor < w[1].cursor));
}

pub(crate) async fn rotation_keeps_previous_secret_until_grace_ends<S: Store>(store: &S) {
    let inbox = store
        .create_inbox(Some("whsec_old".into()))
        .await
        .unwrap()
        .inbox;
    assert_eq!(
        store
            .set_webhook_secret(&inbox, "whsec_new".into(), 1000, true)
            .await
            .unwrap(),
        SecretSet::Set
    );
    let got = store.inbox(&inbox).await.unwrap().unwrap();
    assert_eq!(got.secrets(999), ["whsec_new", "whsec_old"]);
    assert_eq!(got.secrets(1001), ["whsec_new"]);
    // Re-sending the current secret does not drop the previous one.
    assert_eq!(
        store
            .set_webhook_secret(&inbox, "whsec_new".into(), 5000, true)
            .await
            .unwrap(),
        SecretSet::Set
    );
    let got = store.inbox(&inbox).await.unwrap().unwrap();
    assert_eq!(got.secrets(999), ["whsec_new", "whsec_old"]);
    assert_eq!(
        store
            .set_webhook_secret("ibx_nope", "whsec_x".into(), 0, true)
            .await
            .unwrap(),
        SecretSet::UnknownInbox
    );
}

pub(crate) async fn the_pull_token_sets_the_first_secret_only_and_the_admin_token_is_its_own<
    S: Store,
>(
    store: &S,
) {
    let created = store.create_inbox(None).await.unwrap();
    let admin = created.admin_token.clone().expect("an admin credential");
    assert_ne!(admin, created.token);
    let got = store.inbox(&created.inbox).await.unwrap().unwrap();
    assert!(got.admin_matches(&admin));
    assert!(!got.admin_matches(&created.token));
    assert!(
        !got.token_matches(&admin),
        "the admin credential is not a pull token"
    );
    let set = |secret: &str, replace| {
        store.set_webhook_secret(&created.inbox, secret.to_owned(), 100, replace)
    };
    assert_eq!(set("whsec_first", false).await.unwrap(), SecretSet::Set);
    assert_eq!(
        set("whsec_first", false).await.unwrap(),
        SecretSet::Set,
        "a retry"
    );
    assert_eq!(
        set("whsec_second", false).await.unwrap(),
        SecretSet::AdminRequired
    );
    let got = store.inbox(&created.inbox).await.unwrap().unwrap();
    assert_eq!(got.secrets(0), ["whsec_first"], "nothing changed");
    assert_eq!(set("whsec_second", true).await.unwrap(), SecretSet::Set);

    // Re-issuing replaces the credential.
    let issued = store
        .issue_admin_token(&created.inbox)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(issued.inbox, created.inbox);
    let got = store.inbox(&created.inbox).await.unwrap().unwrap();
    assert!(got.admin_matches(&issued.admin_token));
    assert!(!got.admin_matches(&admin));
    assert!(got.token_matches(&created.token), "the pull token stays");
    assert_eq!(store.issue_admin_token("ibx_nope").await.unwrap(), None);
}

pub(crate) async fn link_quota_refuses_new_links_but_not_replacements<S: Store>(store: &S) {
    let quotas = Quotas { max_links: 2, ..Q };
    let a = store.create_inbox(None).await.unwrap().inbox;
    let b = store.create_inbox(None).await.unwrap().inbox;
    let open = link_state(LinkStatus::Open);
    for t in ["lnk_quota_a_000000001", "lnk_quota_a_000000002"] {
        assert_eq!(
            store.put_link(&a, t, &open, &quotas).await.unwrap(),
            LinkPut::Stored
        );
    }
    let third = "lnk_quota_a_000000003";
    assert_eq!(
        store.put_link(&a, third, &open, &quotas).await.unwrap(),
        LinkPut::OverQuota
    );
    assert_eq!(store.link(third).await.unwrap(), None, "nothing written");
    let paid = link_state(LinkStatus::Paid);
    assert_eq!(
        store
            .put_link(&a, "lnk_quota_a_000000001", &paid, &quotas)
            .await
            .unwrap(),
        LinkPut::Stored,
        "replacing at the quota"
    );
    assert_eq!(
        store.put_link(&b, third, &open, &quotas).await.unwrap(),
        LinkPut::Stored,
        "the quota is per inbox"
    );
}

pub(crate) async fn document_quotas_refuse_new_pages_and_bytes_but_not_replacements<S: Store>(
    store: &S,
) {
    let quotas = Quotas {
        max_documents: 2,
        max_document_bytes: 100,
        ..Q
    };
    let a = store.create_inbox(None).await.unwrap().inbox;
    let (one, two, three) = (
        "doc_quota_00000000001",
        "doc_quota_00000000002",
        "doc_quota_00000000003",
    );
    assert_eq!(
        store
            .put_document(&a, one, vec![1; 40], &quotas)
            .await
            .unwrap(),
        DocumentPut::Stored
    );
    assert_eq!(
        store
            .put_document(&a, two, vec![2; 70], &quotas)
            .await
            .unwrap(),
        DocumentPut::TooManyBytes
    );
    assert_eq!(store.document(two).await.unwrap(), None, "nothing written");
    assert_eq!(
        store
            .put_document(&a, two, vec![2; 60], &quotas)
            .await
            .unwrap(),
        DocumentPut::Stored
    );
    assert_eq!(
        store
            .put_document(&a, three, vec![3; 1], &quotas)
            .await
            .unwrap(),
        DocumentPut::TooMany
    );
    // A replacement counts its new size instead of the old one.
    assert_eq!(
        store
            .put_document(&a, one, vec![9; 40], &quotas)
            .await
            .unwrap(),
        DocumentPut::Stored
    );
    assert_eq!(
        store
            .put_document(&a, one, vec![9; 41], &quotas)
            .await
            .unwrap(),
        DocumentPut::TooManyBytes
    );
    assert_eq!(
        store.document(one).await.unwrap(),
        Some(Document::Live(vec![9; 40]))
    );
    // Revoking frees the page and its bytes.
    assert!(store.revoke_document(&a, two).await.unwrap());
    assert_eq!(
        store
            .put_document(&a, three, vec![3; 60], &quotas)
            .await
            .unwrap(),
        DocumentPut::Stored
    );
}

pub(crate) async fn purge_deletes_old_events_and_cursors_keep_growing<S: Store>(store: &S) {
    let inbox = store.create_inbox(None).await.unwrap().inbox;
    let mut old = event(&inbox, "evt_old");
    old.received_at = "2000-01-01T00:00:00Z".into();
    let Appended::Stored(first) = store.append(old).await.unwrap() else {
        panic!()
    };
    store.append(event(&inbox, "evt_new")).await.unwrap();
    assert_eq!(
        store
            .purge_before("2001-01-01T00:00:00Z".into())
            .await
            .unwrap(),
        1
    );
    let left = store.events_after(&inbox, 0, 10).await.unwrap();
    assert_eq!(
        left.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["evt_new"]
    );
    let Appended::Stored(next) = store.append(event(&inbox, "evt_later")).await.unwrap() else {
        panic!()
    };
    assert!(next > first + 1, "a cursor is never reused");
}

pub(crate) async fn subscribers_are_woken_after_commit<S: Store>(store: &S) {
    let inbox = store.create_inbox(None).await.unwrap().inbox;
    let mut rx = store.subscribe(&inbox);
    let Appended::Stored(c) = store.append(event(&inbox, "evt_wake")).await.unwrap() else {
        panic!()
    };
    tokio::time::timeout(Duration::from_secs(2), rx.wait_for(|v| *v >= c))
        .await
        .expect("woken within 2 s")
        .unwrap();
}

fn link_state(status: LinkStatus) -> LinkState {
    LinkState {
        status,
        pay_url: Some("https://pay.example/x".into()),
        invoice_number: Some("F-2026-0042".into()),
        amount_due: Some(12000),
        currency: Some("EUR".into()),
        paid_at: None,
        seller: Some("Atelier".into()),
        stripe_id: None,
    }
}

/// Returns the token it published, for callers that check more.
pub(crate) async fn links_are_replaced_by_their_owner_only<S: Store>(store: &S) -> &'static str {
    let token = "lnk_suite_0123456789";
    let a = store.create_inbox(None).await.unwrap().inbox;
    let b = store.create_inbox(None).await.unwrap().inbox;
    assert_eq!(store.link(token).await.unwrap(), None);
    let open = link_state(LinkStatus::Open);
    assert_eq!(
        store.put_link(&a, token, &open, &Q).await.unwrap(),
        LinkPut::Stored
    );
    assert_eq!(store.link(token).await.unwrap(), Some(open));
    let paid = link_state(LinkStatus::Paid);
    assert_eq!(
        store.put_link(&a, token, &paid, &Q).await.unwrap(),
        LinkPut::Stored
    );
    let void = link_state(LinkStatus::Void);
    assert_eq!(
        store.put_link(&b, token, &void, &Q).await.unwrap(),
        LinkPut::Taken,
        "another inbox cannot take a token over"
    );
    assert_eq!(store.link(token).await.unwrap(), Some(paid));
    token
}

pub(crate) async fn oldest_unpulled_follows_the_pull_mark<S: Store>(store: &S) {
    // Mark everything earlier checks stored as pulled.
    store
        .purge_before("2100-01-01T00:00:00Z".into())
        .await
        .unwrap();
    assert_eq!(store.oldest_unpulled().await.unwrap(), None);
    let inbox = store.create_inbox(None).await.unwrap().inbox;
    let mut old = event(&inbox, "evt_old");
    old.received_at = "2020-01-01T00:00:00Z".into();
    let Appended::Stored(first) = store.append(old).await.unwrap() else {
        panic!()
    };
    let mut newer = event(&inbox, "evt_newer");
    newer.received_at = "2021-01-01T00:00:00Z".into();
    let Appended::Stored(second) = store.append(newer).await.unwrap() else {
        panic!()
    };
    assert_eq!(
        store.oldest_unpulled().await.unwrap().as_deref(),
        Some("2020-01-01T00:00:00Z")
    );
    store.mark_pulled(&inbox, first).await.unwrap();
    assert_eq!(
        store.oldest_unpulled().await.unwrap().as_deref(),
        Some("2021-01-01T00:00:00Z")
    );
    store.mark_pulled(&inbox, second).await.unwrap();
    store.mark_pulled(&inbox, first).await.unwrap(); // never goes back
    assert_eq!(store.oldest_unpulled().await.unwrap(), None);
}

pub(crate) async fn documents_are_owned_and_revoked_for_good<S: Store>(store: &S) {
    let token = "doc_suite_0123456789";
    let a = store.create_inbox(None).await.unwrap().inbox;
    let b = store.create_inbox(None).await.unwrap().inbox;
    assert_eq!(store.document(token).await.unwrap(), None);
    assert_eq!(store.document_status(token).await.unwrap(), None);
    let v1 = vec![1u8, 0, 255, 7];
    assert_eq!(
        store.put_document(&a, token, v1.clone(), &Q).await.unwrap(),
        DocumentPut::Stored
    );
    assert_eq!(
        store.document(token).await.unwrap(),
        Some(Document::Live(v1))
    );
    let v2 = vec![9u8; 3000];
    assert_eq!(
        store.put_document(&a, token, v2.clone(), &Q).await.unwrap(),
        DocumentPut::Stored
    );
    assert_eq!(
        store.put_document(&b, token, vec![6], &Q).await.unwrap(),
        DocumentPut::Taken,
        "another inbox cannot take a token over"
    );
    assert!(!store.revoke_document(&b, token).await.unwrap());
    assert_eq!(
        store.document(token).await.unwrap(),
        Some(Document::Live(v2))
    );
    assert_eq!(
        store.document_status(token).await.unwrap(),
        Some(DocumentStatus::Live)
    );
    assert!(store.revoke_document(&a, token).await.unwrap());
    assert!(
        store.revoke_document(&a, token).await.unwrap(),
        "idempotent"
    );
    assert_eq!(
        store.document_status(token).await.unwrap(),
        Some(DocumentStatus::Revoked)
    );
    assert_eq!(
        store.document(token).await.unwrap(),
        Some(Document::Revoked)
    );
    assert_eq!(
        store.put_document(&a, token, vec![1], &Q).await.unwrap(),
        DocumentPut::Revoked,
        "a revoked page never comes back"
    );
    assert_eq!(
        store.document(token).await.unwrap(),
        Some(Document::Revoked)
    );
    // Revoking a token never published leaves a tombstone too.
    let never = "doc_suite_never_published";
    assert!(store.revoke_document(&a, never).await.unwrap());
    assert_eq!(
        store.document(never).await.unwrap(),
        Some(Document::Revoked)
    );
}

pub(crate) async fn replies_are_capped_kept_on_republish_and_dropped_on_revoke<S: Store>(
    store: &S,
) {
    let token = "doc_suite_replies_0123";
    let a = store.create_inbox(None).await.unwrap().inbox;
    let b = store.create_inbox(None).await.unwrap().inbox;
    assert_eq!(
        store.add_reply(token, vec![1, 2], 3).await.unwrap(),
        ReplyAdd::Unknown
    );
    assert_eq!(store.replies(&a, token).await.unwrap(), None);
    store
        .put_document(&a, token, vec![1; 40], &Q)
        .await
        .unwrap();
    assert_eq!(store.replies(&a, token).await.unwrap(), Some(vec![]));
    assert_eq!(
        store.replies(&b, token).await.unwrap(),
        None,
        "another inbox sees nothing"
    );
    let mut ids = Vec::new();
    for i in 0..3u8 {
        let ReplyAdd::Stored(id) = store.add_reply(token, vec![1, i, 255], 3).await.unwrap() else {
            panic!("reply {i} not stored")
        };
        ids.push(id);
    }
    assert_eq!(
        store.add_reply(token, vec![1, 9], 3).await.unwrap(),
        ReplyAdd::TooMany
    );
    // Republishing keeps them.
    store
        .put_document(&a, token, vec![2; 50], &Q)
        .await
        .unwrap();
    let listed = store.replies(&a, token).await.unwrap().unwrap();
    assert_eq!(listed.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(
        listed.iter().map(|r| r.sealed.clone()).collect::<Vec<_>>(),
        [vec![1, 0, 255], vec![1, 1, 255], vec![1, 2, 255]],
        "byte for byte, oldest first"
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(&listed[0].received_at).is_ok(),
        "{}",
        listed[0].received_at
    );
    // Another page's replies are its own.
    let other = "doc_suite_replies_other";
    store
        .put_document(&a, other, vec![1; 40], &Q)
        .await
        .unwrap();
    assert!(matches!(
        store.add_reply(other, vec![7], 3).await.unwrap(),
        ReplyAdd::Stored(_)
    ));
    assert_eq!(store.replies(&a, other).await.unwrap().unwrap().len(), 1);
    // Revoking deletes them, and a revoked page takes no more.
    assert!(!store.revoke_document(&b, token).await.unwrap());
    assert_eq!(store.replies(&a, token).await.unwrap().unwrap().len(), 3);
    assert!(store.revoke_document(&a, token).await.unwrap());
    assert_eq!(store.replies(&a, token).await.unwrap(), Some(vec![]));
    assert_eq!(
        store.add_reply(token, vec![1], 3).await.unwrap(),
        ReplyAdd::Revoked
    );
    assert_eq!(store.replies(&a, other).await.unwrap().unwrap().len(), 1);
}

pub(crate) async fn concurrent_replies_never_exceed_the_cap<S: Store>(store: Arc<S>) {
    let token = "doc_suite_replies_race";
    let a = store.create_inbox(None).await.unwrap().inbox;
    store
        .put_document(&a, token, vec![1; 40], &Q)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..30u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.add_reply(token, vec![1, i], 10).await.unwrap() })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        match t.await.unwrap() {
            ReplyAdd::Stored(_) => stored += 1,
            other => assert_eq!(other, ReplyAdd::TooMany),
        }
    }
    assert_eq!(stored, 10);
    assert_eq!(store.replies(&a, token).await.unwrap().unwrap().len(), 10);
}

pub(crate) async fn checkout_events_are_found_through_their_link<S: Store>(store: &S) {
    let token = "lnk_suite_checkout_0123";
    let a = store.create_inbox(None).await.unwrap().inbox;
    let b = store.create_inbox(None).await.unwrap().inbox;
    assert!(
        store
            .checkout_states_of_link(token, "plink_1", 10)
            .await
            .unwrap()
            .is_empty()
    );
    store
        .put_link(&a, token, &link_state(LinkStatus::Open), &Q)
        .await
        .unwrap();
    let checkout = |session: &str, link: Option<&str>, status: &str| {
        Some(CheckoutRef {
            session: Some(session.into()),
            payment_link: link.map(str::to_owned),
            payment_status: Some(status.into()),
        })
    };
    for (inbox, id, kind, c) in [
        (
            &a,
            "evt_cs_1",
            "checkout.session.completed",
            checkout("cs_1", Some("plink_1"), "unpaid"),
        ),
        (&a, "evt_pi_1", "payment_intent.succeeded", None),
        (
            &b,
            "evt_cs_other",
            "checkout.session.completed",
            checkout("cs_9", Some("plink_1"), "paid"),
        ),
        (
            &a,
            "evt_cs_x",
            "checkout.session.completed",
            checkout("cs_x", Some("plink_x"), "paid"),
        ),
        (
            &a,
            "evt_cs_2",
            "checkout.session.async_payment_succeeded",
            checkout("cs_1", Some("plink_1"), "paid"),
        ),
        (
            &a,
            "evt_cs_3",
            "checkout.session.completed",
            checkout("cs_3", None, "paid"),
        ),
    ] {
        let mut e = event(inbox, id);
        e.event_type = kind.into();
        e.checkout = c;
        store.append(e).await.unwrap();
    }
    let found = store
        .checkout_states_of_link(token, "plink_1", 10)
        .await
        .unwrap();
    assert_eq!(
        found
            .iter()
            .map(|e| (e.event_type.as_str(), e.payment_status.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("checkout.session.async_payment_succeeded", Some("paid")),
            ("checkout.session.completed", Some("unpaid")),
        ],
        "this inbox's events of that payment link only, newest first"
    );
    assert_eq!(
        store
            .checkout_states_of_link(token, "cs_1", 10)
            .await
            .unwrap()
            .len(),
        2,
        "found by session id too"
    );
    assert_eq!(
        store
            .checkout_states_of_link(token, "cs_3", 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .checkout_states_of_link(token, "plink_1", 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// After opening a database of the first schema holding inbox `ibx_old`
/// (no admin credential), link `lnk_old_0123456789` (Stripe id
/// `plink_old`), its paid `checkout.session.completed` event (session
/// `cs_old`) and a 5-byte page: the migrated columns read as if written
/// by this version, and the old page takes replies.
pub(crate) async fn first_schema_data_reads_as_migrated<S: Store>(store: &S) {
    let page = "doc_old_0123456789";
    assert_eq!(store.replies("ibx_old", page).await.unwrap(), Some(vec![]));
    assert!(matches!(
        store.add_reply(page, vec![1, 2, 3], 10).await.unwrap(),
        ReplyAdd::Stored(_)
    ));
    assert_eq!(
        store.replies("ibx_old", page).await.unwrap().unwrap().len(),
        1
    );
    let inbox = store.inbox("ibx_old").await.unwrap().unwrap();
    assert_eq!(inbox.admin_sha256, None);
    for stripe_id in ["plink_old", "cs_old"] {
        assert_eq!(
            store
                .checkout_states_of_link("lnk_old_0123456789", stripe_id, 10)
                .await
                .unwrap(),
            [crate::store::CheckoutState {
                event_type: "checkout.session.completed".into(),
                payment_status: Some("paid".into())
            }],
            "older checkout events are read once into the new columns"
        );
    }
    // The old page's 5 bytes count against the quota.
    let quotas = Quotas {
        max_document_bytes: 10,
        ..Q
    };
    assert_eq!(
        store
            .put_document("ibx_old", "doc_new_0123456789", vec![1; 6], &quotas)
            .await
            .unwrap(),
        DocumentPut::TooManyBytes
    );
    let issued = store.issue_admin_token("ibx_old").await.unwrap().unwrap();
    let inbox = store.inbox("ibx_old").await.unwrap().unwrap();
    assert!(inbox.admin_matches(&issued.admin_token));
}
