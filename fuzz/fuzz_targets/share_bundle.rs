//! The sealed pages: `acquit_documents::share::open` (the invoice or quote
//! page's bundle: version, IV, AES-256-GCM of a length-prefixed summary
//! JSON and the PDF), `share::seal`, and the quote page's
//! `quote_page::open_reply` / `seal_reply` (a client's sealed answer,
//! which reaches the app through a relay it does not trust).
//!
//! Encryption hides the framing from a fuzzer, so the bytes are used
//! twice: as a sealed payload as is, and as the *plaintext* of a bundle
//! sealed here with `aes-gcm` following the format documented in
//! `acquit_relay_protocol::bundle` (not with the crate's own sealer), so
//! the length prefix, the summary JSON and the reply JSON behind the
//! decryption are fuzzed too.
//!
//! Invariants:
//! - never a panic on any sealed bytes, with the right key or another;
//! - what opens, sealed again with `seal` / `seal_reply`, opens to the
//!   same summary and PDF bytes / the same reply (and never with another
//!   key);
//! - a bundle sealed per the documented format opens to exactly what its
//!   plaintext holds: the summary JSON of the announced length and the
//!   bytes after it; a reply to the JSON of its plaintext;
//! - the same bundle with any one bit flipped (version, IV, ciphertext or
//!   tag), one byte cut off, or under another key does not open.
#![no_main]

use acquit_relay_protocol::{QuoteReply, bundle};
use acquit_documents::quote_page::{open_reply, seal_reply};
use acquit_documents::share::{Summary, open, seal};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use libfuzzer_sys::fuzz_target;

const KEY: [u8; bundle::KEY_LEN] = *b"fuzz-key-of-the-page-0123456789!";
const OTHER: [u8; bundle::KEY_LEN] = *b"another-key-of-another-page-9876";

/// FNV-1a, to pick an IV and a bit from the input.
fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// `version || iv || AES-256-GCM(key, iv, plain)`, as the page's script
/// writes it.
fn seal_as_documented(key: &[u8; 32], iv: [u8; bundle::IV_LEN], plain: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    let mut out = vec![bundle::VERSION];
    out.extend_from_slice(&iv);
    out.extend(cipher.encrypt(Nonce::from_slice(&iv), plain).unwrap());
    out
}

/// What the plaintext of a page bundle holds, read here independently.
fn page_of(plain: &[u8]) -> Option<(Summary, Vec<u8>)> {
    let len = u32::from_be_bytes(plain.get(..4)?.try_into().ok()?) as usize;
    let end = 4usize.checked_add(len)?;
    let summary = serde_json::from_slice(plain.get(4..end)?).ok()?;
    Some((summary, plain[end..].to_vec()))
}

fn reseal_page(summary: &Summary, pdf: &[u8]) {
    let sealed = seal(&KEY, summary, pdf).expect("seal");
    assert_eq!(
        open(&KEY, &sealed).as_ref(),
        Some(&(summary.clone(), pdf.to_vec()))
    );
    assert!(open(&OTHER, &sealed).is_none());
}

fn reseal_reply(reply: &QuoteReply) {
    let sealed = seal_reply(&KEY, reply).expect("seal_reply");
    assert_eq!(open_reply(&KEY, &sealed).as_ref(), Some(reply));
    assert!(open_reply(&OTHER, &sealed).is_none());
}

fuzz_target!(|data: &[u8]| {
    // 1. The bytes as posted or served: whatever they are, no panic.
    for key in [&KEY, &OTHER] {
        if let Some((summary, pdf)) = open(key, data) {
            reseal_page(&summary, &pdf);
        }
        if let Some(reply) = open_reply(key, data) {
            reseal_reply(&reply);
        }
    }

    // 2. The bytes as the plaintext of a well-sealed bundle.
    let h = hash(data);
    let mut iv = [0u8; bundle::IV_LEN];
    iv[..8].copy_from_slice(&h.to_le_bytes());
    let sealed = seal_as_documented(&KEY, iv, data);
    let page = open(&KEY, &sealed);
    assert_eq!(page, page_of(data));
    let reply = open_reply(&KEY, &sealed);
    assert_eq!(reply, serde_json::from_slice::<QuoteReply>(data).ok());
    if let Some((summary, pdf)) = &page {
        reseal_page(summary, pdf);
    }
    if let Some(reply) = &reply {
        reseal_reply(reply);
    }

    // 3. Tampered, cut, or under another key: never opens.
    let mut tampered = sealed.clone();
    let i = (h >> 8) as usize % tampered.len();
    tampered[i] ^= 1 << (h % 8);
    let cut = &sealed[..sealed.len() - 1];
    for (what, bytes, key) in [
        ("a flipped bit", &tampered[..], &KEY),
        ("one byte cut", cut, &KEY),
        ("another key", &sealed[..], &OTHER),
    ] {
        assert!(open(key, bytes).is_none(), "{what} (byte {i}) opened");
        assert!(
            open_reply(key, bytes).is_none(),
            "{what} (byte {i}) opened as a reply"
        );
    }
});
