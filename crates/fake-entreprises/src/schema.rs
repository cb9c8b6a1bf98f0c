//! The response objects of the OpenAPI document, field by field, in the
//! order the real API writes them (its pydantic models' order).
//!
//! One table per documented schema (`result`, `siege`, `etablissement`,
//! `complements`, `dirigeant_pp`, `dirigeant_pm`, `collectivite_territoriale`,
//! `elu`, `finances`). The seed file is checked against them (a field that
//! is not documented, or of the wrong type, is refused) and the answers are
//! written from them: every field of a table is written, `null` (or `false`
//! for the booleans the real API never leaves empty) when the seed has none,
//! as the real API does.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

/// What a field holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string or `null`.
    Str,
    /// A boolean, `false` when missing.
    Bool,
    /// A boolean or `null` (the deprecated ones).
    NullableBool,
    /// An integer, `0` when missing.
    Int,
    /// An integer or `null`.
    NullableInt,
    /// An array of strings or `null`.
    StrList,
    /// An object of this schema, or `null`.
    Obj(&'static [Field]),
    /// An array of objects of this schema, or `null`.
    ObjList(&'static [Field]),
    /// `dirigeants`: an array of `dirigeant_pp` or `dirigeant_pm`, chosen by
    /// `type_dirigeant`.
    Dirigeants,
    /// `finances`: an object keyed by year (`"2023"`), each
    /// `{"ca", "resultat_net"}`, or `null`.
    Finances,
    /// `matching_etablissements`: computed for each answer, never in the seed.
    Matching,
}

/// One documented field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

use Kind::*;

/// `components.schemas.result`.
pub const RESULT: &[Field] = &[
    f("siren", Str),
    f("nom_complet", Str),
    f("nom_raison_sociale", Str),
    f("sigle", Str),
    f("nombre_etablissements", Int),
    f("nombre_etablissements_ouverts", Int),
    f("siege", Obj(ETABLISSEMENT)),
    f("activite_principale", Str),
    f("activite_principale_naf25", Str),
    f("categorie_entreprise", Str),
    f("caractere_employeur", Str),
    f("annee_categorie_entreprise", Str),
    f("date_creation", Str),
    f("date_fermeture", Str),
    f("date_mise_a_jour", Str),
    f("date_mise_a_jour_insee", Str),
    f("date_mise_a_jour_rne", Str),
    f("dirigeants", Dirigeants),
    f("etat_administratif", Str),
    f("nature_juridique", Str),
    f("section_activite_principale", Str),
    f("tranche_effectif_salarie", Str),
    f("annee_tranche_effectif_salarie", Str),
    f("statut_diffusion", Str),
    f("matching_etablissements", Matching),
    f("finances", Finances),
    f("complements", Obj(COMPLEMENTS)),
    f("tva", StrList),
];

/// The fields of `result` written only when asked (all of them unless
/// `minimal=true`; with it, those named by `include`).
pub const INCLUDABLE: [&str; 6] = [
    "siege",
    "dirigeants",
    "finances",
    "complements",
    "matching_etablissements",
    "tva",
];

/// Every field of an establishment: the union of `components.schemas.siege`
/// and `components.schemas.etablissement`. The siège is written without
/// [`SIEGE_HIDDEN`], an entry of `matching_etablissements` without
/// [`MATCHING_HIDDEN`].
pub const ETABLISSEMENT: &[Field] = &[
    f("activite_principale", Str),
    f("activite_principale_naf25", Str),
    f("activite_principale_registre_metier", Str),
    f("ancien_siege", NullableBool),
    f("annee_tranche_effectif_salarie", Str),
    f("adresse", Str),
    f("caractere_employeur", Str),
    f("cedex", Str),
    f("code_pays_etranger", Str),
    f("code_postal", Str),
    f("commune", Str),
    f("complement_adresse", Str),
    f("coordonnees", Str),
    f("date_creation", Str),
    f("date_debut_activite", Str),
    f("date_fermeture", Str),
    f("date_mise_a_jour", Str),
    f("date_mise_a_jour_insee", Str),
    f("departement", Str),
    f("distribution_speciale", Str),
    f("epci", Str),
    f("est_siege", Bool),
    f("etat_administratif", Str),
    f("geo_adresse", Str),
    f("geo_id", Str),
    f("indice_repetition", Str),
    f("latitude", Str),
    f("libelle_cedex", Str),
    f("libelle_commune", Str),
    f("libelle_commune_etranger", Str),
    f("libelle_pays_etranger", Str),
    f("libelle_voie", Str),
    f("liste_enseignes", StrList),
    f("liste_finess", StrList),
    f("liste_id_bio", StrList),
    f("liste_idcc", StrList),
    f("liste_id_organisme_formation", StrList),
    f("liste_rge", StrList),
    f("liste_uai", StrList),
    f("longitude", Str),
    f("nom_commercial", Str),
    f("numero_voie", Str),
    f("dernier_numero_voie", Str),
    f("region", Str),
    f("siret", Str),
    f("statut_diffusion_etablissement", Str),
    f("tranche_effectif_salarie", Str),
    f("type_voie", Str),
];

/// Not in `siege`.
pub const SIEGE_HIDDEN: &[&str] = &["ancien_siege"];

/// Not in `etablissement` (the entries of `matching_etablissements`).
pub const MATCHING_HIDDEN: &[&str] = &[
    "activite_principale_registre_metier",
    "coordonnees",
    "cedex",
    "code_pays_etranger",
    "complement_adresse",
    "date_mise_a_jour",
    "date_mise_a_jour_insee",
    "departement",
    "distribution_speciale",
    "geo_adresse",
    "indice_repetition",
    "libelle_cedex",
    "libelle_commune_etranger",
    "libelle_pays_etranger",
    "libelle_voie",
    "numero_voie",
    "dernier_numero_voie",
    "type_voie",
];

/// `result.complements`.
pub const COMPLEMENTS: &[Field] = &[
    f("collectivite_territoriale", Obj(COLLECTIVITE_TERRITORIALE)),
    f("convention_collective_renseignee", Bool),
    f("liste_idcc", StrList),
    f("liste_finess_juridique", StrList),
    f("egapro_renseignee", Bool),
    f("est_achats_responsables", Bool),
    f("est_alim_confiance", Bool),
    f("est_association", Bool),
    f("est_avocat", Bool),
    f("est_bio", Bool),
    f("est_entrepreneur_individuel", Bool),
    f("est_entrepreneur_spectacle", Bool),
    f("est_ess", Bool),
    f("est_finess", Bool),
    f("est_organisme_formation", Bool),
    f("est_qualiopi", Bool),
    f("liste_id_organisme_formation", StrList),
    f("est_rge", Bool),
    f("est_siae", Bool),
    f("est_societe_mission", Bool),
    f("est_uai", Bool),
    f("est_patrimoine_vivant", Bool),
    f("bilan_ges_renseigne", Bool),
    f("identifiant_association", Str),
    f("statut_entrepreneur_spectacle", Str),
    f("type_siae", Str),
    f("est_administration", Bool),
    f("est_service_public", NullableBool),
    f("est_l100_3", NullableBool),
];

/// `components.schemas.collectivite_territoriale`.
pub const COLLECTIVITE_TERRITORIALE: &[Field] = &[
    f("code", Str),
    f("code_insee", Str),
    f("elus", ObjList(ELU)),
    f("niveau", Str),
];

/// `components.schemas.elu`.
pub const ELU: &[Field] = &[
    f("nom", Str),
    f("prenoms", Str),
    f("annee_de_naissance", Str),
    f("fonction", Str),
    f("sexe", Str),
];

/// `components.schemas.dirigeant_pp`.
pub const DIRIGEANT_PP: &[Field] = &[
    f("nom", Str),
    f("prenoms", Str),
    f("annee_de_naissance", Str),
    f("date_de_naissance", Str),
    f("qualite", Str),
    f("nationalite", Str),
    f("type_dirigeant", Str),
];

/// `components.schemas.dirigeant_pm`.
pub const DIRIGEANT_PM: &[Field] = &[
    f("siren", Str),
    f("denomination", Str),
    f("qualite", Str),
    f("type_dirigeant", Str),
];

/// One year of `components.schemas.finances`.
pub const FINANCES_YEAR: &[Field] = &[f("ca", NullableInt), f("resultat_net", NullableInt)];

/// The schema of one `dirigeants` entry, by its `type_dirigeant`.
pub fn dirigeant_schema(entry: &Value) -> Option<&'static [Field]> {
    match entry.get("type_dirigeant").and_then(Value::as_str) {
        Some("personne physique") => Some(DIRIGEANT_PP),
        Some("personne morale") => Some(DIRIGEANT_PM),
        _ => None,
    }
}

