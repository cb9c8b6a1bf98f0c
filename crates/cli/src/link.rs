//! `acquit link create|list|deactivate`: Stripe payment links for issued
//! invoices.
//!
//! A link is for the whole amount due, or a part of it (`--amount`: a
//! deposit, an instalment), never more than what remains; several may be
//! open at once (a lasting link and a checkout page, say). Once the invoice
//! is settled, `acquit sync` withdraws its other open links, and money taken
//! beyond what was due is recorded and shown as a refund due, never lost. `payment-link` is a lasting Stripe
//! Payment Link (paid once, then closed); `checkout` is a Checkout page that
//! expires (`--expires-in`, 30 minutes to 24 hours). When a relay is set,
//! the URL printed is the relay's stable `/p/…` page, which keeps working
//! after payment (it then says the invoice is paid).

use std::path::Path;

use acquit_store::{LinkKind, LinkStatus, NewLink, StoredLink};
use acquit_sync::links;
use acquit_sync::relay::PublicBase;
use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use crate::online::{self, Online};
use crate::table::{Align, Table};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Create a payment link for an issued invoice and print the URL to share
    Create {
        /// The invoice's number, e.g. F-2026-0001
        #[arg(value_name = "NUMBER")]
        number: String,
        /// Part of the amount due (a deposit, an instalment) [default: all
        /// that remains due]
        #[arg(long, value_name = "AMOUNT")]
        amount: Option<String>,
        /// A lasting Stripe Payment Link, or a Checkout page that expires
        #[arg(long, value_enum, default_value = "payment-link", ignore_case = true)]
        kind: KindArg,
        /// For `--kind checkout`: 30m to 24h [default: 24h]
        #[arg(long, value_name = "DURATION")]
        expires_in: Option<String>,
        /// Print the link as JSON
        #[arg(long)]
        json: bool,
    },
    /// List an invoice's payment links
    List {
        /// The invoice's number, e.g. F-2026-0001
        #[arg(value_name = "NUMBER")]
        number: String,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Deactivate an open link: it can no longer be paid
    Deactivate {
        /// Acquit's link id (see `acquit link list`), or Stripe's (plink_…, cs_…)
        #[arg(value_name = "LINK_ID")]
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    #[value(alias = "payment_link", alias = "link")]
    PaymentLink,
    Checkout,
}

/// A link as printed with `--json`.
#[derive(Debug, Serialize)]
struct LinkJson {
    id: String,
    invoice_number: String,
    kind: &'static str,
    amount: String,
    currency: String,
    status: &'static str,
    /// What to send the client.
    url: Option<String>,
    stripe_url: Option<String>,
    stripe_id: Option<String>,
    expires_at: Option<String>,
    failure: Option<String>,
}

/// `share`: what to send the client ([`links::url_for`]).
fn link_json(link: &StoredLink, share: Option<String>) -> LinkJson {
    LinkJson {
        id: link.id.0.to_string(),
        invoice_number: link.invoice_number.clone(),
        kind: match link.kind {
            LinkKind::PaymentLink => "payment-link",
            LinkKind::Checkout => "checkout",
        },
        amount: link.amount.to_decimal_string(),
        currency: link.amount.currency().code().to_owned(),
        status: link.status.as_str(),
        url: share,
        stripe_url: link.url.clone(),
        stripe_id: link.stripe_id.clone(),
        expires_at: link.expires_at.map(|t| t.to_rfc3339()),
        failure: link.failure.clone(),
    }
}

pub fn run(command: LinkCommand, path: &Path) -> Result<String, CliError> {
    match command {
        LinkCommand::Create {
            number,
            amount,
            kind,
            expires_in,
            json,
        } => {
            if let Some(amount) = &amount {
                parse::amount_shape(amount, "--amount")?;
            }
            let expires_at = match (kind, expires_in) {
                (KindArg::PaymentLink, Some(_)) => {
                    return Err(CliError::rejected(
                        "a payment link does not expire: use --kind checkout with --expires-in, or deactivate the link later",
                    ));
                }
                (KindArg::PaymentLink, None) => None,
                (KindArg::Checkout, given) => {
                    let secs = match given {
                        Some(text) => duration(&text)?,
                        None => acquit_store::CHECKOUT_LONGEST_SECS,
                    };
                    Some(chrono::Utc::now() + chrono::Duration::seconds(secs))
                }
            };
            let mut store = open(path)?;
            let currency = store.invoice(&number)?.currency;
            let amount = amount
                .map(|a| parse::amount_in(&a, currency, "--amount"))
                .transpose()?;
            let new = NewLink {
                kind: match kind {
                    KindArg::PaymentLink => LinkKind::PaymentLink,
                    KindArg::Checkout => LinkKind::Checkout,
                },
                amount,
                expires_at,
            };
            let online = Online::connect(&store, online::Need::Stripe)?;
            let stripe = online.stripe.as_ref().expect("Need::Stripe");
            let shared = online.block_on(acquit_sync::links::create_link(
                &mut store,
                stripe,
                online.relay.as_ref(),
                &number,
                &new,
            ));
            let shared = shared.map_err(online::link_error)?;
            if json {
                Ok(to_json(&link_json(&shared.link, Some(shared.share_url))))
            } else {
                Ok(format!("{}\n", shared.share_url))
            }
        }
        LinkCommand::List { number, json } => {
            let store = open(path)?;
            let links = store.links(&number)?;
            let relay = PublicBase::of(&store)?;
            let share = |l: &StoredLink| links::url_for(l, relay.as_ref());
            if json {
                let rows: Vec<_> = links.iter().map(|l| link_json(l, share(l))).collect();
                return Ok(to_json(&rows));
            }
            if links.is_empty() {
                return Ok(format!(
                    "{number} has no payment link: `acquit link create {number}` makes one\n"
                ));
            }
            let mut table = Table::new(&[
                ("ID", Align::Right),
                ("KIND", Align::Left),
                ("AMOUNT", Align::Right),
                ("STATUS", Align::Left),
                ("URL", Align::Left),
            ]);
            for link in &links {
                let mut status = link.status.as_str().to_owned();
                if let (LinkStatus::Open, Some(at)) = (link.status, link.expires_at) {
                    status = format!("open until {}", at.format("%Y-%m-%d %H:%M UTC"));
                }
                if let Some(failure) = &link.failure {
                    status = format!("{status}: {failure}");
                }
                table.row(vec![
                    link.id.0.to_string(),
                    match link.kind {
                        LinkKind::PaymentLink => "payment-link".into(),
                        LinkKind::Checkout => "checkout".into(),
                    },
                    link.amount.format(acquit_core::Lang::Fr),
                    status,
                    share(link).unwrap_or_default(),
                ]);
            }
            Ok(table.render())
        }
        LinkCommand::Deactivate { id } => {
            let mut store = open(path)?;
            let online = Online::connect(&store, online::Need::Stripe)?;
            let stripe = online.stripe.as_ref().expect("Need::Stripe");
            let link = online
                .block_on(acquit_sync::links::deactivate_link(
                    &mut store,
                    stripe,
                    online.relay.as_ref(),
                    &id,
                ))
                .map_err(online::link_error)?;
            Ok(format!(
                "Link {} of {} deactivated: it can no longer be paid.\n",
                link.id.0, link.invoice_number
            ))
        }
    }
}

/// `30m`, `2h`, `24h`, `1h30m`, `90m`: Stripe's Checkout takes 30 minutes
/// to 24 hours.
fn duration(text: &str) -> Result<i64, CliError> {
    let bad = || {
        CliError::rejected(format!(
            "\"{text}\" is not a duration: write it like 30m, 2h or 24h (between 30 minutes and 24 hours)"
        ))
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            'h' | 'm' | 's' => {
                let n: i64 = digits.parse().map_err(|_| bad())?;
                digits.clear();
                let unit = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                total = n
                    .checked_mul(unit)
                    .and_then(|v| total.checked_add(v))
                    .ok_or_else(bad)?;
                any = true;
            }
            _ => return Err(bad()),
        }
    }
    if !digits.is_empty() || !any {
        return Err(bad());
    }
    if !(acquit_store::CHECKOUT_SHORTEST_SECS..=acquit_store::CHECKOUT_LONGEST_SECS)
        .contains(&total)
    {
        return Err(CliError::rejected(format!(
            "a checkout page lasts between 30 minutes and 24 hours (Stripe's limits), not {text}: pick e.g. --expires-in 24h"
        )));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations() {
        assert_eq!(duration("24h").unwrap(), 86_400);
        assert_eq!(duration("30m").unwrap(), 1_800);
        assert_eq!(duration("1h30m").unwrap(), 5_400);
        for bad in ["", "h", "10", "25h", "29m", "1d", "-1h", "2 h"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
