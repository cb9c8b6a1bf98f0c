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
//! - **Checkpoints on their own thread** (`checkpoint_loop`), PASSIVE, every
//!   200 ms, not inside the writer's commits (issue 26).
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
//! - A page's `replies` (a client accepting or declining a quote) are
//!   sealed by the page with the page's key, so they are ciphertext too.
//!   Anyone with the URL may post one, so at most a few are kept per page
//!   (counted in the writer's transaction); republishing keeps them,
//!   revoking deletes them in the same transaction.
//! - The admin credential (the only bearer that may replace a webhook
//!   secret) is stored as its SHA-256, like the pull token; older files get
//!   a NULL column (no credential until `inbox admin-token`).
//! - Per-inbox quotas (links, live documents, document bytes) are checked
//!   in the same transaction as the write, so a refused write changes
//!   nothing and two concurrent writes cannot both slip under the limit.
//! - **The webhook's inbox is cached** ([`Store::webhook_inbox`], for
//!   [`INBOX_CACHE_TTL`]): it was looked up on a reader thread at every
//!   request (issue 26). Only its secrets are used from the cache, and they
//!   change only through this store's writer, which empties the cache after
//!   the commit and before the answer; a reader that began before cannot put
//!   the old inbox back (a generation count). Bearer tokens are always read
//!   from the file: `acquit-relay inbox admin-token`, another process,
//!   changes the admin credential under a running relay. The TTL bounds
//!   what a hand edit of the file would leave.
//! - `checkout.session.*` events keep their session id, payment link and
//!   payment status in indexed columns, filled at append: the return page
//!   `/p/{token}/done` is an index lookup, not a scan of JSON payloads.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, watch};

use acquit_relay_protocol::{AdminTokenIssued, InboxCreated, LinkState, webhook_path};

/// Largest number of jobs committed in one transaction.
const MAX_BATCH: usize = 4096;
/// Idle reader connections kept open.
const MAX_IDLE_READERS: usize = 8;
/// How long an inbox read from the file is used without reading it again.
pub const INBOX_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);
/// The writer's page cache (negative: KiB, SQLite's convention), 64 MiB:
/// with the default 2 MB, commits read index pages back from the OS.
const WRITER_CACHE_KIB: i64 = -65_536;
/// How often the checkpoint thread copies the WAL into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);
/// Inboxes cached at most (then the cache starts again empty).
const MAX_CACHED_INBOXES: usize = 10_000;

/// Inboxes recently read, for the webhook's lookup (see the module's doc).
#[derive(Debug, Default)]
struct InboxCache {
    inner: Mutex<CachedInboxes>,
}

#[derive(Debug, Default)]
struct CachedInboxes {
    /// Bumped by every change of an inbox made through the writer.
    generation: u64,
    inboxes: HashMap<String, (std::time::Instant, Inbox)>,
}

impl InboxCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CachedInboxes> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The inbox if read less than the TTL ago, else the generation to
    /// give [`InboxCache::keep`] after reading it.
    fn get(&self, id: &str) -> Result<Inbox, u64> {
        let cache = self.lock();
        match cache.inboxes.get(id) {
            Some((at, inbox)) if at.elapsed() < INBOX_CACHE_TTL => Ok(inbox.clone()),
            _ => Err(cache.generation),
        }
    }

    /// Keeps `inbox`, read after [`InboxCache::get`] gave `generation`,
    /// unless an inbox changed since.
    fn keep(&self, generation: u64, inbox: &Inbox) {
        let mut cache = self.lock();
        if cache.generation != generation {
            return;
        }
        if cache.inboxes.len() >= MAX_CACHED_INBOXES {
            cache.inboxes.clear();
        }
        cache
            .inboxes
            .insert(inbox.id.clone(), (std::time::Instant::now(), inbox.clone()));
    }

    /// An inbox changed (committed, not yet answered).
    fn changed(&self) {
        let mut cache = self.lock();
        cache.generation += 1;
        cache.inboxes.clear();
    }
}

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
    /// SHA-256 of the admin credential, if one was issued.
    pub admin_sha256: Option<[u8; 32]>,
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
        hash_matches(token, &self.token_sha256)
    }

    /// Whether `token` is this inbox's admin credential (constant time;
    /// false when none was issued).
    pub fn admin_matches(&self, token: &str) -> bool {
        self.admin_sha256
            .as_ref()
            .is_some_and(|h| hash_matches(token, h))
    }
}

