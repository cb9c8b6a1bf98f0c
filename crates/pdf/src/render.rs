//! The PDF backend: a [`DisplayList`] written as PDF content streams,
//! assembled with printpdf, saved deterministically.
//!
//! The page content is written here directly (a few operators: `re f`
//! rectangles, `Tj` text in glyph codes, `cm` frames), with numbers
//! formatted to 1/100 pt by integer arithmetic; printpdf builds the
//! document around it (page tree, logo image, stamp transparency,
//! metadata) and the fonts come from [`crate::embed`], subset once per
//! process. Marks are in points from the page's top-left corner; PDF's
//! origin is the bottom-left, so y is flipped here and nowhere else. Fill
//! colours are set only when they change (a shorter content stream).

use std::cell::RefCell;
use std::io::Write as _;

use printpdf::{
    ExtendedGraphicsState, ExtendedGraphicsStateId, PdfDocument, PdfDocumentInfo, PdfMetadata,
    PdfPage, PdfSaveOptions, Pt, XObjectId,
};

use crate::display::{self, DisplayList, Ink, Mark, STAMP_OPACITY, Stamp};
use crate::embed::FontProgram;
use crate::layout::{self, Style};
use crate::pdfa::EInvoice;
use crate::{Document, RenderError, Rendered};

// Fixed resource names: printpdf would draw them at random.
const FONT_REGULAR: &str = "NOTOSR";
const FONT_BOLD: &str = "NOTOSB";
const FONT_REGULAR_EXTRA: &str = "NOTOSRX";
const FONT_BOLD_EXTRA: &str = "NOTOSBX";
const STAMP_GS: &str = "GSSTAMP";
const LOGO: &str = "LOGO";

thread_local! {
    /// A document reused by every render on this thread: only pages,
    /// metadata and the per-document resources (logo, stamp transparency)
    /// change between renders; the determinism tests compare a thread's
    /// first render with a later one.
    static TEMPLATE: RefCell<PdfDocument> = RefCell::new(PdfDocument::new(""));
}

/// Appends `v` rounded to `places` decimals (at most 3), without trailing
/// zeros, then a space: `12.5 `, `-3 `, `0.125 `. Integer arithmetic: the
/// shortest-float formatting of the standard library was a tenth of the
/// render time.
fn num(out: &mut Vec<u8>, v: f32, places: u32) {
    let scale = 10i64.pow(places);
    let scaled = (f64::from(v) * scale as f64).round() as i64;
    if scaled < 0 {
        out.push(b'-');
    }
    let abs = scaled.unsigned_abs();
    let scale = scale.unsigned_abs();
    let _ = write!(out, "{}", abs / scale);
    let mut frac = abs % scale;
    if frac != 0 {
        out.push(b'.');
        let mut div = scale / 10;
        while frac != 0 {
            out.push(b'0' + (frac / div) as u8);
            frac %= div;
            div /= 10;
        }
    }
    out.push(b' ');
}

/// A coordinate: 1/100 pt is invisible and keeps the stream short.
fn pt(out: &mut Vec<u8>, v: f32) {
    num(out, v, 2);
}

/// The fonts of one document: per weight, the fixed subset and, when the
/// document has characters beyond it, a font of those.
struct Fonts {
    fixed: [&'static FontProgram; 2],
    extra: [Option<FontProgram>; 2],
    /// Which weights the pages draw with: only those are embedded.
    used: [bool; 2],
}

const STYLES: [Style; 2] = [Style::Regular, Style::Bold];

/// Resource names: fixed subset, extras.
fn names(style: Style) -> (&'static str, &'static str) {
    match style {
        Style::Regular => (FONT_REGULAR, FONT_REGULAR_EXTRA),
        Style::Bold => (FONT_BOLD, FONT_BOLD_EXTRA),
    }
}

impl Fonts {
    fn for_pages(pages: &[Vec<Mark>]) -> Result<Fonts, RenderError> {
        fn texts(marks: &[Mark], style: Style) -> impl Iterator<Item = &str> {
            marks
                .iter()
                .flat_map(|m| match m {
                    Mark::Stamp(stamp) => stamp.texts.as_slice(),
                    other => std::slice::from_ref(other),
                })
                .filter_map(move |m| match m {
                    Mark::Text { style: s, text, .. } if *s == style => Some(text.as_str()),
                    _ => None,
                })
        }
        let all = |style| pages.iter().flat_map(move |p| texts(p, style));
        Ok(Fonts {
            fixed: STYLES.map(FontProgram::fixed),
            extra: [
                FontProgram::extras(Style::Regular, all(Style::Regular))?,
                FontProgram::extras(Style::Bold, all(Style::Bold))?,
            ],
            used: STYLES.map(|style| all(style).next().is_some()),
        })
    }

