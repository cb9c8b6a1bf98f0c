//! The checks nobody here wrote, run on our XML and PDFs:
//!
//! - [`xsd_errors`]: xmllint with the Factur-X 1.09 EN 16931 XSD;
//! - [`schematron`], [`schematron_many`]: Saxon-HE running the FNFE's
//!   compiled Schematrons, [`Rules::En16931`] (the EN 16931 rules as
//!   Factur-X restricts them) and [`Rules::French`] (the BR-FR rules of
//!   XP Z12-012, "fatal" edition), read back from their SVRL report;
//! - [`validate`]: the three at once on a batch, one JVM per rule set;
//! - [`facturx_python`], [`facturx_python_xsd`]: the `factur-x` Python
//!   library (Akretion) finding the XML inside a PDF, and its own XSD check.
//!
//! The artefacts are copies in `validation/fnfe-1.4.0/` (see the README
//! there: version, licence, which tool runs which file, timings). A missing
//! tool fails the test and names what to install; `./x setup` installs all
//! of them (APT_TEST and `tests/requirements.txt`). Tests never skip.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Debian's `libsaxonhe-java` (Saxon-HE 9.9.1.5): XSLT 2.0/3.0, which the
/// compiled Schematrons need (libxslt's `xsltproc` is XSLT 1.0 only).
pub const SAXON_JAR: &str = "/usr/share/java/Saxon-HE.jar";

/// `crates/facturx/validation/fnfe-1.4.0`.
pub fn artefacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../facturx/validation/fnfe-1.4.0")
}

fn artefact(relative: &str) -> PathBuf {
    let path = artefacts().join(relative);
    assert!(
        path.is_file(),
        "{} is missing: the FNFE 1.4.0 artefacts are part of the repository \
         (validation/README.md says where they come from)",
        path.display()
    );
    path
}

/// Runs a real tool; a missing one fails the test and names its package.
fn run(command: &mut Command, package: &str) -> Output {
    let tool = command.get_program().to_string_lossy().into_owned();
    match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: these tests need it. Install it with \
             `sudo apt-get install {package}` (./x setup installs it)"
        ),
        Err(e) => panic!("could not run {tool}: {e}"),
    }
}

// ---------------------------------------------------------------- XSD

/// xmllint's complaints about `xml` against `1xsd/Factur-X_EN16931.xsd`,
/// one per line as `LINE: message`; empty when the XML is valid.
pub fn xsd_errors(xml: &str) -> Vec<String> {
    let schema = artefact("1xsd/Factur-X_EN16931.xsd");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("invoice.xml");
    std::fs::write(&file, xml).expect("write the XML to check");
    let output = run(
        Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(&schema)
            .arg(&file),
        "libxml2-utils",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let name = file.display().to_string();
    let mut errors: Vec<String> = stderr
        .lines()
        .filter(|line| {
            *line != format!("{name} validates") && *line != format!("{name} fails to validate")
        })
        .map(|line| line.strip_prefix(&format!("{name}:")).unwrap_or(line))
        .map(str::to_owned)
        .collect();
    match output.status.code() {
        Some(0) => assert!(errors.is_empty(), "xmllint said valid, yet: {errors:?}"),
        // 1..=4: unparsable, DTD or schema invalid; 5: the XSD itself failed.
        Some(5) => panic!("xmllint could not load {}: {stderr}", schema.display()),
        _ if errors.is_empty() => {
            errors.push(format!("xmllint failed ({}): {stderr}", output.status))
        }
        _ => {}
    }
    errors
}

// ---------------------------------------------------------------- Schematron

/// Which compiled Schematron (FNFE 1.4.0, `2xslt/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rules {
    /// `FACTUR-X_EN16931.xslt`: EN 16931's business rules (BR-…, BR-CO-…,
    /// BR-S-…, code lists) plus Factur-X's restriction of CII to the
    /// profile. It reads `FACTUR-X_EN16931_codedb.xml` from its own folder.
    En16931,
    /// `BR-FR-Flux2-Schematron-CII.xslt`: the French rules (BR-FR-…,
    /// BR-FR-CO-…, BR-FR-DEC-…), every one flagged fatal: the edition for
    /// invoices sent from 1 September 2026.
    French,
}

impl Rules {
    pub const ALL: [Rules; 2] = [Rules::En16931, Rules::French];

    pub fn xslt(self) -> PathBuf {
        artefact(match self {
            Rules::En16931 => "2xslt/FACTUR-X_EN16931.xslt",
            Rules::French => "2xslt/BR-FR-Flux2-Schematron-CII.xslt",
        })
    }
}

/// A finding, as the product reads SVRL (`acquit facturx check` too).
pub use acquit_facturx::check::{Finding as Failed, Flag};

