//! Validated identifiers a French invoice needs: bank account (IBAN, BIC),
//! company (SIREN, SIRET), VAT number, phone number and email address.
//!
//! Each one is a newtype that can only hold a valid, *normalized* value, so
//! the rest of the domain never re-checks it. Parsing is forgiving about form
//! (whitespace of any kind, including the no-break spaces of French typography
//! and PDFs, dashes, lowercase, and the separators each kind of number is
//! written with, such as the dots of `329.338.883 00153`) and strict about
//! content: a wrong checksum or length is an error, never silently "fixed".
//! Each error is its own variant carrying what the freelancer needs to see
//! what is wrong and what to do; the English messages are translated at the
//! UI edge.
//!
//! - IBAN (ISO 13616): country code, the country's BBAN structure from
//!   SWIFT's IBAN registry, mod-97 checksum (computed with a streaming
//!   remainder, no big integers), national check digits where python-stdnum
//!   checks them.
//! - BIC (ISO 9362): 8 or 11 characters, letters where letters are due, an
//!   ISO 3166 country.
//! - SIREN / SIRET (INSEE): 9 / 14 digits with the Luhn checksum; La Poste's
//!   establishments (SIREN 356 000 000) but its head office have a digit sum
//!   divisible by 5 instead.
//! - VAT number: every EU member state's structure and check digits, and the
//!   UK's.
//! - Phone: E.164 (`+` and 8 to 15 digits), what `wa.me` links need.
//! - Email: a pragmatic check that catches typos, not all of RFC 5322.
//!
//! python-stdnum is the reference for IBAN, BIC, SIREN, SIRET and VAT
//! numbers: `crates/core/tests/stdnum.rs` checks these types agree with it on
//! its own test numbers.
//!
//! All types serialize as their normalized string and re-validate on
//! deserialization. IBANs, BICs and VAT numbers read back accept what the
//! rules before python-stdnum's were accepted too (see each `from_stored`):
//! a value stored by an earlier version must stay readable, and render as it
//! did, even where the stricter rules now refuse it when typed.

/// The shared string-newtype plumbing: `as_str`, `Display`, `FromStr`, the
/// `String` conversions serde goes through, and the error's [`TextError`].
macro_rules! string_id {
    ($ty:ident, $err:ty) => {
        impl $ty {
            /// The normalized, compact value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, $err> {
                Self::parse(&s)
            }
        }
        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }
        impl $crate::ids::TextError for $err {
            fn empty() -> Self {
                Self::Empty
            }
            fn invalid_character(character: char) -> Self {
                Self::InvalidCharacter { character }
            }
        }
    };
}

