//! QR codes as module matrices, drawn later as vector rectangles.
//!
//! Vector modules decode byte-exact at any zoom (a raster would blur), and
//! merging each row's dark runs into one rectangle keeps the content stream
//! small and fast to write.
//!
//! The mask is chosen by the standard's penalty rules (ISO/IEC 18004 §7.8.3:
//! runs, 2×2 blocks, finder-like patterns, dark balance), scored here on a
//! plain boolean grid: the `qrcode` crate's own scoring was half the render
//! time of an invoice with two codes.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// A QR code's dark modules as horizontal runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Modules per side, without the quiet zone.
    pub width: usize,
    /// `(row, first column, length)` of each run of dark modules.
    pub runs: Vec<(usize, usize, usize)>,
}

/// Encodes `data`; `None` when it does not fit in a QR code.
pub(crate) fn encode(data: &[u8], level: EcLevel) -> Option<Matrix> {
    let bits = qrcode::bits::encode_auto(data, level).ok()?;
    let version = bits.version();
    let (encoded, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, level).ok()?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    let width = usize::try_from(version.width()).ok()?;
    let colors = best_mask(&canvas, width);
    let mut runs = Vec::new();
    for row in 0..width {
        let mut col = 0;
        while col < width {
            if colors[row * width + col] == Color::Dark {
                let start = col;
                while col < width && colors[row * width + col] == Color::Dark {
                    col += 1;
                }
                runs.push((row, start, col - start));
            } else {
                col += 1;
            }
        }
    }
    Some(Matrix { width, runs })
}

const PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The masked modules with the lowest penalty (the first on a tie).
fn best_mask(canvas: &Canvas, width: usize) -> Vec<Color> {
    let mut best: Option<(u32, Vec<Color>)> = None;
    for pattern in PATTERNS {
        let mut c = canvas.clone();
        c.apply_mask(pattern);
        let colors = c.into_colors();
        let dark: Vec<bool> = colors.iter().map(|c| *c == Color::Dark).collect();
        let score = if width <= 128 {
            penalty_bits(&dark, width)
        } else {
            penalty(&dark, width)
        };
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, colors));
        }
    }
    best.map(|(_, c)| c).unwrap_or_default()
}

/// [`penalty`] on grids up to 128 modules wide (version 28; invoices'
/// codes are far smaller), each row and column one `u128` (bit `c` =
/// column `c`): the finder patterns and 2×2 blocks by shifts and masks
/// instead of module by module. Same score (a test compares the two).
fn penalty_bits(m: &[bool], width: usize) -> u32 {
    debug_assert!((11..=128).contains(&width));
    let pack = |dark: &mut dyn Iterator<Item = bool>| {
        dark.enumerate()
            .fold(0u128, |acc, (i, d)| acc | (u128::from(d) << i))
    };
    let rows: Vec<u128> = m
        .chunks_exact(width)
        .map(|row| pack(&mut row.iter().copied()))
        .collect();
    let cols: Vec<u128> = (0..width)
        .map(|c| pack(&mut (0..width).map(|r| m[r * width + c])))
        .collect();
    let mut score = 0u32;
    // N1 per line; N3 finds every start `j` of the 7-module pattern at
    // once (bit j stays set while each module k of the window matches).
    const FINDER: u128 = 0b101_1101; // dark, light, dark ×3, light, dark
    let starts = (1u128 << (width - 6)) - 1;
    for &line in rows.iter().chain(&cols) {
        score += runs_penalty_bits(line, width);
        let mut hits = starts;
        for k in 0..7 {
            let shifted = line >> k;
            hits &= if (FINDER >> k) & 1 == 1 {
                shifted
            } else {
                !shifted
            };
        }
        while hits != 0 {
            let j = hits.trailing_zeros() as usize;
            hits &= hits - 1;
            let light_before = j >= 4 && (line >> (j - 4)) & 0xf == 0;
            let light_after = j + 11 <= width && (line >> (j + 7)) & 0xf == 0;
            if light_before || light_after {
                score += 40;
            }
        }
    }
    // N2: a 2×2 block at column c when the top row's c and c + 1 agree and
    // the bottom row agrees with the top at both.
    let inner = (1u128 << (width - 1)) - 1;
    for pair in rows.windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        let vertical = !(top ^ bottom);
        let horizontal = !(top ^ (top >> 1));
        score += 3 * (vertical & (vertical >> 1) & horizontal & inner).count_ones();
    }
    // N4: dark modules far from half.
    let dark: u32 = rows.iter().map(|r| r.count_ones()).sum();
    let total = (width * width) as u32;
    score += 10 * ((dark * 100 / total).abs_diff(50) / 5);
    score
}

