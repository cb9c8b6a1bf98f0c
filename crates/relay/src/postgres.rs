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
//! - No TLS client here (`NoTls`): connect over 127.0.0.1, a Unix socket or
//!   a private network; the URL (which may hold a password) is never logged.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acquit_relay_protocol::{InboxCreated, LinkState, webhook_path};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use crate::store::{
    Appended, CHECKOUT_EVENT_PREFIX, Document, DocumentPut, Inbox, LinkPut, NewEvent, Notifier,
    Store, StoreError, StoredEvent, random_hex,
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
}

impl Store for PgStore {
    async fn create_inbox(
        &self,
        webhook_secret: Option<String>,
    ) -> Result<InboxCreated, StoreError> {
        let id = format!("ibx_{}", random_hex(12)?);
        let token = random_hex(32)?;
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.client()
            .await?
            .execute(
                "INSERT INTO inboxes (id, token_sha256, secret, created_at) VALUES ($1, $2, $3, $4)",
                &[&id, &hash.as_slice(), &webhook_secret, &crate::now_rfc3339()],
            )
            .await?;
        Ok(InboxCreated {
            webhook_path: webhook_path(&id),
            inbox: id,
            token,
        })
    }

    async fn inbox(&self, id: &str) -> Result<Option<Inbox>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id, token_sha256, secret, previous_secret, previous_valid_until
                 FROM inboxes WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| {
            let hash: Vec<u8> = r.get(1);
            Inbox {
                id: r.get(0),
                token_sha256: hash.try_into().unwrap_or([0; 32]),
                secret: r.get(2),
                previous_secret: r.get(3),
                previous_valid_until: r.get(4),
            }
        }))
    }

    async fn append(&self, event: NewEvent) -> Result<Appended, StoreError> {
        // Lock the inbox row first so cursors commit in order within an
        // inbox (see the module docs); NOTIFY is delivered at COMMIT.
        let row = self
            .client()
            .await?
            .query_opt(
                "WITH owner AS (SELECT id FROM inboxes WHERE id = $1::text FOR UPDATE),
                 ins AS (
                     INSERT INTO events (inbox_id, event_id, type, received_at, payload)
                     SELECT id, $2, $3, $4, $5 FROM owner
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
    ) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE inboxes SET
                    previous_secret = CASE WHEN secret IS NOT NULL AND secret <> $2 THEN secret ELSE previous_secret END,
                    previous_valid_until = CASE WHEN secret IS NOT NULL AND secret <> $2 THEN $3 ELSE previous_valid_until END,
                    secret = $2
                 WHERE id = $1",
                &[&inbox, &secret, &previous_valid_until],
            )
            .await?;
        Ok(n == 1)
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
    ) -> Result<LinkPut, StoreError> {
        let state = serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO links (token, inbox_id, state, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (token) DO UPDATE SET state = excluded.state,
                     updated_at = excluded.updated_at
                 WHERE links.inbox_id = excluded.inbox_id",
                &[&token, &inbox, &state, &crate::now_rfc3339()],
            )
            .await?;
        Ok(if n == 1 {
            LinkPut::Stored
        } else {
            LinkPut::Taken
        })
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
    ) -> Result<DocumentPut, StoreError> {
        let client = self.client().await?;
        let n = client
            .execute(
                "INSERT INTO documents (token, inbox_id, bundle, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (token) DO UPDATE SET bundle = excluded.bundle,
                     updated_at = excluded.updated_at
                 WHERE documents.inbox_id = excluded.inbox_id AND documents.revoked_at IS NULL",
                &[&token, &inbox, &bundle, &crate::now_rfc3339()],
            )
            .await?;
        if n == 1 {
            return Ok(DocumentPut::Stored);
        }
        // Ownership never changes and revocation is final, so reading the
        // reason after the no-op is not racy.
        let owner: String = client
            .query_one("SELECT inbox_id FROM documents WHERE token = $1", &[&token])
            .await?
            .get(0);
        Ok(if owner == inbox {
            DocumentPut::Revoked
        } else {
            DocumentPut::Taken
        })
    }

    async fn revoke_document(&self, inbox: &str, token: &str) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO documents (token, inbox_id, bundle, revoked_at, updated_at)
                 VALUES ($1, $2, NULL, $3, $3)
                 ON CONFLICT (token) DO UPDATE SET bundle = NULL,
                     revoked_at = coalesce(documents.revoked_at, excluded.revoked_at),
                     updated_at = excluded.updated_at
                 WHERE documents.inbox_id = excluded.inbox_id",
                &[&token, &inbox, &crate::now_rfc3339()],
            )
            .await?;
        Ok(n == 1)
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

    async fn checkout_events_of_link(
        &self,
        link_token: &str,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let prefix = format!("{CHECKOUT_EVENT_PREFIX}%");
        let rows = self
            .client()
            .await?
            .query(
                "SELECT e.cursor, e.event_id, e.type, e.received_at, e.payload
                 FROM links l JOIN events e ON e.inbox_id = l.inbox_id
                 WHERE l.token = $1 AND e.type LIKE $2
                 ORDER BY e.cursor DESC LIMIT $3",
                &[&link_token, &prefix, &i64::from(limit)],
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

    #[tokio::test]
    async fn an_unreachable_database_fails_to_open() {
        // Port 9 (discard) on localhost: nothing listens there.
        let err = PgStore::open("postgres://nobody@127.0.0.1:9/none")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Postgres(_)), "{err}");
    }
}
