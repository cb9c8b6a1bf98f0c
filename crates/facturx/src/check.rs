//! Reading a Factur-X back and checking it with the official artefacts:
//! `acquit facturx check FILE`, for the invoices a user issues and the
//! ones they receive.
//!
//! The XML is found in the PDF's embedded files (`factur-x.xml`, or
//! ZUGFeRD's older names); the XSD runs in xmllint and the two rule sets
//! (EN 16931 as Factur-X restricts it, and the French BR-FR rules) in
//! Saxon-HE, from the FNFE 1.4.0 files compiled into Acquit and written to
//! a temporary folder for the run. Missing tools are said with the package
//! that brings them; nothing is guessed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The FNFE 1.4.0 artefacts (`validation/fnfe-1.4.0`), by relative path.
const ARTEFACTS: [(&str, &[u8]); 7] = [
    (
        "1xsd/Factur-X_EN16931.xsd",
        include_bytes!("../validation/fnfe-1.4.0/1xsd/Factur-X_EN16931.xsd"),
    ),
    (
        "1xsd/Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_QualifiedDataType_100.xsd",
        include_bytes!(
            "../validation/fnfe-1.4.0/1xsd/Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_QualifiedDataType_100.xsd"
        ),
    ),
    (
        "1xsd/Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_ReusableAggregateBusinessInformationEntity_100.xsd",
        include_bytes!(
            "../validation/fnfe-1.4.0/1xsd/Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_ReusableAggregateBusinessInformationEntity_100.xsd"
        ),
    ),
    (
        "1xsd/Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_UnqualifiedDataType_100.xsd",
        include_bytes!(
            "../validation/fnfe-1.4.0/1xsd/Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_UnqualifiedDataType_100.xsd"
        ),
    ),
    (
        "2xslt/FACTUR-X_EN16931.xslt",
        include_bytes!("../validation/fnfe-1.4.0/2xslt/FACTUR-X_EN16931.xslt"),
    ),
    (
        "2xslt/FACTUR-X_EN16931_codedb.xml",
        include_bytes!("../validation/fnfe-1.4.0/2xslt/FACTUR-X_EN16931_codedb.xml"),
    ),
    (
        "2xslt/BR-FR-Flux2-Schematron-CII.xslt",
        include_bytes!("../validation/fnfe-1.4.0/2xslt/BR-FR-Flux2-Schematron-CII.xslt"),
    ),
];

/// Debian's `libsaxonhe-java`.
pub const SAXON_JAR: &str = "/usr/share/java/Saxon-HE.jar";

/// PDFBox Preflight and what it needs on Java 17, from Debian's
/// `libpdfbox2-java libactivation-java libjaxb-api-java`, in
/// `/usr/share/java`. No PDF/A-3 validator installs from Debian (veraPDF
/// does not), so the PDF is checked against PDF/A-1b and the findings only
/// PDF/A-1 makes are set aside ([`A1_ONLY`]).
const PDFBOX_JARS: [&str; 7] = [
    "preflight",
    "pdfbox2",
    "fontbox2",
    "xmpbox",
    "commons-logging",
    "javax.activation",
    "jaxb-api",
];

/// Preflight's codes for what PDF/A-1 forbids and PDF/A-3 allows or asks
/// for, with why: a Factur-X is a PDF/A-3 file with an attachment.
pub const A1_ONLY: [(&str, &str); 5] = [
    ("1.4.7", "embedded files (the XML) are what PDF/A-3 adds"),
    ("1.2.9", "embedded files (the XML) are what PDF/A-3 adds"),
    ("3.1.11", "CIDSet is optional from PDF/A-2 on"),
    ("7.11.2", "the XMP says part 3, as it must"),
    ("4.1.2", "transparency is allowed from PDF/A-2 on"),
];

/// What PDFBox Preflight said of a PDF's PDF/A-3 conformance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfA {
    /// Its findings beyond [`A1_ONLY`], as Preflight words them
    /// (`2.4.3 : Invalid Color space, …`); empty: nothing found.
    Checked(Vec<String>),
    /// Not run: what to install.
    NotChecked(String),
}

/// Which compiled Schematron.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rules {
    /// EN 16931's business rules as Factur-X restricts CII to the profile.
    En16931,
    /// The French rules (BR-FR-…), every one fatal since 1 September 2026.
    French,
}

