//! The hash-chained journal: one entry per issued document and per payment.
//!
//! Entry n stores the canonical content of its subject (JSON with sorted
//! keys, built from the tables) and `hash = SHA-256(prev_hash ‖ "\n" ‖ kind ‖
//! "\n" ‖ subject ‖ "\n" ‖ content)` in lowercase hex, the first entry's
//! `prev_hash` being 64 zeros. Verifying walks the chain and, for each entry,
//! rebuilds the content from the tables as they are now. So it finds the
//! first broken entry whether someone edited the journal, or an invoice, a
//! line or a payment behind the app's back (with the triggers dropped), or
//! added a document without a journal entry.

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Store, StoreError, now_rfc3339};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the journal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// An issued invoice or credit note, by row id.
    Document(i64),
    /// A payment, refund or counter-entry, by row id.
    Payment(i64),
}

/// The outcome of [`Store::verify_journal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalReport {
    pub entries: u64,
    /// The first problem found, if any.
    pub problem: Option<JournalProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalProblem {
    /// The entry where the chain breaks (0: not in the journal at all).
    pub seq: i64,
    pub subject: String,
    pub what: String,
}

impl std::fmt::Display for JournalProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.seq == 0 {
            write!(f, "{}: {}", self.subject, self.what)
        } else {
            write!(f, "entry {} ({}): {}", self.seq, self.subject, self.what)
        }
    }
}

/// Appends an entry for `subject`, inside the caller's transaction.
pub(crate) fn append(tx: &Transaction<'_>, subject: Subject) -> Result<(), StoreError> {
    let (kind, name, content) = describe(tx, subject)?;
    let prev: String = tx
        .query_row(
            "SELECT hash FROM journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS.to_owned());
    let hash = chain_hash(&prev, &kind, &name, &content);
    tx.execute(
        "INSERT INTO journal (at, kind, subject, content, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (now_rfc3339(), kind, name, content, prev, hash),
    )?;
    Ok(())
}

fn chain_hash(prev: &str, kind: &str, subject: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in [prev, kind, subject, content].into_iter().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(part.as_bytes());
    }
    lower_hex(&hasher.finalize())
}

/// `bytes` in lowercase hex (the journal's hashes, the files sent to the
/// e-invoicing platform).
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Walks the journal and compares it with the tables.
    pub fn verify_journal(&self) -> Result<JournalReport, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT seq, kind, subject, content, prev_hash, hash FROM journal ORDER BY seq",
        )?;
        // Text that is not UTF-8 (bytes changed in the file) is a broken
        // entry to report, not an error that stops the check.
        let text = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<Option<String>> {
            Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec()).ok(),
                _ => None,
            })
        };
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                text(r, 1)?,
                text(r, 2)?,
                text(r, 3)?,
                text(r, 4)?,
                text(r, 5)?,
            ))
        })?;
        let mut expected_prev = GENESIS.to_owned();
        let mut entries = 0u64;
        let mut seen_documents = std::collections::HashSet::new();
        let mut seen_payments = std::collections::HashSet::new();
        for row in rows {
            let (seq, kind, subject, content, prev, hash) = row?;
            entries += 1;
            let (Some(kind), Some(subject), Some(content), Some(prev), Some(hash)) =
                (kind, subject, content, prev, hash)
            else {
                return Ok(JournalReport {
                    entries,
                    problem: Some(JournalProblem {
                        seq,
                        subject: "unreadable".into(),
                        what: "it is not text: the journal was edited".into(),
                    }),
                });
            };
            let broken = |what: String| {
                Ok(JournalReport {
                    entries,
                    problem: Some(JournalProblem {
                        seq,
                        subject: subject.clone(),
                        what,
                    }),
                })
            };
            if seq != entries as i64 {
                return broken(format!("entry {entries} is missing: the journal was cut"));
            }
            if prev != expected_prev {
                return broken(
                    "its link to the previous entry is broken: an entry was removed or changed"
                        .into(),
                );
            }
            if chain_hash(&prev, &kind, &subject, &content) != hash {
                return broken(
                    "its hash does not match its content: the journal was edited".into(),
                );
            }
            let target = match find_subject(conn, &kind, &subject)? {
                Some(target) => target,
                None => {
                    return broken("the document or payment it records no longer exists".into());
                }
            };
            let (_, _, now) = describe(conn, target)?;
            if now != content {
                return broken(
                    "the recorded document or payment was changed after it was journaled".into(),
                );
            }
            match target {
                Subject::Document(id) => seen_documents.insert(id),
                Subject::Payment(id) => seen_payments.insert(id),
            };
            expected_prev = hash;
        }

        // Every issued document and every payment must be journaled.
        let unjournaled = |sql: &str,
                           seen: &std::collections::HashSet<i64>|
         -> Result<Option<(i64, String)>, StoreError> {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, name) = row?;
                if !seen.contains(&id) {
                    return Ok(Some((id, name)));
                }
            }
            Ok(None)
        };
        if let Some((_, number)) = unjournaled(
            "SELECT id, number FROM invoices WHERE number IS NOT NULL ORDER BY id",
            &seen_documents,
        )? {
            return Ok(JournalReport {
                entries,
                problem: Some(JournalProblem {
                    seq: 0,
                    subject: number,
                    what: "issued but not in the journal: it was added behind Acquit's back".into(),
                }),
            });
        }
        if let Some((_, name)) = unjournaled(
            "SELECT id, 'payment:' || id FROM payments ORDER BY id",
            &seen_payments,
        )? {
            return Ok(JournalReport {
                entries,
                problem: Some(JournalProblem {
                    seq: 0,
                    subject: name,
                    what: "recorded but not in the journal: it was added behind Acquit's back"
                        .into(),
                }),
            });
        }
        Ok(JournalReport {
            entries,
            problem: None,
        })
    }
}

