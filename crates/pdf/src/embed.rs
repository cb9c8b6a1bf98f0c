//! The fonts as the PDF embeds them: Type 0 fonts (Identity-H, glyph ids as
//! two-byte codes) over a *subset* TrueType program, with the widths and
//! the `/ToUnicode` map that make the text copyable and searchable.
//!
//! Subsetting and compressing a font program was a third of a one-page
//! render when it was done for each document's own glyphs. So each weight
//! has one fixed subset, the glyphs of [`FIXED`] (Windows-1252's
//! characters: every French or English invoice and most Western European
//! names), built, compressed and described once
//! per process; a document draws from it with no font work at all. The
//! characters of a document beyond it (a Greek or Cyrillic name) come from
//! a second, small font of just those glyphs, subset for that document;
//! the text switches font mid-line. A character the font has no glyph for
//! is drawn as `.notdef` (code 0), and `display` has already warned about
//! it.
//!
//! The fixed set costs some size (the two fixed programs are ~36 KB
//! compressed; a one-page invoice ~51 KB, under the 100 KB target) and
//! buys a render several times faster than subsetting per document.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::OnceLock;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use printpdf::ParsedFont;

use crate::RenderError;
use crate::layout::{self, Style};

/// The code points every fixed subset carries (inclusive ranges): those of
/// Windows-1252, the Western European set (French, English, German,
/// Spanish, Italian, Portuguese, Nordic: the invoice's own words and most
/// clients' names), plus the narrow no-break space of French number
/// grouping and the minus sign. Widening it to Latin Extended-A (Polish,
/// Czech, Hungarian…) made every PDF 11 KB bigger for names a document's
/// own small font serves as well.
const FIXED: &[(u32, u32)] = &[
    (0x0020, 0x007E), // Basic Latin
    (0x00A0, 0x00FF), // Latin-1 Supplement: accents, ß, £, «», no-break space
    (0x0152, 0x0153), // Œ œ
    (0x0160, 0x0161), // Š š
    (0x0178, 0x0178), // Ÿ
    (0x017D, 0x017E), // Ž ž
    (0x0192, 0x0192), // ƒ
    (0x02C6, 0x02C6), // ˆ
    (0x02DC, 0x02DC), // ˜
    (0x2013, 0x2014), // – —
    (0x2018, 0x201E), // ‘ ’ ‚ “ ” „
    (0x2020, 0x2022), // † ‡ •
    (0x2026, 0x2026), // …
    (0x202F, 0x2030), // narrow no-break space (French thousands), ‰
    (0x2039, 0x203A), // ‹ ›
    (0x20AC, 0x20AC), // €
    (0x2122, 0x2122), // ™
    (0x2212, 0x2212), // minus sign
];

fn fixed_chars() -> impl Iterator<Item = char> {
    FIXED
        .iter()
        .flat_map(|&(a, b)| a..=b)
        .filter_map(char::from_u32)
}

/// The fonts as printpdf parses them: its subsetter works on these.
fn parsed(style: Style) -> &'static ParsedFont {
    static REGULAR: OnceLock<ParsedFont> = OnceLock::new();
    static BOLD: OnceLock<ParsedFont> = OnceLock::new();
    let cell = match style {
        Style::Regular => &REGULAR,
        Style::Bold => &BOLD,
    };
    cell.get_or_init(|| {
        ParsedFont::from_bytes(style.bytes(), 0, &mut Vec::new()).expect("the embedded font parses")
    })
}

/// One subset of one weight, ready to embed.
#[derive(Debug, Clone)]
pub(crate) struct FontProgram {
    style: Style,
    /// The code (subset glyph id) of each of the font's glyphs; 0 for a
    /// glyph not in the subset.
    codes: Vec<u16>,
    /// `XXXXXX+NotoSans-Regular`: the tag names the glyph set.
    base_font: String,
    /// The subset TrueType program, Flate-compressed, and its length before.
    file: Vec<u8>,
    length1: usize,
    /// The `/ToUnicode` CMap, Flate-compressed.
    to_unicode: Vec<u8>,
    /// The `/W` array: the width of every code, in 1/1000 em.
    widths: Vec<Object>,
}

