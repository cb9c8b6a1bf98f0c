//! Drawing a [`Document`] with printpdf: pages, blocks, table, totals,
//! payment section, legal mentions and the PAID stamp.
//!
//! Positions are computed here in points from the *top* of the page (how a
//! layout reads) and turned into PDF coordinates (origin bottom-left) only in
//! [`Painter`]. What follows the table on the last page is drawn by one
//! function run twice: once on a scratch painter to measure its height for
//! pagination, once for real, so the measure cannot drift from the drawing.

use std::cell::RefCell;
use std::sync::OnceLock;

use acquit_core::{Lang, Money, VatRegime};
use printpdf::{
    Color, CurTransMat, ExtendedGraphicsState, ExtendedGraphicsStateId, FontId, LinePoint, Op,
    PaintMode, ParsedFont, PdfDocument, PdfDocumentInfo, PdfFont, PdfFontHandle, PdfMetadata,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage, Rect, Rgb, TextItem,
    WindingOrder, XObjectId, XObjectTransform,
};
use qrcode::EcLevel;

use crate::layout::{self, Style};
use crate::qr::{self, Matrix};
use crate::text::Words;
use crate::{Document, RenderError, Rendered, Warning, epc};

// Fixed resource names: printpdf would draw them at random, and the first
// six letters of a font's id become its subset tag (`NOTOSR+NotoSans`).
const FONT_REGULAR: &str = "NOTOSR";
const FONT_BOLD: &str = "NOTOSB";
const STAMP_GS: &str = "GSSTAMP";
const LOGO: &str = "LOGO";

const MARGIN: f32 = 48.0;
const FOOTER_TOP: f32 = 44.0; // from the bottom
const QR_SIZE: f32 = 80.0;

const INK: (f32, f32, f32) = (0.11, 0.12, 0.14);
const MUTED: (f32, f32, f32) = (0.40, 0.42, 0.46);
const RULE: (f32, f32, f32) = (0.82, 0.83, 0.86);
const BAND: (f32, f32, f32) = (0.94, 0.95, 0.96);
const ACCENT: (f32, f32, f32) = (0.13, 0.30, 0.55);
const STAMP: (f32, f32, f32) = (0.80, 0.10, 0.12);

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

/// Rounds a coordinate to 1/100 pt (invisible): shorter numbers in the
/// content stream, faster to write and to compress.
fn r2(v: f32) -> Pt {
    Pt((v * 100.0).round() / 100.0)
}

thread_local! {
    /// A document holding the two parsed fonts, reused by every render on
    /// this thread so the parsed fonts are not cloned into each new
    /// document. Only pages, metadata and the per-document resources (logo,
    /// stamp transparency) change between renders; the determinism tests
    /// compare a thread's first render with a later one.
    static TEMPLATE: RefCell<PdfDocument> = RefCell::new(template());
}

fn template() -> PdfDocument {
    let mut pdf = PdfDocument::new("");
    for (style, id) in [(Style::Regular, FONT_REGULAR), (Style::Bold, FONT_BOLD)] {
        pdf.resources
            .fonts
            .map
            .insert(FontId(id.to_owned()), PdfFont::new(parsed(style).clone()));
    }
    pdf
}

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

/// Collects the operations of one page, in top-down coordinates.
struct Painter<'w> {
    height: f32,
    ops: Vec<Op>,
    fill: Option<(f32, f32, f32)>,
    warnings: &'w mut Vec<Warning>,
}

impl<'w> Painter<'w> {
    fn new(height: f32, warnings: &'w mut Vec<Warning>) -> Self {
        Painter {
            height,
            ops: Vec::with_capacity(512),
            fill: None,
            warnings,
        }
    }

    fn set_fill(&mut self, color: (f32, f32, f32)) {
        if self.fill != Some(color) {
            self.ops.push(Op::SetFillColor { col: rgb(color) });
            self.fill = Some(color);
        }
    }

