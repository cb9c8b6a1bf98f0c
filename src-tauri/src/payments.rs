//! Getting paid in the app: the Stripe connection, payment links, manual
//! payments (the relay and the client page are `relay.rs`, the background
//! sync `background.rs`). Each command calls the same crate functions as
//! the CLI (`acquit_sync::{config, links}`, `acquit_documents::published`, the store).
//!
//! Whatever waits on the network runs on a blocking thread with its own
//! connection to the database (`Store::open` on the same file), never
//! under the lock of the UI's connection.

use acquit_core::{Lang, Money};
use acquit_documents::published;
use acquit_store::{LinkKind, NewLink, NewPayment, PaymentId, Store, StoredLink};
use acquit_sync::config::{self, Connection, StripeKey as SecretKey};
use acquit_sync::links;
use acquit_sync::relay::PublicBase;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::background::SyncControl;
use crate::choices::{LinkKindChoice, LinkStatusChoice, PaymentMethodChoice};
use crate::commands::{Books, CommandError};
use crate::messages::localized as say;

/// Runs `f` on a blocking thread with its own connection to the database.
pub(crate) async fn on_own_connection<T: Send + 'static>(
    books: &Books,
    f: impl FnOnce(&mut Store) -> Result<T, String> + Send + 'static,
) -> Result<T, CommandError> {
    let path = books.path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        // A restore waits until this is done (`backups`).
        let _gate = crate::backups::writing();
        let mut store = Store::open(&path).map_err(say)?;
        f(&mut store)
    })
    .await
    .map_err(|e| CommandError::new(format!("the task stopped: {e}")))?
    .map_err(CommandError::new)
}

// ---------------------------------------------------------------- Stripe

/// The Stripe connection as the UI shows it: never the key, only its mask.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StripeStatus {
    pub connected: bool,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    /// A test-mode key: the UI shows a banner everywhere.
    pub test_mode: bool,
    /// `sk_test_…4242`.
    pub key_hint: Option<String>,
    /// The key comes from ACQUIT_STRIPE_KEY (overrides the keychain).
    pub from_environment: bool,
}

fn stripe_status_of(store: &Store) -> Result<StripeStatus, CommandError> {
    let connection = Connection::load(store).map_err(|e| CommandError::new(say(e)))?;
    let env = config::stripe_key_from_env().ok().flatten();
    let env_hint = env.as_ref().map(SecretKey::hint);
    Ok(StripeStatus {
        connected: connection.is_some() || env.is_some(),
        account_id: connection.as_ref().map(|c| c.account_id.clone()),
        account_name: connection.as_ref().map(|c| c.account_name.clone()),
        test_mode: match (&env, &connection) {
            (Some(key), _) => key.mode() == config::StripeMode::Test,
            (None, Some(c)) => c.is_test(),
            (None, None) => false,
        },
        key_hint: env_hint
            .clone()
            .or_else(|| connection.as_ref().map(|c| c.key_hint.clone())),
        from_environment: env_hint.is_some(),
    })
}

/// Whether Stripe is connected, to which account, in which mode.
#[tauri::command]
#[specta::specta]
pub fn stripe_status(books: State<'_, Books>) -> Result<StripeStatus, CommandError> {
    books.with(|store| stripe_status_of(store).map_err(|e| e.message))
}

/// Checks `key` with Stripe, keeps it in the OS keychain and records the
/// account (the same steps as `acquit stripe connect`).
#[tauri::command]
#[specta::specta]
pub async fn connect_stripe(
    books: State<'_, Books>,
    sync: State<'_, SyncControl>,
    key: String,
) -> Result<StripeStatus, CommandError> {
    let status = on_own_connection(&books, move |store| {
        let key = config::parse_stripe_key(&key).map_err(say)?;
        let keychain = config::OsKeychain::open().map_err(say)?;
        let check = tauri::async_runtime::block_on(config::check_stripe_key(
            &key,
            &config::stripe_api_base(),
        ))
        .map_err(say)?;
        config::record_stripe_connection(store, &keychain, &key, &check).map_err(say)?;
        stripe_status_of(store).map_err(|e| e.message)
    })
    .await?;
    sync.wake();
    Ok(status)
}

