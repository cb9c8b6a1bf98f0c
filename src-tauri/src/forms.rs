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

/// A postal address as the forms type it: street lines in a text area,
/// postcode, city and an ISO 3166-1 country code.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AddressForm {
    /// Street lines, separated by new lines.
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// `FR`, `BE`, `GB`…; empty: France.
    pub country: String,
}

impl AddressForm {
    pub fn is_blank(&self) -> bool {
        [&self.street, &self.postcode, &self.city]
            .iter()
            .all(|f| f.trim().is_empty())
    }

    /// As the form shows a stored address (an older one's street lines hold
    /// what could not be read as postcode and city).
    pub fn of(address: &acquit_core::Address) -> AddressForm {
        AddressForm {
            street: address.lines.join("\n"),
            postcode: address.postcode.clone().unwrap_or_default(),
            city: address.city.clone().unwrap_or_default(),
            country: address
                .country
                .map(|c| c.code().to_owned())
                .unwrap_or_default(),
        }
    }
}

impl Form {
    /// The address of fields `{prefix}Street`, `{prefix}Postcode`,
    /// `{prefix}City`, `{prefix}Country`, checked by the core; `None` when
    /// blank (an error when `required`).
    pub fn address(
        &mut self,
        prefix: &str,
        input: &AddressForm,
        required: Option<&str>,
    ) -> Option<acquit_core::Address> {
        if input.is_blank() {
            if let Some(message) = required {
                self.error(&format!("{prefix}Street"), message.to_owned());
            }
            return None;
        }
        let country = match input.country.trim() {
            "" => acquit_core::Country::FR,
            code => self.required(
                &format!("{prefix}Country"),
                code,
                acquit_core::Country::parse,
            )?,
        };
        let lines = input.street.lines().map(str::to_owned).collect();
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        match acquit_core::Address::new(lines, text(&input.postcode), text(&input.city), country) {
            Ok(address) => Some(address),
            Err(e) => {
                let field = match e {
                    acquit_core::AddressError::FrenchPostcode(_) => "Postcode",
                    acquit_core::AddressError::Country(_) => "Country",
                    _ => "Street",
                };
                self.error(&format!("{prefix}{field}"), crate::messages::localize(&e));
                None
            }
        }
    }
}
