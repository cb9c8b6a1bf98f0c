//! The company logo on the invoice: `acquit_store::check_logo` (what the
//! CLI and the app let in: a PNG signature, at most 1 MB) and the PDF
//! renderer's decoding of it (`acquit_pdf::display_list`, through
//! printpdf's `RawImage::decode_from_bytes`, the `image` and `png`
//! crates), then `acquit_pdf::render` for small ones.
//!
//! A fuzzer gets nowhere past a PNG's CRCs and zlib checksums, so the
//! bytes are used twice: as the logo file as is, and as the recipe of a
//! PNG built here with correct CRCs and a zlib stream of stored blocks:
//! colour type, bit depth, interlacing, declared width and height (up to
//! billions of pixels: decompression bombs), and either the bytes as the
//! pixel stream or exactly the rows the header announces.
//!
//! Invariants:
//! - never a panic; a logo never makes rendering fail (a bad one is a
//!   `BadLogo` warning and the invoice renders without it);
//! - the decoder's limit holds: a logo is refused when its decoded pixels
//!   would take more than 512 MiB (the `image` crate's default
//!   `max_alloc`, the only limit on this path), so a tiny PNG declaring
//!   50000×50000 pixels is refused before any decoding (checked at start);
//!   the run uses `-malloc_limit_mb` to catch any larger allocation;
//! - a well-formed small PNG (a valid colour type and depth, a palette
//!   when needed, exactly its rows with valid filter bytes) is accepted,
//!   drawn in the 150×48 pt logo box with its proportions, and the PDF
//!   with it is a PDF.
#![no_main]

use acquit_core::tax::compute;
use acquit_core::{
    Client, Currency, Discount, InvoiceKind, Lang, Line, LineInput, Money, Quantity, Seller,
    VatRate, VatRegime,
};
use acquit_pdf::{Document, Mark, Paper, Warning, display_list, render};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

/// The `image` crate's default `Limits::max_alloc`.
const MAX_DECODED: u64 = 512 * 1024 * 1024;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(raw: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        z.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    z
}

/// Bits per pixel of a valid colour type and depth, and bytes per pixel
/// once decoded (what the `image` crate allocates).
fn pixel_sizes(color: u8, depth: u8) -> Option<(u64, u64)> {
    let channels = match (color, depth) {
        (0, 1 | 2 | 4 | 8 | 16) => 1,
        (2 | 4 | 6, 8 | 16) => [0, 0, 3, 0, 2, 0, 4][usize::from(color)],
        (3, 1 | 2 | 4 | 8) => 1,
        _ => return None,
    };
    let bits = channels * u64::from(depth);
    let decoded = match color {
        0 => u64::from(depth.max(8) / 8),
        3 => 3,
        _ => bits / 8,
    };
    Some((bits, decoded))
}

/// Adam7's passes: first column and row, steps.
const ADAM7: [(u64, u64, u64, u64); 7] = [
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
];

/// The passes of a `w`×`h` image: each pass's width and height, the
/// passes without pixels left out (one pass, the image, when not
/// interlaced).
fn passes(w: u64, h: u64, interlaced: bool) -> Vec<(u64, u64)> {
    if !interlaced {
        return vec![(w, h)];
    }
    ADAM7
        .iter()
        .map(|&(x0, y0, dx, dy)| {
            let pw = if w > x0 { (w - x0).div_ceil(dx) } else { 0 };
            let ph = if h > y0 { (h - y0).div_ceil(dy) } else { 0 };
            (pw, ph)
        })
        .filter(|&(pw, ph)| pw > 0 && ph > 0)
        .collect()
}

/// Bytes of a filtered row of `pw` pixels of `bits` bits.
fn row_len(pw: u64, bits: u64) -> u64 {
    1 + (pw * bits).div_ceil(8)
}

/// Size of the filtered rows of a `w`×`h` image (saturating).
fn raw_len(w: u64, h: u64, bits: u64, interlaced: bool) -> u64 {
    passes(w, h, interlaced)
        .into_iter()
        .map(|(pw, ph)| ph.saturating_mul(row_len(pw, bits)))
        .fold(0, u64::saturating_add)
}

