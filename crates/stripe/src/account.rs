//! `GET /v1/account`: the key check behind `acquit stripe connect`.
//!
//! A successful call proves Stripe accepts the key; the mode comes from the
//! key's prefix (the account object has no `livemode`), and the business
//! name is what the app shows to confirm the right account is connected.

use serde::Deserialize;

use crate::client::Client;
use crate::error::StripeError;
use crate::form::Form;
use crate::secret::Mode;

/// The fields of Stripe's `account` object that Acquit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub default_currency: Option<String>,
    #[serde(default)]
    pub charges_enabled: bool,
    #[serde(default)]
    pub business_profile: Option<BusinessProfile>,
    #[serde(default)]
    pub settings: Option<AccountSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BusinessProfile {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountSettings {
    #[serde(default)]
    pub dashboard: Option<DashboardSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DashboardSettings {
    #[serde(default)]
    pub display_name: Option<String>,
}

impl Account {
    /// The name a person recognises: the public business name, else the
    /// Dashboard's display name, else the account id.
    pub fn display_name(&self) -> &str {
        let business = self
            .business_profile
            .as_ref()
            .and_then(|b| b.name.as_deref());
        let dashboard = self
            .settings
            .as_ref()
            .and_then(|s| s.dashboard.as_ref())
            .and_then(|d| d.display_name.as_deref());
        business
            .filter(|n| !n.is_empty())
            .or(dashboard.filter(|n| !n.is_empty()))
            .unwrap_or(&self.id)
    }
}

/// What `stripe connect` learned about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    pub account: Account,
    pub mode: Mode,
}

impl Client {
    /// Retrieves the key's own account: fails with
    /// [`StripeError::InvalidKey`] when Stripe refuses the key.
    pub async fn retrieve_account(&self) -> Result<KeyCheck, StripeError> {
        let account: Account = self.get("/v1/account", &Form::new()).await?;
        Ok(KeyCheck {
            account,
            mode: self.key().mode(),
        })
    }
}
