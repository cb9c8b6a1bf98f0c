//! A local stand-in for a *plateforme agréée* (PA) of the French
//! e-invoicing reform, for tests and the demo.
//!
//! Written from the standard's published contract, not from Acquit's
//! client (it shares no code with it, so that the client's mistakes show
//! up against it): the two OpenAPI 3.0.3 annexes of AFNOR XP Z12-013,
//! kept unchanged in `spec/` (see `spec/README.md`) and embedded: every
//! request body and parameter is checked against their schemas
//! ([`spec`]), the rest by hand following their text.
//!
//! One fake serves both services and their token endpoint, at the paths
//! the files' server URLs give with an empty base path and the default
//! service names (`https://{sub-domain}.{domain}{base-path}/{service-name}`):
//!
//! - `POST /auth-service/{custId}/token`: OAuth2 client credentials
//!   (RFC 6749 §4.4; the files' `tokenUrl`), client id and secret in HTTP
//!   Basic or in the form; answers `{"access_token", "token_type":
//!   "Bearer", "expires_in"}`, or RFC 6749's `{"error": …}`.
//! - Flow service, under `/flow-service`: `POST /v1/flows` (`createFlow`,
//!   multipart `flowInfo` + `file`, answered 202 with the `FullFlowInfo`),
//!   `POST /v1/flows/search` (`searchFlows`), `GET /v1/flows/{flowId}`
//!   (`getFlow`, `docType` Metadata, Original, Converted, ReadableView),
//!   `GET /v1/healthcheck`. Webhooks answer 501 for now.
//! - Directory service, under `/directory-service`: `GET
//!   /v1/siren/code-insee:{siren}`, `GET /v1/siret/code-insee:{siret}`,
//!   `GET /v1/directory-line/code:{addressing-identifier}`, `POST
//!   /v1/siren/search`, `/v1/siret/search`, `/v1/directory-line/search`,
//!   `/v1/routing-code/search` (no routing codes: always empty), `GET
//!   /v1/healthcheck`.
//!
//! Every service call but the health checks needs `Authorization: Bearer TOKEN`, a token from
//! the token endpoint or one of [`Config::tokens`]; errors are the files'
//! `Error` object `{"errorCode", "errorMessage", "details"}` with the
//! status the operation lists.
//!
//! What a flow goes through ([`flows`]): received `Pending`, then `Ok` or
//! `Error` with a reason code of `ReasonCodeEnum` when a test says so
//! (`POST /_fake/process`) or after [`Config::auto_ack`]; the fake's own
//! checks (empty file, a PDF that is not one, a duplicate) win over what
//! the test asks. Lifecycle statuses the buyer's side sends back arrive as
//! incoming CDAR flows (`flowType` `CustomerInvoiceLC`, `flowDirection`
//! `In`), which the client finds with `searchFlows` and reads with
//! `getFlow`, as the standard has it.
//!
//! Test controls, not the standard's, under `/_fake/` (no token):
//!
//! - `POST /_fake/directory {"siren", "registered", "name"?, "siret"?}`:
//!   adds or replaces a company of the directory; `registered: false`
//!   gives it a `Disabled` directory line (no PA chosen).
//! - `POST /_fake/lifecycle {"trackingId", "status", "reason"?,
//!   "reasonMessage"?, "invoiceId"?, "issuerSiren"?, "amount"?, "vatRate"?}`: the buyer's
//!   side sends lifecycle status `status` (a CDAR code, `"205"`) about the
//!   invoice flow sent with `trackingId`.
//! - `POST /_fake/process {"flowId" | "trackingId", "status": "Ok" |
//!   "Error", "reasonCode"?, "reasonMessage"?}`: the PA's checks end.
//! - `POST /_fake/incoming {"name", "file" (base64), "syntax"?}`: a
//!   supplier's invoice for the user arrives (`SupplierInvoice`, `In`).
//! - `POST /_fake/stall {"createFlowMs"}`: `createFlow` keeps each new
//!   flow but answers this much later (an answer lost to a crash or a cut).
//! - `POST /_fake/withhold {"flowId"}`: that flow's documents are no longer
//!   handed over (404), its metadata stays.
//! - `POST /_fake/tokens/expire`: every token issued so far expires.
//! - `GET /_fake/requests`: the requests received, as logged.

pub mod directory;
pub mod flows;
pub mod invoice;
pub mod server;
pub mod spec;

pub use server::{Config, router, serve};
