//! An import planned against the books: each row of a file read by
//! `acquit_core::import` is new, a client the books already have, the same
//! as an earlier row, or in error. The CLI and the app show this plan as
//! the preview, then write its new clients in one transaction
//! ([`Store::add_clients`]).

use acquit_core::Client;
use acquit_core::import::Parsed;
use serde::Serialize;

use crate::parties::same_client;
use crate::{Store, StoreError};

/// What happens to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Imported when confirmed.
    New,
    /// The books already have this client (named).
    Duplicate { of: String },
    /// An earlier row of the file is the same client.
    Repeated { line: usize },
    /// What is wrong with the row (typed: the app says it in French).
    Error {
        errors: Vec<acquit_core::import::RowError>,
    },
}

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedRow {
    pub line: usize,
    pub name: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The preview of a clients file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientImport {
    pub rows: Vec<PlannedRow>,
    /// The clients to add, in the file's order.
    pub new: Vec<Client>,
    /// The file's headers left out (not recognised).
    pub ignored_columns: Vec<String>,
    /// The columns read: each header and what it is taken for.
    pub columns: Vec<(String, acquit_core::import::Column)>,
}

impl ClientImport {
    /// Rows in error.
    pub fn errors(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Error { .. }))
            .count()
    }
}

impl Store {
    /// Plans importing `parsed` (nothing is written).
    pub fn plan_client_import(&self, parsed: Parsed) -> Result<ClientImport, StoreError> {
        let mut rows = Vec::with_capacity(parsed.rows.len());
        let mut new: Vec<(usize, Client)> = Vec::new();
        for row in parsed.rows {
            let name = row.name;
            let outcome = match row.result {
                Err(errors) => Outcome::Error { errors },
                Ok(client) => {
                    if let Some((_, existing)) = self.duplicate_of(&client)? {
                        Outcome::Duplicate { of: existing }
                    } else if let Some((line, _)) = new
                        .iter()
                        .find(|(_, earlier)| same_client(earlier, &client))
                    {
                        Outcome::Repeated { line: *line }
                    } else {
                        new.push((row.line, client));
                        Outcome::New
                    }
                }
            };
            rows.push(PlannedRow {
                line: row.line,
                name,
                outcome,
            });
        }
        Ok(ClientImport {
            rows,
            new: new.into_iter().map(|(_, c)| c).collect(),
            ignored_columns: parsed.mapping.ignored,
            columns: parsed.mapping.read,
        })
    }
}
