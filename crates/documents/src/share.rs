//! The client's invoice page, end-to-end encrypted: `acquit share NUMBER`
//! publishes the invoice to the relay's `/v/{token}` and gives the URL
//! `https://relay/v/{token}#k={key}`.
//!
//! Why it is built this way:
//! - **The relay never sees a key.** Each invoice gets a random doc token
//!   and a random 256-bit key (kept in the user's own database, see
//!   `acquit-store`'s `shares`); the bundle (format in
//!   [`acquit_relay_protocol::bundle`]) is the invoice summary JSON and the
//!   *current* PDF sealed with AES-256-GCM under a fresh 96-bit IV at each
//!   publication. The key travels only in the URL fragment, which browsers
//!   never send, and the page's script opens the bundle with WebCrypto.
//! - **Everything the page shows is prepared here**: amounts and dates
//!   formatted in the client's language, the "Payer en ligne" URL (the
//!   relay's stable `/p/…` of the open link; none when nothing is due or no
//!   link is open), the bank details and the EPC transfer QR code drawn as
//!   an SVG string (the page needs no QR library).
//! - **Republished after each sync that touched the invoice** (the engine
//!   calls [`republish`]), so the same URL shows the PAID state and the
//!   stamped PDF; a failed publication is retried by the next sync.

use std::collections::BTreeSet;

use acquit_core::{Lang, Money};
use acquit_relay_protocol::bundle;
use acquit_store::{Store, StoreError, StoredShare};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::documents::{DocumentError, Rendering, render_pdf};
use acquit_sync::relay::{PublicBase, RelayClient, RelayError};

/// Invoices whose page could not be republished yet (JSON array).
pub const UNSHARED: &str = "sync.relay.unshared";

/// Why an invoice page could not be shared, republished or revoked.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error("the invoice page could not be published: {0}")]
    Relay(#[from] RelayError),
    #[error("the invoice page could not be encrypted: {0}")]
    Crypto(String),
    #[error(
        "the invoice page is too large to publish ({0} bytes; the relay takes 2 MiB): use a smaller logo"
    )]
    TooLarge(usize),
}

/// What the page shows, sealed in the bundle (the relay never reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Format version of this JSON.
    pub v: u32,
    /// `fr` or `en`: the client's language.
    pub lang: String,
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub number: String,
    pub seller: String,
    pub client: String,
    /// Formatted in `lang`.
    pub issue_date: String,
    pub due_date: String,
    pub total: String,
    pub amount_due: String,
    pub currency: String,
    pub total_minor: i64,
    pub amount_due_minor: i64,
    /// `due`, `partly_paid` or `paid`.
    pub status: String,
    /// The last payment's date, formatted, once money came in.
    pub paid_on: Option<String>,
    /// "Payer en ligne": the open link (through the relay's `/p/…`), only
    /// while something is due.
    pub pay_url: Option<String>,
    /// Transfer details, while something is due and the seller has an IBAN.
    pub bank: Option<Bank>,
    /// The EPC ("GiroCode") transfer QR code as a standalone SVG, in euros.
    pub epc_svg: Option<String>,
    /// The download's file name.
    pub pdf_name: String,
    /// A quote's validity, formatted in `lang` and as YYYY-MM-DD (the page
    /// offers its buttons until that day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until_iso: Option<String>,
    /// A quote's decision, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<PageDecision>,
    /// A quote's latest invoice with a page of its own: where the quote's
    /// page leads once invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<PageInvoice>,
}

/// An invoice made from a quote, as the quote's page links to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInvoice {
    pub number: String,
    /// "Facture d’acompte F-2027-0007 : la voir et la payer", in the
    /// summary's `lang`.
    pub label: String,
    /// Its page, `…/v/{token}#k={key}`.
    pub url: String,
}

/// A quote's decision as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageDecision {
    pub accepted: bool,
    pub by: String,
    /// Formatted in the summary's `lang`.
    pub on: String,
}

/// Bank transfer details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    pub holder: String,
    pub iban: String,
    pub bic: Option<String>,
}

/// A shared page as the user sends it.
#[derive(Debug, Clone)]
pub struct Shared {
    pub share: StoredShare,
    /// `https://relay/v/{token}#k={key}`.
    pub url: String,
}

/// The key as it goes in the URL fragment.
pub fn key_to_fragment(key: &[u8; bundle::KEY_LEN]) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// The key from a page URL (`…#k=…`), for tests and tools.
pub fn key_from_url(url: &str) -> Option<[u8; bundle::KEY_LEN]> {
    let fragment = url.split_once('#')?.1;
    let value = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("k="))?;
    URL_SAFE_NO_PAD.decode(value).ok()?.try_into().ok()
}

