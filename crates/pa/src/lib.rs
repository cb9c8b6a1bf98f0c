//! A typed client of a *plateforme agréée* (PA) of the French e-invoicing
//! reform, over the standard API between a business's software and its
//! platform: AFNOR XP Z12-013, whose two OpenAPI 3.0.3 annexes (flow
//! service 1.3.0, directory service 1.3.0) this crate is written from.
//! No Tauri, no database: `acquit-sync` decides what to send and records
//! what came back.
//!
//! - [`client`]: the connection (base URL, OAuth2 client credentials with
//!   the token kept and refreshed, or a bearer token), retries with
//!   backoff on 429, 5xx and lost connections, and errors that say what
//!   to do ([`PaError`]).
//! - [`flows`]: `createFlow` (multipart `flowInfo` + `file`, with the
//!   file's SHA-256), `searchFlows` (every page), `getFlow` (metadata or a
//!   document). A submission whose answer was lost is looked up by its
//!   `trackingId` before it is sent again, so a retry never makes a second
//!   flow.
//! - [`directory`]: where a company receives its invoices (its directory
//!   line at SIREN level).
//! - [`lifecycle`]: the CDAR statuses (200 "Déposée" … 212 "Encaissée" …),
//!   what each means for the seller, and the reader of the CDAR messages
//!   the buyer's side sends back.
//!
//! Paths follow the files' server URL, `https://{sub-domain}.{domain}
//! {base-path}/{service-name}` with the default service names: the user
//! gives `https://…{base-path}`, the client adds `/flow-service` and
//! `/directory-service`.

pub mod client;
pub mod directory;
pub mod flows;
pub mod lifecycle;

pub use client::{Auth, Client, Config, PaError};
pub use directory::{DirectoryLine, LineStatus};
pub use flows::{AckStatus, Flow, FlowInfo, NewFlow, SearchFilters};
pub use lifecycle::{LifecycleMessage, Status};