fn hash_matches(token: &str, expected: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    hash.ct_eq(expected).into()
}

/// A fresh random bearer credential and its SHA-256 (what is stored).
pub fn new_credential() -> Result<(String, [u8; 32]), StoreError> {
    let token = random_hex(32)?;
    let hash = Sha256::digest(token.as_bytes()).into();
    Ok((token, hash))
}

/// What a `checkout.session.*` event says about its payment, read once at
/// append for the return page (see [`crate::links::payment_seen`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutRef {
    /// `data.object.id`, the session (`cs_…`).
    pub session: Option<String>,
    /// `data.object.payment_link` (`plink_…`), when made by a Payment Link.
    pub payment_link: Option<String>,
    /// `data.object.payment_status` (`paid`, `unpaid`, …).
    pub payment_status: Option<String>,
}

/// A checkout event of a link, as the return page needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutState {
    /// Stripe event type, `checkout.session.…`.
    pub event_type: String,
    /// The session's `payment_status`.
    pub payment_status: Option<String>,
}

/// Per-inbox limits on what the app may publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Payment links (all states; they are never deleted).
    pub max_links: u64,
    /// Live invoice pages (revoked tombstones are not counted).
    pub max_documents: u64,
    /// Total bytes of the live invoice pages' bundles.
    pub max_document_bytes: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            max_links: 10_000,
            max_documents: 1_000,
            max_document_bytes: 200 * 1024 * 1024,
        }
    }
}

/// What setting a webhook secret did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSet {
    /// Stored (the replaced one kept for the grace period).
    Set,
    /// No such inbox.
    UnknownInbox,
    /// A different secret is set and the caller may not replace it.
    AdminRequired,
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
    /// For `checkout.session.*` events: what the return page reads.
    pub checkout: Option<CheckoutRef>,
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
    /// A new link would exceed the inbox's link quota; nothing written.
    OverQuota,
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
    /// A new page would exceed the inbox's document count; nothing written.
    TooMany,
    /// The inbox's bundles would exceed its byte quota; nothing written.
    TooManyBytes,
}

/// Whether an invoice page is live, without its bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    /// Published and not revoked.
    Live,
    /// Revoked (a tombstone).
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

/// What posting a reply to a page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyAdd {
    /// Stored with this id.
    Stored(i64),
    /// No page was ever published under this token; nothing written.
    Unknown,
    /// The page was revoked; nothing written.
    Revoked,
    /// The page already holds as many replies as allowed; nothing written.
    TooMany,
}

/// A stored reply, as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    /// Increasing in the order received.
    pub id: i64,
    /// RFC 3339.
    pub received_at: String,
    /// The bytes as posted.
    pub sealed: Vec<u8>,
}

