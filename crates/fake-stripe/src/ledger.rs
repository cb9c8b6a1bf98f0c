//! The fake's Stripe account: payment links, Checkout Sessions, payments,
//! refunds, events and webhook endpoints, and the state changes a customer
//! or the API makes to them. Every change that Stripe announces creates an
//! [`Event`](objects::event) and queues its deliveries in `outbox`; the
//! server hands the outbox to the webhook sender once the lock is released.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::objects::{self, Terms};
use crate::params::Param;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The test card that always succeeds.
pub const CARD_OK: &str = "4242424242424242";
/// The test card that is always declined (`generic_decline`).
pub const CARD_DECLINED: &str = "4000000000000002";
/// Stripe's test IBAN whose debit succeeds.
pub const IBAN_OK: &str = "DE89370400440532013000";
/// Stripe's test IBAN whose debit fails after processing.
pub const IBAN_FAILS: &str = "AT861904300235473202";

/// Stripe's fee (Stripe France, standard pricing) on a payment of `amount`
/// minor units:
///
/// - EEA standard card: 1.5 % + €0.25, the percentage rounded half up to
///   the cent: `(amount × 15 + 500) div 1000 + 25`
///   (e.g. €10.00 → 15 + 25 = 40 cents; €0.30 → 0.45 → 0 + 25 cents;
///   €1.00 → 1.5 → 2 + 25 = 27 cents);
/// - SEPA Direct Debit: a flat €0.35.
pub fn fee(method: &str, amount: i64) -> i64 {
    match method {
        "sepa_debit" => 35,
        _ => (amount * 15 + 500).div_euclid(1000) + 25,
    }
}

/// An error in Stripe's error object.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: Option<&'static str>,
    pub decline_code: Option<&'static str>,
    pub param: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn invalid(code: Option<&'static str>, param: Option<&str>, message: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            code,
            decline_code: None,
            param: param.map(str::to_owned),
            message,
        }
    }

    pub fn missing(kind: &str, id: &str, param: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            code: Some("resource_missing"),
            decline_code: None,
            param: Some(param.to_owned()),
            message: format!("No such {kind}: '{id}'"),
        }
    }

    pub fn body(&self) -> Value {
        let mut error = json!({"type": self.kind, "message": self.message});
        if let Some(code) = self.code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(decline) = self.decline_code {
            error["decline_code"] = json!(decline);
        }
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        json!({ "error": error })
    }
}

/// Objects of one kind, in creation order.
#[derive(Debug, Default)]
pub struct Coll(Vec<Value>);

impl Coll {
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.iter().find(|v| v["id"] == id)
    }
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|v| v["id"] == id)
    }
    pub fn insert(&mut self, value: Value) {
        self.0.push(value);
    }
    pub fn remove(&mut self, id: &str) -> Option<Value> {
        let index = self.0.iter().position(|v| v["id"] == id)?;
        Some(self.0.remove(index))
    }
    /// Oldest first.
    pub fn all(&self) -> &[Value] {
        &self.0
    }
}

/// One webhook to send: the event body to one endpoint.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event_id: String,
    pub body: String,
    pub url: String,
    pub secret: String,
}

/// What the caller must schedule after a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followup {
    None,
    /// A SEPA debit that settles after the delay (`succeeds` or fails).
    Sepa {
        session: String,
        succeeds: bool,
    },
}

/// A customer paying (the `/_fake/pay` control and the hosted page).
#[derive(Debug, Clone, Default)]
pub struct Payment {
    pub target: String,
    pub method: String,
    pub card: Option<String>,
    pub iban: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub amount: Option<i64>,
}

#[derive(Debug)]
pub struct Ledger {
    id_state: u64,
    pub links: Coll,
    link_terms: HashMap<String, Terms>,
    pub sessions: Coll,
    session_terms: HashMap<String, Terms>,
    pub intents: Coll,
    pub charges: Coll,
    pub txns: Coll,
    pub refunds: Coll,
    pub events: Coll,
    pub endpoints: Coll,
    secrets: HashMap<String, String>,
    /// Deliveries not yet handed to the sender.
    pub outbox: Vec<Delivery>,
    /// The API request being served (`{"id", "idempotency_key"}`), named
    /// in the events it causes; `None` for a customer's or Stripe's own
    /// action.
    pub request: Option<Value>,
    /// Seconds added to the real clock (`POST /_fake/clock`).
    pub clock_offset: i64,
}

impl Ledger {
    pub fn new() -> Ledger {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Ledger {
            id_state: seed | 1,
            links: Coll::default(),
            link_terms: HashMap::new(),
            sessions: Coll::default(),
            session_terms: HashMap::new(),
            intents: Coll::default(),
            charges: Coll::default(),
            txns: Coll::default(),
            refunds: Coll::default(),
            events: Coll::default(),
            endpoints: Coll::default(),
            secrets: HashMap::new(),
            outbox: Vec::new(),
            request: None,
            clock_offset: 0,
        }
    }

