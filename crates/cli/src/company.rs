//! `acquit company set|show`: the seller's profile printed on every invoice.

use std::path::Path;

use acquit_core::ids::{Bic, Email, Iban, PhoneE164, Siren, Siret, VatNumber};
use acquit_core::{Activity, LegalForm, Registration, Seller, VatRegime};
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
    /// What the public company directory (recherche-entreprises.api.gouv.fr)
    /// says of a SIREN or SIRET: name, legal form, head office, closed or
    /// not, to copy into `company set` or `client add`
    Lookup {
        #[arg(value_name = "SIREN_OR_SIRET")]
        number: String,
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
    #[command(flatten)]
    address: parse::AddressArgs,
    /// Legal form: ei, eurl, sarl, sasu, sas, sa, snc, sci, association,
    /// other. A sole trader's invoices say "EI" after the name
    #[arg(long, value_name = "FORM", value_parser = |s: &str| s.parse::<LegalForm>())]
    legal_form: Option<LegalForm>,
    /// A company's share capital, in euros: 1000, 10 000
    #[arg(long, value_name = "AMOUNT")]
    share_capital: Option<String>,
    /// Where you are registered: "RCS Paris", "RM 69", RNE, or exempt
    /// (liberal professions, micro-entrepreneurs outside trade and crafts)
    #[arg(long, value_name = "REGISTER", value_parser = Registration::parse)]
    registration: Option<Registration>,
    /// You opted to pay VAT on debits (on invoicing): printed on every invoice
    #[arg(long)]
    vat_on_debits: bool,
    /// Your main activity: goods, commercial-services or liberal-services.
    /// New lines take its nature (goods or service) unless told otherwise
    #[arg(long, value_name = "ACTIVITY", value_parser = |s: &str| s.parse::<Activity>())]
    activity: Option<Activity>,
    /// A mention printed at the foot of every invoice: professional
    /// insurance (insurer, coverage), a mediator…
    #[arg(long, value_name = "TEXT")]
    legal_footer: Option<String>,
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
        CompanyCommand::Lookup { number, json } => lookup(&number, json),
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
    let parts = args.address.parts();
    let Some(Some(address)) = parts.apply(None)? else {
        return Err(CliError::rejected(
            "give your company's address: --street, --postcode, --city (and --country if not FR), or --address \"8 rue de la Roquette, 75011 Paris\"",
        ));
    };
    let mut seller = Seller::new(args.name.trim(), address);
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
        // Issuing adds them to the issue date: 4294967295 days panicked
        // there (issue 19). A year is far beyond any legal term.
        if seller.payment_terms_days > 365 {
            return Err(CliError::rejected(format!(
                "--payment-terms {} days is more than a year: give the days from issue to due date, e.g. 30",
                seller.payment_terms_days
            )));
        }
    }
    seller.legal_form = args.legal_form;
    if let Some(capital) = &args.share_capital {
        if !args.legal_form.is_some_and(LegalForm::has_share_capital) {
            return Err(CliError::rejected(
                "only a company has a share capital: give its --legal-form (eurl, sarl, sasu, sas, sa, snc, sci) or leave --share-capital out",
            ));
        }
        let capital = parse::amount(capital, acquit_core::Currency::EUR)?;
        if !capital.is_positive() {
            return Err(CliError::rejected("--share-capital must be more than zero"));
        }
        seller.share_capital = Some(capital);
    }
    seller.registration = args.registration;
    seller.vat_on_debits = args.vat_on_debits;
    seller.activity = args.activity;
    seller.legal_footer = args
        .legal_footer
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    // Last, so a mistyped identifier above is what gets reported.
    if seller.home_country() == acquit_core::Country::FR && seller.siren.is_none() {
        return Err(CliError::rejected(
            "a French business's invoices carry its SIREN: give --siren (or --siret)",
        ));
    }
    Ok(seller)
}

