//! `fake-entreprises --listen 127.0.0.1:12114 [--data FILE] [--lenient]
//! [--rate-limit 7] [--log FILE.jsonl]`: the fake API Recherche
//! d'entreprises as a process, for the demo and for shell sessions
//! (`curl 'http://127.0.0.1:12114/search?q=552100554'`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// A local stand-in for the API Recherche d'entreprises
/// (recherche-entreprises.api.gouv.fr).
#[derive(Debug, Parser)]
#[command(name = "fake-entreprises", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:12114")]
    listen: SocketAddr,
    /// The companies, a JSON file of the form of data/companies.json
    /// [default: the one built in].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Ignore unknown parameters and keep the last of a repeated one, as the
    /// real API does (by default the fake refuses them with 400).
    #[arg(long)]
    lenient: bool,
    /// Answer 429 (Retry-After: 1) past this many requests a second; the
    /// real service allows 7 [default: no limit].
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Append one JSON line per request to this file.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let data = match &args.data {
        Some(path) => match fake_entreprises::Data::from_file(path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("fake-entreprises: {e}");
                return ExitCode::from(2);
            }
        },
        None => fake_entreprises::Data::seed(),
    };
    let companies = data.companies.len();
    let config = fake_entreprises::Config {
        data,
        strictness: if args.lenient {
            fake_entreprises::Strictness::Lenient
        } else {
            fake_entreprises::Strictness::Strict
        },
        rate_limit: args.rate_limit.filter(|n| *n > 0),
        log: args.log,
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("fake-entreprises: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(3);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    eprintln!("fake-entreprises listening on http://{addr} ({companies} companies)");
    tokio::select! {
        result = fake_entreprises::serve(listener, config) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fake-entreprises: {e}");
                ExitCode::from(3)
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
