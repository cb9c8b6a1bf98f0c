//! Making the recurring invoices due, and mailing those a schedule sends
//! by itself: the store makes each period once (`Store::run_recurring`),
//! with its payment link reserved in the same transaction when the
//! schedule asks for one (created on Stripe by [`acquit_sync::links::
//! resume_pending`], at the next sync or at once by [`finish_links`]);
//! here each invoice of a mailing schedule that was issued and never
//! mailed is sent through the user's server ([`crate::mail`]), so a crash
//! between the issue and the mail is made up at the next run, and a mail
//! is never sent twice (`sent_mail`: an unfinished send is refused until
//! the user checks). An invoice whose link Stripe has not made yet waits
//! for it: the client gets the mail with the link, not before it.

use acquit_store::{LinkStatus, PeriodMade, Store, StoreError};
use serde::Serialize;

use crate::mail::{self, Mailer};
use acquit_sync::links::{self, LinkError};
use acquit_sync::relay::RelayClient;

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
    let mut out = make(store, until)?;
    mail_due(store, &mut out)?;
    Ok(out)
}

/// Makes what is due up to `until` (each period once, its link reserved
/// with it), and mails nothing yet.
pub fn make(store: &mut Store, until: chrono::NaiveDate) -> Result<RunOutcome, StoreError> {
    let (made, failed) = store.run_recurring(until)?;
    Ok(RunOutcome {
        made,
        failed,
        ..RunOutcome::default()
    })
}

/// Creates on Stripe the links reserved and not made yet (a schedule's
/// new invoices, or a link a crash left reserved) and publishes them to
/// the relay, so that `acquit recurring run` hands out working links at
/// once rather than at the next sync. Returns the links made; a relay
/// that cannot be reached only delays the page (the next sync publishes).
pub async fn finish_links(
    store: &mut Store,
    stripe: &acquit_stripe::Client,
    relay: Option<&RelayClient>,
) -> Result<Vec<acquit_store::StoredLink>, LinkError> {
    let made = links::resume_pending(store, stripe).await?;
    if let Some(relay) = relay {
        for link in &made {
            if let Err(error) = links::publish(store, relay, link).await {
                tracing::warn!(%error, link = link.id.0, "could not publish the link to the relay");
            }
        }
    }
    Ok(made)
}

/// Mails the issued invoices of the schedules that send by mail and were
/// not mailed yet (see [`run`]), each once its payment link is made when
/// the schedule makes one.
pub fn mail_due(store: &mut Store, out: &mut RunOutcome) -> Result<(), StoreError> {
    let mut mailer: Option<Result<Mailer, String>> = None;
    for schedule in store.recurring_list()? {
        if !schedule.delivery.mail {
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
            if schedule.delivery.link
                && store
                    .links(number)?
                    .iter()
                    .any(|l| l.status == LinkStatus::Pending)
            {
                out.not_mailed.push((
                    number.clone(),
                    "waiting for its payment link: Stripe has not made it yet (`acquit sync` asks again)".into(),
                ));
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
    Ok(())
}
