//! Answering a checked [`Search`] from the [`Data`].
//!
//! - `q` of exactly 9 digits once its spaces are dropped (a SIREN): that
//!   company, every other filter ignored, `matching_etablissements` empty,
//!   as documented.
//! - `q` of exactly 14 digits once its spaces are dropped (a SIRET): the
//!   company with that establishment, `matching_etablissements` holding it
//!   alone, other filters ignored.
//! - Otherwise: each word of `q` (folded: case and accents ignored) must
//!   appear in the company's names (`nom_complet`, `nom_raison_sociale`,
//!   `sigle`, its establishments' `nom_commercial` and `liste_enseignes`) or
//!   in its siège's address; the filters narrow the companies (those on
//!   establishments — `code_postal`, `code_commune`, `departement`,
//!   `region`, `epci`, `id_*` — keep a company one of whose establishments
//!   passes them); `matching_etablissements` lists the company's
//!   establishments that pass the establishment filters, the siège first,
//!   `limite_matching_etablissements` a page (`page_etablissements`). This
//!   is not Elasticsearch's relevance: results come in the file's order
//!   (or by number of establishments with `sort_by_size=true`).
//!
//! Companies of a natural person that asked not to be listed
//! (`statut_diffusion` `P`, nature juridique `1…`) are found by number
//! only, as in the real API.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use crate::data::{Company, Data, fold};
use crate::query::Search;
use crate::schema::{self, ETABLISSEMENT, INCLUDABLE, MATCHING_HIDDEN, RESULT, SIEGE_HIDDEN, View};

/// The answer of `/search`: `{"results", "total_results", "page",
/// "per_page", "total_pages"}`.
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    pub results: Vec<Found<'a>>,
    pub total_results: u64,
    pub page: u64,
    pub per_page: u64,
    pub total_pages: u64,
}

/// One entry of `results`.
#[derive(Debug)]
pub struct Found<'a> {
    company: &'a Company,
    matching: Vec<&'a Value>,
    include: Vec<&'static str>,
}

impl Serialize for Found<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ul = &self.company.unite_legale;
        let mut map = serializer.serialize_map(None)?;
        for field in RESULT {
            if INCLUDABLE.contains(&field.name) && !self.include.contains(&field.name) {
                continue;
            }
            match field.name {
                "siege" => {
                    let siege = View {
                        value: &self.company.etablissements[0],
                        schema: ETABLISSEMENT,
                        hidden: SIEGE_HIDDEN,
                    };
                    map.serialize_entry("siege", &siege)?;
                }
                "matching_etablissements" => {
                    let list: Vec<View> = self
                        .matching
                        .iter()
                        .map(|e| View {
                            value: e,
                            schema: ETABLISSEMENT,
                            hidden: MATCHING_HIDDEN,
                        })
                        .collect();
                    map.serialize_entry("matching_etablissements", &list)?;
                }
                name => {
                    let value = &ul[name];
                    map.serialize_entry(name, &schema::Nested(value, field.kind))?;
                }
            }
        }
        map.end()
    }
}

/// The digits of `terms` once its spaces are dropped, when it is a SIREN
/// (9) or a SIRET (14).
fn number(terms: &str) -> Option<String> {
    let compact = terms.replace(' ', "");
    let digits = compact.bytes().all(|b| b.is_ascii_digit());
    (digits && (compact.len() == 9 || compact.len() == 14)).then_some(compact)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn list_contains(v: &Value, key: &str, wanted: &str) -> bool {
    v.get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(wanted)))
}

