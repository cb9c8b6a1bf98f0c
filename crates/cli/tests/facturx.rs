//! Issue #21's acceptance: every kind of document Acquit issues is a
//! Factur-X EN 16931 that tools nobody here wrote accept. The real binary
//! makes the books and the files; xmllint (XSD), Saxon-HE (the EN 16931
//! and French rules, FNFE 1.4.0), the PyPI `factur-x` library, qpdf and
//! PDFBox Preflight judge them.

mod common;
use acquit_testkit::facturx as support;

use common::{Acquit, text};
use serde_json::Value;
use std::path::Path;

/// Books with the matrix of the issue: returns each issued number with
/// what it shows.
fn books(acquit: &Acquit) -> Vec<(String, &'static str)> {
    let mut issued = Vec::new();
    let mut issue =
        |acquit: &Acquit, what: &'static str, new: &[&str], lines: &[&[&str]], date: &str| {
            let mut args = vec!["invoice", "new"];
            args.extend_from_slice(new);
            let id = acquit.ok(&args).trim().to_owned();
            for line in lines {
                let mut args = vec!["invoice", "add-line", id.as_str()];
                args.extend_from_slice(line);
                acquit.ok(&args);
            }
            let number = acquit
                .ok(&["invoice", "issue", &id, "--date", date])
                .trim()
                .to_owned();
            issued.push((number.clone(), what));
            number
        };
    common::sasu_company(acquit, "Nova Matériaux", "goods");
    // 1 a French business, 2 an EU business (services, reverse charge),
    // 3 an EU business (goods), 4 a US business (goods exported), 5 a UK
    // business (services outside the EU), 6 a Greek-named client.
    for client in [
        &[
            "--name",
            "Boulangerie Martin",
            "--siren",
            "443061841",
            "--address",
            "4 place des Terreaux, 69001 Lyon",
        ][..],
        &[
            "--name",
            "Nordic Design AB",
            "--vat",
            "SE556677889901",
            "--vat-exemption",
            "reverse-charge",
            "--street",
            "Storgatan 1",
            "--postcode",
            "111 22",
            "--city",
            "Stockholm",
            "--country",
            "SE",
            "--email",
            "ap@nordic.example",
        ],
        &[
            "--name",
            "Berliner Bau GmbH",
            "--vat",
            "DE136695976",
            "--vat-exemption",
            "intra-eu-goods",
            "--street",
            "Unter den Linden 1",
            "--postcode",
            "10117",
            "--city",
            "Berlin",
            "--country",
            "DE",
            "--email",
            "ap@bau.example",
        ],
        &[
            "--name",
            "Hudson Tools Inc",
            "--vat-exemption",
            "export-goods",
            "--street",
            "5 Main St",
            "--postcode",
            "10001",
            "--city",
            "New York",
            "--country",
            "US",
            "--email",
            "ap@hudson.example",
        ],
        common::UK_CLIENT,
        &[
            "--name",
            "Γιώργος Παπαδόπουλος",
            "--siren",
            "732829320",
            "--street",
            "3 rue d'Athènes",
            "--postcode",
            "75009",
            "--city",
            "Paris",
        ],
    ] {
        let mut args = vec!["client", "add"];
        args.extend_from_slice(client);
        acquit.ok(&args);
    }
    let day = "2027-09-06";
    issue(
        acquit,
        "paid by card or cheque",
        &["--client", "1", "--pay-by", "card,cheque"],
        &[&[
            "--desc",
            "Sacs de farine",
            "--qty",
            "2",
            "--unit-price",
            "45",
            "--vat",
            "5.5",
        ]],
        day,
    );
    let two_rates = issue(
        acquit,
        "two rates and a discount, delivery, order",
        &[
            "--client",
            "1",
            "--order-ref",
            "PO-7781",
            "--delivery-street",
            "Entrepôt 4",
            "--delivery-postcode",
            "69007",
            "--delivery-city",
            "Lyon",
        ],
        &[
            &[
                "--desc",
                "Farine T65",
                "--qty",
                "250",
                "--unit-price",
                "1.20",
                "--vat",
                "5.5",
                "--unit",
                "kg",
                "--discount",
                "10%",
            ],
            &[
                "--desc",
                "Livraison",
                "--qty",
                "1",
                "--unit-price",
                "45",
                "--nature",
                "service",
                "--unit",
                "lump-sum",
            ],
        ],
        day,
    );
    issue(
        acquit,
        "reverse charge",
        &["--client", "2"],
        &[&[
            "--desc",
            "Conseil",
            "--qty",
            "2",
            "--unit-price",
            "500",
            "--vat",
            "0",
            "--nature",
            "service",
            "--unit",
            "day",
        ]],
        day,
    );
    issue(
        acquit,
        "intra-EU goods",
        &["--client", "3"],
        &[&[
            "--desc",
            "Béton",
            "--qty",
            "10",
            "--unit-price",
            "80",
            "--vat",
            "0",
        ]],
        day,
    );
    issue(
        acquit,
        "export",
        &["--client", "4"],
        &[&[
            "--desc",
            "Outils",
            "--qty",
            "3",
            "--unit-price",
            "99.99",
            "--vat",
            "0",
        ]],
        day,
    );
    issue(
        acquit,
        "services outside the EU",
        &["--client", "5"],
        &[&[
            "--desc",
            "Audit",
            "--qty",
            "1",
            "--unit-price",
            "650",
            "--vat",
            "0",
            "--nature",
            "service",
        ]],
        day,
    );
    issue(
        acquit,
        "Greek and Cyrillic names",
        &["--client", "6"],
        &[&[
            "--desc",
            "Relecture russe pour Дмитрий Иванов",
            "--qty",
            "2",
            "--unit-price",
            "120.50",
            "--vat",
            "20",
            "--nature",
            "service",
        ]],
        day,
    );
    issue(
        acquit,
        "in dollars",
        &["--client", "1", "--currency", "USD", "--eur-rate", "1.0850"],
        &[&[
            "--desc",
            "Export consulting",
            "--qty",
            "1",
            "--unit-price",
            "1000",
            "--nature",
            "service",
        ]],
        day,
    );
    let deposit = issue(
        acquit,
        "deposit",
        &["--client", "1", "--kind", "deposit"],
        &[&[
            "--desc",
            "Acompte 30 %",
            "--qty",
            "1",
            "--unit-price",
            "333.33",
            "--vat",
            "20",
        ]],
        day,
    );
    issue(
        acquit,
        "final invoice after the deposit",
        &["--client", "1", "--kind", "balance", "--of", &deposit],
        &[
            &[
                "--desc",
                "Commande",
                "--qty",
                "3",
                "--unit-price",
                "333.33",
                "--vat",
                "20",
            ],
            &[
                "--desc",
                "Port",
                "--qty",
                "1",
                "--unit-price",
                "12.34",
                "--vat",
                "5.5",
            ],
        ],
        "2027-09-07",
    );
    let long: Vec<Vec<String>> = (1..=60)
        .map(|i| {
            vec![
                "--desc".into(),
                format!("Ligne {i} de la commande"),
                "--qty".into(),
                "1".into(),
                "--unit-price".into(),
                format!("10.{i:02}"),
            ]
        })
        .collect();
    let long: Vec<Vec<&str>> = long
        .iter()
        .map(|l| l.iter().map(String::as_str).collect())
        .collect();
    let long: Vec<&[&str]> = long.iter().map(Vec::as_slice).collect();
    issue(
        acquit,
        "60 lines, three pages",
        &["--client", "1"],
        &long,
        "2027-09-08",
    );
    let credit = acquit
        .ok(&[
            "credit-note",
            &two_rates,
            "--amount",
            "100",
            "--reason",
            "Geste commercial",
            "--date",
            "2027-09-09",
        ])
        .trim()
        .to_owned();
    issued.push((credit, "credit note"));
    issued
}

