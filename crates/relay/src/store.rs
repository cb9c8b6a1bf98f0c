//! Durable storage of inboxes and events.
//!
//! Why it is built this way:
//! - **Behind a trait** ([`Store`]) so several relay instances can share one
//!   PostgreSQL database ([`crate::postgres`]); SQLite is the embedded
//!   default. Both pass the same suite (`store_suite.rs`).
//! - **One writer thread, group commit.** In WAL mode with
//!   `synchronous=FULL` every COMMIT costs one fsync, and this kind of disk
//!   does only a few hundred to a few thousand a second. So a single thread
//!   owns the write connection and commits, in one transaction, everything
//!   that queued while the previous commit was syncing; no fixed batching
//!   window (measured slower). Each request waits for its own ack, sent only
//!   after COMMIT returned: a 200 means the event is on disk.
//! - **`synchronous=FULL`**, not NORMAL: NORMAL lost acknowledged events in a
//!   simulated power cut.
//! - **Readers** are separate connections (WAL lets them run alongside the
//!   writer) used from `spawn_blocking`.
//! - The pull token is stored as its SHA-256 only. The webhook secrets are
//!   stored as is: verifying an HMAC needs the key itself.
//! - The cursor is the events table's `AUTOINCREMENT` rowid: monotonic and
//!   never reused, even after old events are deleted.
//! - Payment links are keyed by their token alone, because `GET /p/{token}`
//!   carries no inbox; the first inbox to publish a token owns it, so one
//!   user can never overwrite another's link. Their writes go through the
//!   same writer as events: a 204 to the app means the state is durable.
//! - Encrypted invoice pages (`documents`) are keyed the same way (the
//!   first inbox owns a token). The bundle is ciphertext the relay cannot
//!   read; revoking drops it and keeps a tombstone, so a revoked token says
//!   "no longer valid" forever and can never be published again.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, watch};

use acquit_relay_protocol::{InboxCreated, LinkState, webhook_path};

/// Largest number of jobs committed in one transaction.
const MAX_BATCH: usize = 4096;
/// Idle reader connections kept open.
const MAX_IDLE_READERS: usize = 8;

/// A storage failure: the request gets 503 and Stripe retries later.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused (disk full, I/O error, corrupt file…).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer thread is gone (shutting down or crashed).
    #[error("the storage writer has stopped")]
    WriterGone,
    /// The transaction holding this write failed and was rolled back.
    #[error("commit failed: {0}")]
    Commit(String),
    /// A blocking task panicked or was cancelled.
    #[error("storage task failed: {0}")]
    Task(String),
    /// The system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// PostgreSQL refused or the connection failed.
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// A stored value could not be decoded.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

/// An inbox as the server needs it to authenticate and verify.
#[derive(Clone, PartialEq, Eq)]
pub struct Inbox {
    /// `ibx_…`.
    pub id: String,
    /// SHA-256 of the pull token.
    pub token_sha256: [u8; 32],
    /// Current webhook secret.
    pub secret: Option<String>,
    /// The secret it replaced, accepted until `previous_valid_until`.
    pub previous_secret: Option<String>,
    /// Unix seconds.
    pub previous_valid_until: Option<i64>,
}

impl std::fmt::Debug for Inbox {
    // Never print secrets or token hashes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("id", &self.id)
            .field("has_secret", &self.secret.is_some())
            .field("previous_valid_until", &self.previous_valid_until)
            .finish_non_exhaustive()
    }
}

impl Inbox {
    /// The secrets a signature may match at `now` (Unix seconds).
    pub fn secrets(&self, now: i64) -> Vec<&str> {
        let mut out: Vec<&str> = self.secret.iter().map(String::as_str).collect();
        if let (Some(prev), Some(until)) = (&self.previous_secret, self.previous_valid_until)
            && now <= until
        {
            out.push(prev);
        }
        out
    }

    /// Whether `token` is this inbox's pull token (constant time).
    pub fn token_matches(&self, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        hash.ct_eq(&self.token_sha256).into()
    }
}