/// Seals `summary` and `pdf` under `key` with a fresh random IV.
pub fn seal(
    key: &[u8; bundle::KEY_LEN],
    summary: &Summary,
    pdf: &[u8],
) -> Result<Vec<u8>, ShareError> {
    let json = serde_json::to_vec(summary).map_err(|e| ShareError::Crypto(e.to_string()))?;
    let len = u32::try_from(json.len()).map_err(|_| ShareError::TooLarge(json.len()))?;
    let mut plain = Vec::with_capacity(4 + json.len() + pdf.len());
    plain.extend_from_slice(&len.to_be_bytes());
    plain.extend_from_slice(&json);
    plain.extend_from_slice(pdf);
    seal_bytes(key, &plain)
}

/// The bundle framing around `plain`: version, a fresh random IV, then
/// AES-256-GCM under `key`. Pages and a quote page's replies alike.
pub(crate) fn seal_bytes(key: &[u8; bundle::KEY_LEN], plain: &[u8]) -> Result<Vec<u8>, ShareError> {
    let mut iv = [0u8; bundle::IV_LEN];
    getrandom::fill(&mut iv).map_err(|e| ShareError::Crypto(format!("no randomness: {e}")))?;
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|e| ShareError::Crypto(e.to_string()))?;
    let sealed = cipher
        .encrypt(Nonce::from_slice(&iv), plain)
        .map_err(|e| ShareError::Crypto(e.to_string()))?;
    let mut out = Vec::with_capacity(1 + iv.len() + sealed.len());
    out.push(bundle::VERSION);
    out.extend_from_slice(&iv);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// What [`seal_bytes`] sealed, if `key` opens it.
pub(crate) fn open_bytes(key: &[u8; bundle::KEY_LEN], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 1 + bundle::IV_LEN + bundle::TAG_LEN || sealed[0] != bundle::VERSION {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let iv = &sealed[1..1 + bundle::IV_LEN];
    cipher
        .decrypt(Nonce::from_slice(iv), &sealed[1 + bundle::IV_LEN..])
        .ok()
}

/// Opens a bundle (what the page's script does): the summary and the PDF.
pub fn open(key: &[u8; bundle::KEY_LEN], sealed: &[u8]) -> Option<(Summary, Vec<u8>)> {
    let plain = open_bytes(key, sealed)?;
    let len = u32::from_be_bytes(plain.get(..4)?.try_into().ok()?) as usize;
    let json = plain.get(4..4 + len)?;
    let summary = serde_json::from_slice(json).ok()?;
    Some((summary, plain[4 + len..].to_vec()))
}

/// [`seal`], refused when larger than the relay takes.
pub(crate) fn seal_page(
    key: &[u8; bundle::KEY_LEN],
    summary: &Summary,
    pdf: &[u8],
) -> Result<Vec<u8>, ShareError> {
    let sealed = seal(key, summary, pdf)?;
    if sealed.len() > acquit_relay_protocol::DEFAULT_DOCUMENT_LIMIT {
        return Err(ShareError::TooLarge(sealed.len()));
    }
    Ok(sealed)
}

pub(crate) fn format_date(lang: Lang, date: chrono::NaiveDate) -> String {
    match lang {
        Lang::Fr => date.format("%d/%m/%Y").to_string(),
        Lang::En => date.format("%-d %b %Y").to_string(),
    }
}

/// The summary of the issued document `number` as of now; `relay_base`
/// makes the pay URL the stable `/p/…` page.
pub fn summary(
    store: &Store,
    number: &str,
    relay_base: Option<&PublicBase>,
) -> Result<Summary, DocumentError> {
    let view = store.invoice(number)?;
    let (Some(number), Some(issue_date), Some(due_date), Some(seller)) = (
        view.number.clone(),
        view.issue_date,
        view.due_date,
        view.seller.clone(),
    ) else {
        return Err(DocumentError::Draft(number.to_owned()));
    };
    let lang = view.buyer.lang;
    let payments = store.payments(&number)?;
    let paid: i64 = payments.iter().map(|p| p.amount.minor()).sum();
    let due = view.amount_due;
    let last = payments
        .iter()
        .filter(|p| p.amount.is_positive() && !p.reversed)
        .map(|p| p.received_on)
        .max();
    let status = if paid > 0 && !due.is_positive() {
        "paid"
    } else if paid > 0 {
        "partly_paid"
    } else {
        "due"
    };
    let credit = view.kind.is_credit_note();
    let owed = due.is_positive() && !credit;
    let pay_url = if owed {
        acquit_sync::links::client_link(store, &number, relay_base)?
    } else {
        None
    };
    let transfer = owed && view.details.offers_transfer();
    let bank = match (&seller.iban, transfer) {
        (Some(iban), true) => Some(Bank {
            holder: seller.legal_name.clone(),
            iban: iban.formatted(),
            bic: seller.bic.as_ref().map(|b| b.to_string()),
        }),
        _ => None,
    };
    let epc_svg = match (&seller.iban, transfer) {
        (Some(iban), true) => {
            acquit_pdf::epc_payload(&seller.legal_name, iban, seller.bic.as_ref(), due, &number)
                .ok()
                .and_then(|payload| qr_svg(payload.as_bytes()))
        }
        _ => None,
    };
    let money = |m: Money| m.format(lang);
    Ok(Summary {
        v: 1,
        lang: lang.code().to_owned(),
        kind: if credit { "credit_note" } else { "invoice" }.to_owned(),
        seller: seller.legal_name.clone(),
        client: view.buyer.name.clone(),
        issue_date: format_date(lang, issue_date),
        due_date: format_date(lang, due_date),
        total: money(view.totals.total),
        amount_due: money(due),
        currency: view.currency.code().to_owned(),
        total_minor: view.totals.total.minor(),
        amount_due_minor: due.minor(),
        status: status.to_owned(),
        paid_on: last.filter(|_| paid > 0).map(|d| format_date(lang, d)),
        pay_url,
        bank,
        epc_svg,
        pdf_name: format!("{number}.pdf"),
        number,
        valid_until: None,
        valid_until_iso: None,
        decision: None,
        invoice: None,
    })
}

/// A QR code (error correction M, as EPC069-12 requires) as a standalone
/// SVG: one path of unit squares, with a 4-module quiet zone.
pub fn qr_svg(data: &[u8]) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 8;
    let mut path = String::new();
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % width + 4, i / width + 4));
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// The sealed bundle of `share` as of now.
pub fn build_bundle(
    store: &Store,
    share: &StoredShare,
    relay_base: Option<&PublicBase>,
) -> Result<Vec<u8>, ShareError> {
    let summary = summary(store, &share.invoice_number, relay_base)?;
    let pdf = render_pdf(store, &share.invoice_number, None, Rendering::Current)?.bytes;
    seal_page(&share.key, &summary, &pdf)
}

