//! Issue #22's acceptance, first part: the real `acquit` binary sends
//! e-invoices through the real `fake-pa` binary (written from the AFNOR
//! XP Z12-013 OpenAPI files, sharing no code with the client), with the
//! client secret in a real keyring. Send → Pending → Ok → the buyer's
//! "Approved" in `einvoice status`; a refusal shows its reason and what to
//! do; a duplicate send is refused, not sent twice; a send killed (-9)
//! after the upload is recorded from the platform, never sent again; what
//! cannot go through a platform says so; every request Acquit made was
//! accepted by the fake, which checks each against the files' schemas.

#![cfg(unix)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use acquit_testkit::keyring::{Keyring, Provider};
use acquit_testkit::servers::{FakePa, eventually};
use common::{Acquit, output_with_stdin, text};
use serde_json::{Value, json};

struct World {
    acquit: Acquit,
    keyring: Keyring,
    pa: FakePa,
}

impl World {
    fn new() -> World {
        let acquit = Acquit::on_day("2027-09-10");
        let keyring = Keyring::start(Provider::Unlocked);
        let pa = FakePa::start(acquit.dir.path());
        World {
            acquit,
            keyring,
            pa,
        }
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = self.acquit.command(args);
        self.keyring.env(&mut command);
        command
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "acquit {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stderr)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn connect(&self, secret: &str) -> std::process::Output {
        output_with_stdin(
            self.command(&[
                "pa",
                "connect",
                "--url",
                &self.pa.base,
                "--client-id",
                "acquit",
            ]),
            secret,
        )
    }

    /// A company, clients, and one issued invoice per client given.
    fn books(&self) {
        common::sasu_company(&self.acquit, "Atelier Lune", "liberal-services");
        // 1 registered with a platform, 2 a consumer, 3 with no platform.
        self.ok(&[
            "client",
            "add",
            "--name",
            "Boulangerie Pascale",
            "--siren",
            "702042755",
            "--address",
            "4 place des Terreaux, 69001 Lyon",
        ]);
        self.ok(&[
            "client",
            "add",
            "--name",
            "Jeanne Dupont",
            "--street",
            "3 rue Neuve",
            "--postcode",
            "69002",
            "--city",
            "Lyon",
        ]);
        self.ok(&[
            "client",
            "add",
            "--name",
            "Durand Frères",
            "--siren",
            "732829320",
            "--address",
            "9 quai Rambaud, 69002 Lyon",
        ]);
    }

    fn issue(&self, client: &str, price: &str) -> String {
        let id = self
            .ok(&["invoice", "new", "--client", client])
            .trim()
            .to_owned();
        self.ok(&[
            "invoice",
            "add-line",
            &id,
            "--desc",
            "Atelier de conception",
            "--qty",
            "2",
            "--unit-price",
            price,
            "--unit",
            "day",
        ]);
        self.ok(&["invoice", "issue", &id, "--date", "2027-09-06"])
            .trim()
            .to_owned()
    }

    fn creates(&self) -> usize {
        self.pa
            .logged()
            .iter()
            .filter(|r| r["method"] == "POST" && r["path"] == "/flow-service/v1/flows")
            .count()
    }
}

