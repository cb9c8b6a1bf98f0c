//! PostgreSQL storage (`--database-url postgres://…`), for several relay
//! instances behind a load balancer sharing one database.
//!
//! Why it is built this way:
//! - **Same [`Store`] contract as SQLite**, so the server does not know which
//!   one it runs on, and the same test suite runs on both.
//! - **Each write is one statement, hence one transaction**, acknowledged
//!   only when PostgreSQL reports the COMMIT (`synchronous_commit = on` is
//!   set on every connection, whatever the server's default): a 200 still
//!   means durable. PostgreSQL commits concurrent connections' transactions
//!   together, so a small pool of connections gives group commit for free.
//! - **Cursors are ordered per inbox across instances.** A sequence hands
//!   out numbers in call order, not commit order: cursor 11 could become
//!   visible before 10, and a client that already passed `after=11` would
//!   never see 10. Each append therefore locks its inbox's row
//!   (`FOR UPDATE`) before drawing its cursor, so within an inbox cursors
//!   commit in order. Inboxes still write in parallel.
//! - **LISTEN/NOTIFY wakes long-polls on every instance**: the append
//!   statement itself calls `pg_notify`, delivered at COMMIT; one dedicated
//!   connection per instance listens and feeds the same per-inbox watch
//!   channels as SQLite. If that connection drops, it reconnects and wakes
//!   every long-poll once, so a notification lost meanwhile only costs a
//!   re-read.
//! - **Quota'd writes** (links, documents) run as one transaction on a
//!   connection of their own that first locks the inbox's row: each
//!   statement of a READ COMMITTED transaction sees what committed before
//!   it, so after the lock the counts are exact, across instances too.
//!   Replies to a page, capped per page, lock the page's row instead, on
//!   the same connection; a revocation takes that lock before deleting
//!   them, in its own transaction.
//! - No TLS client here (`NoTls`): connect over 127.0.0.1, a Unix socket or
//!   a private network; the URL (which may hold a password) is never logged.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acquit_relay_protocol::{AdminTokenIssued, InboxCreated, LinkState, webhook_path};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use crate::store::{
    Appended, CheckoutState, Document, DocumentPut, DocumentStatus, Inbox, LinkPut, NewEvent,
    Notifier, Quotas, ReplyAdd, SecretSet, Store, StoreError, StoredEvent, StoredReply,
    document_quota, new_credential, random_hex,
};

/// Connections used for queries (each pipelines concurrent requests).
const POOL_SIZE: usize = 4;
/// The NOTIFY channel; payload `"{inbox} {cursor}"`.
const CHANNEL: &str = "acquit_relay_events";

const SCHEMA: &str = "
SELECT pg_advisory_xact_lock(7347221);
CREATE TABLE IF NOT EXISTS inboxes (
    id TEXT PRIMARY KEY,
    token_sha256 BYTEA NOT NULL,
    secret TEXT,
    previous_secret TEXT,
    previous_valid_until BIGINT,
    pulled_cursor BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    admin_sha256 BYTEA
);
CREATE TABLE IF NOT EXISTS events (
    cursor BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    checkout_session TEXT,
    payment_link TEXT,
    payment_status TEXT,
    UNIQUE (inbox_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_by_inbox ON events (inbox_id, cursor);
CREATE TABLE IF NOT EXISTS links (
    token TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    token TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    bundle BYTEA,
    revoked_at TEXT,
    updated_at TEXT NOT NULL,
    bytes BIGINT,
    CHECK ((bundle IS NULL) = (revoked_at IS NOT NULL))
);
-- Older databases: the columns added since, filled from what is stored.
ALTER TABLE inboxes ADD COLUMN IF NOT EXISTS admin_sha256 BYTEA;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'events' AND column_name = 'checkout_session') THEN
        ALTER TABLE events ADD COLUMN checkout_session TEXT, ADD COLUMN payment_link TEXT,
            ADD COLUMN payment_status TEXT;
        UPDATE events SET checkout_session = payload::jsonb #>> '{data,object,id}',
            payment_link = payload::jsonb #>> '{data,object,payment_link}',
            payment_status = payload::jsonb #>> '{data,object,payment_status}'
        WHERE type LIKE 'checkout.session.%';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'documents' AND column_name = 'bytes') THEN
        ALTER TABLE documents ADD COLUMN bytes BIGINT;
        UPDATE documents SET bytes = octet_length(bundle) WHERE bundle IS NOT NULL;
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS events_by_session ON events (inbox_id, checkout_session)
    WHERE checkout_session IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_payment_link ON events (inbox_id, payment_link)
    WHERE payment_link IS NOT NULL;
