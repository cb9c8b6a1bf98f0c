//! Payment links: create one on Stripe for an issued invoice, withdraw one,
//! and publish each link's state to the relay's stable `/p/{token}` page.
//!
//! Creation is two steps around the network call so that a crash cannot
//! make a second link: the store first reserves the link (our id, amount,
//! expiry), Stripe is asked with an `Idempotency-Key` derived from that id,
//! and only then is Stripe's answer written. A reserved link left `pending`
//! by a crash is finished by [`resume_pending`] with the same key and the
//! same body, so Stripe replays its first answer.

use acquit_relay_protocol::{LinkState, LinkStatus as RelayLinkStatus};
use acquit_store::{LinkId, LinkKind, LinkStatus, NewLink, StoredLink};
use acquit_store::{Store, StoreError};
use acquit_stripe::checkout::NewCheckoutSession;
use acquit_stripe::client::IdempotencyKey;
use acquit_stripe::payment_links::NewPaymentLink;
use acquit_stripe::{Client, StripeError};

use crate::relay::{PublicBase, RelayClient, RelayError};

/// Why a link could not be created or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stripe refused for good: the link is marked failed.
    #[error("{0}")]
    Refused(String),
    /// Stripe could not be reached: the link stays reserved and the next
    /// `acquit sync` (or the same command again) finishes it.
    #[error("{0}; the link is reserved and will be created on the next sync")]
    Unfinished(String),
    #[error("no link {0}: `acquit link list NUMBER` shows an invoice's links")]
    UnknownLink(String),
    #[error("link {id} is {status}: only an open link can be deactivated")]
    NotOpen { id: String, status: &'static str },
}

/// A link as the user shares it.
#[derive(Debug, Clone)]
pub struct SharedLink {
    pub link: StoredLink,
    /// What to send the client: the relay's stable `/p/…` URL when a relay
    /// is configured (it keeps working after payment), else Stripe's URL.
    pub share_url: String,
}

/// Reserves and creates a link for `number`, then publishes it.
pub async fn create_link(
    store: &mut Store,
    stripe: &Client,
    relay: Option<&RelayClient>,
    number: &str,
    new: &NewLink,
) -> Result<SharedLink, LinkError> {
    let reserved = store.reserve_link(number, new)?;
    let link = finish(store, stripe, reserved).await?;
    if let Some(relay) = relay {
        // A relay hiccup must not lose the link: it is created; the state is
        // published again on the next sync.
        if let Err(error) = publish(store, relay, &link).await {
            tracing::warn!(%error, link = link.id.0, "could not publish the link to the relay");
        }
    }
    Ok(SharedLink {
        share_url: share_url(relay, &link),
        link,
    })
}