/// A verified event to store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Inbox id.
    pub inbox: String,
    /// Stripe event id.
    pub id: String,
    /// Stripe event type.
    pub event_type: String,
    /// RFC 3339.
    pub received_at: String,
    /// The raw body, verified and parsed as JSON once.
    pub payload: String,
}

/// What storing an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Newly stored at this cursor.
    Stored(i64),
    /// This id was already stored in this inbox; nothing written.
    Duplicate,
}

/// A stored event as pulled.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Monotonic cursor.
    pub cursor: i64,
    /// Stripe event id.
    pub id: String,
    /// Stripe event type.
    pub event_type: String,
    /// RFC 3339.
    pub received_at: String,
    /// Raw JSON.
    pub payload: String,
}

/// What publishing a payment link's state did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPut {
    /// Stored (created or replaced) for this inbox.
    Stored,
    /// The token belongs to another inbox; nothing written.
    Taken,
}

/// What publishing an encrypted invoice bundle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentPut {
    /// Stored (created or replaced) for this inbox.
    Stored,
    /// The token belongs to another inbox; nothing written.
    Taken,
    /// The token was revoked: it stays revoked; nothing written.
    Revoked,
}

/// A published invoice page as the public side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// The current ciphertext bundle.
    Live(Vec<u8>),
    /// Revoked (a tombstone): the page says the link is no longer valid.
    Revoked,
}

/// Event types whose JSON the return page may read (see
/// [`crate::links::payment_seen`]); everything else stays opaque.
pub const CHECKOUT_EVENT_PREFIX: &str = "checkout.session.";

