//! The companies the fake knows: `data/companies.json` (embedded) or a file
//! of the same form given with `--data`.
//!
//! The file is `{"companies": [{"unite_legale": RESULT, "etablissements":
//! [ETABLISSEMENT, …]}, …]}`: `unite_legale` is one entry of the API's
//! `results` as documented (without `matching_etablissements`, which each
//! search computes), `etablissements` the company's other establishments
//! (optional), each with the fields of the documented `siege` and
//! `etablissement` objects. Fields left out are written `null` (`false`,
//! `0`, `[]` for the booleans, counts and lists the real API always fills).
//!
//! Checked when loaded, so that a test cannot rely on data the real API
//! would never send: only documented fields, of their documented types;
//! SIREN and SIRET of the right length with a valid Luhn key, each SIRET
//! starting with its SIREN, none twice; `etat_administratif` `A` or `C`
//! (`A` or `F` for an establishment); `nature_juridique` a 4-digit code the
//! API knows; `complements.est_entrepreneur_individuel` true exactly for
//! nature juridique `1000`.
//!
//! Filled in when left out, as the real API builds them: `adresse` (from
//! the address fields), `coordonnees`, `departement` (from `commune`),
//! `est_siege`, `section_activite_principale` (from the NAF code),
//! `nom_complet` (for a legal person: the name, the siège's
//! `nom_commercial` and the `sigle` in brackets, upper case),
//! `nombre_etablissements` and `nombre_etablissements_ouverts`.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::schema::{self, ETABLISSEMENT, Field, Kind, RESULT, SIEGE_HIDDEN};

/// The seed shipped with the crate.
pub const SEED: &str = include_str!("../data/companies.json");

/// One company: its `results` entry and its establishments.
#[derive(Debug, Clone)]
pub struct Company {
    /// The `results` entry, every documented field present.
    pub unite_legale: Value,
    /// Every establishment, the siège first, every field present.
    pub etablissements: Vec<Value>,
    /// The names searched by `q`, folded (see [`fold`]).
    pub(crate) names: String,
    /// The siège's address, folded.
    pub(crate) address: String,
}

impl Company {
    pub fn siren(&self) -> &str {
        self.unite_legale["siren"].as_str().unwrap_or_default()
    }
}

/// The companies, in the file's order.
#[derive(Debug, Clone)]
pub struct Data {
    pub companies: Vec<Company>,
}

impl Data {
    /// The embedded seed (`data/companies.json`).
    pub fn seed() -> Data {
        match Data::from_json(SEED) {
            Ok(data) => data,
            // The crate's tests load it: this cannot happen in a build
            // whose tests pass.
            Err(e) => panic!("data/companies.json: {e}"),
        }
    }

    pub fn from_file(path: &Path) -> Result<Data, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Data::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_json(text: &str) -> Result<Data, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let Some(root) = root.as_object() else {
            return Err("the file is one object {\"companies\": [...]}".to_owned());
        };
        if let Some(key) = root.keys().find(|k| *k != "companies") {
            return Err(format!("{key}: the file has only \"companies\""));
        }
        let Some(list) = root.get("companies").and_then(Value::as_array) else {
            return Err("\"companies\" must be an array".to_owned());
        };
        let mut companies = Vec::new();
        let mut sirens = HashSet::new();
        let mut sirets = HashSet::new();
        for (i, entry) in list.iter().enumerate() {
            let company = company(entry, &format!("companies[{i}]"))?;
            if !sirens.insert(company.siren().to_owned()) {
                return Err(format!("SIREN {} twice", company.siren()));
            }
            for etab in &company.etablissements {
                let siret = etab["siret"].as_str().unwrap_or_default();
                if !sirets.insert(siret.to_owned()) {
                    return Err(format!("SIRET {siret} twice"));
                }
            }
            companies.push(company);
        }
        Ok(Data { companies })
    }
}

/// The Luhn check of SIREN and SIRET numbers.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// Lower case, accents and punctuation dropped, spaces collapsed: how the
/// fake compares names (`"Lumière & Cie"` → `"lumiere cie"`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'œ' => "oe",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        out.push_str(folded);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn digits(value: &Value, len: usize) -> Option<&str> {
    value
        .as_str()
        .filter(|s| s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
}

/// Codes often taken for a SASU and an EURL that the API's own list of
/// natures juridiques (`app/labels/natures-juridiques.json`) lacks: it
/// answers `null` for a code not in it, and refuses it as a filter.
const NATURES_UNKNOWN_TO_THE_API: [&str; 2] = ["5720", "5498"];

