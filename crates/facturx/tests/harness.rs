//! The validation harness proved on invoices written by hand, before any
//! generated one: the fixtures must pass every check (XSD, EN 16931 rules,
//! French rules), and copies broken on purpose must be caught by the rule
//! that names the fault. A check that finds nothing is only worth something
//! if it finds these.
//!
//! `cargo test -p acquit-facturx --test harness -- --nocapture` prints the
//! rules each broken copy trips and how long each tool took.

use acquit_testkit::facturx as support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::{
    Flag, Rules, facturx_python, facturx_python_xsd, fatal, parse_svrl, rule_ids, schematron,
    schematron_many, validate, xsd_errors,
};

const STANDARD: &str = include_str!("fixtures/standard-b2b.xml");
const FRANCHISE: &str = include_str!("fixtures/franchise-b2b.xml");

/// `xml` with `from` replaced by `to`, `from` occurring exactly once.
fn broken(xml: &str, from: &str, to: &str) -> String {
    assert_eq!(xml.matches(from).count(), 1, "{from:?} must occur once");
    xml.replacen(from, to, 1)
}

#[test]
fn the_fixtures_pass_every_check() {
    let docs = [("standard-b2b", STANDARD), ("franchise-b2b", FRANCHISE)];
    let start = Instant::now();
    let verdicts = validate(&docs);
    println!(
        "XSD + both rule sets on {} documents: {:.1?}",
        docs.len(),
        start.elapsed()
    );
    for (name, verdict) in &verdicts {
        // Not even a warning: the fixtures are the reference.
        assert_eq!(verdict.xsd, Vec::<String>::new(), "{name}");
        for rules in Rules::ALL {
            let findings: Vec<String> = verdict
                .findings(rules)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(findings, Vec::<String>::new(), "{name}, {rules:?}");
        }
    }
    support::assert_valid(&verdicts);
}

#[test]
fn the_xsd_catches_a_misplaced_element() {
    // BT-1 after BT-3: the sequence is ID, TypeCode.
    let misplaced = broken(
        STANDARD,
        "<ram:ID>F-2026-0042</ram:ID>\n    <ram:TypeCode>380</ram:TypeCode>",
        "<ram:TypeCode>380</ram:TypeCode>\n    <ram:ID>F-2026-0042</ram:ID>",
    );
    let errors = xsd_errors(&misplaced);
    println!("misplaced BT-1: {errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("TypeCode") && e.contains("Expected is")),
        "{errors:#?}"
    );
    let errors = xsd_errors("<rsm:CrossIndustryInvoice");
    assert!(!errors.is_empty(), "not even XML");
}

