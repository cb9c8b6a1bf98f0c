//! The seller's profile and the clients.

use acquit_core::{Client, Seller};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::{Rejection, Store, StoreError, from_json, now_rfc3339, to_json};

/// A client's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(pub i64);

impl Store {
    /// Sets (or replaces) the company profile. Issued invoices keep the
    /// profile they were issued with.
    pub fn set_seller(&mut self, seller: &Seller) -> Result<(), StoreError> {
        if seller.legal_name.trim().is_empty() || seller.address == Default::default() {
            return Err(Rejection::Invalid(
                "the company needs a legal name and an address (--name, --address)".into(),
            )
            .into());
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO seller (id, profile, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at",
                (to_json(seller), now_rfc3339()),
            )?;
            Ok(())
        })
    }

    pub fn seller(&self) -> Result<Option<Seller>, StoreError> {
        let profile: Option<String> = self
            .conn()
            .query_row("SELECT profile FROM seller WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        profile.map(|p| from_json(&p)).transpose()
    }

    /// Sets the logo printed on invoices: a PNG of at most 1 MB (see
    /// [`check_logo`]).
    pub fn set_logo(&mut self, png: &[u8]) -> Result<(), StoreError> {
        check_logo(png)?;
        self.write(|tx| {
            let updated = tx.execute("UPDATE seller SET logo_png = ?1 WHERE id = 1", [png])?;
            if updated == 0 {
                return Err(Rejection::NoSeller.into());
            }
            Ok(())
        })
    }

    /// The logo, if one was set.
    pub fn logo(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT logo_png FROM seller WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// The logo invoice `number` was issued with (drawn "as issued" and on
    /// every later copy): the seller's logo of that day, not today's. For
    /// an invoice issued before Acquit kept them, today's.
    pub fn issued_logo(&self, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.logo_of("invoices", number)
    }

    /// [`Store::issued_logo`] for issued quote `number`.
    pub fn issued_quote_logo(&self, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.logo_of("quotes", number)
    }

    fn logo_of(&self, table: &str, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let found: Option<(Option<String>, Option<Vec<u8>>)> = self
            .conn()
            .query_row(
                &format!(
                    "SELECT d.logo, l.png FROM {table} d LEFT JOIN logos l ON l.sha256 = d.logo
                     WHERE d.number = ?1"
                ),
                [number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            None | Some((None, _)) => self.logo(),
            Some((Some(sha), _)) if sha.is_empty() => Ok(None),
            Some((Some(_), Some(png))) => Ok(Some(png)),
            Some((Some(sha), None)) => Err(StoreError::Decode(format!(
                "the logo {sha} of {number} is missing from the books"
            ))),
        }
    }

    pub fn add_client(&mut self, client: &Client) -> Result<ClientId, StoreError> {
        check_client(client)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO clients (name, profile, created_at) VALUES (?1, ?2, ?3)",
                (client.name.trim(), to_json(client), now_rfc3339()),
            )?;
            Ok(ClientId(tx.last_insert_rowid()))
        })
    }

    /// The client already in the books that `client` would duplicate: the
    /// same SIREN, the same email, or the same name (case and spaces
    /// ignored). An import uses it so that importing a file twice adds
    /// nobody twice.
    pub fn duplicate_of(&self, client: &Client) -> Result<Option<(ClientId, String)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, name, profile FROM clients ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, name, profile) = row?;
            let known: Client = from_json(&profile)?;
            if same_client(&known, client) {
                return Ok(Some((ClientId(id), name)));
            }
        }
        Ok(None)
    }

    /// Adds `clients` in one transaction, all or none (an import once its
    /// preview was confirmed); each is checked as `add_client` checks.
    pub fn add_clients(&mut self, clients: &[Client]) -> Result<Vec<ClientId>, StoreError> {
        for client in clients {
            check_client(client)?;
        }
        self.write(|tx| {
            let mut ids = Vec::with_capacity(clients.len());
            for client in clients {
                tx.execute(
                    "INSERT INTO clients (name, profile, created_at) VALUES (?1, ?2, ?3)",
                    (client.name.trim(), to_json(client), now_rfc3339()),
                )?;
                ids.push(ClientId(tx.last_insert_rowid()));
            }
            Ok(ids)
        })
    }

    /// Replaces a client's profile. Its drafts are issued with the new one;
    /// its issued invoices keep the copy they were issued with.
    pub fn update_client(&mut self, id: ClientId, client: &Client) -> Result<(), StoreError> {
        check_client(client)?;
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE clients SET name = ?2, profile = ?3 WHERE id = ?1",
                (id.0, client.name.trim(), to_json(client)),
            )?;
            if changed == 0 {
                return Err(Rejection::NoSuchClient(id.0).into());
            }
            Ok(())
        })
    }

    pub fn client(&self, id: ClientId) -> Result<Client, StoreError> {
        let profile: Option<String> = self
            .conn()
            .query_row("SELECT profile FROM clients WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()?;
        match profile {
            Some(p) => from_json(&p),
            None => Err(Rejection::NoSuchClient(id.0).into()),
        }
    }

    /// All clients, by name.
    pub fn clients(&self) -> Result<Vec<(ClientId, Client)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, profile FROM clients ORDER BY name COLLATE NOCASE, id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (id, profile) = row?;
            Ok((ClientId(id), from_json(&profile)?))
        })
        .collect()
    }
}

