//! Confirming a client's VAT number with VIES, the European Commission's
//! register of VAT numbers (its REST API, "Vies on-the-Web":
//! `POST {base}/check-vat-number`, contract published at
//! <https://ec.europa.eu/assets/taxud/vow-information/swagger_publicVAT.yaml>).
//!
//! The offline check (`acquit_core::ids::VatNumber`) says a number is well
//! formed; only VIES says it is registered and active. A request that names
//! the seller's own VAT number as the requester gets a consultation number
//! (`requestIdentifier`, `WAPI…`): the proof, kept on the client's profile
//! ([`acquit_core::VatCheck`]), that the number was checked that day before
//! invoicing without French VAT (reverse charge, intra-EU goods).
//!
//! VIES fans out to each member state's register, which has maintenance
//! hours: its errors ([`ViesError`]) are never read as "invalid". A
//! number VIES says is not registered is an answer (`valid: false`), kept
//! and shown as a warning; it never stops the client being saved.
//!
//! VIES answers an error with `CommonResponse`
//! (`{"actionSucceed": false, "errorWrappers": [{"error": CODE, …}]}`),
//! documented for 400 and 500 and seen with 200 too; some answers carry the
//! code in a `userError` field of the response instead. Both are read,
//! whatever the status.

use std::time::Duration;

use acquit_core::ids::VatNumber;
use acquit_core::{Client, VatCheck};
use acquit_store::{ClientId, Store, StoreError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// VIES's REST API.
pub const DEFAULT_VIES_URL: &str = "https://ec.europa.eu/taxation_customs/vies/rest-api";

/// The environment variable that points Acquit at another VIES (the fake).
pub const VIES_URL_ENV: &str = "ACQUIT_VIES_URL";

/// Why VIES did not say whether a number is registered, in words that say
/// what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViesError {
    #[error(
        "\"{0}\" is not a VIES URL: give its base, e.g. {DEFAULT_VIES_URL}, or unset {VIES_URL_ENV}"
    )]
    BadUrl(String),
    #[error(
        "\"{0}\" is not https: Acquit reaches VIES over https only (http only on this machine: 127.0.0.1, ::1, localhost); fix or unset {VIES_URL_ENV}"
    )]
    InsecureUrl(String),
    #[error(
        "{number} is not in VIES, which has the EU member states' numbers and Northern Ireland's (XI), not the UK's"
    )]
    NotInVies { number: String },
    #[error("VIES cannot be reached ({reason}): check that you are online")]
    Unreachable { reason: String },
    #[error(
        "the {state} register is not answering VIES now (member states have maintenance hours)"
    )]
    MemberStateUnavailable { state: String },
    #[error("the {state} register did not answer VIES in time")]
    Timeout { state: String },
    #[error("VIES has too many requests for the {state} register just now")]
    MemberStateBusy { state: String },
    #[error("VIES has too many requests just now")]
    Busy,
    #[error("VIES is unavailable just now")]
    ServiceUnavailable,
    #[error("VIES refused {number} as malformed ({message}): check the number with the client")]
    InvalidInput { number: String, message: String },
    #[error(
        "VIES refused your own VAT number {requester} as the requester ({message}): check it with `acquit company set --vat`"
    )]
    InvalidRequester { requester: String, message: String },
    #[error("VIES does not answer about {number} (VAT_BLOCKED): check the number with the client")]
    VatBlocked { number: String },
    #[error("VIES refuses requests from this network (IP_BLOCKED): try from another connection")]
    IpBlocked,
    #[error("VIES answered {code}: {message}")]
    Other { code: String, message: String },
    #[error("VIES's answer could not be read ({0})")]
    BadAnswer(String),
}

impl ViesError {
    /// Failures that asking again later may cure (network, VIES or a
    /// member state down or busy); the others need a fix first.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ViesError::Unreachable { .. }
                | ViesError::MemberStateUnavailable { .. }
                | ViesError::Timeout { .. }
                | ViesError::MemberStateBusy { .. }
                | ViesError::Busy
                | ViesError::ServiceUnavailable
                | ViesError::Other { .. }
                | ViesError::BadAnswer(_)
        )
    }
}

/// VIES's answer about one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViesAnswer {
    /// Registered and active.
    pub valid: bool,
    /// The day of VIES's `requestDate`, when it gave one.
    pub date: Option<NaiveDate>,
    /// The consultation number, given only to a request naming a requester.
    pub consultation: Option<String>,
    /// The registered name and address, when the member state discloses them.
    pub name: Option<String>,
    pub address: Option<String>,
}

/// VIES's `CheckVatRequest`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckVatRequest<'a> {
    country_code: &'a str,
    vat_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    requester_member_state_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requester_number: Option<&'a str>,
}

/// VIES's `CheckVatResponse` (the fields Acquit reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckVatResponse {
    country_code: Option<String>,
    vat_number: Option<String>,
    request_date: Option<String>,
    valid: Option<bool>,
    request_identifier: Option<String>,
    name: Option<String>,
    address: Option<String>,
    user_error: Option<String>,
}

