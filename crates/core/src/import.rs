//! Clients imported from a spreadsheet or another invoicing tool's export:
//! the file decoded, its rows read, its columns recognised, and each row
//! turned into a [`Client`] or the reasons it cannot be one.
//!
//! What is accepted, and why:
//! - **Encodings**: UTF-8 with or without a byte-order mark, else
//!   Windows-1252 (what Excel on Windows writes as "CSV (séparateur:
//!   point-virgule)"); a file that is neither reads wrong, so UTF-8 is
//!   tried first and must be valid throughout.
//! - **Separators**: comma, semicolon (French Excel) or tab, the one the
//!   header line uses most outside quotes. Quoting as RFC 4180: a field in
//!   double quotes may hold separators, line breaks and `""` for a quote.
//! - **Columns** by their header, in French or English, accents and case
//!   ignored ([`Column::recognise`]): the exports of Invoice Ninja and of a
//!   typical spreadsheet are the fixtures. A column nobody recognises is
//!   reported and left out, never guessed.
//! - **Rows**: each is checked as the client form checks (SIREN or SIRET,
//!   VAT number, email, phone, address); every problem of a row is said
//!   with its line number, and the caller writes nothing until there is
//!   none (or the bad rows are skipped by choice).

use std::collections::BTreeMap;

use crate::address::{Address, AddressError, Country, UnknownCountry};
use crate::ids::{
    Email, EmailError, PhoneE164, PhoneError, Siren, SirenError, Siret, SiretError, VatNumber,
    VatNumberError,
};
use crate::{Client, Lang};

/// The file's text: UTF-8 (a byte-order mark dropped), else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

/// Windows-1252: Latin-1 but for 0x80–0x9F (€, ’, œ, …).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The separator the header line uses most outside quotes.
fn separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or_default();
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(slot) = counts.iter_mut().find(|(s, _)| *s == c) {
            slot.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(',', |(s, _)| *s)
}

/// The records of `text` (RFC 4180 quoting), each with the line it starts
/// on (from 1). Blank lines are left out.
pub fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let sep = separator(text);
    let mut out = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            '\n' if quoted => {
                line += 1;
                field.push('\n');
            }
            '\r' if !quoted => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if any || record.iter().any(|f| !f.trim().is_empty()) {
                    out.push((start, std::mem::take(&mut record)));
                }
                record.clear();
                any = false;
                line += 1;
                start = line;
            }
            c if c == sep && !quoted => {
                record.push(std::mem::take(&mut field));
                any = true;
            }
            c => {
                field.push(c);
                any = true;
            }
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        out.push((start, record));
    }
    out
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Email,
    Phone,
    Siren,
    Siret,
    VatNumber,
    Street,
    Street2,
    Postcode,
    City,
    Country,
    Lang,
    /// A contact's first or last name: the client's name when the file has
    /// no company name (a person).
    FirstName,
    LastName,
}

impl Column {
    /// What the column holds, in words (`name`, `email`, …): the preview's.
    pub fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Phone => "phone",
            Column::Siren => "siren",
            Column::Siret => "siret",
            Column::VatNumber => "vat-number",
            Column::Street => "address",
            Column::Street2 => "address-2",
            Column::Postcode => "postcode",
            Column::City => "city",
            Column::Country => "country",
            Column::Lang => "language",
            Column::FirstName => "first-name",
            Column::LastName => "last-name",
        }
    }

    /// The column a header names, if Acquit knows it.
    pub fn recognise(header: &str) -> Option<Column> {
        Some(match header_key(header).as_str() {
            "name" | "nom" | "client" | "client name" | "company" | "company name"
            | "raison sociale" | "societe" | "entreprise" | "organisation" | "organization"
            | "denomination" | "nom du client" => Column::Name,
            "email" | "e mail" | "courriel" | "mail" | "contact email" | "adresse email"
            | "adresse e mail" => Column::Email,
            "phone" | "telephone" | "tel" | "mobile" | "portable" | "contact phone"
            | "work phone" => Column::Phone,
            "siren" | "n siren" | "numero siren" => Column::Siren,
            "siret" | "n siret" | "numero siret" => Column::Siret,
            "vat"
            | "vat number"
            | "tva"
            | "n tva"
            | "numero de tva"
            | "tva intracommunautaire"
            | "n tva intracommunautaire"
            | "vat id" => Column::VatNumber,
            "address" | "adresse" | "address 1" | "address1" | "street" | "rue" | "adresse 1"
            | "billing address 1" => Column::Street,
            "address 2"
            | "address2"
            | "adresse 2"
            | "complement"
            | "complement d adresse"
            | "billing address 2" => Column::Street2,
            "postcode"
            | "postal code"
            | "zip"
            | "zip code"
            | "code postal"
            | "cp"
            | "billing postal code" => Column::Postcode,
            "city" | "ville" | "commune" | "billing city" => Column::City,
            "country" | "pays" | "country code" | "billing country" => Column::Country,
            "language" | "langue" | "lang" => Column::Lang,
            "contact first name" | "first name" | "prenom" => Column::FirstName,
            "contact last name" | "last name" => Column::LastName,
            _ => return None,
        })
    }
}

