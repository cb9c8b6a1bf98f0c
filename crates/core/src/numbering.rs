//! Invoice numbers: a pattern such as `F-{YYYY}-{NNNN}` and a counter.
//!
//! French law wants one chronological series without gaps. A pattern's date
//! fields name the series: `F-{YYYY}-{NNNN}` starts a new series (at 1) each
//! year, `F-{NNNNN}` never does. The store keeps one counter per series key
//! and takes the next value in the same transaction that issues the
//! invoice, so a number is never used twice or skipped.
//!
//! Tokens: `{YYYY}` year, `{YY}` two-digit year, `{MM}` month (the series
//! then restarts each month), and exactly one `{N…}`, the counter padded to
//! as many digits as there are `N` (it grows beyond when needed). Anything
//! else is copied as is; `{` and `}` outside tokens are refused.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A validated numbering pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberPattern {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Year4,
    Year2,
    Month,
    Counter { width: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the numbering pattern \"{0}\" has no counter: add {{NNNN}}")]
    NoCounter(String),
    #[error("the numbering pattern \"{0}\" has more than one counter: keep one {{NNNN}}")]
    SeveralCounters(String),
    #[error(
        "the numbering pattern \"{pattern}\" has an unknown field {{{token}}}: use {{YYYY}}, {{YY}}, {{MM}} or {{NNNN}}"
    )]
    UnknownToken { pattern: String, token: String },
    #[error("the numbering pattern \"{0}\" has an unmatched brace")]
    Unbalanced(String),
    #[error(
        "the numbering pattern \"{0}\" contains a character that cannot go in a file name (/ \\ : * ? \" < > |)"
    )]
    BadCharacter(String),
}

/// A character no number may hold, since numbers name files
/// (`F-2026-0001.pdf`) on every system.
fn not_in_file_names(c: char) -> bool {
    matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()
}

/// Whether `number` can name a file as is (`{number}.pdf` in a folder):
/// what every pattern makes. A number that is not (written into the file
/// behind Acquit's back) must not reach a path: `../x` would write outside
/// the folder.
pub fn is_file_name_safe(number: &str) -> bool {
    !number.is_empty()
        && number.len() <= 200
        && !number.starts_with('.')
        && !number.chars().any(not_in_file_names)
}

impl NumberPattern {
    pub const DEFAULT_INVOICE: &'static str = "F-{YYYY}-{NNNN}";
    pub const DEFAULT_CREDIT_NOTE: &'static str = "AV-{YYYY}-{NNNN}";