/// VIES's `CommonResponse`, its error answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommonResponse {
    #[serde(default)]
    error_wrappers: Vec<ErrorWrapper>,
}

#[derive(Debug, Deserialize)]
struct ErrorWrapper {
    error: Option<String>,
    message: Option<String>,
}

/// A client of VIES's REST API.
#[derive(Debug, Clone)]
pub struct ViesClient {
    http: reqwest::Client,
    base: String,
}

impl ViesClient {
    /// A client of the VIES at `base` (https, or http on this machine for
    /// a fake).
    pub fn new(base: &str) -> Result<ViesClient, ViesError> {
        let base = base.trim().trim_end_matches('/');
        let url = reqwest::Url::parse(base).map_err(|_| ViesError::BadUrl(base.to_owned()))?;
        let Some(host) = url.host_str() else {
            return Err(ViesError::BadUrl(base.to_owned()));
        };
        match url.scheme() {
            "https" => {}
            "http" if acquit_core::net::is_loopback_host(host) => {}
            "http" => return Err(ViesError::InsecureUrl(base.to_owned())),
            _ => return Err(ViesError::BadUrl(base.to_owned())),
        }
        let http = acquit_http::client()
            .connect_timeout(Duration::from_secs(5))
            // VIES waits for the member state's register, which can be slow.
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| ViesError::Unreachable {
                reason: e.to_string(),
            })?;
        Ok(ViesClient {
            http,
            base: base.to_owned(),
        })
    }

    /// VIES itself, or `ACQUIT_VIES_URL` when that is set and not empty.
    pub fn from_env() -> Result<ViesClient, ViesError> {
        match std::env::var(VIES_URL_ENV) {
            Ok(base) if !base.trim().is_empty() => ViesClient::new(&base),
            _ => ViesClient::new(DEFAULT_VIES_URL),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Asks VIES whether `number` is registered; naming `requester` (the
    /// seller's own number, which must be in VIES too) gets a consultation
    /// number with a positive answer.
    pub async fn check(
        &self,
        number: &VatNumber,
        requester: Option<&VatNumber>,
    ) -> Result<ViesAnswer, ViesError> {
        if !number.in_vies() {
            return Err(ViesError::NotInVies {
                number: number.to_string(),
            });
        }
        let requester = requester.filter(|r| r.in_vies());
        let request = CheckVatRequest {
            country_code: number.country(),
            vat_number: number.national(),
            requester_member_state_code: requester.map(VatNumber::country),
            requester_number: requester.map(VatNumber::national),
        };
        let response = self
            .http
            .post(format!("{}/check-vat-number", self.base))
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&request)
            .send()
            .await
            .map_err(|e| ViesError::Unreachable {
                reason: reqwest_reason(&e),
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| ViesError::Unreachable {
            reason: reqwest_reason(&e),
        })?;
        let fail = |code: &str, message: &str| {
            error_of(code, message, number, requester.map(ToString::to_string))
        };
        if status.is_success()
            && let Ok(answer) = serde_json::from_slice::<CheckVatResponse>(&bytes)
            && let Some(valid) = answer.valid
        {
            if let Some(code) = answer
                .user_error
                .as_deref()
                .filter(|c| !matches!(*c, "VALID" | "INVALID"))
            {
                return Err(fail(code, ""));
            }
            let about_another = answer
                .country_code
                .as_deref()
                .is_some_and(|c| c != number.country())
                || answer
                    .vat_number
                    .as_deref()
                    .is_some_and(|n| n != number.national());
            if about_another {
                return Err(ViesError::BadAnswer(format!(
                    "it is about {}{}, not {number}",
                    answer.country_code.unwrap_or_default(),
                    answer.vat_number.unwrap_or_default()
                )));
            }
            return Ok(ViesAnswer {
                valid,
                date: answer
                    .request_date
                    .as_deref()
                    .and_then(|d| d.get(..10))
                    .and_then(|d| d.parse().ok()),
                consultation: disclosed(answer.request_identifier),
                name: disclosed(answer.name),
                address: disclosed(answer.address),
            });
        }
        if let Ok(common) = serde_json::from_slice::<CommonResponse>(&bytes)
            && let Some(wrapper) = common.error_wrappers.first()
            && let Some(code) = wrapper.error.as_deref()
        {
            return Err(fail(code, wrapper.message.as_deref().unwrap_or_default()));
        }
        if let Ok(answer) = serde_json::from_slice::<CheckVatResponse>(&bytes)
            && let Some(code) = answer.user_error.as_deref()
        {
            return Err(fail(code, ""));
        }
        if status.is_server_error() {
            return Err(ViesError::ServiceUnavailable);
        }
        Err(ViesError::BadAnswer(format!(
            "HTTP {status}: is {} VIES's REST API?",
            self.base
        )))
    }
}

/// Why a request did not get through: the deepest cause reqwest chains
/// ("Connection refused", "failed to lookup address information: …").
fn reqwest_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no answer in time".to_owned();
    }
    let mut deepest: &dyn std::error::Error = error;
    while let Some(cause) = deepest.source() {
        deepest = cause;
    }
    deepest.to_string()
}

