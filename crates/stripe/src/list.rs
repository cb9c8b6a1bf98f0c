//! Two shapes Stripe uses everywhere: the list envelope and the expandable
//! field.
//!
//! A list answer is `{"object":"list","data":[…],"has_more":…,"url":…}`;
//! the next page is asked for with `starting_after=<id of the last item>`.
//! [`Client::list_all`] follows the pages until `has_more` is false, so the
//! callers see one `Vec` in Stripe's order (newest first for every list
//! Acquit reads).
//!
//! An expandable field (`payment_intent`, `latest_charge`,
//! `balance_transaction`, …) is an id unless the request asked for it with
//! `expand[]`, in which case it is the whole object. [`Expandable`] holds
//! either, and always knows the id.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::client::Client;
use crate::error::StripeError;
use crate::form::{Form, Value};

/// One page of a Stripe list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(default)]
    pub url: Option<String>,
}

/// A Stripe object with an id: what pagination and [`Expandable::id`] need.
pub trait Identified {
    fn id(&self) -> &str;
}

/// A field that is an id, or the object itself when it was expanded.
#[derive(Clone, PartialEq, Eq)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

impl<T: Identified> Expandable<T> {
    /// The object's id, expanded or not.
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(object) => object.id(),
        }
    }
}

impl<T> Expandable<T> {
    /// The object, when the request expanded it.
    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(object) => Some(object),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Expandable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expandable::Id(id) => f.debug_tuple("Id").field(id).finish(),
            Expandable::Object(object) => f.debug_tuple("Object").field(object).finish(),
        }
    }
}

/// By hand rather than `#[serde(untagged)]`: an object that fails to parse
/// then reports its own error ("missing field `fee`") instead of "did not
/// match any variant".
impl<'de, T: DeserializeOwned> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(id) => Ok(Expandable::Id(id)),
            object @ serde_json::Value::Object(_) => serde_json::from_value(object)
                .map(|o| Expandable::Object(Box::new(o)))
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "expected an id or an object, found {other}"
            ))),
        }
    }
}

/// The page size asked for when following a list: Stripe's maximum.
pub const PAGE_SIZE: u32 = 100;

impl Client {
    /// Every item of the list at `path` filtered by `query`, following
    /// `starting_after` until `has_more` is false. Items come in Stripe's
    /// order (newest first).
    pub async fn list_all<T: DeserializeOwned + Identified>(
        &self,
        path: &str,
        query: &Form,
    ) -> Result<Vec<T>, StripeError> {
        let mut all: Vec<T> = Vec::new();
        loop {
            let mut page_query = query.clone().with("limit", Value::str(PAGE_SIZE));
            if let Some(last) = all.last() {
                page_query.push("starting_after", Value::str(last.id()));
            }
            let page: List<T> = self.get(path, &page_query).await?;
            let empty = page.data.is_empty();
            all.extend(page.data);
            if !page.has_more {
                return Ok(all);
            }
            if empty {
                // `has_more` with nothing to start after would loop forever.
                return Err(StripeError::UnexpectedResponse {
                    status: 200,
                    reason: format!("{path}: an empty page said there was more"),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Thing {
        id: String,
        n: i64,
    }

    impl Identified for Thing {
        fn id(&self) -> &str {
            &self.id
        }
    }

    #[test]
    fn an_expandable_is_an_id_or_an_object() {
        let id: Expandable<Thing> = serde_json::from_str(r#""th_1""#).unwrap();
        assert_eq!(id.id(), "th_1");
        assert!(id.object().is_none());
        let object: Expandable<Thing> = serde_json::from_str(r#"{"id":"th_2","n":3}"#).unwrap();
        assert_eq!(object.id(), "th_2");
        assert_eq!(object.object().unwrap().n, 3);
    }

    #[test]
    fn a_broken_object_says_what_is_wrong() {
        let error = serde_json::from_str::<Expandable<Thing>>(r#"{"id":"th_2"}"#).unwrap_err();
        assert!(error.to_string().contains("missing field `n`"), "{error}");
        let error = serde_json::from_str::<Expandable<Thing>>("12").unwrap_err();
        assert!(error.to_string().contains("an id or an object"), "{error}");
    }

    #[test]
    fn a_list_page() {
        let page: List<Thing> = serde_json::from_str(
            r#"{"object":"list","url":"/v1/things","has_more":true,"data":[{"id":"a","n":1}]}"#,
        )
        .unwrap();
        assert!(page.has_more);
        assert_eq!(page.data[0].id, "a");
    }
}