    /// The fake's clock: the real one, moved on by `/_fake/clock`.
    pub fn now(&self) -> i64 {
        now() + self.clock_offset
    }

    /// A Stripe-looking id: prefix and 24 base-62 characters.
    pub fn new_id(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut id = String::from(prefix);
        for _ in 0..24 {
            // xorshift64: unique enough for a test server, no dependency.
            self.id_state ^= self.id_state << 13;
            self.id_state ^= self.id_state >> 7;
            self.id_state ^= self.id_state << 17;
            id.push(ALPHABET[(self.id_state % 62) as usize] as char);
        }
        id
    }

    /// Any stored object by id (for `expand`).
    pub fn find(&self, id: &str) -> Option<&Value> {
        let coll = match id.split('_').next()? {
            "plink" => &self.links,
            "cs" => &self.sessions,
            "pi" => &self.intents,
            "ch" => &self.charges,
            "txn" => &self.txns,
            "re" => &self.refunds,
            "evt" => &self.events,
            "we" => &self.endpoints,
            _ => return None,
        };
        coll.get(id)
    }

    // ---- events -------------------------------------------------------

    /// Records an event about `object` and queues its deliveries.
    pub fn emit(&mut self, kind: &str, object: &Value, previous: Option<Value>) -> String {
        let id = self.new_id("evt_");
        let targets: Vec<(String, String)> = self
            .endpoints
            .all()
            .iter()
            .filter(|we| we["status"] == "enabled")
            .filter(|we| {
                we["enabled_events"]
                    .as_array()
                    .is_some_and(|list| list.iter().any(|e| e == "*" || e == kind))
            })
            .filter_map(|we| {
                let id = we["id"].as_str()?;
                Some((
                    we["url"].as_str()?.to_owned(),
                    self.secrets.get(id)?.clone(),
                ))
            })
            .collect();
        let mut event = objects::event(&id, self.now(), kind, object, previous, targets.len());
        if let Some(request) = &self.request {
            event["request"] = request.clone();
        }
        let body = event.to_string();
        self.events.insert(event);
        for (url, secret) in targets {
            self.outbox.push(Delivery {
                event_id: id.clone(),
                body: body.clone(),
                url,
                secret,
            });
        }
        id
    }

    /// One delivery of `event_id` succeeded.
    pub fn delivered(&mut self, event_id: &str) {
        if let Some(event) = self.events.get_mut(event_id) {
            let pending = event["pending_webhooks"].as_i64().unwrap_or(0);
            event["pending_webhooks"] = json!((pending - 1).max(0));
        }
    }

    // ---- webhook endpoints -------------------------------------------

    pub fn create_endpoint(&mut self, params: &BTreeMap<String, Param>) -> Value {
        let id = self.new_id("we_");
        let secret = self.new_id("whsec_");
        let endpoint = objects::webhook_endpoint(&id, self.now(), params);
        self.endpoints.insert(endpoint.clone());
        self.secrets.insert(id, secret.clone());
        let mut answer = endpoint;
        answer["secret"] = json!(secret);
        answer
    }

    pub fn update_endpoint(
        &mut self,
        id: &str,
        params: &BTreeMap<String, Param>,
    ) -> Result<Value, ApiError> {
        let we = self
            .endpoints
            .get_mut(id)
            .ok_or_else(|| ApiError::missing("webhook_endpoint", id, "webhook_endpoint"))?;
        if let Some(url) = objects::param_text(params, &["url"]) {
            we["url"] = json!(url);
        }
        if let Some(events) = objects::param_strings(params.get("enabled_events")) {
            we["enabled_events"] = json!(events);
        }
        if let Some(description) = objects::param_text(params, &["description"]) {
            we["description"] = json!((!description.is_empty()).then_some(description));
        }
        if let Some(disabled) = objects::param_text(params, &["disabled"]) {
            we["status"] = json!(if disabled == "true" {
                "disabled"
            } else {
                "enabled"
            });
        }
        objects::merge_metadata(&mut we["metadata"], params.get("metadata"));
        Ok(we.clone())
    }

    pub fn delete_endpoint(&mut self, id: &str) -> Result<Value, ApiError> {
        self.endpoints
            .remove(id)
            .ok_or_else(|| ApiError::missing("webhook_endpoint", id, "webhook_endpoint"))?;
        self.secrets.remove(id);
        Ok(json!({"id": id, "object": "webhook_endpoint", "deleted": true}))
    }

    // ---- payment links -------------------------------------------------

    pub fn create_link(&mut self, base: &str, params: &BTreeMap<String, Param>) -> Value {
        let id = self.new_id("plink_");
        let link = objects::payment_link(&id, &format!("{base}/pay/{id}"), params);
        let terms = terms_of(params, &link["currency"], &link["payment_method_types"]);
        self.link_terms.insert(id, terms);
        self.links.insert(link.clone());
        link
    }

