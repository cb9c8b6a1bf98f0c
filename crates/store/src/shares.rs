//! Invoice pages shared through the relay (migration 0004).
//!
//! A share is an issued invoice's doc token (the relay's `/v/{token}`) and
//! its AES-256-GCM key, both random. The key stays here, in the user's own
//! database, so every republication (paid, stamped) keeps the same URL; it
//! protects the invoice from the relay's operator, not from this laptop.
//! An invoice has at most one live share; revoking is final, and sharing
//! again makes a new token and key.

use rusqlite::{OptionalExtension, params};

use crate::{Rejection, Store, StoreError, now_rfc3339};

/// Length of a share's key (AES-256).
pub const SHARE_KEY_LEN: usize = 32;

/// A shared page: an invoice's, or a quote's (`quote_shares`).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredShare {
    /// The shared document's number (an invoice's, or a quote's).
    pub invoice_number: String,
    /// Random, URL-safe (192 bits): the relay's public `/v/{token}`.
    pub doc_token: String,
    /// The AES-256-GCM key, random per share.
    pub key: [u8; SHARE_KEY_LEN],
    pub created_at: String,
    /// When the relay last accepted a bundle of it.
    pub published_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl std::fmt::Debug for StoredShare {
    // Never print the key (nor the whole token: with the key it opens the page).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredShare")
            .field("invoice_number", &self.invoice_number)
            .field(
                "doc_token",
                &format!("{}…", &self.doc_token[..4.min(self.doc_token.len())]),
            )
            .field("published_at", &self.published_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "i.number, s.doc_token, s.key, s.created_at, s.published_at, s.revoked_at";

pub(crate) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredShare> {
    let key: Vec<u8> = r.get(2)?;
    Ok(StoredShare {
        invoice_number: r.get(0)?,
        doc_token: r.get(1)?,
        key: key.try_into().unwrap_or([0; SHARE_KEY_LEN]),
        created_at: r.get(3)?,
        published_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

impl Store {
    /// The live share of the issued invoice `number`, if any.
    pub fn live_share(&self, number: &str) -> Result<Option<StoredShare>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM shares s JOIN invoices i ON i.id = s.invoice_id
                     WHERE i.number = ?1 AND s.revoked_at IS NULL"
                ),
                [number],
                row,
            )
            .optional()?)
    }

    /// The live share of `number`, made (a new token and key) when there is
    /// none. Only an issued document can be shared.
    pub fn share(&mut self, number: &str) -> Result<StoredShare, StoreError> {
        let view = self.invoice(number)?;
        let Some(number) = view.number.clone() else {
            return Err(Rejection::Invalid(format!(
                "{number} is a draft: issue it first (`acquit invoice issue`), only an issued invoice can be shared"
            ))
            .into());
        };
        if let Some(share) = self.live_share(&number)? {
            return Ok(share);
        }
        let token = crate::links::new_token()?;
        let mut key = [0u8; SHARE_KEY_LEN];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Decode(format!("no randomness from the OS: {e}")))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO shares (invoice_id, doc_token, key, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![view.id.0, token, key.as_slice(), now_rfc3339()],
            )?;
            Ok(())
        })?;
        self.live_share(&number)?
            .ok_or_else(|| StoreError::Decode("the share just written is missing".into()))
    }

    /// Records that the relay accepted a bundle of the share `doc_token`.
    pub fn share_published(&mut self, doc_token: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE shares SET published_at = ?2 WHERE doc_token = ?1",
                params![doc_token, now_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// Revokes the live share of `number` and returns it (None when there
    /// is none).
    pub fn revoke_share(&mut self, number: &str) -> Result<Option<StoredShare>, StoreError> {
        let Some(share) = self.live_share(number)? else {
            self.invoice(number)?; // an unknown number is an error, not "none"
            return Ok(None);
        };
        let now = now_rfc3339();
        self.write(|tx| {
            tx.execute(
                "UPDATE shares SET revoked_at = ?2 WHERE doc_token = ?1 AND revoked_at IS NULL",
                params![share.doc_token, now],
            )?;
            Ok(())
        })?;
        Ok(Some(StoredShare {
            revoked_at: Some(now),
            ..share
        }))
    }

    /// Every share of `number`, live or revoked, oldest first (revoked ones
    /// may still need their revocation sent to the relay).
    pub fn shares(&self, number: &str) -> Result<Vec<StoredShare>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM shares s JOIN invoices i ON i.id = s.invoice_id
             WHERE i.number = ?1 ORDER BY s.id"
        ))?;
        let rows = stmt.query_map([number], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_live_share_per_invoice_and_revoking_is_final() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("a.db")).unwrap();
        store
            .fill_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            .unwrap();
        assert_eq!(store.live_share("F-2026-0001").unwrap(), None);
        let a = store.share("F-2026-0001").unwrap();
        assert_eq!(a.doc_token.len(), 32);
        assert_ne!(a.key, [0; 32]);
        assert_eq!(
            store.share("F-2026-0001").unwrap(),
            a,
            "the same share again"
        );
        assert!(!format!("{a:?}").contains(&a.doc_token));
        store.share_published(&a.doc_token).unwrap();
        assert!(
            store
                .live_share("F-2026-0001")
                .unwrap()
                .unwrap()
                .published_at
                .is_some()
        );
        let revoked = store.revoke_share("F-2026-0001").unwrap().unwrap();
        assert_eq!(revoked.doc_token, a.doc_token);
        assert_eq!(store.live_share("F-2026-0001").unwrap(), None);
        assert_eq!(store.revoke_share("F-2026-0001").unwrap(), None);
        let b = store.share("F-2026-0001").unwrap();
        assert_ne!((b.doc_token.as_str(), b.key), (a.doc_token.as_str(), a.key));
        assert_eq!(store.shares("F-2026-0001").unwrap().len(), 2);
        assert!(store.share("F-2099-0001").is_err());
        assert!(store.revoke_share("F-2099-0001").is_err());
    }
}
