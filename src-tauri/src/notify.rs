//! Native notifications (tauri-plugin-notification: the Freedesktop
//! notification service on Linux, Notification Center on macOS, toasts on
//! Windows), so a payment is known when the window is not in front: an
//! invoice paid or partly paid by a sync, the reminders due today (once a
//! day), a recurring invoice issued by itself, a quote the client accepted
//! or declined on its page, a debit that failed, what the e-invoicing
//! platform rejected or the buyer refused or disputed. Shown only while the window
//! is hidden or not focused (the window says it otherwise), in the UI's
//! language. Each kind can be turned off (settings `notify.{kind}` =
//! `off`).

use acquit_core::{InvoiceStatus, Lang};
use acquit_store::{Made, PeriodMade, Store};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_notification::NotificationExt;

use crate::commands::{Books, CommandError};
use crate::messages::{say, ui_lang};

/// A kind of notification, named as its setting is (`notify.payments`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    Payments,
    Reminders,
    Recurring,
    Quotes,
    /// A debit (SEPA) that failed.
    Failed,
    /// The platform's rejection, the buyer's refusal or dispute: the
    /// statuses that ask the seller to act.
    Platform,
}

impl NotificationKind {
    fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Payments => "payments",
            NotificationKind::Reminders => "reminders",
            NotificationKind::Recurring => "recurring",
            NotificationKind::Quotes => "quotes",
            NotificationKind::Failed => "failed",
            NotificationKind::Platform => "platform",
        }
    }
}

/// The setting of the last day the reminders due were announced.
const REMINDERS_ANNOUNCED: &str = "notify.reminders.last";

fn setting(kind: NotificationKind) -> String {
    format!("notify.{}", kind.as_str())
}

fn enabled(store: &Store, kind: NotificationKind) -> bool {
    !matches!(store.setting(&setting(kind)), Ok(Some(v)) if v == "off")
}

/// Whether the user is looking at the window (then it says it itself).
fn in_front(app: &AppHandle) -> bool {
    app.get_webview_window("main").is_some_and(|w| {
        w.is_visible().unwrap_or(false)
            && w.is_focused().unwrap_or(false)
            && !w.is_minimized().unwrap_or(false)
    })
}

/// Shows a notification on a thread of its own: a session bus slow to
/// answer (or to say it has no notification service) never holds up the
/// background sync that asked.
fn show(app: &AppHandle, title: &str, body: &str) {
    let (app, title, body) = (app.clone(), title.to_owned(), body.to_owned());
    std::thread::spawn(move || {
        if let Err(error) = app
            .notification()
            .builder()
            .title(&title)
            .body(&body)
            .show()
        {
            // No notification service (a bare session): the window still
            // says it; nothing else to do.
            tracing::warn!(%error, "notification not shown");
        }
    });
}

/// After a sync applied payments to `numbers`.
pub fn payments(app: &AppHandle, store: &Store, numbers: &[String]) {
    if in_front(app) || !enabled(store, NotificationKind::Payments) {
        return;
    }
    let lang = ui_lang();
    for number in numbers {
        let Ok(view) = store.invoice(number) else {
            continue;
        };
        let title = match view.status {
            InvoiceStatus::Paid => match lang {
                Lang::Fr => format!("{number} payée\u{202f}: {}", view.totals.total.format(lang)),
                Lang::En => format!("{number} paid: {}", view.totals.total.format(lang)),
            },
            InvoiceStatus::PartiallyPaid => match lang {
                Lang::Fr => format!(
                    "{number}\u{202f}: paiement reçu, reste {}",
                    view.amount_due.format(lang)
                ),
                Lang::En => format!(
                    "{number}: payment received, {} still due",
                    view.amount_due.format(lang)
                ),
            },
            // A debit under way says nothing yet: the money is not in.
            _ => continue,
        };
        show(app, &title, &view.buyer.name);
    }
}

