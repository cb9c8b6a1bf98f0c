//! The seller (the user's company) and their clients.
//!
//! Identifiers are validated types (`ids.rs`): a `Seller` or `Client` value
//! cannot hold a malformed IBAN or SIREN. When an invoice is issued, both are
//! copied into it as they are that day (a snapshot), so changing an address
//! later never changes an issued invoice.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::address::{Address, Country};
use crate::ids::{Bic, Email, Iban, PhoneE164, Siren, Siret, VatNumber};
use crate::invoice::Nature;
use crate::{Lang, Money, VatRegime};

/// The company that issues the invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    pub legal_name: String,
    pub address: Address,
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
    /// The legal form (older profiles have none: nothing is printed for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<LegalForm>,
    /// A company's share capital, printed with its legal form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_capital: Option<Money>,
    /// Where the business is registered (RCS, RM, RNE) or that it need not be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    /// The seller opted to pay VAT on debits (on invoicing) rather than on
    /// receipts: the invoice must say so (CGI art. 242 nonies A, I-10° bis).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vat_on_debits: bool,
    /// The main activity: the default nature of new lines, and the column
    /// of the micro-entrepreneur's declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
    /// Printed at the foot of the mentions: professional insurance (the
    /// décennale's insurer and coverage), a mediator, anything the trade
    /// requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_footer: Option<String>,
}

impl Seller {
    pub const DEFAULT_LATE_PENALTY_BP: u32 = 1000;
    pub const DEFAULT_PAYMENT_TERMS_DAYS: u32 = 30;

    /// A seller with just a name and address, and the usual defaults.
    pub fn new(legal_name: impl Into<String>, address: impl Into<Address>) -> Seller {
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
            legal_form: None,
            share_capital: None,
            registration: None,
            vat_on_debits: false,
            activity: None,
            legal_footer: None,
        }
    }

    /// The country addresses are read from: the seller's, France when not
    /// given (the French seller Acquit is made for).
    pub fn home_country(&self) -> Country {
        self.address.country.unwrap_or(Country::FR)
    }

    /// The name as printed: a sole trader's "EI" follows it (Code de
    /// commerce art. R. 526-26, since 15 May 2022) unless the name already
    /// says so.
    pub fn printed_name(&self) -> String {
        let says_ei = self
            .legal_name
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "EI")
            || self
                .legal_name
                .to_lowercase()
                .contains("entrepreneur individuel");
        match self.legal_form {
            Some(LegalForm::Ei) if !says_ei => format!("{} EI", self.legal_name.trim()),
            _ => self.legal_name.clone(),
        }
    }

    /// The legal mentions about the business itself, one per printed line:
    /// legal form and capital, registration, the debits option. Empty for
    /// an older profile without them.
    pub fn legal_mentions(&self, lang: Lang) -> Vec<String> {
        let mut out = self.business_mentions(lang);
        out.extend(self.debits_mention(lang).map(str::to_owned));
        out
    }

    /// The mentions about the business itself: legal form with capital,
    /// registration (the PDF prints them under the seller's name).
    pub fn business_mentions(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(form) = self.legal_form {
            let mut line = form.label(lang).to_owned();
            if let Some(capital) = self.share_capital.filter(|_| form.has_share_capital()) {
                line = match lang {
                    Lang::Fr => format!("{line} au capital de {}", capital.format(lang)),
                    Lang::En => format!("{line} with a share capital of {}", capital.format(lang)),
                };
            }
            if !line.is_empty() {
                out.push(line);
            }
        }
        if let Some(registration) = &self.registration {
            out.push(registration.mention(self.siren.as_ref(), lang));
        }
        out
    }

    /// The debits option, when the seller took it (the PDF prints it with
    /// the payment mentions).
    pub fn debits_mention(&self, lang: Lang) -> Option<&'static str> {
        self.vat_on_debits.then_some(match lang {
            Lang::Fr => "Option pour le paiement de la taxe d'après les débits",
            Lang::En => "VAT paid on debits (option under art. 269-2-c of the French Tax Code)",
        })
    }
}

