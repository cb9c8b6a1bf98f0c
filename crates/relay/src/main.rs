//! `acquit-relay`: `serve` runs the relay; `inbox create` makes an inbox and
//! prints its id, pull token, admin credential and webhook path (the
//! credentials are shown only here); `inbox admin-token` issues a new admin
//! credential. All run on SQLite (`--db FILE`) or PostgreSQL
//! (`--database-url`, or `--database-url-file`); the URL may hold a
//! password and the secrets are secrets, so none is ever logged or echoed,
//! and each can come from the environment or a file instead of argv (which
//! any local user can read in `ps`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use acquit_relay::limits::Rate;
use acquit_relay::listen::{self, Limits};
use acquit_relay::postgres::PgStore;
use acquit_relay::server::{self, AppState, Config};
use acquit_relay::store::{Quotas, SqliteStore, Store};

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
        /// Where `/metrics` (and `/healthz`) are served, or `off`; never on
        /// the public listener.
        #[arg(
            long,
            env = "ACQUIT_RELAY_METRICS_LISTEN",
            default_value = "127.0.0.1:9787"
        )]
        metrics_listen: String,
        #[command(flatten)]
        limits: LimitArgs,
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
        /// Prefer the environment or `--webhook-secret-file` to argv.
        #[arg(
            long,
            env = "ACQUIT_RELAY_WEBHOOK_SECRET",
            hide_env_values = true,
            conflicts_with = "webhook_secret_file"
        )]
        webhook_secret: Option<String>,
        /// File holding the webhook secret (trailing newline ignored).
        #[arg(long, env = "ACQUIT_RELAY_WEBHOOK_SECRET_FILE")]
        webhook_secret_file: Option<PathBuf>,
        /// Print JSON: {"inbox","token","webhook_path","admin_token"}.
        #[arg(long)]
        json: bool,
    },
    /// Issue a new admin credential for an inbox (replacing any earlier
    /// one) and print it: for inboxes made before admin credentials
    /// existed, or one that was lost.
    AdminToken {
        /// The inbox, `ibx_…`.
        #[arg(long)]
        inbox: String,
        #[command(flatten)]
        storage: Storage,
        /// Print JSON: {"inbox","admin_token"}.
        #[arg(long)]
        json: bool,
    },
}

/// What the public listener lets clients do.
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// Seconds a client has to send a request's headers (also the longest
    /// idle keep-alive).
    #[arg(long, env = "ACQUIT_RELAY_HEADER_TIMEOUT", default_value_t = server::DEFAULT_HEADER_TIMEOUT_SECS)]
    header_timeout: u64,
    /// Seconds a whole request may take (the events long-poll gets its
    /// wait on top).
    #[arg(long, env = "ACQUIT_RELAY_REQUEST_TIMEOUT", default_value_t = server::DEFAULT_REQUEST_TIMEOUT_SECS)]
    request_timeout: u64,
    /// Longest events long-poll (`wait`), seconds: keep it under a reverse
    /// proxy's read timeout.
    #[arg(long, env = "ACQUIT_RELAY_MAX_WAIT", default_value_t = 60)]
    max_wait: u64,
    /// Open connections at most; more wait in the backlog.
    #[arg(long, env = "ACQUIT_RELAY_MAX_CONNECTIONS", default_value_t = server::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Public page requests (`/p/…`, `/v/…`) per minute per client
    /// address, sustained (0: no limit).
    #[arg(long, env = "ACQUIT_RELAY_PAGE_RATE", default_value_t = Rate::default().per_minute)]
    page_rate: u32,
    /// Public page requests a client address may make at once.
    #[arg(long, env = "ACQUIT_RELAY_PAGE_BURST", default_value_t = Rate::default().burst)]
    page_burst: u32,
    /// Behind a reverse proxy: key the rate limit on the last hop of
    /// `X-Forwarded-For` (the address the proxy saw).
    #[arg(long, env = "ACQUIT_RELAY_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Payment links per inbox.
    #[arg(long, env = "ACQUIT_RELAY_MAX_LINKS", default_value_t = Quotas::default().max_links)]
    max_links: u64,
    /// Live invoice pages per inbox.
    #[arg(long, env = "ACQUIT_RELAY_MAX_DOCUMENTS", default_value_t = Quotas::default().max_documents)]
    max_documents: u64,
    /// Total bytes of an inbox's live invoice pages.
    #[arg(long, env = "ACQUIT_RELAY_MAX_DOCUMENT_BYTES", default_value_t = Quotas::default().max_document_bytes)]
    max_document_bytes: u64,
    /// A host `pay_url` may point to besides checkout.stripe.com and
    /// buy.stripe.com (repeatable; env: comma-separated). http:// is only
    /// accepted for an allowed 127.0.0.1, localhost or ::1.
    #[arg(
        long = "allow-pay-host",
        env = "ACQUIT_RELAY_ALLOW_PAY_HOST",
        value_delimiter = ','
    )]
    allow_pay_hosts: Vec<String>,
}