    fn index(style: Style) -> usize {
        match style {
            Style::Regular => 0,
            Style::Bold => 1,
        }
    }

    /// Writes `text` as `/F size Tf <codes> Tj`, switching to the extras
    /// font and back where the fixed subset lacks a glyph.
    fn show(&self, style: Style, size: f32, text: &str, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let i = Self::index(style);
        let (fixed_name, extra_name) = names(style);
        // The font of the current run: false = fixed, true = extras.
        let mut current: Option<bool> = None;
        for c in text.chars() {
            let gid = layout::glyph(style, c);
            let (in_extra, code) = match self.fixed[i].code(gid) {
                Some(code) => (false, code),
                None => match self.extra[i].as_ref().and_then(|f| f.code(gid)) {
                    Some(code) => (true, code),
                    // No glyph in the font: .notdef, already warned about.
                    None => (current.unwrap_or(false), 0),
                },
            };
            if current != Some(in_extra) {
                if current.is_some() {
                    out.extend_from_slice(b"> Tj ");
                }
                let name = if in_extra { extra_name } else { fixed_name };
                let _ = write!(out, "/{name} ");
                num(out, size, 2);
                out.extend_from_slice(b"Tf <");
                current = Some(in_extra);
            }
            for shift in [12, 8, 4, 0] {
                out.push(HEX[usize::from((code >> shift) & 0xF)]);
            }
        }
        if current.is_some() {
            out.extend_from_slice(b"> Tj");
        }
    }

    /// Adds the fonts the pages use to `lo`: (resource name, font).
    fn add_to(&self, lo: &mut lopdf::Document) -> Vec<(&'static str, lopdf::ObjectId)> {
        let mut entries = Vec::new();
        for style in STYLES {
            let i = Self::index(style);
            if !self.used[i] {
                continue;
            }
            let (fixed_name, extra_name) = names(style);
            entries.push((fixed_name, self.fixed[i].add_to(lo)));
            if let Some(extra) = &self.extra[i] {
                entries.push((extra_name, extra.add_to(lo)));
            }
        }
        entries
    }
}

/// Writes one page's marks as a content stream.
struct Content<'f> {
    /// The page height: PDF's y is `height - top`.
    height: f32,
    out: Vec<u8>,
    fill: Option<Ink>,
    fonts: &'f Fonts,
}

impl<'f> Content<'f> {
    fn new(height: f32, fonts: &'f Fonts) -> Self {
        Content {
            height,
            out: Vec::with_capacity(16 * 1024),
            fill: None,
            fonts,
        }
    }

    fn color(&mut self, (r, g, b): Ink, op: &[u8]) {
        for v in [r, g, b] {
            num(&mut self.out, v, 3);
        }
        self.out.extend_from_slice(op);
    }

    fn set_fill(&mut self, color: Ink) {
        if self.fill != Some(color) {
            self.color(color, b"rg\n");
            self.fill = Some(color);
        }
    }

    /// `a b c d e f cm`
    fn matrix(&mut self, m: [f32; 6]) {
        for v in m {
            num(&mut self.out, v, 3);
        }
        self.out.extend_from_slice(b"cm\n");
    }

    fn marks(&mut self, marks: Vec<Mark>) {
        for mark in marks {
            self.mark(mark);
        }
    }

