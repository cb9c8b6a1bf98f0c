//! Logging with `tracing`: a daily file in the app's log dir, and stderr.
//!
//! The filter comes from `ACQUIT_LOG` (then `RUST_LOG`), default `info`.
//! Secrets (Stripe keys, relay tokens) are never passed to a log macro: the
//! types that hold them do not implement `Display`.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the file writer alive (its guard flushes on drop) and remembers
/// where the logs are.
#[derive(Debug)]
pub struct Logs {
    pub dir: PathBuf,
    _guard: WorkerGuard,
}

/// How many daily files are kept before the oldest is deleted.
const KEEP_DAYS: usize = 14;

pub fn init(dir: &Path) -> Result<Logs, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the log folder {}: {e}", dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("acquit")
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .build(dir)?;
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("ACQUIT_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(file_writer),
        )
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .try_init()?;
    Ok(Logs {
        dir: dir.to_path_buf(),
        _guard: guard,
    })
}
