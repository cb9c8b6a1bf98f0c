//! `acquit facturx check FILE`: a Factur-X (or its XML) read back and
//! checked with the official artefacts, for the invoices a user issues and
//! those they receive.

use std::fmt::Write as _;
use std::path::PathBuf;

use acquit_facturx::check::{self, CheckError};
use clap::Subcommand;

use crate::CliError;

#[derive(Debug, Subcommand)]
pub enum FacturxCommand {
    /// Check a Factur-X PDF (or its XML): the XSD and the official EN 16931
    /// and French rules (FNFE 1.4.0), run with xmllint and Java + Saxon-HE,
    /// and the PDF's PDF/A-3 with PDFBox Preflight when installed; prints
    /// each violation with its rule id (exit 1 when there is one)
    Check {
        /// The Factur-X PDF, or a CII XML
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub fn run(command: FacturxCommand) -> Result<String, CliError> {
    let FacturxCommand::Check { file } = command;
    let bytes = std::fs::read(&file)
        .map_err(|e| CliError::rejected(format!("cannot read {}: {e}", file.display())))?;
    let report = check::check(&bytes).map_err(|e| match e {
        CheckError::NotFacturx(why) => CliError::rejected(format!("{}: {why}", file.display())),
        other => CliError::Outside(other.to_string()),
    })?;
    let mut out = String::new();
    if let Some(name) = &report.file_name {
        let _ = writeln!(out, "{name} found in {}", file.display());
    }
    let mut violations = report.xsd.len();
    if report.xsd.is_empty() {
        let _ = writeln!(out, "XSD (Factur-X EN 16931): valid");
    } else {
        let _ = writeln!(out, "XSD (Factur-X EN 16931): {} errors", report.xsd.len());
        for error in &report.xsd {
            let _ = writeln!(out, "  {error}");
        }
    }
    for (rules, findings) in &report.findings {
        let fatal: Vec<_> = findings.iter().filter(|f| f.is_fatal()).collect();
        let warnings = findings.len() - fatal.len();
        violations += fatal.len();
        let _ = write!(out, "{}: ", rules.name());
        if fatal.is_empty() {
            let _ = write!(out, "no violation");
        } else {
            let _ = write!(out, "{} violations", fatal.len());
        }
        if warnings > 0 {
            let _ = write!(out, " ({warnings} warnings)");
        }
        out.push('\n');
        for f in fatal {
            let _ = writeln!(out, "  {}: {} ({})", f.rule, f.text, f.location);
        }
    }
    match &report.pdfa {
        Some(check::PdfA::Checked(found)) if found.is_empty() => {
            let _ = writeln!(out, "PDF/A-3 (PDFBox Preflight): no violation");
        }
        Some(check::PdfA::Checked(found)) => {
            violations += found.len();
            let _ = writeln!(
                out,
                "PDF/A-3 (PDFBox Preflight): {} violations",
                found.len()
            );
            for finding in found {
                let _ = writeln!(out, "  {finding}");
            }
        }
        Some(check::PdfA::NotChecked(why)) => {
            let _ = writeln!(out, "{why}");
        }
        None => {}
    }
    if violations == 0 {
        Ok(out)
    } else {
        Err(CliError::Finding {
            stdout: out,
            message: format!(
                "{} is not a valid Factur-X EN 16931: {violations} violations (above)",
                file.display()
            ),
        })
    }
}
