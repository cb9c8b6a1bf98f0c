//! The company profile (first run, then Settings): the seller printed on
//! every invoice.

use acquit_core::ids::{Bic, Email, Iban, Siren, VatNumber};
use acquit_core::numbering::NumberPattern;
use acquit_core::{LegalForm, Registration, Seller, VatRegime};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::{ActivityChoice, LegalFormChoice};
use crate::commands::{Books, CommandError};
use crate::forms::{AddressForm, Form};

/// The company form, as typed (and as it is shown again).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CompanyForm {
    pub legal_name: String,
    pub address: AddressForm,
    /// None: not said (older profiles).
    pub legal_form: Option<LegalFormChoice>,
    /// In euros, for a company ([`LegalForm::has_share_capital`]).
    pub share_capital: Option<String>,
    pub registration: RegistrationForm,
    /// None: not said (older profiles).
    pub activity: Option<ActivityChoice>,
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
            legal_form: s.legal_form.map(Into::into),
            share_capital: s.share_capital.map(|m| m.to_decimal_string()),
            registration: RegistrationForm::of(s.registration.as_ref()),
            activity: s.activity.map(Into::into),
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
            legal_form: None,
            share_capital: None,
            registration: RegistrationForm::of(None),
            activity: None,
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
        .map_err(|e| CommandError::new(crate::messages::localize(&e)))
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
        Some(&crate::messages::say(
            "l’adresse de l’entreprise figure sur ses factures : renseignez-la",
            "give the company's postal address",
        )),
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
    let legal_form = company.legal_form.map(LegalForm::from);
    let registration = company.registration.read(&mut form);
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
    // Edited from the Settings: what the form does not show (SIRET, phone,
    // payment terms, penalties) is kept.
    let before = books.with(|store| store.seller())?;
    let mut seller = before.unwrap_or_else(|| Seller::new(name.clone(), postal.clone()));
    seller.legal_name = name;
    seller.address = postal;
    seller.legal_form = legal_form;
    seller.share_capital =
        share_capital.filter(|_| legal_form.is_some_and(LegalForm::has_share_capital));
    seller.registration = registration;
    seller.activity = company.activity.map(Into::into);
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
    seller.vat_regime = if company.vat_franchise {
        VatRegime::Franchise
    } else {
        VatRegime::Standard
    };
    books.with(|store| {
        store.set_seller(&seller)?;
        store.set_number_pattern(false, &pattern)
    })
}

/// Where the seller is registered, as the form chooses it: the register,
/// and for the RCS and the RM the city or department of its court.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationForm {
    /// None: not said (older profiles).
    pub register: Option<Register>,
    /// "Paris" for "RCS Paris", "69" for "RM 69"; ignored for the others.
    pub place: String,
}

/// The registers of [`Registration`]: the trade and companies register,
/// the trades register, the national register, or exempt from
/// registration (liberal professions, some micro-entrepreneurs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    Rcs,
    Rm,
    Rne,
    Exempt,
}

impl RegistrationForm {
    fn of(registration: Option<&Registration>) -> RegistrationForm {
        let (register, place) = match registration {
            None => (None, ""),
            Some(Registration::Rcs(city)) => (Some(Register::Rcs), city.as_str()),
            Some(Registration::Rm(place)) => (Some(Register::Rm), place.as_str()),
            Some(Registration::Rne) => (Some(Register::Rne), ""),
            Some(Registration::Exempt) => (Some(Register::Exempt), ""),
        };
        RegistrationForm {
            register,
            place: place.to_owned(),
        }
    }

    /// The registration, or an error on `registrationPlace` when the RCS or
    /// the RM is chosen without its place.
    fn read(&self, form: &mut Form) -> Option<Registration> {
        let place = self.place.trim().to_owned();
        let register = self.register?;
        if matches!(register, Register::Rcs | Register::Rm) && place.is_empty() {
            form.error(
                "registrationPlace",
                crate::messages::say(
                    "indiquez la ville du greffe (RCS Paris) ou le département de la chambre des métiers (RM 69)",
                    "say the city of the court (RCS Paris) or the department of the chamber of trades (RM 69)",
                ),
            );
            return None;
        }
        Some(match register {
            Register::Rcs => Registration::Rcs(place),
            Register::Rm => Registration::Rm(place),
            Register::Rne => Registration::Rne,
            Register::Exempt => Registration::Exempt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_reads_back_as_it_was_chosen() {
        for registration in [
            Registration::Rcs("Paris".into()),
            Registration::Rm("69".into()),
            Registration::Rne,
            Registration::Exempt,
        ] {
            let mut form = Form::default();
            let read = RegistrationForm::of(Some(&registration)).read(&mut form);
            assert_eq!(read, Some(registration));
            assert!(form.finish().is_ok());
        }
        let mut form = Form::default();
        assert_eq!(RegistrationForm::of(None).read(&mut form), None);
        assert!(form.finish().is_ok());
    }

    #[test]
    fn the_rcs_needs_its_city() {
        let mut form = Form::default();
        let rcs = RegistrationForm {
            register: Some(Register::Rcs),
            place: "  ".into(),
        };
        assert_eq!(rcs.read(&mut form), None);
        let fields: Vec<String> = form
            .finish()
            .unwrap_err()
            .fields
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["registrationPlace"]);
    }
}

/// What the company directory says of a SIREN or SIRET, to fill a form.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryView {
    pub legal_name: String,
    pub siren: String,
    /// The French VAT number derived from the SIREN.
    pub vat_number: String,
    pub legal_form: LegalFormChoice,
    /// Blank when the directory gives no usable address (one abroad).
    pub address: AddressForm,
    /// The directory says the company is closed.
    pub closed: bool,
}

/// Looks `number` (SIREN or SIRET) up in the public company directory
/// (`acquit_sync::directory`); the error says to type the details when it
/// cannot answer (offline, busy, unknown number).
#[tauri::command]
#[specta::specta]
pub async fn directory_lookup(number: String) -> Result<DirectoryView, CommandError> {
    use crate::messages::say;
    let client = acquit_sync::directory::DirectoryClient::from_env()
        .map_err(|e| CommandError::field("siren", e.to_string()))?;
    let found = client.lookup(&number).await.map_err(|e| {
        use acquit_sync::directory::DirectoryError as D;
        CommandError::field(
            "siren",
            match e {
                D::NotANumber(_) => say(
                    "Ce n’est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres)\u{a0}: vérifiez le numéro",
                    "Neither a SIREN (9 digits) nor a SIRET (14 digits): check the number",
                ),
                D::Busy => say(
                    "L’annuaire des entreprises est occupé\u{a0}: réessayez dans un instant, ou saisissez les informations",
                    "The company directory is busy: try again in a moment, or type the details",
                ),
                _ => say(
                    "L’annuaire des entreprises ne répond pas\u{a0}: saisissez les informations à la main",
                    "The company directory is not answering: type the details by hand",
                ),
            },
        )
    })?;
    let Some(company) = found else {
        return Err(CommandError::field(
            "siren",
            say(
                "L’annuaire ne connaît pas ce numéro\u{a0}: vérifiez-le, ou saisissez les informations",
                "The directory does not know this number: check it, or type the details",
            ),
        ));
    };
    Ok(DirectoryView {
        legal_name: company.legal_name,
        vat_number: VatNumber::french_from_siren(&company.siren).to_string(),
        siren: company.siren.formatted(),
        legal_form: company.legal_form.into(),
        address: company
            .address
            .as_ref()
            .map(AddressForm::of)
            .unwrap_or_default(),
        closed: company.closed,
    })
}
