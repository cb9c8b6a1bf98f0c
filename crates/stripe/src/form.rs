//! Stripe's request bodies: `application/x-www-form-urlencoded` with nested
//! parameters in bracket notation.
//!
//! Stripe does not take JSON bodies. A nested hash is spelled
//! `metadata[invoice_id]=…`, an array `payment_method_types[0]=card`, and
//! they nest: `line_items[0][price_data][unit_amount]=1200`. We build a small
//! tree ([`Value`]) and flatten it here rather than through a generic
//! serializer, so that what goes on the wire is exactly what the table tests
//! below show, in a deterministic order (the order the caller built the
//! tree in): the fake's request log and idempotency replays depend on the
//! same request always giving the same bytes.
//!
//! Percent-encoding follows the WHATWG `application/x-www-form-urlencoded`
//! serializer: ASCII alphanumerics and `*-._` stay, a space becomes `+`,
//! every other byte of the UTF-8 encoding becomes `%XX` (so the brackets of
//! the keys are sent as `%5B` and `%5D`, as Stripe's own libraries do).

use std::fmt::Write as _;

/// One parameter value: a string, a hash of named values, or an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A scalar; numbers and booleans are sent as their decimal or
    /// `true`/`false` spelling.
    Str(String),
    /// A hash, in the order its entries will be sent.
    Map(Vec<(String, Value)>),
    /// An array, sent with explicit indices (`key[0]`, `key[1]`, …).
    List(Vec<Value>),
}

impl Value {
    /// A scalar from anything printable (`&str`, integers, `bool`).
    pub fn str(value: impl ToString) -> Value {
        Value::Str(value.to_string())
    }

    /// A hash from `(name, value)` pairs, kept in order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// An array.
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }
}

/// The parameters of one request, top level first, in sending order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    entries: Vec<(String, Value)>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Form {
        Form::default()
    }

    /// Adds a top-level parameter (builder style).
    pub fn with(mut self, name: impl Into<String>, value: Value) -> Form {
        self.push(name, value);
        self
    }

    /// Adds a top-level parameter.
    pub fn push(&mut self, name: impl Into<String>, value: Value) {
        self.entries.push((name.into(), value));
    }

    /// The flattened `(key, value)` pairs, keys in bracket notation,
    /// not yet percent-encoded. Empty hashes and arrays send nothing.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in &self.entries {
            flatten(name.clone(), value, &mut out);
        }
        out
    }

    /// The request body: `k=v&k=v`, percent-encoded.
    pub fn encode(&self) -> String {
        let mut body = String::new();
        for (i, (key, value)) in self.pairs().iter().enumerate() {
            if i > 0 {
                body.push('&');
            }
            percent_encode_into(key, &mut body);
            body.push('=');
            percent_encode_into(value, &mut body);
        }
        body
    }
}

fn flatten(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Str(s) => out.push((key, s.clone())),
        Value::Map(entries) => {
            for (name, inner) in entries {
                flatten(format!("{key}[{name}]"), inner, out);
            }
        }
        Value::List(items) => {
            for (i, inner) in items.iter().enumerate() {
                flatten(format!("{key}[{i}]"), inner, out);
            }
        }
    }
}

/// Appends `input` percent-encoded per `application/x-www-form-urlencoded`.
pub fn percent_encode_into(input: &str, out: &mut String) {
    for &byte in input.as_bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

/// `input` percent-encoded per `application/x-www-form-urlencoded`.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    percent_encode_into(input, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_table() {
        let cases = [
            ("", ""),
            ("abcXYZ019", "abcXYZ019"),
            ("*-._", "*-._"),
            ("a b", "a+b"),
            ("a+b", "a%2Bb"),
            ("a&b=c", "a%26b%3Dc"),
            ("[]", "%5B%5D"),
            ("~", "%7E"),
            ("100%", "100%25"),
            ("https://x.test/p?q=1", "https%3A%2F%2Fx.test%2Fp%3Fq%3D1"),
            ("Facture n°F-2026-0001", "Facture+n%C2%B0F-2026-0001"),
            ("Merci, réglé !", "Merci%2C+r%C3%A9gl%C3%A9+%21"),
            ("€", "%E2%82%AC"),
            ("\n", "%0A"),
        ];
        for (input, expected) in cases {
            assert_eq!(percent_encode(input), expected, "encoding {input:?}");
        }
    }

    #[test]
    fn bracket_notation_table() {
        let cases: Vec<(Form, &str)> = vec![
            (Form::new(), ""),
            (
                Form::new().with("active", Value::str(false)),
                "active=false",
            ),
            (
                Form::new().with(
                    "price_data",
                    Value::map([("unit_amount", Value::str(1200))]),
                ),
                "price_data%5Bunit_amount%5D=1200",
            ),
            (
                Form::new().with(
                    "payment_method_types",
                    Value::list([Value::str("card"), Value::str("sepa_debit")]),
                ),
                "payment_method_types%5B0%5D=card&payment_method_types%5B1%5D=sepa_debit",
            ),
            (
                Form::new().with("metadata", Value::map([("invoice_id", Value::str("42"))])),
                "metadata%5Binvoice_id%5D=42",
            ),
            (
                Form::new().with(
                    "restrictions",
                    Value::map([("completed_sessions", Value::map([("limit", Value::str(1))]))]),
                ),
                "restrictions%5Bcompleted_sessions%5D%5Blimit%5D=1",
            ),
            (
                Form::new().with(
                    "line_items",
                    Value::list([Value::map([
                        (
                            "price_data",
                            Value::map([
                                ("currency", Value::str("eur")),
                                ("product_data", Value::map([("name", Value::str("F 1"))])),
                            ]),
                        ),
                        ("quantity", Value::str(1)),
                    ])]),
                ),
                "line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=eur\
                 &line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=F+1\
                 &line_items%5B0%5D%5Bquantity%5D=1",
            ),
            // Empty containers send nothing (Stripe reads `key=` as "unset").
            (
                Form::new()
                    .with("metadata", Value::map::<String>([]))
                    .with("a", Value::str("b")),
                "a=b",
            ),
            // Values and keys with reserved characters.
            (
                Form::new().with("metadata", Value::map([("a b", Value::str("x&y=z"))])),
                "metadata%5Ba+b%5D=x%26y%3Dz",
            ),
        ];
        for (form, expected) in cases {
            assert_eq!(form.encode(), expected, "encoding {form:?}");
        }
    }

    #[test]
    fn order_is_the_building_order() {
        let form = Form::new().with("z", Value::str(1)).with(
            "a",
            Value::map([("y", Value::str(2)), ("b", Value::str(3))]),
        );
        assert_eq!(
            form.pairs(),
            vec![
                ("z".to_owned(), "1".to_owned()),
                ("a[y]".to_owned(), "2".to_owned()),
                ("a[b]".to_owned(), "3".to_owned()),
            ]
        );
        assert_eq!(form.encode(), form.clone().encode());
    }
}