    fn check_glyphs(&mut self, style: Style, text: &str) {
        for ch in layout::missing_chars(style, text) {
            let known = self
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::MissingGlyph { ch: c, .. } if *c == ch));
            if !known {
                self.warnings.push(Warning::MissingGlyph {
                    ch,
                    code: u32::from(ch),
                    text: text.to_owned(),
                });
            }
        }
    }

    /// One line of text with its baseline `baseline` points below the top.
    fn text(
        &mut self,
        x: f32,
        baseline: f32,
        style: Style,
        size: f32,
        color: (f32, f32, f32),
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        let text = layout::nfc(text);
        self.check_glyphs(style, &text);
        self.set_fill(color);
        let id = match style {
            Style::Regular => FONT_REGULAR,
            Style::Bold => FONT_BOLD,
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(FontId(id.to_owned())),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: r2(x),
                    y: r2(self.height - baseline),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]);
    }

    fn text_right(
        &mut self,
        right: f32,
        baseline: f32,
        style: Style,
        size: f32,
        color: (f32, f32, f32),
        text: &str,
    ) {
        let w = layout::text_width(style, size, &layout::nfc(text));
        self.text(right - w, baseline, style, size, color, text);
    }

    /// Wrapped text; returns the baseline of the next line.
    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &mut self,
        x: f32,
        baseline: f32,
        width: f32,
        style: Style,
        size: f32,
        leading: f32,
        color: (f32, f32, f32),
        text: &str,
    ) -> f32 {
        let mut y = baseline;
        for line in layout::wrap(style, size, &layout::nfc(text), width) {
            self.text(x, y, style, size, color, &line);
            y += leading;
        }
        y
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, color: (f32, f32, f32)) {
        self.set_fill(color);
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: r2(x),
                y: r2(self.height - top - h),
                width: r2(w),
                height: r2(h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, color: (f32, f32, f32)) {
        self.rect(x1, y - thickness / 2.0, x2 - x1, thickness, color);
    }

    /// A QR code with its top-left corner at (`x`, `top`), `size` wide.
    ///
    /// All runs are one path filled once (nonzero winding), and each module
    /// edge is rounded once and shared by its neighbours: separate
    /// rectangles whose rounded edges miss by a hair showed as white seams
    /// through the code in anti-aliasing viewers, which then could not
    /// decode it at some positions on the page.
    fn qr(&mut self, m: &Matrix, x: f32, top: f32, size: f32) {
        let module = size / m.width as f32;
        let edge_x = |col: usize| r2(x + col as f32 * module);
        let edge_y = |row: usize| r2(self.height - top - row as f32 * module);
        let corner = |p: (Pt, Pt)| LinePoint {
            p: Point { x: p.0, y: p.1 },
            bezier: false,
        };
        let rings = m
            .runs
            .iter()
            .map(|&(row, col, len)| {
                let (left, right) = (edge_x(col), edge_x(col + len));
                let (upper, lower) = (edge_y(row), edge_y(row + 1));
                PolygonRing {
                    points: [(left, lower), (right, lower), (right, upper), (left, upper)]
                        .into_iter()
                        .map(corner)
                        .collect(),
                }
            })
            .collect();
        self.set_fill((0.0, 0.0, 0.0));
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }
}

/// What varies between the fixed parts of the layout.
struct Plan<'d> {
    doc: &'d Document,
    w: Words,
    width: f32,
    height: f32,
    pay_qr: Option<Matrix>,
    epc_qr: Option<Matrix>,
    logo: Option<(f32, f32)>,
}

impl Plan<'_> {
    fn lang(&self) -> Lang {
        self.doc.lang
    }
    fn right(&self) -> f32 {
        self.width - MARGIN
    }
    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }
    fn bottom(&self) -> f32 {
        self.height - FOOTER_TOP - 12.0
    }
    /// Column right edges: quantity, unit price, VAT, amount; and the
    /// description's width.
    fn columns(&self) -> ([f32; 4], f32) {
        let r = self.right();
        let cols = [r - 200.0, r - 125.0, r - 80.0, r];
        (cols, cols[0] - 40.0 - MARGIN - 8.0)
    }
}