/// A header as compared: folded, words of letters and digits only, one
/// space between them ("N° TVA" → "n tva").
pub(crate) fn header_key(header: &str) -> String {
    fold(header)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower case without accents: what headers are compared on.
pub(crate) fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            '°' | 'º' => ' ',
            other => other,
        })
        .collect()
}

/// How the columns of a file map to what Acquit reads (a client's fields,
/// or a past invoice's: `import_invoices`), by their headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping<C = Column> {
    /// For each column of the file, what it holds (None: left out).
    pub columns: Vec<Option<C>>,
    /// The columns read, as the preview shows them: the file's header and
    /// what Acquit takes it for.
    pub read: Vec<(String, C)>,
    /// The headers not recognised, left out.
    pub ignored: Vec<String>,
}

impl Mapping {
    pub fn of(headers: &[String]) -> Mapping {
        Mapping::of_with(headers, Column::recognise)
    }
}

impl<C: Copy + Eq + std::hash::Hash> Mapping<C> {
    /// Each header as `recognise` reads it. The first column of a kind
    /// wins (exports repeat "Phone"); the others, and headers nobody
    /// recognises, are left out and said.
    pub fn of_with(headers: &[String], recognise: impl Fn(&str) -> Option<C>) -> Mapping<C> {
        let mut taken = std::collections::HashSet::new();
        let mut ignored = Vec::new();
        let mut read = Vec::new();
        let columns = headers
            .iter()
            .map(|h| match recognise(h) {
                Some(c) if taken.insert(c) => {
                    read.push((h.trim().to_owned(), c));
                    Some(c)
                }
                _ => {
                    if !h.trim().is_empty() {
                        ignored.push(h.trim().to_owned());
                    }
                    None
                }
            })
            .collect();
        Mapping {
            columns,
            read,
            ignored,
        }
    }

    pub fn has(&self, column: C) -> bool {
        self.columns.contains(&Some(column))
    }

    /// What a row holds in `column`, trimmed; None when the file has no
    /// such column or the cell is blank.
    pub fn cell<'a>(&self, fields: &'a [String], column: C) -> Option<&'a str> {
        let i = self.columns.iter().position(|c| *c == Some(column))?;
        fields.get(i).map(|f| f.trim()).filter(|f| !f.is_empty())
    }
}

/// One row of the file: the client it makes, or what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line it starts on, from 1 (the header is line 1).
    pub line: usize,
    /// The name the row gives, if any (shown beside its errors).
    pub name: Option<String>,
    pub result: Result<Client, Vec<RowError>>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty: export your clients with a header line first")]
    Empty,
    #[error(
        "no column holds the client's name (headers: {0}): name one \"Nom\" or \"Name\" (or give \"Prénom\"/\"Nom\" of a contact)"
    )]
    NoName(String),
    #[error("no column holds {column} (headers: {headers}): add it, with that name")]
    MissingColumn { column: String, headers: String },
}

/// The file read: its mapping and every row checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub mapping: Mapping,
    pub rows: Vec<Row>,
}

/// Reads a clients file: CSV (any accepted encoding and separator), or
/// vCards (`BEGIN:VCARD`, what address books and phones export).
pub fn clients(bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = decode(bytes);
    if text
        .trim_start()
        .get(..11)
        .is_some_and(|head| head.eq_ignore_ascii_case("BEGIN:VCARD"))
    {
        return Ok(vcards(&text));
    }
    let mut records = records(&text).into_iter();
    let (_, headers) = records.next().ok_or(ImportError::Empty)?;
    let mapping = Mapping::of(&headers);
    if !mapping.has(Column::Name) && !mapping.has(Column::LastName) {
        return Err(ImportError::NoName(headers.join(", ")));
    }
    let rows = records
        .map(|(line, fields)| {
            let result = client(&mapping, &fields);
            let name = match &result {
                Ok(c) => Some(c.name.clone()),
                Err(_) => row_name(&mapping, &fields),
            };
            Row { line, name, result }
        })
        .collect();
    Ok(Parsed { mapping, rows })
}