impl Rules {
    pub const ALL: [Rules; 2] = [Rules::En16931, Rules::French];

    /// The stylesheet, relative to the artefacts' folder.
    pub fn xslt(self) -> &'static str {
        match self {
            Rules::En16931 => "2xslt/FACTUR-X_EN16931.xslt",
            Rules::French => "2xslt/BR-FR-Flux2-Schematron-CII.xslt",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rules::En16931 => "EN 16931",
            Rules::French => "French rules (BR-FR)",
        }
    }
}

/// How bad a finding is, as the SVRL says (`flag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    Fatal,
    Warning,
    Information,
}

/// One finding of a Schematron: a `svrl:failed-assert`, or a
/// `svrl:successful-report` (the EN 16931 rules use reports only to say an
/// element is not used in the profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The business rule: `BR-CO-14` (the EN 16931 file names it in
    /// brackets at the start of the text), `BR-FR-05_BT-22_PMT` (the French
    /// file's ids are the rules), or `transform-error` when Saxon stopped.
    pub rule: String,
    /// The `id` attribute: `FX-SCH-A-000130`, `BR-FR-05_BT-22_PMT`; empty
    /// for the EN 16931 reports, which have none.
    pub id: String,
    /// Absent: fatal for an assert (the EN 16931 file flags only its
    /// warnings), warning for a report.
    pub flag: Flag,
    pub report: bool,
    /// Where, as an XPath without the namespace noise.
    pub location: String,
    /// The rule's message, whitespace collapsed.
    pub text: String,
}

impl Finding {
    pub fn is_fatal(&self) -> bool {
        self.flag == Flag::Fatal
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.report { "report" } else { "assert" };
        write!(f, "[{:?} {kind}] {}", self.flag, self.rule)?;
        if !self.id.is_empty() && self.id != self.rule {
            write!(f, " ({})", self.id)?;
        }
        write!(f, " at {}: {}", self.location, self.text)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0}")]
    NotFacturx(String),
    #[error(
        "`{tool}` is needed to check a Factur-X: install it (Debian/Ubuntu: sudo apt-get install {package})"
    )]
    MissingTool {
        tool: &'static str,
        package: &'static str,
    },
    #[error("{tool} failed: {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error("could not use a temporary folder: {0}")]
    Io(#[from] std::io::Error),
}

/// What the tools said of one e-invoice.
#[derive(Debug, Clone)]
pub struct Report {
    /// The attachment's name, when it came from a PDF.
    pub file_name: Option<String>,
    /// xmllint's complaints against the Factur-X EN 16931 XSD.
    pub xsd: Vec<String>,
    pub findings: Vec<(Rules, Vec<Finding>)>,
    /// The PDF's PDF/A-3 checks; None for an XML.
    pub pdfa: Option<PdfA>,
}

impl Report {
    /// Valid: no XSD error, no fatal finding, no PDF/A finding.
    pub fn is_valid(&self) -> bool {
        self.xsd.is_empty()
            && self
                .findings
                .iter()
                .all(|(_, f)| f.iter().all(|f| !f.is_fatal()))
            && !matches!(&self.pdfa, Some(PdfA::Checked(found)) if !found.is_empty())
    }
}

/// The names an embedded e-invoice has in Factur-X and ZUGFeRD files.
const NAMES: [&str; 4] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "ZUGFeRD-invoice.xml",
    "xrechnung.xml",
];

