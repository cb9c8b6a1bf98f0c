//! Payment reminders: which invoices are due one today, the message in the
//! client's language with the penalties accrued, and its record.
//!
//! The rules (the schedule, the step due, the penalty formula) are in
//! [`acquit_core::reminders`]; the record (one per invoice and step, ever)
//! in the store. This module joins them: the schedule is a setting
//! ([`SCHEDULE_SETTING`], default 3 days before the due date then 7, 15 and
//! 30 after), and the texts are templates per tone, editable as settings
//! (`remind.template.{tone}.{kind}.{lang}`, kinds as in
//! [`crate::send::KINDS`]'s first three), with the placeholders of
//! [`crate::send`].

use acquit_core::reminders::{LateCharges, Schedule, Step, Tone, format_rate};
use acquit_core::{Lang, Money};
use acquit_store::{NewReminder, Rejection, ReminderVia, Store, StoreError, StoredReminder};
use chrono::NaiveDate;
use serde::Serialize;

use crate::send::{self, Message, Templates};

/// The reminder schedule: days from the due date, comma-separated.
pub const SCHEDULE_SETTING: &str = "reminders.schedule";

/// The schedule in use: the setting, else the default.
pub fn schedule(store: &Store) -> Result<Schedule, StoreError> {
    match store.setting(SCHEDULE_SETTING)? {
        Some(text) => Schedule::parse(&text).map_err(|e| {
            StoreError::Rejected(Rejection::Invalid(format!(
                "the reminder schedule in the settings is unreadable ({e}): set it again with `acquit reminders --schedule -3,7,15,30`"
            )))
        }),
        None => Ok(Schedule::default()),
    }
}

/// Changes the schedule (an empty one sends no reminder by itself).
pub fn set_schedule(store: &mut Store, schedule: &Schedule) -> Result<(), StoreError> {
    store.set_setting(SCHEDULE_SETTING, &schedule.to_string())
}

/// A reminder to send (or just sent) about one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub number: String,
    pub client: String,
    pub due_date: NaiveDate,
    /// The step: a scheduled one, or the day of a reminder sent by hand.
    pub step: Step,
    /// The day it is reckoned on.
    pub on: NaiveDate,
    pub amount_due: Money,
    pub charges: LateCharges,
    /// The client's email, if any (for email and SMTP).
    pub email: Option<String>,
    /// The client's phone, if any (for WhatsApp).
    pub phone: Option<String>,
    /// The message in the client's language.
    #[serde(skip)]
    pub message: Message,
}

/// The reminders due on `today`, oldest due date first: one per invoice at
/// most (the latest step reached and not yet sent).
pub fn due(store: &Store, today: NaiveDate) -> Result<Vec<Reminder>, StoreError> {
    Ok(due_first(store, today, usize::MAX)?.0)
}

/// The first `limit` reminders [`due`] gives, and how many are due in all.
/// Which are due is decided from dates and steps sent; only the first
/// `limit` invoices are read in full (their penalties and message): books
/// with thousands of late invoices (25,961 in the store bench's) say how
/// many at once instead of reading them all (seconds) while the window
/// waits.
pub fn due_first(
    store: &Store,
    today: NaiveDate,
    limit: usize,
) -> Result<(Vec<Reminder>, usize), StoreError> {
    let schedule = schedule(store)?;
    let mut out = Vec::new();
    let mut total = 0;
    for r in store.remindable()? {
        if let Some(step) = schedule.step_due(r.issue_date, r.due_date, today, &r.sent_steps) {
            total += 1;
            if out.len() < limit {
                out.push(reminder(store, &r.number, step, today)?);
            }
        }
    }
    Ok((out, total))
}