/// `company show --json`: the profile under the names of `company set`'s flags.
#[derive(Debug, Serialize)]
struct CompanyJson {
    name: String,
    /// As printed on invoices, lines separated by `\n`.
    address: String,
    street: Vec<String>,
    postcode: Option<String>,
    city: Option<String>,
    country: Option<String>,
    legal_form: Option<&'static str>,
    /// In euros, as a decimal string: `"1000.00"`.
    share_capital: Option<String>,
    registration: Option<String>,
    vat_on_debits: bool,
    activity: Option<&'static str>,
    legal_footer: Option<String>,
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
            address: s
                .address
                .printed_text(acquit_core::Lang::Fr, s.home_country()),
            street: s.address.lines.clone(),
            postcode: s.address.postcode.clone(),
            city: s.address.city.clone(),
            country: s.address.country.map(|c| c.code().to_owned()),
            legal_form: s.legal_form.map(LegalForm::as_str),
            share_capital: s.share_capital.map(|m| m.to_decimal_string()),
            registration: s.registration.as_ref().map(ToString::to_string),
            vat_on_debits: s.vat_on_debits,
            activity: s.activity.map(Activity::as_str),
            legal_footer: s.legal_footer.clone(),
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
        ("Name", Some(s.printed_name())),
        (
            "Address",
            Some(
                s.address
                    .printed_text(acquit_core::Lang::Fr, s.home_country()),
            ),
        ),
        ("Country", s.address.country.map(|c| c.code().to_owned())),
        ("Legal form", {
            let mentions = s.legal_mentions(acquit_core::Lang::Fr);
            s.legal_form.and(mentions.first().cloned())
        }),
        (
            "Registration",
            s.registration
                .as_ref()
                .map(|r| r.mention(s.siren.as_ref(), acquit_core::Lang::Fr)),
        ),
        ("Activity", s.activity.map(|a| a.as_str().to_owned())),
        ("VAT on debits", s.vat_on_debits.then(|| "yes".to_owned())),
        ("Legal footer", s.legal_footer.clone()),
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

#[derive(Debug, Serialize)]
struct LookupJson {
    siren: String,
    siret: Option<String>,
    name: String,
    legal_form: &'static str,
    vat: String,
    street: Vec<String>,
    postcode: Option<String>,
    city: Option<String>,
    closed: bool,
}

/// `acquit company lookup NUMBER`: the directory's answer, never written
/// to the books (the user copies what is right).
fn lookup(number: &str, json: bool) -> Result<String, CliError> {
    use acquit_sync::directory::{DirectoryClient, DirectoryError};
    let client = DirectoryClient::from_env().map_err(|e| CliError::rejected(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Outside(format!("the network runtime did not start: {e}")))?;
    let found = runtime
        .block_on(client.lookup(number))
        .map_err(|e| match e {
            DirectoryError::NotANumber(_) | DirectoryError::BadUrl(_) => {
                CliError::rejected(e.to_string())
            }
            other => CliError::Outside(other.to_string()),
        })?;
    let Some(c) = found else {
        return Err(CliError::rejected(format!(
            "the company directory does not know {}: check the number",
            number.trim()
        )));
    };
    let shown = LookupJson {
        vat: VatNumber::french_from_siren(&c.siren).to_string(),
        siren: c.siren.as_str().to_owned(),
        siret: c.siret.map(|s| s.as_str().to_owned()),
        name: c.legal_name,
        legal_form: c.legal_form.as_str(),
        street: c
            .address
            .as_ref()
            .map(|a| a.lines.clone())
            .unwrap_or_default(),
        postcode: c.address.as_ref().and_then(|a| a.postcode.clone()),
        city: c.address.as_ref().and_then(|a| a.city.clone()),
        closed: c.closed,
    };
    if json {
        return Ok(to_json(&shown));
    }
    let mut out = format!(
        "{}  ({}, SIREN {}, VAT {})\n",
        shown.name, shown.legal_form, shown.siren, shown.vat
    );
    if !shown.street.is_empty() || shown.city.is_some() {
        out.push_str(&format!(
            "  {}, {} {}\n",
            shown.street.join(", "),
            shown.postcode.clone().unwrap_or_default(),
            shown.city.clone().unwrap_or_default()
        ));
    }
    if shown.closed {
        out.push_str("  The directory says this company is closed.\n");
    }
    Ok(out)
}
