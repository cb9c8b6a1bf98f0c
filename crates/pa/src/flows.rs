//! The flow service: invoices, lifecycle statuses and e-reports sent to
//! the PA (`Out`) or received from it (`In`), each acknowledged `Pending`,
//! then `Ok` or `Error` with reason codes.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::client::{Body, Client, PaError, Repeat, parse};

/// The files' `trackingId` holds at most 64 characters.
pub const MAX_TRACKING_ID: usize = 64;

/// `FlowInfo`: what a submission says of its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowInfo {
    pub name: String,
    pub tracking_id: String,
    /// `B2B` (e-invoicing), `B2BInt`, `B2C` (e-reporting)…
    pub processing_rule: String,
    /// `Factur-X`, `CII`, `UBL`, `CDAR`, `FRR`.
    pub flow_syntax: String,
    /// `CIUS` for an EN 16931 invoice, `Extended-CTC-FR`, `Basic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_profile: Option<String>,
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
}

/// A flow to submit: its description and its file.
#[derive(Debug, Clone)]
pub struct NewFlow {
    pub info: FlowInfo,
    pub file: Vec<u8>,
}

impl NewFlow {
    /// A Factur-X EN 16931 invoice for e-invoicing (`B2B`, profile `CIUS`,
    /// the files' name for EN 16931 and its French CIUS).
    pub fn facturx_invoice(tracking_id: &str, file_name: &str, pdf: Vec<u8>) -> NewFlow {
        NewFlow::new(tracking_id, file_name, "B2B", "Factur-X", Some("CIUS"), pdf)
    }

    /// A lifecycle status (CDAR) Acquit sends as the seller (212 "Encaissée").
    pub fn cdar(tracking_id: &str, file_name: &str, xml: Vec<u8>) -> NewFlow {
        NewFlow::new(tracking_id, file_name, "B2B", "CDAR", None, xml)
    }

    pub fn new(
        tracking_id: &str,
        file_name: &str,
        processing_rule: &str,
        flow_syntax: &str,
        flow_profile: Option<&str>,
        file: Vec<u8>,
    ) -> NewFlow {
        NewFlow {
            info: FlowInfo {
                name: file_name.to_owned(),
                tracking_id: tracking_id.to_owned(),
                processing_rule: processing_rule.to_owned(),
                flow_syntax: flow_syntax.to_owned(),
                flow_profile: flow_profile.map(str::to_owned),
                sha256: sha256_hex(&file),
            },
            file,
        }
    }

    fn mime(&self) -> &'static str {
        match self.info.flow_syntax.as_str() {
            "Factur-X" => "application/pdf",
            _ => "application/xml",
        }
    }
}

/// Lowercase hex SHA-256, as `flowInfo.sha256` wants it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `FlowAckStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AckStatus {
    Pending,
    Ok,
    Error,
}

impl AckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AckStatus::Pending => "Pending",
            AckStatus::Ok => "Ok",
            AckStatus::Error => "Error",
        }
    }

    pub fn parse(text: &str) -> Option<AckStatus> {
        match text {
            "Pending" => Some(AckStatus::Pending),
            "Ok" => Some(AckStatus::Ok),
            "Error" => Some(AckStatus::Error),
            _ => None,
        }
    }
}

/// `AcknowledgementDetail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AckDetail {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub item: String,
    /// `ReasonCodeEnum` (`InvalidSchema`, `AlreadyExistingFlow`…) or a
    /// code of the PA's own.
    #[serde(default)]
    pub reason_code: String,
    #[serde(default)]
    pub reason_message: String,
}

/// `Acknowledgement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub status: AckStatus,
    #[serde(default)]
    pub details: Vec<AckDetail>,
}

/// `Flow` (and `FullFlowInfo`, whose fields are a subset: the ones
/// `createFlow` answers are all that is required here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    pub flow_id: String,
    #[serde(default)]
    pub tracking_id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub processing_rule: Option<String>,
    #[serde(default)]
    pub flow_syntax: String,
    #[serde(default)]
    pub flow_profile: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
    pub submitted_at: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub flow_type: Option<String>,
    #[serde(default)]
    pub flow_direction: Option<String>,
    /// Absent from `createFlow`'s answer (a new flow is `Pending`).
    #[serde(default)]
    pub acknowledgement: Option<Acknowledgement>,
}

impl Flow {
    pub fn ack_status(&self) -> AckStatus {
        self.acknowledgement
            .as_ref()
            .map_or(AckStatus::Pending, |a| a.status)
    }

    /// The first error's reason, as `CODE: message`.
    pub fn ack_reason(&self) -> Option<String> {
        let detail = self.acknowledgement.as_ref()?.details.first()?;
        Some(if detail.reason_message.is_empty() {
            detail.reason_code.clone()
        } else {
            format!("{}: {}", detail.reason_code, detail.reason_message)
        })
    }
}

/// `SearchFlowFilters` (at least one is required by the files).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchFilters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_after: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flow_type: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flow_direction: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_status: Option<AckStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchPage {
    #[serde(default)]
    next_cursor: Option<String>,
    #[serde(default)]
    results: Vec<Flow>,
}

/// `getFlow`'s `docType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    /// The file as submitted.
    Original,
    /// The PA's conversion to another syntax.
    Converted,
    /// A human-readable rendering (usually PDF).
    ReadableView,
}

impl DocType {
    fn as_str(self) -> &'static str {
        match self {
            DocType::Original => "Original",
            DocType::Converted => "Converted",
            DocType::ReadableView => "ReadableView",
        }
    }
}

/// The most pages one search reads (100 flows each): beyond, the PA is
/// not paginating as the files say.
const MAX_PAGES: usize = 1000;