fn find_subject(
    conn: &Connection,
    kind: &str,
    subject: &str,
) -> Result<Option<Subject>, StoreError> {
    Ok(match kind {
        "invoice" | "credit_note" => conn
            .query_row(
                "SELECT id FROM invoices WHERE number = ?1",
                [subject],
                |r| r.get(0),
            )
            .optional()?
            .map(Subject::Document),
        _ => match subject
            .strip_prefix("payment:")
            .and_then(|id| id.parse::<i64>().ok())
        {
            Some(id) => conn
                .query_row("SELECT id FROM payments WHERE id = ?1", [id], |r| r.get(0))
                .optional()?
                .map(Subject::Payment),
            None => None,
        },
    })
}

/// The journal kind, subject name and canonical content of `subject`, as
/// the tables hold it now.
fn describe(conn: &Connection, subject: Subject) -> Result<(String, String, String), StoreError> {
    match subject {
        Subject::Document(id) => {
            let doc = conn.query_row(
                "SELECT i.number, i.kind, i.issue_date, i.sale_date, i.due_date, i.currency, i.client_id,
                        i.seller_snapshot, i.buyer_snapshot, i.net_minor, i.vat_minor, i.total_minor, i.totals,
                        i.reason, (SELECT number FROM invoices c WHERE c.id = i.credits_invoice_id),
                        i.details, i.origin
                 FROM invoices i WHERE i.id = ?1",
                [id],
                |r| {
                    let details: Option<String> = r.get(15)?;
                    let mut doc = json!({
                        "number": r.get::<_, Option<String>>(0)?,
                        "kind": r.get::<_, String>(1)?,
                        "issue_date": r.get::<_, Option<String>>(2)?,
                        "sale_date": r.get::<_, Option<String>>(3)?,
                        "due_date": r.get::<_, Option<String>>(4)?,
                        "currency": r.get::<_, String>(5)?,
                        "client_id": r.get::<_, i64>(6)?,
                        "seller": r.get::<_, Option<String>>(7)?,
                        "buyer": r.get::<_, Option<String>>(8)?,
                        "net_minor": r.get::<_, Option<i64>>(9)?,
                        "vat_minor": r.get::<_, Option<i64>>(10)?,
                        "total_minor": r.get::<_, Option<i64>>(11)?,
                        "totals": r.get::<_, Option<String>>(12)?,
                        "reason": r.get::<_, Option<String>>(13)?,
                        "credits": r.get::<_, Option<String>>(14)?,
                    });
                    // Schema 6's details, only where there are some, so
                    // entries written before it still verify.
                    if let Some(details) = details {
                        doc["details"] = Value::String(details);
                    }
                    // Schema 12's origin, only for an invoice issued
                    // elsewhere: the older entries still verify, and an
                    // origin rewritten behind Acquit's back does not.
                    let origin: String = r.get(16)?;
                    if origin != "acquit" {
                        doc["origin"] = Value::String(origin);
                    }
                    Ok(doc)
                },
            )?;
            let mut doc = doc;
            let mut stmt = conn.prepare_cached(
                "SELECT position, description, quantity_milli, unit_price_minor, vat_bp, discount_kind, discount_value,
                        nature, unit
                 FROM invoice_lines WHERE invoice_id = ?1 ORDER BY position",
            )?;
            let lines: Vec<Value> = stmt
                .query_map([id], |r| {
                    let mut line = json!({
                        "position": r.get::<_, i64>(0)?,
                        "description": r.get::<_, String>(1)?,
                        "quantity_milli": r.get::<_, i64>(2)?,
                        "unit_price_minor": r.get::<_, i64>(3)?,
                        "vat_bp": r.get::<_, i64>(4)?,
                        "discount_kind": r.get::<_, String>(5)?,
                        "discount_value": r.get::<_, i64>(6)?,
                    });
                    for (i, key) in [(7, "nature"), (8, "unit")] {
                        if let Some(v) = r.get::<_, Option<String>>(i)? {
                            line[key] = Value::String(v);
                        }
                    }
                    Ok(line)
                })?
                .collect::<Result<_, _>>()?;
            let mut stmt = conn.prepare_cached(
                "SELECT d.number FROM balance_deposits b JOIN invoices d ON d.id = b.deposit_id
                 WHERE b.balance_id = ?1 ORDER BY d.number",
            )?;
            let deposits: Vec<Option<String>> = stmt
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            doc["lines"] = Value::Array(lines);
            doc["deposits"] = json!(deposits);
            let kind = if doc["kind"] == "credit_note" {
                "credit_note"
            } else {
                "invoice"
            };
            let number = doc["number"].as_str().unwrap_or_default().to_owned();
            Ok((kind.to_owned(), number, canonical(&doc)))
        }
        Subject::Payment(id) => {
            // The fee is not journaled: Stripe reports it after the payment.
            let payment = conn.query_row(
                "SELECT p.kind, p.method, p.amount_minor, p.currency, p.received_on, p.reference,
                        p.stripe_payment_intent, p.stripe_charge, p.reverses_payment_id, i.number
                 FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.id = ?1",
                [id],
                |r| {
                    Ok(json!({
                        "kind": r.get::<_, String>(0)?,
                        "method": r.get::<_, String>(1)?,
                        "amount_minor": r.get::<_, i64>(2)?,
                        "currency": r.get::<_, String>(3)?,
                        "received_on": r.get::<_, String>(4)?,
                        "reference": r.get::<_, Option<String>>(5)?,
                        "stripe_payment_intent": r.get::<_, Option<String>>(6)?,
                        "stripe_charge": r.get::<_, Option<String>>(7)?,
                        "reverses_payment_id": r.get::<_, Option<i64>>(8)?,
                        "invoice": r.get::<_, String>(9)?,
                    }))
                },
            )?;
            // Columns added by schema 3 are part of the content only when
            // set, so entries journaled before them still verify.
            let mut payment = payment;
            let (link, session, refund, method): (
                Option<i64>,
                Option<String>,
                Option<String>,
                Option<String>,
            ) = conn.query_row(
                "SELECT link_id, stripe_checkout_session, stripe_refund, stripe_method FROM payments WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            if let Some(link) = link {
                payment["link_id"] = json!(link);
            }
            if let Some(session) = session {
                payment["stripe_checkout_session"] = json!(session);
            }
            if let Some(refund) = refund {
                payment["stripe_refund"] = json!(refund);
            }
            if let Some(method) = method {
                payment["stripe_method"] = json!(method);
            }
            let kind = payment["kind"].as_str().unwrap_or("payment").to_owned();
            Ok((kind, format!("payment:{id}"), canonical(&payment)))
        }
    }
}

/// JSON with object keys sorted at every level, whatever serde_json's map
/// ordering feature is: the same content always gives the same bytes.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v = json!({"b": 1, "a": {"d": [true, null], "c": "é"}});
        assert_eq!(canonical(&v), r#"{"a":{"c":"é","d":[true,null]},"b":1}"#);
    }

    #[test]
    fn the_chain_hash_covers_every_part() {
        let base = chain_hash(GENESIS, "invoice", "F-1", "{}");
        assert_eq!(base.len(), 64);
        assert_ne!(base, chain_hash(GENESIS, "invoice", "F-1", "{ }"));
        assert_ne!(base, chain_hash(GENESIS, "invoice", "F-2", "{}"));
        assert_ne!(base, chain_hash(GENESIS, "payment", "F-1", "{}"));
        assert_ne!(base, chain_hash(&base, "invoice", "F-1", "{}"));
    }
}
