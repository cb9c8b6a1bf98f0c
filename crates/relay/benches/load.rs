//! Load benchmark (issue 26): signed webhooks per second and p50/p99 latency
//! at concurrency 1, 16 and 64 against the real `acquit-relay serve` (its
//! own process, SQLite, `synchronous=FULL`: a 200 only after fsync, logging
//! at its default level into a file), next to a bare axum handler that
//! answers 200 (also its own process), both driven by the same external load
//! generator: this bench's binary started again as a plain HTTP/1.1 client
//! (one keep-alive connection per concurrent request, requests written by
//! hand, nothing shared with either server). Every request is a distinct
//! event, signed as Stripe signs. Also this disk's fsync rate before and
//! after, as the relay's ceiling depends on it and it swings.
//!
//! `cargo bench -p acquit-relay --bench load` (env: `ACQUIT_BENCH_SECS`
//! per level, default 3; `ACQUIT_BENCH_DIR` for the database, default the
//! target's tmp dir, i.e. the project's disk; `ACQUIT_BENCH_RUST_LOG` the
//! relay's `RUST_LOG`, default unset: what a user runs;
//! `ACQUIT_BENCH_RELAY_BIN` another build of `acquit-relay` to measure).
//!
//! The last line is the goal's figure: the relay's rate over bare axum's at
//! concurrency 64.

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use acquit_relay::signature::sign;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

/// A child process killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd`, returns it and the first line it prints (its address).
fn start(mut cmd: Command) -> (Server, String) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("start a server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Server(child), line.trim().to_owned())
}

fn main() {
    match std::env::var("ACQUIT_BENCH_ROLE").as_deref() {
        Ok("bare") => return bare_server(),
        Ok("client") => return client(),
        _ => {}
    }
    let secs: u64 = std::env::var("ACQUIT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let base = std::env::var("ACQUIT_BENCH_DIR")
        .unwrap_or_else(|_| env!("CARGO_TARGET_TMPDIR").to_owned());
    let dir = tempfile::tempdir_in(&base).unwrap();
    let db = dir.path().join("relay.db");
    // Another build of the relay (an older one, to compare) with
    // ACQUIT_BENCH_RELAY_BIN.
    let relay_bin = std::env::var("ACQUIT_BENCH_RELAY_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_acquit-relay").to_owned());

    // The secret through the environment, as the relay's docs say.
    let created = Command::new(&relay_bin)
        .args(["inbox", "create", "--json", "--db"])
        .arg(&db)
        .env("ACQUIT_RELAY_WEBHOOK_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let created: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let webhook_path = created["webhook_path"].as_str().unwrap().to_owned();

    let log = std::fs::File::create(dir.path().join("relay.log")).unwrap();
    let mut relay = Command::new(&relay_bin);
    relay
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "off",
            "--db",
        ])
        .arg(&db)
        .env("NO_COLOR", "1")
        .stderr(log);
    match std::env::var("ACQUIT_BENCH_RUST_LOG") {
        Ok(level) => relay.env("RUST_LOG", level),
        Err(_) => relay.env_remove("RUST_LOG"),
    };
    let (_relay, line) = start(relay);
    let relay = line
        .strip_prefix("acquit-relay listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    let mut bare = Command::new(std::env::current_exe().unwrap());
    bare.env("ACQUIT_BENCH_ROLE", "bare");
    let (_bare, bare) = start(bare);

    let fsync = fsync_rate(dir.path());
    println!("disk fsync rate: {fsync:.0}/s (4 KiB write + fdatasync, in {base})");
    println!(
        "relay log level: {}",
        std::env::var("ACQUIT_BENCH_RUST_LOG").unwrap_or_else(|_| "default (info)".into())
    );
    println!(
        "{:<6} {:>5} {:>10} {:>9} {:>9}",
        "target", "conc", "events/s", "p50 ms", "p99 ms"
    );
    let mut at_64 = (0.0, 0.0);
    let mut run = 0;
    for concurrency in [1, 16, 64] {
        for (name, addr, path) in [
            ("bare", bare.as_str(), "/hook"),
            ("relay", relay.as_str(), webhook_path.as_str()),
        ] {
            run += 1;
            let out = Command::new(std::env::current_exe().unwrap())
                .env("ACQUIT_BENCH_ROLE", "client")
                .env("ACQUIT_BENCH_ADDR", addr)
                .env("ACQUIT_BENCH_PATH", path)
                .env("ACQUIT_BENCH_CONCURRENCY", concurrency.to_string())
                .env("ACQUIT_BENCH_RUN_SECS", secs.to_string())
                .env("ACQUIT_BENCH_RUN", run.to_string())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name} at {concurrency}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let figures = String::from_utf8(out.stdout).unwrap();
            let f: Vec<f64> = figures
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            let (rate, p50, p99) = (f[0], f[1], f[2]);
            println!("{name:<6} {concurrency:>5} {rate:>10.0} {p50:>9.2} {p99:>9.2}");
            if concurrency == 64 {
                if name == "bare" {
                    at_64.0 = rate
                } else {
                    at_64.1 = rate
                }
            }
        }
    }
    println!(
        "disk fsync rate after the run: {:.0}/s",
        fsync_rate(dir.path())
    );
    println!(
        "relay / bare axum at concurrency 64 (external client): {:.0} %",
        100.0 * at_64.1 / at_64.0
    );
}