fn list_nonempty(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// Whether the search names a filter on establishments.
fn etablissement_filters_used(s: &Search) -> bool {
    [
        "code_postal",
        "code_commune",
        "departement",
        "region",
        "epci",
    ]
    .iter()
    .any(|k| s.lists.contains_key(k))
        || !s.ids.is_empty()
}

fn etablissement_passes(e: &Value, s: &Search) -> bool {
    for (param, field) in [
        ("code_postal", "code_postal"),
        ("code_commune", "commune"),
        ("departement", "departement"),
        ("region", "region"),
        ("epci", "epci"),
    ] {
        if let Some(values) = s.lists.get(param)
            && !text(e, field).is_some_and(|v| values.iter().any(|w| w == v))
        {
            return false;
        }
    }
    for (param, field) in [
        ("id_convention_collective", "liste_idcc"),
        ("id_finess", "liste_finess"),
        ("id_uai", "liste_uai"),
        ("id_rge", "liste_rge"),
    ] {
        if let Some(id) = s.ids.get(param)
            && !list_contains(e, field, id)
        {
            return false;
        }
    }
    for (param, field) in [
        ("convention_collective_renseignee", "liste_idcc"),
        ("est_finess", "liste_finess"),
        ("est_bio", "liste_id_bio"),
        ("est_uai", "liste_uai"),
        ("est_rge", "liste_rge"),
    ] {
        if s.bools.get(param) == Some(&true) && !list_nonempty(e, field) {
            return false;
        }
    }
    true
}

/// The words of a person filter, French stop words dropped as the API does.
fn person_words(text: &str) -> Vec<String> {
    const STOP: [&str; 14] = [
        "de", "la", "le", "du", "des", "et", "à", "au", "aux", "les", "un", "une", "dans", "par",
    ];
    text.split_whitespace()
        .filter(|w| !STOP.contains(&w.to_lowercase().as_str()))
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect()
}

fn person_passes(s: &Search, nom: Option<&str>, prenoms: Option<&str>, born: Option<&str>) -> bool {
    let has_all = |wanted: &Option<String>, field: Option<&str>| match wanted {
        None => true,
        Some(wanted) => {
            let have = fold(field.unwrap_or_default());
            let have: Vec<&str> = have.split(' ').collect();
            person_words(wanted)
                .iter()
                .all(|w| have.contains(&w.as_str()))
        }
    };
    // A birth known to the month (`AAAA-MM`) is taken as its first day.
    let born = born.map(|b| {
        if b.len() == 7 {
            format!("{b}-01")
        } else {
            b.to_owned()
        }
    });
    let after = s
        .date_min
        .as_ref()
        .is_none_or(|min| born.as_ref().is_some_and(|b| b >= min));
    let before = s
        .date_max
        .as_ref()
        .is_none_or(|max| born.as_ref().is_some_and(|b| b <= max));
    has_all(&s.nom_personne, nom) && has_all(&s.prenoms_personne, prenoms) && after && before
}

fn persons_pass(c: &Company, s: &Search) -> bool {
    if s.nom_personne.is_none()
        && s.prenoms_personne.is_none()
        && s.date_min.is_none()
        && s.date_max.is_none()
    {
        return true;
    }
    let ul = &c.unite_legale;
    let kind = s.type_personne.as_deref();
    let dirigeants = kind != Some("ELU")
        && ul["dirigeants"].as_array().into_iter().flatten().any(|d| {
            text(d, "type_dirigeant") == Some("personne physique")
                && person_passes(
                    s,
                    text(d, "nom"),
                    text(d, "prenoms"),
                    text(d, "date_de_naissance"),
                )
        });
    let elus = kind != Some("DIRIGEANT")
        && ul["complements"]["collectivite_territoriale"]["elus"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| {
                person_passes(
                    s,
                    text(e, "nom"),
                    text(e, "prenoms"),
                    text(e, "annee_de_naissance"),
                )
            });
    dirigeants || elus
}

fn company_passes(c: &Company, s: &Search) -> bool {
    let ul = &c.unite_legale;
    let natural = text(ul, "nature_juridique").is_some_and(|n| n.starts_with('1'));
    if text(ul, "statut_diffusion") == Some("P") && natural {
        return false;
    }
    if let Some(terms) = &s.terms {
        let words = fold(terms);
        if words.is_empty() {
            return false;
        }
        let found = words
            .split(' ')
            .all(|w| c.names.contains(w) || c.address.contains(w));
        if !found {
            return false;
        }
    }
    for (param, field) in [
        ("activite_principale", "activite_principale"),
        ("nature_juridique", "nature_juridique"),
        ("section_activite_principale", "section_activite_principale"),
        ("tranche_effectif_salarie", "tranche_effectif_salarie"),
        ("categorie_entreprise", "categorie_entreprise"),
    ] {
        if let Some(values) = s.lists.get(param)
            && !text(ul, field).is_some_and(|v| values.iter().any(|w| w == v))
        {
            return false;
        }
    }
    let complements = &ul["complements"];
    if let Some(codes) = s.lists.get("code_collectivite_territoriale")
        && !text(&complements["collectivite_territoriale"], "code")
            .is_some_and(|v| codes.iter().any(|w| w == v))
    {
        return false;
    }
    if let Some(state) = &s.etat_administratif
        && text(ul, "etat_administratif") != Some(state.as_str())
    {
        return false;
    }
    for (param, wanted) in &s.bools {
        let have = match *param {
            "sort_by_size" => continue,
            "est_collectivite_territoriale" => !complements["collectivite_territoriale"].is_null(),
            name => complements[name] == Value::Bool(true),
        };
        if have != *wanted {
            return false;
        }
    }
    for (param, bound) in &s.bounds {
        let (field, is_min) = match *param {
            "ca_min" => ("ca", true),
            "ca_max" => ("ca", false),
            "resultat_net_min" => ("resultat_net", true),
            _ => ("resultat_net", false),
        };
        // The latest year's figures.
        let latest = ul["finances"]
            .as_object()
            .and_then(|years| years.iter().max_by(|a, b| a.0.cmp(b.0)))
            .and_then(|(_, y)| y[field].as_i64());
        let ok = latest.is_some_and(|v| {
            let v = i128::from(v);
            if is_min { v >= *bound } else { v <= *bound }
        });
        if !ok {
            return false;
        }
    }
    if !persons_pass(c, s) {
        return false;
    }
    !etablissement_filters_used(s) || c.etablissements.iter().any(|e| etablissement_passes(e, s))
}

/// The fields of `result` to write.
fn included(s: &Search) -> Vec<&'static str> {
    if !s.minimal {
        return INCLUDABLE.to_vec();
    }
    let asked = s.include.clone().unwrap_or_default();
    INCLUDABLE
        .iter()
        .copied()
        .filter(|f| asked.iter().any(|a| a.eq_ignore_ascii_case(f)))
        .collect()
}