    pub fn parse(pattern: &str) -> Result<NumberPattern, PatternError> {
        let source = pattern.trim().to_owned();
        if source.chars().any(not_in_file_names) {
            return Err(PatternError::BadCharacter(source));
        }
        let mut parts = Vec::new();
        let mut rest = source.as_str();
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                None => {
                    parts.push(Part::Text(rest.to_owned()));
                    rest = "";
                }
                Some(i) if rest[i..].starts_with('}') => {
                    return Err(PatternError::Unbalanced(source));
                }
                Some(i) => {
                    if i > 0 {
                        parts.push(Part::Text(rest[..i].to_owned()));
                    }
                    let end = rest[i..]
                        .find('}')
                        .ok_or_else(|| PatternError::Unbalanced(source.clone()))?
                        + i;
                    let token = &rest[i + 1..end];
                    parts.push(match token {
                        "YYYY" => Part::Year4,
                        "YY" => Part::Year2,
                        "MM" => Part::Month,
                        t if !t.is_empty() && t.chars().all(|c| c == 'N') => {
                            Part::Counter { width: t.len() }
                        }
                        t => {
                            return Err(PatternError::UnknownToken {
                                pattern: source.clone(),
                                token: t.to_owned(),
                            });
                        }
                    });
                    rest = &rest[end + 1..];
                }
            }
        }
        match parts
            .iter()
            .filter(|p| matches!(p, Part::Counter { .. }))
            .count()
        {
            0 => Err(PatternError::NoCounter(source)),
            1 => Ok(NumberPattern { source, parts }),
            _ => Err(PatternError::SeveralCounters(source)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The series a document dated `date` belongs to: the pattern with its
    /// date fields filled in and the counter left as `{N}`.
    pub fn series_key(&self, date: NaiveDate) -> String {
        self.render(date, None)
    }

    /// The number of the `sequence`-th document (from 1) of its series.
    pub fn format(&self, date: NaiveDate, sequence: u64) -> String {
        self.render(date, Some(sequence))
    }

    /// Reads `number` back as this pattern's: its series key and its place
    /// in that series, when the pattern makes exactly this number (an
    /// invoice imported from another tool continues the series then).
    pub fn read(&self, number: &str) -> Option<(String, u64)> {
        let mut rest = number;
        let (mut year, mut month, mut sequence) = (None, None, None);
        let digits = |rest: &str, n: Option<usize>| -> Option<usize> {
            let len = rest.bytes().take_while(u8::is_ascii_digit).count();
            match n {
                Some(n) if len >= n => Some(n),
                Some(_) => None,
                None if len > 0 && len <= 18 => Some(len),
                None => None,
            }
        };
        for part in &self.parts {
            match part {
                Part::Text(text) => rest = rest.strip_prefix(text.as_str())?,
                Part::Year4 | Part::Year2 | Part::Month => {
                    let n = if *part == Part::Year4 { 4 } else { 2 };
                    let len = digits(rest, Some(n))?;
                    let value: i32 = rest[..len].parse().ok()?;
                    match part {
                        Part::Year4 => year = Some(value),
                        // Two-digit years are this century's.
                        Part::Year2 => year = Some(2000 + value),
                        _ => month = Some(u32::try_from(value).ok()?),
                    }
                    rest = &rest[len..];
                }
                Part::Counter { .. } => {
                    let len = digits(rest, None)?;
                    sequence = Some(rest[..len].parse::<u64>().ok()?);
                    rest = &rest[len..];
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year.unwrap_or(2000), month.unwrap_or(1), 1)?;
        let sequence = sequence.filter(|n| *n > 0)?;
        // Exactly what the pattern writes (its padding included).
        (self.format(date, sequence) == number).then(|| (self.series_key(date), sequence))
    }

    fn render(&self, date: NaiveDate, sequence: Option<u64>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            let _ = match part {
                Part::Text(text) => write!(out, "{text}"),
                Part::Year4 => write!(out, "{:04}", date.year()),
                Part::Year2 => write!(out, "{:02}", date.year().rem_euclid(100)),
                Part::Month => write!(out, "{:02}", date.month()),
                Part::Counter { width } => match sequence {
                    Some(n) => write!(out, "{n:0width$}"),
                    None => write!(out, "{{N}}"),
                },
            };
        }
        out
    }
}

impl TryFrom<String> for NumberPattern {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        NumberPattern::parse(&s)
    }
}

impl From<NumberPattern> for String {
    fn from(p: NumberPattern) -> String {
        p.source
    }
}

/// A date of issue after today, refused: a document is dated the day it is
/// issued (CGI art. 242 nonies A), and since numbers follow dates, one
/// document dated ahead (a typo: 2062 for 2026) would refuse every document
/// after it until that day, for ever, as issued documents never change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{date} is after today ({today}): a document is dated the day it is issued, and a later date would block every document after it (numbers follow dates); give today's date or an earlier one"
)]
pub struct FutureIssueDate {
    pub date: NaiveDate,
    pub today: NaiveDate,
}