/// Once a day: the reminders due today, if any.
pub fn reminders_due(app: &AppHandle, store: &mut Store) {
    let today = acquit_store::today();
    // The cheap checks first: this runs on every turn of the background
    // loop, and the list of reminders due reads every open invoice.
    if in_front(app)
        || !enabled(store, NotificationKind::Reminders)
        || store.setting(REMINDERS_ANNOUNCED).ok().flatten().as_deref()
            == Some(today.to_string().as_str())
    {
        return;
    }
    // Named in the notification: the first few.
    let Ok((due, total)) = acquit_documents::reminders::due_first(store, today, 5) else {
        return;
    };
    if due.is_empty() {
        // Looked at for today: what is due changes with the day.
        let _gate = crate::backups::writing();
        let _ = store.set_setting(REMINDERS_ANNOUNCED, &today.to_string());
        return;
    }
    let mut numbers: Vec<&str> = due.iter().map(|r| r.number.as_str()).collect();
    if total > due.len() {
        numbers.push("…");
    }
    let title = match (ui_lang(), total) {
        (Lang::Fr, 1) => "1 relance à envoyer aujourd’hui".to_owned(),
        (Lang::Fr, n) => format!("{n} relances à envoyer aujourd’hui"),
        (Lang::En, 1) => "1 reminder to send today".to_owned(),
        (Lang::En, n) => format!("{n} reminders to send today"),
    };
    show(app, &title, &numbers.join(", "));
    let _gate = crate::backups::writing();
    let _ = store.set_setting(REMINDERS_ANNOUNCED, &today.to_string());
}

/// The recurring invoices the background task issued.
pub fn recurring(app: &AppHandle, store: &Store, made: &[PeriodMade]) {
    if in_front(app) || !enabled(store, NotificationKind::Recurring) {
        return;
    }
    for m in made {
        if let Made::Issued { number } = &m.made {
            let total = store
                .invoice(number)
                .map(|v| v.totals.total.format(ui_lang()))
                .unwrap_or_default();
            show(
                app,
                &say(
                    &format!("Facture récurrente {number} émise\u{202f}: {total}"),
                    &format!("Recurring invoice {number} issued: {total}"),
                ),
                "",
            );
        }
    }
}

/// The title of a quote decided on its page, in `lang`.
fn quote_title(q: &acquit_documents::quote_page::DecidedQuote, lang: Lang) -> String {
    match (q.accepted, lang) {
        (true, Lang::Fr) => format!("Devis {} accepté par {}", q.number, q.by),
        (false, Lang::Fr) => format!("Devis {} refusé par {}", q.number, q.by),
        (true, Lang::En) => format!("Quote {} accepted by {}", q.number, q.by),
        (false, Lang::En) => format!("Quote {} declined by {}", q.number, q.by),
    }
}

/// After a sync read the answers clients gave on their quotes' pages.
pub fn quotes(
    app: &AppHandle,
    store: &Store,
    decided: &[acquit_documents::quote_page::DecidedQuote],
) {
    if decided.is_empty() || in_front(app) || !enabled(store, NotificationKind::Quotes) {
        return;
    }
    let lang = ui_lang();
    for q in decided {
        let body = store
            .quote(&q.number, acquit_store::today())
            .map(|v| format!("{} · {}", v.buyer.name, v.totals.total.format(lang)))
            .unwrap_or_default();
        show(app, &quote_title(q, lang), &body);
    }
}

/// After a sync recorded debits that failed.
pub fn payments_failed(
    app: &AppHandle,
    store: &Store,
    failed: &[acquit_sync::engine::FailedDebit],
) {
    if failed.is_empty() || in_front(app) || !enabled(store, NotificationKind::Failed) {
        return;
    }
    let lang = ui_lang();
    for debit in failed {
        let due = store
            .invoice(&debit.invoice)
            .map(|v| v.amount_due.format(lang))
            .unwrap_or_default();
        show(
            app,
            &failed_title(&debit.invoice, &due, lang),
            &debit.reason,
        );
    }
}

fn failed_title(number: &str, due: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{number}\u{202f}: le prélèvement a échoué, {due} restent dus"),
        Lang::En => format!("{number}: the debit failed, {due} still due"),
    }
}

/// After the platform was asked: what it rejected, and the statuses that
/// ask the seller to act (refused, disputed, suspended…), with what to do.
pub fn platform(app: &AppHandle, store: &Store, refreshed: &acquit_documents::einvoice::Refreshed) {
    if in_front(app) || !enabled(store, NotificationKind::Platform) {
        return;
    }
    for (title, body) in platform_news(refreshed, ui_lang()) {
        show(app, &title, &body);
    }
}