/// The e-invoice XML embedded in a PDF, and its file name.
pub fn embedded_xml(pdf: &[u8]) -> Result<(String, Vec<u8>), CheckError> {
    let lo = lopdf::Document::load_mem(pdf)
        .map_err(|e| CheckError::NotFacturx(format!("this is not a readable PDF ({e})")))?;
    let mut found = Vec::new();
    for object in lo.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"Filespec".as_slice()) {
            continue;
        }
        let name = [b"UF".as_slice(), b"F".as_slice()]
            .into_iter()
            .find_map(|key| {
                let bytes = dict.get(key).and_then(|v| v.as_str()).ok()?;
                Some(pdf_text(bytes))
            });
        let Some(name) = name else { continue };
        let stream = dict
            .get(b"EF")
            .and_then(|ef| ef.as_dict())
            .and_then(|ef| ef.get(b"F").or_else(|_| ef.get(b"UF")))
            .and_then(|r| r.as_reference())
            .and_then(|id| lo.get_object(id))
            .and_then(|o| o.as_stream());
        if let Ok(stream) = stream {
            let content = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            found.push((name, content));
        }
    }
    found
        .iter()
        .find(|(name, _)| NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
            CheckError::NotFacturx(if names.is_empty() {
                "this PDF carries no embedded file: it is not a Factur-X".to_owned()
            } else {
                format!(
                    "this PDF carries no factur-x.xml (its files: {}): it is not a Factur-X",
                    names.join(", ")
                )
            })
        })
}

/// A PDF text string: UTF-16BE with its mark, else PDFDocEncoding (read
/// as Latin-1, which agrees with it on letters).
fn pdf_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

fn run(
    command: &mut Command,
    tool: &'static str,
    package: &'static str,
) -> Result<std::process::Output, CheckError> {
    match command.output() {
        Ok(output) => Ok(output),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(CheckError::MissingTool { tool, package })
        }
        Err(e) => Err(CheckError::Tool {
            tool,
            detail: e.to_string(),
        }),
    }
}

/// Writes the artefacts into `dir`; returns it.
fn write_artefacts(dir: &Path) -> Result<PathBuf, CheckError> {
    for (relative, bytes) in ARTEFACTS {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(dir.to_path_buf())
}

/// Checks a Factur-X PDF, or its XML alone.
pub fn check(file: &[u8]) -> Result<Report, CheckError> {
    let (file_name, xml) = if file.starts_with(b"%PDF") {
        let (name, xml) = embedded_xml(file)?;
        (Some(name), xml)
    } else if std::str::from_utf8(file)
        .ok()
        .is_some_and(|text| roxmltree::Document::parse(text).is_ok())
    {
        (None, file.to_vec())
    } else {
        return Err(CheckError::NotFacturx(
            "this is neither a PDF nor an XML file: give a Factur-X PDF or its CII XML".into(),
        ));
    };
    let dir = tempfile::tempdir()?;
    let artefacts = write_artefacts(&dir.path().join("fnfe-1.4.0"))?;
    let invoice = dir.path().join("invoice.xml");
    std::fs::write(&invoice, &xml)?;

    let out = run(
        Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(artefacts.join("1xsd/Factur-X_EN16931.xsd"))
            .arg(&invoice),
        "xmllint",
        "libxml2-utils",
    )?;
    let name = invoice.display().to_string();
    let xsd: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| *l != format!("{name} validates") && *l != format!("{name} fails to validate"))
        .map(|l| l.strip_prefix(&format!("{name}:")).unwrap_or(l).to_owned())
        .collect();

    if !Path::new(SAXON_JAR).is_file() {
        return Err(CheckError::MissingTool {
            tool: "Saxon-HE",
            package: "libsaxonhe-java default-jre-headless",
        });
    }
    let mut findings = Vec::new();
    for rules in Rules::ALL {
        let out = run(
            Command::new("java")
                .args([
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    SAXON_JAR,
                ])
                .arg("net.sf.saxon.Transform")
                .arg(format!("-s:{}", invoice.display()))
                .arg(format!("-xsl:{}", artefacts.join(rules.xslt()).display())),
            "java",
            "default-jre-headless",
        )?;
        let found = if out.status.success() {
            parse_svrl(&String::from_utf8_lossy(&out.stdout))?
        } else {
            vec![Finding {
                rule: "transform-error".into(),
                id: String::new(),
                flag: Flag::Fatal,
                report: false,
                location: "/".into(),
                text: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            }]
        };
        findings.push((rules, found));
    }
    let pdfa = match file_name {
        Some(_) => {
            let pdf = dir.path().join("invoice.pdf");
            std::fs::write(&pdf, file)?;
            Some(preflight(&pdf)?)
        }
        None => None,
    };
    Ok(Report {
        file_name,
        xsd,
        findings,
        pdfa,
    })
}

