//! Webhook signatures, as Stripe computes them: header
//! `Stripe-Signature: t=<unix secs>,v1=<hex hmac>[,v1=...]` where each `v1` is
//! HMAC-SHA256 keyed with the endpoint secret over `"<t>.<raw body>"`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a webhook was refused (each answers 400 with its own code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches the payload")]
    Mismatch,
}

impl SignatureError {
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "malformed_signature",
            Self::Stale => "stale_signature",
            Self::Mismatch => "invalid_signature",
        }
    }
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The header value Stripe would send for `payload` at `timestamp`.
#[must_use]
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let sig = mac(secret, timestamp, payload).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex(&sig))
}

/// Checks `header` against `payload`: some `v1` must match (compared in constant
/// time) and `t` must be within `tolerance_secs` of `now` (either side).
pub fn verify(
    header: &str,
    payload: &[u8],
    secret: &str,
    tolerance_secs: i64,
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(unhex(v).ok_or(SignatureError::Malformed)?),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    let matches = signatures
        .iter()
        .any(|s| mac(secret, timestamp, payload).verify_slice(s).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    #[test]
    fn a_signed_payload_verifies() {
        let header = sign(b"{\"id\":1}", SECRET, 1_700_000_000);
        assert_eq!(
            verify(&header, b"{\"id\":1}", SECRET, 300, 1_700_000_100),
            Ok(())
        );
    }

    #[test]
    fn any_v1_may_match_during_secret_rotation() {
        let good = sign(b"x", SECRET, 10);
        let v1 = good.split("v1=").nth(1).expect("v1");
        let header = format!("t=10,v1={},v1={v1}", "00".repeat(32));
        assert_eq!(verify(&header, b"x", SECRET, 300, 10), Ok(()));
    }

    #[test]
    fn forged_stale_and_malformed_headers_are_refused() {
        let header = sign(b"x", SECRET, 1_000);
        assert_eq!(
            verify(&header, b"y", SECRET, 300, 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, b"x", "whsec_other", 300, 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, b"x", SECRET, 300, 1_301),
            Err(SignatureError::Stale)
        );
        for bad in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1000",
            "t=1000,v1=zz",
            "garbage",
        ] {
            assert_eq!(
                verify(bad, b"x", SECRET, 300, 1_000),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
