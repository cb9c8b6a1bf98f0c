//! Verification of Stripe's `Stripe-Signature` header.
//!
//! Why it looks like this: it follows Stripe's specification and its official
//! libraries exactly, so an event Stripe signed is always accepted and
//! nothing else is. The header is `t=TIMESTAMP,v1=HEX[,v1=HEX…][,v0=HEX]`;
//! the signed payload is `"{t}.{raw body}"`, HMAC-SHA256 keyed with the
//! whole `whsec_…` string's bytes (as Stripe's libraries do, no base64
//! decoding). Any `v1` matching any of the inbox's secrets (current, or the
//! previous one during a rotation) is enough; `v0` is a test-mode scheme
//! Stripe does not let you verify, so a header with only `v0` is refused.
//! Comparison is constant time (`Mac::verify_slice`). This runs on the raw
//! bytes BEFORE any JSON parsing: unauthenticated input never reaches serde.
//!
//! One deliberate extra over Stripe's libraries: a timestamp more than the
//! tolerance in the *future* is refused too, so a captured request cannot be
//! replayed over a window longer than the tolerance on either side of now.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Stripe's default tolerance between the signed timestamp and now.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Why a signature was refused. Each maps to a `rejected{reason=…}` metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature` header.
    #[error("missing Stripe-Signature header")]
    Missing,
    /// The header is not `t=…,v1=…` (no or non-numeric timestamp, item
    /// without `=`, not UTF-8).
    #[error("malformed Stripe-Signature header")]
    Malformed,
    /// Well-formed but without any `v1` signature (e.g. `v0` only).
    #[error("no v1 signature in Stripe-Signature header")]
    NoV1,
    /// The timestamp is older than the tolerance.
    #[error("signature timestamp is outside the tolerance (too old)")]
    Stale,
    /// The timestamp is further in the future than the tolerance.
    #[error("signature timestamp is outside the tolerance (in the future)")]
    Future,
    /// No `v1` matches any of the secrets: forged, tampered, or wrong secret.
    #[error("no signature matches the expected signature for this payload")]
    Mismatch,
    /// The inbox has no webhook secret yet, so nothing can be verified.
    #[error("this inbox has no webhook secret; set one with PUT …/webhook-secret")]
    NoSecret,
}

impl SignatureError {
    /// Stable label for metrics and error bodies.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "missing_signature",
            Self::Malformed => "malformed_signature",
            Self::NoV1 => "no_v1_signature",
            Self::Stale => "stale_signature",
            Self::Future => "future_signature",
            Self::Mismatch => "bad_signature",
            Self::NoSecret => "no_webhook_secret",
        }
    }
}

/// A parsed header: the timestamp as sent and the `v1` signatures.
#[derive(Debug)]
struct Parsed<'a> {
    t_raw: &'a str,
    t: i64,
    v1: Vec<&'a str>,
}

fn parse(header: &str) -> Result<Parsed<'_>, SignatureError> {
    let mut t = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let (key, value) = item
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                if t.is_some() || value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(SignatureError::Malformed);
                }
                let n: i64 = value.parse().map_err(|_| SignatureError::Malformed)?;
                t = Some((value, n));
            }
            "v1" => v1.push(value),
            // v0 and future schemes are ignored, as Stripe's libraries do.
            _ => {}
        }
    }
    let (t_raw, t) = t.ok_or(SignatureError::Malformed)?;
    if v1.is_empty() {
        return Err(SignatureError::NoV1);
    }
    Ok(Parsed { t_raw, t, v1 })
}

/// Lower-case hex only, as Stripe writes and its libraries compare
/// (`u8::from_str_radix` alone also took upper case and a `+` sign: found
/// by the `stripe_signature` fuzz target).
fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Verifies `header` for `body` against any of `secrets` at time `now`
/// (Unix seconds), accepting timestamps within `tolerance_secs` of it.
pub fn verify(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[&str],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let header = std::str::from_utf8(header).map_err(|_| SignatureError::Malformed)?;
    let parsed = parse(header)?;
    if secrets.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    if parsed.t < now.saturating_sub(tolerance_secs) {
        return Err(SignatureError::Stale);
    }
    if parsed.t > now.saturating_add(tolerance_secs) {
        return Err(SignatureError::Future);
    }
    let candidates: Vec<Vec<u8>> = parsed.v1.iter().filter_map(|s| decode_hex(s)).collect();
    for secret in secrets {
        let mut mac =
            HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::NoSecret)?;
        mac.update(parsed.t_raw.as_bytes());
        mac.update(b".");
        mac.update(body);
        for candidate in &candidates {
            // verify_slice compares in constant time.
            if mac.clone().verify_slice(candidate).is_ok() {
                return Ok(());
            }
        }
    }
    Err(SignatureError::Mismatch)
}

/// Builds a `Stripe-Signature` header as Stripe does (for tests, the bench
/// and local tooling; the relay itself never signs).
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", v1_hex(secret, t, body))
}