/// What every client profile must have: a name, and its VAT number when
/// it is invoiced without French VAT inside the EU.
fn check_client(client: &Client) -> Result<(), StoreError> {
    if client.name.trim().is_empty() {
        return Err(
            Rejection::Invalid("the client's name is empty: give one with --name".into()).into(),
        );
    }
    if client.vat_exemption.needs_client_vat_number() && client.vat_number.is_none() {
        return Err(Rejection::ExemptionNeedsVatNumber {
            client: client.name.trim().to_owned(),
            exemption: client.vat_exemption.as_str().to_owned(),
        }
        .into());
    }
    Ok(())
}

/// Refuses a logo that is not a PNG, is over 1 MB or declares more than
/// 4,096 pixels a side, with what to do.
/// Keeps the seller's current logo for a document being issued in `tx`:
/// what its `logo` column records ('' for none, else the SHA-256 of the PNG
/// kept in `logos`).
pub(crate) fn seal_logo(tx: &rusqlite::Transaction<'_>) -> Result<String, StoreError> {
    let png: Option<Vec<u8>> = tx
        .query_row("SELECT logo_png FROM seller WHERE id = 1", [], |r| r.get(0))
        .optional()?
        .flatten();
    let Some(png) = png else {
        return Ok(String::new());
    };
    let sha = crate::einvoicing::sha256_hex(&png);
    tx.execute(
        "INSERT OR IGNORE INTO logos (sha256, png) VALUES (?1, ?2)",
        rusqlite::params![sha, png],
    )?;
    Ok(sha)
}

pub fn check_logo(png: &[u8]) -> Result<(), Rejection> {
    // The rule (PNG, 1 MiB, 4,096 pixels a side from its header) is core's.
    acquit_core::logo::check(png).map_err(|e| Rejection::Invalid(e.to_string()))
}

/// A client's name as names are compared: case and inner spaces ignored.
pub(crate) fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `a` and `b` are the same client: the same SIREN, the same
/// email, or the same name (case and inner spaces ignored).
pub fn same_client(a: &Client, b: &Client) -> bool {
    let name = |c: &Client| name_key(&c.name);
    (a.siren.is_some() && a.siren == b.siren)
        || (a.email.is_some()
            && a.email.as_ref().map(|e| e.as_str().to_lowercase())
                == b.email.as_ref().map(|e| e.as_str().to_lowercase()))
        || name(a) == name(b)
}

impl Store {
    /// Clients whose name, email or SIREN contains `term` (all of them for an
    /// empty term), by name; at most `limit`.
    pub fn search_clients(
        &self,
        term: &str,
        limit: usize,
    ) -> Result<Vec<(ClientId, Client)>, StoreError> {
        let term = term.trim();
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, profile FROM clients
             WHERE ?1 = '' OR name LIKE '%' || ?1 || '%'
                OR json_extract(profile, '$.email') LIKE '%' || ?1 || '%'
                OR json_extract(profile, '$.siren') LIKE '%' || ?1 || '%'
             ORDER BY name COLLATE NOCASE, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![term, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?;
        rows.map(|row| {
            let (id, profile) = row?;
            Ok((ClientId(id), from_json(&profile)?))
        })
        .collect()
    }
}
