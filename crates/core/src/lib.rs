//! The invoicing domain, in plain Rust with no I/O.
//!
//! Owns money (integer minor units with an ISO 4217 currency), VAT, invoice
//! lines and totals, the invoice lifecycle (draft → issued → paid) and the
//! numbering rules. Depends on no other Acquit crate; everything else depends
//! on it.

pub mod address;
pub mod compliance;
pub mod currency;
pub mod decimal;
pub mod declaration;
pub mod einvoicing;
pub mod ereport;
pub mod ids;
pub mod import;
pub mod import_invoices;
pub mod invoice;
pub mod logo;
pub mod money;
pub mod net;
pub mod numbering;
pub mod party;
pub mod quantity;
pub mod quote;
pub mod recurring;
pub mod reminders;
pub mod status;
pub mod tax;

pub use address::{Address, AddressError, Country, UnknownCountry};
pub use currency::{Currency, UnknownCurrency};
pub use invoice::{
    Category, EurRate, InvoiceDetails, InvoiceKind, Line, Nature, PaymentMeans, Unit,
};
pub use money::{AmountError, Money, MoneyError};
pub use party::{Activity, Client, LegalForm, Registration, Seller, VatCheck, VatExemption};
pub use quantity::{Quantity, QuantityError, RateError, VatRate};
pub use status::{InvoiceStatus, Settlement};
pub use tax::{Discount, LineInput, Totals, VatRegime};

use serde::{Deserialize, Serialize};

/// The languages Acquit writes invoices and messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(&self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub(crate) fn decimal_point(&self) -> char {
        match self {
            Lang::Fr => ',',
            Lang::En => '.',
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Lang::Fr),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "\"{other}\" is not a language Acquit writes: use fr or en"
            )),
        }
    }
}
