//! The client's invoice page in a real browser engine: WebKitGTK's
//! MiniBrowser (shipped with `libwebkit2gtk-4.1-0`, the engine of the app's
//! own window) driven by WebKitWebDriver. The data comes from the real
//! binaries: `acquit` issues, links and shares an invoice, `fake-stripe`
//! takes the payment, `acquit-relay` serves the page and the ciphertext.
//!
//! The page is opened exactly as the client would: the URL with its `#k=`
//! fragment. WebCrypto needs a secure context, and `http://127.0.0.1` is one
//! (checked below), so no TLS is needed for the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::harness::{
    ONE_AT_A_TIME, artifacts_dir, free_port, plain, require_display, stop, wait_for_port,
};
use crate::servers::{FakeStripe, Relay, eventually, sibling_bin};

const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
/// A test key the fake accepts (never a real one).
const KEY: &str = "sk_test_51PageTestKeyForTheFakeOnly4242";
const WAIT: Duration = Duration::from_secs(15);

/// Books on a private database, Stripe through the fake and a relay set
/// up, driven through the `acquit` binary.
struct Books {
    dir: tempfile::TempDir,
    fake: FakeStripe,
    relay: Relay,
}

impl Books {
    fn start() -> Books {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeStripe::start(dir.path(), &[]);
        let relay = Relay::start(dir.path());
        let books = Books { dir, fake, relay };
        books.ok(&[
            "company",
            "set",
            "--name",
            "Atelier Durand",
            "--siren",
            "732829320",
            "--address",
            "12 rue des Lilas\\n75011 Paris",
            "--iban",
            "FR7630006000011234567890189",
        ]);
        books.ok(&[
            "client",
            "add",
            "--name",
            "Boulangerie Martin",
            "--email",
            "compta@martin.example",
            "--lang",
            "fr",
        ]);
        let token = books.relay.token.clone();
        let set = books.ok_with_stdin(
            &[
                "relay",
                "set",
                "--url",
                &books.relay.base,
                "--inbox",
                &books.relay.inbox,
            ],
            &token,
        );
        assert!(set.contains("the relay has its signing secret"), "{set}");
        books
    }

    /// `acquit` on this test's database; Stripe's key and the relay's token
    /// from the environment, so no keychain is involved.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(sibling_bin("acquit"));
        command
            .args(args)
            .env("ACQUIT_DB", self.dir.path().join("acquit.db"))
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("ACQUIT_STRIPE_KEY", KEY)
            .env("ACQUIT_STRIPE_API_BASE", &self.fake.base)
            .env("ACQUIT_RELAY_TOKEN", &self.relay.token);
        command
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_with_stdin(args, "")
    }

    fn ok_with_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running acquit");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "acquit {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// The PDF `acquit invoice pdf` writes now.
    fn pdf(&self, number: &str, name: &str) -> Vec<u8> {
        let path = self.dir.path().join(name);
        self.ok(&["invoice", "pdf", number, "--out", path.to_str().unwrap()]);
        std::fs::read(path).unwrap()
    }
}

/// MiniBrowser, WebKitGTK's own test browser, under WebKitWebDriver; its
/// downloads land in a private folder.
struct Browser {
    client: Client,
    driver: Child,
    home: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

fn minibrowser() -> PathBuf {
    let found = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("webkit2gtk-4.1/MiniBrowser"))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "WebKitGTK's MiniBrowser is missing (/usr/lib/<arch>/webkit2gtk-4.1/MiniBrowser): \
             `sudo apt-get install libwebkit2gtk-4.1-0 webkit2gtk-driver` (./x test does)"
        )
    })
}