fn company(entry: &Value, path: &str) -> Result<Company, String> {
    let Some(entry) = entry.as_object() else {
        return Err(format!("{path}: an object is expected"));
    };
    if let Some(key) = entry
        .keys()
        .find(|k| *k != "unite_legale" && *k != "etablissements")
    {
        return Err(format!(
            "{path}.{key}: a company has \"unite_legale\" and \"etablissements\""
        ));
    }
    let path_ul = format!("{path}.unite_legale");
    let Some(ul) = entry.get("unite_legale") else {
        return Err(format!("{path_ul}: missing"));
    };
    schema::check(ul, RESULT, &path_ul)?;
    let mut ul = ul.clone();
    let siren = digits(&ul["siren"], 9)
        .filter(|s| luhn(s))
        .ok_or_else(|| format!("{path_ul}.siren: 9 digits with a valid Luhn key"))?
        .to_owned();

    let Some(siege) = ul.get("siege").filter(|s| s.is_object()).cloned() else {
        return Err(format!("{path_ul}.siege: missing"));
    };
    if let Some(hidden) = SIEGE_HIDDEN.iter().find(|h| siege.get(**h).is_some()) {
        return Err(format!(
            "{path_ul}.siege.{hidden}: not a field of the documented siege"
        ));
    }
    let mut etablissements = vec![etablissement(
        siege,
        &siren,
        true,
        &format!("{path_ul}.siege"),
    )?];
    if let Some(others) = entry.get("etablissements") {
        let Some(others) = others.as_array() else {
            return Err(format!("{path}.etablissements: an array is expected"));
        };
        for (i, other) in others.iter().enumerate() {
            let here = format!("{path}.etablissements[{i}]");
            schema::check(other, ETABLISSEMENT, &here)?;
            etablissements.push(etablissement(other.clone(), &siren, false, &here)?);
        }
    }

    let nature = match &ul["nature_juridique"] {
        Value::Null => None,
        v => Some(
            digits(v, 4)
                .ok_or_else(|| format!("{path_ul}.nature_juridique: a 4-digit INSEE code"))?
                .to_owned(),
        ),
    };
    if let Some(code) = nature
        .as_deref()
        .filter(|c| NATURES_UNKNOWN_TO_THE_API.contains(c))
    {
        return Err(format!(
            "{path_ul}.nature_juridique: the API's list of natures juridiques has no {code} \
             (it would answer null); its codes for a SAS and a SARL are 5710 and 5499"
        ));
    }
    match ul["etat_administratif"].as_str() {
        Some("A" | "C") => {}
        _ => return Err(format!("{path_ul}.etat_administratif: \"A\" or \"C\"")),
    }

    let obj = ul.as_object_mut().expect("checked object");
    let complements = obj
        .entry("complements")
        .or_insert_with(|| Value::Object(Map::new()));
    if complements.is_null() {
        *complements = Value::Object(Map::new());
    }
    let individual = complements["est_entrepreneur_individuel"] == Value::Bool(true);
    if individual != (nature.as_deref() == Some("1000")) {
        return Err(format!(
            "{path_ul}.complements.est_entrepreneur_individuel: true exactly for nature_juridique 1000"
        ));
    }
    fill(complements, schema::COMPLEMENTS);

    if obj
        .get("section_activite_principale")
        .is_none_or(Value::is_null)
        && let Some(section) = obj
            .get("activite_principale")
            .and_then(Value::as_str)
            .and_then(section_of)
    {
        obj.insert("section_activite_principale".into(), section.into());
    }
    if obj.get("nom_complet").is_none_or(Value::is_null)
        && let Some(name) = obj.get("nom_raison_sociale").and_then(Value::as_str)
    {
        let mut parts = vec![name.to_owned()];
        if let Some(commercial) = etablissements[0]["nom_commercial"].as_str() {
            parts.push(format!("({})", commercial.trim()));
        }
        if let Some(sigle) = obj.get("sigle").and_then(Value::as_str) {
            parts.push(format!("({sigle})"));
        }
        obj.insert("nom_complet".into(), parts.join(" ").to_uppercase().into());
    }
    obj.entry("nombre_etablissements")
        .or_insert_with(|| etablissements.len().into());
    obj.entry("nombre_etablissements_ouverts")
        .or_insert_with(|| {
            etablissements
                .iter()
                .filter(|e| e["etat_administratif"] == "A")
                .count()
                .into()
        });
    obj.remove("siege");
    fill(&mut ul, RESULT);

    let mut names = String::new();
    for key in ["nom_complet", "nom_raison_sociale", "sigle"] {
        if let Some(name) = ul[key].as_str() {
            names.push_str(name);
            names.push(' ');
        }
    }
    for etab in &etablissements {
        if let Some(name) = etab["nom_commercial"].as_str() {
            names.push_str(name);
            names.push(' ');
        }
        for enseigne in etab["liste_enseignes"].as_array().into_iter().flatten() {
            names.push_str(enseigne.as_str().unwrap_or_default());
            names.push(' ');
        }
    }
    let address = fold(etablissements[0]["adresse"].as_str().unwrap_or_default());
    Ok(Company {
        unite_legale: ul,
        etablissements,
        names: fold(&names),
        address,
    })
}

