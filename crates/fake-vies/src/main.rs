//! `fake-vies --listen 127.0.0.1:12112 [--unavailable ES]…`: the fake VIES
//! as a process, for the demo and for shell sessions
//! (`ACQUIT_VIES_URL=http://127.0.0.1:12112`).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

/// A local stand-in for VIES, the EU's VAT number check.
#[derive(Debug, Parser)]
#[command(name = "fake-vies", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:12112")]
    listen: SocketAddr,
    /// A member state whose register is down (MS_UNAVAILABLE); repeat for
    /// more [default: ES]
    #[arg(long, value_name = "CODE")]
    unavailable: Vec<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("fake-vies: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(3);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut config = fake_vies::Config::default();
    if !args.unavailable.is_empty() {
        config.unavailable = args
            .unavailable
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect();
    }
    eprintln!("fake-vies listening on http://{addr}");
    tokio::select! {
        result = fake_vies::serve(listener, config) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fake-vies: {e}");
                ExitCode::from(3)
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