/// Checks `value` against `schema` (`path` names it in the message):
/// every key documented, every value of its kind.
pub fn check(value: &Value, schema: &'static [Field], path: &str) -> Result<(), String> {
    let Value::Object(map) = value else {
        return Err(format!("{path}: an object is expected"));
    };
    for (key, v) in map {
        let Some(field) = schema.iter().find(|f| f.name == key) else {
            return Err(format!(
                "{path}.{key}: not a field of the API's documented schema"
            ));
        };
        check_kind(v, field.kind, &format!("{path}.{key}"))?;
    }
    Ok(())
}

fn check_kind(v: &Value, kind: Kind, path: &str) -> Result<(), String> {
    let ok = match kind {
        Str => v.is_null() || v.is_string(),
        Bool => v.is_boolean(),
        NullableBool => v.is_null() || v.is_boolean(),
        Int => v.is_i64() || v.is_u64(),
        NullableInt => v.is_null() || v.is_i64() || v.is_u64(),
        StrList => v.is_null() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Obj(schema) => {
            return if v.is_null() {
                Ok(())
            } else {
                check(v, schema, path)
            };
        }
        ObjList(schema) => {
            if v.is_null() {
                return Ok(());
            }
            let Some(items) = v.as_array() else {
                return Err(format!("{path}: an array is expected"));
            };
            for (i, item) in items.iter().enumerate() {
                check(item, schema, &format!("{path}[{i}]"))?;
            }
            return Ok(());
        }
        Dirigeants => {
            let Some(items) = v.as_array() else {
                return Err(format!("{path}: an array is expected"));
            };
            for (i, item) in items.iter().enumerate() {
                let here = format!("{path}[{i}]");
                let Some(schema) = dirigeant_schema(item) else {
                    return Err(format!(
                        "{here}.type_dirigeant: \"personne physique\" or \"personne morale\""
                    ));
                };
                check(item, schema, &here)?;
            }
            return Ok(());
        }
        Finances => {
            if v.is_null() {
                return Ok(());
            }
            let Some(years) = v.as_object() else {
                return Err(format!("{path}: an object keyed by year is expected"));
            };
            for (year, item) in years {
                if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("{path}.{year}: a year (AAAA) is expected"));
                }
                check(item, FINANCES_YEAR, &format!("{path}.{year}"))?;
            }
            return Ok(());
        }
        Matching => {
            return Err(format!(
                "{path}: computed by the fake for each search, not given in the seed"
            ));
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{path}: not of the documented type"))
    }
}

