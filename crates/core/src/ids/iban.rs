//! IBAN (ISO 13616): the country's structure from SWIFT's IBAN registry
//! (`iban_registry.txt`), the mod-97 check digits, and the national check
//! digits inside the account number where python-stdnum checks them
//! (Belgium, Spain, Montenegro, Norway).

use super::{grouped, head, is_digits, is_letters, is_normalized, luhn_valid, mod97, prepare};

/// An International Bank Account Number, uppercase without spaces
/// (`FR7630006000011234567890189`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct Iban(String);

/// Why a text is not a valid IBAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("The IBAN is empty: copy it from the bank details (RIB)")]
    Empty,
    #[error("The IBAN contains '{character}': an IBAN has only letters and digits")]
    InvalidCharacter { character: char },
    #[error("An IBAN starts with a two-letter country code (such as FR), not '{prefix}'")]
    MissingCountryCode { prefix: String },
    #[error("'{country}' is not a country that issues IBANs: check the first two letters")]
    UnknownCountry { country: String },
    #[error("An IBAN from {country} has {expected} characters, not {actual}: copy it again")]
    WrongLength {
        country: String,
        expected: usize,
        actual: usize,
    },
    #[error("The two characters after the country code are check digits, not '{check_digits}'")]
    InvalidCheckDigits { check_digits: String },
    #[error("The IBAN {formatted} fails its checksum: check for a mistyped digit")]
    ChecksumMismatch { formatted: String },
    #[error(
        "In an IBAN from {country}, character {position} is {expected}, not '{found}': \
         check for a letter typed as a digit (O for 0, I for 1) or the reverse"
    )]
    InvalidBban {
        country: String,
        /// 1-based, counting the country code.
        position: usize,
        /// "a digit", "a letter" or "a letter or digit".
        expected: String,
        found: char,
    },
    #[error(
        "The account number in the IBAN {formatted} fails its national check digits: \
         copy it again from the bank details (RIB)"
    )]
    NationalChecksumMismatch { formatted: String },
}

/// The lines of the registry: country code and BBAN structure.
fn registry() -> impl Iterator<Item = (&'static str, &'static str)> {
    include_str!("iban_registry.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(' '))
}

/// The BBAN of `country` as one character class per position (`n` digit,
/// `a` letter, `c` either), expanded from the registry's `4!a2!n` notation.
fn bban_classes(country: &str) -> Option<Vec<u8>> {
    let (_, structure) = registry().find(|&(code, _)| code == country)?;
    let mut classes = Vec::new();
    for part in structure.split_inclusive(['n', 'a', 'c']) {
        let (count, class) = part.split_at(part.len() - 1);
        let count: usize = count.trim_end_matches('!').parse().ok()?;
        classes.extend(std::iter::repeat_n(class.as_bytes()[0], count));
    }
    Some(classes)
}

/// The class a character must have, as the error names it.
fn class_name(class: u8) -> &'static str {
    match class {
        b'n' => "a digit",
        b'a' => "a letter",
        _ => "a letter or digit",
    }
}

fn in_class(class: u8, b: u8) -> bool {
    match class {
        b'n' => b.is_ascii_digit(),
        b'a' => b.is_ascii_uppercase(),
        _ => b.is_ascii_alphanumeric(),
    }
}