/// PDFBox Preflight on `pdf`, its A-1-only findings set aside.
fn preflight(pdf: &Path) -> Result<PdfA, CheckError> {
    let java = Path::new("/usr/share/java");
    if let Some(missing) = PDFBOX_JARS
        .iter()
        .find(|jar| !java.join(format!("{jar}.jar")).is_file())
    {
        return Ok(PdfA::NotChecked(format!(
            "PDF/A not checked ({missing}.jar is missing): Debian/Ubuntu: sudo apt-get install \
             libpdfbox2-java libactivation-java libjaxb-api-java"
        )));
    }
    let classpath = PDFBOX_JARS
        .iter()
        .map(|jar| java.join(format!("{jar}.jar")).display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    let out = run(
        Command::new("java")
            .args(["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp"])
            .arg(classpath)
            .arg("org.apache.pdfbox.preflight.Validator_A1b")
            .arg(pdf),
        "java",
        "default-jre-headless",
    )?;
    // Preflight says the same thing once per operator: each finding once,
    // with how many times it was said.
    let mut found: Vec<(String, usize)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(" : "))
        .filter(|l| {
            !A1_ONLY
                .iter()
                .any(|(code, _)| l.starts_with(&format!("{code} ")))
        })
    {
        match found.iter_mut().find(|(seen, _)| seen == line) {
            Some((_, times)) => *times += 1,
            None => found.push((line.to_owned(), 1)),
        }
    }
    Ok(PdfA::Checked(
        found
            .into_iter()
            .map(|(line, times)| match times {
                1 => line,
                n => format!("{line} (×{n})"),
            })
            .collect(),
    ))
}

const SVRL: &str = "http://purl.oclc.org/dsdl/svrl";

/// The findings of an SVRL report, in document order.
pub fn parse_svrl(svrl: &str) -> Result<Vec<Finding>, CheckError> {
    let tool = |detail: String| CheckError::Tool {
        tool: "Saxon-HE",
        detail,
    };
    let doc = roxmltree::Document::parse(svrl)
        .map_err(|e| tool(format!("its report is not XML ({e})")))?;
    let root = doc.root_element();
    if !root.has_tag_name((SVRL, "schematron-output")) {
        return Err(tool(format!("not an SVRL report: {:?}", root.tag_name())));
    }
    let mut findings = Vec::new();
    for n in root
        .children()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(SVRL))
    {
        let report = match n.tag_name().name() {
            "failed-assert" => false,
            "successful-report" => true,
            _ => continue,
        };
        let text = n
            .children()
            .find(|c| c.has_tag_name((SVRL, "text")))
            .map(|t| {
                let text: String = t
                    .descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect();
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .unwrap_or_default();
        let id = n.attribute("id").unwrap_or_default().to_owned();
        let flag = match n.attribute("flag") {
            Some("fatal" | "error") => Flag::Fatal,
            Some("warning") => Flag::Warning,
            Some("information" | "info") => Flag::Information,
            Some(other) => {
                return Err(tool(format!("unknown SVRL flag {other:?} on {id}: {text}")));
            }
            None if report => Flag::Warning,
            None => Flag::Fatal,
        };
        let rule = bracketed_rule(&text)
            .unwrap_or(if id.is_empty() { "unnamed" } else { &id })
            .to_owned();
        findings.push(Finding {
            rule,
            id,
            flag,
            report,
            location: plain_location(n.attribute("location").unwrap_or_default()),
            text,
        });
    }
    Ok(findings)
}

/// `BR-CO-14` from "[BR-CO-14]-Invoice total VAT amount…".
fn bracketed_rule(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('[')?;
    let (rule, _) = rest.split_once(']')?;
    (!rule.is_empty() && !rule.contains(' ')).then_some(rule)
}

/// `/*:A[namespace-uri()='urn:…'][1]/*:B[namespace-uri()='urn:…'][2]`
/// → `/A[1]/B[2]`.
fn plain_location(location: &str) -> String {
    let mut plain = String::with_capacity(location.len());
    let mut rest = location;
    while let Some(start) = rest.find("[namespace-uri()=") {
        plain.push_str(&rest[..start]);
        rest = &rest[start..];
        rest = rest.find(']').map_or("", |end| &rest[end + 1..]);
    }
    plain.push_str(rest);
    plain.replace("*:", "")
}
