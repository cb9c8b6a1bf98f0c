//! Parsing and printing of exact decimals typed by people: amounts,
//! quantities, rates. Shared by [`crate::Money`], [`crate::Quantity`] and
//! [`crate::VatRate`] so they accept and refuse exactly the same inputs.
//!
//! The rules, in order:
//! - Leading and trailing spaces are ignored; a leading `-` (or `−`) or `+`
//!   gives the sign.
//! - Digits may be grouped by three with spaces (also no-break and thin
//!   spaces), as French writes them: `1 234 567,89`. In English input
//!   ([`Grouping::Commas`]) commas group instead: `1,234,567.89`.
//! - One decimal separator at most: `.` or `,` (`,` only where it is not a
//!   grouping mark). `12,34,5` and `1.234,56` are refused, never guessed.
//! - No more decimals than the value allows (EUR 2, JPY 0, quantities 3):
//!   extra digits are an error, never silently rounded.

use std::fmt::Write as _;

use crate::Lang;

/// What separates groups of thousands in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Spaces group; `.` or `,` is the decimal separator (French, neutral).
    Spaces,
    /// Commas (or spaces) group; only `.` is the decimal separator (English).
    Commas,
}

impl Grouping {
    pub fn for_lang(lang: Lang) -> Grouping {
        match lang {
            Lang::Fr => Grouping::Spaces,
            Lang::En => Grouping::Commas,
        }
    }
}

/// Why a decimal could not be read. The caller adds what the value was for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("nothing was entered")]
    Empty,
    #[error("it contains \"{0}\", which is not part of a number")]
    InvalidCharacter(char),
    #[error("it has more than one decimal separator: use one, e.g. 1234.56 or 1234,56")]
    SeveralSeparators,
    #[error("its digit groups are not groups of three (write 1 234,56 or 1234.56)")]
    BadGrouping,
    #[error("it has no digits before the decimal separator (write 0.5, not .5)")]
    NoIntegerDigits,
    #[error("it has no digits after the decimal separator")]
    NoFractionDigits,
    #[error("it has {found} decimals where at most {max} are allowed")]
    TooManyDecimals { found: usize, max: u8 },
    #[error("it is too large")]
    TooLarge,
}

/// Parses `input` as a decimal with at most `max_decimals` places and
/// returns it scaled by 10^`max_decimals` (so "12.5" with 2 gives 1250).
pub fn parse_scaled(
    input: &str,
    max_decimals: u8,
    grouping: Grouping,
) -> Result<i128, DecimalError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, body) = match s.chars().next() {
        Some('-' | '−') => (true, s[s.chars().next().unwrap().len_utf8()..].trim_start()),
        Some('+') => (false, s[1..].trim_start()),
        _ => (false, s),
    };
    if body.is_empty() {
        return Err(DecimalError::Empty);
    }

    // Split into integer and fraction on the decimal separator.
    let is_decimal_sep = |c: char| match grouping {
        Grouping::Spaces => c == '.' || c == ',',
        Grouping::Commas => c == '.',
    };
    let mut separators = body.char_indices().filter(|(_, c)| is_decimal_sep(*c));
    let (int_part, frac_part) = match (separators.next(), separators.next()) {
        (None, _) => (body, None),
        (Some((i, c)), None) => (&body[..i], Some(&body[i + c.len_utf8()..])),
        (Some(_), Some(_)) => return Err(DecimalError::SeveralSeparators),
    };

    let int_digits = integer_digits(int_part, grouping)?;
    if int_digits.is_empty() {
        return Err(DecimalError::NoIntegerDigits);
    }
    let frac_digits = match frac_part {
        None => "",
        Some(f) => {
            if let Some(c) = f.chars().find(|c| !c.is_ascii_digit()) {
                return Err(if is_decimal_sep(c) || c == ',' {
                    DecimalError::SeveralSeparators
                } else {
                    DecimalError::InvalidCharacter(c)
                });
            }
            if f.is_empty() {
                return Err(DecimalError::NoFractionDigits);
            }
            f
        }
    };
    if frac_digits.len() > usize::from(max_decimals) {
        return Err(DecimalError::TooManyDecimals {
            found: frac_digits.len(),
            max: max_decimals,
        });
    }

    let mut value: i128 = 0;
    let padded = frac_digits
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(usize::from(max_decimals));
    for digit in int_digits.bytes().chain(padded) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit - b'0')))
            .filter(|v| *v <= i128::from(i64::MAX))
            .ok_or(DecimalError::TooLarge)?;
    }
    Ok(if negative { -value } else { value })
}

/// The digits of an integer part, checking that any grouping is by three.
fn integer_digits(part: &str, grouping: Grouping) -> Result<String, DecimalError> {
    let is_group_sep = |c: char| {
        matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
            || (grouping == Grouping::Commas && c == ',')
    };
    if let Some(c) = part
        .chars()
        .find(|c| !c.is_ascii_digit() && !is_group_sep(*c))
    {
        return Err(match c {
            '.' | ',' => DecimalError::SeveralSeparators,
            _ => DecimalError::InvalidCharacter(c),
        });
    }
    let groups: Vec<&str> = part.split(is_group_sep).collect();
    if groups.len() > 1 {
        let (first, rest) = groups.split_first().expect("at least two groups");
        let well_formed = (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3);
        if !well_formed {
            return Err(DecimalError::BadGrouping);
        }
    }
    Ok(groups.concat())
}