impl Browser {
    async fn open() -> Browser {
        require_display();
        // One WebKitWebDriver at a time under one display (see the harness).
        let turn = ONE_AT_A_TIME.lock().await;
        assert!(
            Path::new(WEBKIT_DRIVER).exists(),
            "{WEBKIT_DRIVER} is missing: `sudo apt-get install webkit2gtk-driver`"
        );
        let binary = minibrowser();
        let home = tempfile::Builder::new()
            .prefix("acquit-browser-")
            .tempdir()
            .unwrap();
        // Downloads go to the XDG download folder (GLib's user dirs).
        let config = home.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::create_dir_all(home.path().join("Downloads")).unwrap();
        std::fs::write(
            config.join("user-dirs.dirs"),
            "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n",
        )
        .unwrap();
        let port = free_port();
        let log = std::fs::File::create(artifacts_dir().join("webkitwebdriver.log")).unwrap();
        let mut driver = Command::new(WEBKIT_DRIVER)
            .arg(format!("--port={port}"))
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", &config)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting WebKitWebDriver");
        wait_for_port(port);
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "webkitgtk:browserOptions".into(),
            json!({ "binary": binary, "args": ["--automation"] }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let session = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(connector)
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await;
        let client = match session {
            Ok(Ok(client)) => client,
            other => {
                stop(&mut driver);
                panic!(
                    "no MiniBrowser session ({:?}); see {}",
                    other.map(|r| r.err()),
                    artifacts_dir().join("webkitwebdriver.log").display()
                )
            }
        };
        Browser {
            client,
            driver,
            home,
            _turn: turn,
        }
    }

