//! `acquit relay set`, `acquit sync` and `acquit reconcile`: learning about
//! Stripe payments.

use std::io::Read as _;
use std::path::Path;

use acquit_documents::published::{self, Synced};
use acquit_stripe::ACQUIT_EVENT_TYPES;
use acquit_sync::engine::{self, EngineError, SourceChoice, Sources};
use acquit_sync::reconcile::{self, FindingKind, ReconcileError};
use acquit_sync::relay::{AdminToken, PullToken, RelayConfig};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::online::{self, Need, Online};
use crate::table::{Align, Table};
use crate::{CliError, open, to_json};

#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Use a relay (token on stdin; on a second line, the inbox's admin
    /// credential, needed to replace a webhook secret already set): checks
    /// it, keeps both in the keychain, and registers the relay with Stripe
    /// when connected
    Set {
        /// The relay's base URL, e.g. https://relay.example.com
        #[arg(long, value_name = "URL")]
        url: String,
        /// The inbox id that `acquit-relay inbox create` printed (ibx_…)
        #[arg(long, value_name = "ID")]
        inbox: String,
    },
    /// Show the relay in use
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Where to fetch payments from: the relay, Stripe, or the relay with
    /// Stripe as fallback
    #[arg(long, value_enum, default_value = "auto", ignore_case = true)]
    source: SourceArg,
    /// Wait up to this many seconds (≤ 60) for a first event when none is
    /// pending (relay only)
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    wait: u32,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SourceArg {
    Auto,
    Relay,
    Stripe,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

pub fn relay(command: RelayCommand, path: &Path) -> Result<String, CliError> {
    match command {
        RelayCommand::Set { url, inbox } => relay_set(&url, &inbox, path),
        RelayCommand::Status { json } => {
            let store = open(path)?;
            let url = store.setting(online::RELAY_URL)?;
            let inbox = store.setting(online::RELAY_INBOX)?;
            let last = store.setting(engine::LAST_SYNC)?;
            if json {
                return Ok(to_json(&serde_json::json!({
                    "url": url, "inbox": inbox, "last_sync": last,
                })));
            }
            Ok(match (url, inbox) {
                (Some(url), Some(inbox)) => format!(
                    "Relay {url}, inbox {inbox}; last sync: {}\n",
                    last.as_deref().unwrap_or("never")
                ),
                _ => "No relay is set: `acquit relay set --url URL --inbox ID` (token on stdin)\n"
                    .to_owned(),
            })
        }
    }
}

fn relay_set(url: &str, inbox: &str, path: &Path) -> Result<String, CliError> {
    // Check everything typed before reading the token or opening the file.
    let probe = PullToken::new("x").expect("a valid token");
    RelayConfig::new(url, inbox, probe).map_err(online::relay_error)?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| CliError::Outside(format!("could not read the token from stdin: {e}")))?;
    // The pull token, then (optional) the inbox's admin credential, which
    // only replacing an existing webhook secret needs.
    let mut lines = input.lines().map(str::trim).filter(|l| !l.is_empty());
    let token = lines.next().unwrap_or_default().to_owned();
    let admin = lines.next().map(str::to_owned);
    if lines.next().is_some() {
        return Err(CliError::rejected(
            "stdin has more than two lines: give the pull token, then (optional) the admin credential",
        ));
    }
    PullToken::new(&token).map_err(CliError::rejected)?;
    if let Some(admin) = &admin {
        AdminToken::new(admin).map_err(CliError::rejected)?;
    }

    let mut store = open(path)?;
    let online = Online::connect_without_relay(&store)?;
    let setup = online
        .block_on(acquit_sync::config::setup_relay(
            &mut store,
            url,
            inbox,
            &token,
            admin.as_deref(),
            online.stripe.as_ref(),
        ))
        .map_err(online::config_error)?;
    let mut out = format!(
        "Relay {} checked; inbox {} set (token {}).\n",
        setup.url,
        setup.inbox,
        if setup.token_in_keychain {
            "in the keychain"
        } else {
            "from ACQUIT_RELAY_TOKEN, not stored"
        }
    );
    match &setup.webhook_endpoint {
        None => out.push_str(
            "Stripe is not connected yet: run `acquit stripe connect`, then `acquit relay set` again to register the relay with Stripe.\n",
        ),
        Some(endpoint) => out.push_str(&format!(
            "Stripe sends {} to {} (endpoint {endpoint}); the relay has its signing secret.\n",
            ACQUIT_EVENT_TYPES.join(", "),
            setup.webhook_url
        )),
    }
    Ok(out)
}

pub fn sync(args: SyncArgs, path: &Path) -> Result<String, CliError> {
    if args.wait > 60 {
        return Err(CliError::rejected(
            "--wait is at most 60 seconds (the relay's longest long-poll)",
        ));
    }
    let mut store = open(path)?;
    let online = Online::connect(&store, Need::Any)?;
    let choice = match args.source {
        SourceArg::Auto => SourceChoice::Auto,
        SourceArg::Relay => SourceChoice::Relay,
        SourceArg::Stripe => SourceChoice::Stripe,
    };
    let sources = Sources {
        relay: online.relay.as_ref(),
        stripe: online.stripe.as_ref(),
    };
    let synced = online
        .block_on(published::sync(&mut store, sources, choice, args.wait))
        .map_err(engine_error)?;
    for warning in &synced.report.warnings {
        eprintln!("acquit: warning: {warning}");
    }
    let einvoicing = crate::einvoice::refresh_if_connected(&mut store);
    if args.json {
        return Ok(to_json(&synced));
    }
    let mut out = describe(&store, &synced)?;
    out.push_str(einvoicing.as_deref().unwrap_or_default());
    Ok(out)
}

