//! The relay and the client's invoice page in the app: the relay set up
//! from Settings (`config::setup_relay`, as `acquit relay set`: checked,
//! its token in the keychain, registered with Stripe), and an invoice's
//! end-to-end encrypted page shared or revoked (`acquit_documents::share`).

use acquit_store::Store;
use acquit_sync::config;
use serde::Serialize;
use tauri::State;

use crate::background::SyncControl;
use crate::commands::{Books, CommandError};
use crate::messages::localized as say;
use crate::payments::on_own_connection;

/// The relay in use, as the settings screen shows it (never the token).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RelayStatus {
    pub url: Option<String>,
    pub inbox: Option<String>,
    /// Where Stripe posts webhooks for this inbox.
    pub webhook_url: Option<String>,
    /// Set when [`setup_relay`] just registered the relay with Stripe.
    pub webhook_endpoint: Option<String>,
}

fn relay_status_of(store: &Store) -> Result<RelayStatus, String> {
    let settings = config::relay_settings(store).map_err(say)?;
    Ok(RelayStatus {
        webhook_url: settings.as_ref().map(|(url, inbox)| {
            format!(
                "{}{}",
                url.trim_end_matches('/'),
                acquit_relay_protocol::webhook_path(inbox)
            )
        }),
        url: settings.as_ref().map(|(url, _)| url.clone()),
        inbox: settings.map(|(_, inbox)| inbox),
        webhook_endpoint: None,
    })
}

/// The relay in use, if any.
#[tauri::command]
#[specta::specta]
pub fn relay_status(books: State<'_, Books>) -> Result<RelayStatus, CommandError> {
    books.with(|store| relay_status_of(store))
}

/// Sets the relay up in one step, as `acquit relay set` does: checks it,
/// keeps the token (and the inbox's admin credential, needed only to
/// replace a webhook secret already set) in the keychain, registers it with
/// Stripe when connected.
#[tauri::command]
#[specta::specta]
pub async fn setup_relay(
    books: State<'_, Books>,
    sync: State<'_, SyncControl>,
    url: String,
    inbox: String,
    token: String,
    admin_token: Option<String>,
) -> Result<RelayStatus, CommandError> {
    let status = on_own_connection(&books, move |store| {
        let stripe = config::stripe_client(store).map_err(say)?;
        let setup = tauri::async_runtime::block_on(config::setup_relay(
            store,
            &url,
            &inbox,
            &token,
            admin_token.as_deref(),
            stripe.as_ref(),
        ))
        .map_err(say)?;
        let mut status = relay_status_of(store)?;
        status.webhook_endpoint = setup.webhook_endpoint;
        Ok(status)
    })
    .await?;
    sync.wake();
    Ok(status)
}

/// The invoice's private page on the relay (`acquit share`), if shared.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ShareView {
    /// `https://relay/v/{token}#k={key}`: the key never reaches the relay.
    pub url: Option<String>,
}

const NO_RELAY_FOR_SHARE: &str =
    "an invoice page is served by your relay: set one in Settings (Payment relay) first";

/// The relay that serves invoice pages, or what to set up first.
fn relay_for_pages(store: &acquit_store::Store) -> Result<acquit_sync::relay::RelayClient, String> {
    config::relay_client(store)
        .map_err(say)?
        .ok_or_else(|| NO_RELAY_FOR_SHARE.to_owned())
}

/// Publishes (or republishes) the invoice's end-to-end encrypted page on
/// the relay and returns the link to send.
#[tauri::command]
#[specta::specta]
pub async fn share_invoice(
    books: State<'_, Books>,
    number: String,
) -> Result<ShareView, CommandError> {
    on_own_connection(&books, move |store| {
        let relay = relay_for_pages(store)?;
        let shared =
            tauri::async_runtime::block_on(acquit_documents::share::share(store, &relay, &number))
                .map_err(say)?;
        Ok(ShareView {
            url: Some(shared.url),
        })
    })
    .await
}

/// Revokes the invoice's page: its link then says it is no longer valid.
#[tauri::command]
#[specta::specta]
pub async fn revoke_share(
    books: State<'_, Books>,
    number: String,
) -> Result<ShareView, CommandError> {
    on_own_connection(&books, move |store| {
        let relay = relay_for_pages(store)?;
        tauri::async_runtime::block_on(acquit_documents::share::revoke(store, &relay, &number))
            .map_err(say)?;
        Ok(ShareView { url: None })
    })
    .await
}