/// The columns a vCard fills, in the order [`vcard_fields`] gives them.
const VCARD_COLUMNS: [Column; 9] = [
    Column::Name,
    Column::FirstName,
    Column::LastName,
    Column::Email,
    Column::Phone,
    Column::Street,
    Column::Postcode,
    Column::City,
    Column::Country,
];

/// vCards (RFC 6350, and the 2.1/3.0 that phones still write): each card a
/// row, read by the same checks as a CSV row. The company (`ORG`) is the
/// client's name, else the person (`N`, `FN`); the first `EMAIL`, `TEL`
/// and `ADR` are taken. Folded lines are unfolded and `\,` `\;` `\n`
/// unescaped; properties Acquit has no use for are left.
fn vcards(text: &str) -> Parsed {
    // Unfold: a line starting with a space or tab continues the previous.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        match raw.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => lines.last_mut().expect("one").1.push_str(rest),
            _ => lines.push((i + 1, raw.to_owned())),
        }
    }
    let mapping = Mapping {
        columns: VCARD_COLUMNS.iter().copied().map(Some).collect(),
        read: [
            ("ORG", Column::Name),
            ("N", Column::LastName),
            ("EMAIL", Column::Email),
            ("TEL", Column::Phone),
            ("ADR", Column::Street),
        ]
        .into_iter()
        .map(|(property, column)| (property.to_owned(), column))
        .collect(),
        ignored: Vec::new(),
    };
    let mut rows = Vec::new();
    let mut card: Option<(usize, BTreeMap<&'static str, String>)> = None;
    for (line, content) in &lines {
        let Some((head, value)) = content.split_once(':') else {
            continue;
        };
        let name = head.split(';').next().unwrap_or_default().trim();
        // `item1.EMAIL`: Apple's groups.
        let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
        match (name.as_str(), &mut card) {
            ("BEGIN", _) if value.trim().eq_ignore_ascii_case("VCARD") => {
                card = Some((*line, BTreeMap::new()));
            }
            ("END", Some(_)) if value.trim().eq_ignore_ascii_case("VCARD") => {
                let (start, props) = card.take().expect("a card");
                let fields = vcard_fields(&props);
                let result = client(&mapping, &fields);
                let name = match &result {
                    Ok(c) => Some(c.name.clone()),
                    Err(_) => row_name(&mapping, &fields),
                };
                rows.push(Row {
                    line: start,
                    name,
                    result,
                });
            }
            (key, Some((_, props))) => {
                let key: &'static str = match key {
                    "ORG" => "org",
                    "FN" => "fn",
                    "N" => "n",
                    "EMAIL" => "email",
                    "TEL" => "tel",
                    "ADR" => "adr",
                    _ => continue,
                };
                props.entry(key).or_insert_with(|| value.to_owned());
            }
            _ => {}
        }
    }
    Parsed { mapping, rows }
}

/// A vCard value's parts (`;`-separated, `\;` kept), unescaped.
fn vcard_parts(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => parts.last_mut().expect("one").push('\n'),
                Some(other) => parts.last_mut().expect("one").push(other),
                None => {}
            },
            ';' => parts.push(String::new()),
            c => parts.last_mut().expect("one").push(c),
        }
    }
    parts.into_iter().map(|p| p.trim().to_owned()).collect()
}