const ROW_SIZE: f32 = 9.0;
const ROW_LEADING: f32 = 12.0;
const ROW_PAD: f32 = 7.0;
const HEADER_H: f32 = 20.0;

/// The description lines of each table row.
fn row_lines(plan: &Plan<'_>) -> Vec<(Vec<String>, Option<String>)> {
    let (_, desc_w) = plan.columns();
    plan.doc
        .lines
        .iter()
        .zip(&plan.doc.totals.lines)
        .map(|(line, amounts)| {
            let text = layout::nfc(&line.description);
            let lines = layout::wrap(Style::Regular, ROW_SIZE, &text, desc_w);
            // A credit note's amounts are negated; the discount reads as a size.
            let size = if amounts.discount.is_negative() {
                amounts.discount.checked_neg().unwrap_or(amounts.discount)
            } else {
                amounts.discount
            };
            let discount = (!size.is_zero()).then(|| plan.w.discount(&size.format(plan.lang())));
            (lines, discount)
        })
        .collect()
}

fn row_height(lines: &(Vec<String>, Option<String>)) -> f32 {
    let n = lines.0.len() + usize::from(lines.1.is_some());
    2.0 * ROW_PAD + n as f32 * ROW_LEADING - 3.0
}

/// Renders `doc` to PDF bytes.
pub fn render(doc: &Document) -> Result<Rendered, RenderError> {
    if doc.lines.len() != doc.totals.lines.len() {
        return Err(RenderError::TotalsMismatch {
            lines: doc.lines.len(),
            amounts: doc.totals.lines.len(),
        });
    }
    let mut warnings = Vec::new();
    let (width, height) = doc.paper.size_pt();
    let w = Words { lang: doc.lang };

    let due = doc.amount_due.is_positive() && !doc.kind.is_credit_note();
    let pay_qr = match (&doc.payment_url, due) {
        (Some(url), true) => Some(
            qr::encode(url.as_bytes(), EcLevel::M)
                .ok_or(RenderError::PaymentUrlTooLong(url.len()))?,
        ),
        _ => None,
    };
    let epc_qr = match (&doc.seller.iban, due) {
        (Some(iban), true) => match epc::epc_payload(
            &doc.seller.legal_name,
            iban,
            doc.seller.bic.as_ref(),
            doc.amount_due,
            &doc.number,
        ) {
            Ok(payload) => qr::encode(payload.as_bytes(), EcLevel::M),
            Err(e) => {
                warnings.push(Warning::NoTransferQr(e));
                None
            }
        },
        _ => None,
    };

    let mut logo_image = None;
    let logo = match &doc.logo_png {
        Some(bytes) => match RawImage::decode_from_bytes(bytes, &mut Vec::new()) {
            Ok(image) => {
                let size = (image.width as f32, image.height as f32);
                logo_image = Some(image);
                Some(size)
            }
            Err(e) => {
                warnings.push(Warning::BadLogo(e));
                None
            }
        },
        None => None,
    };

    let plan = Plan {
        doc,
        w,
        width,
        height,
        pay_qr,
        epc_qr,
        logo,
    };

    // Measure: header, rows, tail.
    let rows = row_lines(&plan);
    let heights: Vec<f32> = rows.iter().map(row_height).collect();
    let table_top_first = {
        let mut scratch_w = Vec::new();
        let mut scratch = Painter::new(height, &mut scratch_w);
        draw_header(&mut scratch, &plan)
    };
    let table_top_next = MARGIN + 30.0;
    let tail = {
        let mut scratch_w = Vec::new();
        let mut scratch = Painter::new(height, &mut scratch_w);
        draw_tail(&mut scratch, &plan, 0.0) + 8.0
    };
    let pages = layout::paginate(
        &heights,
        plan.bottom() - table_top_first - HEADER_H,
        plan.bottom() - table_top_next - HEADER_H,
        tail,
    );
    let count = pages.len();

    let mut pdf_pages = Vec::with_capacity(count);
    for (index, range) in pages.iter().enumerate() {
        let mut p = Painter::new(height, &mut warnings);
        let mut y = if index == 0 {
            draw_header(&mut p, &plan)
        } else {
            let title = plan.w.continued(plan.w.title(doc.kind), &doc.number);
            p.text(MARGIN, MARGIN + 12.0, Style::Bold, 12.0, INK, &title);
            table_top_next
        };
        if !range.is_empty() || index == 0 {
            y = draw_table_header(&mut p, &plan, y);
            for i in range.clone() {
                y = draw_row(&mut p, &plan, i, &rows[i], y);
            }
        }
        if index + 1 == count {
            draw_tail(&mut p, &plan, y + 8.0);
        }
        draw_footer(&mut p, &plan, index + 1, count);
        if index == 0
            && let Some(stamp) = &doc.paid
        {
            draw_stamp(&mut p, &plan, stamp);
        }
        pdf_pages.push(PdfPage::new(Pt(width).into(), Pt(height).into(), p.ops));
    }

    let mut info = PdfDocumentInfo {
        document_title: format!("{} {}", plan.w.title(doc.kind), doc.number),
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
        if let Some(image) = logo_image {
            pdf.resources
                .xobjects
                .map
                .insert(XObjectId(LOGO.to_owned()), printpdf::XObject::Image(image));
        }
        if doc.paid.is_some() {
            let gs = ExtendedGraphicsState::default()
                .with_current_fill_alpha(0.45)
                .with_current_stroke_alpha(0.45);
            pdf.resources
                .extgstates
                .map
                .insert(ExtendedGraphicsStateId(STAMP_GS.to_owned()), gs);
        }
        pdf.metadata = PdfMetadata { info, xmp: None };
        pdf.pages = pdf_pages;
        let lo = pdf.to_lopdf_document(&PdfSaveOptions::default(), &mut Vec::new());
        pdf.pages = Vec::new();
        pdf.resources.xobjects.map.clear();
        lo
    });
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