struct Built {
    png: Vec<u8>,
    width: u64,
    height: u64,
    /// Bytes the decoded image takes, for a valid colour type and depth.
    decoded: Option<u64>,
    /// Everything valid: it must be accepted.
    well_formed: bool,
}

fn build(data: &[u8]) -> Option<Built> {
    let (head, pixels) = data.split_at_checked(8)?;
    let (color, depth) = if head[0] & 0x80 != 0 {
        (head[0] & 7, head[1] & 0x1f)
    } else {
        let color = [0, 2, 3, 4, 6][usize::from(head[0] % 5)];
        let depths: &[u8] = match color {
            0 => &[1, 2, 4, 8, 16],
            3 => &[1, 2, 4, 8],
            _ => &[8, 16],
        };
        (color, depths[usize::from(head[1]) % depths.len()])
    };
    let interlace = if head[2] & 0x80 != 0 {
        head[2] & 3
    } else {
        head[2] & 1
    };
    let shift = u32::from(head[7] & 0x0f);
    let dim = |lo: u8, hi: u8| -> u32 {
        let base = u32::from(u16::from_le_bytes([lo, hi])).max(1);
        base.checked_shl(shift)
            .filter(|d| *d <= i32::MAX as u32)
            .unwrap_or(i32::MAX as u32)
    };
    let (width, height) = (dim(head[3], head[4]), dim(head[5], head[6]));
    let sizes = pixel_sizes(color, depth).filter(|_| interlace <= 1);
    let exact = head[2] & 0x40 != 0;
    let mut raw = Vec::new();
    let mut well_formed = false;
    match sizes {
        Some((bits, _)) if exact && !pixels.is_empty() => {
            let len = raw_len(width.into(), height.into(), bits, interlace == 1);
            if len > 1 << 20 {
                return None;
            }
            // Rows of the right length; each row's first byte a filter
            // 0–4, where the decoder will read it.
            raw = (0..len)
                .map(|i| pixels[i as usize % pixels.len()])
                .collect();
            let mut at = 0;
            for (pw, ph) in passes(width.into(), height.into(), interlace == 1) {
                for _ in 0..ph {
                    raw[at] %= 5;
                    at += row_len(pw, bits) as usize;
                }
            }
            well_formed = true;
        }
        _ => raw.extend_from_slice(pixels),
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([depth, color, 0, 0, interlace]);
    chunk(&mut png, b"IHDR", &ihdr);
    // A palette where one is needed (3) or allowed (2, 6).
    if color == 3 || (head[2] & 0x20 != 0 && matches!(color, 2 | 6)) {
        let palette: Vec<u8> = (0..=255u8).flat_map(|i| [i, 255 - i, i / 2]).collect();
        chunk(&mut png, b"PLTE", &palette);
    }
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    Some(Built {
        png,
        width: width.into(),
        height: height.into(),
        decoded: sizes.map(|(_, d)| d.saturating_mul(u64::from(width) * u64::from(height))),
        well_formed,
    })
}

fn document(logo: Vec<u8>) -> Document {
    let lines = vec![Line {
        description: "Logo".into(),
        input: LineInput {
            quantity: Quantity::units(1),
            unit_price: Money::new(10_000, Currency::EUR),
            vat_rate: VatRate::from_basis_points(2000).unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    }];
    let inputs: Vec<LineInput> = lines.iter().map(|l| l.input.clone()).collect();
    let totals = compute(&inputs, Currency::EUR, VatRegime::Standard).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    Document {
        kind: InvoiceKind::Standard,
        number: "F-2026-0001".into(),
        issue_date: date,
        sale_date: None,
        due_date: date,
        seller: Seller::new("Atelier", "1 rue de la Paix\n75002 Paris"),
        buyer: Client::new("Client"),
        lines,
        amount_due: totals.total,
        totals,
        deposits: vec![],
        credits: None,
        reason: None,
        details: Default::default(),
        category: None,
        payment_url: None,
        paid: None,
        logo_png: Some(logo),
        lang: Lang::Fr,
        paper: Paper::A4,
        quote: None,
    }
}

/// Lays the invoice out with `png` as its logo: the logo's box when drawn.
fn logo_box(png: &[u8]) -> Option<(f32, f32)> {
    let list = display_list(&document(png.to_vec())).expect("a logo never fails the layout");
    let bad = list
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::BadLogo(_)));
    let drawn = list.pages[0].iter().find_map(|m| match m {
        Mark::Logo { width, height, .. } => Some((*width, *height)),
        _ => None,
    });
    assert_eq!(bad, drawn.is_none(), "{:?}", list.warnings);
    if let Some((w, h)) = drawn {
        assert!(
            w > 0.0 && h > 0.0 && w <= 150.01 && h <= 48.01,
            "logo box {w}×{h}"
        );
    }
    drawn
}

