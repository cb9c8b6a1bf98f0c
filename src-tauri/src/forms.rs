//! Reading the UI's forms into domain values with the core's parsers, and
//! collecting each field's error so it is shown next to that field.

use crate::commands::{CommandError, FieldError};

/// Collects field errors while a form is read.
#[derive(Debug, Default)]
pub(crate) struct Form {
    errors: Vec<FieldError>,
}

impl Form {
    /// An optional text field parsed by `parse` (a core identifier type):
    /// empty means absent.
    pub fn optional<T, E: std::fmt::Display + 'static>(
        &mut self,
        field: &str,
        input: Option<&str>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let input = input.map(str::trim).filter(|s| !s.is_empty())?;
        self.required(field, input, parse)
    }

    /// A field that must parse.
    pub fn required<T, E: std::fmt::Display + 'static>(
        &mut self,
        field: &str,
        input: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(input) {
            Ok(value) => Some(value),
            Err(e) => {
                self.error(field, crate::messages::localize(&e));
                None
            }
        }
    }

    /// A text that must not be empty.
    pub fn text(&mut self, field: &str, input: &str, message: &str) -> Option<String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            self.error(field, message.to_owned());
            None
        } else {
            Some(trimmed.to_owned())
        }
    }

    pub fn error(&mut self, field: &str, message: String) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
    }

    /// Ok when no field had an error; else one error listing them all.
    pub fn finish(self) -> Result<(), CommandError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        Err(CommandError {
            message: self
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            fields: self.errors,
        })
    }
}

/// A postal address typed in a text area: trimmed lines, empty ones dropped.
pub(crate) fn address(input: &str) -> String {
    input
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