/// The legal form of the seller's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LegalForm {
    /// Entrepreneur individuel (micro-entrepreneurs included).
    Ei,
    /// Entrepreneur individuel à responsabilité limitée: no new ones since
    /// 15 February 2022; older profiles keep reading.
    Eirl,
    Eurl,
    Sarl,
    Sasu,
    Sas,
    Sa,
    Snc,
    Sci,
    Association,
    Other,
}

impl LegalForm {
    /// The form of INSEE's legal category (catégorie juridique, level III,
    /// four digits) as the company directory gives it: `1000` a sole
    /// trader, `5498` an EURL (SARL unipersonnelle), other `54xx` SARL,
    /// `5710` SAS, `5720` SASU, `55xx`/`56xx` SA, `52xx` SNC, `654x` SCI,
    /// `92xx` associations; anything else Other.
    pub fn from_insee(code: &str) -> LegalForm {
        let code = code.trim();
        match code {
            "1000" => LegalForm::Ei,
            "5498" => LegalForm::Eurl,
            "5710" => LegalForm::Sas,
            "5720" => LegalForm::Sasu,
            _ if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) => LegalForm::Other,
            _ if code.starts_with("54") => LegalForm::Sarl,
            _ if code.starts_with("55") || code.starts_with("56") => LegalForm::Sa,
            _ if code.starts_with("52") => LegalForm::Snc,
            _ if code.starts_with("654") => LegalForm::Sci,
            _ if code.starts_with("92") => LegalForm::Association,
            _ => LegalForm::Other,
        }
    }

    /// What `company set --legal-form` takes (EIRL no longer exists).
    pub const CHOOSABLE: [LegalForm; 10] = [
        LegalForm::Ei,
        LegalForm::Eurl,
        LegalForm::Sarl,
        LegalForm::Sasu,
        LegalForm::Sas,
        LegalForm::Sa,
        LegalForm::Snc,
        LegalForm::Sci,
        LegalForm::Association,
        LegalForm::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LegalForm::Ei => "ei",
            LegalForm::Eirl => "eirl",
            LegalForm::Eurl => "eurl",
            LegalForm::Sarl => "sarl",
            LegalForm::Sasu => "sasu",
            LegalForm::Sas => "sas",
            LegalForm::Sa => "sa",
            LegalForm::Snc => "snc",
            LegalForm::Sci => "sci",
            LegalForm::Association => "association",
            LegalForm::Other => "other",
        }
    }

    /// A company, whose invoices state its share capital (Code de commerce
    /// art. R. 123-238).
    pub fn has_share_capital(self) -> bool {
        matches!(
            self,
            LegalForm::Eurl
                | LegalForm::Sarl
                | LegalForm::Sasu
                | LegalForm::Sas
                | LegalForm::Sa
                | LegalForm::Snc
                | LegalForm::Sci
        )
    }

    /// As printed on an invoice.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (LegalForm::Ei, Lang::Fr) => "Entrepreneur individuel (EI)",
            (LegalForm::Ei, Lang::En) => "Sole trader (EI, entrepreneur individuel)",
            (LegalForm::Eirl, _) => "EIRL",
            (LegalForm::Eurl, _) => "EURL",
            (LegalForm::Sarl, _) => "SARL",
            (LegalForm::Sasu, _) => "SASU",
            (LegalForm::Sas, _) => "SAS",
            (LegalForm::Sa, _) => "SA",
            (LegalForm::Snc, _) => "SNC",
            (LegalForm::Sci, _) => "SCI",
            (LegalForm::Association, Lang::Fr) => "Association loi 1901",
            (LegalForm::Association, Lang::En) => "Non-profit association (loi 1901)",
            (LegalForm::Other, _) => "",
        }
    }
}