/// N1 on a packed line: runs of five or more modules of one colour, from
/// the places where the colour changes (one bit each).
fn runs_penalty_bits(line: u128, width: usize) -> u32 {
    let mut changes = (line ^ (line >> 1)) & ((1u128 << (width - 1)) - 1);
    let mut score = 0;
    let mut start = 0;
    let mut run = |end: usize| {
        let len = (end - start) as u32;
        if len >= 5 {
            score += len - 2;
        }
        start = end;
    };
    while changes != 0 {
        // Module `b` differs from `b + 1`: a run ends after `b`.
        run(changes.trailing_zeros() as usize + 1);
        changes &= changes - 1;
    }
    run(width);
    score
}

/// The four penalty rules of ISO/IEC 18004 on a `width`² grid, row-major.
/// Rows and columns are scanned as contiguous slices (the grid and its
/// transpose): this runs eight times per code, once per mask.
fn penalty(m: &[bool], width: usize) -> u32 {
    let mut transposed = vec![false; m.len()];
    for r in 0..width {
        for c in 0..width {
            transposed[c * width + r] = m[r * width + c];
        }
    }
    let mut score = 0u32;
    for grid in [m, &transposed[..]] {
        for line in grid.chunks_exact(width) {
            score += runs_penalty(line) + finder_penalty(line);
        }
    }
    // N2: 2×2 blocks of one colour.
    for pair in m.chunks_exact(width).collect::<Vec<_>>().windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        for c in 0..width - 1 {
            let v = top[c];
            if top[c + 1] == v && bottom[c] == v && bottom[c + 1] == v {
                score += 3;
            }
        }
    }
    // N4: dark modules far from half.
    let dark = m.iter().filter(|d| **d).count() as u32;
    let total = (width * width) as u32;
    let percent = dark * 100 / total;
    score += 10 * (percent.abs_diff(50) / 5);
    score
}

/// N1: five or more same-coloured modules in a row (or column).
fn runs_penalty(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 1u32;
    for j in 1..=line.len() {
        if j < line.len() && line[j] == line[j - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    score
}

/// N3: 1:1:3:1:1 finder-like patterns with four light modules on a side.
fn finder_penalty(line: &[bool]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let width = line.len();
    let mut score = 0;
    for (j, window) in line.windows(7).enumerate() {
        if window == FINDER {
            let light_before = j >= 4 && line[j - 4..j].iter().all(|d| !d);
            let light_after = j + 11 <= width && line[j + 7..j + 11].iter().all(|d| !d);
            if light_before || light_after {
                score += 40;
            }
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_the_finder_patterns() {
        let m = encode(b"https://example.com/p/abc", EcLevel::M).unwrap();
        assert!(m.width >= 21);
        // The top-left finder pattern starts with a run of 7 dark modules.
        assert_eq!(m.runs[0], (0, 0, 7));
    }

    #[test]
    fn penalty_counts_runs_blocks_and_balance() {
        // An all-light 5×5 grid: 10 runs of 5 (3 each), 16 2×2 blocks
        // (3 each), 0 % dark (10 × 10).
        let grid = vec![false; 25];
        assert_eq!(penalty(&grid, 5), 10 * 3 + 16 * 3 + 100);
        // A checkerboard: no runs, no blocks, 13/25 dark = 52 %.
        let grid: Vec<bool> = (0..25).map(|i| (i / 5 + i % 5) % 2 == 0).collect();
        assert_eq!(penalty(&grid, 5), 0);
    }

    #[test]
    fn the_packed_penalty_scores_like_the_plain_one() {
        // Pseudo-random grids (xorshift) of every QR width up to version 27,
        // plus the masked grids of real codes.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for width in (21..=125).step_by(4) {
            for density in [2, 3, 5] {
                let grid: Vec<bool> = (0..width * width).map(|_| next() % density == 0).collect();
                assert_eq!(
                    penalty_bits(&grid, width),
                    penalty(&grid, width),
                    "width {width}"
                );
            }
        }
        let data = b"BCD\n002\n1\nSCT\n\nA\nFR7630006000011234567890189\nEUR1.00";
        let bits = qrcode::bits::encode_auto(data, EcLevel::M).unwrap();
        let version = bits.version();
        let (encoded, ec) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).unwrap();
        let mut canvas = Canvas::new(version, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&encoded, &ec);
        let width = usize::try_from(version.width()).unwrap();
        for pattern in PATTERNS {
            let mut c = canvas.clone();
            c.apply_mask(pattern);
            let dark: Vec<bool> = c.into_colors().iter().map(|c| *c == Color::Dark).collect();
            assert_eq!(penalty_bits(&dark, width), penalty(&dark, width));
        }
    }

    #[test]
    fn the_matrix_matches_the_qrcode_crate_modulo_mask_choice() {
        // Same version and size as the crate's own encoder.
        let data = b"BCD\n002\n1\nSCT\n\nA\nFR7630006000011234567890189\nEUR1.00";
        let ours = encode(data, EcLevel::M).unwrap();
        let theirs = qrcode::QrCode::with_error_correction_level(data, EcLevel::M).unwrap();
        assert_eq!(ours.width, theirs.width());
    }
}
