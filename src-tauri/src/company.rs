//! The company profile (first run): the seller printed on every invoice.

use acquit_core::ids::{Bic, Email, Iban, Siren, VatNumber};
use acquit_core::numbering::NumberPattern;
use acquit_core::{Activity, LegalForm, Registration, Seller, VatRegime};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::commands::{Books, CommandError};
use crate::forms::{AddressForm, Form};

/// The company form, as typed (and as it is shown again).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CompanyForm {
    pub legal_name: String,
    pub address: AddressForm,
    /// `ei`, `eurl`, `sarl`, `sasu`, `sas`, `sa`, `snc`, `sci`,
    /// `association`, `other`; empty: not said (older profiles).
    pub legal_form: String,
    /// In euros, for a company.
    pub share_capital: Option<String>,
    /// "RCS Paris", "RM 69", "RNE", "exempt"; empty: not said.
    pub registration: String,
    /// `goods`, `commercial-services`, `liberal-services`; empty: not said.
    pub activity: String,
    pub vat_on_debits: bool,
    pub legal_footer: Option<String>,
    pub siren: Option<String>,
    /// Left empty with a SIREN (and no franchise): the French number
    /// derived from the SIREN.
    pub vat_number: Option<String>,
    /// Micro-entrepreneur VAT franchise (art. 293 B du CGI).
    pub vat_franchise: bool,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub email: Option<String>,
    /// Like `F-{YYYY}-{NNNN}`.
    pub numbering_pattern: String,
}

/// The company form with its defaults, or the profile already saved.
#[tauri::command]
#[specta::specta]
pub fn company_profile(books: State<'_, Books>) -> Result<CompanyForm, CommandError> {
    let (seller, pattern) = books.with(|store| {
        Ok::<_, acquit_store::StoreError>((store.seller()?, store.number_pattern(false)?))
    })?;
    Ok(match seller {
        Some(s) => CompanyForm {
            address: AddressForm::of(&s.address),
            legal_form: s
                .legal_form
                .map(|f| f.as_str().to_owned())
                .unwrap_or_default(),
            share_capital: s.share_capital.map(|m| m.to_decimal_string()),
            registration: s
                .registration
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            activity: s
                .activity
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            vat_on_debits: s.vat_on_debits,
            legal_footer: s.legal_footer.clone(),
            legal_name: s.legal_name,
            siren: s.siren.map(String::from),
            vat_number: s.vat_number.map(String::from),
            vat_franchise: s.vat_regime == VatRegime::Franchise,
            iban: s.iban.map(|i| i.formatted()),
            bic: s.bic.map(String::from),
            email: s.email.map(String::from),
            numbering_pattern: pattern.as_str().to_owned(),
        },
        None => CompanyForm {
            legal_name: String::new(),
            address: AddressForm::default(),
            legal_form: String::new(),
            share_capital: None,
            registration: String::new(),
            activity: String::new(),
            vat_on_debits: false,
            legal_footer: None,
            siren: None,
            vat_number: None,
            vat_franchise: false,
            iban: None,
            bic: None,
            email: None,
            numbering_pattern: NumberPattern::DEFAULT_INVOICE.to_owned(),
        },
    })
}

/// Checks an IBAN as it is typed: its grouped form, or what is wrong.
#[tauri::command]
#[specta::specta]
pub fn check_iban(iban: String) -> Result<String, CommandError> {
    Iban::parse(&iban)
        .map(|i| i.formatted())
        .map_err(|e| CommandError::new(e.to_string()))
}

/// Saves the company profile and the invoice numbering pattern; each
/// invalid field comes back with the core's message.
#[tauri::command]
#[specta::specta]
pub fn save_company(books: State<'_, Books>, company: CompanyForm) -> Result<(), CommandError> {
    let mut form = Form::default();
    let name = form.text(
        "legalName",
        &company.legal_name,
        "give the company's legal name",
    );
    let postal = form.address(
        "address",
        &company.address,
        Some("give the company's postal address"),
    );
    let siren = form.optional("siren", company.siren.as_deref(), Siren::parse);
    if postal.as_ref().and_then(|a| a.country) == Some(acquit_core::Country::FR)
        && siren.is_none()
        && company.siren.as_deref().is_none_or(|s| s.trim().is_empty())
    {
        form.error(
            "siren",
            crate::messages::say(
                "le SIREN d’une entreprise française figure sur ses factures : renseignez-le",
                "a French business's invoices carry its SIREN: give it",
            ),
        );
    }
    let legal_form = form.optional(
        "legalForm",
        Some(&company.legal_form),
        str::parse::<LegalForm>,
    );
    let registration = form.optional(
        "registration",
        Some(&company.registration),
        Registration::parse,
    );
    let activity = form.optional("activity", Some(&company.activity), str::parse::<Activity>);
    let share_capital = form.optional("shareCapital", company.share_capital.as_deref(), |s| {
        acquit_core::Money::parse(s, acquit_core::Currency::EUR)
    });
    let vat_number = form.optional("vatNumber", company.vat_number.as_deref(), VatNumber::parse);
    let iban = form.optional("iban", company.iban.as_deref(), Iban::parse);
    let bic = form.optional("bic", company.bic.as_deref(), Bic::parse);
    let email = form.optional("email", company.email.as_deref(), Email::parse);
    let pattern = form.required(
        "numberingPattern",
        &company.numbering_pattern,
        NumberPattern::parse,
    );
    form.finish()?;
    let (Some(name), Some(pattern), Some(postal)) = (name, pattern, postal) else {
        return Err(CommandError::new("the form is incomplete"));
    };
    let mut seller = Seller::new(name, postal);
    seller.legal_form = legal_form;
    seller.share_capital =
        share_capital.filter(|_| legal_form.is_some_and(LegalForm::has_share_capital));
    seller.registration = registration;
    seller.activity = activity;
    seller.vat_on_debits = company.vat_on_debits;
    seller.legal_footer = company
        .legal_footer
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    // As `acquit company set`: without a VAT number, a French company
    // charging VAT has the one derived from its SIREN.
    seller.vat_number = match (vat_number, company.vat_franchise) {
        (Some(vat), _) => Some(vat),
        (None, false) => siren.as_ref().map(VatNumber::french_from_siren),
        (None, true) => None,
    };
    seller.siren = siren;
    seller.iban = iban;
    seller.bic = bic;
    seller.email = email;
    if company.vat_franchise {
        seller.vat_regime = VatRegime::Franchise;
    }
    books.with(|store| {
        store.set_seller(&seller)?;
        store.set_number_pattern(false, &pattern)
    })
}
