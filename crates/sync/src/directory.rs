//! The company filled in from its SIREN or SIRET: the French public company
//! directory, "API Recherche d'entreprises" (api.gouv.fr: `GET
//! {base}/search?q=…`, free, no key; documentation at
//! <https://recherche-entreprises.api.gouv.fr/docs/>).
//!
//! Only what a lookup by number needs is read: the legal name, the legal
//! category (INSEE, mapped by `acquit_core::LegalForm::from_insee`), the
//! head office's address, whether the company is still active. The VAT
//! number is derived from the SIREN by the core (the directory gives
//! none). Offline, or when the directory fails, the user types the
//! company: a lookup never blocks a form, it only fills it.

use std::time::Duration;

use acquit_core::LegalForm;
use acquit_core::address::{Address, Country};
use acquit_core::ids::{Siren, Siret};
use serde::Deserialize;

/// The directory.
pub const DEFAULT_DIRECTORY_URL: &str = "https://recherche-entreprises.api.gouv.fr";

/// The environment variable that points Acquit at another directory (the
/// fake of the tests).
pub const DIRECTORY_URL_ENV: &str = "ACQUIT_DIRECTORY_URL";

/// Why the directory did not fill the company.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error(
        "\"{0}\" is neither a SIREN (9 digits) nor a SIRET (14 digits): check the number on a Kbis or an invoice"
    )]
    NotANumber(String),
    #[error("\"{0}\" is not a directory URL: give its base, or unset {DIRECTORY_URL_ENV}")]
    BadUrl(String),
    #[error(
        "the company directory cannot be reached ({0}): type the company's details, or try again once online"
    )]
    Unreachable(String),
    #[error("the company directory is busy just now: try again in a moment, or type the details")]
    Busy,
    #[error("the company directory answered {status}: type the company's details")]
    Failed { status: u16 },
    #[error("the company directory's answer could not be read ({0})")]
    BadAnswer(String),
}

/// What the directory says of a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub siren: Siren,
    /// The head office's SIRET, when given.
    pub siret: Option<Siret>,
    pub legal_name: String,
    pub legal_form: LegalForm,
    /// The head office's address, when it could be read.
    pub address: Option<Address>,
    /// Closed (etat_administratif "C"): said to the user, not refused.
    pub closed: bool,
}

#[derive(Debug, Deserialize)]
struct SearchAnswer {
    #[serde(default)]
    results: Vec<Result_>,
}

#[derive(Debug, Deserialize)]
struct Result_ {
    siren: String,
    nom_complet: Option<String>,
    nom_raison_sociale: Option<String>,
    nature_juridique: Option<String>,
    etat_administratif: Option<String>,
    siege: Option<Siege>,
}

#[derive(Debug, Deserialize)]
struct Siege {
    siret: Option<String>,
    numero_voie: Option<String>,
    indice_repetition: Option<String>,
    type_voie: Option<String>,
    libelle_voie: Option<String>,
    complement_adresse: Option<String>,
    code_postal: Option<String>,
    libelle_commune: Option<String>,
    code_pays_etranger: Option<String>,
    libelle_commune_etranger: Option<String>,
}

/// A client of the directory.
#[derive(Debug, Clone)]
pub struct DirectoryClient {
    http: reqwest::Client,
    base: String,
}

