//! `GET /search`'s query string, checked as the real API checks it.
//!
//! The rules, their order and their messages (`{"erreur": MESSAGE}`, 400)
//! are those of the API's request model (`SearchParams` in
//! `app/controller/search_params_model.py` and `field_validation.py` of
//! `annuaire-entreprises-data-gouv-fr/search-api`): each parameter in the
//! model's order (an integer, a number in its range, `true`/`false`, a list
//! of known codes…; the first wrong one answers), then the checks across
//! parameters: `lat`/`long` refused, `page × per_page` ≤ 10 000, the birth
//! date range, `include` only with `minimal=true`, at least one search
//! parameter, and `q` of 3 characters at least unless a filter is given.
//!
//! Where the fake departs from the real API, on purpose:
//!
//! - a parameter the documentation does not list, or one given twice, is
//!   refused (400) before anything else; the real API ignores the first and
//!   keeps the last of the second ([`Strictness::Lenient`] does as it does);
//! - `activite_principale` and `nature_juridique` are checked for their
//!   form (`62.01Z`, 4 digits) rather than against the full INSEE lists the
//!   real API embeds, and their message does not list the valid values.

use std::collections::HashMap;

/// How unknown or repeated parameters are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    /// Refused with 400 (the default: a misspelt filter shows in tests).
    #[default]
    Strict,
    /// Ignored, the last of a repeated one kept, as the real API does.
    Lenient,
}

/// Every parameter of `/search` in the OpenAPI document, and the two the
/// real API names in a refusal (`lat`, `long`).
pub const KNOWN: [&str; 53] = [
    "q",
    "activite_principale",
    "categorie_entreprise",
    "code_collectivite_territoriale",
    "convention_collective_renseignee",
    "code_postal",
    "code_commune",
    "departement",
    "region",
    "epci",
    "egapro_renseignee",
    "est_achats_responsables",
    "est_alim_confiance",
    "est_association",
    "est_bio",
    "est_collectivite_territoriale",
    "est_entrepreneur_individuel",
    "est_entrepreneur_spectacle",
    "est_ess",
    "est_finess",
    "est_organisme_formation",
    "est_patrimoine_vivant",
    "est_qualiopi",
    "est_rge",
    "est_siae",
    "est_administration",
    "est_societe_mission",
    "est_uai",
    "etat_administratif",
    "id_convention_collective",
    "id_finess",
    "id_rge",
    "id_uai",
    "nature_juridique",
    "section_activite_principale",
    "tranche_effectif_salarie",
    "nom_personne",
    "prenoms_personne",
    "date_naissance_personne_min",
    "date_naissance_personne_max",
    "type_personne",
    "ca_min",
    "ca_max",
    "resultat_net_min",
    "resultat_net_max",
    "limite_matching_etablissements",
    "minimal",
    "include",
    "page",
    "per_page",
    "page_etablissements",
    "sort_by_size",
    "lat",
];

/// `long` is checked with `lat`.
const ALSO_KNOWN: [&str; 1] = ["long"];

/// The boolean filters, each matched against `complements` of the same name.
pub const BOOL_FILTERS: [&str; 20] = [
    "est_entrepreneur_individuel",
    "convention_collective_renseignee",
    "egapro_renseignee",
    "est_achats_responsables",
    "est_alim_confiance",
    "est_bio",
    "est_finess",
    "est_uai",
    "est_collectivite_territoriale",
    "est_entrepreneur_spectacle",
    "est_patrimoine_vivant",
    "est_association",
    "est_ess",
    "est_organisme_formation",
    "est_qualiopi",
    "est_rge",
    "est_administration",
    "est_societe_mission",
    "est_siae",
    "sort_by_size",
];