/// The national check digits in a BBAN whose structure is already checked,
/// as python-stdnum verifies them (`stdnum.<cc>.iban`).
fn national_check(country: &str, bban: &str) -> bool {
    fn d(s: &str) -> impl Iterator<Item = u64> + '_ {
        s.bytes().map(|b| u64::from(b - b'0'))
    }
    match country {
        // The last two digits are the first ten mod 97 (97 for 0).
        "BE" => {
            let rest = mod97(bban[..10].chars());
            let key = if rest == 0 { 97 } else { rest };
            bban[10..] == format!("{key:02}")
        }
        // The CCC: bank and branch (8 digits), two control digits, account
        // (10 digits); each control digit weighs its digits by 2^i mod 11.
        "ES" => {
            let control = |digits: &str| {
                let sum: u64 = d(digits)
                    .zip([1, 2, 4, 8, 5, 10, 9, 7, 3, 6])
                    .map(|(a, b)| a * b)
                    .sum();
                let check = sum % 11;
                if check < 2 { check } else { 11 - check }
            };
            let expected = format!(
                "{}{}",
                control(&format!("00{}", &bban[..8])),
                control(&bban[10..])
            );
            bban[8..10] == expected
        }
        // The whole BBAN mod 97 is 1.
        "ME" => mod97(bban.chars()) == 1,
        // Konto nr.: 11 digits whose last is a weighted sum mod 11, or a
        // postgiro number (0000 then 7 digits with a Luhn digit).
        "NO" => match bban.strip_prefix("0000") {
            Some(postgiro) => luhn_valid(postgiro),
            None => {
                let weights = [6, 7, 8, 9, 4, 5, 6, 7, 8, 9];
                let sum: u64 = d(&bban[..10]).zip(weights).map(|(a, b)| a * b).sum();
                (sum % 11).to_string() == bban[10..]
            }
        },
        _ => true,
    }
}

impl Iban {
    /// Parses an IBAN, ignoring whitespace, dashes, dots and case.
    pub fn parse(input: &str) -> Result<Self, IbanError> {
        let s = prepare::<IbanError>(input, &['.'], char::is_ascii_alphanumeric)?;
        let country = head(&s, 2);
        if country.len() < 2 || !is_letters(&country) {
            return Err(IbanError::MissingCountryCode { prefix: country });
        }
        let Some(classes) = bban_classes(&country) else {
            return Err(IbanError::UnknownCountry { country });
        };
        let (expected, actual) = (classes.len() + 4, s.len());
        if actual != expected {
            return Err(IbanError::WrongLength {
                country,
                expected,
                actual,
            });
        }
        let check_digits = s[2..4].to_owned();
        if !is_digits(&check_digits) {
            return Err(IbanError::InvalidCheckDigits { check_digits });
        }
        // Valid check digits are 02..=98: 00, 01 and 99 are never issued.
        let in_range = matches!(check_digits.parse::<u8>(), Ok(2..=98));
        if !in_range || mod97(s[4..].chars().chain(s[..4].chars())) != 1 {
            let formatted = grouped(&s, 4);
            return Err(IbanError::ChecksumMismatch { formatted });
        }
        let bban = &s[4..];
        let misplaced = (bban.bytes().zip(&classes)).position(|(b, &class)| !in_class(class, b));
        if let Some(i) = misplaced {
            return Err(IbanError::InvalidBban {
                country,
                position: i + 5,
                expected: class_name(classes[i]).to_owned(),
                found: char::from(bban.as_bytes()[i]),
            });
        }
        if !national_check(&country, bban) {
            let formatted = grouped(&s, 4);
            return Err(IbanError::NationalChecksumMismatch { formatted });
        }
        Ok(Self(s))
    }

    /// An IBAN read back from storage: as [`Iban::parse`], but one that
    /// fails only the BBAN structure or the national check digits, which
    /// earlier versions did not check, is kept as stored, so that books
    /// written by them stay readable and render as before.
    fn from_stored(s: String) -> Result<Self, IbanError> {
        match Self::parse(&s) {
            Err(IbanError::InvalidBban { .. } | IbanError::NationalChecksumMismatch { .. })
                if is_normalized(&s) =>
            {
                Ok(Self(s))
            }
            result => result,
        }
    }

    /// Groups of four separated by spaces, as printed on an invoice:
    /// `FR76 3000 6000 0112 3456 7890 189`.
    pub fn formatted(&self) -> String {
        grouped(&self.0, 4)
    }

    /// The ISO 3166 country code (`FR`).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The national account number, after the country code and check digits.
    pub fn bban(&self) -> &str {
        &self.0[4..]
    }
}
string_id!(Iban, IbanError);
deserialize_stored!(Iban);

