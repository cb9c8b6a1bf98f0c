//! Confirming a client's VAT number with VIES from the client form: the
//! same `acquit_sync::vies::confirm_client` as `acquit client check-vat`
//! (the seller's own number as the requester, the answer kept on the
//! client's profile), run on a blocking thread with its own connection
//! (`payments::on_own_connection`), never under the UI's.

use acquit_core::VatCheck;
use acquit_store::ClientId;
use acquit_sync::vies::{Confirmation, ViesClient, confirm_client};
use serde::Serialize;
use tauri::State;

use crate::commands::{Books, CommandError};
use crate::payments::on_own_connection;

/// Where a client's VAT number stands with VIES.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum VatCheckState {
    /// VIES says the number is registered and active.
    Confirmed,
    /// VIES does not know the number (a finding, shown as a warning).
    NotRegistered,
    /// VIES could not say (network, a member state down…): `reason`.
    NotConfirmed,
    /// No number VIES checks: none, a French one (its SIREN says enough),
    /// a UK one.
    NotApplicable,
}

/// A VIES check as the client form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VatCheckView {
    pub state: VatCheckState,
    /// The number VIES was asked about.
    pub number: Option<String>,
    /// YYYY-MM-DD, VIES's date of the answer.
    pub checked_on: Option<String>,
    /// VIES's consultation number (`WAPI…`), the proof of the check.
    pub consultation: Option<String>,
    /// The registered name and address, when the member state gives them.
    pub name: Option<String>,
    pub address: Option<String>,
    /// Why VIES could not say, in the UI's language, with what to do.
    pub reason: Option<String>,
    /// Asking again later may cure it (network, VIES or a register down).
    pub transient: bool,
}

impl VatCheckView {
    fn bare(state: VatCheckState) -> VatCheckView {
        VatCheckView {
            state,
            number: None,
            checked_on: None,
            consultation: None,
            name: None,
            address: None,
            reason: None,
            transient: false,
        }
    }

    /// A stored check: confirmed or not registered.
    pub fn of_check(check: &VatCheck) -> VatCheckView {
        VatCheckView {
            number: Some(check.number.to_string()),
            checked_on: Some(check.checked_on.to_string()),
            consultation: check.consultation.clone(),
            name: check.name.clone(),
            address: check.address.clone(),
            ..VatCheckView::bare(if check.valid {
                VatCheckState::Confirmed
            } else {
                VatCheckState::NotRegistered
            })
        }
    }

    /// What `confirm_client` did, with VIES's errors in the UI's language.
    pub fn of(confirmation: &Confirmation) -> VatCheckView {
        match confirmation {
            Confirmation::NotApplicable => VatCheckView::bare(VatCheckState::NotApplicable),
            Confirmation::Checked(check) => VatCheckView::of_check(check),
            Confirmation::NotConfirmed(error) => VatCheckView {
                reason: Some(crate::messages::localize(error)),
                transient: error.is_transient(),
                ..VatCheckView::bare(VatCheckState::NotConfirmed)
            },
        }
    }
}

/// Asks VIES about client `id`'s VAT number and keeps the answer on its
/// profile, as `acquit client check-vat` does. VIES or the network failing
/// is a "not confirmed" view, never an error: only the books failing are.
#[tauri::command]
#[specta::specta]
pub async fn check_client_vat(
    books: State<'_, Books>,
    id: i32,
) -> Result<VatCheckView, CommandError> {
    let id = ClientId(i64::from(id));
    let confirmation = on_own_connection(&books, move |store| {
        let vies = match ViesClient::from_env() {
            Ok(vies) => vies,
            Err(e) => return Ok(Confirmation::NotConfirmed(e)),
        };
        tauri::async_runtime::block_on(confirm_client(store, id, &vies))
            .map_err(|e| crate::messages::localize(&e))
    })
    .await?;
    if let Confirmation::NotConfirmed(error) = &confirmation {
        tracing::warn!(%error, client = id.0, "VIES check not confirmed");
    }
    Ok(VatCheckView::of(&confirmation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_core::ids::VatNumber;
    use acquit_sync::vies::ViesError;
    use chrono::NaiveDate;

    fn check(valid: bool) -> VatCheck {
        VatCheck {
            number: VatNumber::parse("DE136695976").unwrap(),
            valid,
            checked_on: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            consultation: valid.then(|| "WAPIAAAAAAAAAAA1".to_owned()),
            name: valid.then(|| "KUNDE GMBH".to_owned()),
            address: None,
        }
    }

    #[test]
    fn each_answer_of_vies_has_its_view() {
        let confirmed = VatCheckView::of(&Confirmation::Checked(check(true)));
        assert_eq!(confirmed.state, VatCheckState::Confirmed);
        assert_eq!(confirmed.number.as_deref(), Some("DE136695976"));
        assert_eq!(confirmed.checked_on.as_deref(), Some("2026-12-07"));
        assert_eq!(confirmed.consultation.as_deref(), Some("WAPIAAAAAAAAAAA1"));
        assert_eq!(confirmed.name.as_deref(), Some("KUNDE GMBH"));
        assert_eq!(confirmed.reason, None);

        let unknown = VatCheckView::of(&Confirmation::Checked(check(false)));
        assert_eq!(unknown.state, VatCheckState::NotRegistered);
        assert_eq!(unknown.checked_on.as_deref(), Some("2026-12-07"));
        assert_eq!(unknown.consultation, None);

        let none = VatCheckView::of(&Confirmation::NotApplicable);
        assert_eq!(none, VatCheckView::bare(VatCheckState::NotApplicable));

        let down = VatCheckView::of(&Confirmation::NotConfirmed(
            ViesError::MemberStateUnavailable { state: "ES".into() },
        ));
        assert_eq!(down.state, VatCheckState::NotConfirmed);
        assert!(down.transient);
        assert!(down.reason.as_deref().unwrap().contains("ES"), "{down:?}");
        assert_eq!(down.checked_on, None);

        let blocked = VatCheckView::of(&Confirmation::NotConfirmed(ViesError::VatBlocked {
            number: "DE136695976".into(),
        }));
        assert!(!blocked.transient);
    }

    #[test]
    fn the_view_is_camel_case_for_the_ui() {
        let json =
            serde_json::to_string(&VatCheckView::of(&Confirmation::Checked(check(false)))).unwrap();
        assert!(
            json.contains(r#""state":"notRegistered""#)
                && json.contains(r#""checkedOn":"2026-12-07""#),
            "{json}"
        );
    }
}