/// Removes the key from the keychain and forgets the account.
#[tauri::command]
#[specta::specta]
pub async fn disconnect_stripe(books: State<'_, Books>) -> Result<StripeStatus, CommandError> {
    on_own_connection(&books, |store| {
        config::disconnect_stripe(store).map_err(say)?;
        stripe_status_of(store).map_err(|e| e.message)
    })
    .await
}

// ---------------------------------------------------------------- links

/// A payment link of an invoice.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    pub id: String,
    /// A lasting link, or a checkout session that expires.
    pub kind: LinkKindChoice,
    pub amount: String,
    pub status: LinkStatusChoice,
    pub failure: Option<String>,
    /// What to send the client: the relay's `/p/…` page, else Stripe's URL.
    pub url: Option<String>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    pub created_at: String,
}

fn link_view(link: &StoredLink, relay: Option<&PublicBase>, lang: Lang) -> LinkView {
    let url = links::url_for(link, relay);
    LinkView {
        id: link.id.to_string(),
        kind: link.kind.into(),
        amount: link.amount.format(lang),
        status: link.status.into(),
        failure: link.failure.clone(),
        url,
        expires_at: link.expires_at.map(|t| t.to_rfc3339()),
        created_at: link.created_at.to_rfc3339(),
    }
}

/// The relay the books are connected to (its address and inbox set).
fn relay_base(store: &Store) -> Option<PublicBase> {
    config::relay_settings(store)
        .ok()
        .flatten()
        .and_then(|(url, _)| PublicBase::new(&url))
}

/// The payment links of the issued invoice `number`, newest last.
#[tauri::command]
#[specta::specta]
pub fn invoice_links(
    books: State<'_, Books>,
    number: String,
    lang: String,
) -> Result<Vec<LinkView>, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    books.with(|store| {
        let base = relay_base(store);
        store.links(&number).map(|links| {
            links
                .iter()
                .map(|l| link_view(l, base.as_ref(), lang))
                .collect()
        })
    })
}

/// What the "New link" form asks.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewLinkForm {
    /// Empty: all that remains due.
    pub amount: String,
    /// A 24 h checkout session instead of a lasting link.
    pub checkout: bool,
}

/// Creates a payment link on Stripe for `number` (as `acquit link create`).
#[tauri::command]
#[specta::specta]
pub async fn create_payment_link(
    books: State<'_, Books>,
    number: String,
    form: NewLinkForm,
    lang: String,
) -> Result<LinkView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    on_own_connection(&books, move |store| {
        let currency = store.invoice(&number).map_err(say)?.currency;
        let amount = Some(form.amount.trim())
            .filter(|a| !a.is_empty())
            .map(|a| Money::parse_localized(a, currency, lang).map_err(say))
            .transpose()?;
        let new = NewLink {
            kind: if form.checkout {
                LinkKind::Checkout
            } else {
                LinkKind::PaymentLink
            },
            amount,
            expires_at: form.checkout.then(|| {
                chrono::Utc::now() + chrono::Duration::seconds(acquit_store::CHECKOUT_LONGEST_SECS)
            }),
        };
        let stripe = config::stripe_client(store)
            .map_err(say)?
            .ok_or_else(|| say(config::ConfigError::NotConnected))?;
        let relay = config::relay_client(store).map_err(say)?;
        let shared = tauri::async_runtime::block_on(links::create_link(
            store,
            &stripe,
            relay.as_ref(),
            &number,
            &new,
        ))
        .map_err(say)?;
        Ok(link_view(&shared.link, relay_base(store).as_ref(), lang))
    })
    .await
}