    /// `POST /v1/payment_links/{id}`; announces the change as
    /// `payment_link.updated` with the fields' previous values.
    pub fn update_link(
        &mut self,
        id: &str,
        params: &BTreeMap<String, Param>,
    ) -> Result<Value, ApiError> {
        let link = self
            .links
            .get_mut(id)
            .ok_or_else(|| ApiError::missing("payment_link", id, "payment_link"))?;
        let before = link.clone();
        objects::update_payment_link(link, params);
        let after = link.clone();
        let mut previous = serde_json::Map::new();
        if let (Some(old), Some(new)) = (before.as_object(), after.as_object()) {
            for (key, value) in old {
                if new.get(key) != Some(value) {
                    previous.insert(key.clone(), value.clone());
                }
            }
        }
        if !previous.is_empty() {
            self.emit(
                "payment_link.updated",
                &after,
                Some(Value::Object(previous)),
            );
        }
        Ok(after)
    }

    /// What a link or session charges (for the hosted page).
    pub fn terms(&self, id: &str) -> Option<&Terms> {
        self.link_terms
            .get(id)
            .or_else(|| self.session_terms.get(id))
    }

    // ---- Checkout Sessions --------------------------------------------

    /// `POST /v1/checkout/sessions`.
    pub fn create_session(
        &mut self,
        base: &str,
        params: &BTreeMap<String, Param>,
    ) -> Result<Value, ApiError> {
        let text = |path: &[&str]| objects::param_text(params, path);
        let created = self.now();
        if let Some(mode) = text(&["mode"])
            && mode != "payment"
        {
            return Err(ApiError::invalid(
                None,
                Some("mode"),
                format!("fake-stripe serves only `mode=payment` Checkout Sessions, not `{mode}`."),
            ));
        }
        let expires_at = match text(&["expires_at"]) {
            Some(at) => {
                let at: i64 = at.parse().unwrap_or(0);
                if at < created + 30 * 60 {
                    return Err(ApiError::invalid(
                        None,
                        Some("expires_at"),
                        "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.".to_owned(),
                    ));
                }
                if at > created + 24 * 3600 {
                    return Err(ApiError::invalid(
                        None,
                        Some("expires_at"),
                        "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.".to_owned(),
                    ));
                }
                at
            }
            None => created + 24 * 3600,
        };
        let Some(Param::Map(items)) = params.get("line_items") else {
            return Err(ApiError::invalid(
                Some("parameter_missing"),
                Some("line_items"),
                "You must specify `line_items` in `payment` mode.".to_owned(),
            ));
        };
        for (i, item) in items {
            if let Param::Map(item) = item
                && let Some(Param::Str(price)) = item.get("price")
            {
                return Err(ApiError::missing(
                    "price",
                    price,
                    &format!("line_items[{i}][price]"),
                ));
            }
        }
        let currencies: Vec<String> = (0..items.len())
            .filter_map(|i| {
                text(&["line_items", &i.to_string(), "price_data", "currency"])
                    .map(str::to_ascii_lowercase)
            })
            .collect();
        if currencies.windows(2).any(|w| w[0] != w[1]) {
            return Err(ApiError::invalid(
                None,
                Some("line_items"),
                "All line items must have the same currency.".to_owned(),
            ));
        }
        let currency = json!(currencies.first().cloned().unwrap_or_else(|| "eur".into()));
        let types = match objects::param_strings(params.get("allowed_payment_method_types")) {
            Some(types) if !types.is_empty() => json!(types),
            _ => Value::Null,
        };
        let terms = terms_of(params, &currency, &types);
        let id = self.new_id("cs_test_");
        let session = objects::checkout_session(&objects::NewSession {
            id: &id,
            url: &format!("{base}/pay/{id}"),
            created,
            expires_at,
            terms: &terms,
            metadata: objects::param_metadata(params.get("metadata")),
            payment_link: None,
            success_url: text(&["success_url"]),
            cancel_url: text(&["cancel_url"]),
            client_reference_id: text(&["client_reference_id"]),
            customer_email: text(&["customer_email"]),
            locale: text(&["locale"]),
        });
        self.session_terms.insert(id, terms);
        self.sessions.insert(session.clone());
        Ok(session)
    }

    /// `POST /v1/checkout/sessions/{id}/expire`.
    pub fn expire_session(&mut self, id: &str) -> Result<Value, ApiError> {
        let session = self
            .sessions
            .get(id)
            .ok_or_else(|| ApiError::missing("checkout.session", id, "session"))?;
        if session["status"] != "open" {
            return Err(ApiError::invalid(
                None,
                None,
                format!(
                    "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
                    session["status"].as_str().unwrap_or("")
                ),
            ));
        }
        Ok(self.expire(id))
    }

    fn expire(&mut self, id: &str) -> Value {
        let Some(session) = self.sessions.get_mut(id) else {
            return Value::Null;
        };
        session["status"] = json!("expired");
        session["url"] = Value::Null;
        let snapshot = session.clone();
        self.emit("checkout.session.expired", &snapshot, None);
        snapshot
    }