/// Serde's `Deserialize` through the type's `from_stored`: for the types
/// whose rules got stricter, a value an earlier version stored stays readable.
macro_rules! deserialize_stored {
    ($ty:ident) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_stored(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Checks a table of `input => Ok(normalized) | Err(error)` rows.
#[cfg(test)]
macro_rules! table {
    ($parse:expr, { $($input:expr => $expected:expr),* $(,)? }) => {
        $(
            let got = $parse($input).map(|v| v.to_string());
            let expected: Result<&str, _> = $expected;
            assert_eq!(got, expected.map(String::from), "input {:?}", $input);
        )*
    };
}

mod iban;
mod vat;
mod vat_rules;

pub use iban::{Iban, IbanError};
pub use vat::{VatNumber, VatNumberError};

/// The dashes text may carry instead of `-`: hyphen, non-breaking hyphen,
/// figure dash, en and em dashes, horizontal bar, minus sign.
const DASHES: [char; 8] = [
    '-', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}',
];

/// Drops whitespace (any kind), dashes and `extra`, and uppercases ASCII only,
/// so that a stray non-ASCII character is reported rather than transliterated.
fn compact(input: &str, extra: &[char]) -> String {
    let kept = input
        .chars()
        .filter(|&c| !(c.is_whitespace() || DASHES.contains(&c) || extra.contains(&c)));
    kept.map(|c| c.to_ascii_uppercase()).collect()
}

/// Whether `s` is a normalized value as stored: uppercase letters and digits.
fn is_normalized(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The two errors every identifier can have before looking at its content.
trait TextError {
    fn empty() -> Self;
    fn invalid_character(character: char) -> Self;
}

/// [`compact`]s `input` and checks it is non-empty and only made of `ok`
/// characters.
fn prepare<E: TextError>(input: &str, extra: &[char], ok: fn(&char) -> bool) -> Result<String, E> {
    let s = compact(input, extra);
    match s.chars().find(|c| !ok(c)) {
        _ if s.is_empty() => Err(E::empty()),
        Some(character) => Err(E::invalid_character(character)),
        None => Ok(s),
    }
}

fn first_not(s: &str, ok: impl Fn(char) -> bool) -> Option<char> {
    s.chars().find(|&c| !ok(c))
}

fn is_letters(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// The first `n` characters of ASCII `s` (all of it if shorter).
fn head(s: &str, n: usize) -> String {
    s[..s.len().min(n)].to_owned()
}

/// ASCII `s` in groups of `size` separated by spaces.
fn grouped(s: &str, size: usize) -> String {
    let groups: Vec<&str> = (0..s.len())
        .step_by(size)
        .map(|i| &s[i..s.len().min(i + size)])
        .collect();
    groups.join(" ")
}

/// Luhn over ASCII digits: from the right, every second digit is doubled
/// (digits of the product summed); the total must be a multiple of 10.
fn luhn_valid(digits: &str) -> bool {
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    let value = |(i, b): (usize, u8)| {
        let d = usize::from(b - b'0');
        if i % 2 == 1 { DOUBLED[d] } else { d as u32 }
    };
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(value)
        .sum::<u32>()
        .is_multiple_of(10)
}

/// The remainder modulo 97 of the number spelled by `chars` (digits, and
/// letters as 10..=35), one character at a time so it never overflows.
fn mod97(chars: impl Iterator<Item = char>) -> u32 {
    chars.fold(0, |r, c| match c.to_digit(36) {
        Some(v) if v < 10 => (r * 10 + v) % 97,
        Some(v) => (r * 100 + v) % 97,
        None => r,
    })
}

// --- BIC --------------------------------------------------------------------

/// A Business Identifier Code (SWIFT code), 8 or 11 uppercase characters:
/// bank (4 letters), country (2 letters, an ISO 3166 code), location (2),
/// optional branch (3). Kept as typed: `BNPAFRPP` and `BNPAFRPPXXX` name the
/// same office but are distinct values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct Bic(String);

/// Why a text is not a valid BIC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BicError {
    #[error("The BIC is empty: copy it from the bank details (RIB)")]
    Empty,
    #[error("The BIC contains '{character}': a BIC has only letters and digits")]
    InvalidCharacter { character: char },
    #[error("A BIC has 8 or 11 characters (like BNPAFRPP or BNPAFRPPXXX), not {actual}")]
    WrongLength { actual: usize },
    #[error("A BIC starts with four letters identifying the bank, not '{bank_code}'")]
    InvalidBankCode { bank_code: String },
    #[error("Characters 5-6 of a BIC are the country's letters (FR for France), not '{country}'")]
    InvalidCountryCode { country: String },
    #[error("Characters 5-6 of a BIC are a country's code, and '{country}' is none: copy it again")]
    UnknownCountry { country: String },
}

/// Whether `code` is a country a BIC may name: ISO 3166-1 alpha-2 (the
/// table of [`crate::Country`]), and XK (Kosovo), which SWIFT uses, as
/// python-stdnum lists them (stdnum/bic.py).
fn is_country_code(code: &str) -> bool {
    code == "XK" || (code.len() == 2 && crate::Country::parse(code).is_ok())
}

impl Bic {
    /// Parses a BIC, ignoring whitespace, dashes and case.
    pub fn parse(input: &str) -> Result<Self, BicError> {
        let s = prepare::<BicError>(input, &[], char::is_ascii_alphanumeric)?;
        if s.len() != 8 && s.len() != 11 {
            return Err(BicError::WrongLength { actual: s.len() });
        }
        let (bank_code, country) = (s[..4].to_owned(), s[4..6].to_owned());
        if !is_letters(&bank_code) {
            return Err(BicError::InvalidBankCode { bank_code });
        }
        if !is_letters(&country) {
            return Err(BicError::InvalidCountryCode { country });
        }
        if !is_country_code(&country) {
            return Err(BicError::UnknownCountry { country });
        }
        Ok(Self(s))
    }

    /// A BIC read back from storage: as [`Bic::parse`], but one whose only
    /// fault is a country code outside ISO 3166, which earlier versions did
    /// not check, is kept as stored.
    fn from_stored(s: String) -> Result<Self, BicError> {
        match Self::parse(&s) {
            Err(BicError::UnknownCountry { .. }) if is_normalized(&s) => Ok(Self(s)),
            result => result,
        }
    }

    /// The four-letter bank code (`BNPA`).
    pub fn bank_code(&self) -> &str {
        &self.0[..4]
    }

    /// The ISO 3166 country code (`FR`).
    pub fn country(&self) -> &str {
        &self.0[4..6]
    }
}
string_id!(Bic, BicError);
deserialize_stored!(Bic);

// --- SIREN and SIRET --------------------------------------------------------

/// A SIREN, the 9-digit number INSEE gives every French business
/// (`732829320`); mandatory on French invoices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

/// Why a text is not a valid SIREN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SirenError {
    #[error("The SIREN is empty: it is the 9-digit number of a French business")]
    Empty,
    #[error("The SIREN contains '{character}': a SIREN has only digits")]
    InvalidCharacter { character: char },
    #[error("This is a SIRET (14 digits); the SIREN is its first 9 digits: {siren}")]
    LooksLikeSiret { siren: String },
    #[error("A SIREN has 9 digits, not {actual}")]
    WrongLength { actual: usize },
    #[error("The SIREN {formatted} fails its checksum: check for a mistyped digit")]
    ChecksumMismatch { formatted: String },
}

impl Siren {
    /// Parses a SIREN, ignoring whitespace, dashes and dots.
    pub fn parse(input: &str) -> Result<Self, SirenError> {
        let s = prepare::<SirenError>(input, &['.'], char::is_ascii_digit)?;
        match s.len() {
            9 => {}
            14 => {
                return Err(SirenError::LooksLikeSiret {
                    siren: grouped(&s[..9], 3),
                });
            }
            actual => return Err(SirenError::WrongLength { actual }),
        }
        if !luhn_valid(&s) {
            let formatted = grouped(&s, 3);
            return Err(SirenError::ChecksumMismatch { formatted });
        }
        Ok(Self(s))
    }

    /// Three groups of three: `732 829 320`.
    pub fn formatted(&self) -> String {
        grouped(&self.0, 3)
    }
}
string_id!(Siren, SirenError);

/// La Poste's SIREN: its establishments outnumber what the NIC's Luhn digit
/// allows, so their SIRETs have a digit sum divisible by 5 instead, all but
/// its head office's ([`LA_POSTE_HEAD_OFFICE`]), which has the Luhn digit.
const LA_POSTE_SIREN: &str = "356000000";

const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// A SIRET, the 14-digit number of one establishment: the SIREN followed by
/// a 5-digit NIC (`73282932000074`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

/// Why a text is not a valid SIRET.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiretError {
    #[error("The SIRET is empty: it is the 14-digit number of a French establishment")]
    Empty,
    #[error("The SIRET contains '{character}': a SIRET has only digits")]
    InvalidCharacter { character: char },
    #[error(
        "This is a SIREN (9 digits); a SIRET adds the 5-digit establishment number (NIC): type all 14 digits, or give the 9 as the SIREN"
    )]
    LooksLikeSiren,
    #[error("A SIRET has 14 digits, not {actual}")]
    WrongLength { actual: usize },
    #[error("The SIREN part {siren} of this SIRET fails its checksum: check its first 9 digits")]
    InvalidSiren { siren: String },
    #[error("The SIRET {formatted} fails its checksum: check for a mistyped digit")]
    ChecksumMismatch { formatted: String },
}

