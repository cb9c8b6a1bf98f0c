//! Starts `tauri-driver`, opens the app in a WebDriver session, and cleans up.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
/// The demo books, dated around today (`acquit demo`, `./x run`): what
/// most end-to-end tests start from.
pub fn demo(db: &Path) {
    let mut store = acquit_store::Store::open(db).expect("creating the database");
    store.fill_demo(acquit_store::today()).expect("demo data");
}

/// A text as the UI shows it, with the no-break spaces of French
/// typography (before `€`, `%`, `:`) made plain spaces, for comparisons.
pub fn plain(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ")
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
const FIND_TIMEOUT: Duration = Duration::from_secs(15);
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(30);

/// One app at a time: two WebKitWebDriver sessions started together under
/// one display fail to connect.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The app under test, in its own data, config and cache dirs.
pub struct App {
    pub client: Client,
    driver: Child,
    home: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl App {
    /// Opens the demo's draft for Boulangerie Martin in the editor, from
    /// the invoice list (in either language).
    pub async fn open_demo_draft(&self) {
        self.click("[data-testid=nav-invoices]").await;
        self.fill("[data-testid=invoice-search]", "Boulangerie")
            .await;
        self.wait_texts("[data-testid=status]", |s| {
            s.iter().any(|s| s == "Brouillon" || s == "Draft") && s.len() == 2
        })
        .await;
        self.click("[data-testid=invoice-row]:first-child [data-testid=open-invoice]")
            .await;
    }

    /// Launches the app on an empty database.
    pub async fn launch() -> App {
        App::launch_with(|_| {}).await
    }

    /// Launches the app on a database that `prepare` fills first.
    pub async fn launch_with(prepare: impl FnOnce(&Path)) -> App {
        App::launch_with_env(prepare, &[]).await
    }

    /// Launches the app with extra environment variables (a private D-Bus
    /// for the keychain, the fake Stripe's address).
    pub async fn launch_with_env(prepare: impl FnOnce(&Path), env: &[(&str, String)]) -> App {
        require_display();
        let turn = ONE_AT_A_TIME.lock().await;
        let tauri_driver = find_tauri_driver();
        if !Path::new(WEBKIT_DRIVER).exists() {
            panic!(
                "{WEBKIT_DRIVER} is missing: install it with `sudo apt-get install webkit2gtk-driver` \
                 (./x test does)."
            );
        }
        let home = tempfile::Builder::new()
            .prefix("acquit-e2e-")
            .tempdir()
            .expect("creating a temp dir");
        let db = home.path().join("acquit.db");
        std::fs::create_dir_all(home.path().join("saved")).expect("creating the save folder");
        prepare(&db);
        // A session request now and then gets its connection reset while
        // tauri-driver starts WebKitWebDriver (seen under load on 2 cores):
        // start over with fresh ports, up to three times.
        let mut attempt = 0;
        let (client, driver) = loop {
            attempt += 1;
            let port = free_port();
            let native_port = free_port();
            let artifacts = artifacts_dir();
            let log =
                std::fs::File::create(artifacts.join("tauri-driver.log")).expect("driver log");
            let mut driver = Command::new(&tauri_driver)
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .args(["--native-driver", WEBKIT_DRIVER])
                // The app inherits these: it writes its logs and data under `home`.
                .env("XDG_DATA_HOME", home.path().join("data"))
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env("XDG_CACHE_HOME", home.path().join("cache"))
                .env("ACQUIT_LOG", "info")
                .env("ACQUIT_DB", &db)
                // Debug builds answer the save dialog with this folder
                // (WebDriver cannot drive a native GTK dialog).
                .env("ACQUIT_E2E_SAVE_DIR", home.path().join("saved"))
                .env_remove("ACQUIT_STRIPE_KEY")
                .env_remove("ACQUIT_RELAY_TOKEN")
                // Never the real VIES: a port nothing listens on ("not
                // confirmed"), unless a test passes its fake's address.
                .env("ACQUIT_VIES_URL", "http://127.0.0.1:9")
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", tauri_driver.display()));
            wait_for_port(port);

            let mut capabilities = Capabilities::new();
            capabilities.insert("browserName".into(), json!("wry"));
            capabilities.insert(
                "tauri:options".into(),
                json!({ "application": env!("CARGO_BIN_EXE_acquit-app") }),
            );
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let session = tokio::time::timeout(
                CONNECT_TIMEOUT,
                ClientBuilder::new(connector)
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .await;
            match session {
                Ok(Ok(client)) => break (client, driver),
                Ok(Err(e)) if attempt < 3 => {
                    eprintln!(
                        "attempt {attempt}: tauri-driver could not open the app: {e}; retrying"
                    );
                    stop(&mut driver);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Ok(Err(e)) => {
                    stop(&mut driver);
                    panic!(
                        "tauri-driver could not open the app: {e}. See {}",
                        artifacts.join("tauri-driver.log").display()
                    )
                }
                Err(_) => {
                    stop(&mut driver);
                    panic!(
                        "no WebDriver session after {CONNECT_TIMEOUT:?}: is a WebKitWebDriver left over \
                         from an earlier run holding port {native_port}? See {}",
                        artifacts.join("tauri-driver.log").display()
                    )
                }
            }
        };
        App {
            client,
            driver,
            home,
            _turn: turn,
        }
    }

    /// The test's private home: the app's data and logs live below it.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The database the app was started on.
    pub fn db(&self) -> PathBuf {
        self.home.path().join("acquit.db")
    }

    /// The texts of every element matching `css`, once there is at least one.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        self.text(css).await;
        let mut out = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
        {
            out.push(element.text().await.expect("element text"));
        }
        out
    }

    /// Waits until `check` holds for the texts of `css` (the UI re-queries
    /// asynchronously after an input).
    pub async fn wait_texts(&self, css: &str, check: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + FIND_TIMEOUT;
        loop {
            let mut texts = Vec::new();
            if let Ok(elements) = self.client.find_all(Locator::Css(css)).await {
                for element in elements {
                    texts.push(element.text().await.unwrap_or_default());
                }
            }
            if check(&texts) {
                return texts;
            }
            if Instant::now() > deadline {
                // What the window showed, for whoever reads the failure.
                self.screenshot("failed-wait").await;
                panic!(
                    "`{css}` never showed what was expected; last seen: {texts:?} \
                     (window: target/e2e/failed-wait.png)"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Scrolls `element` (matching `css`) to the middle of the window: at
    /// the bottom edge the status bar covers it, and WebDriver refuses to
    /// click, type or choose there. Returns its reference for scripts.
    async fn to_middle(&self, element: &fantoccini::elements::Element, css: &str) -> Value {
        let reference = serde_json::to_value(element).expect("element reference");
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' })",
                vec![reference.clone()],
            )
            .await
            .unwrap_or_else(|e| panic!("scrolling to `{css}`: {e}"));
        reference
    }

    /// Chooses `value` in the `<select>` matching `css` (scrolled to the
    /// middle first, as [`App::click`]).
    pub async fn choose(&self, css: &str, value: &str) {
        // Waits for it: the window may still be mounting its screens.
        let select = self.find(css).await;
        self.to_middle(&select, css).await;
        select
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choosing {value} in `{css}`: {e}"));
    }

    /// The text of the first element matching `css`, once it has some.
    pub async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + FIND_TIMEOUT;
        loop {
            let found = self.client.find(Locator::Css(css)).await;
            if let Ok(element) = found
                && let Ok(text) = element.text().await
                && !text.is_empty()
            {
                return text;
            }
            if Instant::now() > deadline {
                panic!("no text in `{css}` after {FIND_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Where "Export PDF" saves in tests: the folder the save dialog answers.
    pub fn saved_dir(&self) -> PathBuf {
        self.home.path().join("saved")
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + FIND_TIMEOUT;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            if Instant::now() > deadline {
                panic!("no `{css}` after {FIND_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the first element matching `css`, scrolled to the middle of
    /// the window first (at the bottom edge the status bar would cover it),
    /// once it stays put: WebDriver clicks at the point where the element
    /// was, so a layout still moving (an answer arriving above it) would
    /// land the click on whatever took its place, as it would for a user
    /// who does not wait.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        let reference = self.to_middle(&element, css).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        let mut last = Value::Null;
        loop {
            let now = self
                .client
                .execute(
                    "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height];",
                    vec![reference.clone()],
                )
                .await
                .unwrap_or_else(|e| panic!("measuring `{css}`: {e}"));
            if now == last || std::time::Instant::now() > deadline {
                break;
            }
            last = now;
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking `{css}`: {e}"));
    }

    /// Replaces the value of the input matching `css` with `text`, scrolled
    /// to the middle of the window first (as [`App::click`]: at the bottom
    /// edge the status bar covers it, and WebDriver refuses to type there).
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        self.to_middle(&input, css).await;
        input
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clearing `{css}`: {e}"));
        if text.is_empty() {
            // Clearing fires `change` only; the UI listens to `input`.
            self.client
                .execute(
                    "arguments[0].dispatchEvent(new Event('input', { bubbles: true }))",
                    vec![serde_json::to_value(&input).expect("element reference")],
                )
                .await
                .unwrap_or_else(|e| panic!("clearing `{css}`: {e}"));
        } else {
            input
                .send_keys(text)
                .await
                .unwrap_or_else(|e| panic!("typing into `{css}`: {e}"));
        }
        // As a user looks at what they typed: a form still loading (a
        // slow machine) may set the field again under the keystrokes.
        for _ in 0..3 {
            let input = self.find(css).await;
            let value = input.prop("value").await.ok().flatten().unwrap_or_default();
            if value == text {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = input.clear().await;
            if !text.is_empty() {
                let _ = input.send_keys(text).await;
            }
        }
    }

    /// Whether an element matches `css` right now.
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// The text runs of the invoice preview's SVG pages, one per line, once
    /// `check` holds for them (the pages arrive after the rest of the view,
    /// and again after a payment). SVG `<text>` has no WebDriver text of its
    /// own: read `textContent`.
    pub async fn wait_preview(&self, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + FIND_TIMEOUT;
        loop {
            let text = self
                .client
                .execute(
                    "return Array.from(document.querySelectorAll('[data-testid=preview-page] text'))
                       .map((t) => t.textContent).join('\\n');",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if !text.is_empty() && check(&text) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("the preview never showed what was expected; last seen:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + FIND_TIMEOUT;
        while self.exists(css).await {
            if Instant::now() > deadline {
                panic!("`{css}` is still there after {FIND_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of the focused element.
    pub async fn focused_text(&self) -> String {
        self.client
            .execute(
                "return document.activeElement?.textContent?.trim() ?? ''",
                vec![],
            )
            .await
            .expect("reading the focused element")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs axe-core (npm, `ui/node_modules/axe-core`, a checker nobody
    /// here wrote) on what the window shows now, with the WCAG 2.0–2.2 A
    /// and AA rules: its violations, each as impact, rule and the elements.
    pub async fn axe(&self) -> Vec<AxeViolation> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object'", vec![])
            .await
            .expect("looking for axe");
        if loaded != Value::Bool(true) {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{} is missing ({e}): `npm --prefix ui install` (./x test does)",
                    path.display()
                )
            });
            self.client
                .execute(&format!("{source}\nreturn true;"), vec![])
                .await
                .expect("injecting axe-core");
        }
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, {
              runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
              resultTypes: ['violations'],
            }).then(
              (r) => done(r.violations.map((v) => ({
                id: v.id, impact: v.impact || 'minor', help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ')),
              }))),
              (e) => done({ error: String(e) }),
            );";
        let found = self
            .client
            .execute_async(script, vec![])
            .await
            .expect("running axe-core");
        serde_json::from_value(found.clone())
            .unwrap_or_else(|_| panic!("axe-core did not run: {found}"))
    }

    /// Calls a Tauri command over the app's IPC and returns its answer.
    pub async fn invoke(&self, command: &str) -> Value {
        let script = "const done = arguments[arguments.length - 1];
            window.__TAURI_INTERNALS__.invoke(arguments[0])
              .then((value) => done({ ok: value }), (error) => done({ err: String(error) }));";
        let answer = self
            .client
            .execute_async(script, vec![json!(command)])
            .await
            .unwrap_or_else(|e| panic!("invoking {command}: {e}"));
        match answer.get("ok") {
            Some(value) => value.clone(),
            None => panic!("{command} failed: {answer}"),
        }
    }

    /// Saves a PNG of the window under `target/e2e/`, after the next paint.
    pub async fn screenshot(&self, name: &str) {
        // Two animation frames, or WebKit hands back the previous frame.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .expect("waiting for a paint");
        // WebKitWebDriver never answers a screenshot request when the app runs
        // with WEBKIT_DISABLE_DMABUF_RENDERER=1 (measured under Xvfb): fail
        // with that hint instead of hanging.
        let png = tokio::time::timeout(SCREENSHOT_TIMEOUT, self.client.screenshot())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no screenshot after {SCREENSHOT_TIMEOUT:?}; WebKitWebDriver hangs on \
                     screenshots when WEBKIT_DISABLE_DMABUF_RENDERER is set: unset it"
                )
            })
            .expect("taking a screenshot");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("writing the screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    }

    pub async fn close(mut self) {
        if let Err(e) = self.client.clone().close().await {
            eprintln!("closing the WebDriver session: {e}");
        }
        stop(&mut self.driver);
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

/// SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver,
/// which keeps its port and hangs the next session.
pub fn stop(driver: &mut Child) {
    if matches!(driver.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if matches!(driver.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

pub fn require_display() {
    let has = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if !has("DISPLAY") && !has("WAYLAND_DISPLAY") {
        panic!(
            "the end-to-end tests need a display and none is set (DISPLAY is empty). \
             Run them under a virtual one: `sudo apt-get install xvfb` then \
             `xvfb-run -a cargo test --test e2e` (./x test does both)."
        );
    }
}

fn find_tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("ACQUIT_TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|dir| dir.join("tauri-driver"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into_os_string()))
    {
        candidates.push(Path::new(&home).join("bin/tauri-driver"));
    }
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "tauri-driver is not installed: `cargo install tauri-driver --version '^2' --locked` \
             (./x test does)."
        )
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port on 127.0.0.1")
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            panic!("tauri-driver did not listen on port {port} within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `target/e2e/`: screenshots and driver logs, kept for a person to look at.
pub fn artifacts_dir() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_acquit-app"));
    let target = binary
        .parent()
        .and_then(Path::parent)
        .expect("the app binary lives in target/<profile>/");
    let dir = target.join("e2e");
    std::fs::create_dir_all(&dir).expect("creating target/e2e");
    dir
}

/// One rule axe-core found broken, and where.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AxeViolation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    pub help: String,
    pub nodes: Vec<String>,
}

impl AxeViolation {
    /// What blocks people: serious and critical violations.
    pub fn blocks(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}
