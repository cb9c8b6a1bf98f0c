//! `fake-stripe --listen 127.0.0.1:12111 [--log requests.jsonl]
//! [--sepa-delay 2s] [--webhook-attempts 8] [--webhook-backoff 100ms]`: the fake
//! Stripe API as a process, for the demo and for shell sessions.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
    /// How long a SEPA Direct Debit stays processing before it succeeds
    /// or fails: `2s`, `500ms`, `1m`.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    sepa_delay: Duration,
    /// Webhook delivery attempts in all (retries on non-2xx or connection
    /// errors).
    #[arg(long, default_value_t = 8)]
    webhook_attempts: u32,
    /// The wait before the first webhook retry; it doubles up to 5 s.
    #[arg(long, default_value = "100ms", value_parser = parse_duration)]
    webhook_backoff: Duration,
}

/// `250ms`, `2s`, `1m`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text} (try 2s or 500ms)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("unknown unit in {text}: use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text}: {e}"))
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
        sepa_delay: args.sepa_delay,
        webhook_retry: fake_stripe::Retry {
            attempts: args.webhook_attempts.max(1),
            first_backoff: args.webhook_backoff,
            ..Default::default()
        },
        ..Default::default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
