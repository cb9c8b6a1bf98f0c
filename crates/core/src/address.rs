//! Postal addresses, structured as EN 16931 wants them: street lines, a
//! postcode, a city and an ISO 3166-1 country (BT-35..BT-40 for the
//! seller, BT-50..BT-55 for the buyer, BT-75..BT-80 for the delivery).
//!
//! Books written before addresses were structured hold one free text
//! ("8 rue de la Roquette\n75011 Paris"). Such a text still reads as an
//! [`Address`]: a French last line "NNNNN City" gives the postcode, the
//! city and France; anything else stays as street lines with the rest
//! missing, which issuing then asks for ([`Address::missing`]). The text as
//! written is kept for printing, so an invoice issued from it prints as it
//! did.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Lang;

/// The ISO 3166-1 table: `code\tEnglish\tFrench` per line.
const COUNTRIES: &str = include_str!("countries.tsv");

fn table() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    COUNTRIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let mut parts = l.split('\t');
            Some((parts.next()?, parts.next()?, parts.next()?))
        })
}

/// The member states of the European Union (for VAT: intra-Community
/// supplies and reverse charge), as ISO 3166-1 codes.
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// A country, by its ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

/// A country code that is not in ISO 3166-1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an ISO 3166-1 country code: use two letters, e.g. FR, BE, DE, GB, US, CH")]
pub struct UnknownCountry(pub String);

impl Country {
    pub const FR: Country = Country(*b"FR");

    /// A code from the ISO 3166-1 table, in any case ("fr", " FR ").
    pub fn parse(input: &str) -> Result<Country, UnknownCountry> {
        let code = input.trim().to_ascii_uppercase();
        table()
            .find(|(c, _, _)| *c == code)
            .and_then(|(c, _, _)| <[u8; 2]>::try_from(c.as_bytes()).ok())
            .map(Country)
            .ok_or_else(|| UnknownCountry(input.trim().to_owned()))
    }

    /// The country whose English or French name this is ("France",
    /// "Royaume-Uni", "united kingdom"), for addresses written as text.
    pub fn from_name(name: &str) -> Option<Country> {
        let name = name.trim();
        table()
            .find(|(_, en, fr)| {
                en.eq_ignore_ascii_case(name) || fr.to_lowercase() == name.to_lowercase()
            })
            .and_then(|(c, _, _)| Country::parse(c).ok())
    }

    /// Every country of the table, by code.
    pub fn all() -> impl Iterator<Item = Country> {
        table().filter_map(|(code, _, _)| <[u8; 2]>::try_from(code.as_bytes()).ok().map(Country))
    }

    pub fn code(&self) -> &str {
        // Always two ASCII letters from the table.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Its short name in `lang` ("Royaume-Uni", "United Kingdom").
    pub fn name(&self, lang: Lang) -> &'static str {
        table()
            .find(|(c, _, _)| *c == self.code())
            .map(|(_, en, fr)| match lang {
                Lang::Fr => fr,
                Lang::En => en,
            })
            .unwrap_or("")
    }

    /// A member state of the European Union.
    pub fn is_eu(&self) -> bool {
        EU.contains(&self.code())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Country {
    type Err = UnknownCountry;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::parse(s)
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Address {
    /// Street, building, PO box: the lines before the postcode and city.
    pub lines: Vec<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<Country>,
    /// The free text this address was read from, in books written before
    /// addresses were structured: printed as it was. Never written back:
    /// saving the profile again stores the structured fields only.
    #[serde(skip)]
    pub as_written: Option<String>,
}

/// Why an address typed by someone was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error(transparent)]
    Country(#[from] UnknownCountry),
    #[error("the address has no street line: give at least one (--street)")]
    NoStreet,
    #[error("the French postcode \"{0}\" is not five digits: write it as 75011 (--postcode)")]
    FrenchPostcode(String),
    #[error(
        "\"{0}\" does not end with a French postcode and city (\"75011 Paris\"): give --street, --postcode, --city and --country instead"
    )]
    NotAFrenchAddress(String),
}

/// What an address lacks for an e-invoice (EN 16931 BR-08/BR-09 for the
/// seller's country, BR-10/BR-11 for the buyer's; the French rules ask for
/// the postcode and city as well).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Street,
    Postcode,
    City,
    Country,
}

impl Missing {
    /// The CLI option that gives it.
    pub fn option(self) -> &'static str {
        match self {
            Missing::Street => "--street",
            Missing::Postcode => "--postcode",
            Missing::City => "--city",
            Missing::Country => "--country",
        }
    }
}

/// Splits a French "NNNNN City" line ("75011 Paris", "13001 MARSEILLE
/// CEDEX 01"): the postcode and the city.
fn french_postcode_city(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let (code, city) = line.split_once(char::is_whitespace)?;
    let city = city.trim();
    (code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) && !city.is_empty())
        .then(|| (code.to_owned(), city.to_owned()))
}

