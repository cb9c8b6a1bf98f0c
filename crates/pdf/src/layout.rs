//! The layout engine: measuring, wrapping and paginating text ourselves.
//!
//! printpdf draws glyphs where it is told but neither measures, wraps nor
//! paginates, so everything that decides *where* text goes lives here, apart
//! from any PDF type, and is tested on its own:
//!
//! - widths come from the embedded font's own advance widths (`hmtx`, read
//!   with `ttf-parser`), parsed once per process;
//! - there is no shaping or kerning in the PDF, so text is NFC-normalized
//!   first: a decomposed "é" (e + U+0301) would otherwise be drawn as two
//!   glyphs, the accent floating after its letter;
//! - a character the font has no glyph for is *reported* ([`missing_chars`])
//!   so the caller can warn; it is never silently dropped;
//! - pagination never splits a table row and keeps room for what must follow
//!   the last row (totals, payment section) on the last page.

use std::ops::Range;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// Noto Sans Regular (SIL Open Font License 1.1, see `fonts/`).
pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold (SIL Open Font License 1.1, see `fonts/`).
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");

/// The font files the layout measures with, by file name
/// (`NotoSans-Regular.ttf`, `NotoSans-Bold.ttf`), for a viewer that must draw
/// the very same glyphs: the app's SVG preview gets its faces from here, so
/// the binary holds one copy of them.
pub fn font_file(name: &str) -> Option<&'static [u8]> {
    match name {
        "NotoSans-Regular.ttf" => Some(REGULAR_TTF),
        "NotoSans-Bold.ttf" => Some(BOLD_TTF),
        _ => None,
    }
}

/// The two weights the invoice uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Regular,
    Bold,
}

impl Style {
    pub(crate) fn bytes(self) -> &'static [u8] {
        match self {
            Style::Regular => REGULAR_TTF,
            Style::Bold => BOLD_TTF,
        }
    }
}

/// Advance widths of one font, in font units, indexed for fast lookup.
struct Metrics {
    units_per_em: f32,
    /// Advances of U+0000..U+0800 (Latin, Greek, Cyrillic): the common case
    /// without a cmap lookup. `None` = no glyph.
    table: Vec<Option<u16>>,
    /// Glyph ids of U+0000..U+0800, 0 = none (the PDF backend encodes text
    /// as glyph ids).
    glyphs: Vec<u16>,
    face: ttf_parser::Face<'static>,
}

const TABLE_LEN: u32 = 0x800;

impl Metrics {
    fn parse(bytes: &'static [u8]) -> Metrics {
        // The fonts are compiled in and known good: failing here is a build defect.
        let face = ttf_parser::Face::parse(bytes, 0).expect("the embedded font parses");
        let table = (0..TABLE_LEN)
            .map(|cp| char::from_u32(cp).and_then(|c| Self::lookup(&face, c)))
            .collect();
        let glyphs = (0..TABLE_LEN)
            .map(|cp| char::from_u32(cp).map_or(0, |c| Self::glyph_of(&face, c)))
            .collect();
        Metrics {
            units_per_em: f32::from(face.units_per_em()),
            table,
            glyphs,
            face,
        }
    }

    fn glyph_of(face: &ttf_parser::Face<'_>, c: char) -> u16 {
        face.glyph_index(c).map_or(0, |g| g.0)
    }

    fn glyph(&self, c: char) -> u16 {
        let cp = u32::from(c);
        if cp < TABLE_LEN {
            self.glyphs[cp as usize]
        } else {
            Self::glyph_of(&self.face, c)
        }
    }

    fn lookup(face: &ttf_parser::Face<'_>, c: char) -> Option<u16> {
        let glyph = face.glyph_index(c)?;
        if glyph.0 == 0 {
            return None;
        }
        face.glyph_hor_advance(glyph)
    }

    fn advance(&self, c: char) -> Option<u16> {
        let cp = u32::from(c);
        if cp < TABLE_LEN {
            self.table[cp as usize]
        } else {
            Self::lookup(&self.face, c)
        }
    }
}

fn metrics(style: Style) -> &'static Metrics {
    static REGULAR: OnceLock<Metrics> = OnceLock::new();
    static BOLD: OnceLock<Metrics> = OnceLock::new();
    match style {
        Style::Regular => REGULAR.get_or_init(|| Metrics::parse(REGULAR_TTF)),
        Style::Bold => BOLD.get_or_init(|| Metrics::parse(BOLD_TTF)),
    }
}

/// The font's glyph id for `c`, 0 (`.notdef`) when it has none.
pub(crate) fn glyph(style: Style, c: char) -> u16 {
    metrics(style).glyph(c)
}

