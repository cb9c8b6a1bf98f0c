//! `acquit_relay::signature::verify`: the relay's check of Stripe's
//! `Stripe-Signature` header, the first thing it runs on a webhook from
//! the internet, before any parsing.
//!
//! The input is cut in three: a header (as the relay receives it, any
//! bytes), a body, and a few bytes choosing a timestamp, a clock skew, one
//! byte to flip and a tolerance. Invariants:
//! - never a panic, whatever the header;
//! - an arbitrary header verifies only if it carries, as a `v1` item, the
//!   HMAC of the body at one of its `t` items with one of the secrets
//!   (checked here independently; a fuzzer cannot forge one, only keep the
//!   one of a seed);
//! - a header signed as Stripe signs (HMAC-SHA256 keyed with the whole
//!   `whsec_…` string over `"{t}.{body}"`, computed here with `hmac`, not
//!   with the relay's `sign`) verifies for any body within the tolerance,
//!   among other `v1`s and a `v0`, with the previous secret of a rotation,
//!   and is refused as `Stale` or `Future` just outside it;
//! - the same header with one byte of the body, of the timestamp or of the
//!   signature changed, or checked against another secret, never verifies.
#![no_main]

use acquit_relay::signature::{SignatureError, verify};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

const SECRET: &str = "whsec_fuzz_0123456789abcdef";
const PREVIOUS: &str = "whsec_fuzz_previous";
const NOW: i64 = 1_800_000_000;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stripe's `v1`, independently of the relay's `v1_hex`.
fn v1(secret: &str, t: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// Whether `header` has an item `v1=` holding the signature of `body` at
/// one of its `t=` items with one of `secrets` (items trimmed).
/// Lower-case hex only, as Stripe writes it (the relay took upper case and
/// a `+` sign until this target found it).
fn carries_signature(header: &[u8], body: &[u8], secrets: &[&str]) -> bool {
    let Ok(header) = std::str::from_utf8(header) else {
        return false;
    };
    let items: Vec<&str> = header.split(',').map(str::trim).collect();
    let v1s: Vec<String> = items
        .iter()
        .filter_map(|i| i.strip_prefix("v1="))
        .map(str::to_owned)
        .collect();
    items
        .iter()
        .filter_map(|i| i.strip_prefix("t="))
        .any(|t| secrets.iter().any(|s| v1s.contains(&v1(s, t, body))))
}

fn check(
    header: &str,
    body: &[u8],
    secrets: &[&str],
    now: i64,
    tol: i64,
) -> Result<(), SignatureError> {
    verify(Some(header.as_bytes()), body, secrets, now, tol)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        let _ = verify(Some(data), b"", &[SECRET], NOW, 300);
        return;
    }
    let (knobs, rest) = data.split_at(8);
    // Header and body split where the knobs say.
    let cut = usize::from(u16::from_le_bytes([knobs[0], knobs[1]])) % (rest.len() + 1);
    let (header, body) = rest.split_at(cut);
    let tol = i64::from(knobs[2]) * 10;

    // Anything as a header: never a panic; accepted only when it carries
    // the true v1 of one of its timestamps (as the seeds do), which the
    // fuzzer cannot forge.
    for secrets in [&[SECRET][..], &[SECRET, PREVIOUS], &[]] {
        if verify(Some(header), body, secrets, NOW, tol).is_ok() {
            assert!(
                carries_signature(header, body, secrets),
                "{:?} accepted",
                String::from_utf8_lossy(header)
            );
        }
    }
    let _ = verify(None, body, &[SECRET], NOW, tol);

    // A header signed as Stripe signs, at a time within the tolerance.
    let skew = i64::from(i8::from_le_bytes([knobs[3]])) % (tol + 1);
    let t = (NOW + skew).to_string();
    let good = v1(SECRET, &t, body);
    let header = format!("t={t},v1={good}");
    assert_eq!(
        check(&header, body, &[SECRET], NOW, tol),
        Ok(()),
        "{header}"
    );
    // Spaces after commas, another v1 first, a v0: still accepted.
    let other = v1("whsec_other", &t, body);
    let busy = format!("t={t}, v1={other}, v1={good},v0={other}");
    assert_eq!(check(&busy, body, &[SECRET], NOW, tol), Ok(()), "{busy}");
    // Rotation: signed with the previous secret, both configured.
    let old = format!("t={t},v1={}", v1(PREVIOUS, &t, body));
    assert_eq!(check(&old, body, &[SECRET, PREVIOUS], NOW, tol), Ok(()));
    assert_eq!(
        check(&old, body, &[SECRET], NOW, tol),
        Err(SignatureError::Mismatch)
    );
    // Another secret: refused.
    assert_eq!(
        check(&header, body, &["whsec_other"], NOW, tol),
        Err(SignatureError::Mismatch)
    );
    // Just outside the tolerance on either side.
    for (t_out, expected) in [
        (NOW - tol - 1, SignatureError::Stale),
        (NOW + tol + 1, SignatureError::Future),
    ] {
        let t_out = t_out.to_string();
        let h = format!("t={t_out},v1={}", v1(SECRET, &t_out, body));
        assert_eq!(check(&h, body, &[SECRET], NOW, tol), Err(expected), "{h}");
    }

    // One byte flipped in the body: refused.
    if !body.is_empty() {
        let mut tampered = body.to_vec();
        let i = usize::from(knobs[4]) % tampered.len();
        tampered[i] ^= 1 << (knobs[5] % 8);
        assert_eq!(
            check(&header, &tampered, &[SECRET], NOW, tol),
            Err(SignatureError::Mismatch)
        );
    }
    // One hex digit of the signature changed (to another hex digit, or to
    // a non-hex byte): refused.
    let i = usize::from(knobs[6]) % good.len();
    let mut sig = good.clone().into_bytes();
    let was = sig[i];
    sig[i] = match knobs[7] % 3 {
        0 => {
            if was == b'0' {
                b'1'
            } else {
                b'0'
            }
        }
        1 => {
            if was == b'f' {
                b'e'
            } else {
                b'f'
            }
        }
        _ => b'g',
    };
    let bad = format!("t={t},v1={}", String::from_utf8(sig).unwrap());
    assert_eq!(
        check(&bad, body, &[SECRET], NOW, tol),
        Err(SignatureError::Mismatch),
        "{bad}"
    );
    // A truncated or lengthened signature: refused.
    let short = format!("t={t},v1={}", &good[..good.len() - 2]);
    assert_eq!(
        check(&short, body, &[SECRET], NOW, tol),
        Err(SignatureError::Mismatch)
    );
    let long = format!("t={t},v1={good}00");
    assert_eq!(
        check(&long, body, &[SECRET], NOW, tol),
        Err(SignatureError::Mismatch)
    );
    // The timestamp changed (still within the tolerance when possible):
    // the signature no longer matches.
    let t2 = if skew > -tol {
        NOW + skew - 1
    } else {
        NOW + skew + 1
    };
    if t2 != NOW + skew && (t2 - NOW).abs() <= tol {
        let moved = format!("t={t2},v1={good}");
        assert_eq!(
            check(&moved, body, &[SECRET], NOW, tol),
            Err(SignatureError::Mismatch)
        );
    }
    // The same timestamp written with a leading zero is another signed
    // payload ("0{t}.{body}"): the signature over "{t}.{body}" is refused.
    let padded = format!("t=0{t},v1={good}");
    assert_eq!(
        check(&padded, body, &[SECRET], NOW, tol),
        Err(SignatureError::Mismatch)
    );
});