impl Siret {
    /// Parses a SIRET, ignoring whitespace, dashes and dots
    /// (`329.338.883 00153`).
    pub fn parse(input: &str) -> Result<Self, SiretError> {
        let s = prepare::<SiretError>(input, &['.'], char::is_ascii_digit)?;
        match s.len() {
            14 => {}
            9 => return Err(SiretError::LooksLikeSiren),
            actual => return Err(SiretError::WrongLength { actual }),
        }
        let siren = grouped(&s[..9], 3);
        if !luhn_valid(&s[..9]) {
            return Err(SiretError::InvalidSiren { siren });
        }
        let valid = if &s[..9] == LA_POSTE_SIREN && s != LA_POSTE_HEAD_OFFICE {
            let digit_sum: u32 = s.bytes().map(|b| u32::from(b - b'0')).sum();
            digit_sum.is_multiple_of(5)
        } else {
            luhn_valid(&s)
        };
        if !valid {
            let formatted = format!("{siren} {}", &s[9..]);
            return Err(SiretError::ChecksumMismatch { formatted });
        }
        Ok(Self(s))
    }

    /// The company's SIREN (first 9 digits).
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }

    /// The establishment number (NIC, last 5 digits).
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }

    /// `732 829 320 00074`.
    pub fn formatted(&self) -> String {
        format!("{} {}", grouped(&self.0[..9], 3), self.nic())
    }
}
string_id!(Siret, SiretError);

