//! The self-update, offline, through `tauri-plugin-updater`'s own code path:
//! the plugin runs headless (tauri's `test` feature, `mock_builder`) against
//! an update server on 127.0.0.1 that serves a manifest (`latest.json`) and
//! a package signed with minisign keys made for this test run (no key is
//! committed). Each refusal is checked down to the sentence the user reads.
//!
//! Only this test's configuration allows `http` (the plugin's
//! `dangerousInsecureTransportProtocol`); the shipped `tauri.conf.json` is
//! https with `requireSignedVersion`, which `shipped_config_is_https_and_signed`
//! checks.

use std::sync::{Arc, Mutex};

use acquit_app::update::{self, UpdateError};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use serde_json::{Value, json};
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};

/// The version the app under test runs: the package's own.
const CURRENT: &str = env!("CARGO_PKG_VERSION");

/// A minisign key pair made for this test run.
struct Key {
    pk: minisign::PublicKey,
    sk: minisign::SecretKey,
}

impl Key {
    fn new() -> Key {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        Key {
            pk: pair.pk,
            sk: pair.sk,
        }
    }

    /// The public key as `tauri.conf.json` holds it: base64 of the `.pub`
    /// file (what `tauri signer generate` writes).
    fn pubkey(&self) -> String {
        b64(&self.pk.to_box().unwrap().into_string())
    }