CREATE INDEX IF NOT EXISTS links_by_inbox ON links (inbox_id);
CREATE INDEX IF NOT EXISTS documents_by_inbox ON documents (inbox_id);
-- Added with quote replies: a client's sealed answer to a page.
CREATE TABLE IF NOT EXISTS replies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token TEXT NOT NULL REFERENCES documents(token),
    received_at TEXT NOT NULL,
    sealed BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS replies_by_token ON replies (token, id);
";

/// Aborts a task when dropped.
#[derive(Debug)]
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// PostgreSQL storage: a small connection pool and one LISTEN connection.
pub struct PgStore {
    config: Config,
    slots: Vec<Mutex<Option<Arc<Client>>>>,
    next: AtomicUsize,
    /// The connection quota'd writes take in turn (see the module docs).
    writes: tokio::sync::Mutex<Option<Client>>,
    notifier: Arc<Notifier>,
    _listener: AbortOnDrop,
}

impl std::fmt::Debug for PgStore {
    // The config holds the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "postgres connection lost");
        }
    });
    client.batch_execute("SET synchronous_commit = on").await?;
    Ok(client)
}

/// Connects, LISTENs, and returns the task that forwards notifications
/// until the connection ends.
async fn listen_once(
    config: &Config,
    notifier: &Arc<Notifier>,
) -> Result<JoinHandle<()>, tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let fwd = notifier.clone();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    let parsed = n
                        .payload()
                        .split_once(' ')
                        .and_then(|(inbox, c)| Some((inbox, c.parse::<i64>().ok()?)));
                    if let Some((inbox, cursor)) = parsed {
                        fwd.notify(inbox, cursor);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "postgres LISTEN connection failed");
                    break;
                }
                None => break,
            }
        }
    });
    if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
        driver.abort();
        return Err(e);
    }
    Ok(tokio::spawn(async move {
        let _keep_open = client;
        let _ = driver.await;
    }))
}

impl PgStore {
    /// Connects to `url` (`postgres://…`), creates the tables if needed and
    /// starts listening for other instances' events. Fails if the database
    /// is unreachable.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let mut config: Config = url.parse()?;
        Self::open_config(&mut config).await
    }

    /// Like [`PgStore::open`] with a parsed config.
    pub async fn open_config(config: &mut Config) -> Result<Self, StoreError> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let first = connect(config).await?;
        first.batch_execute(SCHEMA).await?;
        let notifier = Arc::new(Notifier::default());
        let current = listen_once(config, &notifier).await?;
        let (cfg, n) = (config.clone(), notifier.clone());
        let supervisor = tokio::spawn(async move {
            let mut current = AbortOnDrop(current);
            loop {
                let _ = (&mut current.0).await;
                tracing::warn!("postgres LISTEN connection lost; reconnecting");
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    match listen_once(&cfg, &n).await {
                        Ok(h) => {
                            current = AbortOnDrop(h);
                            // Anything committed meanwhile: long-polls re-read.
                            n.notify_all();
                            break;
                        }
                        Err(e) => tracing::warn!(error = %e, "postgres LISTEN reconnect failed"),
                    }
                }
            }
        });
        let slots: Vec<_> = (0..POOL_SIZE).map(|_| Mutex::new(None)).collect();
        *slots[0].lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(first));
        Ok(Self {
            config: config.clone(),
            slots,
            next: AtomicUsize::new(0),
            writes: tokio::sync::Mutex::new(None),
            notifier,
            _listener: AbortOnDrop(supervisor),
        })
    }

    /// A live pooled connection, reconnecting a dead or missing one.
    async fn client(&self) -> Result<Arc<Client>, StoreError> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()];
        let existing = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(c) = existing
            && !c.is_closed()
        {
            return Ok(c);
        }
        let c = Arc::new(connect(&self.config).await?);
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
        Ok(c)
    }

    /// The write connection, reconnected if dead, held until the guard
    /// drops; the inbox's row is locked by the caller's transaction.
    async fn writer(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Client>>, StoreError> {
        let mut guard = self.writes.lock().await;
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(connect(&self.config).await?);
        }
        Ok(guard)
    }
}