/// Every field of `schema` present (defaults for the missing ones), nested
/// objects too.
fn fill(value: &mut Value, schema: &'static [Field]) {
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    for field in schema {
        let entry = obj
            .entry(field.name)
            .or_insert_with(|| schema::default_of(field.kind));
        if let (Kind::Obj(inner), Value::Object(_)) = (field.kind, &*entry) {
            fill(entry, inner);
        }
    }
}

fn etablissement(mut etab: Value, siren: &str, siege: bool, path: &str) -> Result<Value, String> {
    let siret = digits(&etab["siret"], 14)
        .filter(|s| luhn(s) && s.starts_with(siren))
        .ok_or_else(|| {
            format!("{path}.siret: 14 digits, the SIREN {siren} first, with a valid Luhn key")
        })?
        .to_owned();
    match etab["etat_administratif"].as_str() {
        Some("A" | "F") => {}
        _ => {
            return Err(format!(
                "{path}.etat_administratif: \"A\" or \"F\" ({siret})"
            ));
        }
    }
    let obj = etab.as_object_mut().expect("checked object");
    match obj.get("est_siege") {
        None => {
            obj.insert("est_siege".into(), siege.into());
        }
        Some(v) if *v == Value::Bool(siege) => {}
        Some(_) => return Err(format!("{path}.est_siege: {siege} here")),
    }
    let text = |obj: &Map<String, Value>, key: &str| {
        obj.get(key).and_then(Value::as_str).map(str::to_owned)
    };
    if let Some(cp) = text(obj, "code_postal")
        && !code_postal_ok(&cp)
    {
        return Err(format!(
            "{path}.code_postal: {cp} is not a French postal code"
        ));
    }
    if obj.get("departement").is_none_or(Value::is_null)
        && let Some(commune) = text(obj, "commune")
    {
        let len = if commune.starts_with("97") || commune.starts_with("98") {
            3
        } else {
            2
        };
        let dep: String = commune.chars().take(len).collect();
        obj.insert("departement".into(), dep.into());
    }
    if obj.get("coordonnees").is_none_or(Value::is_null)
        && let (Some(lat), Some(long)) = (text(obj, "latitude"), text(obj, "longitude"))
    {
        obj.insert("coordonnees".into(), format!("{lat},{long}").into());
    }
    if obj.get("adresse").is_none_or(Value::is_null) {
        obj.insert("adresse".into(), adresse(obj).into());
    }
    fill(&mut etab, ETABLISSEMENT);
    Ok(etab)
}

