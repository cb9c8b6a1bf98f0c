//! `acquit company set|show`: the seller's profile printed on every invoice.

use std::path::Path;

use acquit_core::ids::{Bic, Email, Iban, PhoneE164, Siren, Siret, VatNumber};
use acquit_core::{Seller, VatRegime};
use acquit_store::Rejection;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::table::block;
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Set your company's profile, replacing the previous one (options left
    /// out are cleared); issued invoices keep the profile they were issued with
    Set(Box<SetArgs>),
    /// Show your company's profile
    Show {
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// Legal name, as registered
    #[arg(long, value_name = "NAME")]
    name: String,
    /// SIREN, the 9-digit number of a French business (expected on French invoices)
    #[arg(long, value_name = "SIREN")]
    siren: Option<String>,
    /// SIRET of the establishment (14 digits); gives the SIREN if --siren is left out
    #[arg(long, value_name = "SIRET")]
    siret: Option<String>,
    /// Intra-community VAT number [default: the French one derived from the
    /// SIREN, unless under the VAT franchise]
    #[arg(long, value_name = "VAT_NUMBER")]
    vat: Option<String>,
    /// Postal address; separate lines with a new line or \n
    #[arg(long, value_name = "ADDRESS")]
    address: String,
    #[arg(long, value_name = "EMAIL")]
    email: Option<String>,
    /// Phone number: +33 6 12 34 56 78 (a national 06… is taken as French)
    #[arg(long, value_name = "PHONE")]
    phone: Option<String>,
    /// The account your clients pay to
    #[arg(long, value_name = "IBAN")]
    iban: Option<String>,
    #[arg(long, value_name = "BIC")]
    bic: Option<String>,
    /// Under the VAT franchise (art. 293 B du CGI): no VAT is charged
    #[arg(long)]
    vat_franchise: bool,
    /// Late-payment penalty rate per year [default: 10%]
    #[arg(long, value_name = "RATE%")]
    late_penalty: Option<String>,
    /// Days from issue to due date when an invoice sets none [default: 30]
    #[arg(long, value_name = "DAYS")]
    payment_terms: Option<String>,
    /// Your logo for the invoices, a PNG of at most 1 MB (kept when left out)
    #[arg(long, value_name = "PNG")]
    logo: Option<std::path::PathBuf>,
}

pub fn run(command: CompanyCommand, db: &Path) -> Result<String, CliError> {
    match command {
        CompanyCommand::Set(args) => {
            // Read and check the logo before anything is written.
            let logo = match &args.logo {
                Some(path) => {
                    let png = std::fs::read(path).map_err(|e| {
                        CliError::rejected(format!("cannot read the logo {}: {e}", path.display()))
                    })?;
                    acquit_store::check_logo(&png)?;
                    Some(png)
                }
                None => None,
            };
            let seller = seller(*args)?;
            let mut store = open(db)?;
            store.set_seller(&seller)?;
            if let Some(png) = logo {
                store.set_logo(&png)?;
            }
            // Show what was stored, derived VAT number included.
            Ok(human(&seller))
        }
        CompanyCommand::Show { json } => {
            let seller = open(db)?.seller()?.ok_or(Rejection::NoSeller)?;
            Ok(if json {
                to_json(&CompanyJson::from(&seller))
            } else {
                human(&seller)
            })
        }
    }
}