#[test]
fn an_invoice_goes_through_the_platform_and_its_statuses_come_back() {
    let w = World::new();
    w.books();
    let first = w.issue("1", "450");
    let second = w.issue("1", "300");
    let consumer = w.issue("2", "80");
    let no_platform = w.issue("3", "120");

    // Not connected: says how to connect.
    let said = w.fails(1, &["einvoice", "send", &first]);
    assert!(said.contains("acquit pa connect"), "{said}");
    // A wrong secret is refused by the platform, and nothing is recorded.
    let out = w.connect("not-the-secret\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refused Acquit's credentials"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(w.json(&["pa", "status", "--json"])["connected"], false);

    let out = w.connect("fake-pa-secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        w.keyring.lookup("pa-client-secret:acquit").as_deref(),
        Some("fake-pa-secret"),
        "the secret is in the keychain"
    );
    let status = w.json(&["pa", "status", "--json"]);
    assert_eq!(status["reachable"], true, "{status}");
    let db = std::fs::read(&w.acquit.db).unwrap();
    assert!(
        !db.windows(14).any(|win| win == b"fake-pa-secret"),
        "the secret is not in the books"
    );

    let said = w.ok(&["einvoice", "send", &first]);
    assert!(said.contains("sent to the platform as flow"), "{said}");
    let state = w.json(&["einvoice", "status", &first, "--json"]);
    assert_eq!(state["channel"], "e-invoice");
    assert_eq!(state["flow"]["ack"], "Pending", "{state}");
    let flow_id = state["flow"]["flow_id"].as_str().unwrap().to_owned();

    // The platform's checks pass, then the buyer approves.
    let (code, answer) = w.pa.control(
        "/_fake/process",
        json!({"trackingId": first, "status": "Ok"}),
    );
    assert_eq!(code, 200, "{answer}");
    let state = w.json(&["einvoice", "status", &first, "--json"]);
    assert_eq!(state["flow"]["ack"], "Ok", "{state}");
    assert_eq!(state["summary"], "Accepted by the platform");
    let (code, answer) = w.pa.control(
        "/_fake/lifecycle",
        json!({"trackingId": first, "status": "205"}),
    );
    assert_eq!(code, 201, "{answer}");
    let said = w.ok(&["einvoice", "status", &first]);
    assert!(said.contains("Approved (205)"), "{said}");
    let state = w.json(&["einvoice", "status", &first, "--json"]);
    assert_eq!(state["statuses"].as_array().unwrap().len(), 1, "{state}");
    assert_eq!(state["statuses"][0]["code"], 205);
    assert_eq!(state["statuses"][0]["issuer_role"], "BY");
    assert_eq!(state["next_step"], Value::Null);

    // Paid (services, no debits option): status 212 "Encaissée" goes to
    // the platform on the next look, with the amount and the VAT rate, once.
    w.ok(&[
        "payment", "add", &first, "--amount", "600", "--method", "transfer",
    ]);
    w.ok(&["einvoice", "status", &first]);
    w.ok(&["einvoice", "status", &first]);
    let tracking = format!("{first}-212-1");
    assert_eq!(platform_flows(&w, &tracking), 1, "one 212, sent once");
    let cdar = platform_file(&w, &tracking);
    for needle in [
        format!("<ram:IssuerAssignedID>{first}</ram:IssuerAssignedID>"),
        "<ram:ProcessConditionCode>212</ram:ProcessConditionCode>".to_owned(),
        "<ram:ValueAmount>600.00</ram:ValueAmount>".to_owned(),
        "<ram:ValuePercent>20</ram:ValuePercent>".to_owned(),
        "<ram:RoleCode>SE</ram:RoleCode>".to_owned(),
    ] {
        assert!(cdar.contains(&needle), "{needle} in\n{cdar}");
    }

    // Sent once: a second send is refused as a duplicate, nothing uploaded.
    let said = w.fails(1, &["einvoice", "send", &first]);
    assert!(
        said.contains("already sent") && said.contains(&flow_id),
        "{said}"
    );
    assert_eq!(w.creates(), 2, "the invoice and its 212");

    // A refusal shows its reason and what to do.
    w.ok(&["einvoice", "send", &second]);
    w.pa.control(
        "/_fake/process",
        json!({"trackingId": second, "status": "Ok"}),
    );
    let (code, answer) = w.pa.control(
        "/_fake/lifecycle",
        json!({"trackingId": second, "status": "210", "reason": "TX_TVA_ERR",
               "reasonMessage": "Taux de TVA erroné"}),
    );
    assert_eq!(code, 201, "{answer}");
    let state = w.json(&["einvoice", "status", &second, "--json"]);
    assert_eq!(
        state["summary"], "Refused (210): Taux de TVA erroné",
        "{state}"
    );
    assert_eq!(state["statuses"][0]["reason_code"], "TX_TVA_ERR");
    assert!(
        state["next_step"].as_str().unwrap().contains("credit note"),
        "{state}"
    );
    // The first invoice's statuses did not move.
    let state = w.json(&["einvoice", "status", &first, "--json"]);
    assert_eq!(state["statuses"].as_array().unwrap().len(), 1, "{state}");

    // What cannot go through a platform says where it goes instead.
    let said = w.fails(1, &["einvoice", "send", &consumer]);
    assert!(
        said.contains("consumer") && said.contains("e-reported"),
        "{said}"
    );
    let said = w.fails(1, &["einvoice", "send", &no_platform]);
    assert!(said.contains("no platform receiving"), "{said}");
    assert_eq!(w.creates(), 3);

    // Every request Acquit made was accepted by the fake, which checks each
    // against the OpenAPI files (a request breaking them is answered 4xx).
    let logged = w.pa.logged();
    assert!(logged.len() > 10);
    for request in &logged {
        let path = request["path"].as_str().unwrap();
        if path.starts_with("/_fake/") {
            continue;
        }
        let status = request["status"].as_u64().unwrap();
        let wrong_secret = path.starts_with("/auth-service/") && status == 401;
        assert!(
            (200..300).contains(&status) || wrong_secret,
            "refused: {request}"
        );
    }
    let log = std::fs::read_to_string(&w.pa.log).unwrap();
    assert!(!log.contains("fake-pa-secret"), "the fake logs no secret");
}

#[test]
fn a_send_killed_after_the_upload_is_recorded_from_the_platform_not_sent_again() {
    let w = World::new();
    w.books();
    let number = w.issue("1", "450");
    let out = w.connect("fake-pa-secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // The platform keeps the flow but answers late; acquit is killed -9
    // while it waits, after the upload and before it records the answer.
    w.pa.control("/_fake/stall", json!({"createFlowMs": 30000}));
    let mut child = w
        .command(&["einvoice", "send", &number])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || platform_flows(&w, &number) == 1),
        "the upload reached the platform"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    w.pa.control("/_fake/stall", json!({"createFlowMs": 0}));

    let state = w.json(&["einvoice", "status", &number, "--json", "--offline"]);
    assert_eq!(
        state["flow"]["flow_id"],
        Value::Null,
        "reserved, not recorded: {state}"
    );
    assert_eq!(state["summary"], "Send interrupted");

    // Sending again finds the flow on the platform and records it.
    let said = w.ok(&["einvoice", "send", &number]);
    assert!(said.contains("sent to the platform as flow"), "{said}");
    assert_eq!(platform_flows(&w, &number), 1, "never uploaded twice");
    let state = w.json(&["einvoice", "status", &number, "--json"]);
    assert!(state["flow"]["flow_id"].is_string(), "{state}");
}

#[test]
fn a_mixed_invoice_reports_the_services_share_of_each_payment_as_cashed() {
    let w = World::new();
    w.books();
    let out = w.connect("fake-pa-secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // 300 € of service and 100 € of goods, both at 20 %.
    let id = w.ok(&["invoice", "new", "--client", "1"]).trim().to_owned();
    for (desc, price, nature) in [("Pose", "300", "service"), ("Étagère", "100", "goods")] {
        w.ok(&[
            "invoice",
            "add-line",
            &id,
            "--desc",
            desc,
            "--qty",
            "1",
            "--unit-price",
            price,
            "--nature",
            nature,
        ]);
    }
    let number = w
        .ok(&["invoice", "issue", &id, "--date", "2027-09-06"])
        .trim()
        .to_owned();
    w.ok(&["einvoice", "send", &number]);
    w.pa.control(
        "/_fake/process",
        json!({"trackingId": number, "status": "Ok"}),
    );
    // Half of the 480 € paid: three quarters of it pays the service.
    w.ok(&[
        "payment", "add", &number, "--amount", "240", "--method", "transfer",
    ]);
    w.ok(&["einvoice", "status", &number]);
    let cdar = platform_file(&w, &format!("{number}-212-1"));
    for needle in [
        "<ram:ProcessConditionCode>212</ram:ProcessConditionCode>",
        "<ram:ValueAmount>180.00</ram:ValueAmount>",
        "<ram:ValuePercent>20</ram:ValuePercent>",
    ] {
        assert!(cdar.contains(needle), "{needle} in\n{cdar}");
    }
}

/// The outgoing flows the platform holds under `tracking_id`, asked as a
/// client would (`searchFlows`, with one of the fake's bearer tokens).
/// A status 212 the platform's checks refuse: `einvoice status` says so
/// with the reason and what to do, and the same report is not sent again.
#[test]
fn a_status_212_the_platform_refuses_is_said_and_not_sent_again() {
    let w = World::new();
    w.books();
    let number = w.issue("1", "450");
    let out = w.connect("fake-pa-secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    w.ok(&["einvoice", "send", &number]);
    let (code, answer) = w.pa.control(
        "/_fake/process",
        json!({"trackingId": number, "status": "Ok"}),
    );
    assert_eq!(code, 200, "{answer}");
    w.ok(&[
        "payment", "add", &number, "--amount", "100", "--method", "transfer",
    ]);
    let state = w.json(&["einvoice", "status", &number, "--json"]);
    let tracking = format!("{number}-212-1");
    assert_eq!(state["cashed"][0]["tracking_id"], tracking, "{state}");
    assert_eq!(state["cashed"][0]["ack"], "Pending", "{state}");
    assert_eq!(state["next_step"], Value::Null, "{state}");
    assert_eq!(w.creates(), 2, "the invoice and its 212");

    let (code, answer) = w.pa.control(
        "/_fake/process",
        json!({
            "trackingId": tracking,
            "status": "Error",
            "reasonCode": "InvalidData",
            "reasonMessage": "montant encaissé incohérent"
        }),
    );
    assert_eq!(code, 200, "{answer}");
    let state = w.json(&["einvoice", "status", &number, "--json"]);
    assert_eq!(state["cashed"][0]["ack"], "Error", "{state}");
    let reason = state["cashed"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("montant encaissé incohérent"), "{state}");
    let next = state["next_step"].as_str().unwrap_or_default();
    assert!(
        next.contains("refused the report of payment 1 as cashed (status 212)")
            && next.contains("montant encaissé incohérent")
            && next.contains("ask your platform"),
        "{state}"
    );
    let said = w.ok(&["einvoice", "status", &number]);
    assert!(said.contains("refused the report of payment 1"), "{said}");
    assert_eq!(w.creates(), 2, "the refused report is not sent again");
}

fn platform_flows(w: &World, tracking_id: &str) -> usize {
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-X",
            "POST",
            "-H",
            "Authorization: Bearer fake-pa-token",
        ])
        .args(["-H", "Content-Type: application/json", "--data-binary"])
        .arg(json!({"where": {"trackingId": tracking_id, "flowDirection": ["Out"]}}).to_string())
        .arg(format!("{}/flow-service/v1/flows/search", w.pa.base))
        .output()
        .expect("curl");
    let answer: Value = serde_json::from_slice(&out.stdout).expect("a search answer");
    answer["results"].as_array().expect("results").len()
}

/// The file of the outgoing flow `tracking_id`, read back from the platform.
fn platform_file(w: &World, tracking_id: &str) -> String {
    let curl = |args: &[&str]| {
        let out = std::process::Command::new("curl")
            .args(["-s", "-H", "Authorization: Bearer fake-pa-token"])
            .args(args)
            .output()
            .expect("curl");
        String::from_utf8(out.stdout).unwrap()
    };
    let found: Value = serde_json::from_str(&curl(&[
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &json!({"where": {"trackingId": tracking_id}}).to_string(),
        &format!("{}/flow-service/v1/flows/search", w.pa.base),
    ]))
    .unwrap();
    let id = found["results"][0]["flowId"]
        .as_str()
        .expect("a flow")
        .to_owned();
    curl(&[&format!(
        "{}/flow-service/v1/flows/{id}?docType=Original",
        w.pa.base
    )])
}

#[test]
fn a_supplier_s_invoice_arrives_in_the_inbox_kept_as_received() {
    let w = World::new();
    w.books();
    let out = w.connect("fake-pa-secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(w.ok(&["einvoice", "inbox"]).contains("No invoice received"));

    // The supplier is another Acquit, whose client is the user's company.
    let supplier = Acquit::on_day("2027-09-10");
    common::micro_entrepreneur_company(&supplier);
    supplier.ok(&[
        "client",
        "add",
        "--name",
        "Atelier Lune",
        "--siren",
        "552100554",
        "--address",
        "12 rue de la Part-Dieu, 69003 Lyon",
    ]);
    let id = supplier
        .ok(&["invoice", "new", "--client", "1"])
        .trim()
        .to_owned();
    supplier.ok(&[
        "invoice",
        "add-line",
        &id,
        "--desc",
        "Photographies",
        "--qty",
        "1",
        "--unit-price",
        "750",
        "--unit",
        "lump-sum",
        "--vat",
        "0",
    ]);
    let number = supplier
        .ok(&["invoice", "issue", &id, "--date", "2027-09-08"])
        .trim()
        .to_owned();
    let pdf = supplier.dir.path().join("received.pdf");
    supplier.ok(&[
        "invoice",
        "facturx",
        &number,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&pdf).unwrap();
    let encoded = std::process::Command::new("base64")
        .args(["-w0"])
        .arg(&pdf)
        .output()
        .unwrap();
    let (code, answer) = w.pa.control(
        "/_fake/incoming",
        json!({"name": format!("{number}.pdf"), "file": text(&encoded.stdout)}),
    );
    assert_eq!(code, 201, "{answer}");
    // A second one the platform no longer hands over: said on stderr, and
    // the first still comes in (one flow never stops the refresh).
    let (code, lost) = w.pa.control(
        "/_fake/incoming",
        json!({"name": "lost.pdf", "file": text(&encoded.stdout)}),
    );
    assert_eq!(code, 201, "{lost}");
    let (code, withheld) =
        w.pa.control("/_fake/withhold", json!({"flowId": lost["flowId"]}));
    assert_eq!(code, 200, "{withheld}");
    let out = w.run(&["einvoice", "inbox", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "platform flow {} skipped",
            lost["flowId"].as_str().unwrap()
        )) && stderr.contains("no longer available"),
        "{stderr}"
    );

    let listed = w.json(&["einvoice", "inbox", "--json"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let r = &listed[0];
    assert_eq!(r["supplier"], "Camille Roux EI", "{r}");
    assert_eq!(r["supplier_siren"], "732829320");
    assert_eq!(r["number"], number.as_str());
    assert_eq!(r["issue_date"], "2027-09-08");
    assert_eq!(
        (r["total"].as_str(), r["due"].as_str()),
        (Some("750.00"), Some("750.00")),
        "{r}"
    );
    assert_eq!(r["currency"], "EUR");
    let sha: String = {
        let out = std::process::Command::new("sha256sum")
            .arg(&pdf)
            .output()
            .unwrap();
        text(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        r["sha256"],
        sha.as_str(),
        "kept byte for byte ({} bytes)",
        bytes.len()
    );
    // Asked again: nothing new, nothing twice.
    assert_eq!(
        w.json(&["einvoice", "inbox", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let said = w.ok(&["einvoice", "inbox"]);
    assert!(
        said.contains("Camille Roux") && said.contains(&number),
        "{said}"
    );
    assert!(said.contains("not answered"), "{said}");

    // Answered as its buyer: a refusal needs a reason of the rules' list.
    let id = listed[0]["id"].to_string();
    let said = w.fails(
        1,
        &["einvoice", "refuse", &id, "--reason-code", "NOT_A_CODE"],
    );
    assert!(said.contains("TX_TVA_ERR"), "{said}");
    let said = w.ok(&[
        "einvoice",
        "dispute",
        &id,
        "--reason-code",
        "qte_err",
        "--reason",
        "2 séances, pas 3",
    ]);
    assert!(said.contains("Disputed (207)"), "{said}");
    w.ok(&["einvoice", "approve", &id]);
    let said = w.fails(1, &["einvoice", "approve", &id]);
    assert!(said.contains("already answered"), "{said}");
    let listed = w.json(&["einvoice", "inbox", "--json", "--offline"]);
    let answers = listed[0]["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert_eq!(answers[0]["code"], 207);
    assert_eq!(answers[0]["reason_code"], "QTE_ERR");
    assert_eq!(answers[1]["name"], "Approved");
    // What reached the platform: the buyer's statuses as CDAR flows.
    let cdar = platform_file(&w, &format!("IN-{id}-207"));
    for needle in [
        format!("<ram:IssuerAssignedID>{number}</ram:IssuerAssignedID>"),
        "<ram:ProcessConditionCode>207</ram:ProcessConditionCode>".to_owned(),
        "<ram:ReasonCode>QTE_ERR</ram:ReasonCode>".to_owned(),
        "<ram:Reason>2 séances, pas 3</ram:Reason>".to_owned(),
        "<ram:RoleCode>BY</ram:RoleCode>".to_owned(),
    ] {
        assert!(cdar.contains(&needle), "{needle} in\n{cdar}");
    }
    assert_eq!(platform_flows(&w, &format!("IN-{id}-205")), 1);

    // Saved as it came, never over another file.
    let saved = w.acquit.dir.path().join("saved.pdf");
    w.ok(&["einvoice", "save", &id, "--out", saved.to_str().unwrap()]);
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
    let said = w.fails(
        1,
        &["einvoice", "save", &id, "--out", saved.to_str().unwrap()],
    );
    assert!(said.contains("nothing was overwritten"), "{said}");
}

#[test]
fn an_e_report_equals_the_books_it_covers() {
    let acquit = Acquit::on_day("2027-11-30");
    // Under the VAT franchise: a report every two months.
    common::micro_entrepreneur_company(&acquit);
    for client in [
        &[
            "--name",
            "Jeanne Dupont",
            "--street",
            "3 rue Neuve",
            "--postcode",
            "69002",
            "--city",
            "Lyon",
        ][..],
        common::UK_CLIENT,
        &[
            "--name",
            "Boulangerie Pascale",
            "--siren",
            "702042755",
            "--address",
            "4 place des Terreaux, 69001 Lyon",
        ],
    ] {
        let mut args = vec!["client", "add"];
        args.extend_from_slice(client);
        acquit.ok(&args);
    }
    let issue = |client: &str, price: &str, date: &str| {
        let id = acquit
            .ok(&["invoice", "new", "--client", client])
            .trim()
            .to_owned();
        acquit.ok(&[
            "invoice",
            "add-line",
            &id,
            "--desc",
            "Séance photo",
            "--qty",
            "1",
            "--unit-price",
            price,
            "--unit",
            "lump-sum",
        ]);
        acquit
            .ok(&["invoice", "issue", &id, "--date", date])
            .trim()
            .to_owned()
    };
    issue("1", "150", "2027-09-06");
    issue("1", "80.50", "2027-09-06");
    issue("2", "900", "2027-09-10");
    issue("3", "500", "2027-09-12");
    issue("1", "60", "2027-10-02");
    issue("1", "40", "2027-11-03");

    let said = acquit.fails(1, &["ereport", "--period", "2027-10"]);
    assert!(said.contains("2027-09"), "{said}");
    let report = acquit.json(&["ereport", "--period", "2027-09", "--json"]);
    assert_eq!(
        (report["first"].as_str(), report["last"].as_str()),
        (Some("2027-09-01"), Some("2027-10-31"))
    );

    // The same, computed here from the invoice list: consumers (no SIREN,
    // no VAT number, in France) per day; the client abroad per invoice.
    let list = acquit.json(&["invoice", "list", "--json"]);
    let mut per_day: std::collections::BTreeMap<String, (i64, u32)> = Default::default();
    let mut abroad = Vec::new();
    for invoice in list.as_array().unwrap() {
        let date = invoice["issue_date"].as_str().unwrap_or_default();
        if !("2027-09-01"..="2027-10-31").contains(&date) {
            continue;
        }
        let cents = {
            let total = invoice["total"].as_str().unwrap();
            let (units, decimals) = total.split_once('.').unwrap();
            units.parse::<i64>().unwrap() * 100 + decimals.parse::<i64>().unwrap()
        };
        match invoice["client"].as_str().unwrap() {
            "Jeanne Dupont" => {
                let day = per_day.entry(date.to_owned()).or_default();
                day.0 += cents;
                day.1 += 1;
            }
            "Thames Digital Ltd" => abroad.push(invoice["number"].as_str().unwrap().to_owned()),
            _ => {}
        }
    }
    let consumers = report["consumers"].as_array().unwrap();
    assert_eq!(consumers.len(), per_day.len(), "{report:#}");
    for (row, (date, (cents, documents))) in consumers.iter().zip(&per_day) {
        assert_eq!(row["date"], date.as_str());
        assert_eq!(
            row["base"],
            format!("{}.{:02}", cents / 100, cents % 100),
            "{row}"
        );
        assert_eq!(row["vat"], "0.00", "VAT franchise");
        assert_eq!(row["documents"], *documents);
    }
    assert_eq!(per_day["2027-09-06"], (23_050, 2));
    let international: Vec<&str> = report["international"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(international, abroad);
    assert_eq!(report["international"][0]["country"], "GB");
    // Not sent: said so, nothing pretends.
    let said = acquit.fails(1, &["ereport", "--period", "2027-09", "--send"]);
    assert!(said.contains("not built yet"), "{said}");
}