/// `adresse` as the API builds it: complement, number (or range of
/// numbers), repetition index,
/// street type and name, special distribution, then postcode and town (or
/// CEDEX code and label), then the foreign town and country; upper case.
fn adresse(obj: &Map<String, Value>) -> String {
    let get = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    // A range of numbers is written `9-10`.
    let numero = match (get("numero_voie"), get("dernier_numero_voie")) {
        (Some(first), Some(last)) => Some(format!("{first}-{last}")),
        (first, last) => first.or(last).map(str::to_owned),
    };
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(get("complement_adresse"));
    parts.extend(numero.as_deref());
    for key in [
        "indice_repetition",
        "type_voie",
        "libelle_voie",
        "distribution_speciale",
    ] {
        parts.extend(get(key));
    }
    match get("cedex") {
        Some(cedex) => parts.extend([cedex, get("libelle_cedex").unwrap_or_default()]),
        None => {
            if let Some(cp) = get("code_postal") {
                parts.extend([cp, get("libelle_commune").unwrap_or_default()]);
            }
        }
    }
    parts.extend(get("libelle_commune_etranger"));
    parts.extend(get("libelle_pays_etranger"));
    parts
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The documented pattern of `code_postal`.
pub fn code_postal_ok(cp: &str) -> bool {
    let b = cp.as_bytes();
    if b.len() != 5 || !b[2..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    match (b[0], b[1]) {
        (b'2', b'A' | b'B') => true,
        (b'0', d) => (b'1'..=b'9').contains(&d),
        (b'1'..=b'8', d) => d.is_ascii_digit(),
        (b'9', d) => (b'0'..=b'8').contains(&d),
        _ => false,
    }
}

/// The NAF section of a code such as `62.01Z`.
pub fn section_of(naf: &str) -> Option<&'static str> {
    let division: u32 = naf.get(..2)?.parse().ok()?;
    Some(match division {
        1..=3 => "A",
        5..=9 => "B",
        10..=33 => "C",
        35 => "D",
        36..=39 => "E",
        41..=43 => "F",
        45..=47 => "G",
        49..=53 => "H",
        55..=56 => "I",
        58..=63 => "J",
        64..=66 => "K",
        68 => "L",
        69..=75 => "M",
        77..=82 => "N",
        84 => "O",
        85 => "P",
        86..=88 => "Q",
        90..=93 => "R",
        94..=96 => "S",
        97..=98 => "T",
        99 => "U",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seed_loads() {
        let data = Data::seed();
        assert!(data.companies.len() >= 4);
    }

    #[test]
    fn luhn_keys() {
        assert!(luhn("732829320"));
        assert!(luhn("552100554"));
        assert!(luhn("73282932000074"));
        assert!(!luhn("732829321"));
        assert!(!luhn(""));
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Agence LUMIÈRE & Cie"), "agence lumiere cie");
        assert_eq!(fold("  L'ŒUVRE   d'Art "), "l oeuvre d art");
    }

    #[test]
    fn addresses_are_built_as_the_api_does() {
        let obj = json!({
            "complement_adresse": "BATIMENT C", "numero_voie": "25", "indice_repetition": "B",
            "type_voie": "BD", "libelle_voie": "DES BELGES", "distribution_speciale": "BP 4012",
            "code_postal": "69006", "libelle_commune": "LYON 6EME",
            "cedex": "69401", "libelle_cedex": "LYON CEDEX 06",
        });
        assert_eq!(
            adresse(obj.as_object().unwrap()),
            "BATIMENT C 25 B BD DES BELGES BP 4012 69401 LYON CEDEX 06"
        );
        let obj = json!({"numero_voie": "12", "libelle_voie": "Drottninggatan",
            "libelle_commune_etranger": "Stockholm", "libelle_pays_etranger": "SUEDE"});
        assert_eq!(
            adresse(obj.as_object().unwrap()),
            "12 DROTTNINGGATAN STOCKHOLM SUEDE"
        );
        let obj = json!({"numero_voie": "9", "dernier_numero_voie": "11", "type_voie": "RUE",
            "libelle_voie": "DE LA PAIX", "code_postal": "75002", "libelle_commune": "PARIS 2"});
        assert_eq!(
            adresse(obj.as_object().unwrap()),
            "9-11 RUE DE LA PAIX 75002 PARIS 2"
        );
    }

    #[test]
    fn bad_seeds_are_refused() {
        let base = |ul: Value| json!({"companies": [{"unite_legale": ul}]}).to_string();
        let siege = json!({"siret": "73282932000074", "etat_administratif": "A"});
        let ok = json!({"siren": "732829320", "etat_administratif": "A",
            "nature_juridique": "1000", "siege": siege,
            "complements": {"est_entrepreneur_individuel": true}});
        assert!(Data::from_json(&base(ok.clone())).is_ok());
        for (why, patch) in [
            ("luhn", json!({"siren": "732829321"})),
            (
                "sasu code",
                json!({"nature_juridique": "5720",
                "complements": {"est_entrepreneur_individuel": false}}),
            ),
            ("ei flag", json!({"nature_juridique": "5710"})),
            ("state", json!({"etat_administratif": "F"})),
            ("undocumented", json!({"capital_social": 1000})),
            (
                "siret of another siren",
                json!({"siege": {"siret": "55210055400013", "etat_administratif": "A"}}),
            ),
            ("matching given", json!({"matching_etablissements": []})),
        ] {
            let mut ul = ok.clone();
            for (k, v) in patch.as_object().unwrap() {
                ul[k] = v.clone();
            }
            assert!(Data::from_json(&base(ul)).is_err(), "{why}");
        }
    }

    #[test]
    fn postcodes() {
        assert!(code_postal_ok("69003"));
        assert!(code_postal_ok("2A004"));
        assert!(!code_postal_ok("99000"));
        assert!(!code_postal_ok("00100"));
        assert!(!code_postal_ok("6900"));
    }
}