// --- Phone ------------------------------------------------------------------

/// A phone number in E.164 form, `+` then 8 to 15 digits (`+33612345678`),
/// as WhatsApp links (`https://wa.me/33612345678`) and SMS gateways need it.
/// French numbers (`+33`) must have exactly 9 digits after the code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

/// Why a text is not a valid international phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("The phone number is empty")]
    Empty,
    #[error("The phone number contains '{character}': use digits, and + before the country code")]
    InvalidCharacter { character: char },
    #[error("This number has no country code: write it like +33 6 12 34 56 78")]
    MissingCountryCode,
    #[error("A country code never starts with 0: write +33 6 12 34 56 78, not +06 12 34 56 78")]
    CountryCodeStartsWithZero,
    #[error("An international number has 8 to 15 digits after the +, not {digits}")]
    WrongLength { digits: usize },
    #[error("Drop the 0 after +33: write +33 6 12 34 56 78, not +33 06 12 34 56 78")]
    FrenchTrunkZero,
    #[error("A French number has 9 digits after +33 (10 with the leading 0), not {digits}")]
    FrenchWrongLength { digits: usize },
    #[error("No automatic country code for '{country}': type the number with + and its code")]
    UnsupportedDefaultCountry { country: String },
}

/// Calling codes of the countries whose national numbers start with a trunk
/// `0` that is dropped after the country code (unlike Italy, Spain, Monaco).
fn trunk_zero_calling_code(country: &str) -> Option<&'static str> {
    Some(match country {
        "FR" => "33",
        "BE" => "32",
        "CH" => "41",
        "DE" => "49",
        "AT" => "43",
        "NL" => "31",
        "GB" => "44",
        "IE" => "353",
        "GP" | "BL" | "MF" => "590",
        "GF" => "594",
        "MQ" => "596",
        "RE" | "YT" => "262",
        _ => return None,
    })
}