/// A checked search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    /// `q` as the API takes it: upper case, as sent otherwise.
    pub terms: Option<String>,
    pub page: u64,
    pub per_page: u64,
    pub page_etablissements: Option<u64>,
    /// `limite_matching_etablissements`.
    pub matching_size: u64,
    /// The list filters by parameter name (`code_postal`, `departement`,
    /// `nature_juridique`, …), each value cleaned as the API does (dashes
    /// and spaces dropped, upper case).
    pub lists: HashMap<&'static str, Vec<String>>,
    /// The boolean filters by parameter name, and `sort_by_size`.
    pub bools: HashMap<&'static str, bool>,
    /// `id_convention_collective`, `id_finess`, `id_uai`, `id_rge`.
    pub ids: HashMap<&'static str, String>,
    pub nom_personne: Option<String>,
    pub prenoms_personne: Option<String>,
    /// `date_naissance_personne_min`/`max` as `AAAA-MM-JJ`.
    pub date_min: Option<String>,
    pub date_max: Option<String>,
    /// `ca_min`, `ca_max`, `resultat_net_min`, `resultat_net_max`.
    pub bounds: HashMap<&'static str, i128>,
    /// `ELU` or `DIRIGEANT`.
    pub type_personne: Option<String>,
    /// `A` or `C`.
    pub etat_administratif: Option<String>,
    pub minimal: bool,
    /// `include`, upper case (`SIEGE`, `COMPLEMENTS`, …).
    pub include: Option<Vec<String>>,
}

/// A refusal: the `erreur` of the 400 answer.
pub type Refusal = String;

const DEPARTEMENTS: [&str; 109] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "21", "22", "23", "24", "25", "26", "27", "28", "29", "2A", "2B", "30", "31",
    "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63",
    "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79",
    "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95",
    "971", "972", "973", "974", "975", "976", "977", "978", "984", "986", "987", "988", "989",
];

const REGIONS: [&str; 18] = [
    "01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84",
    "93", "94",
];

const SECTIONS: [&str; 21] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U",
];

const TRANCHES: [&str; 16] = [
    "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53",
];

const INCLUDE_FIELDS: [&str; 7] = [
    "COMPLEMENTS",
    "DIRIGEANTS",
    "FINANCES",
    "SCORE",
    "SIEGE",
    "MATCHING_ETABLISSEMENTS",
    "TVA",
];

/// Python's `repr` of a list of strings, as the real messages print them.
fn py_list(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    format!("[{}]", items.join(", "))
}

/// Python's `int()` of a query value: spaces around, a sign, digits
/// (underscores between them).
fn py_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let n: i128 = digits.replace('_', "").parse().ok()?;
    Some(if negative { -n } else { n })
}

/// The API's `clean_str` then `str_to_list`: dashes to spaces, spaces
/// dropped, upper case, split on commas.
fn list(text: &str) -> Vec<String> {
    text.replace('-', " ")
        .replace(' ', "")
        .to_uppercase()
        .split(',')
        .map(str::to_owned)
        .collect()
}

fn commune_ok(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 5
        && b[2..].iter().all(u8::is_ascii_digit)
        && match (b[0], b[1]) {
            (b'0' | b'1' | b'3'..=b'9', d) => d.is_ascii_digit(),
            (b'2', d) => matches!(d, b'A' | b'B' | b'1'..=b'9'),
            _ => false,
        }
}

fn naf_ok(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 6
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[2] == b'.'
        && b[3..5].iter().all(u8::is_ascii_digit)
        && b[5].is_ascii_uppercase()
        && crate::data::section_of(v).is_some()
}