    /// Expires the open sessions whose `expires_at` has passed.
    pub fn expire_due(&mut self, at: i64) -> usize {
        let due: Vec<String> = self
            .sessions
            .all()
            .iter()
            .filter(|s| s["status"] == "open" && s["expires_at"].as_i64().is_some_and(|e| e <= at))
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        for id in &due {
            self.expire(id);
        }
        due.len()
    }

    // ---- paying ----------------------------------------------------------

    /// A customer pays a payment link or an open Checkout Session.
    pub fn pay(&mut self, base: &str, payment: &Payment) -> Result<(Value, Followup), ApiError> {
        let id = target_id(&payment.target);
        let method = payment.method.as_str();
        if method != "card" && method != "sepa_debit" {
            return Err(ApiError::invalid(
                None,
                Some("method"),
                format!("Unsupported payment method `{method}`: use card or sepa_debit."),
            ));
        }
        // Which test card or IBAN, before anything is created.
        let (last4, declined, sepa_fails) = if method == "card" {
            let card = payment.card.as_deref().unwrap_or(CARD_OK).replace(' ', "");
            match card.as_str() {
                CARD_OK => ("4242".to_owned(), false, false),
                CARD_DECLINED => ("0002".to_owned(), true, false),
                other => {
                    return Err(ApiError::invalid(
                        None,
                        Some("card"),
                        format!(
                            "Unknown test card {other}: fake-stripe knows {CARD_OK} (succeeds) and {CARD_DECLINED} (declined)."
                        ),
                    ));
                }
            }
        } else {
            let iban = payment.iban.as_deref().unwrap_or(IBAN_OK).replace(' ', "");
            let last4 = iban[iban.len().saturating_sub(4)..].to_owned();
            (last4, false, iban.eq_ignore_ascii_case(IBAN_FAILS))
        };

        let session_id = if id.starts_with("plink_") {
            let link = self
                .links
                .get(&id)
                .ok_or_else(|| ApiError::missing("payment_link", &id, "url"))?;
            if link["active"] != true {
                return Err(ApiError::invalid(
                    Some("payment_link_inactive"),
                    Some("url"),
                    format!(
                        "This payment link ({id}) is no longer active: it has been deactivated or has reached its limit of completed sessions."
                    ),
                ));
            }
            let terms = self.link_terms.get(&id).cloned().unwrap_or_else(|| Terms {
                amount: 0,
                currency: "eur".into(),
                description: String::new(),
                payment_method_types: vec!["card".into()],
            });
            check_method(&terms, method)?;
            check_amount(&terms, payment.amount)?;
            if declined {
                return Err(declined_error());
            }
            let metadata = link["metadata"].as_object().cloned().unwrap_or_default();
            let cs = self.new_id("cs_test_");
            let created = self.now();
            let session = objects::checkout_session(&objects::NewSession {
                id: &cs,
                url: &format!("{base}/pay/{cs}"),
                created,
                expires_at: created + 24 * 3600,
                terms: &terms,
                metadata,
                payment_link: Some(&id),
                success_url: None,
                cancel_url: None,
                client_reference_id: None,
                customer_email: None,
                locale: None,
            });
            self.sessions.insert(session);
            self.session_terms.insert(cs.clone(), terms);
            cs
        } else if id.starts_with("cs_") {
            let session = self
                .sessions
                .get(&id)
                .ok_or_else(|| ApiError::missing("checkout.session", &id, "url"))?;
            if session["status"] == "open"
                && session["expires_at"]
                    .as_i64()
                    .is_some_and(|e| e <= self.now())
            {
                self.expire(&id);
            }
            let session = self.sessions.get(&id).cloned().unwrap_or_default();
            if session["status"] != "open" {
                return Err(ApiError::invalid(
                    Some("checkout_session_not_open"),
                    Some("url"),
                    format!(
                        "This Checkout Session ({id}) is {}: it can no longer be paid.",
                        session["status"].as_str().unwrap_or("closed")
                    ),
                ));
            }
            let terms = self
                .session_terms
                .get(&id)
                .cloned()
                .ok_or_else(|| ApiError::missing("checkout.session", &id, "url"))?;
            check_method(&terms, method)?;
            check_amount(&terms, payment.amount)?;
            if declined {
                return Err(declined_error());
            }
            id
        } else {
            return Err(ApiError::invalid(
                None,
                Some("url"),
                format!(
                    "`{}` is neither a payment link (plink_…) nor a Checkout Session (cs_…) nor one of their URLs.",
                    payment.target
                ),
            ));
        };
        self.complete(&session_id, method, &last4, payment, sepa_fails)
    }

