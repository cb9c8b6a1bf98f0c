//! Each EU member state's VAT number rule (and the UK's), on the part after
//! the prefix: uppercase letters and digits, separators already dropped.
//! Written from python-stdnum's modules (`stdnum/<cc>/vat.py` and those
//! they call), which are the reference `crates/core/tests/stdnum.rs` checks
//! these against; the comments name the module each rule comes from.

use super::{is_digits, luhn_valid, mod97};

/// What is wrong with a number, in the terms of the state's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// Wrong length or characters: the state's format says what is due.
    Format,
    /// A part that cannot be, named for the message (`"…"`).
    Part(&'static str),
    /// The check digit(s) do not match.
    Checksum,
}

pub(super) type Rule = fn(&str) -> Result<(), Fault>;

/// The digits of `s` as numbers, if it is only digits (and not empty).
fn digits(s: &str) -> Result<Vec<u32>, Fault> {
    if s.is_empty() || !is_digits(s) {
        return Err(Fault::Format);
    }
    Ok(s.bytes().map(|b| u32::from(b - b'0')).collect())
}

/// `s` as digits, exactly `len` of them.
fn digits_n(s: &str, len: usize) -> Result<Vec<u32>, Fault> {
    let d = digits(s)?;
    if d.len() == len {
        Ok(d)
    } else {
        Err(Fault::Format)
    }
}

/// Σ weightᵢ × digitᵢ over the shorter of the two.
fn weighted(d: &[u32], weights: &[i64]) -> i64 {
    d.iter().zip(weights).map(|(&d, &w)| i64::from(d) * w).sum()
}

fn check(ok: bool) -> Result<(), Fault> {
    if ok { Ok(()) } else { Err(Fault::Checksum) }
}

fn not_leading_zero(d: &[u32]) -> Result<(), Fault> {
    if d[0] == 0 {
        Err(Fault::Format)
    } else {
        Ok(())
    }
}

/// The value of ASCII digits (at most 18 of them).
fn value(s: &str) -> u64 {
    s.bytes().fold(0, |v, b| v * 10 + u64::from(b - b'0'))
}

/// `body` with a leading 0 if it has the `older` length of a number that
/// has since gained one digit.
fn older_padded(body: &str, older: usize) -> String {
    let zero = if body.len() == older { "0" } else { "" };
    format!("{zero}{body}")
}

fn valid_date(year: i32, month: u32, day: u32) -> bool {
    chrono::NaiveDate::from_ymd_opt(year, month, day).is_some()
}

/// ISO 7064 Mod 11,10 (`stdnum.iso7064.mod_11_10`).
fn mod_11_10_valid(d: &[u32]) -> bool {
    let last = d.iter().fold(5, |check, &n| {
        let check = if check == 0 { 10 } else { check };
        (check * 2 % 11 + n) % 10
    });
    last == 1
}

/// The Luhn digit that would follow `s` (`stdnum.luhn.calc_check_digit`).
fn luhn_digit(s: &str) -> u32 {
    (0..10)
        .find(|c| luhn_valid(&format!("{s}{c}")))
        .unwrap_or(0)
}

/// Austria (`at.uid`): U, 7 digits, then (6 − Luhn sum of the 7) mod 10.
pub(super) fn at(body: &str) -> Result<(), Fault> {
    let rest = body.strip_prefix('U').ok_or(Fault::Format)?;
    let d = digits_n(rest, 8)?;
    let sum = luhn_sum(&rest[..7]);
    check((16 - sum) % 10 == d[7])
}

/// The Luhn sum mod 10 of ASCII digits, the rightmost not doubled.
fn luhn_sum(s: &str) -> u32 {
    s.bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                d * 2 / 10 + d * 2 % 10
            } else {
                d
            }
        })
        .sum::<u32>()
        % 10
}

/// Belgium (`be.vat`): 10 digits starting with 0 or 1 (an older 9-digit
/// number is read with a leading 0); the first 8 plus the last 2 are a
/// multiple of 97.
pub(super) fn be(body: &str) -> Result<(), Fault> {
    let body = older_padded(body, 9);
    let d = digits_n(&body, 10)?;
    if value(&body) == 0 {
        return Err(Fault::Format);
    }
    if d[0] > 1 {
        return Err(Fault::Part("a first digit other than 0 or 1"));
    }
    check((value(&body[..8]) + value(&body[8..])).is_multiple_of(97))
}