impl FontProgram {
    /// The fixed subset of `style`, built on first use.
    pub(crate) fn fixed(style: Style) -> &'static FontProgram {
        static REGULAR: OnceLock<FontProgram> = OnceLock::new();
        static BOLD: OnceLock<FontProgram> = OnceLock::new();
        let cell = match style {
            Style::Regular => &REGULAR,
            Style::Bold => &BOLD,
        };
        cell.get_or_init(|| {
            // Glyph -> the text it stands for; the first character drawing
            // a glyph names it (a space before a no-break space sharing it).
            let mut glyphs: BTreeMap<u16, String> = BTreeMap::new();
            for c in fixed_chars() {
                let gid = layout::glyph(style, c);
                if gid != 0 {
                    glyphs.entry(gid).or_insert_with(|| c.to_string());
                }
            }
            Self::build(style, &glyphs, flate2::Compression::best())
                .expect("the embedded font subsets to its fixed glyph set")
        })
    }

    /// The glyphs of `texts` the fixed subset lacks, as a font of their
    /// own (`None` when it lacks none): small, so quick to subset.
    pub(crate) fn extras<'t>(
        style: Style,
        texts: impl Iterator<Item = &'t str>,
    ) -> Result<Option<FontProgram>, RenderError> {
        let fixed = Self::fixed(style);
        let mut extra: BTreeMap<u16, String> = BTreeMap::new();
        for c in texts.flat_map(str::chars) {
            let gid = layout::glyph(style, c);
            if gid != 0 && fixed.code(gid).is_none() {
                extra.entry(gid).or_insert_with(|| c.to_string());
            }
        }
        if extra.is_empty() {
            return Ok(None);
        }
        // Built for each such document: the fast level.
        Self::build(style, &extra, flate2::Compression::fast()).map(Some)
    }

    /// Subsets the font to `glyphs` (glyph id → the text it draws).
    fn build(
        style: Style,
        glyphs: &BTreeMap<u16, String>,
        level: flate2::Compression,
    ) -> Result<FontProgram, RenderError> {
        let subset = printpdf::subset_font(parsed(style), glyphs)
            .map_err(|e| RenderError::Font(format!("{style:?}: {e}")))?;

        let face = layout::face(style);
        let mut codes = vec![0u16; usize::from(face.number_of_glyphs())];
        // (code, original glyph, text), by code: /W and ToUnicode want
        // ascending codes.
        let mut coded: Vec<(u16, u16, &str)> = subset
            .glyph_mapping
            .iter()
            .map(|(&gid, (code, text))| (*code, gid, text.as_str()))
            .collect();
        coded.sort_unstable();
        for &(code, gid, _) in &coded {
            if let Some(slot) = codes.get_mut(usize::from(gid)) {
                *slot = code;
            }
        }

        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| format!("NotoSans-{style:?}"));
        let base_font = format!("{}+{name}", tag(&name, &coded));

        Ok(FontProgram {
            style,
            codes,
            base_font,
            length1: subset.bytes.len(),
            file: deflate(&subset.bytes, level),
            to_unicode: deflate(to_unicode(&coded).as_bytes(), level),
            widths: widths(style, &coded),
        })
    }

    /// The code of glyph `gid` in this subset.
    pub(crate) fn code(&self, gid: u16) -> Option<u16> {
        match self.codes.get(usize::from(gid)) {
            Some(0) | None => None,
            Some(&code) => Some(code),
        }
    }

    /// Adds the font's objects to `doc`; returns its Type 0 font dictionary.
    pub(crate) fn add_to(&self, doc: &mut lopdf::Document) -> ObjectId {
        let face = layout::face(self.style);
        let scale = 1000.0 / f32::from(face.units_per_em());
        let em = |v: i16| Object::Integer((f32::from(v) * scale).round() as i64);
        let bbox = face.global_bounding_box();
        let weight = face.weight().to_number();
        // No table carries StemV: estimated from the weight class, as
        // producers do (~88 at 400, ~166 at 700).
        let stem_v = 50 + (f32::from(weight) / 65.0).powi(2).round() as i64;

        let compressed = |mut dict: Dictionary, bytes: &[u8]| {
            dict.set("Filter", "FlateDecode");
            let mut stream = Stream::new(dict, bytes.to_vec());
            // Already compressed: `render::compress` must leave it alone.
            stream.allows_compression = false;
            stream
        };
        let mut file_dict = Dictionary::new();
        file_dict.set("Length1", self.length1 as i64);
        let file = doc.add_object(compressed(file_dict, &self.file));
        let to_unicode = doc.add_object(compressed(Dictionary::new(), &self.to_unicode));

        let name = || Object::Name(self.base_font.clone().into_bytes());
        let descriptor = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"FontDescriptor".to_vec())),
            ("FontName", name()),
            // Non-symbolic: the standard Latin character set.
            ("Flags", Object::Integer(1 << 5)),
            (
                "FontBBox",
                Object::Array(vec![
                    em(bbox.x_min),
                    em(bbox.y_min),
                    em(bbox.x_max),
                    em(bbox.y_max),
                ]),
            ),
            ("ItalicAngle", Object::Integer(0)),
            ("Ascent", em(face.ascender())),
            ("Descent", em(face.descender())),
            (
                "CapHeight",
                em(face.capital_height().unwrap_or(face.ascender())),
            ),
            ("StemV", Object::Integer(stem_v)),
            ("FontFile2", Object::Reference(file)),
        ]));
        let descendant = Dictionary::from_iter([
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
            ("BaseFont", name()),
            (
                "CIDSystemInfo",
                Object::Dictionary(Dictionary::from_iter([
                    (
                        "Registry",
                        Object::String(b"Adobe".to_vec(), StringFormat::Literal),
                    ),
                    (
                        "Ordering",
                        Object::String(b"Identity".to_vec(), StringFormat::Literal),
                    ),
                    ("Supplement", Object::Integer(0)),
                ])),
            ),
            ("FontDescriptor", Object::Reference(descriptor)),
            ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
            ("W", Object::Array(self.widths.clone())),
        ]);
        doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type0".to_vec())),
            ("BaseFont", name()),
            ("Encoding", Object::Name(b"Identity-H".to_vec())),
            (
                "DescendantFonts",
                Object::Array(vec![Object::Dictionary(descendant)]),
            ),
            ("ToUnicode", Object::Reference(to_unicode)),
        ]))
    }
}

