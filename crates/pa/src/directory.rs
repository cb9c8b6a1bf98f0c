//! The directory service (annuaire): whether a company can receive
//! e-invoices, and through what kind of platform. Acquit reads the
//! company's line at SIREN level (addressing identifier = the SIREN),
//! where an invoice without a more precise address goes.

use reqwest::Method;
use serde::Deserialize;

use crate::client::{Body, Client, PaError};
use crate::flows::path_segment;

/// `uniqueDirectoryLineStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStatus {
    /// A platform receives for this line.
    Enabled,
    /// No platform (yet, or any more).
    Disabled,
    /// A platform will receive from a future date.
    Upcoming,
}

/// A directory line, as far as sending needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryLine {
    pub addressing_identifier: String,
    pub status: LineStatus,
    /// `WK` (a PA), … when enabled.
    pub platform_type: Option<String>,
    /// The company's name in the directory, when the PA includes it.
    pub business_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinePayload {
    addressing_identifier: Option<String>,
    directory_line_status: Option<String>,
    platform_type: Option<String>,
    legal_unit: Option<LegalUnit>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegalUnit {
    business_name: Option<String>,
}

impl Client {
    /// The directory line of `siren` (9 digits, checked by the caller);
    /// `None` when the directory does not know it (404).
    pub async fn directory_line(&self, siren: &str) -> Result<Option<DirectoryLine>, PaError> {
        let what = format!("the directory look-up of SIREN {siren}");
        let url = self.url(
            "directory-service",
            &format!(
                "/v1/directory-line/code:{}?include=siren",
                path_segment(siren)
            ),
        );
        let payload: LinePayload = match self.json(Method::GET, &url, &Body::None, &what).await {
            Ok(payload) => payload,
            Err(PaError::Refused { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let status = match payload.directory_line_status.as_deref() {
            Some("Enabled") => LineStatus::Enabled,
            Some("Disabled") => LineStatus::Disabled,
            Some("Upcoming") => LineStatus::Upcoming,
            other => {
                return Err(PaError::Malformed {
                    what,
                    detail: format!("directoryLineStatus is {other:?}"),
                });
            }
        };
        Ok(Some(DirectoryLine {
            addressing_identifier: payload
                .addressing_identifier
                .unwrap_or_else(|| siren.to_owned()),
            status,
            platform_type: payload.platform_type,
            business_name: payload.legal_unit.and_then(|u| u.business_name),
        }))
    }
}