/// Bulgaria (`bg.vat`, `bg.egn`, `bg.pnf`): 9 digits for a company, or 10
/// for a person (a citizen's EGN, a foreigner's PNF, or another number).
pub(super) fn bg(body: &str) -> Result<(), Fault> {
    let d = digits(body)?;
    match d.len() {
        9 => {
            let mut sum = weighted(&d, &[1, 2, 3, 4, 5, 6, 7, 8]) % 11;
            if sum == 10 {
                sum = weighted(&d, &[3, 4, 5, 6, 7, 8, 9, 10]) % 11;
            }
            check(sum % 10 == i64::from(d[8]))
        }
        10 => {
            let last = i64::from(d[9]);
            let egn =
                bg_egn_date(&d) && weighted(&d, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11 % 10 == last;
            let pnf = weighted(&d, &[21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10 == last;
            let other = (11 - weighted(&d, &[4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11) % 11 == last;
            check(egn || pnf || other)
        }
        _ => Err(Fault::Format),
    }
}

/// The birth date of an EGN: YYMMDD, the month +20 for the 1800s, +40 for
/// the 2000s.
fn bg_egn_date(d: &[u32]) -> bool {
    let (yy, mm, dd) = (d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]);
    let (year, month) = match mm {
        41.. => (2000 + yy, mm - 40),
        21.. => (1800 + yy, mm - 20),
        _ => (1900 + yy, mm),
    };
    valid_date(year as i32, month, dd)
}

/// Cyprus (`cy.vat`): 8 digits (not starting with 12) and a check letter.
pub(super) fn cy(body: &str) -> Result<(), Fault> {
    let (number, letter) = body.split_at(body.len().saturating_sub(1));
    let d = digits_n(number, 8)?;
    if number.starts_with("12") {
        return Err(Fault::Part(
            "12 as first digits, which Cyprus does not issue",
        ));
    }
    const EVEN: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &n)| if i % 2 == 0 { EVEN[n as usize] } else { n })
        .sum();
    check(letter.as_bytes() == [b'A' + (sum % 26) as u8])
}

/// Czechia (`cz.dic`, `cz.rc`): 8 digits for a company, 9 starting with 6
/// for a person without a birth number, else a person's birth number.
pub(super) fn cz(body: &str) -> Result<(), Fault> {
    let d = digits(body)?;
    match d.len() {
        8 if d[0] == 9 => Err(Fault::Part(
            "a 9 as first of 8 digits, which Czechia does not issue",
        )),
        8 => {
            let c = (11 - weighted(&d, &[8, 7, 6, 5, 4, 3, 2]) % 11) % 11;
            check((if c == 0 { 1 } else { c }) % 10 == i64::from(d[7]))
        }
        9 if d[0] == 6 => {
            let c = weighted(&d[1..], &[8, 7, 6, 5, 4, 3, 2]) % 11;
            check((18 - (10 - c) % 11) % 10 == i64::from(d[8]))
        }
        9 | 10 => birth_number(body, &d),
        _ => Err(Fault::Format),
    }
}

/// A Czech or Slovak birth number (`cz.rc`): YYMMDD (the month +20, +50 or
/// +70), then 3 digits, then for those born from 1954 a check digit.
fn birth_number(body: &str, d: &[u32]) -> Result<(), Fault> {
    let mut year = 1900 + (d[0] * 10 + d[1]) as i32;
    let month = (d[2] * 10 + d[3]) % 50 % 20;
    let day = d[4] * 10 + d[5];
    if d.len() == 9 {
        if year >= 1980 {
            year -= 100;
        }
        if year > 1953 {
            return Err(Fault::Part(
                "9 digits, which birth numbers have only before 1954",
            ));
        }
    } else if year < 1954 {
        year += 100;
    }
    if !valid_date(year, month, day) {
        return Err(Fault::Part("no valid date of birth in its first 6 digits"));
    }
    check(d.len() == 9 || value(&body[..9]) % 11 % 10 == u64::from(d[9]))
}

/// Germany (`de.vat`): 9 digits, not starting with 0, ISO 7064 Mod 11,10.
pub(super) fn de(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 9)?;
    not_leading_zero(&d)?;
    check(mod_11_10_valid(&d))
}

/// Denmark (`dk.cvr`): 8 digits, not starting with 0, weighted mod 11.
pub(super) fn dk(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 8)?;
    not_leading_zero(&d)?;
    check(weighted(&d, &[2, 7, 6, 5, 4, 3, 2, 1]) % 11 == 0)
}