    fn complete(
        &mut self,
        session_id: &str,
        method: &str,
        last4: &str,
        payment: &Payment,
        sepa_fails: bool,
    ) -> Result<(Value, Followup), ApiError> {
        let terms = self
            .session_terms
            .get(session_id)
            .cloned()
            .ok_or_else(|| ApiError::missing("checkout.session", session_id, "url"))?;
        let created = self.now();
        let pi_id = self.new_id("pi_");
        let ch_id = self.new_id("ch_");
        let pm = self.new_id("pm_");
        let email = payment
            .email
            .clone()
            .or_else(|| {
                self.sessions.get(session_id)?["customer_email"]
                    .as_str()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "customer@example.test".to_owned());
        let mut pi = objects::payment_intent(&pi_id, created, &terms, method, &pm);
        let mut ch = objects::charge(&objects::NewCharge {
            id: &ch_id,
            created,
            terms: &terms,
            method,
            payment_intent: &pi_id,
            payment_method: &pm,
            email: &email,
            name: payment.name.as_deref(),
            last4,
        });
        pi["latest_charge"] = json!(ch_id);
        let paid = method == "card";
        if paid {
            self.settle_charge(&mut ch, method);
            pi["status"] = json!("succeeded");
            pi["amount_received"] = json!(terms.amount);
        } else {
            pi["status"] = json!("processing");
            pi["processing"] = Value::Null;
        }
        self.intents.insert(pi);
        self.charges.insert(ch);

        let Some(session) = self.sessions.get_mut(session_id) else {
            return Err(ApiError::missing("checkout.session", session_id, "url"));
        };
        session["status"] = json!("complete");
        session["url"] = Value::Null;
        session["payment_status"] = json!(if paid { "paid" } else { "unpaid" });
        session["payment_intent"] = json!(pi_id);
        session["customer_details"] = objects::customer_details(&email, payment.name.as_deref());
        session["payment_method_types"] = json!([method]);
        let snapshot = session.clone();
        let link = snapshot["payment_link"].as_str().map(str::to_owned);
        self.emit("checkout.session.completed", &snapshot, None);
        if let Some(link) = link {
            self.count_completed(&link);
        }
        let answer = json!({
            "checkout_session": session_id,
            "payment_intent": pi_id,
            "charge": ch_id,
            "status": snapshot["status"],
            "payment_status": snapshot["payment_status"],
            "payment_intent_status": if paid { "succeeded" } else { "processing" },
            "amount": terms.amount,
            "currency": terms.currency,
        });
        let followup = if paid {
            Followup::None
        } else {
            Followup::Sepa {
                session: session_id.to_owned(),
                succeeds: !sepa_fails,
            }
        };
        Ok((answer, followup))
    }

    /// The charge succeeded: captured, paid, with its balance transaction.
    fn settle_charge(&mut self, ch: &mut Value, method: &str) {
        let txn_id = self.new_id("txn_");
        let amount = ch["amount"].as_i64().unwrap_or(0);
        let currency = ch["currency"].as_str().unwrap_or("eur").to_owned();
        let txn = objects::balance_transaction(&objects::NewTxn {
            id: &txn_id,
            created: self.now(),
            amount,
            fee: fee(method, amount),
            currency: &currency,
            kind: "charge",
            source: ch["id"].as_str().unwrap_or(""),
            description: None,
        });
        self.txns.insert(txn);
        ch["balance_transaction"] = json!(txn_id);
        ch["status"] = json!("succeeded");
        ch["paid"] = json!(true);
        ch["captured"] = json!(true);
        ch["amount_captured"] = ch["amount"].clone();
        ch["outcome"] = objects::authorized_outcome();
    }

    fn count_completed(&mut self, link_id: &str) {
        let Some(link) = self.links.get_mut(link_id) else {
            return;
        };
        let restrictions = &mut link["restrictions"]["completed_sessions"];
        if !restrictions.is_object() {
            return;
        }
        let count = restrictions["count"].as_i64().unwrap_or(0) + 1;
        let limit = restrictions["limit"].as_i64().unwrap_or(i64::MAX);
        restrictions["count"] = json!(count);
        if count >= limit && link["active"] == true {
            let previous = json!({
                "active": true,
                "restrictions": {"completed_sessions": {"count": count - 1, "limit": limit}},
            });
            link["active"] = json!(false);
            let snapshot = link.clone();
            self.emit("payment_link.updated", &snapshot, Some(previous));
        }
    }

    /// A SEPA debit of `session_id` settles.
    pub fn settle_sepa(&mut self, session_id: &str, succeeds: bool) {
        let Some(session) = self.sessions.get(session_id) else {
            return;
        };
        let Some(pi_id) = session["payment_intent"].as_str().map(str::to_owned) else {
            return;
        };
        let Some(mut pi) = self.intents.get(&pi_id).cloned() else {
            return;
        };
        if pi["status"] != "processing" {
            return;
        }
        let ch_id = pi["latest_charge"].as_str().unwrap_or("").to_owned();
        let Some(mut ch) = self.charges.get(&ch_id).cloned() else {
            return;
        };
        if succeeds {
            self.settle_charge(&mut ch, "sepa_debit");
            pi["status"] = json!("succeeded");
            pi["amount_received"] = pi["amount"].clone();
        } else {
            ch["status"] = json!("failed");
            ch["failure_code"] = json!("insufficient_funds");
            ch["failure_message"] =
                json!("The customer's account has insufficient funds to cover this payment.");
            ch["outcome"] = json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "declined_by_network", "reason": "insufficient_funds",
                "risk_level": "normal", "seller_message": "The bank returned the debit.",
                "type": "issuer_declined",
            });
            pi["status"] = json!("requires_payment_method");
            pi["payment_method"] = Value::Null;
            pi["last_payment_error"] = json!({
                "code": "insufficient_funds",
                "decline_code": null,
                "message": "The customer's account has insufficient funds to cover this payment.",
                "payment_method": {"id": ch["payment_method"], "object": "payment_method", "type": "sepa_debit"},
                "type": "card_error",
            });
        }
        *self.charges.get_mut(&ch_id).expect("charge exists") = ch;
        *self.intents.get_mut(&pi_id).expect("intent exists") = pi;
        let session = self.sessions.get_mut(session_id).expect("session exists");
        if succeeds {
            session["payment_status"] = json!("paid");
        }
        let snapshot = session.clone();
        let kind = if succeeds {
            "checkout.session.async_payment_succeeded"
        } else {
            "checkout.session.async_payment_failed"
        };
        self.emit(kind, &snapshot, None);
    }

    // ---- refunds ---------------------------------------------------------

    /// Refunds (part of) the succeeded charge of a PaymentIntent or a charge.
    pub fn refund(&mut self, params: &BTreeMap<String, Param>) -> Result<Value, ApiError> {
        let text = |path: &[&str]| objects::param_text(params, path);
        let ch_id = match (text(&["payment_intent"]), text(&["charge"])) {
            (Some(pi), None) => {
                let intent = self
                    .intents
                    .get(pi)
                    .ok_or_else(|| ApiError::missing("payment_intent", pi, "payment_intent"))?;
                if intent["status"] != "succeeded" {
                    return Err(ApiError::invalid(
                        None,
                        Some("payment_intent"),
                        format!(
                            "This PaymentIntent ({pi}) does not have a successful charge to refund."
                        ),
                    ));
                }
                intent["latest_charge"].as_str().unwrap_or("").to_owned()
            }
            (None, Some(ch)) => ch.to_owned(),
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    None,
                    None,
                    "You can only specify one of these parameters: charge, payment_intent."
                        .to_owned(),
                ));
            }
            (None, None) => {
                return Err(ApiError::invalid(
                    Some("parameter_missing"),
                    None,
                    "One of the following params should be provided for this request: payment_intent or charge.".to_owned(),
                ));
            }
        };
        let charge = self
            .charges
            .get(&ch_id)
            .cloned()
            .ok_or_else(|| ApiError::missing("charge", &ch_id, "charge"))?;
        if charge["status"] != "succeeded" {
            return Err(ApiError::invalid(
                None,
                Some("charge"),
                format!("Charge {ch_id} has not succeeded: it cannot be refunded."),
            ));
        }
        let total = charge["amount"].as_i64().unwrap_or(0);
        let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
        let remaining = total - refunded;
        if remaining <= 0 {
            return Err(ApiError::invalid(
                Some("charge_already_refunded"),
                None,
                format!("Charge {ch_id} has already been refunded."),
            ));
        }
        let amount = match text(&["amount"]) {
            Some(a) => a.parse::<i64>().unwrap_or(0),
            None => remaining,
        };
        let currency = charge["currency"].as_str().unwrap_or("eur").to_owned();
        if amount <= 0 {
            return Err(ApiError::invalid(
                Some("parameter_invalid_integer"),
                Some("amount"),
                "This value must be greater than or equal to 1.".to_owned(),
            ));
        }
        if amount > remaining {
            return Err(ApiError::invalid(
                Some("amount_too_large"),
                Some("amount"),
                format!(
                    "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                    money(amount, &currency),
                    money(remaining, &currency)
                ),
            ));
        }
        let created = self.now();
        let re_id = self.new_id("re_");
        let txn_id = self.new_id("txn_");
        let method = charge["payment_method_details"]["type"]
            .as_str()
            .unwrap_or("card")
            .to_owned();
        self.txns
            .insert(objects::balance_transaction(&objects::NewTxn {
                id: &txn_id,
                created,
                amount: -amount,
                fee: 0,
                currency: &currency,
                kind: "refund",
                source: &re_id,
                description: Some("REFUND FOR CHARGE"),
            }));
        let refund = objects::refund(
            &re_id,
            created,
            amount,
            &charge,
            &txn_id,
            &method,
            text(&["reason"]),
            objects::param_metadata(params.get("metadata")),
        );
        self.refunds.insert(refund.clone());
        let ch = self.charges.get_mut(&ch_id).expect("charge exists");
        let previous = json!({"amount_refunded": refunded, "refunded": ch["refunded"]});
        ch["amount_refunded"] = json!(refunded + amount);
        ch["refunded"] = json!(refunded + amount == total);
        let snapshot = ch.clone();
        self.emit("charge.refunded", &snapshot, Some(previous));
        Ok(refund)
    }
}