impl PhoneE164 {
    /// Parses an international number: `+33 6 12 34 56 78`, `0033612345678`,
    /// `+33 (0)6 12 34 56 78`; whitespace, dashes, dots, slashes and
    /// parentheses are ignored. A national number (`06…`) is refused: see
    /// [`PhoneE164::parse_with_default_country`].
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        match Self::clean(input)? {
            (true, digits) => Self::from_international(digits),
            (false, _) => Err(PhoneError::MissingCountryCode),
        }
    }

    /// Like [`PhoneE164::parse`], but a national number starting with `0`
    /// (`06 12 34 56 78`) is taken as from `default_country` (ISO 3166, such
    /// as `FR`): the `0` becomes its calling code (`+33612345678`).
    pub fn parse_with_default_country(
        input: &str,
        default_country: &str,
    ) -> Result<Self, PhoneError> {
        let (international, digits) = Self::clean(input)?;
        if international {
            return Self::from_international(digits);
        }
        let country = default_country.trim().to_ascii_uppercase();
        let Some(code) = trunk_zero_calling_code(&country) else {
            return Err(PhoneError::UnsupportedDefaultCountry { country });
        };
        match digits.strip_prefix('0') {
            Some(national) => Self::from_international(format!("{code}{national}")),
            None => Err(PhoneError::MissingCountryCode),
        }
    }

    /// Drops separators; returns whether the number is international (`+` or
    /// `00`) and its digits after that prefix.
    fn clean(input: &str) -> Result<(bool, String), PhoneError> {
        let s = compact(&input.replace("(0)", ""), &['.', '/', '(', ')']);
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (international, digits) = match (s.strip_prefix('+'), s.strip_prefix("00")) {
            (Some(rest), _) | (None, Some(rest)) => (true, rest),
            (None, None) => (false, s.as_str()),
        };
        if let Some(character) = first_not(digits, |c| c.is_ascii_digit()) {
            return Err(PhoneError::InvalidCharacter { character });
        }
        Ok((international, digits.to_owned()))
    }

    fn from_international(digits: String) -> Result<Self, PhoneError> {
        if digits.starts_with('0') {
            return Err(PhoneError::CountryCodeStartsWithZero);
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(PhoneError::WrongLength {
                digits: digits.len(),
            });
        }
        if let Some(national) = digits.strip_prefix("33") {
            if national.starts_with('0') {
                return Err(PhoneError::FrenchTrunkZero);
            }
            if national.len() != 9 {
                return Err(PhoneError::FrenchWrongLength {
                    digits: national.len(),
                });
            }
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The digits without `+`, for `https://wa.me/<digits>`.
    pub fn wa_me_digits(&self) -> &str {
        &self.0[1..]
    }
}
string_id!(PhoneE164, PhoneError);

// --- Email ------------------------------------------------------------------

/// An email address, trimmed, with its domain lowercased (the local part is
/// kept as typed: it may be case-sensitive). The check is pragmatic: it
/// catches typos (spaces, commas, missing dot), not every RFC 5322 corner.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a text is not a usable email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("The email address is empty")]
    Empty,
    #[error("An email address cannot contain spaces")]
    ContainsWhitespace,
    #[error(
        "An email address cannot contain '{character}'{}",
        if *.character == ',' { ": a comma instead of a dot?" } else { ": copy the address again, as the client wrote it" }
    )]
    InvalidCharacter { character: char },
    #[error("An email address needs an @, as in name@example.fr")]
    MissingAt,
    #[error("An email address has exactly one @, this one has {count}")]
    MultipleAt { count: usize },
    #[error("Nothing comes before the @: an email address looks like name@example.fr")]
    EmptyLocalPart,
    #[error("The part before the @ has {length} characters; the limit is 64")]
    LocalPartTooLong { length: usize },
    #[error("An email address cannot contain two dots in a row")]
    ConsecutiveDots,
    #[error("A dot cannot start or end the part before or after the @")]
    DotAtEdge,
    #[error(
        "'{domain}' is not an email domain: words of letters, digits and hyphens joined by dots, as in example.fr"
    )]
    InvalidDomain { domain: String },
}

