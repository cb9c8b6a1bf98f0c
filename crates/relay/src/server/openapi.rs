//! The relay's HTTP API as an OpenAPI document, generated from the handlers'
//! `#[utoipa::path]` attributes and the protocol crate's types, and served
//! at `GET /openapi.json`. schemathesis tests the running relay against it
//! (`crates/relay/tests/schemathesis.rs`), so the document cannot drift
//! from what the relay answers.
//!
//! `/metrics` is left out: it is served on a listener of its own.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use acquit_relay_protocol::{
    ErrorBody, Event, EventsPage, LinkState, LinkStatus, Reply, ReplyList, WebhookAck,
    WebhookSecretBody,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Acquit relay",
        description = "Receives Stripe webhooks for an Acquit app, keeps them until the app pulls \
            them, and serves the app's payment links and end-to-end encrypted pages. See \
            INTERFACES.md, \"Relay HTTP API\"."
    ),
    paths(
        super::webhook,
        super::events,
        super::set_webhook_secret,
        super::put_link,
        super::put_document,
        super::revoke_document,
        super::list_replies,
        super::show_link,
        super::link_done,
        super::show_document,
        super::document_bundle,
        super::post_reply,
        super::healthz,
    ),
    components(schemas(
        ErrorBody,
        Event,
        EventsPage,
        LinkState,
        LinkStatus,
        Reply,
        ReplyList,
        WebhookAck,
        WebhookSecretBody
    )),
    modifiers(&Tokens),
    tags(
        (name = "stripe", description = "What Stripe posts"),
        (name = "app", description = "What the Acquit app calls, with its inbox's pull token"),
        (name = "public", description = "What a client's browser opens"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Bytes sealed with a page's key (the protocol crate's `bundle`
/// framing): opaque to the relay.
#[derive(Debug)]
pub struct Sealed;

impl PartialSchema for Sealed {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Sealed {}

/// The two bearer credentials an inbox has.
struct Tokens;

impl Modify for Tokens {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let bearer = |what: &str| {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(what.to_owned());
            SecurityScheme::Http(http)
        };
        components.add_security_scheme(
            "pull_token",
            bearer("The inbox's pull token, printed once by `acquit-relay inbox create`"),
        );
        components.add_security_scheme(
            "admin_token",
            bearer(
                "The inbox's admin credential: replacing its webhook secret, nothing else \
                 (`acquit-relay inbox admin-token`)",
            ),
        );
    }
}

/// The document as JSON (built once).
pub fn json() -> &'static str {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serializes")
    })
}