/// Estonia (`ee.kmkr`): 9 digits, weighted mod 10.
pub(super) fn ee(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 9)?;
    check(weighted(&d, &[3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 == 0)
}

/// Greece (`gr.vat`): 9 digits (8 for older numbers, read with a leading
/// 0); the last is the others as binary-weighted sum, ×2 mod 11 mod 10.
pub(super) fn el(body: &str) -> Result<(), Fault> {
    let body = older_padded(body, 8);
    let d = digits_n(&body, 9)?;
    let sum = d[..8].iter().fold(0u64, |s, &n| s * 2 + u64::from(n));
    check(sum * 2 % 11 % 10 == u64::from(d[8]))
}

/// The DNI's check letter of a number (`es.dni`).
fn dni_letter(number: u64) -> u8 {
    b"TRWAGMYFPDXBNJZSQVHLCKE"[(number % 23) as usize]
}

/// Spain (`es.nif`, `es.dni`, `es.nie`, `es.cif`): 9 characters, digits
/// between the first and the last. A DNI is 8 digits and a letter; an NIE
/// X, Y or Z, 7 digits and a letter; K, L and M are DNIs of special cases;
/// a company's CIF is a letter, 7 digits and a digit or letter from Luhn.
pub(super) fn es(body: &str) -> Result<(), Fault> {
    let b = body.as_bytes();
    if body.len() != 9 || !is_digits(&body[1..8]) {
        return Err(Fault::Format);
    }
    let last = b[8];
    match b[0] {
        b'K' | b'L' | b'M' => check(last == dni_letter(value(&body[1..8]))),
        b'0'..=b'9' => check(last == dni_letter(value(&body[..8]))),
        b'X' | b'Y' | b'Z' => {
            let lead = u64::from(b[0] - b'X');
            check(last == dni_letter(lead * 10_000_000 + value(&body[1..8])))
        }
        b'A'..=b'H' | b'J' | b'N' | b'P' | b'Q' | b'R' | b'S' | b'U' | b'V' | b'W' => {
            let digit = luhn_digit(&body[1..8]);
            check(last == b'0' + digit as u8 || last == b"JABCDEFGHI"[digit as usize])
        }
        _ => Err(Fault::Format),
    }
}

/// Finland (`fi.alv`): 8 digits, weighted mod 11.
pub(super) fn fi(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 8)?;
    check(weighted(&d, &[7, 9, 10, 5, 8, 4, 2, 1]) % 11 == 0)
}

/// Croatia (`hr.oib`): 11 digits, ISO 7064 Mod 11,10.
pub(super) fn hr(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 11)?;
    check(mod_11_10_valid(&d))
}

/// Hungary (`hu.anum`): 8 digits, weighted mod 10.
pub(super) fn hu(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 8)?;
    check(weighted(&d, &[9, 7, 3, 1, 9, 7, 3, 1]) % 10 == 0)
}

/// Ireland (`ie.vat`): 7 digits, a check letter, and since 2013 a second
/// letter; or an older number: a digit, a letter, 5 digits, a check letter.
pub(super) fn ie(body: &str) -> Result<(), Fault> {
    const ALPHABET: &[u8] = b"WABCDEFGHIJKLMNOPQRSTUV";
    let b = body.as_bytes();
    let letters_ok = b.len() > 7 && b[7..].iter().all(|c| ALPHABET.contains(c));
    if !(8..=9).contains(&b.len())
        || !b[0].is_ascii_digit()
        || !is_digits(&body[2..7])
        || !letters_ok
    {
        return Err(Fault::Format);
    }
    let index = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as i64;
    // The letter for 7 digits and an optional second letter.
    let letter = |seven: &str, second: Option<u8>| {
        let d: Vec<u32> = seven.bytes().map(|c| u32::from(c - b'0')).collect();
        let sum = weighted(&d, &[8, 7, 6, 5, 4, 3, 2]) + 9 * second.map_or(0, index);
        ALPHABET[(sum % 23) as usize]
    };
    if is_digits(&body[..7]) {
        check(b[7] == letter(&body[..7], b.get(8).copied()))
    } else if b[1].is_ascii_uppercase() {
        check(b[7] == letter(&format!("0{}{}", &body[2..7], char::from(b[0])), None))
    } else {
        Err(Fault::Format)
    }
}

