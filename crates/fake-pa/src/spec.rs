//! The two OpenAPI files of XP Z12-013, embedded, and the checks the fake
//! runs with their schemas.
//!
//! Each check is a JSON Schema validator built from one schema of the
//! files, found by its JSON pointer: a component schema
//! (`/components/schemas/FlowInfo`) or a parameter's schema
//! (`/paths/~1v1~1flows~1{flowId}/get/parameters/3/schema`). The whole
//! document is the validator's root, so the `$ref`s inside the schema
//! resolve in the file they were written in. OpenAPI 3.0 schemas are JSON
//! Schema draft 4 with extra keywords (`example`, `nullable`), which a
//! draft 4 validator ignores; `format` is not asserted (the files give
//! `format: byte` to hex fingerprints), the dates the fake reads are
//! parsed by hand.

use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::Value;

/// The flow service, `flow-service-1.3.0.openapi.json`.
pub const FLOW_SERVICE: &str = include_str!("../spec/flow-service-1.3.0.openapi.json");
/// The directory service, `directory-service-1.3.0.openapi.json`.
pub const DIRECTORY_SERVICE: &str = include_str!("../spec/directory-service-1.3.0.openapi.json");

/// Which of the two files a schema is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Flow,
    Directory,
}

fn document(service: Service) -> &'static Value {
    static FLOW: OnceLock<Value> = OnceLock::new();
    static DIRECTORY: OnceLock<Value> = OnceLock::new();
    let (cell, text) = match service {
        Service::Flow => (&FLOW, FLOW_SERVICE),
        Service::Directory => (&DIRECTORY, DIRECTORY_SERVICE),
    };
    cell.get_or_init(|| serde_json::from_str(text).expect("the embedded OpenAPI file is JSON"))
}

/// A validator for the schema at `pointer` in `service`'s file.
///
/// Panics when the pointer names nothing or the schema does not compile:
/// both are mistakes in this crate, caught by its tests.
pub fn validator(service: Service, pointer: &str) -> Validator {
    let doc = document(service);
    let schema = doc
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no schema at {pointer}"))
        .clone();
    let mut root = doc.clone();
    root["x-fake-pa-check"] = schema;
    root["$ref"] = Value::from("#/x-fake-pa-check");
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(false)
        .build(&root)
        .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"))
}

/// A request that breaks a schema of the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// A required property is missing (else: a value is wrong).
    pub missing: bool,
    /// One line per problem, each naming where it is (`/where/processingRule/0:
    /// "B2X" is not one of …`).
    pub message: String,
}

/// Checks `instance` against `validator`.
pub fn check(validator: &Validator, instance: &Value) -> Result<(), Violation> {
    let mut missing = false;
    let problems: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| {
            missing |= matches!(
                e.kind(),
                jsonschema::error::ValidationErrorKind::Required { .. }
            );
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_owned() } else { at };
            format!("{at}: {e}")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Violation {
            missing,
            message: problems.join("; "),
        })
    }
}

/// The checks, built once.
#[derive(Debug)]
pub struct Checks {
    pub flow_info: Validator,
    pub search_flows: Validator,
    pub doc_type: Validator,
    pub flow_id: Validator,
    pub request_id: Validator,
    pub search_siren: Validator,
    pub search_siret: Validator,
    pub search_directory_line: Validator,
    pub search_routing_code: Validator,
    pub siren: Validator,
    pub siret: Validator,
    pub addressing_identifier: Validator,
    pub siren_fields: Validator,
    pub siret_fields: Validator,
    pub siret_include: Validator,
    pub line_fields: Validator,
    pub line_include: Validator,
}

/// The checks, built on first use (a few milliseconds).
pub fn checks() -> &'static Checks {
    static CHECKS: OnceLock<Checks> = OnceLock::new();
    CHECKS.get_or_init(|| {
        use Service::{Directory, Flow};
        let siren_get = "/paths/~1v1~1siren~1code-insee:{siren}/get/parameters";
        let siret_get = "/paths/~1v1~1siret~1code-insee:{siret}/get/parameters";
        let line_get = "/paths/~1v1~1directory-line~1code:{addressing-identifier}/get/parameters";
        Checks {
            flow_info: validator(Flow, "/components/schemas/FlowInfo"),
            search_flows: validator(Flow, "/components/schemas/SearchFlowParams"),
            doc_type: validator(Flow, "/paths/~1v1~1flows~1{flowId}/get/parameters/3/schema"),
            flow_id: validator(Flow, "/paths/~1v1~1flows~1{flowId}/get/parameters/2/schema"),
            request_id: validator(Flow, "/components/parameters/RequestIdHeader/schema"),
            search_siren: validator(Directory, "/components/schemas/searchSiren"),
            search_siret: validator(Directory, "/components/schemas/searchSiret"),
            search_directory_line: validator(Directory, "/components/schemas/searchDirectoryLine"),
            search_routing_code: validator(Directory, "/components/schemas/routingCodeSearch"),
            siren: validator(Directory, &format!("{siren_get}/0/schema")),
            siren_fields: validator(Directory, &format!("{siren_get}/1/schema")),
            siret: validator(Directory, &format!("{siret_get}/0/schema")),
            siret_fields: validator(Directory, &format!("{siret_get}/1/schema")),
            siret_include: validator(Directory, &format!("{siret_get}/2/schema")),
            addressing_identifier: validator(Directory, &format!("{line_get}/0/schema")),
            line_include: validator(Directory, &format!("{line_get}/1/schema")),
            line_fields: validator(Directory, &format!("{line_get}/2/schema")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_check_compiles_from_the_files() {
        let checks = checks();
        assert!(check(&checks.doc_type, &json!("Original")).is_ok());
        assert!(check(&checks.doc_type, &json!("Pdf")).is_err());
        assert!(check(&checks.siren, &json!("702042755")).is_ok());
        assert!(check(&checks.siren, &json!("70204275")).is_err());
        assert!(check(&checks.siret, &json!("70204275500240")).is_ok());
        assert!(check(&checks.flow_id, &json!("x".repeat(65))).is_err());
    }

    #[test]
    fn flow_info_is_checked_as_the_file_says() {
        let v = &checks().flow_info;
        let good = json!({"name": "F-1.pdf", "flowSyntax": "Factur-X", "processingRule": "B2B"});
        assert!(check(v, &good).is_ok());
        let wrong = check(v, &json!({"name": "F-1.pdf", "flowSyntax": "PDF"})).unwrap_err();
        assert!(wrong.message.contains("/flowSyntax"), "{wrong:?}");
        assert!(!wrong.missing);
        assert!(check(v, &json!({"flowSyntax": "CII"})).unwrap_err().missing);
        assert!(
            check(
                v,
                &json!({"name": "a", "flowSyntax": "CII", "sha256": "ABC"})
            )
            .is_err()
        );
    }
}