fn declared(png: &[u8]) -> Option<(u64, u64)> {
    let ihdr = png.get(12..24).filter(|h| &h[..4] == b"IHDR")?;
    let w = u32::from_be_bytes(ihdr[4..8].try_into().unwrap());
    let h = u32::from_be_bytes(ihdr[8..12].try_into().unwrap());
    Some((w.into(), h.into()))
}

fuzz_target!(
    init: {
        // The decompression bomb of the brief: 50000×50000 RGB declared in
        // a few dozen bytes.
        let mut recipe = vec![1, 0, 0, 0x50, 0xc3, 0x50, 0xc3, 0];
        recipe.extend([0u8; 16]);
        let bomb = build(&recipe).unwrap();
        assert_eq!((bomb.width, bomb.height), (50_000, 50_000));
        assert!(bomb.png.len() < 200);
        let started = std::time::Instant::now();
        assert_eq!(logo_box(&bomb.png), None, "the 50000×50000 bomb was accepted");
        assert!(started.elapsed().as_secs() < 2, "the bomb took {:?}", started.elapsed());
    },
    |data: &[u8]| {
        // The bytes as the logo file.
        // The rule (core::logo): a PNG signature, at most 1 MiB, and a
        // header declaring 1 to 4,096 pixels a side, read before decoding.
        let accepted_file = acquit_store::check_logo(data).is_ok();
        let side = |n: u64| (1..=u64::from(acquit_core::logo::MAX_SIDE)).contains(&n);
        assert_eq!(
            accepted_file,
            data.starts_with(b"\x89PNG\r\n\x1a\n")
                && data.len() <= 1 << 20
                && declared(data).is_some_and(|(w, h)| side(w) && side(h))
        );
        if logo_box(data).is_some()
            && let Some((w, h)) = declared(data)
        {
            assert!(w.saturating_mul(h) <= MAX_DECODED, "{w}×{h} decoded");
        }

        // The bytes as the recipe of a PNG.
        let Some(built) = build(data) else { return };
        let drawn = logo_box(&built.png);
        if let Some(decoded) = built.decoded
            && decoded > MAX_DECODED
        {
            assert!(drawn.is_none(), "{}×{} ({decoded} bytes decoded) accepted", built.width, built.height);
        }
        if built.well_formed && !(side(built.width) && side(built.height)) {
            // core::logo's rule, which the renderer applies too.
            assert!(drawn.is_none(), "a {}×{} PNG was drawn", built.width, built.height);
        } else if built.well_formed {
            let (w, h) = drawn.unwrap_or_else(|| {
                panic!("a well-formed {}×{} PNG was refused", built.width, built.height)
            });
            // Its proportions (to f32's precision).
            let ratio = built.width as f64 / built.height as f64;
            let drawn_ratio = f64::from(w) / f64::from(h);
            assert!(
                (drawn_ratio - ratio).abs() / ratio <= 1e-3,
                "{}×{} drawn {w}×{h}",
                built.width,
                built.height
            );
            if built.width * built.height <= 256 * 256 {
                let pdf = render(&document(built.png.clone())).expect("renders").bytes;
                assert!(pdf.starts_with(b"%PDF-"));
            }
        }
    }
);
