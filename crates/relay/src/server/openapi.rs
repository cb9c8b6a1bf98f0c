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
    ErrorBody, Event, EventsPage, LinkState, LinkStatus, MAX_REPLY_BYTES, Reply, ReplyList,
    WebhookAck, WebhookSecretBody,
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

impl Sealed {
    /// Opaque bytes: a binary string.
    fn builder() -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
    }
}

impl PartialSchema for Sealed {
    fn schema() -> RefOr<Schema> {
        Sealed::builder().into()
    }
}

impl ToSchema for Sealed {}

/// A client's sealed reply as posted: [`Sealed`] of at most
/// [`MAX_REPLY_BYTES`] bytes (413 above).
#[derive(Debug)]
pub struct SealedReply;

impl PartialSchema for SealedReply {
    fn schema() -> RefOr<Schema> {
        Sealed::builder()
            .min_length(Some(1))
            .max_length(Some(MAX_REPLY_BYTES))
            .into()
    }
}

impl ToSchema for SealedReply {}

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

#[cfg(test)]
mod tests {
    use acquit_relay_protocol::{MAX_REPLIES, MAX_REPLY_BYTES};
    use serde_json::Value;

    /// The limits the handlers enforce, as the document states them (the
    /// protocol crate's attributes hold literals: this holds them equal).
    #[test]
    fn the_reply_limits_are_the_protocols() {
        let doc: Value = serde_json::from_str(super::json()).unwrap();
        let body = &doc["paths"]["/v/{doc_token}/reply"]["post"]["requestBody"]["content"]["application/octet-stream"]
            ["schema"];
        let posted = match body.get("$ref").and_then(Value::as_str) {
            Some(reference) => &doc["components"]["schemas"][reference.rsplit('/').next().unwrap()],
            None => body,
        };
        assert_eq!(posted["maxLength"], MAX_REPLY_BYTES, "{body}");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["ReplyList"]["properties"]["replies"]["maxItems"],
            MAX_REPLIES
        );
        // base64url without padding of MAX_REPLY_BYTES bytes.
        assert_eq!(
            schemas["Reply"]["properties"]["sealed"]["maxLength"],
            (MAX_REPLY_BYTES * 4).div_ceil(3)
        );
    }
}