impl std::str::FromStr for LegalForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        LegalForm::CHOOSABLE
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = LegalForm::CHOOSABLE.iter().map(|f| f.as_str()).collect();
                format!(
                    "\"{s}\" is not a legal form: use one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Where the seller is registered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "register", content = "place", rename_all = "lowercase")]
pub enum Registration {
    /// Registre du commerce et des sociétés, with the city of its court
    /// ("RCS Paris").
    Rcs(String),
    /// Répertoire des métiers, with its department or city (craftspeople
    /// registered before the RNE).
    Rm(String),
    /// Registre national des entreprises (since 2023, every business).
    Rne,
    /// Not required to register: liberal professions and micro-entrepreneurs
    /// outside trade and crafts.
    Exempt,
}

impl Registration {
    /// Reads `company set --registration`: "RCS Paris", "RM 69", "RNE",
    /// "exempt".
    pub fn parse(input: &str) -> Result<Registration, String> {
        let input = input.trim();
        let (head, rest) = input
            .split_once(char::is_whitespace)
            .map_or((input, ""), |(h, r)| (h, r.trim()));
        let needs_place = |kind: &str| {
            format!("\"{input}\": say where: \"{kind} Paris\" (the city of the register)")
        };
        match head.to_ascii_lowercase().as_str() {
            "rcs" if rest.is_empty() => Err(needs_place("RCS")),
            "rcs" => Ok(Registration::Rcs(rest.to_owned())),
            "rm" if rest.is_empty() => Err(needs_place("RM")),
            "rm" => Ok(Registration::Rm(rest.to_owned())),
            "rne" if rest.is_empty() => Ok(Registration::Rne),
            "exempt" | "dispensé" | "dispense" if rest.is_empty() => Ok(Registration::Exempt),
            _ => Err(format!(
                "\"{input}\" is not a registration: use \"RCS <city>\", \"RM <place>\", RNE or exempt"
            )),
        }
    }

    /// The mention printed, with the SIREN where the register uses it.
    pub fn mention(&self, siren: Option<&crate::ids::Siren>, lang: Lang) -> String {
        let number = siren
            .map(|s| format!(" {}", s.formatted()))
            .unwrap_or_default();
        match (self, lang) {
            (Registration::Rcs(city), _) => format!("RCS {city}{number}"),
            (Registration::Rm(place), _) => format!("RM {place}{number}"),
            (Registration::Rne, Lang::Fr) => format!("Immatriculation au RNE{number}"),
            (Registration::Rne, Lang::En) => format!("Registered in the RNE (French national business register){number}"),
            (Registration::Exempt, Lang::Fr) => "Dispensé d'immatriculation au registre du commerce et des sociétés (RCS) et au répertoire des métiers (RM)".to_owned(),
            (Registration::Exempt, Lang::En) => "Exempt from registration with the French trade and companies register (RCS) and trades register (RM)".to_owned(),
        }
    }
}

impl std::fmt::Display for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Registration::Rcs(city) => write!(f, "RCS {city}"),
            Registration::Rm(place) => write!(f, "RM {place}"),
            Registration::Rne => f.write_str("RNE"),
            Registration::Exempt => f.write_str("exempt"),
        }
    }
}

/// The seller's main activity, as the micro-entrepreneur regime splits it
/// (each has its own thresholds and contribution rates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// Sale of goods, food on the premises, lodging (BIC ventes).
    Goods,
    /// Commercial or craft services (BIC prestations).
    CommercialServices,
    /// Liberal professions (BNC).
    LiberalServices,
}

impl Activity {
    pub const ALL: [Activity; 3] = [
        Activity::Goods,
        Activity::CommercialServices,
        Activity::LiberalServices,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Goods => "goods",
            Activity::CommercialServices => "commercial-services",
            Activity::LiberalServices => "liberal-services",
        }
    }

    /// The nature of a new line when the user gives none.
    pub fn default_nature(self) -> Nature {
        match self {
            Activity::Goods => Nature::Goods,
            Activity::CommercialServices | Activity::LiberalServices => Nature::Service,
        }
    }
}

impl std::str::FromStr for Activity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Activity::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "\"{s}\" is not an activity: use goods, commercial-services or liberal-services"
                )
            })
    }
}

/// Someone the user invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub name: String,
    /// The billing address.
    pub address: Option<Address>,
    /// Where goods are delivered or services performed, when it is not the
    /// billing address (a mention due from 1 September 2027).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<Address>,
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
    /// What VIES said of `vat_number` the last time Acquit asked (older
    /// profiles and clients never checked have none). Read it through
    /// [`Client::current_vat_check`]: a check of an earlier number says
    /// nothing of the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_check: Option<VatCheck>,
    /// Never send this client a payment reminder (a long-standing client
    /// who pays by their own calendar, a dispute being settled by phone).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_reminders: bool,
}