async fn publish(
    store: &mut Store,
    relay: &RelayClient,
    share: &StoredShare,
) -> Result<(), ShareError> {
    let sealed = build_bundle(store, share, Some(&relay.config().public_base()))?;
    relay.publish_document(&share.doc_token, sealed).await?;
    store.share_published(&share.doc_token)?;
    Ok(())
}

/// Shares the issued invoice `number` (its live share, made if none) and
/// publishes its current state: the URL to send the client.
pub async fn share(
    store: &mut Store,
    relay: &RelayClient,
    number: &str,
) -> Result<Shared, ShareError> {
    let share = store.share(number)?;
    publish(store, relay, &share).await?;
    // The quote it was made from, if shared, now leads to this page.
    crate::quote_page::republish_for_invoice(store, relay, &share.invoice_number).await?;
    Ok(Shared {
        url: relay
            .config()
            .public_document(&share.doc_token, &key_to_fragment(&share.key)),
        share,
    })
}

/// Revokes the live share of `number`: the page then says the link is no
/// longer valid. None when the invoice was not shared.
pub async fn revoke(
    store: &mut Store,
    relay: &RelayClient,
    number: &str,
) -> Result<Option<StoredShare>, ShareError> {
    let Some(share) = store.live_share(number)? else {
        store.invoice(number)?;
        return Ok(None);
    };
    // The relay first: if it cannot be told, the share stays live here and
    // the command can be run again.
    relay.revoke_document(&share.doc_token).await?;
    Ok(store.revoke_share(number)?)
}

