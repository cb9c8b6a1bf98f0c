//! Reading Stripe's form bodies (and query strings) into a nested structure.
//!
//! Stripe reads `a[b][0][c]=v` as `{"a": {"b": [{"c": "v"}]}}`. We parse
//! the percent-decoded keys ourselves (the decoding itself is the
//! `form_urlencoded` crate's) into [`Param`], keeping every scalar a string
//! as it came on the wire: the type checks (`integer`, `boolean`, enums)
//! belong to the validation against the spec, as on Stripe's side.

use std::collections::BTreeMap;

/// One parameter as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Str(String),
    /// A hash; also arrays before they are recognised (`a[0]`, `a[1]`).
    Map(BTreeMap<String, Param>),
    /// An array sent as `a[]=x&a[]=y`.
    List(Vec<Param>),
}

/// A body that cannot be read as nested parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid parameter {key}: {reason}")]
pub struct ParseError {
    pub key: String,
    pub reason: String,
}

/// Parses `application/x-www-form-urlencoded` text into nested parameters.
pub fn parse(text: &str) -> Result<BTreeMap<String, Param>, ParseError> {
    let mut root = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(text.as_bytes()) {
        let path = split_key(&key).ok_or_else(|| ParseError {
            key: key.to_string(),
            reason: "malformed brackets".to_owned(),
        })?;
        insert(&mut root, &path, value.into_owned(), &key)?;
    }
    Ok(root)
}

/// `a[b][0]` → `["a", "b", "0"]`; `a[]` gives an empty last segment.
fn split_key(key: &str) -> Option<Vec<String>> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut path = vec![head.to_owned()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return None;
        }
        path.push(segment.to_owned());
        rest = &inner[close + 1..];
    }
    Some(path)
}

fn insert(
    map: &mut BTreeMap<String, Param>,
    path: &[String],
    value: String,
    key: &str,
) -> Result<(), ParseError> {
    let conflict = |reason: &str| ParseError {
        key: key.to_owned(),
        reason: reason.to_owned(),
    };
    let (first, rest) = path.split_first().expect("non-empty path");
    if rest.is_empty() {
        if map.contains_key(first) {
            return Err(conflict("sent twice"));
        }
        map.insert(first.clone(), Param::Str(value));
        return Ok(());
    }
    if rest[0].is_empty() {
        // `a[]=x`: append to a list; only a scalar may follow.
        if rest.len() != 1 {
            return Err(conflict("nested values in a[] are not supported"));
        }
        let entry = map
            .entry(first.clone())
            .or_insert_with(|| Param::List(Vec::new()));
        return match entry {
            Param::List(items) => {
                items.push(Param::Str(value));
                Ok(())
            }
            _ => Err(conflict("mixes a list with another kind of value")),
        };
    }
    let entry = map
        .entry(first.clone())
        .or_insert_with(|| Param::Map(BTreeMap::new()));
    match entry {
        Param::Map(inner) => insert(inner, rest, value, key),
        _ => Err(conflict("mixes a hash with another kind of value")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Param {
        Param::Str(v.to_owned())
    }
    fn m(entries: &[(&str, Param)]) -> Param {
        Param::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn nested_brackets() {
        let parsed = parse(
            "line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=1200\
             &line_items[0][quantity]=1&metadata[a+b]=x%26y&active=false\
             &payment_method_types[]=card&payment_method_types[]=sepa_debit",
        )
        .unwrap();
        assert_eq!(
            parsed["line_items"],
            m(&[(
                "0",
                m(&[
                    ("price_data", m(&[("unit_amount", s("1200"))])),
                    ("quantity", s("1"))
                ])
            )])
        );
        assert_eq!(parsed["metadata"], m(&[("a b", s("x&y"))]));
        assert_eq!(parsed["active"], s("false"));
        assert_eq!(
            parsed["payment_method_types"],
            Param::List(vec![s("card"), s("sepa_debit")])
        );
    }

    #[test]
    fn malformed_and_conflicting_keys() {
        for body in [
            "[a]=1",
            "a[b=1",
            "a[b]c]=1",
            "a=1&a=2",
            "a=1&a[b]=2",
            "a[b]=1&a=2",
            "a[][x]=1",
        ] {
            assert!(parse(body).is_err(), "{body}");
        }
        assert_eq!(parse("").unwrap(), BTreeMap::new());
    }
}
