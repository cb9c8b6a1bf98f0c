//! A small XML writer: elements in the order written, text escaped,
//! indented by two spaces, so the output is deterministic and readable.

use std::fmt::Write as _;

pub(crate) struct Xml {
    out: String,
    open: Vec<&'static str>,
}

/// `text` with the five XML special characters escaped, and the control
/// characters XML 1.0 cannot carry dropped (a pasted description may hold
/// one; it would make the whole file unreadable).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

impl Xml {
    pub fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    /// Opens `name` with attributes (values escaped).
    pub fn open_with(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
        self.out.push_str(">\n");
        self.open.push(name);
    }

    pub fn open(&mut self, name: &'static str) {
        self.open_with(name, &[]);
    }

    pub fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            self.indent();
            let _ = writeln!(self.out, "</{name}>");
        }
    }

    /// `<name attr="…">text</name>`.
    pub fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
        let _ = writeln!(self.out, ">{}</{name}>", escape(text));
    }

    pub fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// The element only when there is a text.
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
            self.leaf(name, text);
        }
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("Café & <Fils> \"A\" 'B'\u{7}"),
            "Café &amp; &lt;Fils&gt; &quot;A&quot; &apos;B&apos;"
        );
        let mut x = Xml::new();
        x.open_with("a", &[("k", "v&")]);
        x.leaf("b", "1 < 2");
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a k=\"v&amp;\">\n  <b>1 &lt; 2</b>\n</a>\n"
        );
    }
}
