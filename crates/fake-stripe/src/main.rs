//! `fake-stripe --listen 127.0.0.1:12111 [--log requests.jsonl]`: the fake
//! Stripe API as a process, for the demo and for shell sessions.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// A local stand-in for the Stripe API (test keys only).
#[derive(Debug, Parser)]
#[command(name = "fake-stripe", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:12111")]
    listen: SocketAddr,
    /// Append one JSON line per API request to this file (key masked).
    #[arg(long)]
    log: Option<PathBuf>,
    /// Base of the URLs handed out (payment link `url`); default
    /// `http://{listen address}`.
    #[arg(long)]
    public_base: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("fake-stripe: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(3);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let config = fake_stripe::Config {
        log: args.log,
        public_base: args.public_base,
    };
    eprintln!("fake-stripe listening on http://{addr}");
    tokio::select! {
        result = fake_stripe::serve(listener, config) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fake-stripe: {e}");
                ExitCode::from(3)
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
