//! Making the recurring invoices due, and mailing those a schedule sends
//! by itself: the store makes each period once (`Store::run_recurring`);
//! here each invoice of a mailing schedule that was issued and never
//! mailed is sent through the user's server ([`crate::mail`]), so a crash
//! between the issue and the mail is made up at the next run, and a mail
//! is never sent twice (`sent_mail`: an unfinished send is refused until
//! the user checks).

use acquit_store::{PeriodMade, Store, StoreError};
use serde::Serialize;

use crate::mail::{self, Mailer};

/// What one run did.
#[derive(Debug, Default, Serialize)]
pub struct RunOutcome {
    /// The periods made (issued or prepared).
    pub made: Vec<PeriodMade>,
    /// Schedules stopped by an error, with it.
    #[serde(serialize_with = "errors")]
    pub failed: Vec<(i64, StoreError)>,
    /// Invoices mailed: number and recipient.
    pub mailed: Vec<(String, String)>,
    /// Invoices to mail that were not: number and why.
    pub not_mailed: Vec<(String, String)>,
}

fn errors<S: serde::Serializer>(failed: &[(i64, StoreError)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq as _;
    let mut seq = s.serialize_seq(Some(failed.len()))?;
    for (id, e) in failed {
        seq.serialize_element(&serde_json::json!({"recurring_id": id, "error": e.to_string()}))?;
    }
    seq.end()
}

/// Makes what is due up to `until`, then mails the issued invoices of the
/// schedules that send by mail and were not mailed yet, through the mail
/// server set. The server's password is read from the keychain only when
/// there is something to mail (the app runs this every few seconds); when
/// it cannot be had, each invoice is reported in `not_mailed` with why.
pub fn run(store: &mut Store, until: chrono::NaiveDate) -> Result<RunOutcome, StoreError> {
    let mut mailer: Option<Result<Mailer, String>> = None;
    let (made, failed) = store.run_recurring(until)?;
    let mut out = RunOutcome {
        made,
        failed,
        ..RunOutcome::default()
    };
    for schedule in store.recurring_list()? {
        if !schedule.mail {
            continue;
        }
        for run in &schedule.runs {
            let Some(number) = &run.number else {
                continue;
            };
            // Any send begun (sent, or cut off: the user checks) counts:
            // only an invoice never mailed, or whose sends all failed, goes.
            let begun = store
                .mails_of(number)?
                .iter()
                .any(|m| m.sent_at.is_some() || m.answer.is_none());
            if begun {
                continue;
            }
            let loaded =
                mailer.get_or_insert_with(|| Mailer::load(store).map_err(|e| e.to_string()));
            let mailer = match loaded {
                Ok(mailer) => mailer.clone(),
                Err(why) => {
                    out.not_mailed.push((number.clone(), why.clone()));
                    continue;
                }
            };
            match mail::send_invoice(store, &mailer, number, false, false) {
                Ok(sent) => out.mailed.push((number.clone(), sent.recipient)),
                Err(e) => out.not_mailed.push((number.clone(), e.to_string())),
            }
        }
    }
    Ok(out)
}