/// VIES says `---` (or nothing) for what a member state does not disclose.
fn disclosed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t != "---")
}

/// VIES's error `code` about `number` as a [`ViesError`].
fn error_of(code: &str, message: &str, number: &VatNumber, requester: Option<String>) -> ViesError {
    let state = number.country().to_owned();
    match code {
        "INVALID_INPUT" => ViesError::InvalidInput {
            number: number.to_string(),
            message: message.to_owned(),
        },
        "INVALID_REQUESTER_INFO" => ViesError::InvalidRequester {
            requester: requester.unwrap_or_default(),
            message: message.to_owned(),
        },
        "SERVICE_UNAVAILABLE" => ViesError::ServiceUnavailable,
        "MS_UNAVAILABLE" => ViesError::MemberStateUnavailable { state },
        "TIMEOUT" => ViesError::Timeout { state },
        "MS_MAX_CONCURRENT_REQ" | "MS_MAX_CONCURRENT_REQ_TIME" => {
            ViesError::MemberStateBusy { state }
        }
        "GLOBAL_MAX_CONCURRENT_REQ" | "GLOBAL_MAX_CONCURRENT_REQ_TIME" => ViesError::Busy,
        "VAT_BLOCKED" => ViesError::VatBlocked {
            number: number.to_string(),
        },
        "IP_BLOCKED" => ViesError::IpBlocked,
        code => ViesError::Other {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    }
}

/// What [`confirm_client`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// The client has no number VIES checks: none, a French one, a UK one.
    NotApplicable,
    /// VIES answered, and its answer is now on the client's profile.
    Checked(VatCheck),
    /// VIES could not say; nothing changed (an earlier check is kept).
    NotConfirmed(ViesError),
}

/// Confirms the VAT number of client `id` with VIES, naming the seller's
/// own VAT number as the requester (for a consultation number), and keeps
/// VIES's answer on the client's profile. A VIES or network failure is a
/// [`Confirmation::NotConfirmed`], never an error: the client stays saved.
pub async fn confirm_client(
    store: &mut Store,
    id: ClientId,
    vies: &ViesClient,
) -> Result<Confirmation, StoreError> {
    let client = store.client(id)?;
    let Some(number) = client.vat_number_for_vies().cloned() else {
        return Ok(Confirmation::NotApplicable);
    };
    let requester = store.seller()?.and_then(|s| s.vat_number);
    let answer = match vies.check(&number, requester.as_ref()).await {
        Ok(answer) => answer,
        Err(error) => return Ok(Confirmation::NotConfirmed(error)),
    };
    let check = VatCheck {
        number: number.clone(),
        valid: answer.valid,
        checked_on: answer.date.unwrap_or_else(acquit_store::today),
        consultation: answer.consultation,
        name: answer.name,
        address: answer.address,
    };
    // Read again: the profile may have changed while VIES was asked.
    let mut client: Client = store.client(id)?;
    if client.vat_number.as_ref() == Some(&number) {
        client.vat_check = Some(check.clone());
        store.update_client(id, &client)?;
    }
    Ok(Confirmation::Checked(check))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_vies_error_code_has_its_error() {
        let number = VatNumber::parse("DE136695976").unwrap();
        let of = |code: &str| error_of(code, "m", &number, Some("FR44732829320".into()));
        let state = || "DE".to_owned();
        assert_eq!(
            of("MS_UNAVAILABLE"),
            ViesError::MemberStateUnavailable { state: state() }
        );
        assert_eq!(of("TIMEOUT"), ViesError::Timeout { state: state() });
        for code in ["MS_MAX_CONCURRENT_REQ", "MS_MAX_CONCURRENT_REQ_TIME"] {
            assert_eq!(of(code), ViesError::MemberStateBusy { state: state() });
        }
        for code in [
            "GLOBAL_MAX_CONCURRENT_REQ",
            "GLOBAL_MAX_CONCURRENT_REQ_TIME",
        ] {
            assert_eq!(of(code), ViesError::Busy);
        }
        assert_eq!(of("SERVICE_UNAVAILABLE"), ViesError::ServiceUnavailable);
        assert_eq!(of("IP_BLOCKED"), ViesError::IpBlocked);
        assert!(matches!(of("VAT_BLOCKED"), ViesError::VatBlocked { .. }));
        assert!(matches!(
            of("INVALID_INPUT"),
            ViesError::InvalidInput { .. }
        ));
        let requester = of("INVALID_REQUESTER_INFO");
        assert!(
            requester.to_string().contains("FR44732829320"),
            "{requester}"
        );
        assert!(!requester.is_transient());
        assert!(of("MS_UNAVAILABLE").is_transient());
        assert!(matches!(of("SOMETHING_NEW"), ViesError::Other { .. }));
    }

    #[test]
    fn what_a_state_does_not_disclose_is_nothing() {
        assert_eq!(disclosed(Some("---".into())), None);
        assert_eq!(disclosed(Some(" ".into())), None);
        assert_eq!(
            disclosed(Some(" ACME SRL ".into())).as_deref(),
            Some("ACME SRL")
        );
    }
}