/// The reminder of `number` to send on `today`: the step due by the
/// schedule, else one by hand at today's distance from the due date.
/// Refused when the invoice takes no reminder (paid, a credit note, no due
/// date, its client said never), was already reminded at that step, or
/// already today.
pub fn prepare(store: &Store, number: &str, today: NaiveDate) -> Result<Reminder, StoreError> {
    let view = store.invoice(number)?;
    let refuse = |why: String| -> StoreError { Rejection::Invalid(why).into() };
    if view.kind.is_credit_note() || !view.status.awaits_payment() {
        return Err(refuse(format!(
            "{number} is {}: only an invoice still awaiting payment is reminded",
            view.status.as_str()
        )));
    }
    if view.status == acquit_core::InvoiceStatus::Processing {
        return Err(refuse(format!(
            "a payment of {number} is under way (a SEPA debit takes a few days): it is not reminded meanwhile"
        )));
    }
    let (Some(issued), Some(due_date)) = (view.issue_date, view.due_date) else {
        return Err(refuse(format!(
            "{number} has no due date: there is nothing to be late for"
        )));
    };
    if store.client(view.client_id)?.no_reminders {
        return Err(refuse(format!(
            "{} is set to never be reminded: `acquit client edit {} --reminders on` first",
            view.buyer.name, view.client_id.0
        )));
    }
    let schedule = schedule(store)?;
    let sent = store.reminders_of(number)?;
    // One reminder a day at most: a second run the same day is a second
    // click, not a new step.
    if let Some(earlier) = sent.iter().find(|r| r.reminded_on == today) {
        return Err(Rejection::AlreadyReminded {
            number: number.to_owned(),
            on: earlier.reminded_on,
            via: earlier.via.as_str().to_owned(),
        }
        .into());
    }
    let offsets: Vec<i32> = sent.iter().map(|r| r.step).collect();
    let step = schedule
        .step_due(issued, due_date, today, &offsets)
        .unwrap_or_else(|| {
            let offset = i32::try_from((today - due_date).num_days()).unwrap_or(i32::MAX);
            Step {
                offset,
                date: today,
                tone: schedule.tone_after(offset, &offsets),
            }
        });
    if let Some(earlier) = sent.iter().find(|r| r.step == step.offset) {
        return Err(Rejection::AlreadyReminded {
            number: number.to_owned(),
            on: earlier.reminded_on,
            via: earlier.via.as_str().to_owned(),
        }
        .into());
    }
    reminder(store, number, step, today)
}

/// Records `reminder` as handed over (`via` email or WhatsApp) or reserved
/// for an SMTP send with `message_id`.
pub fn record(
    store: &mut Store,
    reminder: &Reminder,
    via: ReminderVia,
    message_id: Option<String>,
) -> Result<StoredReminder, StoreError> {
    store.record_reminder(
        &reminder.number,
        &NewReminder {
            step: reminder.step.offset,
            tone: reminder.step.tone,
            via,
            reminded_on: reminder.on,
            amount_due: reminder.amount_due,
            penalties: reminder.charges.penalties,
            message_id,
        },
    )
}

fn reminder(
    store: &Store,
    number: &str,
    step: Step,
    on: NaiveDate,
) -> Result<Reminder, StoreError> {
    let view = store.invoice(number)?;
    let lang = view.buyer.lang;
    let due_date = view
        .due_date
        .ok_or_else(|| StoreError::Decode(format!("{number} has no due date")))?;
    let terms = store
        .late_terms(number)?
        .ok_or_else(|| StoreError::Decode(format!("{number} has no due date or seller")))?;
    let charges = terms
        .charges(on)
        .map_err(|e| StoreError::Decode(e.to_string()))?;
    let (mut values, _) = send::values(store, number)?;
    if values.link.is_empty() {
        values.link = send::share_url(store, number)?.unwrap_or_default();
    }
    if charges.days_late > 0 {
        values.days = charges.days_late.to_string();
        if charges.penalties.is_positive() {
            values.penalties = charges.penalties.format(lang);
            values.rate = format_rate(charges.rate_bp, lang);
        }
        values.indemnity = charges
            .indemnity
            .map(|m| m.format(lang))
            .unwrap_or_default();
    }
    let message = send::build(store, number, &values, &templates(store, step.tone, lang)?)?;
    Ok(Reminder {
        number: number.to_owned(),
        client: view.buyer.name.clone(),
        due_date,
        step,
        on,
        amount_due: view.amount_due,
        charges,
        email: message.email.clone(),
        phone: message.phone.clone(),
        message,
    })
}

/// The settings key of one reminder template.
pub fn setting_key(tone: Tone, kind: &str, lang: Lang) -> String {
    format!("remind.template.{}.{kind}.{}", tone.as_str(), lang.code())
}

/// The templates in use for `tone` in `lang`: the settings, else the
/// defaults.
pub fn templates(store: &Store, tone: Tone, lang: Lang) -> Result<Templates, StoreError> {
    let defaults = default_templates(tone, lang);
    let get = |kind: &str| -> Result<String, StoreError> {
        Ok(store
            .setting(&setting_key(tone, kind, lang))?
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| defaults.get(kind).to_owned()))
    };
    Ok(Templates {
        email_subject: get("email.subject")?,
        email_body: get("email.body")?,
        whatsapp: get("whatsapp")?,
    })
}