    fn mark(&mut self, mark: Mark) {
        match mark {
            Mark::Text {
                x,
                baseline,
                style,
                size,
                color,
                text,
            } => {
                self.set_fill(color);
                self.out.extend_from_slice(b"BT ");
                pt(&mut self.out, x);
                pt(&mut self.out, self.height - baseline);
                self.out.extend_from_slice(b"Td ");
                self.fonts.show(style, size, &text, &mut self.out);
                self.out.extend_from_slice(b" ET\n");
            }
            Mark::Rect {
                x,
                top,
                width,
                height,
                color,
            } => {
                self.set_fill(color);
                pt(&mut self.out, x);
                pt(&mut self.out, self.height - top - height);
                pt(&mut self.out, width);
                pt(&mut self.out, height);
                self.out.extend_from_slice(b"re f\n");
            }
            Mark::Qr {
                matrix,
                x,
                top,
                size,
            } => self.qr(&matrix, x, top, size),
            Mark::Logo {
                x,
                top,
                width,
                height,
                ..
            } => {
                // An image fills the unit square of its frame.
                self.out.extend_from_slice(b"q ");
                self.matrix([width, 0.0, 0.0, height, x, self.height - top - height]);
                let _ = writeln!(self.out, "/{LOGO} Do Q");
            }
            Mark::Stamp(stamp) => self.stamp(stamp),
        }
    }

    /// All runs are one path filled once (nonzero winding), drawn in module
    /// units under a scaling matrix: every edge is a small integer, shared
    /// exactly by its neighbours (separate rectangles whose rounded edges
    /// missed by a hair showed as white seams in anti-aliasing viewers,
    /// which then could not decode the code at some positions), and short
    /// to write. Runs of the same columns in consecutive rows are one
    /// rectangle.
    fn qr(&mut self, m: &display::QrMatrix, x: f32, top: f32, size: f32) {
        let module = size / m.width as f32;
        // (col, len) -> (first row, rows so far), merged while each next
        // row has the same run; `runs` is sorted by row, then column.
        let mut open: std::collections::BTreeMap<(usize, usize), (usize, usize)> =
            std::collections::BTreeMap::new();
        let mut rects: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(m.runs.len());
        let mut current_row = usize::MAX;
        let mut seen: Vec<(usize, usize)> = Vec::new();
        let close_unseen =
            |open: &mut std::collections::BTreeMap<(usize, usize), (usize, usize)>,
             seen: &[(usize, usize)],
             rects: &mut Vec<(usize, usize, usize, usize)>| {
                open.retain(|&(col, len), &mut (row, rows)| {
                    let keep = seen.contains(&(col, len));
                    if !keep {
                        rects.push((row, col, len, rows));
                    }
                    keep
                });
            };
        for &(row, col, len) in &m.runs {
            if row != current_row {
                if current_row != usize::MAX {
                    close_unseen(&mut open, &seen, &mut rects);
                    // A gap of empty rows closes everything.
                    if row != current_row + 1 {
                        close_unseen(&mut open, &[], &mut rects);
                    }
                }
                seen.clear();
                current_row = row;
            }
            seen.push((col, len));
            open.entry((col, len))
                .and_modify(|(_, rows)| *rows += 1)
                .or_insert((row, 1));
        }
        close_unseen(&mut open, &[], &mut rects);
        // Deterministic order: top to bottom, left to right.
        rects.sort_unstable();
        self.set_fill((0.0, 0.0, 0.0));
        // In module units, y grows downwards from the code's top edge.
        self.out.extend_from_slice(b"q ");
        self.matrix([module, 0.0, 0.0, -module, x, self.height - top]);
        for (row, col, len, rows) in rects {
            let _ = write!(self.out, "{col} {row} {len} {rows} re ");
        }
        // One path, filled once (nonzero winding).
        self.out.extend_from_slice(b"f Q\n");
    }

