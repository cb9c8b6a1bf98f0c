//! The SVG backend: the same [`DisplayList`] as the PDF, one self-contained
//! `<svg>` per page, for the app's preview (WebKitGTK cannot show a PDF
//! inline).
//!
//! Text stays text (`<text>` in the Noto Sans faces the PDF embeds, so the
//! host must provide them, e.g. with `@font-face`); each run is placed at
//! the position the layout measured, so with the same fonts and without
//! kerning or ligatures (the PDF has neither) it lines up as in the PDF.
//! QR codes are one `<path>` each, the logo a `data:` image, the PAID stamp
//! a rotated, translucent group. Coordinates are rounded to 1/100 pt like
//! the PDF's.

use std::fmt::Write;

use crate::display::{self, DisplayList, Ink, Mark, STAMP_OPACITY, Stamp};
use crate::layout::Style;
use crate::{Document, RenderError};

/// The family the `<text>` elements name (both weights of Noto Sans).
const FONT_FAMILY: &str = "Noto Sans";

/// Renders `doc` to one SVG document per page, in order. The warnings
/// (missing glyphs, logo, transfer QR code) are [`crate::render`]'s: see
/// [`crate::display_list`].
pub fn render_svg(doc: &Document) -> Result<Vec<String>, RenderError> {
    let list = display::display_list(doc)?;
    let logo = match (&list.logo, &doc.logo_png) {
        (Some(_), Some(png)) => Some(format!("data:image/png;base64,{}", base64(png))),
        _ => None,
    };
    Ok(list
        .pages
        .iter()
        .map(|marks| page(&list, marks, logo.as_deref()))
        .collect())
}

fn page(list: &DisplayList, marks: &[Mark], logo: Option<&str>) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let (w, h) = (n(list.width), n(list.height));
    // `write!` into a String cannot fail.
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}pt\" height=\"{h}pt\" font-family=\"{FONT_FAMILY}\" xml:space=\"preserve\">\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>"
    );
    for mark in marks {
        self::mark(&mut out, mark, logo);
    }
    out.push_str("</svg>");
    out
}

fn mark(out: &mut String, mark: &Mark, logo: Option<&str>) {
    match mark {
        Mark::Text {
            x,
            baseline,
            style,
            size,
            color,
            text,
        } => {
            let weight = match style {
                Style::Regular => "400",
                Style::Bold => "700",
            };
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" font-family=\"{FONT_FAMILY}\" font-weight=\"{weight}\" \
                 font-size=\"{}\" fill=\"{}\" xml:space=\"preserve\">",
                n(*x),
                n(*baseline),
                n(*size),
                hex(*color)
            );
            escape(out, text);
            out.push_str("</text>");
        }
        Mark::Rect {
            x,
            top,
            width,
            height,
            color,
        } => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                n(*x),
                n(*top),
                n(*width),
                n(*height),
                hex(*color)
            );
        }
        Mark::Qr {
            matrix,
            x,
            top,
            size,
        } => {
            // One path, each module edge rounded once and shared by its
            // neighbours (no hairline seams between runs), like the PDF's.
            let module = size / matrix.width as f32;
            let edge_x = |col: usize| n(x + col as f32 * module);
            let edge_y = |row: usize| n(top + row as f32 * module);
            out.push_str("<path fill=\"#000\" d=\"");
            for &(row, col, len) in &matrix.runs {
                let _ = write!(
                    out,
                    "M{} {}H{}V{}H{}Z",
                    edge_x(col),
                    edge_y(row),
                    edge_x(col + len),
                    edge_y(row + 1),
                    edge_x(col)
                );
            }
            out.push_str("\"/>");
        }
        Mark::Logo {
            x,
            top,
            width,
            height,
            ..
        } => {
            if let Some(href) = logo {
                let _ = write!(
                    out,
                    "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                     preserveAspectRatio=\"none\" href=\"{href}\"/>",
                    n(*x),
                    n(*top),
                    n(*width),
                    n(*height)
                );
            }
        }
        Mark::Stamp(stamp) => self::stamp(out, stamp, logo),
    }
}

/// The stamp's group: moved to its centre, then rotated (SVG's angles turn
/// clockwise, y being downwards); fill and stroke translucent like the
/// PDF's graphics state, each shape on its own.
fn stamp(out: &mut String, stamp: &Stamp, logo: Option<&str>) {
    let _ = write!(
        out,
        "<g transform=\"translate({} {}) rotate({})\" fill-opacity=\"{STAMP_OPACITY}\" \
         stroke-opacity=\"{STAMP_OPACITY}\">\
         <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>",
        n(stamp.cx),
        n(stamp.cy),
        n(-stamp.angle),
        n(-stamp.frame_width / 2.0),
        n(-stamp.frame_height / 2.0),
        n(stamp.frame_width),
        n(stamp.frame_height),
        hex(stamp.color),
        n(stamp.frame_line)
    );
    for text in &stamp.texts {
        mark(out, text, logo);
    }
    out.push_str("</g>");
}

/// A coordinate rounded to 1/100 pt, printed as short as it reads.
fn n(v: f32) -> f32 {
    let r = (v * 100.0).round() / 100.0;
    // No "-0" in the output.
    if r == 0.0 { 0.0 } else { r }
}

fn hex((r, g, b): Ink) -> String {
    let c = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(r), c(g), c(b))
}

/// XML-escapes text content. Control characters are not allowed in XML 1.0
/// (and the PDF draws nothing for them): they are left out.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), for the logo's `data:` URL.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(v >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        let mut out = String::new();
        escape(&mut out, "a < b & \"c\" > d\u{1}\u{7f}é");
        assert_eq!(out, "a &lt; b &amp; &quot;c&quot; &gt; dé");
    }

    #[test]
    fn numbers_are_rounded_to_hundredths_without_negative_zero() {
        assert_eq!(n(12.345_678).to_string(), "12.35");
        assert_eq!(n(48.0).to_string(), "48");
        assert_eq!(n(-0.001).to_string(), "0");
        assert_eq!(hex((0.11, 0.12, 0.14)), "#1c1f24");
    }
}