/// Builds the profile from the flags, refusing anything invalid.
fn seller(args: SetArgs) -> Result<Seller, CliError> {
    let siren = parse::id(args.siren.as_deref(), Siren::parse)?;
    let siret = parse::id(args.siret.as_deref(), Siret::parse)?;
    if let (Some(siren), Some(siret)) = (&siren, &siret)
        && siret.siren() != *siren
    {
        return Err(CliError::rejected(format!(
            "the SIRET {} is of the SIREN {}, not {}: check both (its first 9 digits are the SIREN)",
            siret.formatted(),
            siret.siren().formatted(),
            siren.formatted()
        )));
    }
    let siren = siren.or_else(|| siret.as_ref().map(Siret::siren));
    let vat_number = match parse::id(args.vat.as_deref(), VatNumber::parse)? {
        Some(vat) => {
            if let Some(siren) = &siren
                && vat.country() == "FR"
                && vat.as_str()[4..] != *siren.as_str()
            {
                return Err(CliError::rejected(format!(
                    "the VAT number {vat} is not the one of SIREN {}: check both, or leave --vat out to derive it from the SIREN",
                    siren.formatted()
                )));
            }
            Some(vat)
        }
        None if !args.vat_franchise => siren.as_ref().map(VatNumber::french_from_siren),
        None => None,
    };
    let mut seller = Seller::new(args.name.trim(), parse::address(&args.address));
    seller.siren = siren;
    seller.siret = siret;
    seller.vat_number = vat_number;
    seller.email = parse::id(args.email.as_deref(), Email::parse)?;
    seller.phone = parse::id(args.phone.as_deref(), |p| {
        PhoneE164::parse_with_default_country(p, "FR")
    })?;
    seller.iban = parse::id(args.iban.as_deref(), Iban::parse)?;
    seller.bic = parse::id(args.bic.as_deref(), Bic::parse)?;
    if args.vat_franchise {
        seller.vat_regime = VatRegime::Franchise;
    }
    if let Some(rate) = &args.late_penalty {
        seller.late_penalty_bp = parse::percent(rate, "--late-penalty")?;
    }
    if let Some(days) = &args.payment_terms {
        seller.payment_terms_days = parse::days(days, "--payment-terms")?;
    }
    Ok(seller)
}

/// `company show --json`: the profile under the names of `company set`'s flags.
#[derive(Debug, Serialize)]
struct CompanyJson {
    name: String,
    address: String,
    siren: Option<String>,
    siret: Option<String>,
    vat: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    iban: Option<String>,
    bic: Option<String>,
    vat_franchise: bool,
    /// Percent per year, as a decimal string: `"10"`.
    late_penalty: String,
    /// Days.
    payment_terms: u32,
}

impl From<&Seller> for CompanyJson {
    fn from(s: &Seller) -> CompanyJson {
        let text = |v: Option<&dyn std::fmt::Display>| v.map(|v| v.to_string());
        CompanyJson {
            name: s.legal_name.clone(),
            address: s.address.clone(),
            siren: text(s.siren.as_ref().map(|v| v as _)),
            siret: text(s.siret.as_ref().map(|v| v as _)),
            vat: text(s.vat_number.as_ref().map(|v| v as _)),
            email: text(s.email.as_ref().map(|v| v as _)),
            phone: text(s.phone.as_ref().map(|v| v as _)),
            iban: text(s.iban.as_ref().map(|v| v as _)),
            bic: text(s.bic.as_ref().map(|v| v as _)),
            vat_franchise: s.vat_regime == VatRegime::Franchise,
            late_penalty: parse::basis_points_string(s.late_penalty_bp),
            payment_terms: s.payment_terms_days,
        }
    }
}

fn human(s: &Seller) -> String {
    let vat = match (s.vat_regime, &s.vat_number) {
        (VatRegime::Franchise, _) => Some("TVA non applicable, art. 293 B du CGI".to_owned()),
        (VatRegime::Standard, vat) => vat.as_ref().map(ToString::to_string),
    };
    block(&[
        ("Name", Some(s.legal_name.clone())),
        ("Address", Some(s.address.clone())),
        ("SIREN", s.siren.as_ref().map(Siren::formatted)),
        ("SIRET", s.siret.as_ref().map(Siret::formatted)),
        ("VAT", vat),
        ("Email", s.email.as_ref().map(ToString::to_string)),
        ("Phone", s.phone.as_ref().map(ToString::to_string)),
        ("IBAN", s.iban.as_ref().map(Iban::formatted)),
        ("BIC", s.bic.as_ref().map(ToString::to_string)),
        (
            "Late penalty",
            Some(format!(
                "{} % a year",
                parse::basis_points_string(s.late_penalty_bp)
            )),
        ),
        (
            "Payment terms",
            Some(format!("{} days", s.payment_terms_days)),
        ),
    ])
}