/// The font's advance width of glyph `gid` in 1/1000 em (PDF's glyph
/// space), 0 for an unknown glyph.
pub(crate) fn glyph_width(style: Style, gid: u16) -> i64 {
    let m = metrics(style);
    let advance = m
        .face
        .glyph_hor_advance(ttf_parser::GlyphId(gid))
        .unwrap_or(0);
    (f32::from(advance) * 1000.0 / m.units_per_em).round() as i64
}

/// The parsed face of `style` (names and metrics for the PDF's font
/// descriptor).
pub(crate) fn face(style: Style) -> &'static ttf_parser::Face<'static> {
    &metrics(style).face
}

/// `text` in Unicode normalization form C (composed accents).
pub fn nfc(text: &str) -> String {
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes
    {
        return text.to_owned();
    }
    text.nfc().collect()
}

/// Whether the font draws `c` (control characters never need a glyph).
pub fn has_glyph(style: Style, c: char) -> bool {
    c.is_control() || metrics(style).advance(c).is_some()
}

/// The characters of `text` the font has no glyph for, in order, each once.
pub fn missing_chars(style: Style, text: &str) -> Vec<char> {
    let mut missing = Vec::new();
    for c in text.chars() {
        if !has_glyph(style, c) && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// The width of `text` set in `style` at `size` points, in points.
/// A character without a glyph counts as the font's `.notdef` (half an em),
/// which is roughly what a viewer draws for it.
pub fn text_width(style: Style, size: f32, text: &str) -> f32 {
    let m = metrics(style);
    let units: u32 = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| u32::from(m.advance(c).unwrap_or((m.units_per_em / 2.0) as u16)))
        .sum();
    units as f32 * size / m.units_per_em
}

/// Breaks `text` into lines no wider than `max_width` points.
///
/// Breaks at spaces; an explicit `\n` starts a new line; a word wider than
/// the whole line is cut between characters. Runs of spaces collapse to one
/// at a break, and an empty paragraph gives an empty line (so blank lines in
/// an address survive). No-break spaces (U+00A0, U+202F) never break.
pub fn wrap(style: Style, size: f32, text: &str, max_width: f32) -> Vec<String> {
    let space = text_width(style, size, " ");
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.trim_end_matches('\r');
        let mut line = String::new();
        let mut width = 0.0_f32;
        let mut any_word = false;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            any_word = true;
            let w = text_width(style, size, word);
            if !line.is_empty() && width + space + w <= max_width {
                line.push(' ');
                line.push_str(word);
                width += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if w <= max_width {
                line.push_str(word);
                width = w;
            } else {
                // Cut an over-long word (a URL, a reference) by characters.
                width = 0.0;
                for c in word.chars() {
                    let cw = text_width(style, size, c.encode_utf8(&mut [0; 4]));
                    if !line.is_empty() && width + cw > max_width {
                        lines.push(std::mem::take(&mut line));
                        width = 0.0;
                    }
                    line.push(c);
                    width += cw;
                }
            }
        }
        if !line.is_empty() || !any_word {
            lines.push(line);
        }
    }
    lines
}

/// Splits table rows into pages, never splitting a row.
///
/// `heights` are the rows' heights; `first` and `next` the room for rows on
/// the first and on following pages (below the table header each page
/// repeats); `tail` the room the last page needs after its last row (totals,
/// payment section). When the tail does not fit after the last row, a last
/// page with no rows is added for it. A row taller than a whole page gets a
/// page of its own (and overflows it) rather than being split.
/// Always returns at least one page.
pub fn paginate(heights: &[f32], first: f32, next: f32, tail: f32) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut room = first;
    let mut used = 0.0_f32;
    for (i, h) in heights.iter().enumerate() {
        if used + h > room && i > start {
            pages.push(start..i);
            start = i;
            room = next;
            used = 0.0;
        }
        used += h;
    }
    pages.push(start..heights.len());
    if used + tail > room {
        let end = heights.len();
        pages.push(end..end);
    }
    pages
}