/// The value written for a field the seed leaves out.
pub fn default_of(kind: Kind) -> Value {
    match kind {
        Bool => Value::Bool(false),
        Int => Value::from(0),
        Dirigeants | Matching => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

/// An object written field by field in `schema`'s order, less `hidden`.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    pub value: &'a Value,
    pub schema: &'static [Field],
    pub hidden: &'static [&'static str],
}

impl<'a> View<'a> {
    pub fn new(value: &'a Value, schema: &'static [Field]) -> View<'a> {
        View {
            value,
            schema,
            hidden: &[],
        }
    }
}

/// A value written through its field's kind (nested objects in their
/// schema's order).
#[derive(Debug)]
pub struct Nested<'a>(pub &'a Value, pub Kind);

impl Serialize for Nested<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Nested(value, kind) = *self;
        match (kind, value) {
            (Obj(schema), Value::Object(_)) => View::new(value, schema).serialize(serializer),
            (ObjList(schema), Value::Array(items)) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&View::new(item, schema))?;
                }
                seq.end()
            }
            (Dirigeants, Value::Array(items)) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    match dirigeant_schema(item) {
                        Some(schema) => seq.serialize_element(&View::new(item, schema))?,
                        None => seq.serialize_element(item)?,
                    }
                }
                seq.end()
            }
            (Finances, Value::Object(years)) => {
                let mut map = serializer.serialize_map(Some(years.len()))?;
                for (year, item) in years {
                    map.serialize_entry(year, &View::new(item, FINANCES_YEAR))?;
                }
                map.end()
            }
            _ => value.serialize(serializer),
        }
    }
}

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let empty = Map::new();
        let object = self.value.as_object().unwrap_or(&empty);
        let mut map = serializer.serialize_map(None)?;
        for field in self.schema {
            if self.hidden.contains(&field.name) {
                continue;
            }
            match object.get(field.name) {
                Some(v) => map.serialize_entry(field.name, &Nested(v, field.kind))?,
                None => map.serialize_entry(field.name, &default_of(field.kind))?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn views_keep_the_schema_order_and_fill_the_gaps() {
        let value = json!({"type_dirigeant": "personne morale", "siren": "552100554"});
        let text = serde_json::to_string(&View::new(&value, DIRIGEANT_PM)).unwrap();
        assert_eq!(
            text,
            r#"{"siren":"552100554","denomination":null,"qualite":null,"type_dirigeant":"personne morale"}"#
        );
    }

    #[test]
    fn undocumented_fields_are_refused() {
        let err = check(&json!({"siren": "1", "capital": 5}), RESULT, "x").unwrap_err();
        assert!(err.contains("x.capital"), "{err}");
        let err = check(
            &json!({"complements": {"a_aide_minimis": true}}),
            RESULT,
            "x",
        );
        assert!(err.is_err());
        let err = check(&json!({"nombre_etablissements": "2"}), RESULT, "x");
        assert!(err.is_err());
    }
}
