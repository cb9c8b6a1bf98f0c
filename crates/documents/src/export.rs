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
//!
//! [`export_zip`] (`acquit export all --zip FILE`, the app's "Export
//! everything") writes the same files into one zip (deflate), through a
//! temporary file in the same folder renamed when complete. The zip is
//! deterministic: entries in a fixed order, and their times taken from the
//! data (a PDF's issue date; for the CSVs, the latest date in the books),
//! never from the clock, so the same books give the same bytes.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use acquit_store::private;
use acquit_store::{InvoiceView, LedgerEntry, Store, StoreError};
use chrono::NaiveDate;

use crate::documents::DocumentError;

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
    #[error("{0} already exists: choose another file name, or replace it (--force)")]
    FileExists(PathBuf),
    #[error("{path}: the zip could not be written: {source}")]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },
    #[error("{0} already exists and is not empty: choose a new folder (the export creates it)")]
    NotEmpty(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the number {0:?} cannot name a file: the books were changed outside Acquit (check them with `acquit journal verify`); nothing was exported"
    )]
    UnsafeNumber(String),
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
    private::create_dir(&temp).map_err(io(&temp))?;
    match write_all(store, &mut Folder(&temp), progress) {
        Ok(mut summary) => {
            sync_dir(&temp.join("pdf"))?;
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

/// Exports everything into the zip file `path`; an existing file is
/// refused unless `replace`. Nothing appears under `path` before the zip is
/// complete and synced.
pub fn export_zip(
    store: &Store,
    path: &Path,
    replace: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<ExportSummary, ExportError> {
    if path.is_dir() || (path.exists() && !replace) {
        return Err(ExportError::FileExists(path.to_path_buf()));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.zip".into());
    let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let file = private::create_file(&temp).map_err(io(&temp))?;
    let mut out = ZipOut {
        zip: zip::ZipWriter::new(file),
        path: path.to_path_buf(),
    };
    let written = write_all(store, &mut out, progress).and_then(|summary| {
        let file = out.zip.finish().map_err(|source| ExportError::Zip {
            path: path.to_path_buf(),
            source,
        })?;
        file.sync_all().map_err(io(&temp))?;
        Ok(summary)
    });
    match written {
        Ok(mut summary) => {
            fs::rename(&temp, path).map_err(io(path))?;
            sync_dir(parent)?;
            summary.dir = path.to_path_buf();
            Ok(summary)
        }
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Where an export's files go: a folder or a zip.
trait Out {
    /// A sub-folder (`pdf`), before its files.
    fn dir(&mut self, name: &str, date: NaiveDate) -> Result<(), ExportError>;
    /// A file (`pdf/F-2026-0001.pdf`), dated for the zip.
    fn file(&mut self, name: &str, bytes: &[u8], date: NaiveDate) -> Result<(), ExportError>;
}

struct Folder<'a>(&'a Path);

impl Out for Folder<'_> {
    fn dir(&mut self, name: &str, _: NaiveDate) -> Result<(), ExportError> {
        let dir = self.0.join(name);
        private::create_dir(&dir).map_err(io(&dir))
    }

    fn file(&mut self, name: &str, bytes: &[u8], _: NaiveDate) -> Result<(), ExportError> {
        write_synced(&self.0.join(name), bytes)
    }
}

struct ZipOut {
    zip: zip::ZipWriter<fs::File>,
    /// The final file, for messages.
    path: PathBuf,
}

impl ZipOut {
    fn options(date: NaiveDate) -> zip::write::SimpleFileOptions {
        use chrono::Datelike as _;
        // Zip times run from 1980 to 2107; month and day are valid.
        let time = zip::DateTime::from_date_and_time(
            date.year().clamp(1980, 2107) as u16,
            date.month() as u8,
            date.day() as u8,
            0,
            0,
            0,
        )
        .unwrap_or_default();
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(time)
            .unix_permissions(0o644)
    }

    fn failed(&self) -> impl FnOnce(zip::result::ZipError) -> ExportError + '_ {
        |source| ExportError::Zip {
            path: self.path.clone(),
            source,
        }
    }
}

impl Out for ZipOut {
    fn dir(&mut self, name: &str, date: NaiveDate) -> Result<(), ExportError> {
        let options = ZipOut::options(date).unix_permissions(0o755);
        let added = self.zip.add_directory(format!("{name}/"), options);
        added.map_err(self.failed())
    }

    fn file(&mut self, name: &str, bytes: &[u8], date: NaiveDate) -> Result<(), ExportError> {
        let started = self.zip.start_file(name, ZipOut::options(date));
        started.map_err(self.failed())?;
        let written = self.zip.write_all(bytes);
        written.map_err(|e| self.failed()(e.into()))
    }
}

fn write_all(
    store: &Store,
    out: &mut dyn Out,
    progress: &mut dyn FnMut(&str),
) -> Result<ExportSummary, ExportError> {
    let numbers: Vec<String> = store
        .list_invoices(None)?
        .into_iter()
        .filter_map(|s| s.number)
        .collect();
    // Numbers name the PDFs: one that cannot (written behind Acquit's back)
    // stops the export before anything is written.
    if let Some(bad) = numbers
        .iter()
        .find(|n| !acquit_core::numbering::is_file_name_safe(n))
    {
        return Err(ExportError::UnsafeNumber(bad.clone()));
    }
    let mut views: Vec<InvoiceView> = numbers
        .iter()
        .map(|n| store.invoice(n))
        .collect::<Result<_, _>>()?;
    views.sort_by(|a, b| (a.issue_date, &a.number).cmp(&(b.issue_date, &b.number)));
    let (credit_notes, invoices): (Vec<&InvoiceView>, Vec<&InvoiceView>) =
        views.iter().partition(|v| v.kind.is_credit_note());
    let ledger = store.ledger(None, None)?;
    // The CSVs' date in a zip: the latest date of the books.
    let as_of = views
        .iter()
        .filter_map(|v| v.issue_date)
        .chain(ledger.iter().map(|e| e.date))
        .max()
        .unwrap_or_default();

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
    out.file("invoices.csv", rows.0.as_bytes(), as_of)?;
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
    out.file("credit_notes.csv", rows.0.as_bytes(), as_of)?;
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
        "vat_exemption",
        "postcode",
        "city",
        "country",
    ]);
    for (id, c) in &clients {
        // `address` stays the text as printed (street lines included), as
        // before schema 6; postcode, city and country follow, appended so
        // older importers keep their columns.
        let printed = c
            .address
            .as_ref()
            .map(|a| a.printed_text(c.lang, acquit_core::Country::FR))
            .unwrap_or_default();
        let part = |f: fn(&acquit_core::Address) -> Option<String>| {
            c.address.as_ref().and_then(f).unwrap_or_default()
        };
        rows.row(&[
            &id.0.to_string(),
            &c.name,
            &printed,
            &opt(&c.email),
            &opt(&c.phone),
            &opt(&c.siren),
            &opt(&c.vat_number),
            c.lang.code(),
            if c.business { "true" } else { "false" },
            c.vat_exemption.as_str(),
            &part(|a| a.postcode.clone()),
            &part(|a| a.city.clone()),
            &part(|a| a.country.map(|c| c.code().to_owned())),
        ]);
    }
    out.file("clients.csv", rows.0.as_bytes(), as_of)?;
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
    out.file("payments.csv", rows.0.as_bytes(), as_of)?;
    progress(&format!("payments.csv: {} payments", payments.len()));

    out.file("ledger.csv", ledger_csv(&ledger).as_bytes(), as_of)?;
    progress(&format!("ledger.csv: {} entries", ledger.len()));

    out.dir("pdf", as_of)?;
    // In the CSVs' order (issue date, number), each dated by its issue date.
    for (i, view) in views.iter().enumerate() {
        let number = view.number.as_deref().unwrap_or_default();
        let rendered = crate::documents::attachable_pdf(store, number).map_err(|source| {
            ExportError::Document {
                number: number.to_owned(),
                source,
            }
        })?;
        let Some(rendered) = rendered else {
            // Issued in the former tool, its PDF not kept: the CSVs list
            // it; its PDF is in that tool.
            progress(&format!(
                "pdf/{number}.pdf: none, issued in another tool ({}/{})",
                i + 1,
                views.len()
            ));
            continue;
        };
        let issued = view.issue_date.unwrap_or(as_of);
        out.file(&format!("pdf/{number}.pdf"), &rendered.bytes, issued)?;
        progress(&format!("pdf/{number}.pdf ({}/{})", i + 1, views.len()));
    }

    Ok(ExportSummary {
        dir: PathBuf::new(), // set by the caller
        invoices: invoices.len(),
        credit_notes: credit_notes.len(),
        clients: clients.len(),
        payments: payments.len(),
        ledger_entries: ledger.len(),
        pdfs: numbers.len(),
    })
}

/// `ledger.csv` of the export, for `entries` (the whole ledger there; the
/// app's ledger screen exports the period it shows with the same columns).
pub fn ledger_csv(entries: &[LedgerEntry]) -> String {
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
    for e in entries {
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
    rows.0
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
}

/// A field as RFC 4180 writes it: quoted (quotes doubled) only when it
/// holds a comma, a quote or a line break.
///
/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return as a formula, so a client named
/// `=HYPERLINK("http://x","y")` would act in the accountant's program: such
/// a text is written with a leading `'` (OWASP's "CSV injection" advice),
/// which spreadsheets show as text. A plain decimal number (`-150.00`, an
/// amount) stays as it is, a number.
pub fn csv_field(field: &str) -> String {
    let neutral;
    let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(field) {
        neutral = format!("'{field}");
        neutral.as_str()
    } else {
        field
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// `-150.00`, `42`: an optional minus, digits, an optional decimal part.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut file = private::create_file(path).map_err(io(path))?;
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
    use super::{csv_field, ledger_csv};
    use acquit_core::{Currency, Money};
    use acquit_store::{LedgerEntry, PaymentId, PaymentKind, PaymentMethod, StripeMethod};

    #[test]
    fn the_ledger_csv_has_the_export_s_columns_and_decimal_amounts() {
        assert_eq!(
            ledger_csv(&[]),
            "date,invoice,client,kind,method,amount,currency,fee,net,reference\r\n"
        );
        let eur = |minor| Money::new(minor, Currency::EUR);
        let entry = LedgerEntry {
            date: "2026-11-20".parse().unwrap(),
            invoice_number: "F-2026-0007".into(),
            client: "Martin, Fils".into(),
            kind: PaymentKind::Payment,
            method: PaymentMethod::Stripe,
            amount: eur(123_456),
            fee: Some(eur(1_876)),
            net: Some(eur(121_580)),
            reference: None,
            payment_id: PaymentId(3),
            stripe_method: Some(StripeMethod::Card),
        };
        assert_eq!(
            ledger_csv(&[entry]).split("\r\n").nth(1),
            Some(
                "2026-11-20,F-2026-0007,\"Martin, Fils\",payment,STRIPE card,1234.56,EUR,18.76,1215.80,"
            )
        );
    }

    /// The zip holds exactly the folder export's files, the same bytes for
    /// the same books, and never a half file under its name.
    #[test]
    fn the_zip_is_the_folder_export_deterministic_and_whole() {
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        let mut store = acquit_store::Store::open(dir.path().join("a.db")).unwrap();
        store
            .fill_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            .unwrap();
        let folder = dir.path().join("folder");
        super::export_all(&store, &folder, &mut |_| {}).unwrap();
        let path = dir.path().join("books.zip");
        let summary = super::export_zip(&store, &path, false, &mut |_| {}).unwrap();
        assert_eq!(summary.dir, path);
        let first = std::fs::read(&path).unwrap();

        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(first.clone())).unwrap();
        let mut files = 0;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let on_disk = std::fs::read(folder.join(&name)).unwrap();
            assert!(bytes == on_disk, "{name} differs from the folder's");
            files += 1;
        }
        assert_eq!(files, 5 + summary.pdfs);
        assert!(summary.pdfs > 0);

        let refused = super::export_zip(&store, &path, false, &mut |_| {});
        assert!(matches!(refused, Err(super::ExportError::FileExists(_))));
        super::export_zip(&store, &path, true, &mut |_| {}).unwrap();
        assert!(
            std::fs::read(&path).unwrap() == first,
            "same books, same bytes"
        );

        // A failure (the folder is a file) leaves nothing behind.
        let blocked = dir.path().join("blocked");
        std::fs::write(&blocked, b"").unwrap();
        let failed = super::export_zip(&store, &blocked.join("x.zip"), false, &mut |_| {});
        assert!(
            matches!(failed, Err(super::ExportError::Io { .. })),
            "{failed:?}"
        );
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.starts_with("a.db"))
            .collect();
        left.sort();
        assert_eq!(left, ["blocked", "books.zip", "folder"]);
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("F-2026-0001"), "F-2026-0001");
        assert_eq!(csv_field("Martin, Fils"), "\"Martin, Fils\"");
        assert_eq!(csv_field("n° \"12\""), "\"n° \"\"12\"\"\"");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_written_as_text() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for formula in [
            "+33 6 12 34 56 78",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=1",
            "-",
            "-1.",
            "-.5",
        ] {
            assert!(
                csv_field(formula).trim_start_matches('"').starts_with('\''),
                "{formula}"
            );
        }
        // Amounts stay numbers.
        for number in ["-150.00", "150.00", "0", "-3"] {
            assert_eq!(csv_field(number), number);
        }
        assert_eq!(csv_field("Boulangerie Martin"), "Boulangerie Martin");
    }
}
