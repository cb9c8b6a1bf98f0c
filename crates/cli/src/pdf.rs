//! `acquit invoice pdf`, `acquit export pdf` and `acquit export all`: the
//! same renderer as the app's preview (`acquit_documents::documents`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use acquit_core::{InvoiceStatus, Lang};
use acquit_documents::{DocumentError, Rendering};
use clap::{Args, Subcommand};

use crate::client::LangArg;
use crate::invoice::StatusArg;
use crate::{CliError, open};

#[derive(Debug, Args)]
pub struct PdfArgs {
    /// The issued invoice or credit note, e.g. F-2026-0001
    #[arg(value_name = "NUMBER")]
    number: String,
    /// The PDF file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Language of the document [default: the client's]
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// The document as issued, without the PAID stamp
    #[arg(long)]
    as_issued: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every issued invoice and credit note as PDF files (NUMBER.pdf) in a folder
    Pdf {
        /// The folder to write into (created if needed)
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Only the invoices with this status
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
    },
    /// Everything, for leaving Acquit or an audit: invoices.csv,
    /// credit_notes.csv, clients.csv, payments.csv, ledger.csv and pdf/
    /// (every issued document) in a new folder or one zip file, written
    /// whole or not at all
    #[command(group(clap::ArgGroup::new("into").required(true).args(["dir", "zip"])))]
    All {
        /// The new folder to create (must not exist, or be empty)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The zip file to write instead of a folder
        #[arg(long, value_name = "FILE")]
        zip: Option<PathBuf>,
        /// Replace the zip file if it exists
        #[arg(long, conflicts_with = "dir")]
        force: bool,
    },
}

fn rendering(as_issued: bool) -> Rendering {
    if as_issued {
        Rendering::AsIssued
    } else {
        Rendering::Current
    }
}

pub(crate) fn document_error(error: DocumentError) -> CliError {
    match error {
        DocumentError::Draft(_)
        | DocumentError::DraftQuote(_)
        | DocumentError::IssuedElsewhere(_) => CliError::rejected(error),
        DocumentError::Store(e) => CliError::Store(e),
        DocumentError::Render(e) => CliError::Outside(format!("the PDF could not be made: {e}")),
    }
}

/// `acquit invoice pdf NUMBER --out FILE`.
pub fn invoice_pdf(args: PdfArgs, db: &Path) -> Result<String, CliError> {
    let store = open(db)?;
    let rendered = acquit_documents::render_pdf(
        &store,
        &args.number,
        args.lang.map(Lang::from),
        rendering(args.as_issued),
    )
    .map_err(document_error)?;
    for warning in &rendered.warnings {
        eprintln!("acquit: warning: {warning}");
    }
    write_atomically(&args.out, &rendered.bytes)?;
    Ok(format!("{}\n", args.out.display()))
}

