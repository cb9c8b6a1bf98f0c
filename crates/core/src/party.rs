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
    /// Why invoices to this client carry no French VAT, if they do not
    /// (older profiles, without the field, are domestic).
    #[serde(default)]
    pub vat_exemption: VatExemption,
}

/// Why an invoice carries no French VAT though the seller charges VAT: the
/// law asks the invoice to say so, with its legal basis (CGI art. 242
/// nonies A, I-13°). Chosen per client; every line of such an invoice is at
/// 0 %.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VatExemption {
    /// French VAT applies as usual.
    #[default]
    None,
    /// Services to a business in another EU country: the client accounts
    /// for the VAT (reverse charge). Its VAT number must be on the invoice.
    ReverseCharge,
    /// Services to a business outside the EU: outside the scope of French
    /// VAT (CGI art. 259-1).
    ServicesOutsideEu,
    /// Goods delivered to a business in another EU country (CGI art. 262
    /// ter I). Its VAT number must be on the invoice.
    IntraEuGoods,
    /// Goods exported outside the EU (CGI art. 262 I).
    ExportGoods,
}

impl VatExemption {
    pub const ALL: [VatExemption; 5] = [
        VatExemption::None,
        VatExemption::ReverseCharge,
        VatExemption::ServicesOutsideEu,
        VatExemption::IntraEuGoods,
        VatExemption::ExportGoods,
    ];

    /// The name in settings, the CLI and the app (`reverse-charge`).
    pub fn as_str(self) -> &'static str {
        match self {
            VatExemption::None => "none",
            VatExemption::ReverseCharge => "reverse-charge",
            VatExemption::ServicesOutsideEu => "services-outside-eu",
            VatExemption::IntraEuGoods => "intra-eu-goods",
            VatExemption::ExportGoods => "export-goods",
        }
    }

    /// Whether the client's VAT number must be on the invoice (the EU
    /// cases: it is what makes the client liable for the VAT).
    pub fn needs_client_vat_number(self) -> bool {
        matches!(
            self,
            VatExemption::ReverseCharge | VatExemption::IntraEuGoods
        )
    }

    /// The mention printed on the invoice, in its language.
    pub fn mention(self, lang: Lang) -> Option<&'static str> {
        let (fr, en) = match self {
            VatExemption::None => return None,
            VatExemption::ReverseCharge => (
                "Autoliquidation : TVA due par le preneur (art. 283-2 du CGI, art. 196 de la directive 2006/112/CE)",
                "Reverse charge: VAT to be accounted for by the customer (Article 196 of Directive 2006/112/EC)",
            ),
            VatExemption::ServicesOutsideEu => (
                "TVA non applicable, art. 259-1 du CGI",
                "VAT not applicable, article 259-1 of the French Tax Code (CGI)",
            ),
            VatExemption::IntraEuGoods => (
                "Exonération de TVA, art. 262 ter I du CGI (livraison intracommunautaire)",
                "VAT exempt intra-Community supply, article 262 ter I of the French Tax Code (Article 138 of Directive 2006/112/EC)",
            ),
            VatExemption::ExportGoods => (
                "Exonération de TVA, art. 262 I du CGI (exportation)",
                "VAT exempt export, article 262 I of the French Tax Code (CGI)",
            ),
        };
        Some(match lang {
            Lang::Fr => fr,
            Lang::En => en,
        })
    }
}

impl std::str::FromStr for VatExemption {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VatExemption::ALL
            .into_iter()
            .find(|e| e.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = VatExemption::ALL.iter().map(|e| e.as_str()).collect();
                format!(
                    "\"{s}\" is not a VAT exemption: use one of {}",
                    names.join(", ")
                )
            })
    }
}

impl Client {
    /// Sets `business` as Acquit derives it: a client with a SIREN or a
    /// VAT number is one; one marked a business without either (a foreign
    /// company, `before` its profile before an edit) stays one.
    pub fn derive_business(&mut self, before: Option<&Client>) {
        let kept =
            before.is_some_and(|b| b.business && b.siren.is_none() && b.vat_number.is_none());
        self.business = kept || self.siren.is_some() || self.vat_number.is_some();
    }

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
            vat_exemption: VatExemption::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_business_is_derived_from_its_identifiers_and_a_foreign_one_stays_one() {
        let siren = Siren::parse("552100554").unwrap();
        let vat = VatNumber::parse("DE123456789").unwrap();
        let with = |siren: Option<&Siren>, vat: Option<&VatNumber>, business: bool| Client {
            siren: siren.cloned(),
            vat_number: vat.cloned(),
            business,
            ..Client::new("X")
        };
        // (the client as typed, before its edit if any) → business
        let cases = [
            (with(None, None, false), None, false),
            (with(Some(&siren), None, false), None, true),
            (with(None, Some(&vat), false), None, true),
            // A foreign company marked a business keeps it when edited…
            (with(None, None, false), Some(with(None, None, true)), true),
            // …but clearing the identifiers a business came from clears it.
            (
                with(None, None, true),
                Some(with(Some(&siren), None, true)),
                false,
            ),
        ];
        for (mut client, before, expected) in cases {
            client.derive_business(before.as_ref());
            assert_eq!(client.business, expected, "{client:?} after {before:?}");
        }
    }
}
