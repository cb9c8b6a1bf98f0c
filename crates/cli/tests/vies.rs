//! `acquit client add|edit|check-vat` and VIES: the real binary against the
//! fake VIES over real HTTP (`ACQUIT_VIES_URL`). A number of another member
//! state is confirmed after the client is saved; VIES saying no, a member
//! state down or no network never undo the save.

mod common;

use std::process::Output;

use common::{Acquit, text};
use serde_json::Value;

/// The fake VIES on its own thread for the whole test (Spain down).
fn fake_vies() -> String {
    acquit_testkit::servers::serve_in_background(|listener| {
        fake_vies::serve(listener, fake_vies::Config::default())
    })
}

struct Books {
    acquit: Acquit,
    vies: String,
}

impl Books {
    fn new() -> Books {
        let books = Books {
            acquit: Acquit::new(),
            vies: fake_vies(),
        };
        books.acquit.ok(&[
            "company",
            "set",
            "--name",
            "Atelier Durand",
            "--siren",
            "732829320",
            "--vat",
            "FR44732829320",
            "--address",
            "12 rue des Lilas\\n75011 Paris",
        ]);
        books
    }

    fn run_with(&self, vies: &str, args: &[&str]) -> Output {
        self.acquit
            .command(args)
            .env("ACQUIT_VIES_URL", vies)
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&self.vies, args)
    }

    /// `client add` of a reverse-charge client with `vat`: (id, stderr).
    fn add(&self, name: &str, vat: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec!["client", "add", "--name", name, "--vat", vat];
        args.extend_from_slice(&["--vat-exemption", "reverse-charge"]);
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (text(&out.stdout).trim().to_owned(), text(&out.stderr))
    }

    fn client(&self, id: &str) -> Value {
        let clients: Value =
            serde_json::from_str(&self.acquit.ok(&["client", "list", "--json"])).unwrap();
        clients
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(id))
            .unwrap()
            .clone()
    }

    /// How many requests the fake VIES got.
    fn asked(&self) -> usize {
        let (status, body, _) =
            acquit_testkit::servers::get(&format!("{}/_fake/requests", self.vies));
        assert_eq!(status, 200);
        serde_json::from_str::<Value>(&body)
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    }
}

#[test]
fn an_eu_client_s_number_is_confirmed_with_its_consultation_number_and_listed() {
    let books = Books::new();
    let (id, stderr) = books.add("Kunde GmbH", "DE 136 695 976", &[]);
    assert_eq!(id, "1", "client add prints only the id");
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(
        stderr.contains(&format!(
            "VAT number DE136695976 confirmed by VIES on {today} (consultation WAPI"
        )),
        "{stderr}"
    );
    let check = &books.client(&id)["vat_check"];
    assert_eq!(check["valid"], true);
    assert_eq!(check["number"], "DE136695976");
    assert_eq!(check["checked_on"], today.as_str());
    assert!(
        check["consultation"].as_str().unwrap().starts_with("WAPI"),
        "{check}"
    );

    // Asked again on demand: a new consultation number.
    let out = books.run(&["client", "check-vat", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("confirmed by VIES"),
        "{}",
        text(&out.stdout)
    );
    assert_ne!(
        books.client(&id)["vat_check"]["consultation"],
        check["consultation"]
    );

    // An edit that leaves the number alone does not ask VIES again; a new
    // number is asked about, and the member state gives the name.
    let out = books.run(&[
        "client",
        "edit",
        &id,
        "--email",
        "buchhaltung@kunde.example",
    ]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(0), String::new())
    );
    let out = books.run(&["client", "edit", &id, "--vat", "BE0403019261"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("VAT number BE0403019261 confirmed by VIES")
            && text(&out.stderr).contains("registered to ATELIER DU PARC SRL"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        books.client(&id)["vat_check"]["name"],
        "ATELIER DU PARC SRL"
    );
}

#[test]
fn a_number_vies_does_not_know_is_a_warning_and_the_client_is_saved() {
    let books = Books::new();
    let (id, stderr) = books.add("Wiener Werkstatt", "ATU13585627", &[]);
    assert!(
        stderr.contains("warning: VIES says ATU13585627 is not a registered VAT number")
            && stderr.contains("the client is saved"),
        "{stderr}"
    );
    assert_eq!(books.client(&id)["vat_check"]["valid"], false);
    let out = books.run(&["client", "check-vat", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a registered VAT number"));
}

#[test]
fn a_member_state_down_or_no_network_is_not_confirmed_and_the_client_is_saved() {
    let books = Books::new();
    let (id, stderr) = books.add("Taller Madrid SL", "ESB64717838", &[]);
    assert!(
        stderr.contains(&format!(
            "VAT number ESB64717838 not confirmed: the ES register is not answering VIES now (member states have maintenance hours), try again later (`acquit client check-vat {id}`)"
        )),
        "{stderr}"
    );
    assert_eq!(books.client(&id)["vat_check"], Value::Null);
    assert_eq!(books.client(&id)["vat"], "ESB64717838");
    let out = books.run(&["client", "check-vat", &id]);
    assert_eq!(out.status.code(), Some(3), "an outside failure");

    // No network at all: saved, not confirmed.
    let out = books.run_with(
        "http://127.0.0.1:9",
        &[
            "client",
            "add",
            "--name",
            "Kunde GmbH",
            "--vat",
            "DE136695976",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let id = text(&out.stdout).trim().to_owned();
    assert!(
        text(&out.stderr).contains("VAT number DE136695976 not confirmed: VIES cannot be reached"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("check that you are online"));
    assert_eq!(books.client(&id)["vat_check"], Value::Null);

    // Back online: confirmed on demand.
    let out = books.run(&["client", "check-vat", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(books.client(&id)["vat_check"]["valid"], true);
}

#[test]
fn offline_french_and_uk_clients_are_not_sent_to_vies() {
    let books = Books::new();
    let before = books.asked();
    let (id, stderr) = books.add("Kunde GmbH", "DE136695976", &["--offline"]);
    assert_eq!(stderr, "");
    assert_eq!(books.client(&id)["vat_check"], Value::Null);
    let out = books.run(&[
        "client",
        "add",
        "--name",
        "Lyon SAS",
        "--vat",
        "FR40303265045",
    ]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(0), String::new())
    );
    let french = text(&out.stdout).trim().to_owned();
    let out = books.run(&[
        "client",
        "add",
        "--name",
        "London Ltd",
        "--vat",
        "GB980780684",
    ]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(0), String::new())
    );
    assert_eq!(books.asked(), before, "nothing reached VIES");
    let out = books.run(&["client", "check-vat", &french]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no VAT number of another EU member state"));

    // A VIES address that is not https is refused, and says which variable.
    let out = books.run_with("http://vies.example", &["client", "check-vat", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ACQUIT_VIES_URL"),
        "{}",
        text(&out.stderr)
    );
}