    /// A signature as the Tauri CLI makes it (`tauri signer sign` or the
    /// bundler's `.sig` files): base64 of the minisign signature file, the
    /// version in the trusted comment.
    fn sign(&self, bytes: &[u8], signed_version: &str) -> String {
        let trusted = format!(
            "timestamp:1763900000\tfile:acquit-app_{signed_version}_amd64.deb\tversion:{signed_version}"
        );
        let sig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            bytes,
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        b64(&sig.into_string())
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// What the local update server serves.
#[derive(Clone, Default)]
struct Served {
    manifest: Arc<Mutex<Value>>,
    package: Arc<Mutex<Vec<u8>>>,
}

/// An update server on 127.0.0.1: `/latest.json` and `/acquit.deb`.
async fn serve(served: Served) -> String {
    let router =
        Router::new()
            .route(
                "/latest.json",
                get(|State(s): State<Served>| async move {
                    axum::Json(s.manifest.lock().unwrap().clone())
                }),
            )
            .route(
                "/acquit.deb",
                get(|State(s): State<Served>| async move { s.package.lock().unwrap().clone() }),
            )
            .with_state(served);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

fn manifest(base: &str, version: &str, signature: &str) -> Value {
    let entry = json!({ "signature": signature, "url": format!("{base}/acquit.deb") });
    json!({
        "version": version,
        "notes": format!("Acquit {version}: faster PDF export."),
        "pub_date": "2026-11-20T10:00:00Z",
        "platforms": { "linux-x86_64": entry, "linux-x86_64-deb": entry },
    })
}

/// The app, headless, with the updater plugin configured as shipped but for
/// the endpoint (http on 127.0.0.1) and the public key.
fn app(base: &str, pubkey: &str) -> tauri::App<MockRuntime> {
    let mut context = mock_context(noop_assets());
    context.package_info_mut().version = CURRENT.parse().unwrap();
    context.config_mut().plugins.0.insert(
        "updater".into(),
        json!({
            "pubkey": pubkey,
            "endpoints": [format!("{base}/latest.json")],
            "requireSignedVersion": true,
            // Test only: plain http to 127.0.0.1.
            "dangerousInsecureTransportProtocol": true,
        }),
    );
    mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(context)
        .expect("the app builds with the updater plugin")
}

/// A version `by` minor versions after the current one (before it when
/// negative).
fn bump(by: i64) -> String {
    let part: Vec<i64> = CURRENT.split('.').map(|p| p.parse().unwrap()).collect();
    let minor = part[1] + by;
    if minor >= 0 {
        format!("{}.{minor}.0", part[0])
    } else {
        format!("{}.999.0", part[0] - 1)
    }
}

/// Serves a package signed by `signer` for `signed_version`, announced as
/// `announced`, to an app trusting `trusted`; returns the check's outcome
/// and, when an update is offered, the download's.
async fn run(
    trusted: &Key,
    signer: &Key,
    signed_version: &str,
    announced: &str,
    tamper: bool,
) -> (
    Option<update::UpdateOffer>,
    Option<Result<Vec<u8>, UpdateError>>,
) {
    let package = b"!<arch>\nthe Acquit package of this test\n".repeat(100);
    let signature = signer.sign(&package, signed_version);
    let served = Served::default();
    let base = serve(served.clone()).await;
    *served.manifest.lock().unwrap() = manifest(&base, announced, &signature);
    let mut body = package.clone();
    if tamper {
        let last = body.len() - 2;
        body[last] ^= 1;
    }
    *served.package.lock().unwrap() = body;

    let app = app(&base, &trusted.pubkey());
    let found = update::check(app.handle())
        .await
        .expect("the check itself succeeds");
    let Some(found) = found else {
        return (None, None);
    };
    let offer = update::UpdateOffer::of(&found);
    let downloaded = update::download(&found).await;
    (Some(offer), Some(downloaded))
}

#[tokio::test]
async fn a_newer_signed_version_is_offered_and_its_signature_accepted() {
    let key = Key::new();
    let newer = bump(1);
    let (offer, downloaded) = run(&key, &key, &newer, &newer, false).await;
    let offer = offer.expect("a newer version is offered");
    assert_eq!(offer.version, newer);
    assert_eq!(offer.current_version, CURRENT);
    assert_eq!(
        offer.notes.as_deref(),
        Some(format!("Acquit {newer}: faster PDF export.").as_str())
    );
    assert_eq!(offer.date.as_deref(), Some("2026-11-20T10:00:00Z"));
    let bytes = downloaded.unwrap().expect("the signature is accepted");
    assert!(bytes.starts_with(b"!<arch>\n"));
    println!("newer {newer} offered, signature accepted: {offer:?}");
}

#[tokio::test]
async fn a_tampered_package_is_refused() {
    let key = Key::new();
    let newer = bump(1);
    let (offer, downloaded) = run(&key, &key, &newer, &newer, true).await;
    assert!(offer.is_some());
    let error = downloaded
        .unwrap()
        .expect_err("a tampered package is refused");
    assert!(
        error.detail.contains("InvalidSignature"),
        "{}",
        error.detail
    );
    assert_eq!(
        error.message,
        "The downloaded update does not match its signature (it was damaged or altered on the way), \
         so it was refused. Nothing was installed and your books are unchanged. Try again later."
    );
    println!("tampered package: {error:?}");
}

#[tokio::test]
async fn a_package_signed_with_another_key_is_refused() {
    let trusted = Key::new();
    let other = Key::new();
    let newer = bump(1);
    let (offer, downloaded) = run(&trusted, &other, &newer, &newer, false).await;
    assert!(offer.is_some());
    let error = downloaded.unwrap().expect_err("another key is refused");
    assert!(error.detail.contains("UnexpectedKeyId"), "{}", error.detail);
    assert_eq!(
        error.message,
        "This update was not signed by Acquit's publisher, so it was refused. \
         Nothing was installed and your books are unchanged. \
         Do not install it by hand; try again later or download Acquit from its website."
    );
    println!("another key: {error:?}");
}

/// The manifest is not signed; the package's signature is, trusted comment
/// included. A manifest announcing a version other than the one the package
/// was signed for (say, an old package behind a new number: a downgrade)
/// is refused by the plugin's `requireSignedVersion`.
#[tokio::test]
async fn a_manifest_announcing_another_version_than_the_signed_one_is_refused() {
    let key = Key::new();
    let signed = bump(1);
    let announced = bump(2);
    let (offer, downloaded) = run(&key, &key, &signed, &announced, false).await;
    assert_eq!(offer.unwrap().version, announced);
    let error = downloaded
        .unwrap()
        .expect_err("the version mismatch is refused");
    assert!(
        error.detail.contains("SignedVersionMismatch"),
        "{}",
        error.detail
    );
    assert_eq!(
        error.message,
        format!(
            "The update server announced version {announced}, but the package it offered is signed \
             for version {signed}, so it was refused. Nothing was installed and your books are unchanged. \
             Try again later."
        )
    );
    println!("version mismatch: {error:?}");
}

#[tokio::test]
async fn an_older_or_same_version_is_not_offered() {
    let key = Key::new();
    for version in [bump(-1), CURRENT.to_string()] {
        let (offer, downloaded) = run(&key, &key, &version, &version, false).await;
        assert!(offer.is_none(), "{version} must not be offered");
        assert!(downloaded.is_none());
        println!("{version} (running {CURRENT}): not offered");
    }
}

#[tokio::test]
async fn an_unreachable_server_says_to_check_the_connection() {
    let key = Key::new();
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = app(&format!("http://127.0.0.1:{port}"), &key.pubkey());
    let Err(error) = update::check(app.handle()).await else {
        panic!("an unreachable server must fail the check");
    };
    assert_eq!(
        error.message,
        "Acquit could not reach the update server. Check your internet connection and try again; \
         Acquit works fully offline meanwhile."
    );
    println!("unreachable: {error:?}");
}

/// The menu's "Check for updates…" (a native menu cannot be clicked through
/// WebDriver): its handler's check finds the update and keeps it for
/// "Install", and a failure becomes the sentence the UI shows.
#[tokio::test]
async fn the_menu_check_offers_the_update_and_keeps_it_for_install() {
    use acquit_app::menu::check_for_updates;
    use tauri::Manager;
    let key = Key::new();
    let newer = bump(1);
    let package = b"!<arch>\nthe Acquit package of this test\n".to_vec();
    let served = Served::default();
    let base = serve(served.clone()).await;
    *served.manifest.lock().unwrap() = manifest(&base, &newer, &key.sign(&package, &newer));
    *served.package.lock().unwrap() = package;
    let app = app(&base, &key.pubkey());
    app.manage(update::Pending::default());

    let result = check_for_updates(app.handle()).await;
    assert!(!result.checking);
    assert_eq!(result.error, None);
    assert_eq!(result.offer.map(|o| o.version), Some(newer.clone()));
    let pending = app.state::<update::Pending>().offer();
    assert_eq!(pending.map(|o| o.version), Some(newer));

    // Up to date: nothing offered, and nothing left pending from before.
    *served.manifest.lock().unwrap() = manifest(&base, CURRENT, &key.sign(b"x", CURRENT));
    let result = check_for_updates(app.handle()).await;
    assert!(result.offer.is_none() && result.error.is_none());
    assert!(app.state::<update::Pending>().offer().is_none());

    let other = Key::new();
    let app = app_with_unreachable_server(&other);
    let result = check_for_updates(app.handle()).await;
    assert!(result.offer.is_none());
    assert_eq!(
        result.error.as_deref(),
        Some(
            "Acquit could not reach the update server. Check your internet connection and try again; \
             Acquit works fully offline meanwhile."
        )
    );
}

fn app_with_unreachable_server(key: &Key) -> tauri::App<MockRuntime> {
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    app(&format!("http://127.0.0.1:{port}"), &key.pubkey())
}

#[test]
fn the_books_are_backed_up_and_verified_before_installing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acquit.db");
    let mut store = acquit_store::Store::open(&db).unwrap();
    store.set_setting("probe", "kept").unwrap();
    let backup = update::verified_backup(&store).unwrap();
    assert_eq!(backup.parent().unwrap(), dir.path().join("backups"));
    acquit_store::check_backup(&backup).unwrap();
    let copy = acquit_store::Store::open(&backup).unwrap();
    assert_eq!(copy.setting("probe").unwrap().as_deref(), Some("kept"));
}

#[test]
fn shipped_config_is_https_and_signed() {
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let updater = &conf["plugins"]["updater"];
    assert_eq!(updater["requireSignedVersion"], json!(true));
    assert!(updater.get("dangerousInsecureTransportProtocol").is_none());
    let endpoints = updater["endpoints"].as_array().unwrap();
    assert!(!endpoints.is_empty());
    for e in endpoints {
        assert!(e.as_str().unwrap().starts_with("https://"), "{e}");
    }
    let pubkey = base64::engine::general_purpose::STANDARD
        .decode(updater["pubkey"].as_str().unwrap())
        .unwrap();
    let pubkey = String::from_utf8(pubkey).unwrap();
    minisign::PublicKeyBox::from_string(&pubkey)
        .unwrap()
        .into_public_key()
        .expect("a minisign public key");
    assert_eq!(conf["bundle"]["createUpdaterArtifacts"], json!(true));
}
