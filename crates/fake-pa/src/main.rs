//! `fake-pa --listen 127.0.0.1:12113 [--log FILE.jsonl] [--auto-ack 2s]`:
//! the fake plateforme agréée as a process, for the demo and for shell
//! sessions. The flow service is at `http://ADDR/flow-service`, the
//! directory at `http://ADDR/directory-service`, the token endpoint at
//! `http://ADDR/auth-service/acquit/token`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// A local stand-in for a plateforme agréée (AFNOR XP Z12-013).
#[derive(Debug, Parser)]
#[command(name = "fake-pa", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:12113")]
    listen: SocketAddr,
    /// Append one JSON line per request to this file (tokens masked).
    #[arg(long)]
    log: Option<PathBuf>,
    /// Acknowledge a flow Ok this long after it came (`2s`, `500ms`);
    /// without it flows stay Pending until `POST /_fake/process`.
    #[arg(long, value_parser = parse_duration)]
    auto_ack: Option<Duration>,
    /// An OAuth2 client the token endpoint knows, `ID:SECRET` [default:
    /// acquit:fake-pa-secret]; repeat for more.
    #[arg(long, value_name = "ID:SECRET")]
    client: Vec<String>,
    /// A bearer token accepted as it is [default: fake-pa-token]; repeat for more.
    #[arg(long)]
    token: Vec<String>,
}

/// `250ms`, `2s`, `1m`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text}: a duration is like 2s, 500ms, 1m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!("{text}: a duration is like 2s, 500ms, 1m")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = fake_pa::Config {
        log: args.log.clone(),
        auto_ack: args.auto_ack,
        ..fake_pa::Config::default()
    };
    if !args.client.is_empty() {
        let mut clients = Vec::new();
        for pair in &args.client {
            let Some((id, secret)) = pair.split_once(':') else {
                eprintln!("fake-pa: --client takes ID:SECRET, not {pair}");
                return ExitCode::from(2);
            };
            clients.push((id.to_owned(), secret.to_owned()));
        }
        config.clients = clients;
    }
    if !args.token.is_empty() {
        config.tokens = args.token.clone();
    }
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("fake-pa: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(3);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    eprintln!("fake-pa listening on http://{addr} (flow-service, directory-service, auth-service)");
    tokio::select! {
        result = fake_pa::serve(listener, config) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fake-pa: {e}");
                ExitCode::from(3)
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