/// Where the relay keeps its data: exactly one of these.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Storage {
    /// SQLite database file (created if missing).
    #[arg(long, env = "ACQUIT_RELAY_DB")]
    db: Option<PathBuf>,
    /// PostgreSQL URL, `postgres://user:password@host/db`, to share one
    /// database between several relay instances. Prefer the environment
    /// or `--database-url-file` to argv.
    #[arg(long, env = "ACQUIT_RELAY_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// File holding the PostgreSQL URL (trailing newline ignored).
    #[arg(long, env = "ACQUIT_RELAY_DATABASE_URL_FILE")]
    database_url_file: Option<PathBuf>,
}

/// The storage to open, with any secret read from its file.
enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Storage {
    fn backend(self) -> Result<Backend, String> {
        match (self.db, self.database_url, self.database_url_file) {
            (Some(db), _, _) => Ok(Backend::Sqlite(db)),
            (None, Some(url), _) => Ok(Backend::Postgres(url)),
            (None, None, Some(file)) => Ok(Backend::Postgres(read_secret(&file)?)),
            (None, None, None) => Err("give --db, --database-url or --database-url-file".into()),
        }
    }
}

/// A secret kept in a file (e.g. a systemd credential): its content
/// without the trailing newline. The error names the file, never the
/// content.
fn read_secret(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(value.to_owned())
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
                    webhook_secret_file,
                    json,
                },
        } => {
            let webhook_secret = match webhook_secret_file {
                Some(file) => Some(read_secret(&file)?),
                None => webhook_secret,
            };
            if let Some(s) = &webhook_secret
                && !s.starts_with("whsec_")
            {
                return Err("a Stripe webhook secret starts with whsec_".into());
            }
            match storage.backend()? {
                Backend::Sqlite(db) => create_inbox(&open(&db)?, webhook_secret, json).await,
                Backend::Postgres(url) => {
                    create_inbox(&open_postgres(&url).await?, webhook_secret, json).await
                }
            }
        }
        Command::Inbox {
            command:
                InboxCommand::AdminToken {
                    inbox,
                    storage,
                    json,
                },
        } => match storage.backend()? {
            Backend::Sqlite(db) => issue_admin_token(&open(&db)?, &inbox, json).await,
            Backend::Postgres(url) => {
                issue_admin_token(&open_postgres(&url).await?, &inbox, json).await
            }
        },
        Command::Serve {
            listen,
            storage,
            signature_tolerance,
            body_limit,
            document_limit,
            secret_grace,
            retention_days,
            metrics_listen,
            limits,
        } => {
            let config = Config {
                tolerance_secs: signature_tolerance,
                body_limit,
                document_limit,
                secret_grace_secs: secret_grace,
                header_read_timeout: Duration::from_secs(limits.header_timeout.max(1)),
                request_timeout: Duration::from_secs(limits.request_timeout.max(1)),
                max_connections: limits.max_connections.max(1),
                max_wait_secs: limits.max_wait,
                page_rate: Rate {
                    per_minute: limits.page_rate,
                    burst: limits.page_burst,
                },
                trust_forwarded_for: limits.trust_forwarded_for,
                quotas: Quotas {
                    max_links: limits.max_links,
                    max_documents: limits.max_documents,
                    max_document_bytes: limits.max_document_bytes,
                },
                allow_pay_hosts: limits
                    .allow_pay_hosts
                    .into_iter()
                    .map(|h| h.trim().to_owned())
                    .filter(|h| !h.is_empty())
                    .collect(),
            };
            let listeners = Listeners::bind(&listen, &metrics_listen).await?;
            match storage.backend()? {
                Backend::Sqlite(db) => {
                    let store = Arc::new(open(&db)?);
                    tracing::info!(db = %db.display(), "storage: SQLite");
                    serve(store, listeners, config, retention_days).await
                }
                Backend::Postgres(url) => {
                    let store = Arc::new(open_postgres(&url).await?);
                    tracing::info!("storage: PostgreSQL");
                    serve(store, listeners, config, retention_days).await
                }
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
        if let Some(admin) = &created.admin_token {
            println!("admin token:  {admin}  (shown once; only for replacing the webhook secret)");
        }
        println!("webhook path: {}", created.webhook_path);
    }
    Ok(())
}