/// `acquit export pdf --dir DIR`: documents are read one by one (the
/// database connection is not shared between threads), then rendered on
/// every core.
pub fn export(command: ExportCommand, db: &Path) -> Result<String, CliError> {
    let (dir, status) = match command {
        ExportCommand::Pdf { dir, status } => (dir, status),
        ExportCommand::All { dir, zip, force } => return export_all(dir, zip, force, db),
    };
    let store = open(db)?;
    let numbers: Vec<String> = store
        .list_invoices(status.map(InvoiceStatus::from))?
        .into_iter()
        .filter_map(|s| s.number)
        .collect();
    // Invoices issued in another tool are not redrawn: their former PDF
    // is copied when it was kept, else they are said and left out.
    let mut documents = Vec::with_capacity(numbers.len());
    let mut former = Vec::new();
    let mut left_out = Vec::new();
    for n in &numbers {
        match acquit_documents::document(&store, n, None, Rendering::Current) {
            Ok(document) => documents.push(document),
            Err(acquit_documents::DocumentError::IssuedElsewhere(_)) => {
                match store.imported_pdf(n)? {
                    Some(pdf) => former.push((n.clone(), pdf)),
                    None => left_out.push(n.clone()),
                }
            }
            Err(other) => return Err(document_error(other)),
        }
    }
    drop(store);
    std::fs::create_dir_all(&dir).map_err(|e| {
        CliError::Outside(format!(
            "could not create the folder {}: {e}",
            dir.display()
        ))
    })?;

    let total = documents.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(total.max(1));
    let results: Vec<Result<(), CliError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<(), CliError> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(document) = documents.get(i) else {
                            return Ok(());
                        };
                        if !acquit_core::numbering::is_file_name_safe(&document.number) {
                            return Err(CliError::rejected(format!(
                                "the number {:?} cannot name a file: the books were changed outside Acquit (check them with `acquit journal verify`)",
                                document.number
                            )));
                        }
                        let rendered = acquit_documents::documents::render_document(
                            document,
                            Rendering::Current,
                        )
                        .map_err(document_error)?;
                        write_atomically(
                            &dir.join(format!("{}.pdf", document.number)),
                            &rendered.bytes,
                        )?;
                        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        let mut stderr = std::io::stderr().lock();
                        let _ = write!(stderr, "\rexporting PDFs: {n}/{total}");
                        let _ = stderr.flush();
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a render thread panicked"))
            .collect()
    });
    if total > 0 {
        eprintln!();
    }
    results.into_iter().collect::<Result<(), _>>()?;
    for (number, pdf) in &former {
        if !acquit_core::numbering::is_file_name_safe(number) {
            return Err(CliError::rejected(format!(
                "the number {number:?} cannot name a file: the books were changed outside Acquit (check them with `acquit journal verify`)"
            )));
        }
        write_atomically(&dir.join(format!("{number}.pdf")), pdf)?;
    }
    let mut out = format!(
        "{} PDF files written to {}\n",
        total + former.len(),
        dir.display()
    );
    if !left_out.is_empty() {
        out.push_str(&format!(
            "No PDF for {}: issued in another tool, its PDF is in that tool.\n",
            left_out.join(", ")
        ));
    }
    Ok(out)
}

/// `acquit export all --dir DIR` or `--zip FILE [--force]`
/// (`acquit_documents::export`).
fn export_all(
    dir: Option<PathBuf>,
    zip: Option<PathBuf>,
    force: bool,
    db: &Path,
) -> Result<String, CliError> {
    use acquit_documents::export::{ExportError, export_all, export_zip};
    let progress = &mut |step: &str| eprintln!("exporting {step}");
    let exported = match (dir, zip) {
        (_, Some(zip)) => {
            if zip.is_dir() || (zip.exists() && !force) {
                return Err(CliError::rejected(ExportError::FileExists(zip)));
            }
            export_zip(&open(db)?, &zip, force, progress)
        }
        (Some(dir), None) => {
            if dir.exists()
                && (!dir.is_dir() || dir.read_dir().is_ok_and(|mut d| d.next().is_some()))
            {
                return Err(CliError::rejected(ExportError::NotEmpty(dir)));
            }
            export_all(&open(db)?, &dir, progress)
        }
        (None, None) => unreachable!("clap requires --dir or --zip"),
    };
    let summary = exported.map_err(|e| match e {
        ExportError::Store(e) => CliError::Store(e),
        e @ ExportError::UnsafeNumber(_) => CliError::rejected(e),
        ExportError::Document { number, source } => match document_error(source) {
            CliError::Outside(m) => CliError::Outside(format!("{number}: {m}")),
            other => other,
        },
        other => CliError::Outside(other.to_string()),
    })?;
    Ok(format!(
        "{} invoices, {} credit notes, {} clients, {} payments, {} ledger entries and {} PDF files written to {}\n",
        summary.invoices,
        summary.credit_notes,
        summary.clients,
        summary.payments,
        summary.ledger_entries,
        summary.pdfs,
        summary.dir.display()
    ))
}

/// Writes `bytes` to a temporary file next to `path`, then renames it: a
/// crash never leaves half a PDF under the final name.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail =
        |e: std::io::Error| CliError::Outside(format!("could not write {}: {e}", path.display()));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