/// Deactivates an open link (on Stripe, then in the books).
#[tauri::command]
#[specta::specta]
pub async fn deactivate_payment_link(
    books: State<'_, Books>,
    id: String,
    lang: String,
) -> Result<LinkView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    on_own_connection(&books, move |store| {
        let stripe = config::stripe_client(store)
            .map_err(say)?
            .ok_or_else(|| say(config::ConfigError::NotConnected))?;
        let relay = config::relay_client(store).map_err(say)?;
        let link = tauri::async_runtime::block_on(links::deactivate_link(
            store,
            &stripe,
            relay.as_ref(),
            &id,
        ))
        .map_err(say)?;
        Ok(link_view(&link, relay_base(store).as_ref(), lang))
    })
    .await
}

/// The QR code of `text` as SVG markup, for the large on-screen code of a
/// link: the client page's own (`acquit_documents::share::qr_svg`: only
/// `<svg>`, `<rect>` and one `<path>`, safe for `{@html}`).
#[tauri::command]
#[specta::specta]
pub fn qr_svg(text: String) -> Result<String, CommandError> {
    acquit_documents::share::qr_svg(text.as_bytes())
        .ok_or_else(|| CommandError::new("no QR code for this text: it is too long"))
}

/// Opens an http(s) URL in the user's browser (a payment page to try).
#[tauri::command]
#[specta::specta]
pub fn open_url(url: String) -> Result<(), CommandError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(CommandError::new("only web addresses can be opened"));
    }
    let launch = acquit_documents::send::Launch::opening(url);
    launch.command().spawn().map(|_| ()).map_err(|e| {
        CommandError::new(format!(
            "could not open the browser ({}): {e}",
            launch.program
        ))
    })
}

// ---------------------------------------------------------------- payments

/// The "Record a payment" form.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentForm {
    /// The form offers all but `stripe` (Stripe's payments come by sync).
    pub method: PaymentMethodChoice,
    pub amount: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub reference: String,
}

/// Records a payment received outside Stripe (as `acquit payment add`),
/// then has the background sync republish the invoice's shared page and
/// link states (a relay or Stripe failure shows in the sync status and is
/// retried; the payment stands).
#[tauri::command]
#[specta::specta]
pub fn record_payment(
    books: State<'_, Books>,
    sync: State<'_, SyncControl>,
    number: String,
    form: PaymentForm,
    lang: String,
) -> Result<(), CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let received_on = chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .map_err(|_| CommandError::new("the date is not a date (YYYY-MM-DD)"))?;
    books.with(|store| {
        let currency = store.invoice(&number).map_err(say)?.currency;
        let amount = Money::parse_localized(&form.amount, currency, lang).map_err(say)?;
        let reference = Some(form.reference.trim().to_owned()).filter(|r| !r.is_empty());
        store
            .record_payment(
                &number,
                &NewPayment {
                    amount,
                    method: form.method.into(),
                    received_on,
                    reference,
                    fee: None,
                },
            )
            .map_err(say)?;
        published::mark_changed(store, &number).map_err(say)
    })?;
    sync.wake();
    Ok(())
}

/// Cancels a payment with a counter-entry dated today; republished like
/// [`record_payment`].
#[tauri::command]
#[specta::specta]
pub fn reverse_payment(
    books: State<'_, Books>,
    sync: State<'_, SyncControl>,
    payment_id: i32,
) -> Result<(), CommandError> {
    books.with(|store| {
        let payment = PaymentId(payment_id.into());
        store.reverse_payment(payment, acquit_store::today(), None)?;
        let number = store.payment_invoice_number(payment)?;
        published::mark_changed(store, &number)
    })?;
    sync.wake();
    Ok(())
}

/// One line of an invoice's history.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TimelineRow {
    /// RFC 3339.
    pub at: String,
    pub what: String,
}

/// The invoice's history: issued, links, payments, status changes.
#[tauri::command]
#[specta::specta]
pub fn invoice_timeline(
    books: State<'_, Books>,
    number: String,
    lang: String,
) -> Result<Vec<TimelineRow>, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    books.with(|store| {
        store.timeline(&number).map(|entries| {
            entries
                .into_iter()
                .map(|e| TimelineRow {
                    at: e.at.to_rfc3339(),
                    what: e.event.describe(lang),
                })
                .collect()
        })
    })
}