/// A micro-entrepreneur under the franchise, in other books.
fn franchise_books(acquit: &Acquit) -> Vec<(String, &'static str)> {
    common::micro_entrepreneur_company(acquit);
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Agence Lumière",
        "--siren",
        "443061841",
        "--address",
        "3 quai Rambaud, 69002 Lyon",
    ]);
    let id = acquit
        .ok(&["invoice", "new", "--client", "1"])
        .trim()
        .to_owned();
    acquit.ok(&[
        "invoice",
        "add-line",
        &id,
        "--desc",
        "Atelier de design",
        "--qty",
        "3",
        "--unit-price",
        "450",
        "--unit",
        "day",
    ]);
    let number = acquit
        .ok(&["invoice", "issue", &id, "--date", "2027-09-02"])
        .trim()
        .to_owned();
    vec![(number, "EI under the franchise to a French business")]
}

fn decimal(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .trim_start_matches('-')
        .to_owned()
}

/// The text of the first element named `name` (any namespace).
fn element(xml: &str, name: &str) -> String {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .find(|n| n.tag_name().name() == name)
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned()
}

fn preflight(pdf: &Path) -> Vec<String> {
    let j = "/usr/share/java";
    let classpath = [
        "preflight",
        "pdfbox2",
        "fontbox2",
        "xmpbox",
        "commons-logging",
        "javax.activation",
        "jaxb-api",
    ]
    .map(|jar| format!("{j}/{jar}.jar"))
    .join(":");
    let out = std::process::Command::new("java")
        .args([
            "-cp",
            &classpath,
            "org.apache.pdfbox.preflight.Validator_A1b",
        ])
        .arg(pdf)
        .output()
        .expect("java (apt install default-jre-headless libpdfbox2-java)");
    text(&out.stdout)
        .lines()
        .filter(|l| l.contains(" : "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_kind_of_document_is_a_factur_x_the_official_rules_accept() {
    let standard = Acquit::on_day("2027-09-30");
    let franchise = Acquit::on_day("2027-09-30");
    let mut all: Vec<(&Acquit, String, &str)> = Vec::new();
    for (number, what) in books(&standard) {
        all.push((&standard, number, what));
    }
    for (number, what) in franchise_books(&franchise) {
        all.push((&franchise, number, what));
    }

    let xmls: Vec<(String, String)> = all
        .iter()
        .map(|(acquit, number, what)| {
            (
                format!("{number} ({what})"),
                acquit.ok(&["invoice", "xml", number]),
            )
        })
        .collect();
    // XSD and both rule sets, zero fatal failed assert.
    let verdicts = support::validate(&xmls);
    support::assert_valid(&verdicts);
    // The final invoice names the deposit it deducts as a preceding
    // invoice (BT-25), with its date (BT-26).
    let number_of = |wanted: &str| {
        let i = all.iter().position(|(_, _, what)| *what == wanted).unwrap();
        (all[i].1.clone(), xmls[i].1.clone())
    };
    let (deposit, deposit_xml) = number_of("deposit");
    let (_, final_xml) = number_of("final invoice after the deposit");
    let referenced = final_xml
        .split("<ram:InvoiceReferencedDocument>")
        .nth(1)
        .expect("a preceding invoice");
    assert!(
        referenced.contains(&format!(
            "<ram:IssuerAssignedID>{deposit}</ram:IssuerAssignedID>"
        )),
        "{referenced}"
    );
    let deposit_day = element(&deposit_xml, "DateTimeString");
    assert!(referenced.contains(&deposit_day), "{referenced}");
    // The ways to pay recorded at issue (BT-81): a transfer to the IBAN by
    // default, else what the draft chose, in its order.
    let means = |xml: &str| -> Vec<String> {
        roxmltree::Document::parse(xml)
            .unwrap()
            .descendants()
            .filter(|n| n.tag_name().name() == "SpecifiedTradeSettlementPaymentMeans")
            .map(|n| {
                let code = n
                    .children()
                    .find(|c| c.tag_name().name() == "TypeCode")
                    .and_then(|c| c.text())
                    .unwrap_or_default();
                let iban = n
                    .descendants()
                    .find(|c| c.tag_name().name() == "IBANID")
                    .and_then(|c| c.text());
                format!(
                    "{code}{}",
                    iban.map(|i| format!(" {i}")).unwrap_or_default()
                )
            })
            .collect()
    };
    assert_eq!(means(&number_of("paid by card or cheque").1), ["48", "20"]);
    assert_eq!(
        means(&final_xml),
        ["58 FR7630006000011234567890189"],
        "the default: a transfer"
    );

    for ((acquit, number, what), (_, xml)) in all.iter().zip(&xmls) {
        let pdf = acquit.dir.path().join(format!("{number}.pdf"));
        acquit.ok(&[
            "invoice",
            "pdf",
            number,
            "--as-issued",
            "--out",
            pdf.to_str().unwrap(),
        ]);
        // The recipient's library finds the very XML `invoice xml` prints.
        let embedded = support::facturx_python(&pdf);
        assert_eq!(embedded.filename, "factur-x.xml", "{number}");
        assert_eq!(embedded.level, "en16931", "{number}");
        assert!(
            embedded.xml == xml.as_bytes(),
            "{number} ({what}): the embedded XML differs"
        );
        // Its totals are the books'.
        let json = acquit.json(&["invoice", "show", number, "--json"]);
        assert_eq!(
            element(xml, "GrandTotalAmount"),
            decimal(&json["total"]),
            "{number}"
        );
        assert_eq!(
            element(xml, "TaxBasisTotalAmount"),
            decimal(&json["net"]),
            "{number}"
        );
        assert_eq!(
            element(xml, "TaxTotalAmount"),
            decimal(&json["vat_total"]),
            "{number}"
        );
        // A sound PDF, PDF/A-3: PDFBox checks PDF/A-1b, so only what
        // PDF/A-3 allows and A-1 does not may be reported.
        let check = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "qpdf --check {number}: {}",
            text(&check.stdout)
        );
        let a1_only = ["1.4.7", "1.2.9", "3.1.11", "7.11.2"];
        let other: Vec<String> = preflight(&pdf)
            .into_iter()
            .filter(|e| !a1_only.iter().any(|code| e.starts_with(code)))
            .collect();
        assert!(
            other.is_empty(),
            "{number} ({what}): PDF/A errors beyond the A-1-only ones: {other:?}"
        );
        let bytes = std::fs::read(&pdf).unwrap();
        let raw = String::from_utf8_lossy(&bytes);
        for mark in [
            "<pdfaid:part>3</pdfaid:part>",
            "<pdfaid:conformance>B</pdfaid:conformance>",
            "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
        ] {
            assert!(raw.contains(mark), "{number}: the XMP lacks {mark}");
        }
    }

    // The PAID-stamped copy is a PDF/A-3 too. Its stamp is translucent,
    // which PDF/A-2 and 3 allow (blended in the OutputIntent's sRGB) and
    // PDF/A-1 does not: PDFBox's A-1 check may add only that (4.1.2).
    let (acquit, number, _) = &all[0];
    let json = acquit.json(&["invoice", "show", number, "--json"]);
    let total = json["total"].as_str().unwrap().to_owned();
    acquit.ok(&[
        "payment",
        "add",
        number,
        "--amount",
        &total,
        "--method",
        "transfer",
        "--date",
        "2027-09-10",
    ]);
    let stamped = acquit.dir.path().join("stamped.pdf");
    acquit.ok(&["invoice", "pdf", number, "--out", stamped.to_str().unwrap()]);
    assert!(
        common::pdf_text(&stamped).contains("PAYÉE"),
        "the stamp is drawn"
    );
    let a1_only = ["1.4.7", "1.2.9", "3.1.11", "7.11.2", "4.1.2"];
    let other: Vec<String> = preflight(&stamped)
        .into_iter()
        .filter(|e| !a1_only.iter().any(|code| e.starts_with(code)))
        .collect();
    assert!(other.is_empty(), "the stamped copy: {other:?}");
    let raw = String::from_utf8_lossy(&std::fs::read(&stamped).unwrap()).into_owned();
    assert!(raw.contains("<pdfaid:part>3</pdfaid:part>"));
}

#[test]
fn the_rules_really_run_a_wrong_vat_total_is_reported_by_rule_id() {
    let standard = Acquit::on_day("2027-09-30");
    let issued = books(&standard);
    let xml = standard.ok(&["invoice", "xml", &issued[0].0]);
    let total = element(&xml, "TaxTotalAmount");
    let wrong = xml.replacen(
        &format!(">{total}</ram:TaxTotalAmount>"),
        ">999.99</ram:TaxTotalAmount>",
        1,
    );
    assert_ne!(wrong, xml);
    let failed = support::schematron(&wrong, support::Rules::En16931);
    let ids = support::rule_ids(&failed);
    println!("a wrong VAT total: {ids:?}");
    assert!(
        !ids.is_empty(),
        "the EN 16931 rules said nothing of a wrong VAT total"
    );
    let texts: String = failed.iter().map(|f| f.to_string()).collect();
    assert!(
        texts.contains("BR-CO-14") || texts.contains("BR-CO-15"),
        "{texts}"
    );
}

#[test]
fn facturx_check_reads_one_back_and_names_each_violation_by_rule() {
    let acquit = Acquit::on_day("2027-09-30");
    let (number, _) = franchise_books(&acquit).remove(0);
    let pdf = acquit.dir.path().join("fx.pdf");
    acquit.ok(&[
        "invoice",
        "facturx",
        &number,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let out = acquit.ok(&["facturx", "check", pdf.to_str().unwrap()]);
    assert!(out.starts_with("factur-x.xml found in"), "{out}");
    assert!(
        out.contains("EN 16931: no violation")
            && out.contains("French rules (BR-FR): no violation")
            && out.contains("PDF/A-3 (PDFBox Preflight): no violation"),
        "{out}"
    );

    // The same file with its OutputIntent's key misspelt: its colours have
    // no profile any more, which PDF/A forbids. Said, exit 1.
    let qdf = acquit.dir.path().join("qdf.pdf");
    let qpdf = std::process::Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&pdf)
        .arg(&qdf)
        .output()
        .unwrap();
    assert!(qpdf.status.success(), "{}", text(&qpdf.stderr));
    let mut bytes = std::fs::read(&qdf).unwrap();
    let at = bytes
        .windows(14)
        .position(|w| w == b"/OutputIntents")
        .expect("an OutputIntent");
    bytes[at + 13] = b'X';
    let no_profile = acquit.dir.path().join("no-profile.pdf");
    std::fs::write(&no_profile, bytes).unwrap();
    let run = acquit.run(&["facturx", "check", no_profile.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stdout));
    let report = text(&run.stdout);
    assert!(
        report.contains("PDF/A-3 (PDFBox Preflight):")
            && report.contains("2.4.3 : Invalid Color space"),
        "{report}"
    );

    // Its XML with a wrong VAT total: exit 1, the report on stdout.
    let xml = acquit.ok(&["invoice", "xml", &number]);
    let total = element(&xml, "GrandTotalAmount");
    let wrong = xml.replacen(
        &format!(">{total}</ram:GrandTotalAmount>"),
        ">1.00</ram:GrandTotalAmount>",
        1,
    );
    let bad = acquit.dir.path().join("bad.xml");
    std::fs::write(&bad, wrong).unwrap();
    let run = acquit.run(&["facturx", "check", bad.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let report = text(&run.stdout);
    assert!(report.contains("BR-CO-15"), "{report}");
    assert!(text(&run.stderr).contains("is not a valid Factur-X EN 16931"));

    // The current rendering (what is sent, shared, exported) is a Factur-X
    // too, which says it is a copy.
    let copy = acquit.dir.path().join("copy.pdf");
    acquit.ok(&["invoice", "pdf", &number, "--out", copy.to_str().unwrap()]);
    let out = acquit.ok(&["facturx", "check", copy.to_str().unwrap()]);
    assert!(out.contains("French rules (BR-FR): no violation"), "{out}");
    let raw = String::from_utf8_lossy(&std::fs::read(&copy).unwrap()).into_owned();
    assert!(
        raw.contains("Copie montrant l'état du paiement"),
        "the copy says so in its XMP"
    );
    assert!(!String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).contains("Copie montrant"));

    // A PDF without the XML: said, exit 1.
    let plain = acquit.dir.path().join("plain.pdf");
    let qpdf = std::process::Command::new("qpdf")
        .arg(&pdf)
        .arg("--remove-attachment=factur-x.xml")
        .arg(&plain)
        .output()
        .unwrap();
    assert!(qpdf.status.success(), "{}", text(&qpdf.stderr));
    let stderr = acquit.fails(1, &["facturx", "check", plain.to_str().unwrap()]);
    assert!(stderr.contains("not a Factur-X"), "{stderr}");

    // Without the tools: what to install, exit 3.
    let out = acquit
        .command(&["facturx", "check", pdf.to_str().unwrap()])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("apt-get install libxml2-utils"),
        "{}",
        text(&out.stderr)
    );
}