fn describe(store: &acquit_store::Store, synced: &Synced) -> Result<String, CliError> {
    let report = &synced.report;
    let mut out = format!(
        "Synced from {}: {} event(s), {} applied, {} already applied",
        report.sources.join(" then "),
        report.events,
        report.applied,
        report.already_applied
    );
    if report.unmatched > 0 {
        out.push_str(&format!(
            ", {} not matched to an invoice (see `acquit reconcile`)",
            report.unmatched
        ));
    }
    if report.deferred > 0 {
        out.push_str(&format!(", {} waiting for their payment", report.deferred));
    }
    if report.unconfirmed > 0 {
        out.push_str(&format!(
            ", {} waiting for Stripe's confirmation",
            report.unconfirmed
        ));
    }
    if report.rejected > 0 {
        out.push_str(&format!(
            ", {} rejected: not confirmed by Stripe (see `acquit reconcile`)",
            report.rejected
        ));
    }
    out.push_str(".\n");
    for number in &report.invoices {
        let view = store.invoice(number)?;
        out.push_str(&format!(
            "  {number}: {} (due {})\n",
            view.status.as_str(),
            view.amount_due.format(view.buyer.lang)
        ));
    }
    if report.fees_filled > 0 {
        out.push_str(&format!("Stripe fees filled in: {}.\n", report.fees_filled));
    }
    if report.links_withdrawn > 0 {
        out.push_str(&format!(
            "Links withdrawn (nothing left to pay): {}.\n",
            report.links_withdrawn
        ));
    }
    for decided in &synced.quotes_decided {
        out.push_str(&format!(
            "Quote {} {} by {} on its page.\n",
            decided.number,
            if decided.accepted {
                "accepted"
            } else {
                "declined"
            },
            decided.by
        ));
    }
    Ok(out)
}

fn engine_error(error: EngineError) -> CliError {
    match error {
        EngineError::Store(e) => CliError::Store(e),
        EngineError::Relay(e) => online::relay_error(e),
        EngineError::Stripe(e) => online::stripe_error(e),
        e if e.is_configuration() => CliError::rejected(e),
        e => CliError::Outside(e.to_string()),
    }
}

/// One difference between Stripe and Acquit, and what to do about it.
#[derive(Debug, Serialize)]
struct Finding {
    kind: &'static str,
    stripe_ref: String,
    invoice_number: Option<String>,
    amount: Option<String>,
    action: String,
}

/// The CLI's words for a finding: what to run about it.
fn finding(f: &reconcile::Finding) -> Finding {
    let action = match f.kind {
        FindingKind::MissingInAcquit if f.invoice_number.is_some() => {
            "run `acquit sync --source stripe` to apply it".to_owned()
        }
        FindingKind::MissingInAcquit => "a payment Acquit did not ask for: record it with `acquit payment add` if it pays an invoice".to_owned(),
        FindingKind::UnknownToStripe => "check the payment in the Stripe Dashboard (Payments): it may belong to another Stripe account or to the other mode (test or live) than the key Acquit uses now; Acquit records Stripe payments only from Stripe's signed events".to_owned(),
        FindingKind::UnmatchedEvent => format!(
            "{}: not from an Acquit link; if it pays an invoice, record it with `acquit payment add`",
            f.detail.as_deref().unwrap_or_default()
        ),
        FindingKind::RejectedEvent => format!(
            "not applied: {}. Nothing was booked; if your relay is run by someone else, ask who sent it",
            f.detail.as_deref().unwrap_or_default()
        ),
        FindingKind::UnconfirmedEvent => format!(
            "received from the relay, not booked until Stripe confirms it ({}); `acquit sync` asks again",
            f.detail.as_deref().unwrap_or_default()
        ),
    };
    Finding {
        kind: f.kind.as_str(),
        stripe_ref: f.stripe_ref.clone(),
        invoice_number: f.invoice_number.clone(),
        amount: f.amount.map(|a| a.to_decimal_string()),
        action,
    }
}

pub fn reconcile(args: ReconcileArgs, path: &Path) -> Result<String, CliError> {
    let store = open(path)?;
    let online = Online::connect(&store, Need::Stripe)?;
    let stripe = online.stripe.as_ref().expect("Need::Stripe");
    let outcome = online
        .block_on(acquit_sync::reconcile::reconcile(
            &store,
            stripe,
            chrono::Utc::now().timestamp(),
        ))
        .map_err(|e| match e {
            ReconcileError::Stripe(e) => online::stripe_error(e),
            ReconcileError::Store(e) => CliError::Store(e),
        })?;
    let findings: Vec<Finding> = outcome.findings.iter().map(finding).collect();
    if args.json {
        return Ok(to_json(&findings));
    }
    if findings.is_empty() {
        return Ok(format!(
            "Stripe and Acquit agree: {} paid session(s) in the last 30 days, all recorded.\n",
            outcome.paid_sessions
        ));
    }
    let mut table = Table::new(&[
        ("WHAT", Align::Left),
        ("STRIPE", Align::Left),
        ("INVOICE", Align::Left),
        ("AMOUNT", Align::Right),
        ("ACTION", Align::Left),
    ]);
    for f in &findings {
        table.row(vec![
            f.kind.to_owned(),
            f.stripe_ref.clone(),
            f.invoice_number.clone().unwrap_or_default(),
            f.amount.clone().unwrap_or_default(),
            f.action.clone(),
        ]);
    }
    Ok(table.render())
}