fn money(amount: i64, currency: &str) -> String {
    let symbol = match currency {
        "eur" => "€",
        "usd" => "$",
        "gbp" => "£",
        _ => "",
    };
    format!("{symbol}{}.{:02}", amount / 100, amount % 100)
}

fn declined_error() -> ApiError {
    ApiError {
        status: StatusCode::PAYMENT_REQUIRED,
        kind: "card_error",
        code: Some("card_declined"),
        decline_code: Some("generic_decline"),
        param: None,
        message: "Your card was declined.".to_owned(),
    }
}

fn check_method(terms: &Terms, method: &str) -> Result<(), ApiError> {
    if terms.payment_method_types.iter().any(|t| t == method) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            Some("payment_method_unactivated"),
            Some("method"),
            format!(
                "This payment page does not accept {method}; it accepts {}.",
                terms.payment_method_types.join(", ")
            ),
        ))
    }
}

fn check_amount(terms: &Terms, amount: Option<i64>) -> Result<(), ApiError> {
    match amount {
        Some(a) if a != terms.amount => Err(ApiError::invalid(
            None,
            Some("amount"),
            format!(
                "This payment page charges a fixed {} minor units; {a} was given.",
                terms.amount
            ),
        )),
        _ => Ok(()),
    }
}

/// `plink_…`, `cs_test_…`, or a URL ending in `/pay/{id}` (query and
/// fragment ignored).
pub fn target_id(target: &str) -> String {
    let target = target.split(['?', '#']).next().unwrap_or("");
    target
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The amount, currency and methods of `line_items` with `price_data`.
fn terms_of(params: &BTreeMap<String, Param>, currency: &Value, types: &Value) -> Terms {
    let mut amount = 0i64;
    let mut names = Vec::new();
    if let Some(Param::Map(items)) = params.get("line_items") {
        for i in 0..items.len() {
            let i = i.to_string();
            let get = |field: &[&str]| {
                let mut path = vec!["line_items", i.as_str()];
                path.extend_from_slice(field);
                objects::param_text(params, &path).map(str::to_owned)
            };
            let unit: i64 = get(&["price_data", "unit_amount"])
                .and_then(|u| u.parse().ok())
                .unwrap_or(0);
            let quantity: i64 = get(&["quantity"]).and_then(|q| q.parse().ok()).unwrap_or(1);
            amount += unit * quantity;
            if let Some(name) = get(&["price_data", "product_data", "name"]) {
                names.push(name);
            }
        }
    }
    let currency = currency.as_str().unwrap_or("eur").to_owned();
    let payment_method_types = match types.as_array() {
        Some(list) => list
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        // Dynamic payment methods: what the account has activated.
        None if currency == "eur" => vec!["card".to_owned(), "sepa_debit".to_owned()],
        None => vec!["card".to_owned()],
    };
    Terms {
        amount,
        currency,
        description: names.join(", "),
        payment_method_types,
    }
}

/// Lists in Stripe's list object, newest first: `limit` (1–100, default
/// 10), `starting_after`, `ending_before`; `keep` filters.
pub fn list(
    all: &[Value],
    url: &str,
    params: &BTreeMap<String, Param>,
    keep: impl Fn(&Value) -> bool,
) -> Result<Value, ApiError> {
    let text = |name: &str| objects::param_text(params, &[name]);
    let limit = match text("limit") {
        Some(l) => {
            let l: i64 = l.parse().unwrap_or(0);
            if !(1..=100).contains(&l) {
                return Err(ApiError::invalid(
                    Some("parameter_invalid_integer"),
                    Some("limit"),
                    if l < 1 {
                        "This value must be greater than or equal to 1.".to_owned()
                    } else {
                        "This value must be less than or equal to 100.".to_owned()
                    },
                ));
            }
            l as usize
        }
        None => 10,
    };
    let newest_first: Vec<&Value> = all.iter().rev().filter(|v| keep(v)).collect();
    let position = |id: &str, param: &str| {
        all.iter()
            .rev()
            .position(|v| v["id"] == id)
            .map(|_| newest_first.iter().position(|v| v["id"] == id))
            .ok_or_else(|| {
                let kind = all
                    .first()
                    .and_then(|v| v["object"].as_str())
                    .unwrap_or("object");
                ApiError::missing(kind, id, param)
            })
    };
    let (page, has_more) = match (text("starting_after"), text("ending_before")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                None,
                None,
                "You may only specify one of these parameters: ending_before, starting_after."
                    .to_owned(),
            ));
        }
        (Some(after), None) => {
            let start = match position(after, "starting_after")? {
                Some(i) => i + 1,
                None => newest_first.len(),
            };
            let rest = &newest_first[start.min(newest_first.len())..];
            (
                rest.iter().take(limit).copied().collect::<Vec<_>>(),
                rest.len() > limit,
            )
        }
        (None, Some(before)) => {
            let end = position(before, "ending_before")?.unwrap_or(0);
            let head = &newest_first[..end];
            let from = head.len().saturating_sub(limit);
            (head[from..].to_vec(), from > 0)
        }
        (None, None) => (
            newest_first.iter().take(limit).copied().collect(),
            newest_first.len() > limit,
        ),
    };
    Ok(json!({
        "object": "list",
        "data": page,
        "has_more": has_more,
        "url": url,
    }))
}