/// A bare axum server answering 200 to any POST /hook: prints its address.
fn bare_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(|_body: axum::body::Bytes| async { axum::http::StatusCode::OK }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", l.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        axum::serve(l, app).await.unwrap();
    });
}

/// The load generator: `ACQUIT_BENCH_CONCURRENCY` connections, each sending
/// signed events one after another for `ACQUIT_BENCH_RUN_SECS`; prints
/// "rate p50_ms p99_ms". Any answer but 200 fails the run.
fn client() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} not set"));
    let addr = var("ACQUIT_BENCH_ADDR");
    let path = var("ACQUIT_BENCH_PATH");
    let concurrency: usize = var("ACQUIT_BENCH_CONCURRENCY").parse().unwrap();
    let secs: u64 = var("ACQUIT_BENCH_RUN_SECS").parse().unwrap();
    let run = var("ACQUIT_BENCH_RUN");
    // One thread: the servers get the other core.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut lat, elapsed) = rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let tasks: Vec<_> = (0..concurrency)
            .map(|conn| {
                let (addr, path, run) = (addr.clone(), path.clone(), run.clone());
                tokio::spawn(async move {
                    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let mut latencies = Vec::new();
                    let mut buf = vec![0u8; 4096];
                    let mut i = 0u64;
                    while Instant::now() < deadline {
                        i += 1;
                        let body = format!(
                            r#"{{"id":"evt_bench_{run}_{conn}_{i}","object":"event","type":"checkout.session.completed","created":1767225600,"data":{{"object":{{"id":"cs_{run}_{conn}_{i}","object":"checkout.session","amount_total":12000,"currency":"eur","payment_status":"paid"}}}}}}"#
                        );
                        let t = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap()
                            .as_secs();
                        let sig = sign(SECRET, t as i64, body.as_bytes());
                        let request = format!(
                            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nStripe-Signature: {sig}\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        let sent = Instant::now();
                        stream.write_all(request.as_bytes()).await.unwrap();
                        let status = read_response(&mut stream, &mut buf).await;
                        assert_eq!(status, 200, "answer to event {i} of connection {conn}");
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let start = Instant::now();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let elapsed = start.elapsed().as_secs_f64();
        (all, elapsed)
    });
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "{} {} {}",
        lat.len() as f64 / elapsed,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
}

/// Reads one HTTP/1.1 response (headers and a `Content-Length` body) and
/// gives its status.
async fn read_response(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> u16 {
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = stream.read(&mut buf[len..]).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        len += n;
        let Some(end) = buf[..len].windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buf[..end]).unwrap();
        let status: u16 = head[9..12].parse().unwrap();
        let body_len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        let total = end + 4 + body_len;
        while len < total {
            if total > buf.len() {
                buf.resize(total, 0);
            }
            let n = stream.read(&mut buf[len..]).await.unwrap();
            assert!(n > 0, "the server closed the connection");
            len += n;
        }
        return status;
    }
}