/// The six-letter subset tag, from the font and its glyph set: the same
/// subset always gets the same tag, another one another tag.
fn tag(name: &str, coded: &[(u16, u16, &str)]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let gids = coded.iter().flat_map(|&(_, gid, _)| gid.to_le_bytes());
    for b in name.bytes().chain(gids) {
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect()
}

/// `/W`: runs of consecutive codes as `first [w w w…]`.
fn widths(style: Style, coded: &[(u16, u16, &str)]) -> Vec<Object> {
    let mut out = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut first = 0u16;
    let mut next = None;
    for &(code, gid, _) in coded {
        if next != Some(code) {
            if !run.is_empty() {
                out.push(Object::Integer(i64::from(first)));
                out.push(Object::Array(std::mem::take(&mut run)));
            }
            first = code;
        }
        run.push(Object::Integer(layout::glyph_width(style, gid)));
        next = code.checked_add(1);
    }
    if !run.is_empty() {
        out.push(Object::Integer(i64::from(first)));
        out.push(Object::Array(run));
    }
    out
}

/// The `/ToUnicode` CMap: each code to the UTF-16 of the text it draws.
fn to_unicode(coded: &[(u16, u16, &str)]) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per block (PDF 32000-1, 9.10.3).
    for block in coded.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", block.len());
        for &(code, _, text) in block {
            let _ = write!(cmap, "<{code:04X}> <");
            for unit in text.encode_utf16() {
                let _ = write!(cmap, "{unit:04X}");
            }
            cmap.push_str(">\n");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

fn deflate(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::with_capacity(bytes.len() / 2), level);
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_subset_draws_every_fixed_character_the_font_has() {
        for style in [Style::Regular, Style::Bold] {
            let font = FontProgram::fixed(style);
            for c in fixed_chars() {
                let gid = layout::glyph(style, c);
                if gid != 0 {
                    assert!(font.code(gid).is_some(), "{style:?} {c:?}");
                }
            }
            // The French and English invoice's own characters are in it.
            for c in "àâçéèêëîïôöùûüÿœŒ€’“”«»£ßÆØÅ–—…\u{202f}\u{a0}".chars()
            {
                assert!(font.code(layout::glyph(style, c)).is_some(), "{c:?}");
            }
        }
    }

    #[test]
    fn characters_beyond_the_fixed_set_get_a_font_of_their_own() {
        let fixed = FontProgram::fixed(Style::Regular);
        let greek = FontProgram::extras(Style::Regular, ["Éléonore, Ελένη"].into_iter())
            .unwrap()
            .expect("Greek is beyond the fixed set");
        assert_ne!(
            greek.base_font, fixed.base_font,
            "another glyph set, another tag"
        );
        for c in "Ελένη".chars() {
            assert!(
                greek.code(layout::glyph(Style::Regular, c)).is_some(),
                "{c}"
            );
        }
        // Only what the fixed set lacks: no Latin letter.
        assert!(greek.code(layout::glyph(Style::Regular, 'o')).is_none());
        let latin = FontProgram::extras(Style::Regular, ["Éléonore Dûbois"].into_iter()).unwrap();
        assert!(latin.is_none());
    }

    #[test]
    fn to_unicode_maps_each_code_to_its_utf16_text() {
        let cmap = to_unicode(&[(1, 3, " "), (2, 9, "€"), (3, 12, "𝄞")]);
        assert!(cmap.contains("3 beginbfchar\n<0001> <0020>\n<0002> <20AC>\n<0003> <D834DD1E>\n"));
    }

    #[test]
    fn widths_are_grouped_by_runs_of_consecutive_codes() {
        let w = widths(Style::Regular, &[(1, 3, " "), (2, 4, "!"), (5, 5, "\"")]);
        assert_eq!(w.len(), 4);
        assert_eq!(w[0], Object::Integer(1));
        assert!(matches!(&w[1], Object::Array(a) if a.len() == 2));
        assert_eq!(w[2], Object::Integer(5));
    }
}