/// The fatal findings only.
pub fn fatal(failed: &[Failed]) -> Vec<&Failed> {
    failed.iter().filter(|f| f.is_fatal()).collect()
}

/// The distinct rules found, sorted: what a test asserts on.
pub fn rule_ids(failed: &[Failed]) -> Vec<&str> {
    let mut rules: Vec<&str> = failed.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}

/// The findings of one rule set on one XML.
pub fn schematron(xml: &str, rules: Rules) -> Vec<Failed> {
    schematron_many(&[("invoice", xml)], rules)
        .remove("invoice")
        .expect("the one document's findings")
}

/// The findings of one rule set on many XMLs, by name, in one Saxon run
/// over a folder: the JVM start and the stylesheet's compilation (1.2 to
/// 1.9 s of a run here) are paid once, each more document costs ~25 ms.
pub fn schematron_many<N, X>(docs: &[(N, X)], rules: Rules) -> HashMap<String, Vec<Failed>>
where
    N: AsRef<str>,
    X: AsRef<str>,
{
    let mut names = HashSet::new();
    for (name, _) in docs {
        assert!(
            names.insert(name.as_ref()),
            "two documents named {:?}",
            name.as_ref()
        );
    }
    if docs.is_empty() {
        return HashMap::new();
    }
    let xslt = rules.xslt();
    let jar = Path::new(SAXON_JAR);
    assert!(
        jar.is_file(),
        "{SAXON_JAR} is missing: install Saxon-HE with `sudo apt-get install libsaxonhe-java` \
         (./x setup installs it)"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir(&input).unwrap();
    std::fs::create_dir(&output).unwrap();
    // Files are numbered, not named after the documents: any name works.
    let file = |i: usize| format!("{i:04}.xml");
    for (i, (_, xml)) in docs.iter().enumerate() {
        std::fs::write(input.join(file(i)), xml.as_ref()).unwrap();
    }
    let out = run(
        Command::new("java")
            // The run is short and mostly compiles the stylesheet: the quick
            // JIT and the simplest GC halve it (4 s to 2 s here) and spare
            // the other core.
            .arg("-XX:TieredStopAtLevel=1")
            .arg("-XX:+UseSerialGC")
            .arg("-cp")
            .arg(jar)
            .arg("net.sf.saxon.Transform")
            .arg(format!("-s:{}", input.display()))
            .arg(format!("-o:{}", output.display()))
            .arg(format!("-xsl:{}", xslt.display())),
        "default-jre-headless",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // In a folder run Saxon goes on past a document it cannot transform and
    // names it: "While processing 0003.xml: <why>".
    let mut broken = HashMap::new();
    for line in stderr.lines() {
        if let Some((name, why)) = line
            .strip_prefix("While processing ")
            .and_then(|rest| rest.split_once(": "))
        {
            broken.insert(name.to_owned(), why.trim().to_owned());
        }
    }
    assert!(
        out.status.success() || !broken.is_empty(),
        "Saxon failed on {} ({}): {stderr}",
        xslt.display(),
        out.status
    );
    docs.iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let findings = match broken.get(&file(i)) {
                Some(why) => vec![Failed {
                    rule: "transform-error".into(),
                    id: String::new(),
                    flag: Flag::Fatal,
                    report: false,
                    location: "/".into(),
                    text: why.clone(),
                }],
                None => {
                    let svrl = output.join(file(i));
                    let svrl = std::fs::read_to_string(&svrl).unwrap_or_else(|e| {
                        panic!(
                            "Saxon wrote no report for {:?} ({e}): {stderr}",
                            name.as_ref()
                        )
                    });
                    parse_svrl(&svrl)
                }
            };
            (name.as_ref().to_owned(), findings)
        })
        .collect()
}

/// The findings of an SVRL report, in document order.
pub fn parse_svrl(svrl: &str) -> Vec<Failed> {
    acquit_facturx::check::parse_svrl(svrl).unwrap_or_else(|e| panic!("{e}: {svrl}"))
}

// ---------------------------------------------------------------- all at once

/// Everything the tools said about one document.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub xsd: Vec<String>,
    pub en16931: Vec<Failed>,
    pub french: Vec<Failed>,
}

impl Verdict {
    pub fn findings(&self, rules: Rules) -> &[Failed] {
        match rules {
            Rules::En16931 => &self.en16931,
            Rules::French => &self.french,
        }
    }