/// Prints `scaled / 10^decimals` with `decimals` places, grouping the integer
/// part by three with `group` and using `point` as the decimal separator.
/// `trim` drops trailing zero decimals (quantities, rates), never for money.
pub fn format_scaled(
    scaled: i128,
    decimals: u8,
    point: char,
    group: Option<char>,
    trim: bool,
) -> String {
    let digits = scaled.unsigned_abs().to_string();
    let decimals = usize::from(decimals);
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (int, frac) = padded.split_at(padded.len() - decimals);
    let frac = if trim {
        frac.trim_end_matches('0')
    } else {
        frac
    };

    let mut out = String::new();
    if scaled < 0 {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if let Some(g) = group
            && i > 0
            && (int.len() - i) % 3 == 0
        {
            out.push(g);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        let _ = write!(out, "{point}{frac}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_inputs() {
        let cases: &[(&str, u8, Grouping, i128)] = &[
            ("0", 2, Grouping::Spaces, 0),
            ("12", 2, Grouping::Spaces, 1200),
            ("12.5", 2, Grouping::Spaces, 1250),
            ("12,5", 2, Grouping::Spaces, 1250),
            ("1234,56", 2, Grouping::Spaces, 123_456),
            ("1 234,56", 2, Grouping::Spaces, 123_456),
            (
                "1\u{202f}234\u{202f}567,89",
                2,
                Grouping::Spaces,
                123_456_789,
            ),
            ("1\u{a0}234.56", 2, Grouping::Spaces, 123_456),
            ("  -0.05 ", 2, Grouping::Spaces, -5),
            ("−3", 0, Grouping::Spaces, -3),
            ("+7", 0, Grouping::Spaces, 7),
            ("1,234.56", 2, Grouping::Commas, 123_456),
            ("1,234,567", 2, Grouping::Commas, 123_456_700),
            ("1.5", 3, Grouping::Spaces, 1500),
            ("0.001", 3, Grouping::Spaces, 1),
            (
                "92233720368547758.07",
                2,
                Grouping::Spaces,
                i128::from(i64::MAX),
            ),
        ];
        for (input, decimals, grouping, expected) in cases {
            assert_eq!(
                parse_scaled(input, *decimals, *grouping),
                Ok(*expected),
                "{input:?} with {decimals} decimals, {grouping:?}"
            );
        }
    }

    #[test]
    fn refused_inputs() {
        use DecimalError::*;
        let cases: &[(&str, u8, Grouping, DecimalError)] = &[
            ("", 2, Grouping::Spaces, Empty),
            ("  ", 2, Grouping::Spaces, Empty),
            ("-", 2, Grouping::Spaces, Empty),
            ("12,34,5", 2, Grouping::Spaces, SeveralSeparators),
            ("1.234,56", 2, Grouping::Spaces, SeveralSeparators),
            ("1,234.56", 2, Grouping::Spaces, SeveralSeparators),
            ("12,34,5", 2, Grouping::Commas, BadGrouping),
            ("1,23.4", 2, Grouping::Commas, BadGrouping),
            ("12 34", 2, Grouping::Spaces, BadGrouping),
            ("1234 567", 2, Grouping::Spaces, BadGrouping),
            ("12.", 2, Grouping::Spaces, NoFractionDigits),
            (".5", 2, Grouping::Spaces, NoIntegerDigits),
            (
                "12.345",
                2,
                Grouping::Spaces,
                TooManyDecimals { found: 3, max: 2 },
            ),
            (
                "12.5",
                0,
                Grouping::Spaces,
                TooManyDecimals { found: 1, max: 0 },
            ),
            ("12a", 2, Grouping::Spaces, InvalidCharacter('a')),
            ("1e3", 2, Grouping::Spaces, InvalidCharacter('e')),
            ("12.3x", 2, Grouping::Spaces, InvalidCharacter('x')),
            ("--1", 2, Grouping::Spaces, InvalidCharacter('-')),
            ("92233720368547758.08", 2, Grouping::Spaces, TooLarge),
            ("99999999999999999999999", 0, Grouping::Spaces, TooLarge),
        ];
        for (input, decimals, grouping, expected) in cases {
            assert_eq!(
                parse_scaled(input, *decimals, *grouping).as_ref(),
                Err(expected),
                "{input:?} with {decimals} decimals, {grouping:?}"
            );
        }
    }

    #[test]
    fn printing() {
        type Case = (i128, u8, char, Option<char>, bool, &'static str);
        let cases: &[Case] = &[
            (0, 2, '.', None, false, "0.00"),
            (5, 2, '.', None, false, "0.05"),
            (-5, 2, ',', None, false, "-0,05"),
            (123_456, 2, ',', Some(' '), false, "1 234,56"),
            (123_456_789, 2, '.', Some(','), false, "1,234,567.89"),
            (100_000, 2, '.', Some(','), false, "1,000.00"),
            (1234, 0, '.', Some(','), false, "1,234"),
            (1500, 3, ',', None, true, "1,5"),
            (2000, 3, '.', None, true, "2"),
            (550, 2, ',', None, true, "5,5"),
        ];
        for (scaled, decimals, point, group, trim, expected) in cases {
            assert_eq!(
                format_scaled(*scaled, *decimals, *point, *group, *trim),
                *expected
            );
        }
    }
}
