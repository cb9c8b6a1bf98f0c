//! Load benchmark: verified + durably stored webhooks per second and p50/p99
//! latency at concurrency 1, 16 and 64, next to a bare axum handler that
//! answers 200 on the same machine, plus this disk's fsync rate measured in
//! the same run (the relay's ceiling depends on it, and it swings).
//!
//! `cargo bench -p acquit-relay --bench load` (env: `ACQUIT_BENCH_SECS`
//! per level, default 3; `ACQUIT_BENCH_DIR` for the database, default the
//! target's tmp dir, i.e. the project's disk).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use acquit_relay::listen::{self, Limits};
use acquit_relay::server::{self, AppState, Config};
use acquit_relay::signature::sign;
use acquit_relay::store::{SqliteStore, Store};

const SECRET: &str = "whsec_bench_secret";

fn fsync_rate(dir: &Path) -> f64 {
    let path = dir.join("fsync-probe");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = [0u8; 4096];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        f.write_all(&block).unwrap();
        f.sync_data().unwrap();
        n += 1;
    }
    let _ = std::fs::remove_file(&path);
    n as f64 / start.elapsed().as_secs_f64()
}

struct Run {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

async fn load(
    client: &reqwest::Client,
    url: &str,
    concurrency: usize,
    secs: u64,
    seq: Arc<AtomicU64>,
) -> Run {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, seq) = (client.clone(), url.to_owned(), seq.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let i = seq.fetch_add(1, Ordering::Relaxed);
                    let body = format!(
                        r#"{{"id":"evt_bench_{i}","object":"event","type":"checkout.session.completed","data":{{"object":{{"id":"cs_{i}","amount_total":12000}}}}}}"#
                    );
                    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
                    let sig = sign(SECRET, t as i64, body.as_bytes());
                    let sent = Instant::now();
                    let res = client.post(&url).header("stripe-signature", sig).body(body).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Run {
        rate: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

fn main() {
    let secs: u64 = std::env::var("ACQUIT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let base = std::env::var("ACQUIT_BENCH_DIR")
        .unwrap_or_else(|_| env!("CARGO_TARGET_TMPDIR").to_owned());
    let dir = tempfile::tempdir_in(&base).unwrap();

    // Servers on their own runtime, the load generator on another.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let (bare, relay, webhook_path, _stop) = server_rt.block_on(async {
        let bare_app = axum::Router::new().route(
            "/hook",
            axum::routing::post(|_body: axum::body::Bytes| async { axum::http::StatusCode::OK }),
        );
        let bare_l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bare: SocketAddr = bare_l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(bare_l, bare_app).await.unwrap() });

        let store = Arc::new(SqliteStore::open(&dir.path().join("relay.db")).unwrap());
        let inbox = store.create_inbox(Some(SECRET.into())).await.unwrap();
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let config = Config::default();
        // The binary's serving path: timeouts, connection cap.
        let limits = Limits {
            header_read_timeout: config.header_read_timeout,
            max_connections: config.max_connections,
        };
        let app = server::router(AppState::new(store, config, stop_rx));
        let relay_l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay: SocketAddr = relay_l.local_addr().unwrap();
        tokio::spawn(listen::serve(relay_l, app, limits, std::future::pending()));
        (bare, relay, inbox.webhook_path, stop)
    });

    let fsync = fsync_rate(dir.path());
    println!("disk fsync rate: {fsync:.0}/s (4 KiB write + fdatasync, in {base})");
    println!(
        "{:<6} {:>5} {:>10} {:>9} {:>9}",
        "target", "conc", "events/s", "p50 ms", "p99 ms"
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .unwrap();
    let seq = Arc::new(AtomicU64::new(0));
    let mut at_64 = (0.0, 0.0);
    for concurrency in [1, 16, 64] {
        for (name, url) in [
            ("bare", format!("http://{bare}/hook")),
            ("relay", format!("http://{relay}{webhook_path}")),
        ] {
            let run = client_rt.block_on(load(&client, &url, concurrency, secs, seq.clone()));
            println!(
                "{name:<6} {concurrency:>5} {:>10.0} {:>9.2} {:>9.2}",
                run.rate,
                run.p50.as_secs_f64() * 1e3,
                run.p99.as_secs_f64() * 1e3
            );
            if concurrency == 64 {
                if name == "bare" {
                    at_64.0 = run.rate
                } else {
                    at_64.1 = run.rate
                }
            }
        }
    }
    println!(
        "relay / bare at concurrency 64: {:.0} %",
        100.0 * at_64.1 / at_64.0
    );
    println!(
        "disk fsync rate after the run: {:.0}/s",
        fsync_rate(dir.path())
    );
}
