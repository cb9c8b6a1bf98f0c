//! A local stand-in for VIES, the European Commission's register of VAT
//! numbers, for tests and the demo.
//!
//! Written from VIES's published contract, not from Acquit's client (it
//! shares no code with `acquit-sync`, so that the client's mistakes show up
//! against it): the OpenAPI 2.0 document "Vies on-the-Web Endpoint" 1.0.0
//! (<https://ec.europa.eu/assets/taxud/vow-information/swagger_publicVAT.yaml>),
//! served under `https://ec.europa.eu/taxation_customs/vies/rest-api`, and
//! the error codes of VIES's technical information page.
//!
//! Served (paths at the root of the fake, as under VIES's `rest-api`):
//!
//! - `POST /check-vat-number` (operation `checkVatNumber`): a JSON
//!   `CheckVatRequest` (`countryCode`, `vatNumber`, and to get a
//!   consultation number `requesterMemberStateCode` with `requesterNumber`;
//!   optionally `traderName`, `traderStreet`, `traderPostalCode`,
//!   `traderCity`, `traderCompanyType` for approximate matching) answered
//!   with a `CheckVatResponse` (`countryCode`, `vatNumber`, `requestDate`,
//!   `valid`, `requestIdentifier`, `name`, `address`, and the trader
//!   fields with their `Match` when asked), or with VIES's error shape
//!   `CommonResponse` `{"actionSucceed": false, "errorWrappers": [{"error":
//!   CODE, "message": …}]}`: 400 for a request VIES refuses
//!   (`INVALID_INPUT`, `INVALID_REQUESTER_INFO`), 500 for VIES's own
//!   trouble (`MS_UNAVAILABLE`, `TIMEOUT`, `MS_MAX_CONCURRENT_REQ`, …).
//! - `GET /check-status` (`checkStatus`): `{"vow": {"available": true},
//!   "countries": [{"countryCode", "availability"}]}`.
//! - Test controls, not VIES's: `GET /_fake/requests`, the request bodies
//!   received by `/check-vat-number`, oldest first.
//!
//! Every request is checked as VIES would (see [`server`] for the rules) and
//! answered from [`known::KNOWN`], a small table of registered numbers and
//! of numbers whose member state answers with an error; the member states
//! of [`Config::unavailable`] (Spain by default) answer `MS_UNAVAILABLE`;
//! any other well-formed number is not registered (`"valid": false`).

pub mod known;
pub mod server;

pub use server::{Config, router, serve};