/// Republishes the pages of the `touched` invoices (and of those a previous
/// sync could not republish) that are shared: called after a sync and
/// after a payment recorded by hand ([`crate::published`]). Failures are returned as warnings and
/// retried next time.
pub async fn republish(
    store: &mut Store,
    relay: &RelayClient,
    touched: &BTreeSet<String>,
) -> Result<Vec<String>, StoreError> {
    let mut pending: BTreeSet<String> = store
        .setting(UNSHARED)?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    pending.extend(touched.iter().cloned());
    let mut failed = BTreeSet::new();
    let mut warnings = Vec::new();
    for number in &pending {
        let share = match store.live_share(number) {
            Ok(Some(share)) => share,
            Ok(None) => continue,
            Err(StoreError::Rejected(_)) => continue,
            Err(other) => return Err(other),
        };
        if let Err(error) = publish(store, relay, &share).await {
            warnings.push(format!(
                "the invoice page of {number} is not updated yet: {error}"
            ));
            failed.insert(number.clone());
        }
    }
    if !(failed.is_empty() && store.setting(UNSHARED)?.is_none()) {
        store.set_setting(
            UNSHARED,
            &serde_json::to_string(&failed).expect("a set of strings"),
        )?;
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Summary {
        Summary {
            v: 1,
            lang: "fr".into(),
            kind: "invoice".into(),
            number: "F-2026-0001".into(),
            seller: "Atelier".into(),
            client: "Boulangerie Martin".into(),
            issue_date: "23/11/2026".into(),
            due_date: "23/12/2026".into(),
            total: "1 200,00 €".into(),
            amount_due: "1 200,00 €".into(),
            currency: "EUR".into(),
            total_minor: 120_000,
            amount_due_minor: 120_000,
            status: "due".into(),
            paid_on: None,
            pay_url: None,
            bank: None,
            epc_svg: qr_svg(b"BCD\n002\n1\nSCT"),
            pdf_name: "F-2026-0001.pdf".into(),
            valid_until: None,
            valid_until_iso: None,
            decision: None,
            invoice: None,
        }
    }

    #[test]
    fn sealed_bundles_open_with_their_key_only_and_never_repeat_an_iv() {
        let key = [7u8; 32];
        let pdf = b"%PDF-1.7 fake".to_vec();
        let a = seal(&key, &sample(), &pdf).unwrap();
        let b = seal(&key, &sample(), &pdf).unwrap();
        assert_eq!(a[0], 1);
        assert_ne!(a[1..13], b[1..13], "a fresh IV each time");
        let text = String::from_utf8_lossy(&a);
        assert!(
            !text.contains("Boulangerie") && !text.contains("%PDF") && !text.contains("F-2026")
        );
        assert_eq!(open(&key, &a), Some((sample(), pdf.clone())));
        assert_eq!(open(&[8u8; 32], &a), None);
        let mut tampered = a.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&key, &tampered), None);
    }

    #[test]
    fn the_key_goes_in_the_fragment_as_base64url() {
        let key = [0xfbu8; 32];
        let fragment = key_to_fragment(&key);
        assert_eq!(fragment.len(), 43);
        assert!(!fragment.contains('+') && !fragment.contains('/') && !fragment.contains('='));
        let url = format!("https://relay.example/v/tok#k={fragment}");
        assert_eq!(key_from_url(&url), Some(key));
        assert_eq!(key_from_url("https://relay.example/v/tok"), None);
    }

    #[test]
    fn the_epc_code_is_a_standalone_svg() {
        let svg =
            qr_svg(b"BCD\n002\n1\nSCT\n\nAtelier\nFR7630006000011234567890189\nEUR12.00").unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<path") && !svg.contains("<script"));
    }

    #[test]
    fn the_relay_address_makes_every_public_url_the_same_way() {
        for typed in [
            "https://relay.example",
            " https://relay.example/ ",
            "https://relay.example//",
        ] {
            let base = PublicBase::new(typed).unwrap();
            assert_eq!(base.link("tok"), "https://relay.example/p/tok");
            assert_eq!(base.link_done("tok"), "https://relay.example/p/tok/done");
            assert_eq!(base.page("doc", "KEY"), "https://relay.example/v/doc#k=KEY");
        }
        assert_eq!(PublicBase::new("  "), None);
        assert_eq!(PublicBase::new(""), None);
    }

    #[test]
    fn the_summary_follows_the_invoice() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("a.db")).unwrap();
        store
            .fill_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            .unwrap();
        let relay = PublicBase::new("https://relay.example").unwrap();
        let paid = summary(&store, "F-2026-0001", Some(&relay)).unwrap();
        assert_eq!(paid.status, "paid");
        assert_eq!(paid.amount_due_minor, 0);
        assert!(paid.pay_url.is_none() && paid.bank.is_none() && paid.epc_svg.is_none());
        assert!(paid.paid_on.is_some());
        let partly = summary(&store, "F-2026-0003", None).unwrap();
        assert_eq!(partly.status, "partly_paid");
        assert!(partly.amount_due_minor > 0);
    }
}