/// The built-in templates: a line whose placeholder is empty disappears
/// (no penalties line for a consumer at 0 %, no indemnity line for a
/// consumer, no link line without a link).
pub fn default_templates(tone: Tone, lang: Lang) -> Templates {
    let t = |subject: &str, body: &str, whatsapp: &str| Templates {
        email_subject: subject.to_owned(),
        email_body: body.to_owned(),
        whatsapp: whatsapp.to_owned(),
    };
    match (lang, tone) {
        (Lang::Fr, Tone::Courtesy) => t(
            "Rappel\u{a0}: facture {number} à régler avant le {due}",
            "Bonjour,\n\n\
             Petit rappel\u{a0}: la facture {number} arrive à échéance le {due}, \
             il reste {amount} à régler.\n\
             Vous pouvez la payer en ligne\u{a0}: {link}\n\n\
             Si le paiement est déjà parti, merci de ne pas tenir compte de ce message.\n\n\
             Cordialement,",
            "Bonjour, petit rappel\u{a0}: la facture {number} ({amount}) arrive à échéance le {due}.\n\
             Pour payer en ligne\u{a0}: {link}",
        ),
        (Lang::Fr, Tone::Reminder) => t(
            "Relance\u{a0}: facture {number} échue le {due}",
            "Bonjour,\n\n\
             Sauf erreur de notre part, la facture {number} échue le {due} n’est pas \
             encore réglée\u{a0}: il reste {amount} à payer ({days} jours de retard).\n\
             Des pénalités de retard au taux annuel de {rate} courent depuis l’échéance\u{a0}: {penalties} à ce jour.\n\
             L’indemnité forfaitaire pour frais de recouvrement de {indemnity} est due (art. L441-10 du Code de commerce).\n\
             Pour la régler en ligne\u{a0}: {link}\n\n\
             Si le paiement est déjà parti, merci de ne pas tenir compte de ce message.\n\n\
             Cordialement,",
            "Bonjour, sauf erreur la facture {number} échue le {due} n’est pas encore réglée\u{a0}: \
             il reste {amount} à payer.\nPour payer en ligne\u{a0}: {link}",
        ),
        (Lang::Fr, Tone::Firm) => t(
            "Deuxième relance\u{a0}: facture {number} impayée",
            "Bonjour,\n\n\
             Malgré notre précédent rappel, la facture {number} échue le {due} reste \
             impayée depuis {days} jours\u{a0}: {amount} restent dus.\n\
             Pénalités de retard au taux annuel de {rate}, à ce jour\u{a0}: {penalties}.\n\
             Indemnité forfaitaire pour frais de recouvrement\u{a0}: {indemnity} (art. L441-10 et D441-5 du Code de commerce).\n\
             Merci de procéder au règlement sans délai\u{a0}: {link}\n\n\
             Cordialement,",
            "Bonjour, la facture {number} échue le {due} reste impayée depuis {days} jours\u{a0}: \
             {amount} restent dus, plus {penalties} de pénalités de retard.\n\
             Merci de la régler sans délai\u{a0}: {link}",
        ),
        (Lang::Fr, Tone::Final) => t(
            "Dernière relance avant mise en demeure\u{a0}: facture {number}",
            "Bonjour,\n\n\
             La facture {number}, échue le {due}, reste impayée depuis {days} jours \
             malgré nos relances\u{a0}: {amount} restent dus.\n\
             Pénalités de retard au taux annuel de {rate}, à ce jour\u{a0}: {penalties}.\n\
             Indemnité forfaitaire pour frais de recouvrement\u{a0}: {indemnity} (art. L441-10 et D441-5 du Code de commerce).\n\
             Sans règlement sous huit jours, nous vous adresserons une mise en demeure.\n\
             Pour payer en ligne\u{a0}: {link}\n\n\
             Cordialement,",
            "Bonjour, dernière relance avant mise en demeure\u{a0}: la facture {number} échue le {due} \
             reste impayée depuis {days} jours ({amount}, plus {penalties} de pénalités).\n\
             Pour payer en ligne\u{a0}: {link}",
        ),
        (Lang::En, Tone::Courtesy) => t(
            "Reminder: invoice {number} due by {due}",
            "Hello,\n\n\
             A friendly reminder: invoice {number} is due on {due}, {amount} left to pay.\n\
             You can pay it online: {link}\n\n\
             If payment is already on its way, please disregard this message.\n\n\
             Best regards,",
            "Hello, a friendly reminder: invoice {number} ({amount}) is due on {due}.\n\
             Pay online: {link}",
        ),
        (Lang::En, Tone::Reminder) => t(
            "Reminder: invoice {number} was due on {due}",
            "Hello,\n\n\
             Unless we are mistaken, invoice {number}, due on {due}, is not paid yet: \
             {amount} is still due ({days} days late).\n\
             Late-payment interest at an annual rate of {rate} runs from the due date: {penalties} to date.\n\
             The fixed recovery fee of {indemnity} is due (French Commercial Code, art. L441-10).\n\
             Pay online: {link}\n\n\
             If payment is already on its way, please disregard this message.\n\n\
             Best regards,",
            "Hello, unless we are mistaken invoice {number}, due on {due}, is not paid yet: \
             {amount} is still due.\nPay online: {link}",
        ),
        (Lang::En, Tone::Firm) => t(
            "Second reminder: invoice {number} unpaid",
            "Hello,\n\n\
             Despite our earlier reminder, invoice {number}, due on {due}, has been unpaid \
             for {days} days: {amount} is still due.\n\
             Late-payment interest at an annual rate of {rate}, to date: {penalties}.\n\
             Fixed recovery fee: {indemnity} (French Commercial Code, art. L441-10 and D441-5).\n\
             Please pay without delay: {link}\n\n\
             Best regards,",
            "Hello, invoice {number}, due on {due}, has been unpaid for {days} days: \
             {amount} is still due, plus {penalties} late-payment interest.\n\
             Please pay without delay: {link}",
        ),
        (Lang::En, Tone::Final) => t(
            "Final reminder before formal notice: invoice {number}",
            "Hello,\n\n\
             Invoice {number}, due on {due}, has been unpaid for {days} days despite our \
             reminders: {amount} is still due.\n\
             Late-payment interest at an annual rate of {rate}, to date: {penalties}.\n\
             Fixed recovery fee: {indemnity} (French Commercial Code, art. L441-10 and D441-5).\n\
             Without payment within eight days, we will send you a formal notice.\n\
             Pay online: {link}\n\n\
             Best regards,",
            "Hello, final reminder before formal notice: invoice {number}, due on {due}, has been \
             unpaid for {days} days ({amount}, plus {penalties} interest).\nPay online: {link}",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::{Values, render_template};

    fn late(indemnity: &str, penalties: &str) -> Values {
        Values {
            client: "Café des Arts".into(),
            number: "F-2027-0007".into(),
            amount: "1\u{202f}234,56\u{a0}€".into(),
            link: "https://relay.example/p/abc".into(),
            due: "01/03/2027".into(),
            days: "45".into(),
            penalties: penalties.into(),
            rate: if penalties.is_empty() {
                String::new()
            } else {
                "10\u{a0}%".into()
            },
            indemnity: indemnity.into(),
            ..Values::default()
        }
    }

    #[test]
    fn every_tone_in_both_languages_names_the_invoice_and_the_link() {
        for lang in [Lang::Fr, Lang::En] {
            for tone in Tone::ALL {
                let t = default_templates(tone, lang);
                let v = late("40,00\u{a0}€", "15,22\u{a0}€");
                for text in [&t.email_subject, &t.email_body, &t.whatsapp] {
                    let out = render_template(text, &v);
                    assert!(out.contains("F-2027-0007"), "{tone:?} {lang:?}: {out}");
                    assert!(!out.contains('{'), "a placeholder left: {out}");
                }
                let body = render_template(&t.email_body, &v);
                assert!(body.contains("https://relay.example/p/abc"), "{body}");
                assert!(body.contains("1\u{202f}234,56\u{a0}€"), "{body}");
            }
        }
    }

    #[test]
    fn a_consumer_reads_no_indemnity_and_no_penalty_at_zero() {
        let fr = default_templates(Tone::Firm, Lang::Fr);
        let business = render_template(&fr.email_body, &late("40,00\u{a0}€", "15,22\u{a0}€"));
        assert!(
            business
                .contains("Indemnité forfaitaire pour frais de recouvrement\u{a0}: 40,00\u{a0}€")
        );
        assert!(business.contains("taux annuel de 10\u{a0}%, à ce jour\u{a0}: 15,22\u{a0}€"));
        let consumer = render_template(&fr.email_body, &late("", ""));
        assert!(!consumer.contains("Indemnité"), "{consumer}");
        assert!(!consumer.contains("Pénalités"), "{consumer}");
        assert!(consumer.contains("impayée depuis 45 jours"), "{consumer}");
    }

    #[test]
    fn the_tone_rises() {
        let subjects: Vec<String> = Tone::ALL
            .iter()
            .map(|&t| default_templates(t, Lang::Fr).email_subject)
            .collect();
        assert!(subjects[0].starts_with("Rappel"));
        assert!(subjects[1].starts_with("Relance"));
        assert!(subjects[2].starts_with("Deuxième relance"));
        assert!(subjects[3].contains("mise en demeure"));
    }
}