/// VIES's answer about a client's VAT number on one day: the proof, for an
/// invoice without French VAT to a business in another member state, that
/// the seller checked the number (with the consultation number VIES gives
/// when the request names the seller's own VAT number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatCheck {
    /// The number VIES was asked about.
    pub number: VatNumber,
    /// Registered and active that day (`false`: VIES does not know it).
    pub valid: bool,
    /// VIES's date of the answer.
    pub checked_on: NaiveDate,
    /// VIES's consultation number (`WAPI…`), the legal proof of the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    /// The registered name and address, when the member state gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
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
    /// A French business: a business whose billing address is in France (or
    /// not given) and which is not invoiced under an export or EU
    /// exemption. Its invoices need its SIREN, which is also where its
    /// e-invoices are addressed.
    pub fn is_french_business(&self) -> bool {
        let country = self
            .address
            .as_ref()
            .and_then(|a| a.country)
            .unwrap_or(Country::FR);
        self.business && country == Country::FR && self.vat_exemption == VatExemption::None
    }

    /// Sets `business` as Acquit derives it: a client with a SIREN or a
    /// VAT number is one; one marked a business without either (a foreign
    /// company, `before` its profile before an edit) stays one.
    pub fn derive_business(&mut self, before: Option<&Client>) {
        let kept =
            before.is_some_and(|b| b.business && b.siren.is_none() && b.vat_number.is_none());
        self.business = kept || self.siren.is_some() || self.vat_number.is_some();
    }

    /// The VIES check of the client's current VAT number, if there is one.
    pub fn current_vat_check(&self) -> Option<&VatCheck> {
        self.vat_check
            .as_ref()
            .filter(|check| Some(&check.number) == self.vat_number.as_ref())
    }

    /// Whether Acquit confirms the client's VAT number with VIES: a
    /// number of another member state (or Northern Ireland), not a French
    /// one (the SIREN says enough) nor a UK one (not in VIES).
    pub fn vat_number_for_vies(&self) -> Option<&VatNumber> {
        self.vat_number
            .as_ref()
            .filter(|number| number.in_vies() && number.country() != "FR")
    }

    pub fn new(name: impl Into<String>) -> Client {
        Client {
            name: name.into(),
            address: None,
            delivery_address: None,
            email: None,
            phone: None,
            siren: None,
            vat_number: None,
            lang: Lang::Fr,
            business: false,
            vat_exemption: VatExemption::None,
            vat_check: None,
            no_reminders: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_legal_categories_map_to_forms() {
        for (code, form) in [
            ("1000", LegalForm::Ei),
            ("5498", LegalForm::Eurl),
            ("5499", LegalForm::Sarl),
            ("5710", LegalForm::Sas),
            ("5720", LegalForm::Sasu),
            ("5599", LegalForm::Sa),
            ("5202", LegalForm::Snc),
            ("6540", LegalForm::Sci),
            ("9220", LegalForm::Association),
            ("7210", LegalForm::Other),
            ("12", LegalForm::Other),
        ] {
            assert_eq!(LegalForm::from_insee(code), form, "{code}");
        }
    }

    #[test]
    fn the_seller_s_legal_mentions_follow_its_form() {
        let siren = Siren::parse("552100554").unwrap();
        let seller = |form: Option<LegalForm>, name: &str| Seller {
            legal_form: form,
            siren: Some(siren.clone()),
            ..Seller::new(name, "8 rue de la Roquette\n75011 Paris")
        };
        // A sole trader's name is followed by "EI", once.
        assert_eq!(
            seller(Some(LegalForm::Ei), "Camille Roux").printed_name(),
            "Camille Roux EI"
        );
        for named in [
            "Camille Roux EI — Studio",
            "Camille Roux, entrepreneur individuel",
        ] {
            assert_eq!(seller(Some(LegalForm::Ei), named).printed_name(), named);
        }
        assert_eq!(seller(Some(LegalForm::Sasu), "Nova").printed_name(), "Nova");
        // Older profiles: no form, nothing printed.
        assert!(seller(None, "Nova").legal_mentions(Lang::Fr).is_empty());

        let mut sasu = seller(Some(LegalForm::Sasu), "Nova");
        sasu.share_capital = Some(Money::new(100_000, crate::Currency::EUR));
        sasu.registration = Some(Registration::parse("RCS Paris").unwrap());
        sasu.vat_on_debits = true;
        assert_eq!(
            sasu.legal_mentions(Lang::Fr),
            [
                "SASU au capital de 1\u{202f}000,00\u{a0}€",
                "RCS Paris 552 100 554",
                "Option pour le paiement de la taxe d'après les débits"
            ]
        );
        // A sole trader has no share capital, even if one was typed.
        let mut ei = seller(Some(LegalForm::Ei), "Camille Roux");
        ei.share_capital = sasu.share_capital;
        ei.registration = Some(Registration::Exempt);
        assert_eq!(
            ei.legal_mentions(Lang::Fr)[0],
            "Entrepreneur individuel (EI)"
        );
        assert!(ei.legal_mentions(Lang::Fr)[1].starts_with("Dispensé d'immatriculation"));
    }

    #[test]
    fn registrations_are_read_as_typed_and_refused_with_what_to_type() {
        assert_eq!(
            Registration::parse(" rcs  Lyon "),
            Ok(Registration::Rcs("Lyon".into()))
        );
        assert_eq!(
            Registration::parse("RM 69"),
            Ok(Registration::Rm("69".into()))
        );
        assert_eq!(Registration::parse("RNE"), Ok(Registration::Rne));
        assert_eq!(Registration::parse("exempt"), Ok(Registration::Exempt));
        assert!(
            Registration::parse("RCS")
                .unwrap_err()
                .contains("RCS Paris")
        );
        assert!(
            Registration::parse("Kbis")
                .unwrap_err()
                .contains("RNE or exempt")
        );
        assert!(
            "eirl".parse::<LegalForm>().is_err(),
            "no new EIRL since 2022"
        );
        let old: LegalForm = serde_json::from_str("\"eirl\"").unwrap();
        assert_eq!(old, LegalForm::Eirl, "but older profiles read");
    }

    #[test]
    fn a_business_is_derived_from_its_identifiers_and_a_foreign_one_stays_one() {
        let siren = Siren::parse("552100554").unwrap();
        let vat = VatNumber::parse("DE136695976").unwrap();
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

    #[test]
    fn a_vies_check_counts_for_the_number_checked_and_older_profiles_have_none() {
        let older = r#"{"name":"Kunde GmbH","address":null,"email":null,"phone":null,
            "siren":null,"vat_number":"DE136695976","lang":"en","business":true}"#;
        let mut client: Client = serde_json::from_str(older).unwrap();
        assert_eq!(client.vat_check, None);
        assert!(
            !serde_json::to_string(&client)
                .unwrap()
                .contains("vat_check")
        );
        let german = client.vat_number.clone().unwrap();
        assert_eq!(client.vat_number_for_vies(), Some(&german));
        assert_eq!((german.country(), german.national()), ("DE", "136695976"));

        client.vat_check = Some(VatCheck {
            number: german,
            valid: true,
            checked_on: NaiveDate::from_ymd_opt(2027, 9, 2).unwrap(),
            consultation: Some("WAPIAAAAXEZNM9VJ".into()),
            name: None,
            address: None,
        });
        let json = serde_json::to_string(&client).unwrap();
        assert!(json.contains(r#""vat_check":{"number":"DE136695976","valid":true,"checked_on":"2027-09-02","consultation":"WAPIAAAAXEZNM9VJ"}"#), "{json}");
        let read: Client = serde_json::from_str(&json).unwrap();
        assert_eq!(read.current_vat_check(), client.vat_check.as_ref());

        client.vat_number = Some(VatNumber::parse("BE0403019261").unwrap());
        assert_eq!(
            client.current_vat_check(),
            None,
            "a check of another number"
        );
        // French and UK numbers are not sent to VIES.
        for number in ["FR44732829320", "GB980780684"] {
            client.vat_number = Some(VatNumber::parse(number).unwrap());
            assert_eq!(client.vat_number_for_vies(), None, "{number}");
        }
        client.vat_number = Some(VatNumber::parse("XI980780684").unwrap());
        assert!(client.vat_number_for_vies().is_some());
    }
}
