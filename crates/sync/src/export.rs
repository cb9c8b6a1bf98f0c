//! Everything a user owns, in files any tool reads: for leaving Acquit or
//! for an audit (`acquit export all --dir DIR`).
//!
//! One folder with `invoices.csv`, `credit_notes.csv`, `clients.csv`,
//! `payments.csv`, `ledger.csv` and `pdf/NUMBER.pdf` for every issued
//! invoice and credit note (rendered as it is now: with the PAID stamp once
//! paid). CSV is RFC 4180 (UTF-8, comma, CRLF, quotes only when needed);
//! amounts are decimal strings with a `.` (`1234.56`, `-150.00`) next to
//! their currency code; dates are `YYYY-MM-DD`. Drafts are not exported
//! (they are not documents yet).
//!
//! The export is written into a temporary folder next to `DIR`, synced, and
//! renamed to `DIR` only when complete: `DIR` is either absent or whole.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use acquit_store::{InvoiceView, Store, StoreError};

use crate::documents::{DocumentError, Rendering, document};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub dir: PathBuf,
    pub invoices: usize,
    pub credit_notes: usize,
    pub clients: usize,
    pub payments: usize,
    pub ledger_entries: usize,
    pub pdfs: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} already exists and is not empty: choose a new folder (the export creates it)")]
    NotEmpty(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{number}: {source}")]
    Document {
        number: String,
        source: DocumentError,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Exports everything into the new folder `dir`, telling `progress` what it
/// does (a line per step, for stderr).
pub fn export_all(
    store: &Store,
    dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<ExportSummary, ExportError> {
    if dir.exists() && fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(ExportError::NotEmpty(dir.to_path_buf()));
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if temp.exists() {
        fs::remove_dir_all(&temp).map_err(io(&temp))?;
    }
    fs::create_dir(&temp).map_err(io(&temp))?;
    match write_all(store, &temp, progress) {
        Ok(mut summary) => {
            sync_dir(&temp)?;
            if dir.exists() {
                // Empty (checked above): rename needs it gone or empty.
                fs::remove_dir(dir).map_err(io(dir))?;
            }
            fs::rename(&temp, dir).map_err(io(dir))?;
            sync_dir(parent)?;
            summary.dir = dir.to_path_buf();
            Ok(summary)
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&temp);
            Err(e)
        }
    }
}

fn write_all(
    store: &Store,
    dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<ExportSummary, ExportError> {
    let numbers: Vec<String> = store
        .list_invoices(None)?
        .into_iter()
        .filter_map(|s| s.number)
        .collect();
    let mut views: Vec<InvoiceView> = numbers
        .iter()
        .map(|n| store.invoice(n))
        .collect::<Result<_, _>>()?;
    views.sort_by(|a, b| (a.issue_date, &a.number).cmp(&(b.issue_date, &b.number)));
    let (credit_notes, invoices): (Vec<&InvoiceView>, Vec<&InvoiceView>) =
        views.iter().partition(|v| v.kind.is_credit_note());

    let mut rows = Csv::new(&[
        "number",
        "kind",
        "status",
        "issue_date",
        "sale_date",
        "due_date",
        "client_id",
        "client",
        "currency",
        "net",
        "vat",
        "total",
        "amount_due",
        "deposits",
        "credit_notes",
    ]);
    for v in &invoices {
        rows.row(&[
            v.number.as_deref().unwrap_or(""),
            v.kind.as_str(),
            v.status.as_str(),
            &date(v.issue_date),
            &date(v.sale_date),
            &date(v.due_date),
            &v.client_id.0.to_string(),
            &v.buyer.name,
            v.currency.code(),
            &v.totals.net.to_decimal_string(),
            &v.totals.vat_total.to_decimal_string(),
            &v.totals.total.to_decimal_string(),
            &v.amount_due.to_decimal_string(),
            &v.deposits.join(" "),
            &v.credit_notes.join(" "),
        ]);
    }
    rows.write(&dir.join("invoices.csv"))?;
    progress(&format!("invoices.csv: {} invoices", invoices.len()));

    let mut rows = Csv::new(&[
        "number",
        "credits",
        "issue_date",
        "client_id",
        "client",
        "currency",
        "net",
        "vat",
        "total",
        "reason",
    ]);
    for v in &credit_notes {
        rows.row(&[
            v.number.as_deref().unwrap_or(""),
            v.credits.as_deref().unwrap_or(""),
            &date(v.issue_date),
            &v.client_id.0.to_string(),
            &v.buyer.name,
            v.currency.code(),
            &v.totals.net.to_decimal_string(),
            &v.totals.vat_total.to_decimal_string(),
            &v.totals.total.to_decimal_string(),
            v.reason.as_deref().unwrap_or(""),
        ]);
    }
    rows.write(&dir.join("credit_notes.csv"))?;
    progress(&format!(
        "credit_notes.csv: {} credit notes",
        credit_notes.len()
    ));

    let mut clients = store.clients()?;
    clients.sort_by_key(|(id, _)| id.0);
    let mut rows = Csv::new(&[
        "id",
        "name",
        "address",
        "email",
        "phone",
        "siren",
        "vat_number",
        "lang",
        "business",
    ]);
    for (id, c) in &clients {
        rows.row(&[
            &id.0.to_string(),
            &c.name,
            c.address.as_deref().unwrap_or(""),
            &opt(&c.email),
            &opt(&c.phone),
            &opt(&c.siren),
            &opt(&c.vat_number),
            c.lang.code(),
            if c.business { "true" } else { "false" },
        ]);
    }
    rows.write(&dir.join("clients.csv"))?;
    progress(&format!("clients.csv: {} clients", clients.len()));

    let mut rows = Csv::new(&[
        "id",
        "invoice",
        "received_on",
        "kind",
        "method",
        "amount",
        "currency",
        "fee",
        "reference",
        "reverses",
        "reversed",
    ]);
    let mut payments = Vec::new();
    for v in &invoices {
        payments.extend(store.payments(v.number.as_deref().unwrap_or(""))?);
    }
    payments.sort_by_key(|p| (p.received_on, p.id));
    for p in &payments {
        rows.row(&[
            &p.id.0.to_string(),
            &p.invoice_number,
            &p.received_on.to_string(),
            kind_name(p.kind),
            &p.method_label(),
            &p.amount.to_decimal_string(),
            p.amount.currency().code(),
            &p.fee.map(|f| f.to_decimal_string()).unwrap_or_default(),
            p.reference.as_deref().unwrap_or(""),
            &p.reverses.map(|r| r.0.to_string()).unwrap_or_default(),
            if p.reversed { "true" } else { "false" },
        ]);
    }
    rows.write(&dir.join("payments.csv"))?;
    progress(&format!("payments.csv: {} payments", payments.len()));

    let ledger = store.ledger(None, None)?;
    let mut rows = Csv::new(&[
        "date",
        "invoice",
        "client",
        "kind",
        "method",
        "amount",
        "currency",
        "fee",
        "net",
        "reference",
    ]);
    for e in &ledger {
        rows.row(&[
            &e.date.to_string(),
            &e.invoice_number,
            &e.client,
            kind_name(e.kind),
            &e.method_label(),
            &e.amount.to_decimal_string(),
            e.amount.currency().code(),
            &e.fee.map(|f| f.to_decimal_string()).unwrap_or_default(),
            &e.net.map(|n| n.to_decimal_string()).unwrap_or_default(),
            e.reference.as_deref().unwrap_or(""),
        ]);
    }
    rows.write(&dir.join("ledger.csv"))?;
    progress(&format!("ledger.csv: {} entries", ledger.len()));

    let pdf_dir = dir.join("pdf");
    fs::create_dir(&pdf_dir).map_err(io(&pdf_dir))?;
    for (i, number) in numbers.iter().enumerate() {
        let rendered = document(store, number, None, Rendering::Current)
            .and_then(|d| Ok(acquit_pdf::render(&d)?))
            .map_err(|source| ExportError::Document {
                number: number.clone(),
                source,
            })?;
        write_synced(&pdf_dir.join(format!("{number}.pdf")), &rendered.bytes)?;
        progress(&format!("pdf/{number}.pdf ({}/{})", i + 1, numbers.len()));
    }
    sync_dir(&pdf_dir)?;

    Ok(ExportSummary {
        dir: dir.to_path_buf(),
        invoices: invoices.len(),
        credit_notes: credit_notes.len(),
        clients: clients.len(),
        payments: payments.len(),
        ledger_entries: ledger.len(),
        pdfs: numbers.len(),
    })
}

fn kind_name(kind: acquit_store::PaymentKind) -> &'static str {
    match kind {
        acquit_store::PaymentKind::Payment => "payment",
        acquit_store::PaymentKind::Refund => "refund",
        acquit_store::PaymentKind::Reversal => "reversal",
    }
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt(v: &Option<impl std::fmt::Display>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// A CSV file being built (RFC 4180, CRLF).
struct Csv(String);

impl Csv {
    fn new(header: &[&str]) -> Csv {
        let mut csv = Csv(String::new());
        csv.row(header);
        csv
    }

    fn row(&mut self, fields: &[&str]) {
        let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        self.0.push_str(&quoted.join(","));
        self.0.push_str("\r\n");
    }

    fn write(&self, path: &Path) -> Result<(), ExportError> {
        write_synced(path, self.0.as_bytes())
    }
}

/// A field as RFC 4180 writes it: quoted (quotes doubled) only when it
/// holds a comma, a quote or a line break.
pub fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut file = fs::File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

fn sync_dir(dir: &Path) -> Result<(), ExportError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("F-2026-0001"), "F-2026-0001");
        assert_eq!(csv_field("Martin, Fils"), "\"Martin, Fils\"");
        assert_eq!(csv_field("n° \"12\""), "\"n° \"\"12\"\"\"");
    }
}