/// "Page 2 / 5": the same in French and English.
pub fn page_label(page: usize, pages: usize) -> String {
    format!("Page {page} / {pages}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font_and_scale_with_size() {
        let w10 = text_width(Style::Regular, 10.0, "Facture");
        let w20 = text_width(Style::Regular, 20.0, "Facture");
        assert!((w20 - 2.0 * w10).abs() < 1e-3);
        // Proportional, not monospace: "i" is much narrower than "W".
        assert!(
            text_width(Style::Regular, 10.0, "W") > 2.0 * text_width(Style::Regular, 10.0, "i")
        );
        // Bold is wider than regular.
        assert!(text_width(Style::Bold, 10.0, "Total") > text_width(Style::Regular, 10.0, "Total"));
        assert_eq!(text_width(Style::Regular, 10.0, ""), 0.0);
        // A plausible average: 7 letters of 10 pt between 20 and 50 pt.
        assert!((20.0..50.0).contains(&w10), "{w10}");
    }

    #[test]
    fn nfc_composes_accents_so_widths_and_glyphs_match() {
        let decomposed = "E\u{301}le\u{301}onore";
        let composed = nfc(decomposed);
        assert_eq!(composed, "Éléonore");
        assert_eq!(composed.chars().count(), 8);
        assert_eq!(nfc("déjà"), "déjà");
    }

    #[test]
    fn the_font_covers_french_european_greek_and_cyrillic_names() {
        for name in [
            "Éléonore Dûbois-Lefèvre",
            "Ærøskøbing",
            "Straße œuvre £ € ß",
            "Γιώργος Παπαδόπουλος",
            "Дмитрий Иванов",
            "1\u{202f}234,56\u{a0}€",
        ] {
            assert_eq!(missing_chars(Style::Regular, name), vec![], "{name}");
            assert_eq!(missing_chars(Style::Bold, name), vec![], "{name}");
        }
    }

    #[test]
    fn missing_glyphs_are_reported_once_each_in_order() {
        assert_eq!(
            missing_chars(Style::Regular, "李 and 李, 🦀"),
            vec!['李', '🦀']
        );
        assert!(!has_glyph(Style::Regular, '李'));
        assert!(has_glyph(Style::Regular, '\n'));
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let text = "Développement d'une application de facturation pour indépendants, avec paiement en ligne";
        let lines = wrap(Style::Regular, 9.0, text, 150.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(text_width(Style::Regular, 9.0, line) <= 150.0, "{line}");
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn wrap_keeps_explicit_newlines_and_blank_lines() {
        assert_eq!(
            wrap(
                Style::Regular,
                9.0,
                "12 rue de la Paix\n\n75002 Paris",
                500.0
            ),
            vec!["12 rue de la Paix", "", "75002 Paris"]
        );
        assert_eq!(wrap(Style::Regular, 9.0, "", 100.0), vec![""]);
    }

    #[test]
    fn wrap_cuts_a_word_longer_than_the_line() {
        let url = "https://pay.example.com/p/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let lines = wrap(Style::Regular, 9.0, url, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), url);
        for line in &lines {
            assert!(text_width(Style::Regular, 9.0, line) <= 100.0);
        }
    }

    #[test]
    fn wrap_does_not_break_at_no_break_spaces() {
        let amount = "1\u{202f}234\u{202f}567,89\u{a0}€";
        let width = text_width(Style::Regular, 9.0, amount);
        let lines = wrap(Style::Regular, 9.0, amount, width - 1.0);
        // Cut by characters only because it is one word, never at the NBSPs as spaces.
        assert_eq!(lines.concat(), amount);
    }

    #[test]
    fn paginate_fills_pages_without_splitting_rows() {
        let heights = vec![20.0; 10];
        let pages = paginate(&heights, 100.0, 150.0, 0.0);
        assert_eq!(pages, vec![0..5, 5..10]);
        let pages = paginate(&heights, 50.0, 50.0, 0.0);
        assert_eq!(pages, vec![0..2, 2..4, 4..6, 6..8, 8..10]);
        // A row that does not fit whole goes to the next page.
        let pages = paginate(&[30.0, 30.0, 30.0], 70.0, 70.0, 0.0);
        assert_eq!(pages, vec![0..2, 2..3]);
    }

    #[test]
    fn paginate_keeps_room_for_the_tail_or_adds_a_page() {
        let heights = vec![20.0; 4];
        assert_eq!(paginate(&heights, 200.0, 200.0, 100.0), vec![0..4]);
        assert_eq!(paginate(&heights, 100.0, 200.0, 50.0), vec![0..4, 4..4]);
        assert_eq!(paginate(&[], 100.0, 200.0, 50.0), vec![0..0]);
    }

    #[test]
    fn paginate_gives_an_oversized_row_its_own_page() {
        let pages = paginate(&[10.0, 500.0, 10.0], 100.0, 100.0, 0.0);
        assert_eq!(pages, vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn page_label_reads_the_same_in_both_languages() {
        assert_eq!(page_label(2, 5), "Page 2 / 5");
    }
}
