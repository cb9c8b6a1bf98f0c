//! `acquit-relay`: `serve` runs the relay; `inbox create` makes an inbox and
//! prints its id, pull token and webhook path (the token is shown only here).
//! Both run on SQLite (`--db FILE`) or PostgreSQL (`--database-url`); the
//! URL may hold a password, so it is never logged or echoed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use acquit_relay::postgres::PgStore;
use acquit_relay::server::{self, AppState, Config};
use acquit_relay::store::{SqliteStore, Store};

#[derive(Debug, Parser)]
#[command(
    name = "acquit-relay",
    version,
    about = "The self-hostable Acquit webhook relay"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the relay's HTTP server.
    Serve {
        /// Address to listen on (put TLS in a reverse proxy in front).
        #[arg(long, env = "ACQUIT_RELAY_LISTEN", default_value = "127.0.0.1:8787")]
        listen: String,
        #[command(flatten)]
        storage: Storage,
        /// Accepted age of a Stripe signature, seconds.
        #[arg(long, env = "ACQUIT_RELAY_SIGNATURE_TOLERANCE", default_value_t = 300)]
        signature_tolerance: i64,
        /// Largest webhook body, bytes.
        #[arg(long, env = "ACQUIT_RELAY_BODY_LIMIT", default_value_t = 256 * 1024)]
        body_limit: usize,
        /// Largest encrypted invoice bundle (`PUT …/documents/…`), bytes.
        #[arg(long, env = "ACQUIT_RELAY_DOCUMENT_LIMIT", default_value_t = acquit_relay_protocol::DEFAULT_DOCUMENT_LIMIT)]
        document_limit: usize,
        /// How long a replaced webhook secret stays valid, seconds.
        #[arg(long, env = "ACQUIT_RELAY_SECRET_GRACE", default_value_t = 24 * 3600)]
        secret_grace: i64,
        /// Delete events older than this many days (0: keep for ever).
        #[arg(long, env = "ACQUIT_RELAY_RETENTION_DAYS", default_value_t = 30)]
        retention_days: u32,
    },
    /// Manage inboxes.
    Inbox {
        #[command(subcommand)]
        command: InboxCommand,
    },
}

#[derive(Debug, Subcommand)]
enum InboxCommand {
    /// Create an inbox and print its id, pull token and webhook path.
    Create {
        #[command(flatten)]
        storage: Storage,
        /// Stripe's endpoint secret (`whsec_…`); can be set later by PUT.
        #[arg(long, env = "ACQUIT_RELAY_WEBHOOK_SECRET")]
        webhook_secret: Option<String>,
        /// Print JSON: {"inbox","token","webhook_path"}.
        #[arg(long)]
        json: bool,
    },
}

/// Where the relay keeps its data: exactly one of the two.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Storage {
    /// SQLite database file (created if missing).
    #[arg(long, env = "ACQUIT_RELAY_DB")]
    db: Option<PathBuf>,
    /// PostgreSQL URL, `postgres://user:password@host/db`, to share one
    /// database between several relay instances.
    #[arg(long, env = "ACQUIT_RELAY_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("acquit-relay: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acquit-relay: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Inbox {
            command:
                InboxCommand::Create {
                    storage,
                    webhook_secret,
                    json,
                },
        } => {
            if let Some(s) = &webhook_secret
                && !s.starts_with("whsec_")
            {
                return Err("a Stripe webhook secret starts with whsec_".into());
            }
            match (storage.db, storage.database_url) {
                (Some(db), _) => create_inbox(&open(&db)?, webhook_secret, json).await,
                (None, Some(url)) => {
                    create_inbox(&open_postgres(&url).await?, webhook_secret, json).await
                }
                (None, None) => Err("give --db or --database-url".into()),
            }
        }
        Command::Serve {
            listen,
            storage,
            signature_tolerance,
            body_limit,
            document_limit,
            secret_grace,
            retention_days,
        } => {
            let config = Config {
                tolerance_secs: signature_tolerance,
                body_limit,
                document_limit,
                secret_grace_secs: secret_grace,
                ..Config::default()
            };
            match (storage.db, storage.database_url) {
                (Some(db), _) => {
                    let store = Arc::new(open(&db)?);
                    tracing::info!(db = %db.display(), "storage: SQLite");
                    serve(store, &listen, config, retention_days).await
                }
                (None, Some(url)) => {
                    let store = Arc::new(open_postgres(&url).await?);
                    tracing::info!("storage: PostgreSQL");
                    serve(store, &listen, config, retention_days).await
                }
                (None, None) => Err("give --db or --database-url".into()),
            }
        }
    }
}

async fn create_inbox<S: Store>(
    store: &S,
    webhook_secret: Option<String>,
    json: bool,
) -> Result<(), String> {
    let created = store
        .create_inbox(webhook_secret)
        .await
        .map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&created).map_err(|e| e.to_string())?
        );
    } else {
        println!("inbox:        {}", created.inbox);
        println!(
            "token:        {}  (shown once; the relay keeps only its hash)",
            created.token
        );
        println!("webhook path: {}", created.webhook_path);
    }
    Ok(())
}

async fn serve<S: Store>(
    store: Arc<S>,
    listen: &str,
    config: Config,
    retention_days: u32,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if retention_days > 0 {
        tokio::spawn(retention(store.clone(), retention_days));
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let app = server::router(AppState::new(store, config, stop_rx));
    // Tests and scripts read this line to learn the port.
    println!("acquit-relay listening on http://{addr}");
    tracing::info!(%addr, "listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("shutting down; finishing in-flight requests");
            stop_tx.send_replace(true);
        })
        .await
        .map_err(|e| e.to_string())
}

/// Hourly: delete events older than the retention period. The app pulls
/// continuously, so old events are only kept for a late re-sync.
async fn retention<S: Store>(store: Arc<S>, days: u32) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
        let before = cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match store.purge_before(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, days, "retention: old events deleted"),
            Err(e) => tracing::warn!(error = %e, "retention: purge failed; will retry"),
        }
    }
}

fn open(db: &std::path::Path) -> Result<SqliteStore, String> {
    SqliteStore::open(db).map_err(|e| format!("cannot open {}: {e}", db.display()))
}

async fn open_postgres(url: &str) -> Result<PgStore, String> {
    // Not the URL: it may hold a password.
    PgStore::open(url)
        .await
        .map_err(|e| format!("cannot open the PostgreSQL database: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
