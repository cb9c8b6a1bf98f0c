//! The company logo's one rule: a PNG of at most [`MAX_BYTES`] and
//! [`MAX_SIDE`] pixels a side, read from its header before anything
//! decodes it. A small file can declare a huge image (a "decompression
//! bomb": 69 bytes for 50,000 × 50,000 pixels, found by the `png_logo`
//! fuzz target's seeds); the header says so before a byte is inflated.
//! The store refuses such a logo when it is set; the PDF renderer checks
//! again for logos written before this rule.

/// A PNG's eight-byte signature.
pub const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// What fits on an invoice: 1 MiB of file.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Pixels a side: 4,096 is far more than a 150 × 48 pt box shows (about
/// 600 pixels wide at print resolution), and decodes to 64 MiB at most.
pub const MAX_SIDE: u32 = 4096;

/// Why a logo is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error("the logo is not a PNG file: export it as PNG and try again")]
    NotPng,
    #[error("the logo is {kb} KB; at most 1024 KB fit on an invoice: make it smaller")]
    TooHeavy { kb: usize },
    #[error(
        "the logo is {width} × {height} pixels; at most {MAX_SIDE} a side fit: make it smaller (600 pixels wide is plenty)"
    )]
    TooLarge { width: u32, height: u32 },
}

/// The width and height a PNG's header declares (its first chunk must be
/// IHDR), or None when the header is not there.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let rest = png.strip_prefix(SIGNATURE)?;
    // Length (13), "IHDR", then width and height, big-endian.
    if rest.get(4..8)? != b"IHDR" {
        return None;
    }
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(rest.get(at..at + 4)?.try_into().ok()?))
    };
    Some((word(8)?, word(12)?))
}

/// Checks `png` against the rule, without decoding it.
pub fn check(png: &[u8]) -> Result<(), LogoError> {
    let (width, height) = png_size(png).ok_or(LogoError::NotPng)?;
    if png.len() > MAX_BYTES {
        return Err(LogoError::TooHeavy {
            kb: png.len() / 1024,
        });
    }
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(LogoError::TooLarge { width, height });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header declaring `w` × `h` (the rest need not follow: the
    /// check never decodes).
    fn header(w: u32, h: u32) -> Vec<u8> {
        let mut png = SIGNATURE.to_vec();
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&w.to_be_bytes());
        png.extend_from_slice(&h.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        png
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        assert_eq!(png_size(&header(50_000, 50_000)), Some((50_000, 50_000)));
        assert_eq!(
            check(&header(50_000, 50_000)),
            Err(LogoError::TooLarge {
                width: 50_000,
                height: 50_000
            })
        );
        assert_eq!(check(&header(600, 200)), Ok(()));
        assert_eq!(check(&header(4096, 4096)), Ok(()));
        assert!(check(&header(4097, 10)).is_err());
        assert!(check(&header(0, 10)).is_err());
        assert_eq!(check(b"GIF89a"), Err(LogoError::NotPng));
        let mut heavy = header(10, 10);
        heavy.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&heavy), Err(LogoError::TooHeavy { kb: 1024 }));
    }
}