/// Whether a document may be issued on `date` when it is `today` (the
/// user's local date): any day up to today, never after.
pub fn check_issue_date(date: NaiveDate, today: NaiveDate) -> Result<(), FutureIssueDate> {
    if date > today {
        return Err(FutureIssueDate { date, today });
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_document_is_issued_today_or_before_never_after() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        for ok in ["2026-12-07", "2026-12-06", "2020-01-01"] {
            assert_eq!(check_issue_date(ok.parse().unwrap(), today), Ok(()), "{ok}");
        }
        for ahead in ["2026-12-08", "2062-12-07", "9999-12-31"] {
            let date: NaiveDate = ahead.parse().unwrap();
            let refused = check_issue_date(date, today).unwrap_err();
            assert_eq!(refused, FutureIssueDate { date, today });
            let said = refused.to_string();
            assert!(
                said.contains(ahead) && said.contains("2026-12-07"),
                "{said}"
            );
            assert!(
                said.contains("give today's date or an earlier one"),
                "{said}"
            );
        }
    }
    use super::*;

    #[test]
    fn a_number_reads_back_as_its_series_and_place() {
        let p = NumberPattern::parse("F-{YYYY}-{NNNN}").unwrap();
        assert_eq!(p.read("F-2026-0147"), Some(("F-2026-{N}".into(), 147)));
        assert_eq!(p.read("F-2026-12345"), Some(("F-2026-{N}".into(), 12345)));
        // Not what the pattern writes: unpadded, another prefix, a tail.
        assert_eq!(p.read("F-2026-147"), None);
        assert_eq!(p.read("FA-2026-0147"), None);
        assert_eq!(p.read("F-2026-0147b"), None);
        assert_eq!(p.read("F-2026-0000"), None);
        let m = NumberPattern::parse("{YY}{MM}-{NNN}").unwrap();
        assert_eq!(m.read("2603-042"), Some(("2603-{N}".into(), 42)));
        assert_eq!(m.read("2613-042"), None);
        let plain = NumberPattern::parse("INV{NNNNN}").unwrap();
        assert_eq!(plain.read("INV00007"), Some(("INV{N}".into(), 7)));
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn numbers_and_series() {
        let cases = [
            ("F-{YYYY}-{NNNN}", 7, "F-2026-0007", "F-2026-{N}"),
            ("F-{YYYY}-{NNNN}", 12345, "F-2026-12345", "F-2026-{N}"),
            ("AV-{YYYY}-{NNNN}", 1, "AV-2026-0001", "AV-2026-{N}"),
            ("{YY}{MM}-{NNN}", 42, "2611-042", "2611-{N}"),
            ("FACT{N}", 3, "FACT3", "FACT{N}"),
            ("  INV-{NNNNNN} ", 99, "INV-000099", "INV-{N}"),
        ];
        for (pattern, n, number, series) in cases {
            let p = NumberPattern::parse(pattern).unwrap();
            assert_eq!(p.format(date(2026, 11, 23), n), number, "{pattern}");
            assert_eq!(p.series_key(date(2026, 11, 23)), series, "{pattern}");
        }
    }

    #[test]
    fn a_yearly_series_restarts_each_year_only() {
        let p = NumberPattern::parse(NumberPattern::DEFAULT_INVOICE).unwrap();
        assert_eq!(
            p.series_key(date(2026, 1, 1)),
            p.series_key(date(2026, 12, 31))
        );
        assert_ne!(
            p.series_key(date(2026, 12, 31)),
            p.series_key(date(2027, 1, 1))
        );
    }

    #[test]
    fn bad_patterns_say_what_to_fix() {
        let cases = [
            ("F-{YYYY}", "has no counter: add {NNNN}"),
            ("{NNN}-{NN}", "more than one counter"),
            ("F-{DD}-{NNNN}", "unknown field {DD}"),
            ("F-{NNNN", "unmatched brace"),
            ("F}-{NNNN}", "unmatched brace"),
            ("F/{NNNN}", "cannot go in a file name"),
            ("F-{}-{NNNN}", "unknown field {}"),
        ];
        for (pattern, message) in cases {
            let err = NumberPattern::parse(pattern).unwrap_err().to_string();
            assert!(err.contains(message), "{pattern}: {err}");
        }
    }

    #[test]
    fn numbers_that_can_name_a_file() {
        for number in ["F-2026-0001", "AV-26-12-007", "Facture 12"] {
            assert!(is_file_name_safe(number), "{number}");
        }
        for number in [
            "", "../x", "..", ".hidden", "a/b", "a\\b", "C:x", "a\u{0}b", "a\nb",
        ] {
            assert!(!is_file_name_safe(number), "{number:?}");
        }
    }
}