/// Event types whose session fields the relay keeps (see
/// [`CheckoutRef`]); everything else stays opaque.
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
    /// Looks an inbox up for verifying a webhook: its secrets are all that
    /// may be used, and they change only through this store, so it may
    /// answer from a cache that such a change empties (SQLite does).
    fn webhook_inbox(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Inbox>, StoreError>> + Send {
        self.inbox(id)
    }
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
    /// `previous_valid_until` (Unix seconds). Unless `replace`, only when no
    /// secret is set yet (or the same one: a retry changes nothing).
    fn set_webhook_secret(
        &self,
        inbox: &str,
        secret: String,
        previous_valid_until: i64,
        replace: bool,
    ) -> impl Future<Output = Result<SecretSet, StoreError>> + Send;
    /// Issues a new admin credential for `inbox`, replacing any earlier
    /// one; None when the inbox is unknown.
    fn issue_admin_token(
        &self,
        inbox: &str,
    ) -> impl Future<Output = Result<Option<AdminTokenIssued>, StoreError>> + Send;
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
    /// replacing the previous one, unless another inbox owns the token or a
    /// new link would exceed `quotas`.
    fn put_link(
        &self,
        inbox: &str,
        token: &str,
        state: &LinkState,
        quotas: &Quotas,
    ) -> impl Future<Output = Result<LinkPut, StoreError>> + Send;
    /// The current state of the payment link `token`, if published.
    fn link(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<LinkState>, StoreError>> + Send;
    /// Stores the encrypted bundle of the invoice page `token` for `inbox`,
    /// replacing the previous one, unless another inbox owns the token, it
    /// was revoked, or it would exceed `quotas`.
    fn put_document(
        &self,
        inbox: &str,
        token: &str,
        bundle: Vec<u8>,
        quotas: &Quotas,
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
    /// Whether the invoice page `token` is live or revoked, without reading
    /// its bundle.
    fn document_status(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<DocumentStatus>, StoreError>> + Send;
    /// Stores a sealed reply to the live page `token` unless it already
    /// holds `max` of them (counted in the same transaction, so concurrent
    /// posts cannot overshoot).
    fn add_reply(
        &self,
        token: &str,
        sealed: Vec<u8>,
        max: u64,
    ) -> impl Future<Output = Result<ReplyAdd, StoreError>> + Send;
    /// The replies to the page `token` of `inbox`, oldest first; None when
    /// that inbox never published (nor revoked) it.
    fn replies(
        &self,
        inbox: &str,
        token: &str,
    ) -> impl Future<Output = Result<Option<Vec<StoredReply>>, StoreError>> + Send;
    /// The newest `checkout.session.*` events (at most `limit`, newest
    /// first) of the inbox that owns the payment link `link_token` whose
    /// session or payment link is `stripe_id`: what the return page reads.
    /// Empty for an unknown link.
    fn checkout_states_of_link(
        &self,
        link_token: &str,
        stripe_id: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<CheckoutState>, StoreError>> + Send;
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
    created_at TEXT NOT NULL,
    -- SHA-256 of the admin credential (NULL: none issued).
    admin_sha256 BLOB
) STRICT;
CREATE TABLE IF NOT EXISTS events (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- checkout.session.* only: data.object.id, .payment_link, .payment_status.
    checkout_session TEXT,
    payment_link TEXT,
    payment_status TEXT,
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
    -- length(bundle), kept so the byte quota is a sum of integers.
    bytes INTEGER,
    CHECK ((bundle IS NULL) = (revoked_at IS NOT NULL))
) STRICT;
";

/// Columns and tables added since the first schema, with what fills them
/// in older files; each applied when its (table, column) is missing (a
/// missing table has no columns), in one transaction. New tables live here
/// rather than in [`SCHEMA`] so that this list says what each version added.
const MIGRATIONS: [(&str, &str, &str); 4] = [
    (
        "inboxes",
        "admin_sha256",
        "ALTER TABLE inboxes ADD COLUMN admin_sha256 BLOB;",
    ),
    (
        "events",
        "checkout_session",
        "ALTER TABLE events ADD COLUMN checkout_session TEXT;
         ALTER TABLE events ADD COLUMN payment_link TEXT;
         ALTER TABLE events ADD COLUMN payment_status TEXT;
         UPDATE events SET
             checkout_session = json_extract(payload, '$.data.object.id'),
             payment_link = json_extract(payload, '$.data.object.payment_link'),
             payment_status = json_extract(payload, '$.data.object.payment_status')
         WHERE substr(type, 1, 17) = 'checkout.session.';",
    ),
    (
        "documents",
        "bytes",
        "ALTER TABLE documents ADD COLUMN bytes INTEGER;
         UPDATE documents SET bytes = length(bundle) WHERE bundle IS NOT NULL;",
    ),
    (
        "replies",
        "sealed",
        // A client's sealed answer to a page (a quote's acceptance), as
        // posted: the relay has no key to read it.
        "CREATE TABLE replies (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             token TEXT NOT NULL REFERENCES documents(token),
             received_at TEXT NOT NULL,
             sealed BLOB NOT NULL
         ) STRICT;",
    ),
];

/// Indexes over the migrated columns (after [`MIGRATIONS`]).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS events_by_session ON events (inbox_id, checkout_session)
    WHERE checkout_session IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_payment_link ON events (inbox_id, payment_link)
    WHERE payment_link IS NOT NULL;
CREATE INDEX IF NOT EXISTS links_by_inbox ON links (inbox_id);
CREATE INDEX IF NOT EXISTS documents_by_inbox ON documents (inbox_id);
CREATE INDEX IF NOT EXISTS replies_by_token ON replies (token, id);
";

fn migrate(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(SCHEMA)?;
    for (table, column, sql) in MIGRATIONS {
        let present = tx
            .prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
            .exists([table, column])?;
        if !present {
            tracing::info!(table, column, "migrating: adding a column or table");
            tx.execute_batch(sql)?;
        }
    }
    tx.execute_batch(INDEXES)?;
    tx.commit()
}

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
        admin_sha256: [u8; 32],
        secret: Option<String>,
        ack: oneshot::Sender<Result<(), String>>,
    },
    SetSecret {
        inbox: String,
        secret: String,
        previous_valid_until: i64,
        replace: bool,
        ack: oneshot::Sender<Result<SecretSet, String>>,
    },
    SetAdmin {
        inbox: String,
        admin_sha256: [u8; 32],
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
        max_links: u64,
        ack: oneshot::Sender<Result<LinkPut, String>>,
    },
    PutDocument {
        inbox: String,
        token: String,
        bundle: Vec<u8>,
        quotas: Quotas,
        ack: oneshot::Sender<Result<DocumentPut, String>>,
    },
    RevokeDocument {
        inbox: String,
        token: String,
        ack: oneshot::Sender<Result<bool, String>>,
    },
    AddReply {
        token: String,
        sealed: Vec<u8>,
        max: u64,
        ack: oneshot::Sender<Result<ReplyAdd, String>>,
    },
}

enum Outcome {
    Append(Appended),
    Created,
    SecretSet(SecretSet),
    AdminSet(bool),
    Purged(u64),
    Marked,
    Link(LinkPut),
    Document(DocumentPut),
    DocumentRevoked(bool),
    Reply(ReplyAdd),
}

/// SQLite storage: one writer thread with group commit, pooled readers.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: mpsc::Sender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
    notifier: Arc<Notifier>,
    inboxes: Arc<InboxCache>,
    /// Dropped with the store: the checkpoint thread then ends.
    _checkpoints: mpsc::Sender<()>,
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
        let mut conn = open_connection(path)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "could not switch the database to WAL");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Checkpoints run on their own thread (below), not inside the
        // writer's commits; and the pages the writer touches stay in memory.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        migrate(&mut conn)?;
        let checkpointer = open_connection(path)?;
        let (checkpoints, stop) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("relay-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpointer, &stop))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let notifier = Arc::new(Notifier::default());
        let inboxes = Arc::new(InboxCache::default());
        let (tx, rx) = mpsc::channel();
        let (writer_notifier, writer_inboxes) = (notifier.clone(), inboxes.clone());
        std::thread::Builder::new()
            .name("relay-writer".into())
            .spawn(move || writer_loop(conn, rx, &writer_notifier, &writer_inboxes))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            writer: tx,
            readers: Arc::new(Mutex::new(Vec::new())),
            notifier,
            inboxes,
            _checkpoints: checkpoints,
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
        let (token, token_sha256) = new_credential()?;
        let (admin, admin_sha256) = new_credential()?;
        let (ack, rx) = oneshot::channel();
        self.send(Job::CreateInbox {
            id: id.clone(),
            token_sha256,
            admin_sha256,
            secret: webhook_secret,
            ack,
        })?;
        wait_ack(rx).await?;
        Ok(InboxCreated {
            webhook_path: webhook_path(&id),
            inbox: id,
            token,
            admin_token: Some(admin),
        })
    }

    async fn webhook_inbox(&self, id: &str) -> Result<Option<Inbox>, StoreError> {
        let generation = match self.inboxes.get(id) {
            Ok(inbox) => return Ok(Some(inbox)),
            Err(generation) => generation,
        };
        let found = self.inbox(id).await?;
        if let Some(inbox) = &found {
            self.inboxes.keep(generation, inbox);
        }
        Ok(found)
    }

    async fn inbox(&self, id: &str) -> Result<Option<Inbox>, StoreError> {
        let id = id.to_owned();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT id, token_sha256, secret, previous_secret, previous_valid_until,
                        admin_sha256
                 FROM inboxes WHERE id = ?1",
            )?
            .query_row([&id], |r| {
                let hash: Vec<u8> = r.get(1)?;
                let admin: Option<Vec<u8>> = r.get(5)?;
                Ok(Inbox {
                    id: r.get(0)?,
                    token_sha256: hash.try_into().unwrap_or([0; 32]),
                    secret: r.get(2)?,
                    previous_secret: r.get(3)?,
                    previous_valid_until: r.get(4)?,
                    // A malformed hash matches nothing.
                    admin_sha256: admin.and_then(|h| h.try_into().ok()),
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
        replace: bool,
    ) -> Result<SecretSet, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::SetSecret {
            inbox: inbox.to_owned(),
            secret,
            previous_valid_until,
            replace,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn issue_admin_token(&self, inbox: &str) -> Result<Option<AdminTokenIssued>, StoreError> {
        let (admin, admin_sha256) = new_credential()?;
        let (ack, rx) = oneshot::channel();
        self.send(Job::SetAdmin {
            inbox: inbox.to_owned(),
            admin_sha256,
            ack,
        })?;
        Ok(wait_ack(rx).await?.then(|| AdminTokenIssued {
            inbox: inbox.to_owned(),
            admin_token: admin,
        }))
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
        quotas: &Quotas,
    ) -> Result<LinkPut, StoreError> {
        let state = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (ack, rx) = oneshot::channel();
        self.send(Job::PutLink {
            inbox: inbox.to_owned(),
            token: token.to_owned(),
            state,
            max_links: quotas.max_links,
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
        quotas: &Quotas,
    ) -> Result<DocumentPut, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::PutDocument {
            inbox: inbox.to_owned(),
            token: token.to_owned(),
            bundle,
            quotas: *quotas,
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

    async fn document_status(&self, token: &str) -> Result<Option<DocumentStatus>, StoreError> {
        let token = token.to_owned();
        let revoked: Option<bool> = self
            .read(move |c| {
                c.prepare_cached("SELECT revoked_at IS NOT NULL FROM documents WHERE token = ?1")?
                    .query_row([&token], |r| r.get(0))
                    .optional()
            })
            .await?;
        Ok(revoked.map(|r| {
            if r {
                DocumentStatus::Revoked
            } else {
                DocumentStatus::Live
            }
        }))
    }

    async fn add_reply(
        &self,
        token: &str,
        sealed: Vec<u8>,
        max: u64,
    ) -> Result<ReplyAdd, StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(Job::AddReply {
            token: token.to_owned(),
            sealed,
            max,
            ack,
        })?;
        wait_ack(rx).await
    }

    async fn replies(
        &self,
        inbox: &str,
        token: &str,
    ) -> Result<Option<Vec<StoredReply>>, StoreError> {
        let (inbox, token) = (inbox.to_owned(), token.to_owned());
        self.read(move |c| {
            // One row with NULLs for a page of this inbox without replies,
            // none for a page it does not own.
            let mut stmt = c.prepare_cached(
                "SELECT r.id, r.received_at, r.sealed
                 FROM documents d LEFT JOIN replies r ON r.token = d.token
                 WHERE d.token = ?1 AND d.inbox_id = ?2 ORDER BY r.id",
            )?;
            let rows = stmt
                .query_map([&token, &inbox], |r| {
                    Ok(match r.get::<_, Option<i64>>(0)? {
                        Some(id) => Some(StoredReply {
                            id,
                            received_at: r.get(1)?,
                            sealed: r.get(2)?,
                        }),
                        None => None,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((!rows.is_empty()).then(|| rows.into_iter().flatten().collect()))
        })
        .await
    }

    async fn checkout_states_of_link(
        &self,
        link_token: &str,
        stripe_id: &str,
        limit: u32,
    ) -> Result<Vec<CheckoutState>, StoreError> {
        let (token, stripe_id) = (link_token.to_owned(), stripe_id.to_owned());
        self.read(move |c| {
            // Two index probes (session, payment link), merged newest first.
            let mut stmt = c.prepare_cached(
                "SELECT type, payment_status FROM (
                     SELECT e.cursor, e.type, e.payment_status
                     FROM links l JOIN events e ON e.inbox_id = l.inbox_id
                     WHERE l.token = ?1 AND e.checkout_session = ?2
                     UNION
                     SELECT e.cursor, e.type, e.payment_status
                     FROM links l JOIN events e ON e.inbox_id = l.inbox_id
                     WHERE l.token = ?1 AND e.payment_link = ?2
                 ) ORDER BY cursor DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![token, stripe_id, limit], |r| {
                Ok(CheckoutState {
                    event_type: r.get(0)?,
                    payment_status: r.get(1)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    fn subscribe(&self, inbox: &str) -> watch::Receiver<i64> {
        self.notifier.subscribe(inbox)
    }
}

/// Copies committed WAL frames into the database every [`CHECKPOINT_EVERY`]
/// (PASSIVE: never waits for, nor blocks, the writer or readers), until the
/// store is dropped. SQLite's automatic checkpoint ran inside the writer's
/// commit, fsync included: under load a fifth of the writer's time (perf,
/// issue 26), while each webhook waited. Durability does not depend on it:
/// a commit is durable once its WAL frames are synced. Copying less often
/// also copies a page changed by many commits once.
fn checkpoint_loop(conn: &Connection, stop: &mpsc::Receiver<()>) {
    loop {
        let last = matches!(
            stop.recv_timeout(CHECKPOINT_EVERY),
            Err(mpsc::RecvTimeoutError::Disconnected)
        );
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
        }
        if last {
            return;
        }
    }
}

fn writer_loop(
    mut conn: Connection,
    rx: mpsc::Receiver<Job>,
    notifier: &Notifier,
    inboxes: &InboxCache,
) {
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
                // Before any answer: whoever hears "done" finds the change.
                if batch
                    .iter()
                    .any(|job| matches!(job, Job::SetSecret { .. } | Job::SetAdmin { .. }))
                {
                    inboxes.changed();
                }
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
                        (Job::SetAdmin { ack, .. }, Outcome::AdminSet(b)) => drop(ack.send(Ok(b))),
                        (Job::Purge { ack, .. }, Outcome::Purged(n)) => drop(ack.send(Ok(n))),
                        (Job::MarkPulled { ack, .. }, Outcome::Marked) => drop(ack.send(Ok(()))),
                        (Job::PutLink { ack, .. }, Outcome::Link(l)) => drop(ack.send(Ok(l))),
                        (Job::PutDocument { ack, .. }, Outcome::Document(d)) => {
                            drop(ack.send(Ok(d)))
                        }
                        (Job::RevokeDocument { ack, .. }, Outcome::DocumentRevoked(b)) => {
                            drop(ack.send(Ok(b)))
                        }
                        (Job::AddReply { ack, .. }, Outcome::Reply(r)) => drop(ack.send(Ok(r))),
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
                        Job::SetAdmin { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::Purge { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::MarkPulled { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::PutLink { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::PutDocument { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::RevokeDocument { ack, .. } => drop(ack.send(Err(msg.clone()))),
                        Job::AddReply { ack, .. } => drop(ack.send(Err(msg.clone()))),
                    }
                }
            }
        }
    }
}

/// Whether a bundle of `len` bytes fits next to the inbox's other live
/// pages (`count` of them, `bytes` in all); `new` when it adds a page.
pub(crate) fn document_quota(
    new: bool,
    count: u64,
    bytes: u64,
    len: usize,
    quotas: &Quotas,
) -> DocumentPut {
    if new && count >= quotas.max_documents {
        DocumentPut::TooMany
    } else if bytes.saturating_add(len as u64) > quotas.max_document_bytes {
        DocumentPut::TooManyBytes
    } else {
        DocumentPut::Stored
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
                let c = e.checkout.clone().unwrap_or_default();
                let n = tx
                    .prepare_cached(
                        "INSERT INTO events (inbox_id, event_id, type, received_at, payload,
                             checkout_session, payment_link, payment_status)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (inbox_id, event_id) DO NOTHING",
                    )?
                    .execute(params![
                        e.inbox,
                        e.id,
                        e.event_type,
                        e.received_at,
                        e.payload,
                        c.session,
                        c.payment_link,
                        c.payment_status
                    ])?;
                Outcome::Append(if n == 0 {
                    Appended::Duplicate
                } else {
                    Appended::Stored(tx.last_insert_rowid())
                })
            }
            Job::CreateInbox { id, token_sha256, admin_sha256, secret, .. } => {
                tx.execute(
                    "INSERT INTO inboxes (id, token_sha256, admin_sha256, secret, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, token_sha256.as_slice(), admin_sha256.as_slice(), secret, crate::now_rfc3339()],
                )?;
                Outcome::Created
            }
            Job::SetSecret { inbox, secret, previous_valid_until, replace, .. } => {
                // Setting the current secret again changes nothing; otherwise
                // the current one becomes the previous one for the grace period.
                let n = tx.execute(
                    "UPDATE inboxes SET
                        previous_secret = CASE WHEN secret IS NOT NULL AND secret <> ?2 THEN secret ELSE previous_secret END,
                        previous_valid_until = CASE WHEN secret IS NOT NULL AND secret <> ?2 THEN ?3 ELSE previous_valid_until END,
                        secret = ?2
                     WHERE id = ?1 AND (?4 OR secret IS NULL OR secret = ?2)",
                    params![inbox, secret, previous_valid_until, replace],
                )?;
                Outcome::SecretSet(if n == 1 {
                    SecretSet::Set
                } else if tx
                    .prepare_cached("SELECT 1 FROM inboxes WHERE id = ?1")?
                    .exists([inbox])?
                {
                    SecretSet::AdminRequired
                } else {
                    SecretSet::UnknownInbox
                })
            }
            Job::SetAdmin { inbox, admin_sha256, .. } => {
                let n = tx.execute(
                    "UPDATE inboxes SET admin_sha256 = ?2 WHERE id = ?1",
                    params![inbox, admin_sha256.as_slice()],
                )?;
                Outcome::AdminSet(n == 1)
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
            Job::PutLink { inbox, token, state, max_links, .. } => {
                let owner: Option<String> = tx
                    .prepare_cached("SELECT inbox_id FROM links WHERE token = ?1")?
                    .query_row([token], |r| r.get(0))
                    .optional()?;
                let put = match owner {
                    Some(o) if &o != inbox => LinkPut::Taken,
                    Some(_) => {
                        tx.prepare_cached("UPDATE links SET state = ?2, updated_at = ?3 WHERE token = ?1")?
                            .execute(params![token, state, crate::now_rfc3339()])?;
                        LinkPut::Stored
                    }
                    None => {
                        let count: i64 = tx
                            .prepare_cached("SELECT count(*) FROM links WHERE inbox_id = ?1")?
                            .query_row([inbox], |r| r.get(0))?;
                        if count as u64 >= *max_links {
                            LinkPut::OverQuota
                        } else {
                            tx.prepare_cached(
                                "INSERT INTO links (token, inbox_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)",
                            )?
                            .execute(params![token, inbox, state, crate::now_rfc3339()])?;
                            LinkPut::Stored
                        }
                    }
                };
                Outcome::Link(put)
            }
            Job::PutDocument { inbox, token, bundle, quotas, .. } => {
                let existing: Option<(String, bool)> = tx
                    .prepare_cached("SELECT inbox_id, revoked_at IS NOT NULL FROM documents WHERE token = ?1")?
                    .query_row([token], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let put = match existing {
                    Some((owner, _)) if &owner != inbox => DocumentPut::Taken,
                    Some((_, true)) => DocumentPut::Revoked,
                    _ => {
                        // The inbox's other live pages: a replacement does
                        // not count itself twice.
                        let (count, bytes): (i64, i64) = tx
                            .prepare_cached(
                                "SELECT count(*), coalesce(sum(bytes), 0) FROM documents
                                 WHERE inbox_id = ?1 AND bundle IS NOT NULL AND token <> ?2",
                            )?
                            .query_row([inbox, token], |r| Ok((r.get(0)?, r.get(1)?)))?;
                        let verdict = document_quota(existing.is_none(), count as u64, bytes as u64, bundle.len(), quotas);
                        if verdict == DocumentPut::Stored {
                            tx.prepare_cached(
                                "INSERT INTO documents (token, inbox_id, bundle, bytes, updated_at)
                                 VALUES (?1, ?2, ?3, ?4, ?5)
                                 ON CONFLICT (token) DO UPDATE SET bundle = excluded.bundle,
                                     bytes = excluded.bytes, updated_at = excluded.updated_at",
                            )?
                            .execute(params![token, inbox, bundle, bundle.len() as i64, crate::now_rfc3339()])?;
                        }
                        verdict
                    }
                };
                Outcome::Document(put)
            }
            Job::RevokeDocument { inbox, token, .. } => {
                let now = crate::now_rfc3339();
                let n = tx
                    .prepare_cached(
                        "INSERT INTO documents (token, inbox_id, bundle, revoked_at, updated_at)
                         VALUES (?1, ?2, NULL, ?3, ?3)
                         ON CONFLICT (token) DO UPDATE SET bundle = NULL, bytes = NULL,
                             revoked_at = coalesce(documents.revoked_at, excluded.revoked_at),
                             updated_at = excluded.updated_at
                         WHERE documents.inbox_id = excluded.inbox_id",
                    )?
                    .execute(params![token, inbox, now])?;
                if n == 1 {
                    // A revoked page takes no replies, and keeps none.
                    tx.prepare_cached("DELETE FROM replies WHERE token = ?1")?
                        .execute([token])?;
                }
                Outcome::DocumentRevoked(n == 1)
            }
            Job::AddReply { token, sealed, max, .. } => {
                let revoked: Option<bool> = tx
                    .prepare_cached("SELECT revoked_at IS NOT NULL FROM documents WHERE token = ?1")?
                    .query_row([token], |r| r.get(0))
                    .optional()?;
                Outcome::Reply(match revoked {
                    None => ReplyAdd::Unknown,
                    Some(true) => ReplyAdd::Revoked,
                    Some(false) => {
                        let count: i64 = tx
                            .prepare_cached("SELECT count(*) FROM replies WHERE token = ?1")?
                            .query_row([token], |r| r.get(0))?;
                        if count as u64 >= *max {
                            ReplyAdd::TooMany
                        } else {
                            tx.prepare_cached(
                                "INSERT INTO replies (token, received_at, sealed) VALUES (?1, ?2, ?3)",
                            )?
                            .execute(params![token, crate::now_rfc3339(), sealed])?;
                            ReplyAdd::Stored(tx.last_insert_rowid())
                        }
                    }
                })
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
            checkout: None,
        }
    }

    /// The schema as first released, before admin credentials, quotas and
    /// the checkout columns.
    const FIRST_SCHEMA: &str = "
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

    #[tokio::test]
    async fn a_new_webhook_secret_is_used_at_once_though_the_inbox_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relay.db")).unwrap();
        let created = store
            .create_inbox(Some("whsec_first".into()))
            .await
            .unwrap();
        let cached = store.webhook_inbox(&created.inbox).await.unwrap().unwrap();
        assert_eq!(cached.secret.as_deref(), Some("whsec_first"));
        assert!(store.inboxes.get(&created.inbox).is_ok(), "kept");
        let set = store
            .set_webhook_secret(&created.inbox, "whsec_second".into(), i64::MAX, true)
            .await
            .unwrap();
        assert_eq!(set, SecretSet::Set);
        // No wait for the TTL: the writer emptied the cache before answering.
        let now = store.webhook_inbox(&created.inbox).await.unwrap().unwrap();
        assert_eq!(now.secret.as_deref(), Some("whsec_second"));
        assert_eq!(now.previous_secret.as_deref(), Some("whsec_first"));
        // An unknown inbox is read each time, never kept as absent.
        assert!(store.webhook_inbox("ibx_none").await.unwrap().is_none());
        assert!(store.inboxes.get("ibx_none").is_err());
    }

    #[test]
    fn an_inbox_read_before_a_change_is_not_kept_after_it() {
        let cache = InboxCache::default();
        let old = Inbox {
            id: "ibx_a".into(),
            token_sha256: [0; 32],
            secret: Some("whsec_old".into()),
            previous_secret: None,
            previous_valid_until: None,
            admin_sha256: None,
        };
        // A reader misses, reads the old row; the writer commits a change.
        let generation = cache.get("ibx_a").unwrap_err();
        cache.changed();
        cache.keep(generation, &old);
        assert!(cache.get("ibx_a").is_err(), "the old inbox was not kept");
        // Read after the change, it is kept.
        let generation = cache.get("ibx_a").unwrap_err();
        cache.keep(generation, &old);
        assert!(cache.get("ibx_a").is_ok());
    }

    #[tokio::test]
    async fn a_database_of_the_first_schema_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(FIRST_SCHEMA).unwrap();
            c.execute_batch(
                r#"INSERT INTO inboxes (id, token_sha256, secret, created_at)
                   VALUES ('ibx_old', x'00', 'whsec_old', '2026-01-01T00:00:00Z');
                 INSERT INTO links (token, inbox_id, state, updated_at) VALUES
                   ('lnk_old_0123456789', 'ibx_old', '{"status":"open","pay_url":"https://checkout.stripe.com/x","stripe_id":"plink_old"}', 'now');
                 INSERT INTO events (inbox_id, event_id, type, received_at, payload) VALUES
                   ('ibx_old', 'evt_1', 'checkout.session.completed', 'now',
                    '{"data":{"object":{"id":"cs_old","payment_link":"plink_old","payment_status":"paid"}}}'),
                   ('ibx_old', 'evt_2', 'payment_intent.succeeded', 'now',
                    '{"data":{"object":{"id":"pi_old","payment_link":"plink_old"}}}');
                 INSERT INTO documents (token, inbox_id, bundle, updated_at)
                   VALUES ('doc_old_0123456789', 'ibx_old', x'0102030405', 'now');"#,
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        crate::store_suite::first_schema_data_reads_as_migrated(&store).await;
        drop(store);
        // Opening again migrates nothing more.
        SqliteStore::open(&path).unwrap();
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
