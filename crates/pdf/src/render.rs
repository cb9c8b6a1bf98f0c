//! The PDF backend: a [`DisplayList`] drawn with printpdf, then saved
//! deterministically.
//!
//! Marks are in points from the page's top-left corner; PDF's origin is the
//! bottom-left, so y is flipped here and nowhere else. Fill colours are
//! set only when they change (a shorter content stream).

use std::cell::RefCell;
use std::sync::OnceLock;

use printpdf::{
    Color, CurTransMat, ExtendedGraphicsState, ExtendedGraphicsStateId, FontId, LinePoint, Op,
    PaintMode, ParsedFont, PdfDocument, PdfDocumentInfo, PdfFont, PdfFontHandle, PdfMetadata,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, WindingOrder,
    XObjectId, XObjectTransform,
};

use crate::display::{self, DisplayList, Ink, Mark, STAMP_OPACITY, Stamp};
use crate::layout::Style;
use crate::{Document, RenderError, Rendered};

// Fixed resource names: printpdf would draw them at random, and the first
// six letters of a font's id become its subset tag (`NOTOSR+NotoSans`).
const FONT_REGULAR: &str = "NOTOSR";
const FONT_BOLD: &str = "NOTOSB";
const STAMP_GS: &str = "GSSTAMP";
const LOGO: &str = "LOGO";

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

fn rgb((r, g, b): Ink) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

/// Turns one page's marks into PDF operations.
struct Ops {
    /// The page height: PDF's y is `height - top`.
    height: f32,
    ops: Vec<Op>,
    fill: Option<Ink>,
}

impl Ops {
    fn new(height: f32) -> Self {
        Ops {
            height,
            ops: Vec::with_capacity(512),
            fill: None,
        }
    }

    fn set_fill(&mut self, color: Ink) {
        if self.fill != Some(color) {
            self.ops.push(Op::SetFillColor { col: rgb(color) });
            self.fill = Some(color);
        }
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
            Mark::Rect {
                x,
                top,
                width,
                height,
                color,
            } => {
                self.set_fill(color);
                self.ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: r2(x),
                        y: r2(self.height - top - height),
                        width: r2(width),
                        height: r2(height),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
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
                height,
                dpi,
                ..
            } => self.ops.push(Op::UseXobject {
                id: XObjectId(LOGO.to_owned()),
                transform: XObjectTransform {
                    translate_x: Some(Pt(x)),
                    translate_y: Some(Pt(self.height - top - height)),
                    dpi: Some(dpi),
                    ..Default::default()
                },
            }),
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
        let corner = |x: usize, y: usize| LinePoint {
            p: Point {
                x: Pt(x as f32),
                y: Pt(y as f32),
            },
            bezier: false,
        };
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
        // In module units, y grows downwards from the code's top edge.
        let rings = rects
            .into_iter()
            .map(|(row, col, len, rows)| PolygonRing {
                points: vec![
                    corner(col, row + rows),
                    corner(col + len, row + rows),
                    corner(col + len, row),
                    corner(col, row),
                ],
            })
            .collect();
        self.set_fill((0.0, 0.0, 0.0));
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([module, 0.0, 0.0, -module, x, self.height - top]),
        });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// The stamp in its own rotated frame, under the translucent graphics
    /// state `STAMP_GS`.
    fn stamp(&mut self, stamp: Stamp) {
        let (s, c) = stamp.angle.to_radians().sin_cos();
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::LoadGraphicsState {
            gs: ExtendedGraphicsStateId(STAMP_GS.to_owned()),
        });
        self.ops.push(Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([c, s, -s, c, stamp.cx, self.height - stamp.cy]),
        });
        // In the rotated frame, (0, 0) is the stamp's centre and PDF's y
        // grows upwards: a frame "0 high" makes y = -top.
        let mut local = Ops::new(0.0);
        local.ops.push(Op::SetOutlineColor {
            col: rgb(stamp.color),
        });
        local.ops.push(Op::SetOutlineThickness {
            pt: Pt(stamp.frame_line),
        });
        local.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(-stamp.frame_width / 2.0),
                y: Pt(-stamp.frame_height / 2.0),
                width: Pt(stamp.frame_width),
                height: Pt(stamp.frame_height),
                mode: Some(PaintMode::Stroke),
                winding_order: None,
            },
        });
        local.marks(stamp.texts);
        self.ops.extend(local.ops);
        self.ops.push(Op::RestoreGraphicsState);
        self.fill = None;
    }
}

/// Renders `doc` to PDF bytes.
pub fn render(doc: &Document) -> Result<Rendered, RenderError> {
    let DisplayList {
        width,
        height,
        pages,
        warnings,
        logo,
    } = display::display_list(doc)?;
    let count = pages.len();
    let pdf_pages: Vec<PdfPage> = pages
        .into_iter()
        .map(|marks| {
            let mut ops = Ops::new(height);
            ops.marks(marks);
            PdfPage::new(Pt(width).into(), Pt(height).into(), ops.ops)
        })
        .collect();
    let w = crate::text::Words { lang: doc.lang };

    let mut info = PdfDocumentInfo {
        document_title: format!("{} {}", w.title(doc.kind), doc.number),
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