/// `date.fromisoformat`, for the forms a client sends: `AAAA-MM-JJ` or
/// `AAAAMMJJ`. Returns `AAAA-MM-JJ`.
fn iso_date(text: &str) -> Option<String> {
    let compact: String = match text.len() {
        10 if text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' => {
            format!("{}{}{}", &text[..4], &text[5..7], &text[8..])
        }
        8 => text.to_owned(),
        _ => return None,
    };
    if !compact.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = compact[..4].parse().ok()?;
    let month: u32 = compact[4..6].parse().ok()?;
    let day: u32 = compact[6..].parse().ok()?;
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year == 0 || day == 0 || day > days {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn range_message(name: &str, min: &str, max: &str, default: &str) -> String {
    format!(
        "Veuillez indiquer un paramètre `{name}` entre `{min}` et `{max}`, par défaut `{default}`."
    )
}

fn integer(value: &str, name: &str, min: i128, max: i128, default: &str) -> Result<i128, Refusal> {
    let n =
        py_int(value).ok_or_else(|| format!("Veuillez indiquer un paramètre `{name}` entier."))?;
    if n < min || n > max {
        return Err(range_message(
            name,
            &min.to_string(),
            &max.to_string(),
            default,
        ));
    }
    Ok(n)
}

fn float(
    value: &str,
    name: &str,
    min: f64,
    max: f64,
    bounds: (&str, &str, &str),
) -> Result<f64, Refusal> {
    let t = value.trim();
    let x: f64 = if t.eq_ignore_ascii_case("nan") {
        None
    } else {
        t.replace('_', "").parse().ok()
    }
    .ok_or_else(|| format!("Veuillez indiquer un paramètre `{name}` flottant."))?;
    if x.is_nan() || x < min || x > max {
        return Err(range_message(name, bounds.0, bounds.1, bounds.2));
    }
    Ok(x)
}

fn boolean(value: &str, name: &str) -> Result<bool, Refusal> {
    match value.to_uppercase().as_str() {
        "TRUE" => Ok(true),
        "FALSE" => Ok(false),
        _ => Err(format!("{name} doit prendre la valeur 'true' ou 'false' !")),
    }
}

/// Decodes `query` (the raw query string) into its pairs, in order.
pub fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Checks the pairs of a `/search` query string.
pub fn check(pairs: &[(String, String)], strictness: Strictness) -> Result<Search, Refusal> {
    let mut given: HashMap<&str, &str> = HashMap::new();
    for (key, value) in pairs {
        let known = KNOWN.contains(&key.as_str()) || ALSO_KNOWN.contains(&key.as_str());
        if strictness == Strictness::Strict {
            if !known {
                return Err(format!(
                    "Paramètre inconnu : `{key}`. (Refus du faux : l'API réelle l'ignorerait \
                     sans rien dire.)"
                ));
            }
            if given.contains_key(key.as_str()) {
                return Err(format!(
                    "Paramètre répété : `{key}`. (Refus du faux : l'API réelle ne garderait que \
                     la dernière valeur.)"
                ));
            }
        }
        if known {
            given.insert(key, value);
        }
    }
    let get = |name: &str| given.get(name).copied();
    let mut s = Search {
        page: 1,
        per_page: 10,
        matching_size: 10,
        ..Search::default()
    };

    // Each parameter in the order of the API's model.
    if let Some(v) = get("page") {
        s.page = integer(v, "page", 1, 1000, "1")? as u64;
    }
    if let Some(v) = get("page_etablissements") {
        s.page_etablissements = Some(integer(v, "page_etablissements", 1, 1000, "None")? as u64);
    }
    if let Some(v) = get("per_page") {
        s.per_page = integer(v, "per_page", 1, 25, "10")? as u64;
    }
    s.terms = get("q").map(str::to_uppercase);
    let listed = |name: &'static str,
                  s: &mut Search,
                  valid: &dyn Fn(&str) -> bool,
                  message: &dyn Fn() -> String| {
        if let Some(v) = get(name) {
            let values = list(v);
            if values.iter().any(|v| !valid(v)) {
                return Err(message());
            }
            s.lists.insert(name, values);
        }
        Ok(())
    };
    let not_valid = |alias: &str, values: Option<&[&str]>| {
        let tail = match values {
            Some(values) => format!(" Les valeurs valides : {}.", py_list(values)),
            None => String::new(),
        };
        format!("Au moins un paramètre `{alias}` est non valide.{tail}")
    };
    let regex_message =
        |field: &str| format!("Au moins une valeur du paramètre {field} est non valide.");
    listed("activite_principale", &mut s, &naf_ok, &|| {
        not_valid("activite_principale", None)
    })?;
    listed(
        "categorie_entreprise",
        &mut s,
        &|v| ["GE", "PME", "ETI"].contains(&v),
        &|| not_valid("categorie_entreprise", Some(&["GE", "PME", "ETI"])),
    )?;
    listed("code_commune", &mut s, &commune_ok, &|| {
        regex_message("commune")
    })?;
    listed("code_postal", &mut s, &crate::data::code_postal_ok, &|| {
        regex_message("code_postal")
    })?;
    listed(
        "departement",
        &mut s,
        &|v| DEPARTEMENTS.contains(&v),
        &|| not_valid("departement", Some(&DEPARTEMENTS)),
    )?;
    listed("region", &mut s, &|v| REGIONS.contains(&v), &|| {
        not_valid("region", Some(&REGIONS))
    })?;
    let boolean_param = |name: &'static str, s: &mut Search| -> Result<(), Refusal> {
        if let Some(v) = get(name) {
            s.bools.insert(name, boolean(v, name)?);
        }
        Ok(())
    };
    boolean_param("est_entrepreneur_individuel", &mut s)?;
    listed(
        "section_activite_principale",
        &mut s,
        &|v| SECTIONS.contains(&v),
        &|| not_valid("section_activite_principale", Some(&SECTIONS)),
    )?;
    listed(
        "tranche_effectif_salarie",
        &mut s,
        &|v| TRANCHES.contains(&v),
        &|| not_valid("tranche_effectif_salarie", Some(&TRANCHES)),
    )?;
    for name in [
        "convention_collective_renseignee",
        "egapro_renseignee",
        "est_achats_responsables",
        "est_alim_confiance",
    ] {
        boolean_param(name, &mut s)?;
    }
    listed(
        "epci",
        &mut s,
        &|v| v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()),
        &|| regex_message("epci"),
    )?;
    for name in [
        "est_bio",
        "est_finess",
        "est_uai",
        "est_collectivite_territoriale",
        "est_entrepreneur_spectacle",
        "est_patrimoine_vivant",
        "est_association",
        "est_ess",
        "est_organisme_formation",
        "est_qualiopi",
        "est_rge",
        "est_administration",
        "est_societe_mission",
    ] {
        boolean_param(name, &mut s)?;
    }
    for (name, len) in [
        ("id_convention_collective", 4),
        ("id_finess", 9),
        ("id_uai", 8),
    ] {
        if let Some(v) = get(name) {
            if v.chars().count() != len {
                return Err(format!(
                    "Le paramètre `{name}` doit contenir {len} caractères."
                ));
            }
            s.ids.insert(name, v.to_owned());
        }
    }
    listed(
        "code_collectivite_territoriale",
        &mut s,
        &|v| v.chars().count() >= 2,
        &|| {
            "Chaque identifiant code insee d'une collectivité\n                    territoriale doit contenir au moins 2 caractères."
                .to_owned()
        },
    )?;
    if let Some(v) = get("id_rge") {
        s.ids.insert("id_rge", v.to_owned());
    }
    let person = |v: &str| v.replace('-', " ").to_lowercase();
    s.nom_personne = get("nom_personne").map(person);
    s.prenoms_personne = get("prenoms_personne").map(person);
    for (name, slot) in [
        ("date_naissance_personne_min", &mut s.date_min),
        ("date_naissance_personne_max", &mut s.date_max),
    ] {
        if let Some(v) = get(name) {
            *slot = Some(iso_date(v).ok_or_else(|| {
                "Veuillez indiquer une date sous le format : aaaa-mm-jj. Exemple : '1990-01-02'"
                    .to_owned()
            })?);
        }
    }
    const LIMIT: i128 = 9_223_372_036_854_775_295;
    for name in ["ca_min", "ca_max", "resultat_net_min", "resultat_net_max"] {
        if let Some(v) = get(name) {
            s.bounds
                .insert(name, integer(v, name, -LIMIT, LIMIT, "None")?);
        }
    }
    if let Some(v) = get("type_personne") {
        let v = v.to_uppercase();
        if v != "ELU" && v != "DIRIGEANT" {
            return Err(
                "Le paramètre `type_personne` doit prendre une des valeurs suivantes ['ELU', 'DIRIGEANT']."
                    .to_owned(),
            );
        }
        s.type_personne = Some(v);
    }
    if let Some(v) = get("etat_administratif") {
        let v = v.to_uppercase();
        if v != "A" && v != "C" {
            return Err(
                "Le paramètre `etat_administratif` doit prendre une des valeurs suivantes ['A', 'C']."
                    .to_owned(),
            );
        }
        s.etat_administratif = Some(v);
    }
    listed(
        "nature_juridique",
        &mut s,
        &|v| v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) && v != "5720" && v != "5498",
        &|| not_valid("nature_juridique", None),
    )?;
    boolean_param("est_siae", &mut s)?;
    if let Some(v) = get("limite_matching_etablissements") {
        s.matching_size = integer(v, "matching_size", 1, 100, "10")? as u64;
    }
    let lat = get("lat")
        .map(|v| float(v, "lat", -90.0, 90.0, ("-90", "90", "None")))
        .transpose()?;
    let long = get("long")
        .map(|v| float(v, "lon", -180.0, 180.0, ("-180", "180", "None")))
        .transpose()?;
    if let Some(v) = get("minimal") {
        s.minimal = boolean(v, "minimal")?;
    }
    if let Some(v) = get("include") {
        let values = list(v);
        if values.iter().any(|v| !INCLUDE_FIELDS.contains(&v.as_str())) {
            let lower: Vec<String> = INCLUDE_FIELDS.iter().map(|f| f.to_lowercase()).collect();
            let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
            return Err(format!(
                "Au moins un champ à inclure est non valide. Les champs valides : {}.",
                py_list(&lower)
            ));
        }
        s.include = Some(values);
    }
    boolean_param("sort_by_size", &mut s)?;

    // The checks across parameters, in the model's order.
    if lat.is_some() || long.is_some() {
        return Err(
            "Les paramètres 'lat', 'long' ne sont autorisés que pour une recherche géographique."
                .to_owned(),
        );
    }
    if s.page * s.per_page > 10_000 {
        return Err(
            "Le nombre total de résultats est restreint à 10 000. Pour garantir cela, le \
                    produit du numéro de page (par défaut, page = 1) et du nombre de résultats \
                    par page (par défaut, per_page = 10), c'est-à-dire `page * per_page`, ne doit \
                    pas excéder 10 000."
                .to_owned(),
        );
    }
    if let (Some(min), Some(max)) = (&s.date_min, &s.date_max)
        && max < min
    {
        return Err(
            "Veuillez indiquer une date minimale inférieure à la date maximale.".to_owned(),
        );
    }
    if s.include.is_some() && !s.minimal {
        return Err(
            "Veuillez indiquer si vous souhaitez une réponse minimale avec le filtre \
                    `minimal=True`` avant de préciser les champs à inclure."
                .to_owned(),
        );
    }
    // What counts as a search parameter: anything given but pagination and
    // presentation (`page_etablissements` counts for the short-`q` rule only).
    let presentation = [
        "page",
        "per_page",
        "limite_matching_etablissements",
        "minimal",
        "include",
        "sort_by_size",
    ];
    let filters = |also_excluded: &[&str]| {
        given
            .keys()
            .any(|k| !presentation.contains(k) && !also_excluded.contains(k))
    };
    if !filters(&["page_etablissements"]) {
        return Err("Veuillez indiquer au moins un paramètre de recherche.".to_owned());
    }
    if let Some(terms) = &s.terms
        && terms.chars().count() < 3
        && !filters(&["q"])
    {
        return Err(
            "3 caractères minimum pour les termes de la requête (ou utilisez au moins un filtre)"
                .to_owned(),
        );
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str) -> Result<Search, Refusal> {
        check(&pairs(Some(query)), Strictness::Strict)
    }

    #[test]
    fn the_real_api_s_own_cases() {
        // From the real API's end-to-end tests (app/tests/e2e_tests/test_api.py).
        assert_eq!(
            check(&pairs(Some("qs=ganymede")), Strictness::Lenient).unwrap_err(),
            "Veuillez indiquer au moins un paramètre de recherche."
        );
        assert!(run("q=abc").is_ok());
        assert_eq!(
            run("q=ab").unwrap_err(),
            "3 caractères minimum pour les termes de la requête (ou utilisez au moins un filtre)"
        );
        assert_eq!(run("q=").unwrap_err(), run("q=ab").unwrap_err());
        assert!(run("q=ab&code_postal=75015").is_ok());
        assert_eq!(
            run("date_naissance_personne_min=13/09/2001").unwrap_err(),
            "Veuillez indiquer une date sous le format : aaaa-mm-jj. Exemple : '1990-01-02'"
        );
        assert_eq!(
            run("q=ganymede&page=10001").unwrap_err(),
            "Veuillez indiquer un paramètre `page` entre `1` et `1000`, par défaut `1`."
        );
        assert_eq!(
            run("q=ganymede&per_page=0").unwrap_err(),
            "Veuillez indiquer un paramètre `per_page` entre `1` et `25`, par défaut `10`."
        );
        assert_eq!(
            run("q=test&lat=48.86&long=2.35").unwrap_err(),
            "Les paramètres 'lat', 'long' ne sont autorisés que pour une recherche géographique."
        );
        assert_eq!(
            run("ca_min=1234 GH").unwrap_err(),
            "Veuillez indiquer un paramètre `ca_min` entier."
        );
        assert!(run("categorie_entreprise=GE,PME").is_ok());
        assert!(run("convention_collective_renseignee=true&est_rge=true").is_ok());
        assert!(run("id_finess=940008048&est_finess=true").is_ok());
    }

    #[test]
    fn strictness() {
        assert!(run("q=acquit&qq=1").unwrap_err().contains("`qq`"));
        assert!(run("q=acquit&q=autre").unwrap_err().contains("répété"));
        let lenient = check(&pairs(Some("q=acquit&qq=1&q=autre")), Strictness::Lenient).unwrap();
        assert_eq!(lenient.terms.as_deref(), Some("AUTRE"));
    }

    #[test]
    fn values() {
        assert_eq!(run("q=abc&per_page= 25 ").unwrap().per_page, 25);
        assert_eq!(
            run("q=abc&per_page=26").unwrap_err(),
            "Veuillez indiquer un paramètre `per_page` entre `1` et `25`, par défaut `10`."
        );
        assert_eq!(
            run("q=abc&per_page=dix").unwrap_err(),
            "Veuillez indiquer un paramètre `per_page` entier."
        );
        assert_eq!(
            run("q=abc&limite_matching_etablissements=0").unwrap_err(),
            "Veuillez indiquer un paramètre `matching_size` entre `1` et `100`, par défaut `10`."
        );
        assert_eq!(
            run("q=abc&est_rge=oui").unwrap_err(),
            "est_rge doit prendre la valeur 'true' ou 'false' !"
        );
        assert_eq!(
            run("code_commune=20004").unwrap_err(),
            "Au moins une valeur du paramètre commune est non valide."
        );
        assert_eq!(
            run("q=abc&page=500&per_page=25")
                .unwrap_err()
                .split('.')
                .next(),
            Some("Le nombre total de résultats est restreint à 10 000")
        );
        assert_eq!(
            run("categorie_entreprise=TPE").unwrap_err(),
            "Au moins un paramètre `categorie_entreprise` est non valide. Les valeurs valides : ['GE', 'PME', 'ETI']."
        );
        assert!(run("nature_juridique=5720").is_err());
        assert_eq!(
            run("nature_juridique=5710,1000").unwrap().lists["nature_juridique"].len(),
            2
        );
        assert!(
            run("q=abc&include=siege")
                .unwrap_err()
                .contains("minimal=True``")
        );
        assert!(run("q=abc&minimal=true&include=siege,tva").is_ok());
        assert_eq!(
            run("q=abc&minimal=true&include=adresse").unwrap_err(),
            "Au moins un champ à inclure est non valide. Les champs valides : ['complements', 'dirigeants', 'finances', 'score', 'siege', 'matching_etablissements', 'tva']."
        );
        assert_eq!(
            run("departement=69&q=a").unwrap().lists["departement"],
            ["69"]
        );
        assert_eq!(
            run("activite_principale=62.01z").unwrap().lists["activite_principale"],
            ["62.01Z"]
        );
        assert!(run("q=abc&page_etablissements=2").is_ok());
        assert_eq!(
            run("q=ab&page_etablissements=2").map(|s| s.page_etablissements),
            Ok(Some(2))
        );
        assert!(run("date_naissance_personne_min=1990-02-30").is_err());
        assert_eq!(
            run("date_naissance_personne_min=1990-01-01&date_naissance_personne_max=1980-01-01")
                .unwrap_err(),
            "Veuillez indiquer une date minimale inférieure à la date maximale."
        );
    }

    #[test]
    fn python_ints() {
        assert_eq!(py_int(" +12 "), Some(12));
        assert_eq!(py_int("1_000"), Some(1000));
        assert_eq!(py_int("-3"), Some(-3));
        assert_eq!(py_int("1.0"), None);
        assert_eq!(py_int(""), None);
        assert_eq!(py_int("_1"), None);
    }
}
