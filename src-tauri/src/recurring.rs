//! Recurring invoices in the app: a schedule made from the draft being
//! edited, the schedules listed with their next date, paused and resumed.
//! The rules are `acquit_core::recurring` and the store's (each period
//! once, in the issuing transaction); the background loop makes what is
//! due (`background::make_recurring`), and a new schedule's due periods are
//! made at once.

use acquit_core::recurring::{End, Every, Rule, Unit};
use acquit_documents::send::format_date;
use acquit_store::{Delivery, InvoiceId, RecurringMode};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::RecurringModeChoice;
use crate::commands::{Books, CommandError};
use crate::forms::Form;
use crate::messages::{localize, say};
use crate::payments::on_own_connection;

/// The "repeat this invoice" form, as typed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecurringForm {
    /// `1m`, `3m`, `1y`, `1w`, `2w`, …
    pub every: String,
    /// YYYY-MM-DD.
    pub start: String,
    pub mode: RecurringModeChoice,
    /// A number of invoices in all (blank: no end).
    pub count: Option<String>,
    /// Each invoice issued is mailed to the client by Acquit (SMTP).
    pub mail: bool,
    /// Each invoice issued gets a Stripe payment link.
    pub link: bool,
}

/// A schedule as the list shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecurringView {
    pub id: i32,
    pub client: String,
    /// "Tous les mois", "Toutes les 2 semaines", … in the UI's language.
    pub every: String,
    pub auto: bool,
    /// Mailed by Acquit.
    pub mail: bool,
    /// A payment link made for each invoice.
    pub link: bool,
    pub paused: bool,
    /// The next period's day, as the UI reads it; none once ended or paused.
    pub next: Option<String>,
    pub made: u32,
    /// The last invoice made: its number, or "brouillon N".
    pub last: Option<String>,
}

fn every_label(every: Every, lang: acquit_core::Lang) -> String {
    let fr = matches!(lang, acquit_core::Lang::Fr);
    match (every.unit, every.n, fr) {
        (Unit::Month, 1, true) => "Tous les mois".into(),
        (Unit::Month, 12, true) => "Tous les ans".into(),
        (Unit::Month, n, true) => format!("Tous les {n} mois"),
        (Unit::Week, 1, true) => "Toutes les semaines".into(),
        (Unit::Week, n, true) => format!("Toutes les {n} semaines"),
        (Unit::Month, 1, false) => "Every month".into(),
        (Unit::Month, 12, false) => "Every year".into(),
        (Unit::Month, n, false) => format!("Every {n} months"),
        (Unit::Week, 1, false) => "Every week".into(),
        (Unit::Week, n, false) => format!("Every {n} weeks"),
    }
}

/// Every schedule, oldest first.
#[tauri::command]
#[specta::specta]
pub fn recurring_list(
    books: State<'_, Books>,
    lang: String,
) -> Result<Vec<RecurringView>, CommandError> {
    // The screen's language, asked with the call: the home screen asks
    // before the app-wide language is set at start.
    let lang = crate::commands::lang(&lang)?;
    let schedules = books.with(|store| store.recurring_list())?;
    Ok(schedules
        .into_iter()
        .map(|s| {
            let next_period = s.runs.last().map_or(0, |r| r.period + 1);
            RecurringView {
                id: i32::try_from(s.id).unwrap_or(i32::MAX),
                client: s.client,
                every: every_label(s.rule.every, lang),
                auto: s.mode == RecurringMode::Auto,
                mail: s.delivery.mail,
                link: s.delivery.link,
                paused: s.paused_since.is_some(),
                next: if s.paused_since.is_some() {
                    None
                } else {
                    s.rule.date_of(next_period).map(|d| format_date(lang, d))
                },
                made: u32::try_from(s.runs.len()).unwrap_or(u32::MAX),
                last: s.runs.last().map(|r| {
                    let fr = lang == acquit_core::Lang::Fr;
                    match (&r.number, r.invoice, fr) {
                        (Some(number), _, _) => number.clone(),
                        (None, Some(draft), true) => format!("brouillon {}", draft.0),
                        (None, Some(draft), false) => format!("draft {}", draft.0),
                        (None, None, true) => "brouillon supprimé".into(),
                        (None, None, false) => "draft deleted".into(),
                    }
                }),
            }
        })
        .collect())
}

/// Makes a schedule from draft `draft` (copied; it stays a draft), then
/// makes at once the periods already due. Returns the schedule's id.
#[tauri::command]
#[specta::specta]
pub async fn add_recurring(
    books: State<'_, Books>,
    draft: i32,
    form: RecurringForm,
) -> Result<i32, CommandError> {
    let mut f = Form::default();
    let every = f.required("every", &form.every, Every::parse);
    let start = f.required("start", &form.start, |s| {
        s.trim().parse::<chrono::NaiveDate>().map_err(|_| {
            say(
                "Indiquez la date de la première facture",
                "Give the first invoice's date",
            )
        })
    });
    let count = f.optional("count", form.count.as_deref(), |c| {
        c.trim().parse::<u32>().map_err(|_| {
            say(
                "Le nombre de factures est un nombre entier",
                "The number of invoices is a whole number",
            )
        })
    });
    f.finish()?;
    let mode = RecurringMode::from(form.mode);
    let (Some(every), Some(start)) = (every, start) else {
        return Err(CommandError::new("the form is incomplete"));
    };
    let end = count.map_or(End::Never, End::Count);
    let delivery = Delivery {
        mail: form.mail,
        link: form.link,
    };
    let rule = Rule::new(every, None, start, end).map_err(|e| CommandError::field("start", e))?;
    on_own_connection(&books, move |store| {
        let id = store
            .add_recurring(InvoiceId(i64::from(draft)), &rule, mode, delivery)
            .map_err(|e| localize(&e))?;
        if let Err(e) = store.run_recurring(acquit_store::today()) {
            tracing::warn!(error = %e, "recurring invoices not made yet");
        }
        Ok(i32::try_from(id).unwrap_or(i32::MAX))
    })
    .await
}

/// Pauses (`pause`) or resumes schedule `id` from today.
#[tauri::command]
#[specta::specta]
pub fn pause_recurring(books: State<'_, Books>, id: i32, pause: bool) -> Result<(), CommandError> {
    books.with(|store| store.pause_recurring(i64::from(id), pause, acquit_store::today()))
}