/// Runs `s` over `data`.
pub fn run<'a>(data: &'a Data, s: &Search) -> Payload<'a> {
    let include = included(s);
    let mut found: Vec<(&Company, Vec<&Value>)> = Vec::new();
    match s.terms.as_deref().and_then(number) {
        Some(n) if n.len() == 9 => {
            found.extend(
                data.companies
                    .iter()
                    .filter(|c| c.siren() == n)
                    .map(|c| (c, Vec::new())),
            );
        }
        Some(n) => {
            for c in &data.companies {
                if let Some(e) = c
                    .etablissements
                    .iter()
                    .find(|e| text(e, "siret") == Some(&n))
                {
                    found.push((c, vec![e]));
                }
            }
        }
        None => {
            for c in data.companies.iter().filter(|c| company_passes(c, s)) {
                let matching: Vec<&Value> = c
                    .etablissements
                    .iter()
                    .filter(|e| etablissement_passes(e, s))
                    .collect();
                let size = s.matching_size as usize;
                let skip = (s.page_etablissements.unwrap_or(1) as usize - 1) * size;
                let page: Vec<&Value> = matching.into_iter().skip(skip).take(size).collect();
                found.push((c, page));
            }
            if s.bools.get("sort_by_size") == Some(&true) {
                found.sort_by_key(|(c, _)| {
                    std::cmp::Reverse(c.unite_legale["nombre_etablissements"].as_u64())
                });
            }
        }
    }
    let total_results = (found.len() as u64).min(10_000);
    let total_pages = total_results.div_ceil(s.per_page);
    let skip = ((s.page - 1) * s.per_page) as usize;
    let results = found
        .into_iter()
        .skip(skip)
        .take(s.per_page as usize)
        .map(|(company, matching)| Found {
            company,
            matching,
            include: include.clone(),
        })
        .collect();
    Payload {
        results,
        total_results,
        page: s.page,
        per_page: s.per_page,
        total_pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("732 829 320").as_deref(), Some("732829320"));
        assert_eq!(
            number("732 829 320 00074").as_deref(),
            Some("73282932000074")
        );
        assert_eq!(number("7328293200"), None);
        assert_eq!(number("732-829-320"), None);
    }
}
