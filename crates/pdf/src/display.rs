//! The page layout as a display list: *what* goes *where* on each page,
//! independent of the output format.
//!
//! [`display_list`] lays a [`Document`] out once into [`Mark`]s (text runs,
//! filled rectangles, QR codes, the logo, the PAID stamp), in points from
//! the page's *top-left* corner, how a layout reads. The backends only
//! translate marks: [`crate::render`] to PDF (origin bottom-left) and
//! [`crate::render_svg`] to one SVG per page (the app's preview), so the
//! preview cannot drift from the PDF the client receives.
//!
//! Everything that depends on the content is decided here: wrapping and
//! pagination (through [`crate::layout`]), NFC normalization, QR encoding,
//! logo decoding and the warnings (a missing glyph is reported here, once,
//! for both backends). What follows the table on the last page is drawn by
//! one function run twice: once on a scratch painter to measure its height
//! for pagination, once for real, so the measure cannot drift from the
//! drawing.

use std::sync::Arc;

use acquit_core::{Lang, Money, VatRegime};
use printpdf::RawImage;
use qrcode::EcLevel;

use crate::layout::{self, Style};
pub use crate::qr::Matrix as QrMatrix;
use crate::qr::{self, Matrix};
use crate::text::Words;
use crate::{Document, RenderError, Warning, epc};

/// An RGB colour, each component in 0..=1.
pub type Ink = (f32, f32, f32);

pub(crate) const MARGIN: f32 = 48.0;
const FOOTER_TOP: f32 = 44.0; // from the bottom
const QR_SIZE: f32 = 80.0;

const INK: Ink = (0.11, 0.12, 0.14);
const MUTED: Ink = (0.40, 0.42, 0.46);
const RULE: Ink = (0.82, 0.83, 0.86);
const BAND: Ink = (0.94, 0.95, 0.96);
const ACCENT: Ink = (0.13, 0.30, 0.55);
const STAMP: Ink = (0.80, 0.10, 0.12);
/// The PAID stamp is translucent so the text under it stays readable.
pub(crate) const STAMP_OPACITY: f32 = 0.45;

/// One thing drawn on a page. Coordinates are points from the page's
/// top-left corner, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// One line of text (NFC, never empty, no line break), its left end at
    /// `x` and its baseline `baseline` below the top.
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        size: f32,
        color: Ink,
        text: String,
    },
    /// A filled rectangle (bands, rules, the buyer's accent bar).
    Rect {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        color: Ink,
    },
    /// A QR code, black on the page, `size` wide and high, without its
    /// quiet zone (the layout leaves the room around it).
    Qr {
        matrix: Arc<QrMatrix>,
        x: f32,
        top: f32,
        size: f32,
    },
    /// The seller's logo (the document's PNG), scaled to this box.
    Logo {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        /// The resolution that scales the image's pixels to `width`: how a
        /// PDF places an image.
        dpi: f32,
    },
    /// The PAID stamp.
    Stamp(Stamp),
}

/// The PAID stamp: a frame and centred lines of text, rotated about its
/// centre and translucent ([`STAMP_OPACITY`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    /// The centre, from the page's top-left corner.
    pub cx: f32,
    pub cy: f32,
    /// Counter-clockwise, in degrees.
    pub angle: f32,
    pub color: Ink,
    /// The frame, centred on the centre, stroked `frame_line` wide.
    pub frame_width: f32,
    pub frame_height: f32,
    pub frame_line: f32,
    /// [`Mark::Text`]s in the stamp's own frame: origin at its centre, y
    /// downwards, before the rotation.
    pub texts: Vec<Mark>,
}

/// A laid-out document: its pages' marks and what the reader should know.
#[derive(Debug, Clone)]
pub struct DisplayList {
    /// The page size in points.
    pub width: f32,
    pub height: f32,
    /// The marks of each page, in drawing order.
    pub pages: Vec<Vec<Mark>>,
    pub warnings: Vec<Warning>,
    /// The decoded logo, when the document has one that decodes: the PDF
    /// backend embeds it, and its size placed [`Mark::Logo`].
    pub(crate) logo: Option<RawImage>,
}

/// Collects the marks of one page.
struct Painter<'w> {
    marks: Vec<Mark>,
    warnings: &'w mut Vec<Warning>,
}

