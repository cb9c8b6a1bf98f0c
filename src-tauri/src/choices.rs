//! The closed lists the UI chooses from or is shown, typed for it: each
//! fieldless core or store enum a form sends or a screen shows (a status, a
//! kind, a method, a tone) has a twin here that specta turns into a
//! TypeScript union, so the UI's every comparison (`status === "paid"`) is
//! checked by its compiler. Conversions both ways are exhaustive matches (a
//! variant added to the core fails to compile here until it is added to its
//! twin). The names on the wire are the core's own `as_str` names (its serde
//! names where it has no `as_str`), which the tests below hold.

use acquit_core::declaration::{Level, Regime, Scope};
use acquit_core::reminders::Tone;
use acquit_core::{
    Activity, Country, InvoiceKind, InvoiceStatus, LegalForm, Nature, PaymentMeans, Unit,
};
use acquit_mail::Security;
use acquit_store::{LinkKind, LinkStatus, PaymentKind, PaymentMethod, RecurringMode, ReminderVia};
use serde::{Deserialize, Serialize};

/// A twin of a fieldless core enum, with `From` both ways.
macro_rules! twin {
    ($(#[$meta:meta])* $name:ident = $core:ident { $($variant:ident),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
        $(#[$meta])*
        pub enum $name {
            $($variant),+
        }

        #[cfg(test)]
        impl $name {
            /// Every variant, for the tests that hold the wire names.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl From<$name> for $core {
            fn from(choice: $name) -> $core {
                match choice {
                    $($name::$variant => $core::$variant),+
                }
            }
        }

        impl From<$core> for $name {
            fn from(value: $core) -> $name {
                match value {
                    $($core::$variant => $name::$variant),+
                }
            }
        }
    };
}

twin! {
    /// The seller's legal form (`eirl` only as older profiles have it).
    #[serde(rename_all = "lowercase")]
    LegalFormChoice = LegalForm { Ei, Eirl, Eurl, Sarl, Sasu, Sas, Sa, Snc, Sci, Association, Other }
}

twin! {
    /// The seller's main activity: it gives a line without a nature its own.
    #[serde(rename_all = "kebab-case")]
    ActivityChoice = Activity { Goods, CommercialServices, LiberalServices }
}

twin! {
    /// Goods or a service, per line.
    #[serde(rename_all = "lowercase")]
    NatureChoice = Nature { Goods, Service }
}

twin! {
    /// What a line's quantity counts.
    #[serde(rename_all = "kebab-case")]
    UnitChoice = Unit { Hour, Day, Month, Unit, Kg, M, M2, Km, LumpSum }
}

twin! {
    /// A way the client may pay (the invoice's BT-81).
    #[serde(rename_all = "kebab-case")]
    PaymentMeansChoice = PaymentMeans { Transfer, Card, Cheque, Cash }
}

twin! {
    /// What a document is.
    #[serde(rename_all = "snake_case")]
    InvoiceKindChoice = InvoiceKind { Standard, Deposit, Balance, CreditNote }
}

twin! {
    /// Where an invoice stands (derived by the core from its payments and
    /// credit notes).
    #[serde(rename_all = "kebab-case")]
    InvoiceStatusChoice = InvoiceStatus { Draft, Issued, Processing, PartiallyPaid, Paid, Cancelled }
}

twin! {
    /// A line of the receipts: money in, money given back, or a
    /// counter-entry cancelling a mistake.
    #[serde(rename_all = "lowercase")]
    PaymentKindChoice = PaymentKind { Payment, Refund, Reversal }
}

twin! {
    /// How a payment was received.
    #[serde(rename_all = "kebab-case")]
    PaymentMethodChoice = PaymentMethod { Stripe, Transfer, Cheque, Cash, CardTerminal, Other }
}

twin! {
    /// A lasting Stripe Payment Link, or a Checkout Session that expires.
    #[serde(rename_all = "kebab-case")]
    LinkKindChoice = LinkKind { PaymentLink, Checkout }
}

twin! {
    /// Where a payment link stands.
    #[serde(rename_all = "lowercase")]
    LinkStatusChoice = LinkStatus { Pending, Open, Processing, Paid, Expired, Deactivated, Failed }
}

twin! {
    /// How a payment reminder speaks.
    #[serde(rename_all = "lowercase")]
    ReminderToneChoice = Tone { Courtesy, Reminder, Firm, Final }
}

twin! {
    /// How a reminder goes out: by Acquit through the mail server (`smtp`),
    /// handed to the mail client (`email`), or to WhatsApp.
    #[serde(rename_all = "lowercase")]
    ReminderViaChoice = ReminderVia { Email, Whatsapp, Smtp }
}

twin! {
    /// Where a year-to-date total stands against a threshold.
    #[serde(rename_all = "kebab-case")]
    ThresholdLevelChoice = Level { Below, Near, Crossed, NearHigher, HigherCrossed }
}

twin! {
    /// Which rule a threshold belongs to.
    #[serde(rename_all = "kebab-case")]
    RegimeChoice = Regime { Micro, VatFranchise }
}

twin! {
    /// What a threshold is compared with: all the turnover or the services.
    #[serde(rename_all = "lowercase")]
    ScopeChoice = Scope { All, Services }
}

twin! {
    /// A recurring schedule issues each invoice, or prepares it as a draft.
    #[serde(rename_all = "lowercase")]
    RecurringModeChoice = RecurringMode { Auto, Draft }
}

twin! {
    /// How the mail server is reached: STARTTLS (587) or TLS from the start (465).
    #[serde(rename_all = "lowercase")]
    MailSecurityChoice = Security { Starttls, Tls }
}

/// A legal form the company form offers, with what it implies.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LegalFormOption {
    pub value: LegalFormChoice,
    /// A company: its invoices state its share capital.
    pub has_share_capital: bool,
}

/// A country of the address forms.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CountryOption {
    /// ISO 3166-1 alpha-2: `FR`.
    pub code: String,
    /// In the language asked for.
    pub name: String,
}

