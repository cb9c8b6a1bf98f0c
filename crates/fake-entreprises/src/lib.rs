//! A local stand-in for the *API Recherche d'entreprises*
//! (<https://recherche-entreprises.api.gouv.fr>), the French State's free
//! company directory search, for tests and the demo: Acquit fills a company
//! or a client from its SIREN or SIRET with it, and its tests run without
//! the network.
//!
//! Written from the service's published contract, not from Acquit's client
//! (it shares no code with it, so that the client's mistakes show up
//! against it): the OpenAPI document served at
//! <https://recherche-entreprises.api.gouv.fr/docs/> (`app/doc/open-api.yml`
//! of `annuaire-entreprises-data-gouv-fr/search-api`, "API Recherche
//! d’entreprises" 1.0.0), and for what the document leaves unsaid (the
//! checks and their messages, which fields are always written) that
//! service's own source. See `README.md` for the sources and what could not
//! be confirmed.
//!
//! Served:
//!
//! - `GET /search?q=…&page=…&per_page=…&…` (and `HEAD`): every parameter
//!   checked as the real API does ([`query`]), refusals as `400
//!   {"erreur": "…"}`; answers `{"results": [RESULT…], "total_results",
//!   "page", "per_page", "total_pages"}` where each result has the
//!   documented fields in the real order ([`schema`]). `q` of 9 or 14
//!   digits (spaces allowed) finds a company by SIREN or SIRET; other `q`
//!   match names, case and accents ignored ([`search`]).
//! - Anything else: `404 {"erreur": "Ressource non trouvée."}`.
//! - Test controls, not the service's, under `/_fake/`:
//!   `POST /_fake/unavailable {"seconds": N}` (503 for N seconds),
//!   `POST /_fake/rate-limit {"retry_after"?: S, "requests"?: N}` (the next
//!   N requests get 429 with `Retry-After: S`), `GET /_fake/requests` (the
//!   requests received, oldest first), `POST /_fake/reset`.
//!
//! The companies come from `data/companies.json` ([`data`]) or another file
//! of that form (`--data`, [`Config::data`]).

pub mod data;
pub mod query;
pub mod schema;
pub mod search;
pub mod server;

pub use data::Data;
pub use query::Strictness;
pub use server::{Config, router, serve};
