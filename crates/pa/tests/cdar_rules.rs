//! The statuses Acquit writes (the seller's 212, the buyer's answers) pass
//! what nobody here wrote: the FNFE
//! 1.4.0 CDAR XSD (xmllint) and the French CDAR rules (BR-FR-CDV, compiled
//! Schematron run by Saxon-HE). The artefacts are the ones kept unchanged
//! beside the fake PA (`crates/fake-pa/spec/fnfe-1.4.0-cdar`, with their
//! checksums): specification files, not code.

use std::path::Path;
use std::process::{Command, Output};

use acquit_pa::lifecycle::{StatusMessage, status_cdar};

const SAXON: &str = "/usr/share/java/Saxon-HE.jar";

fn run(program: &str, args: &[&str], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run {program} ({e}): install libxml2-utils, default-jre-headless and libsaxonhe-java (./x setup)"
            )
        })
}

#[test]
fn the_statuses_acquit_sends_pass_the_fnfe_cdar_xsd_and_rules() {
    let artefacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fake-pa/spec/fnfe-1.4.0-cdar");
    let xsd = artefacts.join("1xsd/CrossDomainAcknowledgementAndResponse_100pD22B.xsd");
    assert!(
        Path::new(SAXON).exists(),
        "{SAXON} is missing: install libsaxonhe-java (./x setup)"
    );
    let dir = tempfile::tempdir().unwrap();
    type Reason = Option<(String, Option<String>)>;
    let cashed = |parts: Vec<(String, String)>| (212, "SE", None, parts);
    let answer = |code, reason: Reason| (code, "BY", reason, vec![]);
    for (n, (code, role, reason, parts)) in [
        cashed(vec![("1200.00".to_owned(), "20".to_owned())]),
        cashed(vec![
            ("305.40".to_owned(), "5.5".to_owned()),
            ("694.60".to_owned(), "20".to_owned()),
        ]),
        answer(205, None),
        answer(
            210,
            Some(("TX_TVA_ERR".into(), Some("Taux <10 %> & montant".into()))),
        ),
        answer(207, Some(("QTE_ERR".into(), None))),
    ]
    .into_iter()
    .enumerate()
    {
        let xml = status_cdar(&StatusMessage {
            message_id: format!("F-2027-0001-{code}-{n}"),
            issued_at: "20270920101500".into(),
            issuer_name: "Atelier Lune & Cie".into(),
            issuer_siren: "552100554".into(),
            issuer_role: role,
            code,
            reason,
            invoice_number: "F-2027-0001".into(),
            invoice_date: "20270906".into(),
            invoice_type: "380".into(),
            parts,
        });
        let file = dir.path().join(format!("cdar-{n}.xml"));
        std::fs::write(&file, &xml).unwrap();
        let file = file.to_str().unwrap();
        let out = run(
            "xmllint",
            &[
                "--noout",
                "--nonet",
                "--schema",
                xsd.to_str().unwrap(),
                file,
            ],
            dir.path(),
        );
        assert!(
            out.status.success(),
            "the CDAR XSD refuses it:\n{}\n{xml}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svrl = dir.path().join(format!("cdar-{n}.svrl"));
        let out = run(
            "java",
            &[
                "-cp",
                SAXON,
                "net.sf.saxon.Transform",
                &format!("-s:{file}"),
                "-xsl:BR-FR-CDV-Schematron-CDAR.xslt",
                &format!("-o:{}", svrl.display()),
            ],
            &artefacts.join("2xslt"),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svrl = std::fs::read_to_string(&svrl).unwrap();
        let failed: Vec<&str> = svrl
            .split("<svrl:failed-assert")
            .skip(1)
            .filter(|a| !a[..a.find('>').unwrap_or(a.len())].contains("flag=\"warning\""))
            .collect();
        assert!(
            failed.is_empty(),
            "the FNFE CDAR rules fail:\n{}\n{xml}",
            failed.join("\n")
        );
        assert!(
            svrl.contains("svrl:fired-rule"),
            "the rules did not run: {svrl}"
        );
    }
}