/// Seller, title, dates, buyer. Returns where the table starts.
fn draw_header(p: &mut Painter<'_>, plan: &Plan<'_>) -> f32 {
    let doc = plan.doc;
    let w = plan.w;
    let right = plan.right();
    let mut left_y = MARGIN;

    if let Some((px_w, px_h)) = plan.logo {
        let (box_w, box_h) = (150.0_f32, 48.0_f32);
        let dpi = (px_w * 72.0 / box_w).max(px_h * 72.0 / box_h).max(1.0);
        let h = px_h * 72.0 / dpi;
        p.ops.push(Op::UseXobject {
            id: XObjectId(LOGO.to_owned()),
            transform: XObjectTransform {
                translate_x: Some(Pt(MARGIN)),
                translate_y: Some(Pt(p.height - MARGIN - h)),
                dpi: Some(dpi),
                ..Default::default()
            },
        });
        left_y += h + 10.0;
    }

    // Seller.
    let seller = &doc.seller;
    let block_w = 250.0;
    left_y = p.paragraph(
        MARGIN,
        left_y + 11.0,
        block_w,
        Style::Bold,
        12.0,
        15.0,
        INK,
        &seller.legal_name,
    );
    left_y -= 2.0;
    left_y = p.paragraph(
        MARGIN,
        left_y,
        block_w,
        Style::Regular,
        8.5,
        11.5,
        MUTED,
        &seller.address,
    );
    let mut ids = Vec::new();
    if let Some(siret) = &seller.siret {
        ids.push(format!("SIRET {}", siret.formatted()));
    }
    if let Some(siren) = &seller.siren {
        ids.push(format!("SIREN {}", siren.formatted()));
    }
    if let Some(vat) = &seller.vat_number {
        let colon = if plan.lang() == Lang::Fr { " : " } else { ": " };
        ids.push(format!("{}{colon}{}", w.vat_number(), vat.as_str()));
    }
    for contact in [
        seller.email.as_ref().map(|e| e.as_str().to_owned()),
        seller.phone.as_ref().map(|p| p.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    {
        ids.push(contact);
    }
    for line in ids {
        left_y = p.paragraph(
            MARGIN,
            left_y,
            block_w,
            Style::Regular,
            8.5,
            11.5,
            MUTED,
            &line,
        );
    }

    // Title, number, dates.
    let mut ry = MARGIN + 18.0;
    p.text_right(right, ry, Style::Bold, 20.0, ACCENT, w.title(doc.kind));
    ry += 18.0;
    p.text_right(
        right,
        ry,
        Style::Bold,
        11.0,
        INK,
        &format!("{} {}", w.number(), doc.number),
    );
    ry += 16.0;
    let colon = if plan.lang() == Lang::Fr { " : " } else { ": " };
    let dates = [
        (w.issue_date(), doc.issue_date),
        (w.sale_date(), doc.sale_date.unwrap_or(doc.issue_date)),
        (w.due_date(), doc.due_date),
    ];
    for (label, date) in dates {
        p.text_right(
            right,
            ry,
            Style::Regular,
            8.5,
            MUTED,
            &format!("{label}{colon}{}", w.date(date)),
        );
        ry += 11.5;
    }
    if let Some(invoice) = &doc.credits {
        p.text_right(right, ry, Style::Bold, 8.5, INK, &w.credits(invoice));
        ry += 11.5;
    }

    // Buyer.
    let buyer = &doc.buyer;
    let bx = plan.width / 2.0 + 30.0;
    let bw = right - bx;
    let mut by = left_y.max(ry) + 10.0;
    p.rect(bx - 12.0, by, 2.0, 10.0, ACCENT);
    p.text(bx, by + 8.0, Style::Bold, 7.5, MUTED, w.bill_to());
    let top = by;
    by += 22.0;
    by = p.paragraph(bx, by, bw, Style::Bold, 11.0, 14.0, INK, &buyer.name);
    if let Some(address) = &buyer.address {
        by = p.paragraph(bx, by, bw, Style::Regular, 8.5, 11.5, MUTED, address);
    }
    if let Some(siren) = &buyer.siren {
        by = p.paragraph(
            bx,
            by,
            bw,
            Style::Regular,
            8.5,
            11.5,
            MUTED,
            &format!("SIREN {}", siren.formatted()),
        );
    }
    if let Some(vat) = &buyer.vat_number {
        by = p.paragraph(
            bx,
            by,
            bw,
            Style::Regular,
            8.5,
            11.5,
            MUTED,
            &format!("{}{colon}{}", w.vat_number(), vat.as_str()),
        );
    }
    if let Some(email) = &buyer.email {
        by = p.paragraph(bx, by, bw, Style::Regular, 8.5, 11.5, MUTED, email.as_str());
    }
    // The accent bar spans the buyer block.
    p.rect(bx - 12.0, top, 2.0, by - top - 8.0, ACCENT);
    let mut y = by + 8.0;

    if let Some(reason) = &doc.reason {
        y = p.paragraph(
            MARGIN,
            y + 4.0,
            plan.content_width(),
            Style::Regular,
            8.5,
            11.5,
            INK,
            &w.reason(reason),
        );
    }
    y + 10.0
}

fn draw_table_header(p: &mut Painter<'_>, plan: &Plan<'_>, top: f32) -> f32 {
    let w = plan.w;
    let (cols, _) = plan.columns();
    p.rect(MARGIN, top, plan.content_width(), HEADER_H, BAND);
    let base = top + 13.5;
    p.text(
        MARGIN + 6.0,
        base,
        Style::Bold,
        8.0,
        INK,
        w.col_description(),
    );
    let labels = [
        w.col_quantity(),
        w.col_unit_price(),
        w.col_vat(),
        w.col_amount(),
    ];
    for (i, label) in labels.iter().enumerate() {
        let pad = if i == 3 { 6.0 } else { 0.0 };
        p.text_right(cols[i] - pad, base, Style::Bold, 8.0, INK, label);
    }
    top + HEADER_H
}

fn draw_row(
    p: &mut Painter<'_>,
    plan: &Plan<'_>,
    i: usize,
    lines: &(Vec<String>, Option<String>),
    top: f32,
) -> f32 {
    let lang = plan.lang();
    let (cols, _) = plan.columns();
    let line = &plan.doc.lines[i];
    let amounts = &plan.doc.totals.lines[i];
    let base = top + ROW_PAD + 7.0;
    let mut y = base;
    for text in &lines.0 {
        p.text(MARGIN + 6.0, y, Style::Regular, ROW_SIZE, INK, text);
        y += ROW_LEADING;
    }
    if let Some(discount) = &lines.1 {
        p.text(MARGIN + 6.0, y, Style::Regular, 8.0, MUTED, discount);
    }
    let cells = [
        line.input.quantity.format(lang),
        line.input.unit_price.format(lang),
        line.input.vat_rate.format(lang),
        amounts.net.format(lang),
    ];
    for (c, cell) in cells.iter().enumerate() {
        let pad = if c == 3 { 6.0 } else { 0.0 };
        p.text_right(cols[c] - pad, base, Style::Regular, ROW_SIZE, INK, cell);
    }
    let bottom = top + row_height(lines);
    p.hline(MARGIN, plan.right(), bottom, 0.5, RULE);
    bottom
}

/// Totals, payment section and legal mentions. Returns the bottom.
fn draw_tail(p: &mut Painter<'_>, plan: &Plan<'_>, top: f32) -> f32 {
    let doc = plan.doc;
    let w = plan.w;
    let lang = plan.lang();
    let right = plan.right();
    let label_x = right - 280.0;
    let mut y = top + 12.0;
    let franchise = doc.seller.vat_regime == VatRegime::Franchise;

    let row = |p: &mut Painter<'_>, y: &mut f32, label: &str, amount: Money, bold: bool| {
        let style = if bold { Style::Bold } else { Style::Regular };
        let size = if bold { 10.0 } else { 9.0 };
        p.text(label_x + 8.0, *y, style, size, INK, label);
        p.text_right(right - 6.0, *y, style, size, INK, &amount.format(lang));
        *y += 15.0;
    };

    if !doc.deposits.is_empty() {
        let deducted = doc.deposits.iter().map(|d| d.total);
        let order = Money::sum(doc.totals.currency, deducted.chain([doc.totals.total]))
            .unwrap_or(doc.totals.total);
        row(p, &mut y, w.order_total(), order, false);
        for d in &doc.deposits {
            let neg = d.total.checked_neg().unwrap_or(d.total);
            row(p, &mut y, &w.deposit(&d.number), neg, false);
        }
        p.hline(label_x, right, y - 10.0, 0.5, RULE);
        y += 2.0;
    }
    row(p, &mut y, w.total_net(), doc.totals.net, false);
    if !franchise {
        for vat in &doc.totals.vat {
            let label = w.vat_row(&vat.rate.format(lang), &vat.base.format(lang));
            row(p, &mut y, &label, vat.vat, false);
        }
        if doc.totals.vat.len() > 1 {
            row(p, &mut y, w.total_vat(), doc.totals.vat_total, false);
        }
    }
    p.rect(label_x, y - 11.0, right - label_x, 20.0, BAND);
    y += 2.0;
    row(p, &mut y, w.total(), doc.totals.total, true);
    y += 2.0;
    if doc.amount_due != doc.totals.total && !doc.kind.is_credit_note() {
        row(p, &mut y, w.amount_due(), doc.amount_due, true);
    }
    if franchise {
        p.text(MARGIN, top + 12.0, Style::Bold, 9.0, INK, w.franchise());
    }
    y += 4.0;

    // Payment section.
    // A credit note asks for no payment: no bank details either.
    let has_bank = doc.seller.iban.is_some() && !doc.kind.is_credit_note();
    if plan.pay_qr.is_some() || plan.epc_qr.is_some() || has_bank {
        p.hline(MARGIN, right, y, 0.5, RULE);
        y += 14.0;
        let block_top = y;
        let mut x = MARGIN;
        let mut bottom = y;
        let col_w = 225.0;
        if let (Some(m), Some(url)) = (&plan.pay_qr, &doc.payment_url) {
            p.qr(m, x, block_top, QR_SIZE);
            let tx = x + QR_SIZE + 16.0;
            let tw = col_w - QR_SIZE - 24.0;
            let mut ty = block_top + 10.0;
            p.text(tx, ty, Style::Bold, 10.0, ACCENT, w.pay_online());
            ty += 13.0;
            ty = p.paragraph(
                tx,
                ty,
                tw,
                Style::Regular,
                8.0,
                10.5,
                MUTED,
                w.scan_to_pay(),
            );
            ty += 2.0;
            ty = p.paragraph(tx, ty, tw, Style::Regular, 8.0, 10.5, INK, &short_url(url));
            bottom = bottom.max(ty).max(block_top + QR_SIZE);
            x += col_w;
        }
        if has_bank {
            let tx = if let Some(m) = &plan.epc_qr {
                p.qr(m, x, block_top, QR_SIZE);
                x + QR_SIZE + 16.0
            } else {
                x
            };
            let tw = plan.right() - tx;
            let mut ty = block_top + 10.0;
            let title = if plan.epc_qr.is_some() {
                w.transfer()
            } else {
                w.bank_details()
            };
            p.text(tx, ty, Style::Bold, 10.0, ACCENT, title);
            ty += 13.0;
            if plan.epc_qr.is_some() {
                ty = p.paragraph(
                    tx,
                    ty,
                    tw,
                    Style::Regular,
                    8.0,
                    10.5,
                    MUTED,
                    w.scan_bank_app(),
                );
                ty += 2.0;
            }
            let colon = if lang == Lang::Fr { " : " } else { ": " };
            let mut details = vec![format!("{}{colon}{}", w.holder(), doc.seller.legal_name)];
            if let Some(iban) = &doc.seller.iban {
                details.push(format!("IBAN{colon}{}", iban.formatted()));
            }
            if let Some(bic) = &doc.seller.bic {
                details.push(format!("BIC{colon}{}", bic.as_str()));
            }
            details.push(format!("{}{colon}{}", w.reference(), doc.number));
            for d in details {
                ty = p.paragraph(tx, ty, tw, Style::Regular, 7.5, 10.0, INK, &d);
            }
            bottom = bottom.max(ty);
            if plan.epc_qr.is_some() {
                bottom = bottom.max(block_top + QR_SIZE);
            }
        }
        y = bottom + 12.0;
    }

    // Legal mentions.
    p.hline(MARGIN, right, y, 0.5, RULE);
    y += 12.0;
    let cw = plan.content_width();
    let rate = acquit_core::VatRate::from_basis_points(doc.seller.late_penalty_bp)
        .map(|r| r.format(lang))
        .unwrap_or_else(|_| format!("{} bp", doc.seller.late_penalty_bp));
    let mut mentions = Vec::new();
    if !doc.kind.is_credit_note() {
        mentions.push(w.terms(doc.due_date));
    }
    mentions.push(w.penalty(&rate));
    if doc.buyer.business {
        let forty = Money::new(4000, acquit_core::Currency::EUR).format(lang);
        mentions.push(w.indemnity(&forty));
    }
    match doc.seller.early_payment_terms.as_deref().map(str::trim) {
        Some(terms) if !terms.is_empty() => mentions.push(w.early_terms(terms)),
        _ => mentions.push(w.no_discount().to_owned()),
    }
    if franchise {
        mentions.push(w.franchise().to_owned());
    }
    for m in mentions {
        y = p.paragraph(MARGIN, y, cw, Style::Regular, 7.5, 10.0, MUTED, &m);
    }
    y
}

/// The payment URL as printed: without its scheme, which nobody types.
fn short_url(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    rest.trim_end_matches('/').to_owned()
}

fn draw_footer(p: &mut Painter<'_>, plan: &Plan<'_>, page: usize, pages: usize) {
    let seller = &plan.doc.seller;
    let y = plan.height - FOOTER_TOP;
    p.hline(MARGIN, plan.right(), y, 0.5, RULE);
    let mut parts = vec![seller.legal_name.clone()];
    if let Some(siret) = &seller.siret {
        parts.push(format!("SIRET {}", siret.formatted()));
    } else if let Some(siren) = &seller.siren {
        parts.push(format!("SIREN {}", siren.formatted()));
    }
    if let Some(vat) = &seller.vat_number {
        parts.push(format!("TVA {}", vat.as_str()));
    }
    let left = parts.join(" · ");
    let label = layout::page_label(page, pages);
    let room = plan.content_width() - layout::text_width(Style::Regular, 7.0, &label) - 20.0;
    let left = layout::wrap(Style::Regular, 7.0, &layout::nfc(&left), room)
        .into_iter()
        .next()
        .unwrap_or_default();
    p.text(MARGIN, y + 12.0, Style::Regular, 7.0, MUTED, &left);
    p.text_right(plan.right(), y + 12.0, Style::Regular, 7.0, MUTED, &label);
}

fn draw_stamp(p: &mut Painter<'_>, plan: &Plan<'_>, stamp: &crate::PaidStamp) {
    let w = plan.w;
    let full = !stamp.remaining.is_positive();
    let big = if full {
        w.stamp_paid()
    } else {
        w.stamp_partial()
    };
    let line1 = w.stamp_line(stamp.date, &stamp.method);
    let line2 = (!full).then(|| w.stamp_amounts(stamp.paid, stamp.remaining));
    let big_size = if full { 40.0 } else { 26.0 };
    let big_w = layout::text_width(Style::Bold, big_size, &layout::nfc(big));
    let l1_w = layout::text_width(Style::Bold, 11.0, &layout::nfc(&line1));
    let l2_w = line2.as_deref().map_or(0.0, |l| {
        layout::text_width(Style::Bold, 10.0, &layout::nfc(l))
    });
    let box_w = big_w.max(l1_w).max(l2_w) + 36.0;
    let box_h = big_size + 34.0 + if line2.is_some() { 14.0 } else { 0.0 };

    let (cx, cy) = (plan.width * 0.62, plan.height * 0.42); // PDF coordinates
    let angle = 18.0_f32.to_radians();
    let (s, c) = angle.sin_cos();
    p.ops.push(Op::SaveGraphicsState);
    p.ops.push(Op::LoadGraphicsState {
        gs: ExtendedGraphicsStateId(STAMP_GS.to_owned()),
    });
    p.ops.push(Op::SetTransformationMatrix {
        matrix: CurTransMat::Raw([c, s, -s, c, cx, cy]),
    });
    // In the rotated frame, (0, 0) is the stamp's centre; y grows upwards.
    // The painter works from the top, so place things via a local painter
    // whose "page height" is 0: top-down y = -pdf_y.
    let mut local = Painter {
        height: 0.0,
        ops: Vec::new(),
        fill: None,
        warnings: &mut *p.warnings,
    };
    local.ops.push(Op::SetOutlineColor { col: rgb(STAMP) });
    local.ops.push(Op::SetOutlineThickness { pt: Pt(3.0) });
    local.ops.push(Op::DrawRectangle {
        rectangle: Rect {
            x: Pt(-box_w / 2.0),
            y: Pt(-box_h / 2.0),
            width: Pt(box_w),
            height: Pt(box_h),
            mode: Some(PaintMode::Stroke),
            winding_order: None,
        },
    });
    let top = -box_h / 2.0;
    let mut y = top + 12.0 + big_size * 0.75;
    local.text(-big_w / 2.0, y, Style::Bold, big_size, STAMP, big);
    y += 18.0;
    local.text(-l1_w / 2.0, y, Style::Bold, 11.0, STAMP, &line1);
    if let Some(l2) = &line2 {
        y += 14.0;
        local.text(-l2_w / 2.0, y, Style::Bold, 10.0, STAMP, l2);
    }
    let ops = local.ops;
    p.ops.extend(ops);
    p.ops.push(Op::RestoreGraphicsState);
    p.fill = None;
}