/// Locks `inbox`'s row for the rest of `tx` (quota'd writes, appends).
async fn lock_inbox(tx: &tokio_postgres::Transaction<'_>, inbox: &str) -> Result<(), StoreError> {
    tx.query_opt("SELECT 1 FROM inboxes WHERE id = $1 FOR UPDATE", &[&inbox])
        .await?;
    Ok(())
}

impl Store for PgStore {
    async fn create_inbox(
        &self,
        webhook_secret: Option<String>,
    ) -> Result<InboxCreated, StoreError> {
        let id = format!("ibx_{}", random_hex(12)?);
        let (token, hash) = new_credential()?;
        let (admin, admin_hash) = new_credential()?;
        self.client()
            .await?
            .execute(
                "INSERT INTO inboxes (id, token_sha256, admin_sha256, secret, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &id,
                    &hash.as_slice(),
                    &admin_hash.as_slice(),
                    &webhook_secret,
                    &crate::now_rfc3339(),
                ],
            )
            .await?;
        Ok(InboxCreated {
            webhook_path: webhook_path(&id),
            inbox: id,
            token,
            admin_token: Some(admin),
        })
    }

    async fn inbox(&self, id: &str) -> Result<Option<Inbox>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id, token_sha256, secret, previous_secret, previous_valid_until,
                        admin_sha256
                 FROM inboxes WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| {
            let hash: Vec<u8> = r.get(1);
            let admin: Option<Vec<u8>> = r.get(5);
            Inbox {
                id: r.get(0),
                token_sha256: hash.try_into().unwrap_or([0; 32]),
                secret: r.get(2),
                previous_secret: r.get(3),
                previous_valid_until: r.get(4),
                admin_sha256: admin.and_then(|h| h.try_into().ok()),
            }
        }))
    }

    async fn append(&self, event: NewEvent) -> Result<Appended, StoreError> {
        // Lock the inbox row first so cursors commit in order within an
        // inbox (see the module docs); NOTIFY is delivered at COMMIT.
        let c = event.checkout.unwrap_or_default();
        let row = self
            .client()
            .await?
            .query_opt(
                "WITH owner AS (SELECT id FROM inboxes WHERE id = $1::text FOR UPDATE),
                 ins AS (
                     INSERT INTO events (inbox_id, event_id, type, received_at, payload,
                         checkout_session, payment_link, payment_status)
                     SELECT id, $2, $3, $4, $5, $7, $8, $9 FROM owner
                     ON CONFLICT (inbox_id, event_id) DO NOTHING
                     RETURNING cursor
                 )
                 SELECT cursor, pg_notify($6, $1::text || ' ' || cursor)::text FROM ins",
                &[
                    &event.inbox,
                    &event.id,
                    &event.event_type,
                    &event.received_at,
                    &event.payload,
                    &CHANNEL,
                    &c.session,
                    &c.payment_link,
                    &c.payment_status,
                ],
            )
            .await?;
        Ok(match row {
            Some(r) => Appended::Stored(r.get(0)),
            None => Appended::Duplicate,
        })
    }

    async fn events_after(
        &self,
        inbox: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT cursor, event_id, type, received_at, payload FROM events
                 WHERE inbox_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3",
                &[&inbox, &after, &i64::from(limit)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoredEvent {
                cursor: r.get(0),
                id: r.get(1),
                event_type: r.get(2),
                received_at: r.get(3),
                payload: r.get(4),
            })
            .collect())
    }

    async fn set_webhook_secret(
        &self,
        inbox: &str,
        secret: String,
        previous_valid_until: i64,
        replace: bool,
    ) -> Result<SecretSet, StoreError> {
        let client = self.client().await?;
        let n = client
            .execute(
                "UPDATE inboxes SET
                    previous_secret = CASE WHEN secret IS NOT NULL AND secret <> $2 THEN secret ELSE previous_secret END,
                    previous_valid_until = CASE WHEN secret IS NOT NULL AND secret <> $2 THEN $3 ELSE previous_valid_until END,
                    secret = $2
                 WHERE id = $1 AND ($4 OR secret IS NULL OR secret = $2)",
                &[&inbox, &secret, &previous_valid_until, &replace],
            )
            .await?;
        if n == 1 {
            return Ok(SecretSet::Set);
        }
        let exists = client
            .query_opt("SELECT 1 FROM inboxes WHERE id = $1", &[&inbox])
            .await?
            .is_some();
        Ok(if exists {
            SecretSet::AdminRequired
        } else {
            SecretSet::UnknownInbox
        })
    }

    async fn issue_admin_token(&self, inbox: &str) -> Result<Option<AdminTokenIssued>, StoreError> {
        let (admin, hash) = new_credential()?;
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE inboxes SET admin_sha256 = $2 WHERE id = $1",
                &[&inbox, &hash.as_slice()],
            )
            .await?;
        Ok((n == 1).then(|| AdminTokenIssued {
            inbox: inbox.to_owned(),
            admin_token: admin,
        }))
    }

    async fn purge_before(&self, received_before: String) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute(
                "DELETE FROM events WHERE received_at < $1",
                &[&received_before],
            )
            .await?)
    }

    async fn mark_pulled(&self, inbox: &str, cursor: i64) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "UPDATE inboxes SET pulled_cursor = GREATEST(pulled_cursor, $2) WHERE id = $1",
                &[&inbox, &cursor],
            )
            .await?;
        Ok(())
    }

    async fn oldest_unpulled(&self) -> Result<Option<String>, StoreError> {
        let row = self
            .client()
            .await?
            .query_one(
                "SELECT min(e.received_at) FROM inboxes i CROSS JOIN LATERAL (
                     SELECT received_at FROM events
                     WHERE inbox_id = i.id AND cursor > i.pulled_cursor
                     ORDER BY cursor LIMIT 1) e",
                &[],
            )
            .await?;
        Ok(row.get(0))
    }

    async fn put_link(
        &self,
        inbox: &str,
        token: &str,
        state: &LinkState,
        quotas: &Quotas,
    ) -> Result<LinkPut, StoreError> {
        let state = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut guard = self.writer().await?;
        let Some(client) = guard.as_mut() else {
            return Err(StoreError::WriterGone);
        };
        let tx = client.transaction().await?;
        lock_inbox(&tx, inbox).await?;
        let owner: Option<String> = tx
            .query_opt("SELECT inbox_id FROM links WHERE token = $1", &[&token])
            .await?
            .map(|r| r.get(0));
        let now = crate::now_rfc3339();
        let put = match owner {
            Some(o) if o != inbox => LinkPut::Taken,
            Some(_) => {
                tx.execute(
                    "UPDATE links SET state = $2, updated_at = $3 WHERE token = $1",
                    &[&token, &state, &now],
                )
                .await?;
                LinkPut::Stored
            }
            None => {
                let count: i64 = tx
                    .query_one("SELECT count(*) FROM links WHERE inbox_id = $1", &[&inbox])
                    .await?
                    .get(0);
                if count as u64 >= quotas.max_links {
                    LinkPut::OverQuota
                } else {
                    // A concurrent first publication of the same token by
                    // another inbox makes this conflict: then it is taken.
                    let n = tx
                        .execute(
                            "INSERT INTO links (token, inbox_id, state, updated_at)
                             VALUES ($1, $2, $3, $4) ON CONFLICT (token) DO NOTHING",
                            &[&token, &inbox, &state, &now],
                        )
                        .await?;
                    if n == 1 {
                        LinkPut::Stored
                    } else {
                        LinkPut::Taken
                    }
                }
            }
        };
        tx.commit().await?;
        Ok(put)
    }

    async fn link(&self, token: &str) -> Result<Option<LinkState>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT state FROM links WHERE token = $1", &[&token])
            .await?;
        row.map(|r| {
            serde_json::from_str(r.get::<_, &str>(0))
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }

    async fn put_document(
        &self,
        inbox: &str,
        token: &str,
        bundle: Vec<u8>,
        quotas: &Quotas,
    ) -> Result<DocumentPut, StoreError> {
        let mut guard = self.writer().await?;
        let Some(client) = guard.as_mut() else {
            return Err(StoreError::WriterGone);
        };
        let tx = client.transaction().await?;
        lock_inbox(&tx, inbox).await?;
        let existing: Option<(String, bool)> = tx
            .query_opt(
                "SELECT inbox_id, revoked_at IS NOT NULL FROM documents WHERE token = $1",
                &[&token],
            )
            .await?
            .map(|r| (r.get(0), r.get(1)));
        let put = match existing {
            Some((owner, _)) if owner != inbox => DocumentPut::Taken,
            Some((_, true)) => DocumentPut::Revoked,
            _ => {
                let row = tx
                    .query_one(
                        "SELECT count(*), coalesce(sum(bytes), 0)::BIGINT FROM documents
                         WHERE inbox_id = $1 AND bundle IS NOT NULL AND token <> $2",
                        &[&inbox, &token],
                    )
                    .await?;
                let (count, bytes): (i64, i64) = (row.get(0), row.get(1));
                let verdict = document_quota(
                    existing.is_none(),
                    count as u64,
                    bytes as u64,
                    bundle.len(),
                    quotas,
                );
                if verdict == DocumentPut::Stored {
                    // The WHERE turns a concurrent first publication by
                    // another inbox into a no-op: then it is taken.
                    let n = tx
                        .execute(
                            "INSERT INTO documents (token, inbox_id, bundle, bytes, updated_at)
                             VALUES ($1, $2, $3, $4, $5)
                             ON CONFLICT (token) DO UPDATE SET bundle = excluded.bundle,
                                 bytes = excluded.bytes, updated_at = excluded.updated_at
                             WHERE documents.inbox_id = excluded.inbox_id
                                 AND documents.revoked_at IS NULL",
                            &[
                                &token,
                                &inbox,
                                &bundle,
                                &(bundle.len() as i64),
                                &crate::now_rfc3339(),
                            ],
                        )
                        .await?;
                    if n == 1 {
                        DocumentPut::Stored
                    } else {
                        DocumentPut::Taken
                    }
                } else {
                    verdict
                }
            }
        };
        tx.commit().await?;
        Ok(put)
    }

    async fn revoke_document(&self, inbox: &str, token: &str) -> Result<bool, StoreError> {
        let mut guard = self.writer().await?;
        let Some(client) = guard.as_mut() else {
            return Err(StoreError::WriterGone);
        };
        let tx = client.transaction().await?;
        // The upsert takes the page's row lock, which a reply holds until
        // it commits; the DELETE, a statement of its own, then sees every
        // reply committed before the revocation, and later ones find it
        // revoked.
        let n = tx
            .execute(
                "INSERT INTO documents (token, inbox_id, bundle, revoked_at, updated_at)
                 VALUES ($1, $2, NULL, $3, $3)
                 ON CONFLICT (token) DO UPDATE SET bundle = NULL, bytes = NULL,
                     revoked_at = coalesce(documents.revoked_at, excluded.revoked_at),
                     updated_at = excluded.updated_at
                 WHERE documents.inbox_id = excluded.inbox_id",
                &[&token, &inbox, &crate::now_rfc3339()],
            )
            .await?;
        if n == 1 {
            tx.execute("DELETE FROM replies WHERE token = $1", &[&token])
                .await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn add_reply(
        &self,
        token: &str,
        sealed: Vec<u8>,
        max: u64,
    ) -> Result<ReplyAdd, StoreError> {
        let mut guard = self.writer().await?;
        let Some(client) = guard.as_mut() else {
            return Err(StoreError::WriterGone);
        };
        let tx = client.transaction().await?;
        // Locking the page's row serializes replies to it across instances
        // (and against a revocation), so the count below is exact.
        let revoked: Option<bool> = tx
            .query_opt(
                "SELECT revoked_at IS NOT NULL FROM documents WHERE token = $1 FOR UPDATE",
                &[&token],
            )
            .await?
            .map(|r| r.get(0));
        let added = match revoked {
            None => ReplyAdd::Unknown,
            Some(true) => ReplyAdd::Revoked,
            Some(false) => {
                let count: i64 = tx
                    .query_one("SELECT count(*) FROM replies WHERE token = $1", &[&token])
                    .await?
                    .get(0);
                if count as u64 >= max {
                    ReplyAdd::TooMany
                } else {
                    let row = tx
                        .query_one(
                            "INSERT INTO replies (token, received_at, sealed) VALUES ($1, $2, $3)
                             RETURNING id",
                            &[&token, &crate::now_rfc3339(), &sealed],
                        )
                        .await?;
                    ReplyAdd::Stored(row.get(0))
                }
            }
        };
        tx.commit().await?;
        Ok(added)
    }

    async fn replies(
        &self,
        inbox: &str,
        token: &str,
    ) -> Result<Option<Vec<StoredReply>>, StoreError> {
        // One row with NULLs for a page of this inbox without replies, none
        // for a page it does not own.
        let rows = self
            .client()
            .await?
            .query(
                "SELECT r.id, r.received_at, r.sealed
                 FROM documents d LEFT JOIN replies r ON r.token = d.token
                 WHERE d.token = $1 AND d.inbox_id = $2 ORDER BY r.id",
                &[&token, &inbox],
            )
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            rows.into_iter()
                .filter_map(|r| {
                    Some(StoredReply {
                        id: r.get::<_, Option<i64>>(0)?,
                        received_at: r.get(1),
                        sealed: r.get(2),
                    })
                })
                .collect(),
        ))
    }

    async fn document(&self, token: &str) -> Result<Option<Document>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT bundle FROM documents WHERE token = $1", &[&token])
            .await?;
        Ok(row.map(|r| {
            r.get::<_, Option<Vec<u8>>>(0)
                .map_or(Document::Revoked, Document::Live)
        }))
    }

    async fn document_status(&self, token: &str) -> Result<Option<DocumentStatus>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT revoked_at IS NOT NULL FROM documents WHERE token = $1",
                &[&token],
            )
            .await?;
        Ok(row.map(|r| {
            if r.get::<_, bool>(0) {
                DocumentStatus::Revoked
            } else {
                DocumentStatus::Live
            }
        }))
    }

    async fn checkout_states_of_link(
        &self,
        link_token: &str,
        stripe_id: &str,
        limit: u32,
    ) -> Result<Vec<CheckoutState>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT type, payment_status FROM (
                     SELECT e.cursor, e.type, e.payment_status
                     FROM links l JOIN events e ON e.inbox_id = l.inbox_id
                     WHERE l.token = $1 AND e.checkout_session = $2
                     UNION
                     SELECT e.cursor, e.type, e.payment_status
                     FROM links l JOIN events e ON e.inbox_id = l.inbox_id
                     WHERE l.token = $1 AND e.payment_link = $2
                 ) found ORDER BY cursor DESC LIMIT $3",
                &[&link_token, &stripe_id, &i64::from(limit)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| CheckoutState {
                event_type: r.get(0),
                payment_status: r.get(1),
            })
            .collect())
    }

    fn subscribe(&self, inbox: &str) -> watch::Receiver<i64> {
        self.notifier.subscribe(inbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the store suite on the PostgreSQL at
    /// `ACQUIT_RELAY_TEST_DATABASE_URL` (see `tests/start-postgres.sh`), in a
    /// fresh schema. Unset: nothing to run here (SQLite runs the suite
    /// anyway); set but unreachable: this test fails.
    #[tokio::test]
    async fn postgres_store_passes_the_store_suite() {
        let Ok(url) = std::env::var("ACQUIT_RELAY_TEST_DATABASE_URL") else {
            eprintln!("ACQUIT_RELAY_TEST_DATABASE_URL unset: PostgreSQL suite not run");
            return;
        };
        let mut config: Config = url
            .parse()
            .expect("ACQUIT_RELAY_TEST_DATABASE_URL is not a postgres:// URL");
        config.connect_timeout(Duration::from_secs(5));
        let schema = format!("relay_test_{}", random_hex(6).unwrap());
        let admin = connect(&config)
            .await
            .expect("ACQUIT_RELAY_TEST_DATABASE_URL is set but PostgreSQL is unreachable");
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        config.options(format!("-c search_path={schema}"));
        let store = Arc::new(PgStore::open_config(&mut config).await.unwrap());
        crate::store_suite::run_all(store.clone()).await;

        // A second instance on the same database sees the first's events
        // and is woken by them (LISTEN/NOTIFY across instances).
        let other = PgStore::open_config(&mut config).await.unwrap();
        let inbox = store.create_inbox(None).await.unwrap().inbox;
        let mut rx = other.subscribe(&inbox);
        let Appended::Stored(c) = store
            .append(crate::store_suite::event(&inbox, "evt_across"))
            .await
            .unwrap()
        else {
            panic!()
        };
        tokio::time::timeout(Duration::from_secs(2), rx.wait_for(|v| *v >= c))
            .await
            .expect("the other instance is woken")
            .unwrap();
        assert_eq!(other.events_after(&inbox, 0, 10).await.unwrap().len(), 1);

        drop((store, other));
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
    }

    /// The schema as first released (the lock line dropped).
    const FIRST_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS inboxes (
    id TEXT PRIMARY KEY,
    token_sha256 BYTEA NOT NULL,
    secret TEXT,
    previous_secret TEXT,
    previous_valid_until BIGINT,
    pulled_cursor BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    cursor BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    token TEXT PRIMARY KEY,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id),
    bundle BYTEA,
    revoked_at TEXT,
    updated_at TEXT NOT NULL,
    CHECK ((bundle IS NULL) = (revoked_at IS NOT NULL))
);
";

    /// A database of the first schema gets the new columns, filled from
    /// what it holds.
    #[tokio::test]
    async fn a_database_of_the_first_schema_is_migrated() {
        let Ok(url) = std::env::var("ACQUIT_RELAY_TEST_DATABASE_URL") else {
            eprintln!("ACQUIT_RELAY_TEST_DATABASE_URL unset: PostgreSQL migration not run");
            return;
        };
        let mut config: Config = url.parse().unwrap();
        let schema = format!("relay_old_{}", random_hex(6).unwrap());
        let admin = connect(&config).await.unwrap();
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        config.options(format!("-c search_path={schema}"));
        let old = connect(&config).await.unwrap();
        old.batch_execute(FIRST_SCHEMA).await.unwrap();
        old.batch_execute(
            r#"INSERT INTO inboxes (id, token_sha256, secret, created_at)
               VALUES ('ibx_old', '\x00', 'whsec_old', 'now');
             INSERT INTO links (token, inbox_id, state, updated_at) VALUES
               ('lnk_old_0123456789', 'ibx_old', '{"status":"open","stripe_id":"plink_old"}', 'now');
             INSERT INTO events (inbox_id, event_id, type, received_at, payload) VALUES
               ('ibx_old', 'evt_1', 'checkout.session.completed', 'now',
                '{"data":{"object":{"id":"cs_old","payment_link":"plink_old","payment_status":"paid"}}}');
             INSERT INTO documents (token, inbox_id, bundle, updated_at)
               VALUES ('doc_old_0123456789', 'ibx_old', '\x0102030405', 'now');"#,
        )
        .await
        .unwrap();
        let store = PgStore::open_config(&mut config).await.unwrap();
        crate::store_suite::first_schema_data_reads_as_migrated(&store).await;
        drop(store);
        // Opening again migrates nothing more.
        PgStore::open_config(&mut config).await.unwrap();
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_unreachable_database_fails_to_open() {
        // Port 9 (discard) on localhost: nothing listens there.
        let err = PgStore::open("postgres://nobody@127.0.0.1:9/none")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Postgres(_)), "{err}");
    }
}