async fn issue_admin_token<S: Store>(store: &S, inbox: &str, json: bool) -> Result<(), String> {
    let issued = store
        .issue_admin_token(inbox)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no inbox {inbox} in this database"))?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&issued).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "admin token:  {}  (shown once; replaces any earlier one)",
            issued.admin_token
        );
    }
    Ok(())
}

/// The public listener and the optional metrics one, bound before the
/// storage opens so a busy port fails fast.
struct Listeners {
    public: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
}

impl Listeners {
    async fn bind(listen: &str, metrics_listen: &str) -> Result<Self, String> {
        let bind = |addr: &str| {
            let addr = addr.to_owned();
            async move {
                tokio::net::TcpListener::bind(&addr)
                    .await
                    .map_err(|e| format!("cannot listen on {addr}: {e}"))
            }
        };
        let public = bind(listen).await?;
        let metrics = if metrics_listen.eq_ignore_ascii_case("off") {
            None
        } else {
            Some(bind(metrics_listen).await?)
        };
        Ok(Self { public, metrics })
    }
}

async fn serve<S: Store>(
    store: Arc<S>,
    listeners: Listeners,
    config: Config,
    retention_days: u32,
) -> Result<(), String> {
    let addr = listeners.public.local_addr().map_err(|e| e.to_string())?;
    if retention_days > 0 {
        tokio::spawn(retention(store.clone(), retention_days));
    }
    let limits = Limits {
        header_read_timeout: config.header_read_timeout,
        max_connections: config.max_connections,
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let state = AppState::new(store, config, stop_rx.clone());
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let metrics = match listeners.metrics {
        Some(listener) => {
            let maddr = listener.local_addr().map_err(|e| e.to_string())?;
            // Tests and scripts read this line to learn the port.
            eprintln!("acquit-relay metrics on http://{maddr}");
            tracing::info!(%maddr, "metrics listening");
            let app = server::metrics_router(state.clone());
            Some(tokio::spawn(listen::serve(
                listener,
                app,
                limits,
                stopped(stop_rx.clone()),
            )))
        }
        None => None,
    };
    let app = server::router(state);
    // Tests and scripts read this line to learn the port.
    println!("acquit-relay listening on http://{addr}");
    tracing::info!(%addr, "listening");
    listen::serve(listeners.public, app, limits, async move {
        shutdown_signal().await;
        tracing::info!("shutting down; finishing in-flight requests");
        stop_tx.send_replace(true);
    })
    .await;
    if let Some(m) = metrics {
        let _ = m.await;
    }
    Ok(())
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
