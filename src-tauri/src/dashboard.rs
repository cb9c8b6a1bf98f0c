//! The home screen's numbers: what is owed, late, paid this month and on
//! its way, summed by the store (`Store::dashboard`) and formatted here.

use acquit_core::{Lang, Money};
use serde::Serialize;
use tauri::State;

use crate::commands::{Books, CommandError};
use crate::payments::on_own_connection;

/// The home screen's numbers, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    pub due: String,
    pub due_count: u32,
    pub overdue: String,
    pub overdue_count: u32,
    pub paid_this_month: String,
    pub processing: String,
    pub processing_count: u32,
}

fn sums(sums: &acquit_store::dashboard::Sums, lang: Lang) -> String {
    if sums.0.is_empty() {
        return acquit_core::Currency::from_code("EUR")
            .map(|eur| Money::zero(eur).format(lang))
            .unwrap_or_else(|_| "0".into());
    }
    sums.0
        .iter()
        .map(|m| m.format(lang))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// What is owed, late, paid this month and on its way. On its own
/// connection, off the main thread: on large books it reads every unpaid
/// invoice (0.16 s for 100,000), and the list's first page, asked at the
/// same moment, must not wait for it.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    books: State<'_, Books>,
    lang: String,
) -> Result<DashboardView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let board = on_own_connection(&books, |store| {
        store
            .dashboard(acquit_store::today())
            .map_err(|e| crate::messages::localize(&e))
    })
    .await?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(DashboardView {
        due: sums(&board.due, lang),
        due_count: count(board.due_count),
        overdue: sums(&board.overdue, lang),
        overdue_count: count(board.overdue_count),
        paid_this_month: sums(&board.paid_this_month, lang),
        processing: sums(&board.processing, lang),
        processing_count: count(board.processing_count),
    })
}