/// What the forms' selects offer, in the core's order.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FormChoices {
    /// The forms a business can have today (no new EIRL since 2022).
    pub legal_forms: Vec<LegalFormOption>,
    pub activities: Vec<ActivityChoice>,
    pub units: Vec<UnitChoice>,
    /// The ways to pay a draft may offer.
    pub payment_means: Vec<PaymentMeansChoice>,
    /// Every ISO 3166-1 country, named in `lang` (the UI sorts them).
    pub countries: Vec<CountryOption>,
}

/// Every country of the core's ISO 3166-1 table.
fn countries() -> &'static [Country] {
    static ALL: std::sync::OnceLock<Vec<Country>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| Country::all().collect())
}

/// The lists of the company, client and line forms.
#[tauri::command]
#[specta::specta]
pub fn form_choices(lang: String) -> Result<FormChoices, crate::commands::CommandError> {
    let lang = crate::commands::lang(&lang)?;
    Ok(FormChoices {
        legal_forms: LegalForm::CHOOSABLE
            .into_iter()
            .map(|f| LegalFormOption {
                value: f.into(),
                has_share_capital: f.has_share_capital(),
            })
            .collect(),
        activities: Activity::ALL.into_iter().map(Into::into).collect(),
        units: Unit::ALL.into_iter().map(Into::into).collect(),
        payment_means: PaymentMeans::ALL.into_iter().map(Into::into).collect(),
        countries: countries()
            .iter()
            .map(|c| CountryOption {
                code: c.code().to_owned(),
                name: c.name(lang).to_owned(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn the_ui_names_are_the_cores() {
        for f in LegalForm::CHOOSABLE.into_iter().chain([LegalForm::Eirl]) {
            assert_eq!(wire(LegalFormChoice::from(f)), f.as_str());
            assert_eq!(LegalForm::from(LegalFormChoice::from(f)), f);
        }
        for a in Activity::ALL {
            assert_eq!(wire(ActivityChoice::from(a)), a.as_str());
        }
        for n in [Nature::Goods, Nature::Service] {
            assert_eq!(wire(NatureChoice::from(n)), n.as_str());
        }
        for u in Unit::ALL {
            assert_eq!(wire(UnitChoice::from(u)), u.as_str());
            assert_eq!(Unit::from(UnitChoice::from(u)), u);
        }
        for m in PaymentMeans::ALL {
            assert_eq!(wire(PaymentMeansChoice::from(m)), m.as_str());
            assert_eq!(PaymentMeans::from(PaymentMeansChoice::from(m)), m);
        }
    }

    /// Each variant of a twin is named on the wire as `name` names its core
    /// variant, and comes back from it unchanged.
    fn holds<T, C>(all: &[T], name: impl Fn(C) -> String)
    where
        T: Copy + Serialize + PartialEq + std::fmt::Debug + From<C>,
        C: Copy + From<T>,
    {
        assert!(!all.is_empty());
        for &twin in all {
            let core = C::from(twin);
            assert_eq!(wire(twin), name(core), "{twin:?}");
            assert_eq!(T::from(core), twin);
        }
    }

    #[test]
    fn the_statuses_and_kinds_shown_are_named_as_the_core_names_them() {
        holds(InvoiceKindChoice::ALL, |k: InvoiceKind| {
            k.as_str().to_owned()
        });
        holds(InvoiceStatusChoice::ALL, |s: InvoiceStatus| {
            s.as_str().to_owned()
        });
        assert_eq!(InvoiceStatusChoice::ALL.len(), InvoiceStatus::ALL.len());
        // The store has no `as_str` for it: its serde name, which is what
        // the ledger and the invoice screen showed.
        holds(PaymentKindChoice::ALL, |k: PaymentKind| wire(k));
        holds(PaymentMethodChoice::ALL, |m: PaymentMethod| {
            m.as_str().to_owned()
        });
        holds(LinkKindChoice::ALL, |k: LinkKind| k.as_str().to_owned());
        holds(LinkStatusChoice::ALL, |s: LinkStatus| s.as_str().to_owned());
        holds(ReminderToneChoice::ALL, |t: Tone| t.as_str().to_owned());
        holds(ReminderViaChoice::ALL, |v: ReminderVia| {
            v.as_str().to_owned()
        });
        holds(ThresholdLevelChoice::ALL, |l: Level| l.as_str().to_owned());
        holds(RegimeChoice::ALL, |r: Regime| r.as_str().to_owned());
        holds(ScopeChoice::ALL, |s: Scope| s.as_str().to_owned());
        holds(RecurringModeChoice::ALL, |m: RecurringMode| {
            m.as_str().to_owned()
        });
        holds(MailSecurityChoice::ALL, |s: Security| s.as_str().to_owned());
        assert_eq!(
            wire(PaymentKindChoice::Reversal),
            format!("{:?}", PaymentKind::Reversal).to_lowercase()
        );
    }

    #[test]
    fn a_value_outside_the_list_is_refused_with_the_list() {
        let refused = serde_json::from_value::<ReminderViaChoice>("fax".into()).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "unknown variant `fax`, expected one of `email`, `whatsapp`, `smtp`"
        );
        assert!(serde_json::from_value::<InvoiceStatusChoice>("partially_paid".into()).is_err());
    }

    #[test]
    fn every_country_of_the_table_is_offered_once() {
        let all = countries();
        assert!(all.len() > 240, "{}", all.len());
        assert!(all.contains(&Country::FR));
        let mut codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        let choices = form_choices("fr".into()).unwrap();
        let gb = choices.countries.iter().find(|c| c.code == "GB").unwrap();
        assert_eq!(gb.name, "Royaume-Uni");
    }
}
