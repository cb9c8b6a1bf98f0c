//! The seller (the user's company) and their clients.
//!
//! Identifiers are validated types (`ids.rs`): a `Seller` or `Client` value
//! cannot hold a malformed IBAN or SIREN. When an invoice is issued, both are
//! copied into it as they are that day (a snapshot), so changing an address
//! later never changes an issued invoice.

use serde::{Deserialize, Serialize};

use crate::ids::{Bic, Email, Iban, PhoneE164, Siren, Siret, VatNumber};
use crate::{Lang, VatRegime};

/// The company that issues the invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    pub legal_name: String,
    /// Postal address, lines separated by `\n`.
    pub address: String,
    pub siren: Option<Siren>,
    pub siret: Option<Siret>,
    pub vat_number: Option<VatNumber>,
    pub email: Option<Email>,
    pub phone: Option<PhoneE164>,
    pub iban: Option<Iban>,
    pub bic: Option<Bic>,
    pub vat_regime: VatRegime,
    /// Late-payment penalty rate, in basis points per year (French law: at
    /// least three times the legal interest rate; 10 % is common).
    pub late_penalty_bp: u32,
    /// Days from issue to due date when a draft sets none.
    pub payment_terms_days: u32,
    /// Early-payment discount terms, printed as is ("Pas d'escompte pour
    /// paiement anticipé" when empty).
    pub early_payment_terms: Option<String>,
}

impl Seller {
    pub const DEFAULT_LATE_PENALTY_BP: u32 = 1000;
    pub const DEFAULT_PAYMENT_TERMS_DAYS: u32 = 30;

    /// A seller with just a name and address, and the usual defaults.
    pub fn new(legal_name: impl Into<String>, address: impl Into<String>) -> Seller {
        Seller {
            legal_name: legal_name.into(),
            address: address.into(),
            siren: None,
            siret: None,
            vat_number: None,
            email: None,
            phone: None,
            iban: None,
            bic: None,
            vat_regime: VatRegime::Standard,
            late_penalty_bp: Self::DEFAULT_LATE_PENALTY_BP,
            payment_terms_days: Self::DEFAULT_PAYMENT_TERMS_DAYS,
            early_payment_terms: None,
        }
    }
}

/// Someone the user invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub name: String,
    pub address: Option<String>,
    pub email: Option<Email>,
    /// For WhatsApp.
    pub phone: Option<PhoneE164>,
    pub siren: Option<Siren>,
    pub vat_number: Option<VatNumber>,
    /// The language of the client's invoices and messages.
    pub lang: Lang,
    /// A business client (B2B): its invoices carry the 40 € recovery
    /// indemnity. A client with a SIREN or VAT number is one.
    pub business: bool,
}

impl Client {
    pub fn new(name: impl Into<String>) -> Client {
        Client {
            name: name.into(),
            address: None,
            email: None,
            phone: None,
            siren: None,
            vat_number: None,
            lang: Lang::Fr,
            business: false,
        }
    }
}