/// One fault, the rule set that must see it, and the rules that must fire.
struct Case {
    name: &'static str,
    xml: String,
    rules: Rules,
    expected: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    let vat_total = "<ram:TaxTotalAmount currencyID=\"EUR\">542.64</ram:TaxTotalAmount>";
    vec![
        Case {
            name: "VAT total (BT-110) off by 0.64",
            xml: broken(STANDARD, vat_total, &vat_total.replace("542.64", "542.00")),
            rules: Rules::En16931,
            // BT-110 = Σ BT-117, and BT-112 = BT-109 + BT-110.
            expected: &["BR-CO-14", "BR-CO-15"],
        },
        Case {
            name: "a line's net amount (BT-131) that is not quantity × price",
            xml: broken(
                STANDARD,
                "<ram:LineTotalAmount>48.00</ram:LineTotalAmount>",
                "<ram:LineTotalAmount>50.00</ram:LineTotalAmount>",
            ),
            rules: Rules::En16931,
            // Σ BT-131 = BT-106, and the 5.5 % breakdown's basis = Σ its lines.
            expected: &["BR-CO-10", "BR-S-08"],
        },
        Case {
            name: "franchise seller without BT-31 or BT-32",
            xml: broken(
                FRANCHISE,
                "<ram:SpecifiedTaxRegistration>\n          <ram:ID schemeID=\"FC\">732829320</ram:ID>\n        </ram:SpecifiedTaxRegistration>\n",
                "",
            ),
            rules: Rules::En16931,
            expected: &["BR-E-02"],
        },
        Case {
            name: "a decimal comma: the rules cannot even run",
            xml: broken(
                STANDARD,
                "<ram:LineTotalAmount>2748.00</ram:LineTotalAmount>",
                "<ram:LineTotalAmount>2748,00</ram:LineTotalAmount>",
            ),
            rules: Rules::En16931,
            expected: &["transform-error"],
        },
        Case {
            name: "no recovery indemnity note (PMT)",
            xml: broken(
                STANDARD,
                "<ram:SubjectCode>PMT</ram:SubjectCode>",
                "<ram:SubjectCode>SUR</ram:SubjectCode>",
            ),
            rules: Rules::French,
            expected: &["BR-FR-05_BT-22_PMT"],
        },
        Case {
            name: "no billing framework (BT-23)",
            xml: broken(
                STANDARD,
                "<ram:BusinessProcessSpecifiedDocumentContextParameter>\n      <ram:ID>M1</ram:ID>\n    </ram:BusinessProcessSpecifiedDocumentContextParameter>\n",
                "",
            ),
            rules: Rules::French,
            expected: &["BR-FR-08_BT-23"],
        },
        Case {
            name: "the buyer's address (BT-49) is an email in a B2B invoice",
            xml: broken(
                STANDARD,
                "<ram:URIID schemeID=\"0225\">552100554</ram:URIID>",
                "<ram:URIID schemeID=\"EM\">compta@atelier-dubois.fr</ram:URIID>",
            ),
            rules: Rules::French,
            expected: &["BR-FR-21_BT-49"],
        },
        Case {
            name: "a VAT rate with 3 decimals",
            xml: broken(
                STANDARD,
                "<ram:RateApplicablePercent>5.50</ram:RateApplicablePercent>\n        </ram:ApplicableTradeTax>\n        <ram:SpecifiedTradeSettlementLineMonetarySummation>",
                "<ram:RateApplicablePercent>5.500</ram:RateApplicablePercent>\n        </ram:ApplicableTradeTax>\n        <ram:SpecifiedTradeSettlementLineMonetarySummation>",
            ),
            rules: Rules::French,
            expected: &["BR-FR-16_BT-152", "BR-FR-DEC-04_BT-152"],
        },
        Case {
            name: "the seller's SIREN (BT-30) without its scheme",
            xml: broken(
                STANDARD,
                "<ram:ID schemeID=\"0002\">732829320</ram:ID>",
                "<ram:ID>732829320</ram:ID>",
            ),
            rules: Rules::French,
            expected: &["BR-FR-10_BT-30"],
        },
    ]
}

