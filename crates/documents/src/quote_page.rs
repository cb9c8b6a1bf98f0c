//! A quote's page for the client's phone: `acquit quote share NUMBER`
//! publishes the quote to the relay's `/v/{token}` like an invoice page
//! ([`crate::share`]: same bundle, same key in the URL fragment), and the
//! page lets the client accept or decline it.
//!
//! Why the answer is trusted: the page seals the client's answer with the
//! page's key (AES-256-GCM, fresh IV) before posting it to the relay, which
//! stores ciphertext it cannot read nor forge. The next sync reads the
//! replies of the quotes still waiting, opens each with the key kept in the
//! books, checks it names this quote, and records the first one the books
//! accept (within the validity, once: [`acquit_store::Store::decide_quote`])
//! as decided on the page. A reply that does not open (not sealed with the
//! key: the relay, or someone with the token only) changes nothing and is
//! reported. Then the page is republished showing the decision.

use acquit_core::quote::{DecidedVia, Decision, QuoteStatus};
use acquit_core::{InvoiceKind, Lang};
use acquit_relay_protocol::{QuoteReply, bundle};
use acquit_store::{Store, StoreError, StoredShare};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;

use crate::documents::{DocumentError, render_quote_pdf};
use crate::share::{
    PageDecision, PageInvoice, ShareError, Shared, Summary, format_date, key_to_fragment,
    open_bytes, seal_bytes, seal_page,
};
use acquit_sync::relay::{RelayClient, RelayConfig};

/// The summary of issued quote `number` as of `today`.
/// `relay` makes the link to the latest invoice made from the quote that
/// has a page of its own.
pub fn quote_summary(
    store: &Store,
    number: &str,
    today: NaiveDate,
    relay: Option<&RelayConfig>,
) -> Result<Summary, DocumentError> {
    let view = store.quote(number, today)?;
    let (Some(number), Some(issue_date), Some(valid_until), Some(seller)) = (
        view.number.clone(),
        view.issue_date,
        view.valid_until,
        view.seller.clone(),
    ) else {
        return Err(DocumentError::DraftQuote(number.to_owned()));
    };
    let lang = view.buyer.lang;
    let status = match view.status {
        QuoteStatus::Accepted => "accepted",
        QuoteStatus::Declined => "declined",
        QuoteStatus::Expired => "expired",
        _ => "open",
    };
    Ok(Summary {
        v: 1,
        lang: lang.code().to_owned(),
        kind: "quote".to_owned(),
        seller: seller.legal_name.clone(),
        client: view.buyer.name.clone(),
        issue_date: format_date(lang, issue_date),
        due_date: String::new(),
        total: view.totals.total.format(lang),
        amount_due: String::new(),
        currency: view.currency.code().to_owned(),
        total_minor: view.totals.total.minor(),
        amount_due_minor: 0,
        status: status.to_owned(),
        paid_on: None,
        pay_url: None,
        bank: None,
        epc_svg: None,
        pdf_name: format!("{number}.pdf"),
        valid_until: Some(format_date(lang, valid_until)),
        valid_until_iso: Some(valid_until.to_string()),
        decision: view.decision.map(|d| PageDecision {
            accepted: d.accepted,
            by: d.by,
            on: format_date(lang, d.on),
        }),
        invoice: match relay {
            Some(relay) => latest_invoice_page(store, &view.invoices, lang, relay)?,
            None => None,
        },
        number,
    })
}

/// The latest issued invoice of `invoices` with a live page.
fn latest_invoice_page(
    store: &Store,
    invoices: &[acquit_store::QuoteInvoice],
    lang: Lang,
    relay: &RelayConfig,
) -> Result<Option<PageInvoice>, StoreError> {
    for invoice in invoices.iter().rev() {
        let Some(number) = &invoice.number else {
            continue;
        };
        if let Some(share) = store.live_share(number)? {
            let kind = match (invoice.kind, lang) {
                (InvoiceKind::Deposit, Lang::Fr) => "Facture d’acompte",
                (InvoiceKind::Balance, Lang::Fr) => "Facture de solde",
                (_, Lang::Fr) => "Facture",
                (InvoiceKind::Deposit, Lang::En) => "Deposit invoice",
                (InvoiceKind::Balance, Lang::En) => "Balance invoice",
                (_, Lang::En) => "Invoice",
            };
            let label = match lang {
                Lang::Fr => format!("{kind} {number}\u{a0}: la voir et la payer"),
                Lang::En => format!("{kind} {number}: view and pay"),
            };
            return Ok(Some(PageInvoice {
                number: number.clone(),
                label,
                url: relay.public_document(&share.doc_token, &key_to_fragment(&share.key)),
            }));
        }
    }
    Ok(None)
}

/// Republishes the page of the quote invoice `number` was made from, when
/// that quote is shared: it then leads to the invoice's page.
pub async fn republish_for_invoice(
    store: &mut Store,
    relay: &RelayClient,
    number: &str,
) -> Result<(), ShareError> {
    let Some(quote) = store.invoice(number)?.details.quote_ref else {
        return Ok(());
    };
    let Some(share) = store.live_quote_share(&quote)? else {
        return Ok(());
    };
    publish(store, relay, &share, acquit_store::today()).await
}

