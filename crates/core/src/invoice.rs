//! Invoices and credit notes: their kinds and lines.

use serde::{Deserialize, Serialize};

use crate::tax::LineInput;

/// What a document is. A credit note (avoir) references the invoice it
/// corrects; a balance invoice (solde) lists the deposits (acomptes) it
/// deducts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Standard,
    Deposit,
    Balance,
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceKind::Standard => "standard",
            InvoiceKind::Deposit => "deposit",
            InvoiceKind::Balance => "balance",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn is_credit_note(&self) -> bool {
        *self == InvoiceKind::CreditNote
    }
}

impl std::str::FromStr for InvoiceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().replace('-', "_").as_str() {
            "standard" => Ok(InvoiceKind::Standard),
            "deposit" => Ok(InvoiceKind::Deposit),
            "balance" => Ok(InvoiceKind::Balance),
            "credit_note" => Ok(InvoiceKind::CreditNote),
            other => Err(format!(
                "\"{other}\" is not a kind of invoice: use standard, deposit or balance"
            )),
        }
    }
}

/// One line of an invoice as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    #[serde(flatten)]
    pub input: LineInput,
}