    /// The stamp in its own rotated frame, under the translucent graphics
    /// state `STAMP_GS`.
    fn stamp(&mut self, stamp: Stamp) {
        let (s, c) = stamp.angle.to_radians().sin_cos();
        let _ = write!(self.out, "q /{STAMP_GS} gs ");
        self.matrix([c, s, -s, c, stamp.cx, self.height - stamp.cy]);
        // In the rotated frame, (0, 0) is the stamp's centre and PDF's y
        // grows upwards: a frame "0 high" makes y = -top.
        let mut local = Content::new(0.0, self.fonts);
        local.color(stamp.color, b"RG ");
        pt(&mut local.out, stamp.frame_line);
        local.out.extend_from_slice(b"w ");
        pt(&mut local.out, -stamp.frame_width / 2.0);
        pt(&mut local.out, -stamp.frame_height / 2.0);
        pt(&mut local.out, stamp.frame_width);
        pt(&mut local.out, stamp.frame_height);
        local.out.extend_from_slice(b"re S\n");
        local.marks(stamp.texts);
        self.out.extend_from_slice(&local.out);
        self.out.extend_from_slice(b"Q\n");
        // Q restores the fill colour of before the stamp; forget it anyway.
        self.fill = None;
    }
}

/// Renders `doc` to PDF bytes.
pub fn render(doc: &Document) -> Result<Rendered, RenderError> {
    render_with(doc, None)
}

/// Renders `doc` as a PDF/A-3b carrying `einvoice`: a Factur-X file
/// ([`crate::pdfa`]).
pub fn render_facturx(doc: &Document, einvoice: &EInvoice<'_>) -> Result<Rendered, RenderError> {
    render_with(doc, Some(einvoice))
}

fn render_with(doc: &Document, einvoice: Option<&EInvoice<'_>>) -> Result<Rendered, RenderError> {
    let DisplayList {
        width,
        height,
        pages,
        warnings,
        logo,
    } = display::display_list(doc)?;
    let count = pages.len();
    let fonts = Fonts::for_pages(&pages)?;
    let contents: Vec<Vec<u8>> = pages
        .into_iter()
        .map(|marks| {
            let mut content = Content::new(height, &fonts);
            content.marks(marks);
            content.out
        })
        .collect();
    let w = crate::text::Words { lang: doc.lang };

    let title = format!("{} {}", w.title(doc.kind), doc.number);
    let mut info = PdfDocumentInfo {
        document_title: title.clone(),
        author: doc.seller.legal_name.clone(),
        creator: "Acquit".to_owned(),
        producer: "Acquit".to_owned(),
        ..PdfDocumentInfo::default()
    };
    let stamp_day = doc
        .paid
        .as_ref()
        .map_or(doc.issue_date, |p| p.date.max(doc.issue_date));
    let epoch = |d: chrono::NaiveDate| {
        let secs = d
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
        printpdf::OffsetDateTime::from_unix_timestamp(secs)
            .unwrap_or_else(|_| printpdf::OffsetDateTime::from_unix_timestamp(0).expect("epoch"))
    };
    info.creation_date = epoch(doc.issue_date);
    info.modification_date = epoch(stamp_day);
    info.metadata_date = epoch(stamp_day);

    let mut lo = TEMPLATE.with_borrow_mut(|pdf| {
        pdf.resources.xobjects.map.clear();
        pdf.resources.extgstates.map.clear();
        if let Some(image) = logo {
            pdf.resources
                .xobjects
                .map
                .insert(XObjectId(LOGO.to_owned()), printpdf::XObject::Image(image));
        }
        if doc.paid.is_some() {
            let gs = ExtendedGraphicsState::default()
                .with_current_fill_alpha(STAMP_OPACITY)
                .with_current_stroke_alpha(STAMP_OPACITY);
            pdf.resources
                .extgstates
                .map
                .insert(ExtendedGraphicsStateId(STAMP_GS.to_owned()), gs);
        }
        pdf.metadata = PdfMetadata { info, xmp: None };
        // Empty pages: their content streams are ours, set below.
        pdf.pages = (0..count)
            .map(|_| PdfPage::new(Pt(width).into(), Pt(height).into(), Vec::new()))
            .collect();
        let lo = pdf.to_lopdf_document(&PdfSaveOptions::default(), &mut Vec::new());
        pdf.pages = Vec::new();
        pdf.resources.xobjects.map.clear();
        lo
    });
    fill_pages(&mut lo, contents, &fonts);
    if let Some(einvoice) = einvoice {
        let meta = crate::pdfa::Meta {
            title: &title,
            subject: einvoice.copy_of,
            author: &doc.seller.legal_name,
            created: doc.issue_date,
            modified: stamp_day,
        };
        crate::pdfa::apply(&mut lo, &meta, einvoice);
    }
    let id = document_id(doc);
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(id.clone().into_bytes(), lopdf::StringFormat::Hexadecimal),
            lopdf::Object::String(id.into_bytes(), lopdf::StringFormat::Hexadecimal),
        ]),
    );
    compress(&mut lo);
    let mut bytes = Vec::with_capacity(64 * 1024);
    // Writing into a Vec cannot fail.
    let _ = lo.save_to(&mut bytes);
    Ok(Rendered {
        bytes,
        pages: count,
        warnings,
    })
}