/// Italy (`it.iva`): 11 digits: a company number (not all zeros), a tax
/// office code, and a Luhn digit.
pub(super) fn it(body: &str) -> Result<(), Fault> {
    digits_n(body, 11)?;
    if value(&body[..7]) == 0 {
        return Err(Fault::Format);
    }
    let office = &body[7..10];
    if !(("001"..="100").contains(&office) || ["120", "121", "888", "999"].contains(&office)) {
        return Err(Fault::Part("no tax office code in digits 8 to 10"));
    }
    check(luhn_valid(body))
}

/// Lithuania (`lt.pvm`): 9 digits (companies) or 12 (temporary), the
/// second to last a 1, and a weighted check digit with a second try.
pub(super) fn lt(body: &str) -> Result<(), Fault> {
    let d = digits(body)?;
    if d.len() != 9 && d.len() != 12 {
        return Err(Fault::Format);
    }
    if d[d.len() - 2] != 1 {
        return Err(Fault::Part("a second to last digit other than 1"));
    }
    let rest = &d[..d.len() - 1];
    let sum = |shift: usize| -> u32 {
        rest.iter()
            .enumerate()
            .map(|(i, &n)| (1 + (i + shift) % 9) as u32 * n)
            .sum()
    };
    let mut c = sum(0) % 11;
    if c == 10 {
        c = sum(2);
    }
    check(c % 11 % 10 == d[d.len() - 1])
}

/// Luxembourg (`lu.tva`): 8 digits, the last two the first six mod 89.
pub(super) fn lu(body: &str) -> Result<(), Fault> {
    digits_n(body, 8)?;
    check(value(&body[..6]) % 89 == value(&body[6..]))
}

/// Latvia (`lv.pvn`): 11 digits: a company (first digit above 3, weighted
/// sum mod 11 is 3) or a person's code (starting 32, or a birth date
/// DDMMYY and a century digit) with its own check digit.
pub(super) fn lv(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 11)?;
    if d[0] > 3 {
        return check(weighted(&d, &[9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1]) % 11 == 3);
    }
    if !body.starts_with("32") {
        let year = 1800 + 100 * d[6] + d[4] * 10 + d[5];
        if !valid_date(year as i32, d[2] * 10 + d[3], d[0] * 10 + d[1]) {
            return Err(Fault::Part("no valid date of birth in its first 7 digits"));
        }
    }
    let c = 1 + weighted(&d, &[10, 5, 8, 4, 2, 1, 6, 3, 7, 9]);
    check(c % 11 % 10 == i64::from(d[10]))
}

/// Malta (`mt.vat`): 8 digits, not starting with 0, weighted mod 37.
pub(super) fn mt(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 8)?;
    not_leading_zero(&d)?;
    check(weighted(&d, &[3, 4, 6, 7, 8, 9, 10, 1]) % 37 == 0)
}

/// The Netherlands (`nl.btw`, `nl.bsn`): 9 digits (read with leading zeros
/// when shorter), B, 2 digits (not 00); the 9 digits pass the BSN's
/// "11-proef", or, since 2020, the whole number with NL passes ISO 7064
/// Mod 97,10 as an IBAN does.
pub(super) fn nl(body: &str) -> Result<(), Fault> {
    let split = body.len().saturating_sub(3);
    let (head, tail) = body.split_at(split);
    let number = format!("{head:0>9}{tail}");
    let (nine, b, branch) = (
        &number[..9.min(number.len())],
        number.get(9..10),
        number.get(10..),
    );
    let digits_ok = |s: &str| !s.is_empty() && is_digits(s) && value(s) > 0;
    if number.len() != 12 || !digits_ok(nine) || b != Some("B") || !branch.is_some_and(digits_ok) {
        return Err(Fault::Format);
    }
    let d: Vec<u32> = nine.bytes().map(|c| u32::from(c - b'0')).collect();
    let bsn = (weighted(&d, &[9, 8, 7, 6, 5, 4, 3, 2]) - i64::from(d[8])) % 11 == 0;
    check(bsn || mod97("NL".chars().chain(number.chars())) == 1)
}

/// Poland (`pl.nip`): 10 digits, weighted mod 11 (the last weighs −1).
pub(super) fn pl(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 10)?;
    check(weighted(&d, &[6, 5, 7, 2, 3, 4, 5, 6, 7, -1]).rem_euclid(11) == 0)
}

/// Portugal (`pt.nif`): 9 digits, not starting with 0, weighted mod 11.
pub(super) fn pt(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 9)?;
    not_leading_zero(&d)?;
    let sum = weighted(&d, &[9, 8, 7, 6, 5, 4, 3, 2]);
    check((11 - sum).rem_euclid(11) % 10 == i64::from(d[8]))
}