    /// What makes the document invalid: XSD errors and fatal findings.
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self.xsd.iter().map(|e| format!("XSD: {e}")).collect();
        for rules in Rules::ALL {
            let findings = self.findings(rules);
            errors.extend(fatal(findings).iter().map(|f| format!("{rules:?}: {f}")));
        }
        errors
    }

    /// Warnings and information, for printing.
    pub fn notes(&self) -> Vec<String> {
        Rules::ALL
            .into_iter()
            .flat_map(|rules| {
                let findings = self.findings(rules).iter().filter(|f| !f.is_fatal());
                findings.map(move |f| format!("{rules:?}: {f}"))
            })
            .collect()
    }
}

/// The XSD and both rule sets on every document: two Saxon runs, side by
/// side (one per core), whatever the number of documents.
pub fn validate<N, X>(docs: &[(N, X)]) -> BTreeMap<String, Verdict>
where
    N: AsRef<str> + Sync,
    X: AsRef<str> + Sync,
{
    let (mut en16931, mut french) = std::thread::scope(|s| {
        let en16931 = s.spawn(|| schematron_many(docs, Rules::En16931));
        let french = s.spawn(|| schematron_many(docs, Rules::French));
        (en16931.join().unwrap(), french.join().unwrap())
    });
    docs.iter()
        .map(|(name, xml)| {
            let name = name.as_ref();
            let verdict = Verdict {
                xsd: xsd_errors(xml.as_ref()),
                en16931: en16931.remove(name).unwrap(),
                french: french.remove(name).unwrap(),
            };
            (name.to_owned(), verdict)
        })
        .collect()
}

/// Fails the test with every error of every document, and prints the
/// warnings of valid ones.
pub fn assert_valid(verdicts: &BTreeMap<String, Verdict>) {
    let mut report = String::new();
    for (name, verdict) in verdicts {
        for note in verdict.notes() {
            println!("{name}: {note}");
        }
        for error in verdict.errors() {
            report.push_str(&format!("\n{name}: {error}"));
        }
    }
    assert!(report.is_empty(), "invalid e-invoices:{report}");
}

// ---------------------------------------------------------------- factur-x (Python)

pub use crate::python;

/// Runs a script with the venv's Python, `stdin` on its standard input.
fn python_script(script: &str, args: &[&Path], stdin: &[u8]) -> Output {
    let python = python();
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run {}: {e}: run ./x setup", python.display()));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "{stderr}\nthe factur-x library is missing from {}: run ./x setup \
         (tests/requirements.txt pins it)",
        python.display()
    );
    output
}

/// What the factur-x library found in a PDF.
#[derive(Clone, Debug)]
pub struct Embedded {
    /// The attachment's name: `factur-x.xml` for a Factur-X (the library
    /// also accepts `zugferd-invoice.xml`).
    pub filename: String,
    /// The profile it reads from the XML's guideline id (BT-24):
    /// `en16931` for `urn:cen.eu:en16931:2017`.
    pub level: String,
    pub xml: Vec<u8>,
}

const EXTRACT: &str = r#"
import sys
from lxml import etree
from facturx import get_facturx_xml_from_pdf, get_level
with open(sys.argv[1], "rb") as f:
    pdf = f.read()
# No XSD check here: facturx_python_xsd does it, and says why it fails.
filename, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
if not filename:
    sys.exit("no Factur-X XML attached to " + sys.argv[1])
level = get_level(etree.fromstring(xml), "factur-x")
with open(sys.argv[2], "wb") as f:
    f.write(xml)
print(filename)
print(level)
"#;

/// The Factur-X XML the `factur-x` library finds attached to a PDF (it
/// reads the attachments with pypdf, as an invoice's recipient would).
pub fn facturx_python(pdf: &Path) -> Embedded {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let xml_path = dir.path().join("extracted.xml");
    let output = python_script(EXTRACT, &[pdf, &xml_path], b"");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "factur-x found no XML in {}: {}{stdout}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = stdout.lines();
    let filename = lines.next().unwrap_or_default().to_owned();
    let level = lines.next().unwrap_or_default().to_owned();
    let xml = std::fs::read(&xml_path).unwrap();
    Embedded {
        filename,
        level,
        xml,
    }
}

const CHECK_XSD: &str = r#"
import sys
from facturx import xml_check_xsd
try:
    xml_check_xsd(sys.stdin.buffer.read(), flavor="factur-x", level="en16931")
except Exception as e:
    print(e)
    sys.exit(1)
"#;

/// The `factur-x` library's own XSD check (lxml, with the Factur-X EN 16931
/// XSD it bundles): `Err` with its message when the XML is invalid.
pub fn facturx_python_xsd(xml: &[u8]) -> Result<(), String> {
    let output = python_script(CHECK_XSD, &[], xml);
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stdout.is_empty(),
        "the factur-x XSD check failed: {stderr}"
    );
    Err(stdout)
}