impl DirectoryClient {
    /// A client of the directory at `base` (https, or http on this
    /// machine for a fake).
    pub fn new(base: &str) -> Result<DirectoryClient, DirectoryError> {
        let base = base.trim().trim_end_matches('/');
        let url = reqwest::Url::parse(base).map_err(|_| DirectoryError::BadUrl(base.to_owned()))?;
        let host = url
            .host_str()
            .ok_or_else(|| DirectoryError::BadUrl(base.to_owned()))?;
        match url.scheme() {
            "https" => {}
            "http" if acquit_core::net::is_loopback_host(host) => {}
            _ => return Err(DirectoryError::BadUrl(base.to_owned())),
        }
        let http = acquit_http::client()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| DirectoryError::Unreachable(e.to_string()))?;
        Ok(DirectoryClient {
            http,
            base: base.to_owned(),
        })
    }

    /// The directory, or `ACQUIT_DIRECTORY_URL` when that is set.
    pub fn from_env() -> Result<DirectoryClient, DirectoryError> {
        match std::env::var(DIRECTORY_URL_ENV) {
            Ok(base) if !base.trim().is_empty() => DirectoryClient::new(&base),
            _ => DirectoryClient::new(DEFAULT_DIRECTORY_URL),
        }
    }

    /// The company with this SIREN or SIRET (spaces allowed); `None` when
    /// the directory does not know it.
    pub async fn lookup(&self, number: &str) -> Result<Option<Company>, DirectoryError> {
        let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        let siren = match digits.len() {
            9 => Siren::parse(&digits)
                .map_err(|_| DirectoryError::NotANumber(number.trim().into()))?,
            14 => Siret::parse(&digits)
                .map_err(|_| DirectoryError::NotANumber(number.trim().into()))?
                .siren(),
            _ => return Err(DirectoryError::NotANumber(number.trim().to_owned())),
        };
        let mut url = reqwest::Url::parse(&format!("{}/search", self.base))
            .map_err(|_| DirectoryError::BadUrl(self.base.clone()))?;
        url.query_pairs_mut()
            .append_pair("q", &digits)
            .append_pair("page", "1")
            .append_pair("per_page", "1");
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| DirectoryError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        if status.as_u16() == 429 {
            return Err(DirectoryError::Busy);
        }
        if !status.is_success() {
            return Err(DirectoryError::Failed {
                status: status.as_u16(),
            });
        }
        let answer: SearchAnswer = response
            .json()
            .await
            .map_err(|e| DirectoryError::BadAnswer(e.without_url().to_string()))?;
        Ok(answer
            .results
            .into_iter()
            .find(|r| r.siren == siren.as_str())
            .map(|r| company(siren, r)))
    }
}

fn company(siren: Siren, r: Result_) -> Company {
    let legal_name = r
        .nom_raison_sociale
        .or(r.nom_complet)
        .unwrap_or_default()
        .trim()
        .to_owned();
    let (siret, address) = match r.siege {
        Some(s) => (
            s.siret.as_deref().and_then(|x| Siret::parse(x).ok()),
            head_office(&s),
        ),
        None => (None, None),
    };
    Company {
        siren,
        siret,
        legal_name,
        legal_form: LegalForm::from_insee(r.nature_juridique.as_deref().unwrap_or_default()),
        address,
        closed: r.etat_administratif.as_deref() == Some("C"),
    }
}

/// The head office's address from its parts: "12 bis rue des Lilas".
fn head_office(s: &Siege) -> Option<Address> {
    let street = [
        s.numero_voie.as_deref(),
        s.indice_repetition.as_deref(),
        s.type_voie.as_deref().map(street_type),
        s.libelle_voie.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    let lines: Vec<String> = [s.complement_adresse.as_deref(), Some(street.as_str())]
        .into_iter()
        .flatten()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let country = match s.code_pays_etranger.as_deref().map(str::trim) {
        // INSEE's country codes are not ISO ones: an address abroad is
        // left for the user to type.
        Some(code) if !code.is_empty() => return None,
        _ => Country::FR,
    };
    let city = s
        .libelle_commune
        .clone()
        .or_else(|| s.libelle_commune_etranger.clone());
    Address::new(lines, s.code_postal.clone(), city, country).ok()
}

/// The directory abbreviates street types as the postal standard does
/// ("R", "AV", "BD"): written out as people do.
fn street_type(code: &str) -> &str {
    match code.trim() {
        "R" | "RUE" => "rue",
        "AV" => "avenue",
        "BD" => "boulevard",
        "PL" => "place",
        "CHE" => "chemin",
        "IMP" => "impasse",
        "ALL" => "allée",
        "QUA" | "QU" => "quai",
        "RTE" => "route",
        "CRS" => "cours",
        "PASS" => "passage",
        "SQ" => "square",
        "FG" => "faubourg",
        "LD" => "lieu-dit",
        other => other,
    }
}