/// The storage the server runs on. Writes resolve only once durable.
pub trait Store: Send + Sync + 'static {
    /// Creates an inbox with a fresh id and token (returned once, in clear).
    fn create_inbox(
        &self,
        webhook_secret: Option<String>,
    ) -> impl Future<Output = Result<InboxCreated, StoreError>> + Send;
    /// Looks an inbox up.
    fn inbox(&self, id: &str) -> impl Future<Output = Result<Option<Inbox>, StoreError>> + Send;
    /// Stores an event unless its id is already in the inbox.
    fn append(&self, event: NewEvent) -> impl Future<Output = Result<Appended, StoreError>> + Send;
    /// Events of `inbox` with a cursor greater than `after`, oldest first.
    fn events_after(
        &self,
        inbox: &str,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;
    /// Sets the webhook secret; the one it replaces stays valid until
    /// `previous_valid_until` (Unix seconds). False when the inbox is unknown.
    fn set_webhook_secret(
        &self,
        inbox: &str,
        secret: String,
        previous_valid_until: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes events received before `received_before` (RFC 3339, same
    /// format as `received_at`); returns how many. Cursors are never reused.
    fn purge_before(
        &self,
        received_before: String,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Records that the client of `inbox` has every event up to `cursor`
    /// (it asked for what follows). Only feeds the oldest-unpulled metric.
    fn mark_pulled(
        &self,
        inbox: &str,
        cursor: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// `received_at` of the oldest event not yet confirmed pulled, over all
    /// inboxes.
    fn oldest_unpulled(&self) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Stores the published state of the payment link `token` for `inbox`,
    /// replacing the previous one, unless another inbox owns the token.
    fn put_link(
        &self,
        inbox: &str,
        token: &str,
        state: &LinkState,
    ) -> impl Future<Output = Result<LinkPut, StoreError>> + Send;
    /// The current state of the payment link `token`, if published.
    fn link(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<LinkState>, StoreError>> + Send;
    /// Stores the encrypted bundle of the invoice page `token` for `inbox`,
    /// replacing the previous one, unless another inbox owns the token or
    /// it was revoked.
    fn put_document(
        &self,
        inbox: &str,
        token: &str,
        bundle: Vec<u8>,
    ) -> impl Future<Output = Result<DocumentPut, StoreError>> + Send;
    /// Revokes the invoice page `token` (dropping its bundle, keeping a
    /// tombstone; a token never published is revoked too). False when
    /// another inbox owns it.
    fn revoke_document(
        &self,
        inbox: &str,
        token: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The invoice page `token`, if ever published or revoked.
    fn document(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<Document>, StoreError>> + Send;
    /// The newest `checkout.session.*` events (at most `limit`, newest
    /// first) of the inbox that owns the payment link `link_token`: what the
    /// return page looks through. Empty for an unknown link.
    fn checkout_events_of_link(
        &self,
        link_token: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;
    /// A receiver that changes whenever an event is stored in `inbox`
    /// (its value is the latest cursor known to have been stored).
    fn subscribe(&self, inbox: &str) -> watch::Receiver<i64>;
}

/// Lower-case hex of random bytes.
pub fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(crate::hex(&buf))
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS inboxes (
    id TEXT PRIMARY KEY,
    token_sha256 BLOB NOT NULL,
    secret TEXT,
    previous_secret TEXT,
    previous_valid_until INTEGER,
    -- Highest cursor the client has confirmed having (the `after` it sent).
    pulled_cursor INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (inbox_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_by_inbox ON events (inbox_id, cursor);
CREATE TABLE IF NOT EXISTS links (
    token TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    -- The LinkState as JSON, exactly as the server validated it.
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS documents (
    token TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    -- The ciphertext bundle; NULL once revoked (the row is the tombstone).
    bundle BLOB,
    revoked_at TEXT,
    updated_at TEXT NOT NULL,
    CHECK ((bundle IS NULL) = (revoked_at IS NOT NULL))
) STRICT;
";

fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(conn)
}

/// Wakes long-polls: one watch channel per inbox that has had a listener.
#[derive(Debug, Default)]
pub(crate) struct Notifier {
    inboxes: Mutex<HashMap<String, watch::Sender<i64>>>,
}

impl Notifier {
    pub(crate) fn subscribe(&self, inbox: &str) -> watch::Receiver<i64> {
        let mut map = self.inboxes.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(inbox.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    pub(crate) fn notify(&self, inbox: &str, cursor: i64) {
        let map = self.inboxes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = map.get(inbox) {
            tx.send_replace(cursor);
        }
    }

    /// Wakes every listener (they re-read): for when notifications may
    /// have been missed, e.g. after a lost LISTEN connection.
    pub(crate) fn notify_all(&self) {
        let map = self.inboxes.lock().unwrap_or_else(|e| e.into_inner());
        for tx in map.values() {
            tx.send_modify(|_| {});
        }
    }
}

enum Job {
    Append(NewEvent, oneshot::Sender<Result<Appended, String>>),
    CreateInbox {
        id: String,
        token_sha256: [u8; 32],
        secret: Option<String>,
        ack: oneshot::Sender<Result<(), String>>,
    },
    SetSecret {
        inbox: String,
        secret: String,
        previous_valid_until: i64,
        ack: oneshot::Sender<Result<bool, String>>,
    },
    Purge {
        before: String,
        ack: oneshot::Sender<Result<u64, String>>,
    },
    MarkPulled {
        inbox: String,
        cursor: i64,
        ack: oneshot::Sender<Result<(), String>>,
    },
    PutLink {
        inbox: String,
        token: String,
        state: String,
        ack: oneshot::Sender<Result<LinkPut, String>>,
    },
    PutDocument {
        inbox: String,
        token: String,
        bundle: Vec<u8>,
        ack: oneshot::Sender<Result<DocumentPut, String>>,
    },
    RevokeDocument {
        inbox: String,
        token: String,
        ack: oneshot::Sender<Result<bool, String>>,
    },
}

enum Outcome {
    Append(Appended),
    Created,
    SecretSet(bool),
    Purged(u64),
    Marked,
    Link(LinkPut),
    Document(DocumentPut),
    DocumentRevoked(bool),
}

/// SQLite storage: one writer thread with group commit, pooled readers.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: mpsc::Sender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
    notifier: Arc<Notifier>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`: WAL,
    /// `synchronous=FULL`, foreign keys; starts the writer thread.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_connection(path)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "could not switch the database to WAL");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        let notifier = Arc::new(Notifier::default());
        let (tx, rx) = mpsc::channel();
        let writer_notifier = notifier.clone();
        std::thread::Builder::new()
            .name("relay-writer".into())
            .spawn(move || writer_loop(conn, rx, &writer_notifier))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            writer: tx,
            readers: Arc::new(Mutex::new(Vec::new())),
            notifier,
        })
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        self.writer.send(job).map_err(|_| StoreError::WriterGone)
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let idle = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let conn = match idle {
                Some(c) => c,
                None => {
                    let c = open_connection(&path)?;
                    c.pragma_update(None, "query_only", true)?;
                    c
                }
            };
            let out = f(&conn)?;
            let mut idle = pool.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

async fn wait_ack<T>(rx: oneshot::Receiver<Result<T, String>>) -> Result<T, StoreError> {
    match rx.await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(StoreError::Commit(msg)),
        Err(_) => Err(StoreError::WriterGone),
    }
}

impl Store for SqliteStore {
    async fn create_inbox(
        &self,
        webhook_secret: Option<String>,
    ) -> Result<InboxCreated, StoreError> {
        let id = format!("ibx_{}", random_hex(12)?);
        let token = random_hex(32)?;
        let (ack, rx) = oneshot::channel();
        self.send(Job::CreateInbox {
            id: id.clone(),
            token_sha256: Sha256::digest(token.as_bytes()).into(),
            secret: webhook_secret,
            ack,
        })?;
        wait_ack(rx).await?;
        Ok(InboxCreated {
            webhook_path: webhook_path(&id),
            inbox: id,
            token,
        })
    }

    async fn inbox(&self, id: &str) -> Result<Option<Inbox>, StoreError> {
        let id = id.to_owned();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT id, token_sha256, secret, previous_secret, previous_valid_until
                 FROM inboxes WHERE id = ?1",
            )?
            .query_row([&id], |r| {
                let hash: Vec<u8> = r.get(1)?;
                Ok(Inbox {
                    id: r.get(0)?,
                    token_sha256: hash.try_into().unwrap_or([0; 32]),
                    secret: r.get(2)?,
                    previous_secret: r.get(3)?,
                    previous_valid_until: r.get(4)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn append(&self, event: NewEvent) -> Result<Appended, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::Append(event, ack))?;
        wait_ack(rx).await
    }

    async fn events_after(
        &self,
        inbox: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let inbox = inbox.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT cursor, event_id, type, received_at, payload FROM events
                 WHERE inbox_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![inbox, after, limit], |r| {
                Ok(StoredEvent {
                    cursor: r.get(0)?,
                    id: r.get(1)?,
                    event_type: r.get(2)?,
                    received_at: r.get(3)?,
                    payload: r.get(4)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn set_webhook_secret(
        &self,
        inbox: &str,
        secret: String,
        previous_valid_until: i64,
    ) -> Result<bool, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::SetSecret {
            inbox: inbox.to_owned(),
            secret,
            previous_valid_until,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn purge_before(&self, received_before: String) -> Result<u64, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::Purge {
            before: received_before,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn mark_pulled(&self, inbox: &str, cursor: i64) -> Result<(), StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::MarkPulled {
            inbox: inbox.to_owned(),
            cursor,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn oldest_unpulled(&self) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            // One indexed probe per inbox: its first event after the mark.
            let mut stmt = c.prepare_cached(
                "SELECT min((SELECT received_at FROM events
                             WHERE inbox_id = i.id AND cursor > i.pulled_cursor
                             ORDER BY cursor LIMIT 1))
                 FROM inboxes i",
            )?;
            stmt.query_row([], |r| r.get(0))
        })
        .await
    }

    async fn put_link(
        &self,
        inbox: &str,
        token: &str,
        state: &LinkState,
    ) -> Result<LinkPut, StoreError> {
        let state = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (ack, rx) = oneshot::channel();
        self.send(Job::PutLink {
            inbox: inbox.to_owned(),
            token: token.to_owned(),
            state,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn link(&self, token: &str) -> Result<Option<LinkState>, StoreError> {
        let token = token.to_owned();
        let json: Option<String> = self
            .read(move |c| {
                c.prepare_cached("SELECT state FROM links WHERE token = ?1")?
                    .query_row([&token], |r| r.get(0))
                    .optional()
            })
            .await?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    async fn put_document(
        &self,
        inbox: &str,
        token: &str,
        bundle: Vec<u8>,
    ) -> Result<DocumentPut, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::PutDocument {
            inbox: inbox.to_owned(),
            token: token.to_owned(),
            bundle,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn revoke_document(&self, inbox: &str, token: &str) -> Result<bool, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::RevokeDocument {
            inbox: inbox.to_owned(),
            token: token.to_owned(),
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn document(&self, token: &str) -> Result<Option<Document>, StoreError> {
        let token = token.to_owned();
        let row: Option<Option<Vec<u8>>> = self
            .read(move |c| {
                c.prepare_cached("SELECT bundle FROM documents WHERE token = ?1")?
                    .query_row([&token], |r| r.get(0))
                    .optional()
            })
            .await?;
        Ok(row.map(|b| b.map_or(Document::Revoked, Document::Live)))
    }

    async fn checkout_events_of_link(
        &self,
        link_token: &str,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let token = link_token.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT e.cursor, e.event_id, e.type, e.received_at, e.payload
                 FROM links l JOIN events e ON e.inbox_id = l.inbox_id
                 WHERE l.token = ?1 AND substr(e.type, 1, ?2) = ?3
                 ORDER BY e.cursor DESC LIMIT ?4",
            )?;
            let prefix_len = CHECKOUT_EVENT_PREFIX.len() as i64;
            let rows = stmt.query_map(
                params![token, prefix_len, CHECKOUT_EVENT_PREFIX, limit],
                |r| {
                    Ok(StoredEvent {
                        cursor: r.get(0)?,
                        id: r.get(1)?,
                        event_type: r.get(2)?,
                        received_at: r.get(3)?,
                        payload: r.get(4)?,
                    })
                },
            )?;
            rows.collect()
        })
        .await
    }

    fn subscribe(&self, inbox: &str) -> watch::Receiver<i64> {
        self.notifier.subscribe(inbox)
    }
}

fn writer_loop(mut conn: Connection, rx: mpsc::Receiver<Job>, notifier: &Notifier) {
    // Blocks for the first job, then takes whatever queued meanwhile.
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit_batch(&mut conn, &batch) {
            Ok(outcomes) => {
                let mut woken: HashMap<&str, i64> = HashMap::new();
                for (job, outcome) in batch.iter().zip(&outcomes) {
                    if let (Job::Append(e, _), Outcome::Append(Appended::Stored(c))) =
                        (job, outcome)
                    {
                        woken.insert(&e.inbox, *c);
                    }
                }
                for (inbox, cursor) in woken {
                    notifier.notify(inbox, cursor);
                }
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    // A dropped receiver (client gone) is not an error: the
                    // write is durable either way.
                    match (job, outcome) {
                        (Job::Append(_, ack), Outcome::Append(a)) => drop(ack.send(Ok(a))),
                        (Job::CreateInbox { ack, .. }, Outcome::Created) => drop(ack.send(Ok(()))),
                        (Job::SetSecret { ack, .. }, Outcome::SecretSet(b)) => {
                            drop(ack.send(Ok(b)))
                        }
                        (Job::Purge { ack, .. }, Outcome::Purged(n)) => drop(ack.send(Ok(n))),
                        (Job::MarkPulled { ack, .. }, Outcome::Marked) => drop(ack.send(Ok(()))),
                        (Job::PutLink { ack, .. }, Outcome::Link(l)) => drop(ack.send(Ok(l))),
                        (Job::PutDocument { ack, .. }, Outcome::Document(d)) => {
                            drop(ack.send(Ok(d)))
                        }
                        (Job::RevokeDocument { ack, .. }, Outcome::DocumentRevoked(b)) => {
                            drop(ack.send(Ok(b)))
                        }
                        _ => unreachable!("outcomes follow jobs one to one"),
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "commit failed; answering 503");
                let msg = e.to_string();
                for job in batch {
                    match job {
                        Job::Append(_, ack) => drop(ack.send(Err(msg.clone()))),
                        Job::CreateInbox { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::SetSecret { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::Purge { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::MarkPulled { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::PutLink { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::PutDocument { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::RevokeDocument { ack, .. } => drop(ack.send(Err(msg.clone()))),
                    }
                }
            }
        }
    }
}

/// Applies a batch in one transaction; any failure rolls the whole batch
/// back and fails every job in it (their clients retry).
fn commit_batch(conn: &mut Connection, batch: &[Job]) -> Result<Vec<Outcome>, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        outcomes.push(match job {
            Job::Append(e, _) => {
                let n = tx
                    .prepare_cached(
                        "INSERT INTO events (inbox_id, event_id, type, received_at, payload)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (inbox_id, event_id) DO NOTHING",
                    )?
                    .execute(params![e.inbox, e.id, e.event_type, e.received_at, e.payload])?;
                Outcome::Append(if n == 0 {
                    Appended::Duplicate
                } else {
                    Appended::Stored(tx.last_insert_rowid())
                })
            }
            Job::CreateInbox { id, token_sha256, secret, .. } => {
                tx.execute(
                    "INSERT INTO inboxes (id, token_sha256, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id, token_sha256.as_slice(), secret, crate::now_rfc3339()],
                )?;
                Outcome::Created
            }
            Job::SetSecret { inbox, secret, previous_valid_until, .. } => {
                // Setting the current secret again changes nothing; otherwise
                // the current one becomes the previous one for the grace period.
                let n = tx.execute(
                    "UPDATE inboxes SET
                        previous_secret = CASE WHEN secret IS NOT NULL AND secret <> ?2 THEN secret ELSE previous_secret END,
                        previous_valid_until = CASE WHEN secret IS NOT NULL AND secret <> ?2 THEN ?3 ELSE previous_valid_until END,
                        secret = ?2
                     WHERE id = ?1",
                    params![inbox, secret, previous_valid_until],
                )?;
                Outcome::SecretSet(n == 1)
            }
            Job::Purge { before, .. } => {
                // A full scan, run hourly: cheap at one user's volume, and
                // it spares every insert an index on received_at.
                let n = tx.execute("DELETE FROM events WHERE received_at < ?1", [before])?;
                Outcome::Purged(n as u64)
            }
            Job::MarkPulled { inbox, cursor, .. } => {
                tx.prepare_cached(
                    "UPDATE inboxes SET pulled_cursor = max(pulled_cursor, ?2) WHERE id = ?1",
                )?
                .execute(params![inbox, cursor])?;
                Outcome::Marked
            }
            Job::PutLink { inbox, token, state, .. } => {
                // The WHERE makes a conflict with another inbox's token a
                // no-op (0 rows) instead of a takeover.
                let n = tx
                    .prepare_cached(
                        "INSERT INTO links (token, inbox_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (token) DO UPDATE SET state = excluded.state,
                             updated_at = excluded.updated_at
                         WHERE links.inbox_id = excluded.inbox_id",
                    )?
                    .execute(params![token, inbox, state, crate::now_rfc3339()])?;
                Outcome::Link(if n == 1 { LinkPut::Stored } else { LinkPut::Taken })
            }
            Job::PutDocument { inbox, token, bundle, .. } => {
                let n = tx
                    .prepare_cached(
                        "INSERT INTO documents (token, inbox_id, bundle, updated_at) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (token) DO UPDATE SET bundle = excluded.bundle,
                             updated_at = excluded.updated_at
                         WHERE documents.inbox_id = excluded.inbox_id AND documents.revoked_at IS NULL",
                    )?
                    .execute(params![token, inbox, bundle, crate::now_rfc3339()])?;
                Outcome::Document(if n == 1 {
                    DocumentPut::Stored
                } else {
                    let owner: String = tx
                        .prepare_cached("SELECT inbox_id FROM documents WHERE token = ?1")?
                        .query_row([token], |r| r.get(0))?;
                    if &owner == inbox { DocumentPut::Revoked } else { DocumentPut::Taken }
                })
            }
            Job::RevokeDocument { inbox, token, .. } => {
                let now = crate::now_rfc3339();
                let n = tx
                    .prepare_cached(
                        "INSERT INTO documents (token, inbox_id, bundle, revoked_at, updated_at)
                         VALUES (?1, ?2, NULL, ?3, ?3)
                         ON CONFLICT (token) DO UPDATE SET bundle = NULL,
                             revoked_at = coalesce(documents.revoked_at, excluded.revoked_at),
                             updated_at = excluded.updated_at
                         WHERE documents.inbox_id = excluded.inbox_id",
                    )?
                    .execute(params![token, inbox, now])?;
                Outcome::DocumentRevoked(n == 1)
            }
        });
    }
    tx.commit()?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_relay_protocol::LinkStatus;

    fn event(inbox: &str, id: &str) -> NewEvent {
        NewEvent {
            inbox: inbox.into(),
            id: id.into(),
            event_type: "ping".into(),
            received_at: crate::now_rfc3339(),
            payload: format!(r#"{{"id":"{id}"}}"#),
        }
    }

    #[tokio::test]
    async fn stores_dedups_orders_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.db");
        let inbox = {
            let store = SqliteStore::open(&path).unwrap();
            let created = store.create_inbox(Some("whsec_a".into())).await.unwrap();
            assert!(created.inbox.starts_with("ibx_"));
            let got = store.inbox(&created.inbox).await.unwrap().unwrap();
            assert!(got.token_matches(&created.token));
            assert!(!got.token_matches("nope"));
            let a = store.append(event(&created.inbox, "evt_1")).await.unwrap();
            let b = store.append(event(&created.inbox, "evt_2")).await.unwrap();
            assert_eq!(
                store.append(event(&created.inbox, "evt_1")).await.unwrap(),
                Appended::Duplicate
            );
            let (Appended::Stored(a), Appended::Stored(b)) = (a, b) else {
                panic!("not stored")
            };
            assert!(a < b);
            created.inbox
        };
        let store = SqliteStore::open(&path).unwrap();
        let events = store.events_after(&inbox, 0, 10).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["evt_1", "evt_2"]
        );
        let after_first = store
            .events_after(&inbox, events[0].cursor, 10)
            .await
            .unwrap();
        assert_eq!(after_first.len(), 1);
        assert!(store.inbox("ibx_unknown").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn concurrent_appends_are_group_committed_and_all_acked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("r.db")).unwrap());
        let inbox = store.create_inbox(None).await.unwrap().inbox;
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let (store, inbox) = (store.clone(), inbox.clone());
                tokio::spawn(async move {
                    store
                        .append(event(&inbox, &format!("evt_{}", i % 150)))
                        .await
                })
            })
            .collect();
        let mut stored = 0;
        for t in tasks {
            if let Appended::Stored(_) = t.await.unwrap().unwrap() {
                stored += 1;
            }
        }
        assert_eq!(stored, 150);
        assert_eq!(
            store.events_after(&inbox, 0, 1000).await.unwrap().len(),
            150
        );
    }

    #[tokio::test]
    async fn links_are_replaced_by_their_owner_only_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let token = {
            let store = SqliteStore::open(&path).unwrap();
            crate::store_suite::links_are_replaced_by_their_owner_only(&store).await
        };
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.link(token).await.unwrap().map(|l| l.status),
            Some(LinkStatus::Paid)
        );
    }

    #[tokio::test]
    async fn sqlite_store_passes_the_store_suite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("r.db")).unwrap());
        crate::store_suite::run_all(store).await;
    }
}