/// Replaces ids by their objects along each `expand` path
/// (`payment_intent.latest_charge.balance_transaction`).
pub fn expand(ledger: &Ledger, value: &mut Value, paths: &[String]) {
    for path in paths {
        expand_path(ledger, value, &path.split('.').collect::<Vec<_>>());
    }
}

fn expand_path(ledger: &Ledger, value: &mut Value, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if *first == "data"
        && let Some(items) = value["data"].as_array_mut()
    {
        for item in items {
            expand_path(ledger, item, rest);
        }
        return;
    }
    let Some(field) = value.get_mut(*first) else {
        return;
    };
    if let Some(id) = field.as_str()
        && let Some(object) = ledger.find(id)
    {
        *field = object.clone();
    }
    if field.is_object() {
        expand_path(ledger, field, rest);
    }
}

/// Stripe keeps events for 30 days: older ones are neither listed nor
/// retrieved ("Retrieves the details of an event if it was created in the
/// last 30 days").
pub const EVENT_RETENTION_SECS: i64 = 30 * 24 * 3600;

/// `created` as a number or `created[gt|gte|lt|lte]`.
pub fn created_matches(params: &BTreeMap<String, Param>, created: i64) -> bool {
    match params.get("created") {
        None => true,
        Some(Param::Str(s)) => s.parse::<i64>().is_ok_and(|c| c == created),
        Some(Param::Map(map)) => map.iter().all(|(op, v)| {
            let Param::Str(v) = v else { return true };
            let Ok(v) = v.parse::<i64>() else { return true };
            match op.as_str() {
                "gt" => created > v,
                "gte" => created >= v,
                "lt" => created < v,
                "lte" => created <= v,
                _ => true,
            }
        }),
        Some(Param::List(_)) => true,
    }
}