/// The hex `v1` signature of `body` at `t` with `secret`.
pub fn v1_hex(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key size");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    crate::hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const OLD: &str = "whsec_previous";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"ping"}"#;
    const T: i64 = 1_700_000_000;
    /// Computed independently with Python's `hmac` module.
    const KNOWN_V1: &str = "74a11abdd08483d064a2a1571e7881b084c522f9f3ccd0b800ec8c74aba47fc2";

    fn check(
        header: Option<&str>,
        body: &[u8],
        secrets: &[&str],
        now: i64,
    ) -> Result<(), SignatureError> {
        verify(
            header.map(str::as_bytes),
            body,
            secrets,
            now,
            DEFAULT_TOLERANCE_SECS,
        )
    }

    #[test]
    fn signing_matches_an_independent_hmac() {
        assert_eq!(v1_hex(SECRET, T, BODY), KNOWN_V1);
    }

    /// Found by the `stripe_signature` fuzz target: `from_str_radix` took
    /// upper case and a `+` sign. Lower-case hex only, as Stripe writes it.
    #[test]
    fn only_lower_case_hex_is_a_signature() {
        let right = check(Some(&format!("t={T},v1={KNOWN_V1}")), BODY, &[SECRET], T);
        assert_eq!(right, Ok(()));
        let upper = format!("t={T},v1={}", KNOWN_V1.to_ascii_uppercase());
        assert!(check(Some(&upper), BODY, &[SECRET], T).is_err());
        // "0d" written "+d" (the same byte for from_str_radix).
        let plus = KNOWN_V1.replacen("08", "+8", 1);
        assert!(plus.contains("+8"), "{plus}");
        let header = format!("t={T},v1={plus}");
        assert!(check(Some(&header), BODY, &[SECRET], T).is_err());
    }

    /// name, header, body, secrets, now, expected.
    type Case = (
        &'static str,
        Option<String>,
        &'static [u8],
        Vec<&'static str>,
        i64,
        Result<(), SignatureError>,
    );

    #[test]
    fn table() {
        use SignatureError::*;
        let good = format!("t={T},v1={KNOWN_V1}");
        let other = v1_hex("whsec_other", T, BODY);
        let old_sig = v1_hex(OLD, T, BODY);
        let cases: Vec<Case> = vec![
            ("valid", Some(good.clone()), BODY, vec![SECRET], T, Ok(())),
            (
                "valid, spaces after commas",
                Some(format!("t={T}, v1={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Ok(()),
            ),
            (
                "valid at the edge of tolerance",
                Some(good.clone()),
                BODY,
                vec![SECRET],
                T + 300,
                Ok(()),
            ),
            (
                "valid second v1 (Stripe sends several)",
                Some(format!("t={T},v1={other},v1={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Ok(()),
            ),
            (
                "valid with v0 alongside",
                Some(format!("t={T},v1={KNOWN_V1},v0={other}")),
                BODY,
                vec![SECRET],
                T,
                Ok(()),
            ),
            (
                "rotation: previous secret still accepted",
                Some(format!("t={T},v1={old_sig}")),
                BODY,
                vec![SECRET, OLD],
                T,
                Ok(()),
            ),
            (
                "rotation: current secret accepted",
                Some(good.clone()),
                BODY,
                vec![SECRET, OLD],
                T,
                Ok(()),
            ),
            (
                "previous secret after grace",
                Some(format!("t={T},v1={old_sig}")),
                BODY,
                vec![SECRET],
                T,
                Err(Mismatch),
            ),
            (
                "forged (other secret)",
                Some(format!("t={T},v1={other}")),
                BODY,
                vec![SECRET],
                T,
                Err(Mismatch),
            ),
            (
                "tampered body",
                Some(good.clone()),
                br#"{"id":"evt_1","type":"pong"}"#,
                vec![SECRET],
                T,
                Err(Mismatch),
            ),
            (
                "tampered timestamp",
                Some(format!("t={},v1={KNOWN_V1}", T + 1)),
                BODY,
                vec![SECRET],
                T,
                Err(Mismatch),
            ),
            (
                "uppercase-garbage v1",
                Some(format!("t={T},v1=zz{}", &KNOWN_V1[2..])),
                BODY,
                vec![SECRET],
                T,
                Err(Mismatch),
            ),
            (
                "stale",
                Some(good.clone()),
                BODY,
                vec![SECRET],
                T + 301,
                Err(Stale),
            ),
            (
                "too far in the future",
                Some(good.clone()),
                BODY,
                vec![SECRET],
                T - 301,
                Err(Future),
            ),
            (
                "v0 only",
                Some(format!("t={T},v0={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Err(NoV1),
            ),
            ("missing header", None, BODY, vec![SECRET], T, Err(Missing)),
            (
                "empty header",
                Some(String::new()),
                BODY,
                vec![SECRET],
                T,
                Err(Malformed),
            ),
            (
                "no timestamp",
                Some(format!("v1={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Err(Malformed),
            ),
            (
                "non-numeric timestamp",
                Some(format!("t=abc,v1={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Err(Malformed),
            ),
            (
                "negative timestamp",
                Some(format!("t=-5,v1={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Err(Malformed),
            ),
            (
                "two timestamps",
                Some(format!("t={T},t={T},v1={KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Err(Malformed),
            ),
            (
                "item without =",
                Some(format!("t={T},v1{KNOWN_V1}")),
                BODY,
                vec![SECRET],
                T,
                Err(Malformed),
            ),
            (
                "no secret configured",
                Some(good.clone()),
                BODY,
                vec![],
                T,
                Err(NoSecret),
            ),
        ];
        for (name, header, body, secrets, now, expected) in cases {
            assert_eq!(
                check(header.as_deref(), body, &secrets, now),
                expected,
                "case: {name}"
            );
        }
    }

    #[test]
    fn non_utf8_header_is_malformed() {
        let r = verify(Some(&[0xff, 0xfe]), BODY, &[SECRET], T, 300);
        assert_eq!(r, Err(SignatureError::Malformed));
    }

    #[test]
    fn tolerance_is_configurable() {
        let good = sign(SECRET, T, BODY);
        assert_eq!(
            verify(Some(good.as_bytes()), BODY, &[SECRET], T + 1000, 1000),
            Ok(())
        );
        assert_eq!(
            verify(Some(good.as_bytes()), BODY, &[SECRET], T + 11, 10),
            Err(SignatureError::Stale)
        );
    }
}