impl Email {
    /// Parses an email address, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(EmailError::ContainsWhitespace);
        }
        if let Some(character) = first_not(s, |c| !c.is_control() && !"(),:;<>[\\]\"".contains(c)) {
            return Err(EmailError::InvalidCharacter { character });
        }
        let (local, domain) = match s.matches('@').count() {
            0 => return Err(EmailError::MissingAt),
            1 => s.split_once('@').unwrap_or_default(),
            count => return Err(EmailError::MultipleAt { count }),
        };
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        let length = local.chars().count();
        if length > 64 {
            return Err(EmailError::LocalPartTooLong { length });
        }
        if s.contains("..") {
            return Err(EmailError::ConsecutiveDots);
        }
        let dot_at_edge = |p: &str| p.starts_with('.') || p.ends_with('.');
        if dot_at_edge(local) || dot_at_edge(domain) {
            return Err(EmailError::DotAtEdge);
        }
        let domain = domain.to_lowercase();
        let label_ok = |l: &str| {
            let inner = l.chars().all(|c| c.is_alphanumeric() || c == '-');
            inner && !l.starts_with('-') && !l.ends_with('-')
        };
        if !domain.contains('.') || domain.len() > 253 || !domain.split('.').all(label_ok) {
            return Err(EmailError::InvalidDomain { domain });
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The part before the `@`, as typed.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    /// The lowercased domain after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}
string_id!(Email, EmailError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bic_table() {
        use BicError::*;
        table!(Bic::parse, {
            "BNPAFRPP"      => Ok("BNPAFRPP"),
            "bnpa frpp xxx" => Ok("BNPAFRPPXXX"),
            "DEUTDEFF500"   => Ok("DEUTDEFF500"),
            ""              => Err(Empty),
            "BNPA_FRPP"     => Err(InvalidCharacter { character: '_' }),
            "BNPAFRP"       => Err(WrongLength { actual: 7 }),
            "BNPAFRPPXX"    => Err(WrongLength { actual: 10 }),
            "BNP1FRPP"      => Err(InvalidBankCode { bank_code: "BNP1".into() }),
            "BNPA12PP"      => Err(InvalidCountryCode { country: "12".into() }),
            "MULTIPLE"      => Err(UnknownCountry { country: "IP".into() }),
        });
        let bic = Bic::parse("BNPAFRPPXXX").unwrap();
        assert_eq!((bic.bank_code(), bic.country()), ("BNPA", "FR"));
        // Read back: a country outside ISO 3166 was accepted before.
        let stored = stored::<Bic>;
        assert_eq!(stored("MULTIPLE").as_deref(), Ok("MULTIPLE"));
        assert_eq!(stored("bnpa frpp").as_deref(), Ok("BNPAFRPP"));
        assert!(stored("BNP1FRPP").is_err());
    }

    #[test]
    fn siren_table() {
        use SirenError::*;
        table!(Siren::parse, {
            "732829320"      => Ok("732829320"),
            "732 829 320"    => Ok("732829320"),
            "552-100-554"    => Ok("552100554"),
            "552.100.554"    => Ok("552100554"),
            ""               => Err(Empty),
            "73282932O"      => Err(InvalidCharacter { character: 'O' }),
            "73282932"       => Err(WrongLength { actual: 8 }),
            "73282932000074" => Err(LooksLikeSiret { siren: "732 829 320".into() }),
            "123456789"      => Err(ChecksumMismatch { formatted: "123 456 789".into() }),
        });
        assert_eq!(
            Siren::parse("732829320").unwrap().formatted(),
            "732 829 320"
        );
    }

    #[test]
    fn siret_table() {
        use SiretError::*;
        table!(Siret::parse, {
            "73282932000074"    => Ok("73282932000074"),
            "732 829 320 00074" => Ok("73282932000074"),
            // La Poste: digit sum 45 but not Luhn-valid; its head office is.
            "356 000 000 49837" => Ok("35600000049837"),
            "35600000000048"    => Ok("35600000000048"),
            ""                  => Err(Empty),
            "7328293200007a"    => Err(InvalidCharacter { character: 'A' }),
            "732829320"         => Err(LooksLikeSiren),
            "7328293200007"     => Err(WrongLength { actual: 13 }),
            "12345678900007"    => Err(InvalidSiren { siren: "123 456 789".into() }),
            "73282932000075"    => Err(ChecksumMismatch { formatted: "732 829 320 00075".into() }),
            "35600000049838"    => Err(ChecksumMismatch { formatted: "356 000 000 49838".into() }),
            // Luhn-valid, but La Poste's establishments have the digit sum rule.
            "35600000049847"    => Err(ChecksumMismatch { formatted: "356 000 000 49847".into() }),
            "329.338.883 00153" => Ok("32933888300153"),
        });
        let siret = Siret::parse("73282932000074").unwrap();
        assert_eq!(siret.siren(), Siren::parse("732829320").unwrap());
        assert_eq!(
            (siret.nic(), siret.formatted().as_str()),
            ("00074", "732 829 320 00074")
        );
    }

    #[test]
    fn phone_table() {
        use PhoneError::*;
        table!(PhoneE164::parse, {
            "+33 6 12 34 56 78"    => Ok("+33612345678"),
            "+33612345678"         => Ok("+33612345678"),
            "0033612345678"        => Ok("+33612345678"),
            "+33 (0)6 12 34 56 78" => Ok("+33612345678"),
            "+32 470 12 34 56"     => Ok("+32470123456"),
            "+1 (415) 555-2671"    => Ok("+14155552671"),
            "+44 7911 123456"      => Ok("+447911123456"),
            ""                     => Err(Empty),
            "+33 6 12 34 56 7a"    => Err(InvalidCharacter { character: 'A' }),
            "+33+612345678"        => Err(InvalidCharacter { character: '+' }),
            "06 12 34 56 78"       => Err(MissingCountryCode),
            "+0612345678"          => Err(CountryCodeStartsWithZero),
            "+1234567"             => Err(WrongLength { digits: 7 }),
            "+1234567890123456"    => Err(WrongLength { digits: 16 }),
            "+33 06 12 34 56 78"   => Err(FrenchTrunkZero),
            "+33 6 12 34 56"       => Err(FrenchWrongLength { digits: 7 }),
        });
        let fr = |input: &str| PhoneE164::parse_with_default_country(input, "fr");
        table!(fr, {
            "06 12 34 56 78"   => Ok("+33612345678"),
            "06.12.34.56.78"   => Ok("+33612345678"),
            "+32 470 12 34 56" => Ok("+32470123456"),
            "612345678"        => Err(MissingCountryCode),
            "06 12 34 56"      => Err(FrenchWrongLength { digits: 7 }),
        });
        let re = PhoneE164::parse_with_default_country("0692 12 34 56", "RE");
        assert_eq!(re.map(String::from).as_deref(), Ok("+262692123456"));
        let us = PhoneE164::parse_with_default_country("0612345678", "US");
        assert_eq!(
            us,
            Err(UnsupportedDefaultCountry {
                country: "US".into()
            })
        );
        assert_eq!(
            PhoneE164::parse("+33612345678").unwrap().wa_me_digits(),
            "33612345678"
        );
    }

    #[test]
    fn email_table() {
        use EmailError::*;
        let long = format!("{}@example.fr", "a".repeat(65));
        table!(Email::parse, {
            "  Jean.Dupont@Example.FR "  => Ok("Jean.Dupont@example.fr"),
            "a+facture@sub.domaine.com"  => Ok("a+facture@sub.domaine.com"),
            "élise@exemple.fr"           => Ok("élise@exemple.fr"),
            ""                           => Err(Empty),
            "jean dupont@example.fr"     => Err(ContainsWhitespace),
            "jean@example,fr"            => Err(InvalidCharacter { character: ',' }),
            "jean.example.fr"            => Err(MissingAt),
            "a@b@c.fr"                   => Err(MultipleAt { count: 2 }),
            "@example.fr"                => Err(EmptyLocalPart),
            &long                        => Err(LocalPartTooLong { length: 65 }),
            "jean..dupont@x.fr"          => Err(ConsecutiveDots),
            ".jean@x.fr"                 => Err(DotAtEdge),
            "jean@x.fr."                 => Err(DotAtEdge),
            "jean@localhost"             => Err(InvalidDomain { domain: "localhost".into() }),
            "jean@exa_mple.fr"           => Err(InvalidDomain { domain: "exa_mple.fr".into() }),
            "jean@-Example.fr"           => Err(InvalidDomain { domain: "-example.fr".into() }),
        });
        let email = Email::parse("Jean@Example.FR").unwrap();
        assert_eq!((email.local_part(), email.domain()), ("Jean", "example.fr"));
    }

    /// `s` read back as serde reads a stored `T`, as its normalized value.
    pub(super) fn stored<T>(s: &str) -> Result<String, serde::de::value::Error>
    where
        T: serde::de::DeserializeOwned + Into<String>,
    {
        let de = serde::de::value::StringDeserializer::new(s.to_owned());
        T::deserialize(de).map(Into::into)
    }

    /// `s` with the digit at byte `i` replaced by a different digit.
    pub(super) fn bump_digit(s: &str, i: usize, delta: u8) -> String {
        let mut bytes = s.as_bytes().to_vec();
        bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
        String::from_utf8(bytes).unwrap()
    }

    proptest! {
        /// Luhn catches every single-digit substitution.
        #[test]
        fn siren_single_digit_change_fails_luhn(
            body in prop::collection::vec(0u8..10, 8), at in 0usize..9, delta in 1u8..10,
        ) {
            let body: String = body.iter().map(|d| char::from(b'0' + d)).collect();
            let siren = (0..10).map(|c| format!("{body}{c}")).find(|s| luhn_valid(s)).unwrap();
            prop_assert!(Siren::parse(&siren).is_ok());
            let changed = bump_digit(&siren, at, delta);
            let result = Siren::parse(&changed);
            prop_assert!(matches!(result, Err(SirenError::ChecksumMismatch { .. })), "{}", changed);
        }
    }
}