/// Finishes the links left reserved: by a crash or a network failure, and
/// those a recurring schedule reserved with its invoice. Returns the links
/// made (to publish to the relay).
pub async fn resume_pending(
    store: &mut Store,
    stripe: &Client,
) -> Result<Vec<StoredLink>, LinkError> {
    let pending = store.pending_links()?;
    let mut done = Vec::new();
    for link in pending {
        match finish(store, stripe, link).await {
            Ok(link) => done.push(link),
            Err(LinkError::Unfinished(_)) => {}
            Err(LinkError::Refused(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(done)
}

/// The open link to give the client for invoice `number`: a lasting
/// Payment Link rather than an expiring Checkout page, then the newest;
/// through the relay's stable `/p/…` page when there is a relay (`base`),
/// else Stripe's own URL. The one rule for the PDF, the mail and the
/// client's page.
pub fn client_link(
    store: &Store,
    number: &str,
    base: Option<&PublicBase>,
) -> Result<Option<String>, StoreError> {
    let mut open: Vec<StoredLink> = store
        .open_links_of(number)?
        .into_iter()
        .filter(|l| l.status == LinkStatus::Open && l.url.is_some())
        .collect();
    open.sort_by_key(|l| (l.kind == LinkKind::PaymentLink, l.created_at, l.id));
    Ok(open.pop().and_then(|link| url_for(&link, base)))
}

/// The URL to give the client for `link`: the relay's stable `/p/…` page
/// once the link exists at Stripe, else Stripe's own URL (None while it is
/// only reserved).
pub fn url_for(link: &StoredLink, base: Option<&PublicBase>) -> Option<String> {
    match (base, &link.stripe_id) {
        (Some(base), Some(_)) => Some(base.link(&link.token)),
        _ => link.url.clone(),
    }
}

/// [`url_for`] with a connected relay.
pub fn share_url(relay: Option<&RelayClient>, link: &StoredLink) -> String {
    url_for(link, relay.map(|r| r.config().public_base()).as_ref()).unwrap_or_default()
}

async fn finish(
    store: &mut Store,
    stripe: &Client,
    link: StoredLink,
) -> Result<StoredLink, LinkError> {
    let view = store.invoice(&link.invoice_number)?;
    let invoice_id = view.id.0.to_string();
    let link_id = link.id.0.to_string();
    let answer = match link.kind {
        LinkKind::PaymentLink => {
            let mut request = NewPaymentLink::for_invoice(
                link.amount,
                &invoice_id,
                &link.invoice_number,
                &link_id,
            );
            request.redirect_url = return_url(store, &link)?;
            let key = IdempotencyKey::for_link_creation(&link_id).expect("digits make a valid key");
            stripe
                .create_payment_link(&request, &key)
                .await
                .map(|l| (l.id, l.url, None))
                .map_err(|e| match e {
                    acquit_stripe::payment_links::CreateLinkError::Stripe(s) => s,
                    input => StripeError::Network {
                        reason: input.to_string(),
                    },
                })
        }
        LinkKind::Checkout => {
            let expires_at = link
                .expires_at
                .map(|t| t.timestamp())
                .ok_or_else(|| LinkError::Refused("a checkout page needs an expiry".into()))?;
            let lang = view.buyer.lang;
            let mut request = NewCheckoutSession::for_invoice(
                link.amount,
                &invoice_id,
                &link.invoice_number,
                &link_id,
                lang,
                expires_at,
            );
            request.success_url = return_url(store, &link)?;
            // Stripe sends its own receipt to this address. (A Payment
            // Link takes no email: its page asks the client for one.)
            request.customer_email = view.buyer.email.as_ref().map(|e| e.to_string());
            let key =
                IdempotencyKey::for_checkout_creation(&link_id).expect("digits make a valid key");
            match stripe.create_checkout_session(&request, &key).await {
                Ok(s) => Ok((s.id, s.url.unwrap_or_default(), link.expires_at)),
                Err(acquit_stripe::checkout::CreateCheckoutError::Stripe(s)) => Err(s),
                Err(input) => {
                    let message = input.to_string();
                    store.link_failed(link.id, &message)?;
                    return Err(LinkError::Refused(message));
                }
            }
        }
    };
    match answer {
        Ok((stripe_id, url, expires_at)) => {
            Ok(store.link_created(link.id, &stripe_id, &url, expires_at)?)
        }
        Err(error) if is_transient(&error) => Err(LinkError::Unfinished(error.to_string())),
        Err(error) => {
            let message = error.to_string();
            store.link_failed(link.id, &message)?;
            Err(LinkError::Refused(message))
        }
    }
}

/// Where Stripe sends the client after paying: the relay's return page
/// `/p/{token}/done`, which says "payment received" as soon as the relay
/// has the webhook, laptop on or off. Derived from the store alone, so a
/// resumed creation sends the same body under the same idempotency key.
/// None without a relay (Stripe's own confirmation then).
fn return_url(store: &Store, link: &StoredLink) -> Result<Option<String>, StoreError> {
    Ok(PublicBase::of(store)?.map(|base| base.link_done(&link.token)))
}

fn is_transient(error: &StripeError) -> bool {
    matches!(
        error,
        StripeError::Network { .. }
            | StripeError::Timeout
            | StripeError::Server { .. }
            | StripeError::RateLimited { .. }
    )
}

/// Withdraws the link `id` (Acquit's id, `plink_…` or `cs_…`): Stripe stops
/// taking payments on it, the store marks it deactivated, the relay's page
/// says it is no longer valid.
pub async fn deactivate_link(
    store: &mut Store,
    stripe: &Client,
    relay: Option<&RelayClient>,
    id: &str,
) -> Result<StoredLink, LinkError> {
    let link = store
        .find_link(id)?
        .ok_or_else(|| LinkError::UnknownLink(id.to_owned()))?;
    if link.status != LinkStatus::Open {
        return Err(LinkError::NotOpen {
            id: id.to_owned(),
            status: link.status.as_str(),
        });
    }
    withdraw_on_stripe(stripe, &link).await?;
    let link = store.set_link_status(link.id, LinkStatus::Deactivated)?;
    if let Some(relay) = relay
        && let Err(error) = publish(store, relay, &link).await
    {
        tracing::warn!(%error, link = link.id.0, "could not publish the link to the relay");
    }
    Ok(link)
}

/// Asks Stripe to stop taking payments on `link`.
pub(crate) async fn withdraw_on_stripe(
    stripe: &Client,
    link: &StoredLink,
) -> Result<(), LinkError> {
    let Some(stripe_id) = &link.stripe_id else {
        return Ok(());
    };
    let link_id = link.id.0.to_string();
    let result = match link.kind {
        LinkKind::PaymentLink => {
            let key = IdempotencyKey::for_link_deactivation(&link_id).expect("valid key");
            stripe
                .deactivate_payment_link(stripe_id, &key)
                .await
                .map(|_| ())
        }
        LinkKind::Checkout => {
            let key = IdempotencyKey::for_checkout_expiry(&link_id).expect("valid key");
            stripe
                .expire_checkout_session(stripe_id, &key)
                .await
                .map(|_| ())
        }
    };
    result.map_err(|e| {
        if is_transient(&e) {
            LinkError::Unfinished(e.to_string())
        } else {
            LinkError::Refused(e.to_string())
        }
    })
}

/// The state of `link` as the relay's `/p/{token}` page shows it.
pub fn relay_state(store: &Store, link: &StoredLink) -> Result<LinkState, StoreError> {
    let view = store.invoice(&link.invoice_number)?;
    let seller = view.seller.as_ref().map(|s| s.legal_name.clone());
    let status = match link.status {
        LinkStatus::Open | LinkStatus::Processing => RelayLinkStatus::Open,
        LinkStatus::Paid => RelayLinkStatus::Paid,
        LinkStatus::Pending
        | LinkStatus::Expired
        | LinkStatus::Deactivated
        | LinkStatus::Failed => RelayLinkStatus::Void,
    };
    let paid_at = match link.status {
        LinkStatus::Paid => store
            .payments(&link.invoice_number)?
            .iter()
            .rev()
            .find(|p| p.amount.is_positive())
            .map(|p| p.received_on.to_string()),
        _ => None,
    };
    Ok(LinkState {
        status,
        pay_url: match status {
            RelayLinkStatus::Open => link.url.clone(),
            _ => None,
        },
        invoice_number: Some(link.invoice_number.clone()),
        amount_due: Some(view.amount_due.minor()),
        currency: Some(view.currency.code().to_owned()),
        paid_at,
        seller,
        stripe_id: link.stripe_id.clone(),
    })
}

/// Publishes `link`'s current state to the relay.
pub async fn publish(
    store: &Store,
    relay: &RelayClient,
    link: &StoredLink,
) -> Result<(), RelayError> {
    let state = match relay_state(store, link) {
        Ok(state) => state,
        // The invoice is ours and issued: reading it cannot fail but on a
        // broken database, which the next sync will report.
        Err(error) => {
            return Err(RelayError::BadAnswer(format!(
                "reading link {}: {error}",
                link.id.0
            )));
        }
    };
    relay.publish_link(&link.token, &state).await
}

/// The link `id` as the CLI and the app name it: Acquit's number.
pub fn display_id(id: LinkId) -> String {
    id.0.to_string()
}
