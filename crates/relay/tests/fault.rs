//! `kill -9` in the middle of a load: every event id the relay answered 200
//! to must be in the database after a restart (a 200 means durable).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acquit_relay_protocol::EventsPage;
use common::{Relay, create_inbox, create_inbox_postgres, post_signed, postgres_url};

const SECRET: &str = "whsec_fault_secret";
const TOTAL: usize = 6000;
const CONCURRENCY: usize = 64;
const KILL_AFTER_ACKS: usize = 2000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_load_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, Some(SECRET));
    fault_run(inbox, || Relay::start(&db, &[])).await;
}

/// The same on PostgreSQL when `ACQUIT_RELAY_TEST_DATABASE_URL` is set
/// (fails if it is set and unreachable).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_load_loses_no_acknowledged_event_on_postgres() {
    let Some(url) = postgres_url() else {
        eprintln!("ACQUIT_RELAY_TEST_DATABASE_URL unset: PostgreSQL fault test not run");
        return;
    };
    let inbox = create_inbox_postgres(&url, Some(SECRET));
    fault_run(inbox, || Relay::start_postgres(&url, &[])).await;
}

async fn fault_run(inbox: acquit_relay_protocol::InboxCreated, start: impl Fn() -> Relay) {
    let inbox = Arc::new(inbox);
    let mut relay = start();
    let relay_url = Arc::new(relay.base.clone());
    let client = acquit_testkit::http_builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();

    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, inbox, next, acked, base) = (
                client.clone(),
                inbox.clone(),
                next.clone(),
                acked.clone(),
                relay_url.clone(),
            );
            tokio::spawn(async move {
                // A throwaway Relay handle only for its URL helper.
                let target = common::Target {
                    base: base.to_string(),
                };
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= TOTAL {
                        return;
                    }
                    let id = format!("evt_{i:06}");
                    match target.post(&client, &inbox, SECRET, &id).await {
                        Some(200) => acked.lock().unwrap().push(id),
                        Some(status) => panic!("unexpected status {status} for {id}"),
                        None => return, // the relay is gone
                    }
                }
            })
        })
        .collect();

    while acked.lock().unwrap().len() < KILL_AFTER_ACKS {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "load too slow"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    relay.child.kill().unwrap(); // SIGKILL
    let killed_at = acked.lock().unwrap().len();
    relay.child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let attempted = next.load(Ordering::Relaxed).min(TOTAL);
    assert!(
        acked.len() < TOTAL,
        "the kill came after the load ended; raise TOTAL"
    );

    drop(relay);
    let relay = start();
    let mut stored = std::collections::HashSet::new();
    let mut after = String::from("0");
    loop {
        let page: EventsPage = client
            .get(relay.url(&format!(
                "/v1/inboxes/{}/events?after={after}&limit=1000",
                inbox.inbox
            )))
            .bearer_auth(&inbox.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page.events.is_empty() {
            break;
        }
        stored.extend(page.events.into_iter().map(|e| e.id));
        after = page.next_cursor;
    }
    let lost: Vec<_> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    println!(
        "fault: {} acked ({killed_at} when killed), {} stored after restart, {attempted} attempted, lost {}",
        acked.len(),
        stored.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(stored.len() >= acked.len());
    // The restarted relay still takes events.
    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_after_restart").await,
        200
    );
}