/// A card's values in [`VCARD_COLUMNS`]' order.
fn vcard_fields(props: &BTreeMap<&'static str, String>) -> Vec<String> {
    let part = |key: &str, i: usize| -> String {
        props
            .get(key)
            .map(|v| vcard_parts(v).get(i).cloned().unwrap_or_default())
            .unwrap_or_default()
    };
    let org = part("org", 0);
    // N: family; given; additional; prefixes; suffixes.
    let (family, given) = (part("n", 0), part("n", 1));
    let full = part("fn", 0);
    let name = if !org.is_empty() {
        org
    } else if family.is_empty() && given.is_empty() {
        full
    } else {
        String::new()
    };
    // ADR: post box; extended; street; locality; region; postcode; country.
    let street = [part("adr", 2), part("adr", 1)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let tel = props
        .get("tel")
        .map(|t| t.trim().trim_start_matches("tel:").to_owned())
        .unwrap_or_default();
    let email = props
        .get("email")
        .map(|e| e.trim().trim_start_matches("mailto:").to_owned())
        .unwrap_or_default();
    vec![
        name,
        given,
        family,
        email,
        tel,
        street,
        part("adr", 5),
        part("adr", 3),
        part("adr", 6),
    ]
}

/// The name a row gives (its name column, else its contact's names).
fn row_name(mapping: &Mapping, fields: &[String]) -> Option<String> {
    let get = |column: Column| mapping.cell(fields, column);
    let person = [get(Column::FirstName), get(Column::LastName)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    get(Column::Name)
        .map(str::to_owned)
        .or_else(|| Some(person).filter(|p| !p.is_empty()))
}

/// What is wrong with a row: the field, what it held, and the parser's
/// own error (typed, so the app says it in French); `Display` is the
/// English the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    #[error("no name: every client needs one")]
    NoName,
    #[error("{0}")]
    Country(UnknownCountry),
    #[error("email \"{text}\": {error}")]
    Email { text: String, error: EmailError },
    #[error("phone \"{text}\": {error}")]
    Phone { text: String, error: PhoneError },
    #[error("SIREN \"{text}\": {error}")]
    Siren { text: String, error: SirenError },
    #[error("SIRET \"{text}\": {error}")]
    Siret { text: String, error: SiretError },
    #[error("VAT number \"{text}\": {error}")]
    VatNumber { text: String, error: VatNumberError },
    #[error("address: {0}")]
    Address(AddressError),
    #[error("language \"{0}\": use fr or en")]
    Lang(String),
}

/// As its English text (the CLI's `--json`).
impl serde::Serialize for RowError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn client(mapping: &Mapping, fields: &[String]) -> Result<Client, Vec<RowError>> {
    let get = |column: Column| mapping.cell(fields, column);
    let mut errors = Vec::new();
    let Some(name) = row_name(mapping, fields) else {
        return Err(vec![RowError::NoName]);
    };
    let mut c = Client::new(name);
    let country = match get(Column::Country) {
        None => Country::FR,
        Some(text) => match Country::parse(text).or_else(|e| Country::from_name(text).ok_or(e)) {
            Ok(country) => country,
            Err(e) => {
                errors.push(RowError::Country(e));
                Country::FR
            }
        },
    };
    if let Some(text) = get(Column::Email) {
        match Email::parse(text) {
            Ok(email) => c.email = Some(email),
            Err(error) => errors.push(RowError::Email {
                text: text.to_owned(),
                error,
            }),
        }
    }
    if let Some(text) = get(Column::Phone) {
        match PhoneE164::parse_with_default_country(text, country.code()) {
            Ok(phone) => c.phone = Some(phone),
            Err(error) => errors.push(RowError::Phone {
                text: text.to_owned(),
                error,
            }),
        }
    }
    match (get(Column::Siren), get(Column::Siret)) {
        (Some(text), _) => match Siren::parse(text) {
            Ok(siren) => c.siren = Some(siren),
            Err(error) => errors.push(RowError::Siren {
                text: text.to_owned(),
                error,
            }),
        },
        (None, Some(text)) => match Siret::parse(text) {
            Ok(siret) => c.siren = Some(siret.siren()),
            Err(error) => errors.push(RowError::Siret {
                text: text.to_owned(),
                error,
            }),
        },
        (None, None) => {}
    }
    if let Some(text) = get(Column::VatNumber) {
        match VatNumber::parse(text) {
            Ok(vat) => c.vat_number = Some(vat),
            Err(error) => errors.push(RowError::VatNumber {
                text: text.to_owned(),
                error,
            }),
        }
    }
    let street: Vec<String> = [get(Column::Street), get(Column::Street2)]
        .into_iter()
        .flatten()
        .flat_map(|s| s.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let (postcode, city) = (get(Column::Postcode), get(Column::City));
    if !street.is_empty() || postcode.is_some() || city.is_some() {
        match Address::new(
            street,
            postcode.map(str::to_owned),
            city.map(str::to_owned),
            country,
        ) {
            Ok(address) => c.address = Some(address),
            Err(e) => errors.push(RowError::Address(e)),
        }
    }
    if let Some(text) = get(Column::Lang) {
        match fold(text).as_str() {
            "fr" | "francais" | "french" => c.lang = Lang::Fr,
            "en" | "anglais" | "english" => c.lang = Lang::En,
            _ => errors.push(RowError::Lang(text.to_owned())),
        }
    } else if country != Country::FR {
        c.lang = Lang::En;
    }
    c.derive_business(None);
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcards_are_clients_checked_as_rows_are() {
        let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Martin;Léa;;;\r\nFN:Léa Martin\r\n\
                    ORG:Boulangerie Martin SARL\r\nitem1.EMAIL;TYPE=INTERNET:compta@martin.exa\r\n mple\r\n\
                    TEL;TYPE=WORK:01 43 55 12 34\r\n\
                    ADR;TYPE=WORK:;;12 rue Oberkampf\\, bât. B;Paris;;75011;France\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\nVERSION:4.0\nN:Roux;Camille;;;\nFN:Camille Roux\nEMAIL:pas-un-email\nEND:VCARD\n";
        let parsed = clients(file.as_bytes()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let martin = parsed.rows[0].result.as_ref().unwrap();
        assert_eq!(parsed.rows[0].line, 1);
        assert_eq!(martin.name, "Boulangerie Martin SARL");
        assert_eq!(
            martin.email.as_ref().unwrap().to_string(),
            "compta@martin.example"
        );
        assert_eq!(martin.phone.as_ref().unwrap().to_string(), "+33143551234");
        let address = martin.address.as_ref().unwrap();
        assert_eq!(address.lines, vec!["12 rue Oberkampf, bât. B"]);
        assert_eq!(address.postcode.as_deref(), Some("75011"));
        assert_eq!(address.city.as_deref(), Some("Paris"));
        // A person: the name from N; the bad email said.
        assert_eq!(parsed.rows[1].name.as_deref(), Some("Camille Roux"));
        let errors = parsed.rows[1].result.as_ref().unwrap_err();
        assert!(matches!(errors[0], RowError::Email { .. }), "{errors:?}");
    }

    #[test]
    fn encodings_are_read_whatever_excel_wrote() {
        assert_eq!(decode(b"\xEF\xBB\xBFNom;Ville\n"), "Nom;Ville\n");
        assert_eq!(decode("Crème brûlée".as_bytes()), "Crème brûlée");
        // Windows-1252: é is 0xE9, € is 0x80, ’ is 0x92.
        assert_eq!(decode(b"Caf\xE9 \x80 l\x92atelier"), "Café € l’atelier");
    }

    #[test]
    fn records_follow_rfc_4180_and_the_header_s_separator() {
        let text = "Nom;Adresse;Ville\r\n\"Dupont; fils\";\"12 rue \"\"X\"\"\n2e étage\";Lyon\r\n\r\nMartin;;Paris";
        let got = records(text);
        assert_eq!(
            got,
            vec![
                (1, vec!["Nom".into(), "Adresse".into(), "Ville".into()]),
                (
                    2,
                    vec![
                        "Dupont; fils".into(),
                        "12 rue \"X\"\n2e étage".into(),
                        "Lyon".into()
                    ]
                ),
                (5, vec!["Martin".into(), String::new(), "Paris".into()]),
            ]
        );
        assert_eq!(records("a,b\n1,2")[1].1, vec!["1", "2"]);
        assert_eq!(records("a\tb\n1\t2")[1].1, vec!["1", "2"]);
    }

    #[test]
    fn headers_are_recognised_in_french_and_english() {
        for (header, column) in [
            ("Raison sociale", Column::Name),
            ("Client Name", Column::Name),
            ("E-mail", Column::Email),
            ("Téléphone", Column::Phone),
            ("N° SIRET", Column::Siret),
            ("N° TVA intracommunautaire", Column::VatNumber),
            ("Code postal", Column::Postcode),
            ("Postal Code", Column::Postcode),
            ("Address 1", Column::Street),
            ("Pays", Column::Country),
        ] {
            assert_eq!(Column::recognise(header), Some(column), "{header}");
        }
        assert_eq!(Column::recognise("Website"), None);
    }

    #[test]
    fn each_bad_row_says_every_problem_with_its_line() {
        let file = "Nom;Email;SIREN;Code postal;Ville;Adresse\n\
                    Boulangerie Martin;compta@martin.fr;552 100 554;75011;Paris;12 rue Oberkampf\n\
                    Café;pas-un-email;123456789;7501;Paris;3 rue X\n";
        let parsed = clients(file.as_bytes()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let good = parsed.rows[0].result.as_ref().unwrap();
        assert_eq!(good.siren.as_ref().unwrap().formatted(), "552 100 554");
        assert!(good.business);
        assert_eq!(parsed.rows[1].line, 3);
        let errors = parsed.rows[1].result.as_ref().unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(matches!(errors[0], RowError::Email { .. }), "{errors:?}");
        assert!(matches!(errors[1], RowError::Siren { .. }), "{errors:?}");
        assert!(matches!(errors[2], RowError::Address(_)), "{errors:?}");
        assert!(
            errors[0]
                .to_string()
                .starts_with("email \"pas-un-email\": ")
        );
        assert!(matches!(
            clients(b"Website;Notes\nx;y"),
            Err(ImportError::NoName(_))
        ));
        assert_eq!(clients(b""), Err(ImportError::Empty));
    }
}