/// The sealed bundle of quote share `share` as of `today`.
pub fn build_quote_bundle(
    store: &Store,
    share: &StoredShare,
    today: NaiveDate,
    relay: &RelayConfig,
) -> Result<Vec<u8>, ShareError> {
    let summary = quote_summary(store, &share.invoice_number, today, Some(relay))?;
    let pdf = render_quote_pdf(store, &share.invoice_number, None)?.bytes;
    seal_page(&share.key, &summary, &pdf)
}

async fn publish(
    store: &mut Store,
    relay: &RelayClient,
    share: &StoredShare,
    today: NaiveDate,
) -> Result<(), ShareError> {
    let sealed = build_quote_bundle(store, share, today, relay.config())?;
    relay.publish_document(&share.doc_token, sealed).await?;
    store.quote_share_published(&share.doc_token)?;
    Ok(())
}

/// Shares issued quote `number` (its live share, made if none), publishes
/// it and records it sent: the URL to give the client.
pub async fn share_quote(
    store: &mut Store,
    relay: &RelayClient,
    number: &str,
    today: NaiveDate,
) -> Result<Shared, ShareError> {
    let share = store.share_quote(number)?;
    publish(store, relay, &share, today).await?;
    store.quote_sent(number, today)?;
    Ok(Shared {
        url: relay
            .config()
            .public_document(&share.doc_token, &key_to_fragment(&share.key)),
        share,
    })
}

/// Seals `reply` under `key` as the page's script does (tests and tools:
/// the page itself seals with WebCrypto).
pub fn seal_reply(key: &[u8; bundle::KEY_LEN], reply: &QuoteReply) -> Result<Vec<u8>, ShareError> {
    let json = serde_json::to_vec(reply).map_err(|e| ShareError::Crypto(e.to_string()))?;
    seal_bytes(key, &json)
}

/// Opens a reply posted to the page: `None` unless sealed with `key`.
pub fn open_reply(key: &[u8; bundle::KEY_LEN], sealed: &[u8]) -> Option<QuoteReply> {
    serde_json::from_slice(&open_bytes(key, sealed)?).ok()
}

/// A quote the client decided on its page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DecidedQuote {
    pub number: String,
    pub accepted: bool,
    /// The name the client gave.
    pub by: String,
}

/// What reading the replies did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RepliesRead {
    /// Quotes decided on their page in this sync.
    pub decided: Vec<DecidedQuote>,
    /// Replies not taken, each with why; relay failures (retried next sync).
    pub warnings: Vec<String>,
}

/// Reads the replies waiting on the relay for every shared quote still
/// undecided, records the first valid one of each, and republishes the
/// pages decided. Network failures are warnings: the next sync retries.
pub async fn read_replies(
    store: &mut Store,
    relay: &RelayClient,
    today: NaiveDate,
) -> Result<RepliesRead, StoreError> {
    let mut read = RepliesRead::default();
    for waiting in store.quote_shares_awaiting_reply(today)? {
        let share = &waiting.share;
        let number = share.invoice_number.clone();
        let replies = match relay.document_replies(&share.doc_token).await {
            Ok(list) => list.replies,
            Err(error) => {
                read.warnings.push(format!(
                    "the answers to {number} could not be read yet: {error}"
                ));
                continue;
            }
        };
        let mut seen = waiting.replies_seen;
        let mut decided = false;
        for reply in replies.iter().filter(|r| r.id > waiting.replies_seen) {
            seen = seen.max(reply.id);
            let opened = URL_SAFE_NO_PAD
                .decode(&reply.sealed)
                .ok()
                .and_then(|bytes| open_reply(&share.key, &bytes));
            let Some(answer) = opened else {
                read.warnings.push(format!(
                    "an answer to {number} received at {} was not sealed with its page's key: ignored",
                    reply.received_at
                ));
                continue;
            };
            if answer.quote != number {
                read.warnings.push(format!(
                    "an answer on the page of {number} names another quote ({}): ignored",
                    answer.quote
                ));
                continue;
            }
            let Ok(on) = answer.on.parse::<NaiveDate>() else {
                read.warnings.push(format!(
                    "an answer to {number} has no readable date ({:?}): ignored",
                    answer.on
                ));
                continue;
            };
            let decision = Decision {
                accepted: answer.accepted,
                on,
                by: answer.name,
                comment: answer.comment,
                via: DecidedVia::Page,
            };
            match store.decide_quote(&number, &decision) {
                Ok(()) => {
                    read.decided.push(DecidedQuote {
                        number: number.clone(),
                        accepted: decision.accepted,
                        by: decision.by.trim().to_owned(),
                    });
                    decided = true;
                    break;
                }
                Err(StoreError::Rejected(why)) => read
                    .warnings
                    .push(format!("an answer to {number} was not recorded: {why}")),
                Err(other) => return Err(other),
            }
        }
        store.quote_replies_seen(&share.doc_token, seen)?;
        if decided && let Err(error) = publish(store, relay, share, today).await {
            read.warnings.push(format!(
                "the page of {number} does not show the decision yet: {error}"
            ));
        }
    }
    Ok(read)
}