#[test]
fn broken_copies_are_caught_by_the_rule_that_names_the_fault() {
    let cases = cases();
    let mut report = String::new();
    for rules in Rules::ALL {
        let batch: Vec<(&str, &str)> = cases
            .iter()
            .filter(|c| c.rules == rules)
            .map(|c| (c.name, c.xml.as_str()))
            .collect();
        let start = Instant::now();
        let mut findings = schematron_many(&batch, rules);
        println!(
            "{rules:?} on {} documents: {:.1?}",
            batch.len(),
            start.elapsed()
        );
        for case in cases.iter().filter(|c| c.rules == rules) {
            let found = findings.remove(case.name).unwrap();
            let fatal: Vec<_> = fatal(&found).into_iter().cloned().collect();
            let ids = rule_ids(&fatal);
            println!("{rules:?}, {}: {ids:?}", case.name);
            for f in &fatal {
                println!("    {f}");
            }
            if ids != case.expected {
                report.push_str(&format!(
                    "\n{rules:?}, {}: expected {:?}, found {ids:?}",
                    case.name, case.expected
                ));
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn one_document_alone_is_checked_the_same() {
    let start = Instant::now();
    let failed = schematron(&cases()[0].xml, Rules::En16931);
    println!("EN 16931 on one document: {:.1?}", start.elapsed());
    assert_eq!(rule_ids(&failed), ["BR-CO-14", "BR-CO-15"]);
    let start = Instant::now();
    assert_eq!(schematron(STANDARD, Rules::French), vec![]);
    println!("French rules on one document: {:.1?}", start.elapsed());
}

#[test]
fn svrl_reports_are_read_with_their_flags() {
    let svrl = r#"<?xml version="1.0"?>
<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <svrl:active-pattern id="p"/>
  <svrl:fired-rule context="//ram:X"/>
  <svrl:failed-assert test="t" id="FX-SCH-A-000130" location="/*:CrossIndustryInvoice[namespace-uri()='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'][1]/*:SupplyChainTradeTransaction[namespace-uri()='urn:x'][1]">
    <svrl:text>
	[BR-CO-14]-Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).</svrl:text>
  </svrl:failed-assert>
  <svrl:failed-assert test="t" id="FX-SCH-A-000372" flag="warning" location="/a[1]">
    <svrl:text>[PEPPOL-EN16931-R008]-Document MUST not contain empty elements.</svrl:text>
  </svrl:failed-assert>
  <svrl:successful-report test="@schemeID" location="/a[1]/b[1]">
    <svrl:text>Attribute @schemeID' marked as not used in the given context.</svrl:text>
  </svrl:successful-report>
  <svrl:failed-assert test="t" id="BR-FR-05_BT-22_PMT" flag="fatal" location="/a[1]">
    <svrl:text>
        BR-FR-05/BT-22 : La mention relative aux frais de recouvrement (code PMT) est absente.
    </svrl:text>
  </svrl:failed-assert>
</svrl:schematron-output>"#;
    let found = parse_svrl(svrl);
    let summary: Vec<_> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.id.as_str(), f.flag, f.report))
        .collect();
    assert_eq!(
        summary,
        [
            ("BR-CO-14", "FX-SCH-A-000130", Flag::Fatal, false),
            (
                "PEPPOL-EN16931-R008",
                "FX-SCH-A-000372",
                Flag::Warning,
                false
            ),
            ("unnamed", "", Flag::Warning, true),
            (
                "BR-FR-05_BT-22_PMT",
                "BR-FR-05_BT-22_PMT",
                Flag::Fatal,
                false
            ),
        ]
    );
    assert_eq!(
        found[0].location,
        "/CrossIndustryInvoice[1]/SupplyChainTradeTransaction[1]"
    );
    assert_eq!(
        found[3].text,
        "BR-FR-05/BT-22 : La mention relative aux frais de recouvrement (code PMT) est absente."
    );
    assert_eq!(rule_ids(&found).len(), 4);
}

/// A one-page PDF with `xml` attached as `factur-x.xml`: the page from
/// pypdf, the attachment by qpdf, so the library reading it back did not
/// write it.
fn pdf_with_attachment(dir: &Path, xml: &str) -> std::path::PathBuf {
    let blank = dir.join("blank.pdf");
    let out = Command::new(support::python())
        .arg("-c")
        .arg("import sys; from pypdf import PdfWriter; w = PdfWriter(); w.add_blank_page(595, 842); w.write(sys.argv[1])")
        .arg(&blank)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml_path = dir.join("factur-x.xml");
    std::fs::write(&xml_path, xml).unwrap();
    let pdf = dir.join("invoice.pdf");
    let out = Command::new("qpdf")
        .arg(&blank)
        .arg(&pdf)
        .arg("--add-attachment")
        .arg(&xml_path)
        .args(["--key=factur-x.xml", "--mimetype=text/xml", "--"])
        .output()
        .unwrap_or_else(|e| panic!("qpdf: {e}: install it with `sudo apt-get install qpdf`"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pdf
}

#[test]
fn the_facturx_library_finds_the_xml_in_a_pdf_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = pdf_with_attachment(dir.path(), STANDARD);
    let start = Instant::now();
    let embedded = facturx_python(&pdf);
    println!("factur-x extraction: {:.1?}", start.elapsed());
    assert_eq!(embedded.filename, "factur-x.xml");
    assert_eq!(embedded.level, "en16931");
    assert_eq!(embedded.xml, STANDARD.as_bytes());

    let start = Instant::now();
    assert_eq!(facturx_python_xsd(&embedded.xml), Ok(()));
    println!("factur-x XSD check: {:.1?}", start.elapsed());
    let misplaced = broken(
        STANDARD,
        "<ram:ID>F-2026-0042</ram:ID>\n    <ram:TypeCode>380</ram:TypeCode>",
        "<ram:TypeCode>380</ram:TypeCode>\n    <ram:ID>F-2026-0042</ram:ID>",
    );
    let error = facturx_python_xsd(misplaced.as_bytes()).unwrap_err();
    println!("factur-x on misplaced BT-1: {error}");
    assert!(error.contains("TypeCode"), "{error}");
}