#[cfg(test)]
mod tests {
    use super::super::tests::bump_digit;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn iban_table() {
        use IbanError::*;
        let bban = |country: &str, position, expected: &str, found| InvalidBban {
            country: country.into(),
            position,
            expected: expected.into(),
            found,
        };
        let national = |formatted: &str| NationalChecksumMismatch {
            formatted: formatted.into(),
        };
        table!(Iban::parse, {
            "FR14 2004 1010 0505 0001 3M02 606"    => Ok("FR1420041010050500013M02606"),
            "de89-3704-0044-0532-0130-00"          => Ok("DE89370400440532013000"),
            "GB29NWBK60161331926819"               => Ok("GB29NWBK60161331926819"),
            " BE68 5390 0754 7034 "                => Ok("BE68539007547034"),
            "AT61\u{202f}1904\u{a0}3002 3457 3201" => Ok("AT611904300234573201"),
            "AT861904300235473202"                 => Ok("AT861904300235473202"),
            "CH93 0076 2011 6238 5295 7"           => Ok("CH9300762011623852957"),
            "MC58 1122 2000 0101 2345 6789 030"    => Ok("MC5811222000010123456789030"),
            // Dots, as Norwegian account numbers are written; Unicode dashes.
            "NO07.8380.08.06006"                   => Ok("NO0783800806006"),
            "ES91\u{2013}2100\u{2011}0418 4502 0005 1332" => Ok("ES9121000418450200051332"),
            "BG80BNBG96611020345678"               => Ok("BG80BNBG96611020345678"),
            "GI75NWBK000000007099453"              => Ok("GI75NWBK000000007099453"),
            ""                                     => Err(Empty),
            " - "                                  => Err(Empty),
            "FR76,3000"                            => Err(InvalidCharacter { character: ',' }),
            "FR76 3000 é"                          => Err(InvalidCharacter { character: 'é' }),
            "1234567890"                           =>
                Err(MissingCountryCode { prefix: "12".into() }),
            "F"                                    =>
                Err(MissingCountryCode { prefix: "F".into() }),
            "US64SVBKUS6S3300958879"               =>
                Err(UnknownCountry { country: "US".into() }),
            "FR76.3000"                            =>
                Err(WrongLength { country: "FR".into(), expected: 27, actual: 8 }),
            "FR763000600001123456789018"           =>
                Err(WrongLength { country: "FR".into(), expected: 27, actual: 26 }),
            "FRAB30006000011234567890189"          =>
                Err(InvalidCheckDigits { check_digits: "AB".into() }),
            "FR7630006000011234567890188"          =>
                Err(ChecksumMismatch { formatted: "FR76 3000 6000 0112 3456 7890 188".into() }),
            "BE00539007547034"                     =>
                Err(ChecksumMismatch { formatted: "BE00 5390 0754 7034".into() }),
            // Checksums that hold, on a BBAN that breaks its country's structure.
            "BG93 BNBG 9661 1A20 3456 78"          => Err(bban("BG", 14, "a digit", 'A')),
            "GI22 NW3K 0000 0000 7099 453"         => Err(bban("GI", 7, "a letter", '3')),
            "NL56 3003 0A17 1643 00"               => Err(bban("NL", 5, "a letter", '3')),
            // National check digits: Spain's CCC, Belgium's, Norway's, Montenegro's.
            "ES2121000418450200051331"             =>
                Err(national("ES21 2100 0418 4502 0005 1331")),
            "BE41091811735141"                     => Err(national("BE41 0918 1173 5141")),
            "NO23 8601 1117 946"                   => Err(national("NO23 8601 1117 946")),
            "ME52510000000006234132"               => Err(national("ME52 5100 0000 0006 2341 32")),
        });
    }