/// Puts the content streams into printpdf's empty pages and the fonts into
/// the font dictionary all pages share.
fn fill_pages(lo: &mut lopdf::Document, contents: Vec<Vec<u8>>, fonts: &Fonts) {
    let mut font_dict = None;
    let pages: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    for (page, content) in pages.into_iter().zip(contents) {
        let Ok(dict) = lo.get_dictionary(page) else {
            continue;
        };
        let stream = dict.get(b"Contents").and_then(lopdf::Object::as_reference);
        if font_dict.is_none() {
            font_dict = dict
                .get(b"Resources")
                .and_then(lopdf::Object::as_reference)
                .ok()
                .and_then(|r| lo.get_dictionary(r).ok())
                .and_then(|r| r.get(b"Font").and_then(lopdf::Object::as_reference).ok());
        }
        if let Ok(id) = stream
            && let Ok(lopdf::Object::Stream(s)) = lo.get_object_mut(id)
        {
            s.set_content(content);
        }
    }
    let Some(font_dict) = font_dict else {
        return;
    };
    let entries = fonts.add_to(lo);
    if let Ok(dict) = lo.get_dictionary_mut(font_dict) {
        for (name, id) in entries {
            dict.set(name, lopdf::Object::Reference(id));
        }
    }
}

/// Flate-compresses every stream not yet compressed. lopdf's own
/// `compress` uses the best (slowest) level, a third of the render time for
/// a few percent of size; the fastest level costs little more size.
fn compress(lo: &mut lopdf::Document) {
    use std::io::Write;
    for object in lo.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            let mut encoder = flate2::write::ZlibEncoder::new(
                Vec::with_capacity(stream.content.len() / 2),
                flate2::Compression::fast(),
            );
            if encoder.write_all(&stream.content).is_err() {
                continue;
            }
            let Ok(compressed) = encoder.finish() else {
                continue;
            };
            if compressed.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
}

/// A stable identifier for the trailer's `/ID`: the same document (and
/// stamp) always gets the same one; FNV-1a over what identifies it.
fn document_id(doc: &Document) -> String {
    let key = format!(
        "{}|{}|{:?}|{}|{}|{:?}",
        doc.number,
        doc.issue_date,
        doc.kind,
        doc.totals.total.minor(),
        doc.amount_due.minor(),
        doc.paid
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_written_short_and_rounded() {
        let cases: [(f32, u32, &str); 9] = [
            (12.5, 2, "12.5 "),
            (-3.0, 2, "-3 "),
            (0.125, 3, "0.125 "),
            (0.1234, 3, "0.123 "),
            (841.89, 2, "841.89 "),
            (595.276, 2, "595.28 "),
            (-0.004, 2, "0 "),
            (-0.5, 2, "-0.5 "),
            (0.07, 2, "0.07 "),
        ];
        for (v, places, expected) in cases {
            let mut out = Vec::new();
            num(&mut out, v, places);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{v} to {places}");
        }
    }
}