/// The Romanian counties' codes in a CNP (`ro.cnp`).
const RO_COUNTIES: [u32; 55] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 51, 52,
    70, 80, 81, 82, 83,
];

/// Romania (`ro.cf`, `ro.cui`, `ro.cnp`): a company's CUI (2 to 10 digits,
/// not starting with 0, weighted check digit) or a person's CNP (13
/// digits: sex and century, birth date, county, number, check digit).
pub(super) fn ro(body: &str) -> Result<(), Fault> {
    let d = digits(body)?;
    match d.len() {
        13 => {
            if d[0] == 0 {
                return Err(Fault::Format);
            }
            let century = match d[0] {
                3 | 4 => 1800,
                5 | 6 => 2000,
                _ => 1900,
            };
            let year = century + d[1] * 10 + d[2];
            if !valid_date(year as i32, d[3] * 10 + d[4], d[5] * 10 + d[6]) {
                return Err(Fault::Part("no valid date of birth in digits 2 to 7"));
            }
            if !RO_COUNTIES.contains(&(d[7] * 10 + d[8])) {
                return Err(Fault::Part("no Romanian county code in digits 8 and 9"));
            }
            let c = weighted(&d, &[2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
            check((if c == 10 { 1 } else { c }) == i64::from(d[12]))
        }
        2..=10 => {
            not_leading_zero(&d)?;
            let padded = format!("{:0>9}", &body[..body.len() - 1]);
            let p: Vec<u32> = padded.bytes().map(|c| u32::from(c - b'0')).collect();
            let c = 10 * weighted(&p, &[7, 5, 3, 2, 1, 7, 5, 3, 2]) % 11 % 10;
            check(c == i64::from(d[d.len() - 1]))
        }
        _ => Err(Fault::Format),
    }
}

/// Sweden (`se.vat`, `se.orgnr`): a 10-digit organisation number with a
/// Luhn digit, then 01.
pub(super) fn se(body: &str) -> Result<(), Fault> {
    digits_n(body, 12)?;
    if !body.ends_with("01") {
        return Err(Fault::Format);
    }
    check(luhn_valid(&body[..10]))
}

/// Slovenia (`si.ddv`): 8 digits, not starting with 0, weighted mod 11.
pub(super) fn si(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 8)?;
    not_leading_zero(&d)?;
    let c = 11 - weighted(&d, &[8, 7, 6, 5, 4, 3, 2]) % 11;
    check((if c == 10 { 0 } else { c }) == i64::from(d[7]))
}

/// Slovakia (`sk.dph`, `sk.rc`): 10 digits: a person's birth number, or a
/// multiple of 11 not starting with 0 whose third digit is 2, 3, 4, 7, 8
/// or 9.
pub(super) fn sk(body: &str) -> Result<(), Fault> {
    let d = digits_n(body, 10)?;
    if birth_number(body, &d).is_ok() {
        return Ok(());
    }
    if d[0] == 0 || ![2, 3, 4, 7, 8, 9].contains(&d[2]) {
        return Err(Fault::Format);
    }
    check(value(body).is_multiple_of(11))
}

/// The United Kingdom and Northern Ireland (`gb.vat`): 9 digits with a
/// weighted check (mod 97 gives 0, or 42 or 55 for numbers from 100),
/// possibly followed by a 3-digit branch; or a government department (GD)
/// or health authority (HA) with 3 digits, or 8888, the 3 digits and
/// their mod 97.
pub(super) fn gb(body: &str) -> Result<(), Fault> {
    let department = |kind: &str, n: u64| {
        if (kind == "GD" && n < 500) || (kind == "HA" && n >= 500) {
            Ok(())
        } else {
            Err(Fault::Part(
                "a number outside its range (GD below 500, HA from 500)",
            ))
        }
    };
    match body.len() {
        5 => {
            digits(&body[2..])?;
            department(&body[..2], value(&body[2..]))
        }
        11 if ["GD8888", "HA8888"].contains(&&body[..6]) => {
            digits(&body[6..])?;
            department(&body[..2], value(&body[6..9]))?;
            check(value(&body[6..9]) % 97 == value(&body[9..]))
        }
        9 | 12 => {
            let d = digits(body)?;
            let sum = weighted(&d, &[8, 7, 6, 5, 4, 3, 2, 10, 1]) % 97;
            let ok = if value(&body[..3]) >= 100 {
                [0, 42, 55].contains(&sum)
            } else {
                sum == 0
            };
            check(ok)
        }
        _ => Err(Fault::Format),
    }
}