/// Event `type` filter: exact, or with `*` as a wildcard (`checkout.session.*`).
pub fn type_matches(pattern: &str, kind: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == kind,
        Some((head, tail)) => {
            kind.len() >= head.len() + tail.len() && kind.starts_with(head) && kind.ends_with(tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::parse;

    #[test]
    fn fees_round_half_up() {
        assert_eq!(fee("card", 1000), 40);
        assert_eq!(fee("card", 100), 27); // 1.5 → 2
        assert_eq!(fee("card", 30), 25); // 0.45 → 0
        assert_eq!(fee("card", 100_000), 1525);
        assert_eq!(fee("card", 12_345), 210); // 185.175 → 185 + 25
        assert_eq!(fee("card", 9_900), 174); // 148.5 → 149 + 25
        assert_eq!(fee("sepa_debit", 12_345), 35);
    }

    #[test]
    fn targets() {
        assert_eq!(target_id("http://h/pay/plink_abc?x=1"), "plink_abc");
        assert_eq!(target_id("plink_abc"), "plink_abc");
        assert_eq!(target_id("http://h/pay/cs_test_x/#frag"), "cs_test_x");
    }

    #[test]
    fn wildcards() {
        assert!(type_matches(
            "checkout.session.*",
            "checkout.session.completed"
        ));
        assert!(!type_matches("checkout.session.*", "charge.refunded"));
        assert!(type_matches("charge.refunded", "charge.refunded"));
    }

    #[test]
    fn sessions_expire_when_due() {
        let mut ledger = Ledger::new();
        let params = parse(&format!(
            "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=500\
             &line_items[0][price_data][product_data][name]=X&line_items[0][quantity]=2\
             &mode=payment&expires_at={}",
            now() + 3600
        ))
        .unwrap();
        let session = ledger.create_session("http://h", &params).unwrap();
        assert_eq!(session["amount_total"], 1000);
        assert_eq!(ledger.expire_due(now()), 0);
        assert_eq!(ledger.expire_due(now() + 3601), 1);
        let id = session["id"].as_str().unwrap();
        assert_eq!(ledger.sessions.get(id).unwrap()["status"], "expired");
        assert_eq!(ledger.events.all()[0]["type"], "checkout.session.expired");
        assert_eq!(ledger.expire_due(now() + 3601), 0);
    }
}