/// The notifications a refresh calls for, as `(title, body)`: a flow the
/// platform rejected (said as status 213), then each new status that comes
/// with something to do (core's `Status::next_step`).
fn platform_news(
    refreshed: &acquit_documents::einvoice::Refreshed,
    lang: Lang,
) -> Vec<(String, String)> {
    let fr = lang == Lang::Fr;
    let said = |number: &str, code: u16| {
        let status = acquit_core::einvoicing::Status::of(code)?;
        let next = status.next_step(fr)?;
        // French typography: a narrow no-break space before the colon.
        let colon = if fr { "\u{202f}:" } else { ":" };
        Some((
            format!("{number}{colon} {}", status.name(fr)),
            next.to_owned(),
        ))
    };
    let rejected = refreshed
        .acknowledged
        .iter()
        .filter(|(_, ack)| *ack == acquit_store::FlowAck::Error)
        .filter_map(|(number, _)| said(number, 213));
    let statuses = refreshed
        .statuses
        .iter()
        .filter_map(|(number, code)| said(number, *code));
    rejected.chain(statuses).collect()
}

/// Which notifications are on.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    pub payments: bool,
    pub reminders: bool,
    pub recurring: bool,
    pub quotes: bool,
    pub failed: bool,
    pub platform: bool,
}

#[tauri::command]
#[specta::specta]
pub fn notification_settings(
    books: State<'_, Books>,
) -> Result<NotificationSettings, CommandError> {
    books.with(|store| {
        Ok::<_, acquit_store::StoreError>(NotificationSettings {
            payments: enabled(store, NotificationKind::Payments),
            reminders: enabled(store, NotificationKind::Reminders),
            recurring: enabled(store, NotificationKind::Recurring),
            quotes: enabled(store, NotificationKind::Quotes),
            failed: enabled(store, NotificationKind::Failed),
            platform: enabled(store, NotificationKind::Platform),
        })
    })
}

/// Turns one kind of notification on or off.
#[tauri::command]
#[specta::specta]
pub fn set_notification(
    books: State<'_, Books>,
    kind: NotificationKind,
    on: bool,
) -> Result<(), CommandError> {
    books.with(|store| store.set_setting(&setting(kind), if on { "on" } else { "off" }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_documents::quote_page::DecidedQuote;

    #[test]
    fn a_kind_is_named_as_its_setting() {
        for kind in [
            NotificationKind::Payments,
            NotificationKind::Reminders,
            NotificationKind::Recurring,
            NotificationKind::Quotes,
            NotificationKind::Failed,
            NotificationKind::Platform,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(setting(NotificationKind::Payments), "notify.payments");
    }

    #[test]
    fn the_platform_s_news_that_ask_to_act_are_told_with_what_to_do() {
        let refreshed = acquit_documents::einvoice::Refreshed {
            acknowledged: vec![
                ("F-2027-0001".into(), acquit_store::FlowAck::Ok),
                ("F-2027-0002".into(), acquit_store::FlowAck::Error),
            ],
            statuses: vec![
                ("F-2027-0003".into(), 205),
                ("F-2027-0004".into(), 210),
                ("F-2027-0005".into(), 207),
            ],
            ..Default::default()
        };
        let news = platform_news(&refreshed, Lang::Fr);
        let titles: Vec<&str> = news.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            titles,
            [
                "F-2027-0002\u{202f}: Rejetée",
                "F-2027-0004\u{202f}: Refusée",
                "F-2027-0005\u{202f}: En litige"
            ]
        );
        // Each says what to do, as the invoice's timeline does.
        let refused = acquit_core::einvoicing::Status::of(210).unwrap();
        assert_eq!(news[1].1, refused.next_step(true).unwrap());
        let english = platform_news(&refreshed, Lang::En);
        assert_eq!(english[0].0, "F-2027-0002: Rejected by the platform");
        assert_eq!(
            failed_title("F-2027-0006", "1 350,00 €", Lang::Fr),
            "F-2027-0006\u{202f}: le prélèvement a échoué, 1 350,00 € restent dus"
        );
    }

    #[test]
    fn a_decided_quote_is_told_in_the_ui_s_language() {
        let accepted = DecidedQuote {
            number: "D-2027-0001".into(),
            accepted: true,
            by: "Léa Martin".into(),
        };
        assert_eq!(
            quote_title(&accepted, Lang::Fr),
            "Devis D-2027-0001 accepté par Léa Martin"
        );
        let declined = DecidedQuote {
            accepted: false,
            ..accepted
        };
        assert_eq!(
            quote_title(&declined, Lang::En),
            "Quote D-2027-0001 declined by Léa Martin"
        );
    }
}