impl Address {
    /// An address from its parts, checked: at least one street line, a
    /// known country, and five digits for a French postcode.
    pub fn new(
        lines: Vec<String>,
        postcode: Option<String>,
        city: Option<String>,
        country: Country,
    ) -> Result<Address, AddressError> {
        let lines: Vec<String> = lines
            .iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            return Err(AddressError::NoStreet);
        }
        let postcode = postcode
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        if country == Country::FR
            && let Some(code) = &postcode
            && !(code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(AddressError::FrenchPostcode(code.clone()));
        }
        Ok(Address {
            lines,
            postcode,
            city: city.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
            country: Some(country),
            as_written: None,
        })
    }

    /// A French address typed on one line or several ("12 rue des Lilas,
    /// 75011 Paris" or "12 rue des Lilas\n75011 Paris"): the last part must
    /// be "NNNNN City". The CLI's `--address` shorthand.
    pub fn parse_french(text: &str) -> Result<Address, AddressError> {
        let parts: Vec<&str> = text
            .split(['\n', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let Some((last, street)) = parts.split_last() else {
            return Err(AddressError::NoStreet);
        };
        let (postcode, city) = french_postcode_city(last)
            .ok_or_else(|| AddressError::NotAFrenchAddress(text.trim().to_owned()))?;
        Address::new(
            street.iter().map(|s| (*s).to_owned()).collect(),
            Some(postcode),
            Some(city),
            Country::FR,
        )
    }

    /// Reads the free text of older books: lines separated by `\n`; a last
    /// line "NNNNN City" (optionally followed by a line naming France) is
    /// a French postcode and city; whatever else stays street lines, and
    /// the missing parts are left empty for the user to give.
    pub fn from_text(text: &str) -> Address {
        let mut lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let mut country = None;
        let named_france = lines
            .last()
            .is_some_and(|l| Country::from_name(l) == Some(Country::FR));
        let at = lines.len().saturating_sub(if named_france { 2 } else { 1 });
        let (mut postcode, mut city) = (None, None);
        if lines.len() > at + usize::from(named_france)
            && let Some((code, town)) = lines.get(at).and_then(|l| french_postcode_city(l))
        {
            postcode = Some(code);
            city = Some(town);
            country = Some(Country::FR);
            lines.truncate(at);
        }
        Address {
            lines,
            postcode,
            city,
            country,
            as_written: Some(text.to_owned()),
        }
    }

    /// What an e-invoice needs that this address lacks, in order.
    pub fn missing(&self) -> Vec<Missing> {
        let mut missing = Vec::new();
        if self.lines.is_empty() {
            missing.push(Missing::Street);
        }
        if self.postcode.is_none() {
            missing.push(Missing::Postcode);
        }
        if self.city.is_none() {
            missing.push(Missing::City);
        }
        if self.country.is_none() {
            missing.push(Missing::Country);
        }
        missing
    }

    /// The lines printed on an invoice: as written for an address from
    /// older books; else the street lines, "postcode city", and the
    /// country's name unless it is `home` (a French seller's French
    /// clients read no "France").
    pub fn printed(&self, lang: Lang, home: Country) -> Vec<String> {
        if let Some(text) = &self.as_written {
            return text.split('\n').map(str::to_owned).collect();
        }
        let mut out = self.lines.clone();
        let place = [self.postcode.as_deref(), self.city.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !place.is_empty() {
            out.push(place);
        }
        if let Some(country) = self.country
            && country != home
        {
            out.push(country.name(lang).to_owned());
        }
        out
    }

    /// [`Address::printed`] as one text, lines separated by `\n`.
    pub fn printed_text(&self, lang: Lang, home: Country) -> String {
        self.printed(lang, home).join("\n")
    }
}

/// An address written as text ("8 rue de la Roquette\n75011 Paris"), read
/// as [`Address::from_text`] reads older books, but typed now: printed from
/// its fields.
impl From<&str> for Address {
    fn from(text: &str) -> Address {
        Address {
            as_written: None,
            ..Address::from_text(text)
        }
    }
}

/// How an address is stored: the structured fields. Older books hold a
/// string instead ([`Address::from_text`]).
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Text(String),
    Fields {
        #[serde(default)]
        lines: Vec<String>,
        #[serde(default)]
        postcode: Option<String>,
        #[serde(default)]
        city: Option<String>,
        #[serde(default)]
        country: Option<Country>,
    },
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(d)? {
            Stored::Text(text) => Address::from_text(&text),
            Stored::Fields {
                lines,
                postcode,
                city,
                country,
            } => Address {
                lines,
                postcode,
                city,
                country,
                as_written: None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_iso_3166_and_named_in_both_languages() {
        assert_eq!(Country::parse(" fr ").unwrap(), Country::FR);
        assert_eq!(Country::parse("GB").unwrap().name(Lang::Fr), "Royaume-Uni");
        assert_eq!(Country::parse("de").unwrap().name(Lang::En), "Germany");
        for bad in ["UK", "EU", "XX", "FRA", "", "F"] {
            assert!(Country::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Country::parse("UK").unwrap_err().to_string().contains("GB"));
        assert_eq!(Country::from_name("royaume-uni"), Country::parse("GB").ok());
        assert!(Country::FR.is_eu() && !Country::parse("CH").unwrap().is_eu());
        assert_eq!(Country::all().count(), 249);
        assert!(Country::all().all(|c| Country::parse(c.code()) == Ok(c)));
    }

    #[test]
    fn older_free_text_addresses_read_as_structured_where_they_can() {
        // (text, street lines, postcode, city, country)
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let cases: [Case; 6] = [
            (
                "8 rue de la Roquette\n75011 Paris",
                &["8 rue de la Roquette"],
                Some("75011"),
                Some("Paris"),
                Some("FR"),
            ),
            (
                "Bât. B\n3 allée des Pins\n13001 Marseille Cedex 01\nFrance",
                &["Bât. B", "3 allée des Pins"],
                Some("13001"),
                Some("Marseille Cedex 01"),
                Some("FR"),
            ),
            (
                "1 Canada Square\nLondon E14 5AB\nUnited Kingdom",
                &["1 Canada Square", "London E14 5AB", "United Kingdom"],
                None,
                None,
                None,
            ),
            (
                "1 place du Marché, Lyon",
                &["1 place du Marché, Lyon"],
                None,
                None,
                None,
            ),
            ("75011 Paris", &[], Some("75011"), Some("Paris"), Some("FR")),
            ("", &[], None, None, None),
        ];
        for (text, lines, postcode, city, country) in cases {
            let a = Address::from_text(text);
            assert_eq!(a.lines, lines, "{text:?}");
            assert_eq!(a.postcode.as_deref(), postcode, "{text:?}");
            assert_eq!(a.city.as_deref(), city, "{text:?}");
            assert_eq!(
                a.country.map(|c| c.code().to_owned()).as_deref(),
                country,
                "{text:?}"
            );
            // Printed exactly as written, whatever was understood.
            assert_eq!(a.printed_text(Lang::Fr, Country::FR), text);
        }
        assert_eq!(
            Address::from_text("1 Canada Square\nLondon").missing(),
            [Missing::Postcode, Missing::City, Missing::Country]
        );
    }

    #[test]
    fn a_stored_address_is_the_structured_fields_or_older_text() {
        let typed = Address::new(
            vec!["1 Canada Square".into()],
            Some("E14 5AB".into()),
            Some("London".into()),
            Country::parse("GB").unwrap(),
        )
        .unwrap();
        let json = serde_json::to_string(&typed).unwrap();
        assert_eq!(
            json,
            r#"{"lines":["1 Canada Square"],"postcode":"E14 5AB","city":"London","country":"GB"}"#
        );
        assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), typed);
        assert_eq!(
            typed.printed(Lang::Fr, Country::FR),
            ["1 Canada Square", "E14 5AB London", "Royaume-Uni"]
        );
        let old: Address = serde_json::from_str(r#""8 rue X\n75011 Paris""#).unwrap();
        assert_eq!(old.postcode.as_deref(), Some("75011"));
        // Saved again, it is structured, and prints the same.
        let again: Address = serde_json::from_str(&serde_json::to_string(&old).unwrap()).unwrap();
        assert_eq!(again.as_written, None);
        assert_eq!(
            again.printed_text(Lang::Fr, Country::FR),
            "8 rue X\n75011 Paris"
        );
        assert!(serde_json::from_str::<Address>(r#"{"lines":[],"country":"ZZ"}"#).is_err());
    }

    #[test]
    fn typed_addresses_are_checked() {
        assert_eq!(
            Address::parse_french("12 rue des Lilas, 75011 Paris")
                .unwrap()
                .printed(Lang::Fr, Country::FR),
            ["12 rue des Lilas", "75011 Paris"]
        );
        assert!(matches!(
            Address::parse_french("12 rue des Lilas, Paris"),
            Err(AddressError::NotAFrenchAddress(_))
        ));
        assert_eq!(
            Address::new(vec![" ".into()], None, None, Country::FR),
            Err(AddressError::NoStreet)
        );
        assert_eq!(
            Address::new(vec!["x".into()], Some("7501".into()), None, Country::FR),
            Err(AddressError::FrenchPostcode("7501".into()))
        );
    }
}