impl<'w> Painter<'w> {
    fn new(warnings: &'w mut Vec<Warning>) -> Self {
        Painter {
            marks: Vec::with_capacity(128),
            warnings,
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
    fn text(&mut self, x: f32, baseline: f32, style: Style, size: f32, color: Ink, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = layout::nfc(text);
        self.check_glyphs(style, &text);
        self.marks.push(Mark::Text {
            x,
            baseline,
            style,
            size,
            color,
            text,
        });
    }

    fn text_right(
        &mut self,
        right: f32,
        baseline: f32,
        style: Style,
        size: f32,
        color: Ink,
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
        color: Ink,
        text: &str,
    ) -> f32 {
        let mut y = baseline;
        for line in layout::wrap(style, size, &layout::nfc(text), width) {
            self.text(x, y, style, size, color, &line);
            y += leading;
        }
        y
    }

    fn rect(&mut self, x: f32, top: f32, width: f32, height: f32, color: Ink) {
        self.marks.push(Mark::Rect {
            x,
            top,
            width,
            height,
            color,
        });
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, color: Ink) {
        self.rect(x1, y - thickness / 2.0, x2 - x1, thickness, color);
    }

    /// A QR code with its top-left corner at (`x`, `top`), `size` wide.
    fn qr(&mut self, m: &Arc<Matrix>, x: f32, top: f32, size: f32) {
        self.marks.push(Mark::Qr {
            matrix: Arc::clone(m),
            x,
            top,
            size,
        });
    }
}

/// What varies between the fixed parts of the layout.
struct Plan<'d> {
    doc: &'d Document,
    w: Words,
    width: f32,
    height: f32,
    pay_qr: Option<Arc<Matrix>>,
    epc_qr: Option<Arc<Matrix>>,
    logo: Option<(f32, f32)>,
}

impl Plan<'_> {
    fn lang(&self) -> Lang {
        self.doc.lang
    }
    fn title(&self) -> &'static str {
        if self.doc.quote.is_some() {
            self.w.quote_title()
        } else {
            self.w.title(self.doc.kind)
        }
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

/// Lays `doc` out into pages of marks.
pub fn display_list(doc: &Document) -> Result<DisplayList, RenderError> {
    if doc.lines.len() != doc.totals.lines.len() {
        return Err(RenderError::TotalsMismatch {
            lines: doc.lines.len(),
            amounts: doc.totals.lines.len(),
        });
    }
    let mut warnings = Vec::new();
    let (width, height) = doc.paper.size_pt();
    let w = Words { lang: doc.lang };

    let due = doc.amount_due.is_positive() && !doc.kind.is_credit_note() && doc.quote.is_none();
    let pay_qr = match (&doc.payment_url, due) {
        (Some(url), true) => Some(Arc::new(
            qr::encode(url.as_bytes(), EcLevel::M)
                .ok_or(RenderError::PaymentUrlTooLong(url.len()))?,
        )),
        _ => None,
    };
    let epc_qr = match (&doc.seller.iban, due && doc.details.offers_transfer()) {
        (Some(iban), true) => match epc::epc_payload(
            &doc.seller.legal_name,
            iban,
            doc.seller.bic.as_ref(),
            doc.amount_due,
            &doc.number,
        ) {
            Ok(payload) => qr::encode(payload.as_bytes(), EcLevel::M).map(Arc::new),
            Err(e) => {
                warnings.push(Warning::NoTransferQr(e));
                None
            }
        },
        _ => None,
    };

    let mut logo_image = None;
    let logo = match &doc.logo_png {
        // Checked before decoding: books written before the rule may hold
        // a logo whose header declares more pixels than fit in memory.
        Some(bytes) => match acquit_core::logo::check(bytes)
            .map_err(|e| e.to_string())
            .and_then(|()| RawImage::decode_from_bytes(bytes, &mut Vec::new()))
        {
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
        let mut scratch = Painter::new(&mut scratch_w);
        draw_header(&mut scratch, &plan)
    };
    let table_top_next = MARGIN + 30.0;
    let tail = {
        let mut scratch_w = Vec::new();
        let mut scratch = Painter::new(&mut scratch_w);
        draw_tail(&mut scratch, &plan, 0.0) + 8.0
    };
    let pages = layout::paginate(
        &heights,
        plan.bottom() - table_top_first - HEADER_H,
        plan.bottom() - table_top_next - HEADER_H,
        tail,
    );
    let count = pages.len();

    let mut marks = Vec::with_capacity(count);
    for (index, range) in pages.iter().enumerate() {
        let mut p = Painter::new(&mut warnings);
        let mut y = if index == 0 {
            draw_header(&mut p, &plan)
        } else {
            let title = plan.w.continued(plan.title(), &doc.number);
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
        marks.push(p.marks);
    }
    Ok(DisplayList {
        width,
        height,
        pages: marks,
        warnings,
        logo: logo_image,
    })
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
        p.marks.push(Mark::Logo {
            x: MARGIN,
            top: MARGIN,
            width: px_w * 72.0 / dpi,
            height: h,
            dpi,
        });
        left_y += h + 10.0;
    }

    // Seller.
    let seller = &doc.seller;
    let home = seller.home_country();
    let block_w = 250.0;
    left_y = p.paragraph(
        MARGIN,
        left_y + 11.0,
        block_w,
        Style::Bold,
        12.0,
        15.0,
        INK,
        &seller.printed_name(),
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
        &seller.address.printed_text(plan.lang(), home),
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
    // Legal form with capital, and registration (the debits option is
    // printed with the mentions at the bottom).
    ids.extend(seller.business_mentions(plan.lang()));
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
    p.text_right(right, ry, Style::Bold, 20.0, ACCENT, plan.title());
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
    let dates = match &doc.quote {
        // A quote has no sale yet and nothing due: how long it holds.
        Some(quote) => vec![
            (w.issue_date(), doc.issue_date),
            (w.valid_until(), quote.valid_until),
        ],
        None => vec![
            (w.issue_date(), doc.issue_date),
            (w.sale_date(), doc.sale_date.unwrap_or(doc.issue_date)),
            (w.due_date(), doc.due_date),
        ],
    };
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
        let text = w.credits(invoice, doc.details.credited_issue_date);
        p.text_right(right, ry, Style::Bold, 8.5, INK, &text);
        ry += 11.5;
    }
    let references = [
        (w.order_ref(), doc.details.order_ref.as_deref()),
        (w.buyer_ref(), doc.details.buyer_ref.as_deref()),
        (w.quote_ref(), doc.details.quote_ref.as_deref()),
        (w.operation(), doc.category.map(|c| c.label(plan.lang()))),
    ];
    for (label, value) in references {
        if let Some(value) = value {
            p.text_right(
                right,
                ry,
                Style::Regular,
                8.5,
                MUTED,
                &format!("{label}{colon}{value}"),
            );
            ry += 11.5;
        }
    }

    // Buyer.
    let buyer = &doc.buyer;
    let bx = plan.width / 2.0 + 30.0;
    let bw = right - bx;
    let mut by = left_y.max(ry) + 10.0;
    p.rect(bx - 12.0, by, 2.0, 10.0, ACCENT);
    let to = if doc.quote.is_some() {
        w.quote_for()
    } else {
        w.bill_to()
    };
    p.text(bx, by + 8.0, Style::Bold, 7.5, MUTED, to);
    let top = by;
    by += 22.0;
    by = p.paragraph(bx, by, bw, Style::Bold, 11.0, 14.0, INK, &buyer.name);
    if let Some(address) = &buyer.address {
        let text = address.printed_text(plan.lang(), home);
        by = p.paragraph(bx, by, bw, Style::Regular, 8.5, 11.5, MUTED, &text);
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
    // Where it is delivered, when that is not the billing address: the
    // invoice's own, else the client's.
    if let Some(delivery) = doc.details.delivery_for(buyer) {
        by += 4.0;
        let top = by;
        p.text(bx, by + 8.0, Style::Bold, 7.5, MUTED, w.deliver_to());
        by += 22.0;
        let text = delivery.printed_text(plan.lang(), home);
        by = p.paragraph(bx, by, bw, Style::Regular, 8.5, 11.5, MUTED, &text);
        p.rect(bx - 12.0, top, 2.0, by - top - 8.0, ACCENT);
    }
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
        line.quantity_label(lang),
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
        if let (Some(rate), Some(eur)) = (doc.details.eur_rate, doc.details.vat_total_eur) {
            let label = w.vat_in_euros(&rate.format(lang), doc.totals.currency.code());
            row(p, &mut y, &label, eur, false);
        }
    }
    p.rect(label_x, y - 11.0, right - label_x, 20.0, BAND);
    y += 2.0;
    row(p, &mut y, w.total(), doc.totals.total, true);
    y += 2.0;
    if doc.amount_due != doc.totals.total && !doc.kind.is_credit_note() && doc.quote.is_none() {
        row(p, &mut y, w.amount_due(), doc.amount_due, true);
    }
    if franchise {
        p.text(MARGIN, top + 12.0, Style::Bold, 9.0, INK, w.franchise());
    }
    y += 4.0;

    // Payment section.
    // A credit note asks for no payment: no bank details either.
    // The bank details unless the invoice says it is paid otherwise.
    let means = &doc.details.payment_means;
    let has_bank = doc.seller.iban.is_some()
        && !doc.kind.is_credit_note()
        && doc.quote.is_none()
        && doc.details.offers_transfer();
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
    if !doc.kind.is_credit_note() && doc.quote.is_none() {
        mentions.push(w.terms(doc.due_date));
        // A transfer alone is said by the bank details.
        if means
            .iter()
            .any(|m| *m != acquit_core::PaymentMeans::Transfer)
        {
            mentions.push(w.payment_means(means));
        }
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
    if let Some(exemption) = doc.buyer.vat_exemption.mention(lang) {
        mentions.push(exemption.to_owned());
    }
    mentions.extend(doc.seller.debits_mention(lang).map(str::to_owned));
    if let Some(footer) = doc
        .seller
        .legal_footer
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        mentions.push(footer.to_owned());
    }
    for m in mentions {
        y = p.paragraph(MARGIN, y, cw, Style::Regular, 7.5, 10.0, MUTED, &m);
    }
    if doc.quote.is_some() {
        y = draw_agreement(p, plan, y + 10.0);
    }
    y
}

/// The quote's "Bon pour accord" block: what the client writes by hand
/// when they accept on paper (the mention, the date, their name and
/// signature), under "Devis reçu avant l'exécution des travaux".
fn draw_agreement(p: &mut Painter<'_>, plan: &Plan<'_>, top: f32) -> f32 {
    let w = plan.w;
    let right = plan.right();
    let left = plan.width / 2.0 + 30.0 - 12.0;
    let height = 112.0;
    p.rect(left, top, right - left, 0.8, INK);
    p.rect(left, top + height, right - left, 0.8, INK);
    p.rect(left, top, 0.8, height, INK);
    p.rect(right - 0.8, top, 0.8, height, INK);
    let x = left + 10.0;
    let inner = right - x - 10.0;
    let mut y = top + 16.0;
    p.text(x, y, Style::Bold, 10.0, ACCENT, w.agreement());
    y += 13.0;
    y = p.paragraph(
        x,
        y,
        inner,
        Style::Regular,
        8.0,
        10.5,
        INK,
        w.received_before_work(),
    );
    y += 6.0;
    for label in [w.agreement_date(), w.agreement_name()] {
        p.text(x, y, Style::Regular, 8.0, MUTED, label);
        p.hline(x + 90.0, right - 10.0, y + 1.5, 0.5, RULE);
        y += 16.0;
    }
    // Below this label, the room left is for the signature itself.
    p.text(x, y, Style::Regular, 8.0, MUTED, w.agreement_signature());
    top + height + 4.0
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
    let mut parts = vec![seller.printed_name()];
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

    // Texts in the stamp's own frame, centred on its centre.
    let mut local = Painter::new(&mut *p.warnings);
    let top = -box_h / 2.0;
    let mut y = top + 12.0 + big_size * 0.75;
    local.text(-big_w / 2.0, y, Style::Bold, big_size, STAMP, big);
    y += 18.0;
    local.text(-l1_w / 2.0, y, Style::Bold, 11.0, STAMP, &line1);
    if let Some(l2) = &line2 {
        y += 14.0;
        local.text(-l2_w / 2.0, y, Style::Bold, 10.0, STAMP, l2);
    }
    let texts = local.marks;
    // Right of centre, a little above the middle of the page.
    let (cx, cy) = (plan.width * 0.62, plan.height - plan.height * 0.42);
    p.marks.push(Mark::Stamp(Stamp {
        cx,
        cy,
        angle: 18.0,
        color: STAMP,
        frame_width: box_w,
        frame_height: box_h,
        frame_line: 3.0,
        texts,
    }));
}