impl Client {
    /// Submits a flow once: the flow the PA created, or the one it already
    /// has under this `trackingId` and SHA-256 (a previous submission whose
    /// answer was lost). When the connection fails mid-upload, the PA is
    /// asked before the flow is sent again.
    pub async fn submit_flow(&self, flow: &NewFlow) -> Result<Flow, PaError> {
        if flow.info.tracking_id.chars().count() > MAX_TRACKING_ID {
            return Err(PaError::Refused {
                what: format!("the flow {}", flow.info.tracking_id),
                status: 0,
                code: "TRACKING_ID_TOO_LONG".into(),
                message: format!("a trackingId holds at most {MAX_TRACKING_ID} characters"),
            });
        }
        if let Some(existing) = self.find_submitted(flow).await? {
            return Ok(existing);
        }
        let what = format!("the flow {}", flow.info.tracking_id);
        let info = serde_json::to_string(&flow.info).expect("FlowInfo serializes");
        let body = Body::Flow {
            info,
            file: flow.file.clone(),
            file_name: flow.info.name.clone(),
            mime: flow.mime(),
        };
        let url = self.url("flow-service", "/v1/flows");
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self
                .send(Method::POST, &url, &body, Repeat::Once, &what)
                .await
            {
                Ok(bytes) => return parse(&bytes, &what),
                Err(PaError::Unreachable { .. } | PaError::Unavailable { .. }) if attempts <= 3 => {
                    // The upload may have arrived: ask before sending again.
                    tokio::time::sleep(std::time::Duration::from_millis(500 * attempts)).await;
                    if let Some(existing) = self.find_submitted(flow).await? {
                        return Ok(existing);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The flow sent earlier with this `trackingId` and the same file.
    /// Search results are `Flow`s, which carry no `sha256` in the files:
    /// the file itself is fetched and hashed when the PA does not say.
    pub async fn find_submitted(&self, flow: &NewFlow) -> Result<Option<Flow>, PaError> {
        self.find_sent(&flow.info.tracking_id, &flow.info.sha256)
            .await
    }

    /// The outgoing flow with `tracking_id` whose file has SHA-256 `sha256`.
    pub async fn find_sent(
        &self,
        tracking_id: &str,
        sha256: &str,
    ) -> Result<Option<Flow>, PaError> {
        let found = self
            .search_flows(&SearchFilters {
                tracking_id: Some(tracking_id.to_owned()),
                flow_direction: vec!["Out".into()],
                ..SearchFilters::default()
            })
            .await?;
        for candidate in found {
            if candidate.tracking_id.as_deref() != Some(tracking_id) {
                continue;
            }
            let same = match candidate.sha256.as_deref() {
                Some(known) => known.eq_ignore_ascii_case(sha256),
                None => {
                    let file = self
                        .flow_document(&candidate.flow_id, DocType::Original)
                        .await?;
                    sha256_hex(&file) == sha256
                }
            };
            if same {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// Every flow matching `filters`, all pages read.
    pub async fn search_flows(&self, filters: &SearchFilters) -> Result<Vec<Flow>, PaError> {
        let url = self.url("flow-service", "/v1/flows/search");
        let mut flows = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut request = json!({"limit": 100, "where": filters});
            if let Some(cursor) = &cursor {
                request["cursor"] = Value::from(cursor.clone());
            }
            let page: SearchPage = self
                .json(Method::POST, &url, &Body::Json(request), "a flow search")
                .await?;
            flows.extend(page.results);
            match page.next_cursor {
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                _ => return Ok(flows),
            }
        }
        Err(PaError::Malformed {
            what: "a flow search".into(),
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// `getFlow` with `docType=Metadata`.
    pub async fn flow(&self, flow_id: &str) -> Result<Flow, PaError> {
        let url = self.url(
            "flow-service",
            &format!("/v1/flows/{}?docType=Metadata", path_segment(flow_id)),
        );
        self.json(
            Method::GET,
            &url,
            &Body::None,
            &format!("the flow {flow_id}"),
        )
        .await
    }

    /// `getFlow` with a document type: its bytes.
    pub async fn flow_document(&self, flow_id: &str, doc: DocType) -> Result<Vec<u8>, PaError> {
        let url = self.url(
            "flow-service",
            &format!(
                "/v1/flows/{}?docType={}",
                path_segment(flow_id),
                doc.as_str()
            ),
        );
        self.send(
            Method::GET,
            &url,
            &Body::None,
            Repeat::Safe,
            &format!("the document of flow {flow_id}"),
        )
        .await
    }
}

/// A path segment, percent-encoded (ids come from the PA).
pub(crate) fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_info_is_written_as_the_files_name_it() {
        let flow = NewFlow::facturx_invoice("F-2027-0001", "F-2027-0001.pdf", b"%PDF".to_vec());
        let info = serde_json::to_value(&flow.info).unwrap();
        assert_eq!(
            info,
            json!({"name": "F-2027-0001.pdf", "trackingId": "F-2027-0001", "processingRule": "B2B",
                   "flowSyntax": "Factur-X", "flowProfile": "CIUS",
                   "sha256": sha256_hex(b"%PDF")})
        );
        assert_eq!(flow.mime(), "application/pdf");
        assert_eq!(
            NewFlow::cdar("x", "x.xml", vec![]).mime(),
            "application/xml"
        );
    }

    #[test]
    fn sha256_is_lowercase_hex_of_64() {
        let hex = sha256_hex(b"abc");
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ids_are_encoded_as_one_path_segment() {
        assert_eq!(path_segment("a1-b_2"), "a1-b_2");
        assert_eq!(path_segment("../x?y"), "..%2Fx%3Fy");
    }
}