    #[test]
    fn iban_accessors_and_serde() {
        use serde::de::value::{Error, StringDeserializer};
        let iban = Iban::parse("fr7630006000011234567890189").unwrap();
        assert_eq!(iban.formatted(), "FR76 3000 6000 0112 3456 7890 189");
        assert_eq!(
            (iban.country(), iban.bban()),
            ("FR", "30006000011234567890189")
        );
        let de = StringDeserializer::<Error>::new(iban.formatted());
        assert_eq!(
            <Iban as serde::Deserialize>::deserialize(de),
            Ok(iban.clone())
        );
        let bad = StringDeserializer::<Error>::new("FR76".to_owned());
        assert!(<Iban as serde::Deserialize>::deserialize(bad).is_err());
        assert_eq!(String::from(iban), "FR7630006000011234567890189");
    }

    /// What an earlier version stored stays readable; what none accepted
    /// does not.
    #[test]
    fn stored_ibans_checked_as_before() {
        let stored = super::super::tests::stored::<Iban>;
        for old in ["ES2121000418450200051331", "BG93BNBG96611A20345678"] {
            assert!(Iban::parse(old).is_err());
            assert_eq!(stored(old).as_deref(), Ok(old));
        }
        assert!(stored("FR7630006000011234567890188").is_err());
        assert!(stored("bg93bnbg96611a20345678").is_err());
    }

    /// A valid IBAN for `country` whose BBAN spells `bban` (values 0..36).
    fn make_iban(country: &str, bban: &[u32]) -> String {
        let to_char = |&v: &u32| char::from_digit(v, 36).unwrap().to_ascii_uppercase();
        let bban: String = bban.iter().map(to_char).collect();
        let check = 98 - mod97(bban.chars().chain(country.chars()).chain("00".chars()));
        format!("{country}{check:02}{bban}")
    }

    /// IBANs of countries without national check digits, their BBAN
    /// following the registry's structure.
    fn valid_iban() -> impl Strategy<Value = String> {
        let countries = [
            "FR", "DE", "GB", "AT", "NL", "IT", "CH", "MT", "RU", "BG", "GI", "BR",
        ];
        prop::sample::select(countries.to_vec()).prop_flat_map(|country| {
            let classes = bban_classes(country).unwrap();
            let values = classes.into_iter().map(|class| match class {
                b'n' => 0u32..10,
                b'a' => 10u32..36,
                _ => 0u32..36,
            });
            values
                .collect::<Vec<_>>()
                .prop_map(move |bban| make_iban(country, &bban))
        })
    }

    #[test]
    fn the_registry_spells_every_length() {
        let lengths: Vec<(&str, usize)> = registry()
            .map(|(country, _)| (country, bban_classes(country).unwrap().len() + 4))
            .collect();
        assert_eq!(lengths.len(), 89);
        for (country, length) in [("NO", 15), ("BE", 16), ("FR", 27), ("MT", 31), ("RU", 33)] {
            assert!(lengths.contains(&(country, length)), "{country}");
        }
    }

    proptest! {
        #[test]
        fn generated_ibans_parse_and_round_trip(iban in valid_iban()) {
            let parsed = Iban::parse(&iban).unwrap();
            prop_assert_eq!(parsed.as_str(), iban.as_str());
            prop_assert_eq!(Iban::parse(&parsed.formatted().to_lowercase()), Ok(parsed));
        }

        /// Mod 97 catches every single-digit substitution, check digits included.
        #[test]
        fn iban_single_digit_change_fails_checksum(
            iban in valid_iban(), at in any::<prop::sample::Index>(), delta in 1u8..10,
        ) {
            let is_digit = |i: &usize| iban.as_bytes()[*i].is_ascii_digit();
            let digits: Vec<usize> = (2..iban.len()).filter(is_digit).collect();
            let changed = bump_digit(&iban, digits[at.index(digits.len())], delta);
            let result = Iban::parse(&changed);
            prop_assert!(matches!(result, Err(IbanError::ChecksumMismatch { .. })), "{}", changed);
        }
    }
}