    /// Runs `script` (a function body) in the page.
    async fn run(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("running {script:?}: {e}"))
    }

    /// Opens `url` afresh, as a client clicking it would (a second `goto`
    /// to the same URL with a fragment would only scroll), and waits until
    /// the page has decrypted the invoice.
    async fn open_page(&self, url: &str) {
        self.client.goto("about:blank").await.unwrap();
        self.client.goto(url).await.unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            let state = self
                .run(
                    "return { shown: !document.getElementById('inv').hidden, \
                     msg: document.getElementById('msg').textContent }",
                )
                .await;
            if state["shown"] == true {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed the invoice: {state}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        plain(&element.text().await.unwrap())
    }

    async fn shown(&self, css: &str) -> bool {
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        element.is_displayed().await.unwrap()
    }

    /// Clicks the page's PDF link and returns the downloaded file's bytes
    /// once they equal `expected` (or whatever arrived by the deadline).
    async fn download(&self, name: &str, expected: &[u8]) -> Vec<u8> {
        let path = self.home.path().join("Downloads").join(name);
        let _ = std::fs::remove_file(&path);
        self.client
            .find(Locator::Css("#pdf"))
            .await
            .unwrap()
            .click()
            .await
            .expect("clicking the PDF link");
        let deadline = Instant::now() + WAIT;
        loop {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if bytes == expected || Instant::now() > deadline {
                if bytes.is_empty() {
                    panic!(
                        "no {name} downloaded; the browser's folder holds: {:?}",
                        walk(self.home.path())
                    );
                }
                return bytes;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .expect("waiting for a paint");
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(artifacts_dir().join(format!("{name}.png")), png).unwrap();
    }

    async fn close(mut self) {
        if let Err(e) = self.client.clone().close().await {
            eprintln!("closing the MiniBrowser session: {e}");
        }
        stop(&mut self.driver);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("downloaded.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-raw"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is missing: sudo apt-get install poppler-utils");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The acceptance test of the client's page: the URL with its fragment
/// opens to the invoice (number, amount due, a PDF download that is the
/// invoice's PDF, "Payer en ligne"); after a payment on the fake Stripe
/// and a sync, the same URL shows the paid state and the stamped PDF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_page_decrypts_in_webkit_and_follows_the_payment() {
    let books = Books::start();
    let draft = books.ok(&["invoice", "new", "--client", "1"]);
    let draft = draft.trim();
    books.ok(&[
        "invoice",
        "add-line",
        draft,
        "--desc",
        "Conseil",
        "--qty",
        "1",
        "--unit-price",
        "1200",
        "--vat",
        "0%",
    ]);
    let number = books.ok(&["invoice", "issue", draft]).trim().to_owned();
    let link = books.json(&["link", "create", &number, "--json"]);
    let pay_link = link["url"].as_str().unwrap().to_owned();
    let stripe_url = link["stripe_url"].as_str().unwrap().to_owned();
    let url = books.ok(&["share", &number]).trim().to_owned();
    assert!(
        url.starts_with(&format!("{}/v/", books.relay.base)) && url.contains("#k="),
        "{url}"
    );

    let browser = Browser::open().await;
    browser.open_page(&url).await;
    assert_eq!(
        browser.run("return window.isSecureContext").await,
        true,
        "WebCrypto needs a secure context: http://127.0.0.1 is one in WebKit"
    );
    assert_eq!(browser.text("#title").await, format!("Facture {number}"));
    assert_eq!(browser.text("#client").await, "Boulangerie Martin");
    assert_eq!(browser.text("#amount-due").await, "1 200,00 €");
    assert!(!browser.shown("#paid").await);
    assert!(browser.shown("#pay").await, "“Payer en ligne” is shown");
    assert_eq!(browser.text("#pay").await, "Payer en ligne");
    let href = browser
        .run("return document.getElementById('pay').href")
        .await;
    assert_eq!(href, pay_link.as_str(), "the pay button opens the link");
    assert!(browser.shown("#bank").await, "the transfer details");
    let qr = browser
        .run("return document.getElementById('qr').src")
        .await;
    assert!(
        qr.as_str()
            .unwrap_or("")
            .starts_with("data:image/svg+xml;base64,"),
        "{qr}"
    );
    // The download is the PDF `acquit invoice pdf` makes, byte for byte.
    let issued = books.pdf(&number, "issued.pdf");
    let downloaded = browser.download(&format!("{number}.pdf"), &issued).await;
    assert!(downloaded.starts_with(b"%PDF"));
    assert_eq!(downloaded.len(), issued.len());
    assert!(downloaded == issued, "the downloaded PDF differs");
    browser.screenshot("client-page-due").await;

    // The client pays on Stripe's page; the laptop syncs.
    let (code, paid) = books.fake.control(
        "/_fake/pay",
        json!({"url": stripe_url, "method": "card", "card": "4242424242424242"}),
    );
    assert_eq!(code, 200, "{paid}");
    let synced = eventually(Duration::from_secs(20), || {
        books.ok(&["sync", "--wait", "2"]);
        books.json(&["invoice", "show", &number, "--json"])["status"] == "paid"
    });
    assert!(synced, "{number} never became paid");

    // The same URL: paid, nothing to pay, the stamped PDF.
    browser.open_page(&url).await;
    assert!(browser.shown("#paid").await, "the paid state is shown");
    assert!(
        browser.text("#paid").await.starts_with("Facture acquittée"),
        "{}",
        browser.text("#paid").await
    );
    assert_eq!(browser.text("#amount-due").await, "0,00 €");
    assert!(!browser.shown("#pay").await, "nothing left to pay online");
    assert!(!browser.shown("#bank").await);
    let stamped = books.pdf(&number, "stamped.pdf");
    assert_ne!(stamped, issued);
    let downloaded = browser.download(&format!("{number}.pdf"), &stamped).await;
    assert!(
        downloaded == stamped,
        "the downloaded PDF is not the stamped one"
    );
    let text = pdf_text(&downloaded, books.dir.path());
    assert!(text.contains("PAYÉE"), "{text}");
    browser.screenshot("client-page-paid").await;
    browser.close().await;
}

/// The app's "Record a payment" republishes the shared page too: the
/// background sync carries it out (the payment is marked, the sync woken),
/// and the same URL then opens to the paid state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_recorded_in_the_app_republishes_the_shared_page() {
    let servers = tempfile::tempdir().unwrap();
    let relay = Relay::start(servers.path());
    let acquit = |db: &Path, args: &[&str], input: &str| -> String {
        use std::io::Write as _;
        let mut child = Command::new(sibling_bin("acquit"))
            .args(args)
            .env("ACQUIT_DB", db)
            .env("HOME", servers.path())
            .env("ACQUIT_RELAY_TOKEN", &relay.token)
            .env_remove("ACQUIT_STRIPE_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "acquit {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mut shared = None;
    let app = crate::harness::App::launch_with_env(
        |db| {
            let mut store = acquit_store::Store::open(db).unwrap();
            store.fill_demo(acquit_store::today()).unwrap();
            let number = store
                .list_invoices(Some(acquit_core::InvoiceStatus::Issued))
                .unwrap()
                .into_iter()
                .find(|row| row.client == "Thames Digital Ltd")
                .and_then(|row| row.number)
                .expect("the demo's English invoice");
            drop(store);
            let inbox = relay.inbox.clone();
            acquit(
                db,
                &["relay", "set", "--url", &relay.base, "--inbox", &inbox],
                &relay.token,
            );
            let url = acquit(db, &["share", &number], "").trim().to_owned();
            shared = Some((number, url));
        },
        &[("ACQUIT_RELAY_TOKEN", relay.token.clone())],
    )
    .await;
    let (number, url) = shared.unwrap();
    let key = acquit_documents::share::key_from_url(&url).expect("a key in the URL");
    let bundle = format!("{}/bundle", url.split('#').next().unwrap());
    let summary = || {
        let out = Command::new("curl")
            .args(["-sS", &bundle])
            .output()
            .expect("curl is missing: sudo apt-get install curl");
        acquit_documents::share::open(&key, &out.stdout)
            .expect("the URL's key opens the bundle")
            .0
    };
    assert_eq!(summary().status, "due");

    app.choose("[data-testid=language]", "fr").await;
    assert_eq!(
        crate::send::open_row(&app, "Thames Digital Ltd", "Émise").await,
        number
    );
    let due = plain(&app.text("[data-testid=amount-due]").await);
    app.choose("[data-testid=payment-method]", "transfer").await;
    app.fill(
        "[data-testid=payment-amount]",
        due.trim_end_matches(" €").trim(),
    )
    .await;
    app.click("[data-testid=record]").await;
    let mut last = summary();
    let republished = eventually(Duration::from_secs(20), || {
        last = summary();
        last.status == "paid"
    });
    assert!(republished, "the page was not republished: {last:?}");
    assert_eq!(last.amount_due_minor, 0);
    assert_eq!(last.pay_url, None);
    app.close().await;
}

/// The quote's page in a real browser engine: the client types their name
/// and accepts; the answer goes sealed through the relay, the next sync
/// records it as decided on the page, and the page then shows the
/// decision. The relay's files hold no name, number or amount.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_is_accepted_on_its_page_and_the_sync_records_it() {
    let books = Books::start();
    let id = books.ok(&["quote", "new", "--client", "1"]);
    let id = id.trim();
    books.ok(&[
        "quote",
        "add-line",
        id,
        "--desc",
        "Refonte du site",
        "--qty",
        "1",
        "--unit-price",
        "2400",
    ]);
    let number = books.ok(&["quote", "issue", id]).trim().to_owned();
    let url = books.ok(&["quote", "share", &number]).trim().to_owned();
    assert!(url.contains("/v/") && url.contains("#k="), "{url}");

    let browser = Browser::open().await;
    browser.open_page(&url).await;
    assert_eq!(browser.text("#title").await, format!("Devis {number}"));
    assert_eq!(browser.text("#total").await, "2 880,00 €");
    assert!(browser.shown("#reply").await, "the answer form is offered");
    assert!(!browser.shown("#pay").await && !browser.shown("#bank").await);
    // No name: asked for, nothing sent.
    browser
        .client
        .find(Locator::Css("#accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(browser.shown("#reply-err").await);
    browser
        .client
        .find(Locator::Css("#name"))
        .await
        .unwrap()
        .send_keys("Léa Martin")
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("#accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while !browser.shown("#reply-done").await {
        assert!(Instant::now() < deadline, "the answer was never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let thanks = browser.text("#reply-done").await;
    assert!(thanks.starts_with("Merci"), "{thanks}");
    browser.screenshot("quote-page-answered").await;

    // Nothing is recorded until the laptop syncs; then it is, from the page.
    assert_eq!(
        books.json(&["quote", "show", &number, "--json"])["status"],
        "sent"
    );
    let synced = books.ok(&["sync"]);
    assert!(
        synced.contains(&format!(
            "Quote {number} accepted by Léa Martin on its page."
        )),
        "{synced}"
    );
    let quote = books.json(&["quote", "show", &number, "--json"]);
    assert_eq!(quote["status"], "accepted");
    assert_eq!(quote["decision"]["by"], "Léa Martin");
    assert_eq!(quote["decision"]["via"], "page");

    // The same URL now shows the decision and no form.
    browser.open_page(&url).await;
    let state = browser.text("#quote-state").await;
    assert!(state.contains("Léa Martin"), "{state}");
    assert!(!browser.shown("#reply").await);
    browser.screenshot("quote-page-accepted").await;
    browser.close().await;

    let mut raw = std::fs::read(&books.relay.db).unwrap();
    for extra in ["-wal", "-shm"] {
        let mut path = books.relay.db.clone().into_os_string();
        path.push(extra);
        raw.extend(std::fs::read(path).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&raw);
    for secret in ["Léa", "Martin", number.as_str(), "2 880", "2880", "Refonte"] {
        assert!(
            !text.contains(secret),
            "the relay's files contain {secret:?}"
        );
    }
}
