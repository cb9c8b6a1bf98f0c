//! `acquit pa connect|status|disconnect` and `acquit einvoice
//! send|status`: e-invoicing through the user's plateforme agréée.
//!
//! The client secret is read from stdin (never an argument: it would stay
//! in the shell's history and in `ps`), or from `ACQUIT_PA_SECRET`.

use std::path::Path;

use acquit_documents::einvoice::{self, EInvoiceError, PA_SECRET_ENV, PaConnection, Sent};
use acquit_pa::lifecycle::Status;
use acquit_secrets::Secret;
use clap::{Args, Subcommand};

use crate::stripe::block_on;
use crate::{CliError, open, to_json};

#[derive(Debug, Subcommand)]
pub enum PaCommand {
    /// Connect to your platform (PA): its API address and the client id
    /// it gave you; the client secret on stdin, kept in the OS keychain
    Connect(ConnectArgs),
    /// The platform Acquit is connected to, and whether it answers
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Forget the platform and remove its secret from the keychain
    Disconnect,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The platform's API address, without the service names
    /// (https://api.example-pa.fr/v1-base; http:// only for this machine)
    #[arg(long)]
    url: String,
    /// The OAuth2 client id the platform gave you
    #[arg(long = "client-id")]
    client_id: String,
    /// The platform's token endpoint [default: URL/auth-service/CLIENT-ID/token]
    #[arg(long = "token-url")]
    token_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// Its id in `acquit einvoice inbox`
    #[arg(value_name = "ID")]
    id: i64,
    /// The reason's code: TX_TVA_ERR, MONTANTTOTAL_ERR, PU_ERR, QTE_ERR,
    /// CMD_ERR, DOUBLON, LIVR_INCOMP, QUALITE_ERR, AUTRE, …
    #[arg(long = "reason-code")]
    reason_code: String,
    /// The reason in your words, for the supplier
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum EinvoiceCommand {
    /// Send an issued invoice to its buyer through your platform (a
    /// Factur-X, to a French business); an invoice is sent once
    Send {
        #[arg(value_name = "NUMBER")]
        number: String,
    },
    /// Where an invoice's e-invoice stands: the platform's checks and the
    /// buyer's statuses (asked from the platform first, when connected)
    Status {
        #[arg(value_name = "NUMBER")]
        number: String,
        #[arg(long)]
        json: bool,
        /// Show what the books know without asking the platform
        #[arg(long)]
        offline: bool,
    },
    /// Approve a received invoice (status 205 to the supplier)
    Approve {
        /// Its id in `acquit einvoice inbox`
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// Refuse a received invoice (status 210), with the reason
    Refuse(AnswerArgs),
    /// Dispute a received invoice (status 207), with the reason
    Dispute(AnswerArgs),
    /// Save a received invoice's file, byte for byte as the platform
    /// handed it over (a Factur-X PDF, a CII XML)
    Save {
        /// Its id in `acquit einvoice inbox`
        #[arg(value_name = "ID")]
        id: i64,
        /// The file to write (not overwritten if it exists)
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
    /// The invoices your suppliers sent you through the platform (asked
    /// from the platform first, when connected)
    Inbox {
        #[arg(long)]
        json: bool,
        /// Show what the books know without asking the platform
        #[arg(long)]
        offline: bool,
    },
}

fn error(e: EInvoiceError) -> CliError {
    if e.is_user_fixable() {
        CliError::Rejected(e.to_string())
    } else {
        CliError::Outside(e.to_string())
    }
}

fn read_secret() -> Result<Secret, CliError> {
    if let Ok(value) = std::env::var(PA_SECRET_ENV)
        && !value.trim().is_empty()
    {
        return Ok(Secret::new(value.trim()));
    }
    let text = crate::stdin::secret_line(
        "Paste the client secret your platform gave you, then press Enter:",
        "the client secret",
        "no client secret on stdin: `acquit pa connect --url URL --client-id ID < secret.txt`",
    )?;
    Ok(Secret::new(text))
}

pub fn pa(command: PaCommand, path: &Path) -> Result<String, CliError> {
    match command {
        PaCommand::Connect(args) => {
            // Everything typed is checked before the secret is read.
            let probe = Secret::new("x");
            einvoice::client_for(&args.url, &args.client_id, args.token_url.as_deref(), probe)
                .map_err(error)?;
            let secret = read_secret()?;
            let mut store = open(path)?;
            let (connection, kept) = block_on(einvoice::connect(
                &mut store,
                &args.url,
                &args.client_id,
                args.token_url.as_deref(),
                secret,
            ))?
            .map_err(error)?;
            Ok(format!(
                "Connected to the platform at {} as {}; the secret is in {}.\n",
                connection.url,
                connection.client_id,
                kept.unwrap_or_else(|| format!("{PA_SECRET_ENV} (not kept)"))
            ))
        }
        PaCommand::Status { json } => {
            let store = open(path)?;
            let connection = PaConnection::load(&store).map_err(error)?;
            let Some(connection) = connection else {
                if json {
                    return Ok(to_json(&serde_json::json!({"connected": false})));
                }
                return Ok(
                    "Not connected to a platform: `acquit pa connect --url URL --client-id ID` (secret on stdin)\n"
                        .to_owned(),
                );
            };
            let answer: Result<(), String> = match einvoice::client(&store) {
                Err(e) => Err(e.to_string()),
                Ok(client) => match block_on(client.check()) {
                    Err(e) => Err(e.to_string()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Ok(Ok(())) => Ok(()),
                },
            };
            if json {
                return Ok(to_json(&serde_json::json!({
                    "connected": true,
                    "url": connection.url,
                    "client_id": connection.client_id,
                    "token_url": connection.token_url,
                    "connected_at": connection.connected_at,
                    "reachable": answer.is_ok(),
                    "problem": answer.as_ref().err(),
                })));
            }
            Ok(format!(
                "Platform {} as {} (since {}): {}\n",
                connection.url,
                connection.client_id,
                connection.connected_at,
                match &answer {
                    Ok(()) => "answers, credentials accepted".to_owned(),
                    Err(e) => e.clone(),
                }
            ))
        }
        PaCommand::Disconnect => {
            let mut store = open(path)?;
            match einvoice::disconnect(&mut store).map_err(error)? {
                Some(c) => Ok(format!(
                    "Disconnected from the platform at {}; its secret was removed from the keychain.\n",
                    c.url
                )),
                None => Ok("Acquit was not connected to a platform.\n".to_owned()),
            }
        }
    }
}

pub fn run(command: EinvoiceCommand, path: &Path) -> Result<String, CliError> {
    match command {
        EinvoiceCommand::Send { number } => {
            let mut store = open(path)?;
            let client = einvoice::client(&store).map_err(error)?;
            let sent = block_on(einvoice::send(&mut store, &client, &number))?.map_err(error)?;
            Ok(match sent {
                Sent::Now(flow) => format!(
                    "{} sent to the platform as flow {} ({}): follow it with `acquit einvoice status {}`.\n",
                    flow.number,
                    flow.flow_id.as_deref().unwrap_or("?"),
                    flow.ack.map_or("Pending", |a| a.as_str()),
                    flow.number,
                ),
                Sent::Already(flow) => {
                    return Err(CliError::rejected(format!(
                        "{} was already sent to the platform on {} (flow {}): it is not sent twice; see `acquit einvoice status {}`",
                        flow.number,
                        flow.submitted_at.as_deref().unwrap_or("?"),
                        flow.flow_id.as_deref().unwrap_or("?"),
                        flow.number,
                    )));
                }
            })
        }
        EinvoiceCommand::Approve { id } => answer(path, id, 205, None),
        EinvoiceCommand::Refuse(a) => answer(
            path,
            a.id,
            210,
            Some((a.reason_code.trim().to_uppercase(), a.reason)),
        ),
        EinvoiceCommand::Dispute(a) => answer(
            path,
            a.id,
            207,
            Some((a.reason_code.trim().to_uppercase(), a.reason)),
        ),
        EinvoiceCommand::Save { id, out } => {
            let store = open(path)?;
            let Some((name, bytes)) = store.received_file(id)? else {
                return Err(CliError::rejected(format!(
                    "there is no received invoice {id}: see `acquit einvoice inbox`"
                )));
            };
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&out)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => CliError::rejected(format!(
                        "{} exists: choose another file (nothing was overwritten)",
                        out.display()
                    )),
                    _ => CliError::Outside(format!("could not create {}: {e}", out.display())),
                })?;
            std::io::Write::write_all(&mut file, &bytes)
                .and_then(|()| file.sync_all())
                .map_err(|e| {
                    CliError::Outside(format!("could not write {}: {e}", out.display()))
                })?;
            Ok(format!(
                "{name} ({} bytes) saved to {}\n",
                bytes.len(),
                out.display()
            ))
        }
        EinvoiceCommand::Inbox { json, offline } => {
            let mut store = open(path)?;
            if !offline {
                ask_platform(&mut store)?;
            }
            let received = store.received()?;
            if json {
                // Amounts as decimal strings, like every `--json`.
                let rows: Vec<serde_json::Value> = received
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.id,
                            "flow_id": r.flow_id,
                            "file_name": r.file_name,
                            "syntax": r.syntax,
                            "sha256": r.sha256,
                            "supplier": r.supplier,
                            "supplier_siren": r.supplier_siren,
                            "number": r.number,
                            "type_code": r.type_code,
                            "issue_date": r.issue_date,
                            "due_date": r.due_date,
                            "currency": r.total.currency().code(),
                            "total": r.total.to_decimal_string(),
                            "due": r.due.to_decimal_string(),
                            "received_at": r.received_at,
                            "answers": store.answers(r.id).unwrap_or_default().iter().map(|a| serde_json::json!({
                                "code": a.code,
                                "name": Status::of(a.code).map(|s| s.en),
                                "reason_code": a.reason_code,
                                "reason": a.reason,
                                "sent": a.flow_id.is_some(),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                return Ok(to_json(&rows));
            }
            if received.is_empty() {
                return Ok("No invoice received through the platform.\n".to_owned());
            }
            let mut out = String::new();
            for r in &received {
                let answered = store
                    .answers(r.id)?
                    .last()
                    .and_then(|a| Status::of(a.code))
                    .map_or("not answered", |s| s.en);
                out.push_str(&format!(
                    "{:>4}  {}  {}  {}  {}  due {}  {}\n",
                    r.id,
                    r.issue_date,
                    r.supplier,
                    r.number,
                    r.total.format(acquit_core::Lang::En),
                    r.due_date.map_or_else(|| "-".to_owned(), |d| d.to_string()),
                    answered,
                ));
            }
            Ok(out)
        }
        EinvoiceCommand::Status {
            number,
            json,
            offline,
        } => {
            let mut store = open(path)?;
            if !offline {
                ask_platform(&mut store)?;
            }
            // The command line speaks English, like its other messages.
            let fr = false;
            let state = einvoice::state(&store, &number, fr).map_err(error)?;
            if json {
                return Ok(to_json(&state));
            }
            let mut out = format!("{}: {}\n", state.number, state.summary);
            if let Some(flow) = &state.flow {
                out.push_str(&format!(
                    "  sent {} as flow {} (platform: {})\n",
                    flow.submitted_at.as_deref().unwrap_or("(not recorded)"),
                    flow.flow_id.as_deref().unwrap_or("?"),
                    flow.ack.map_or("?", |a| a.as_str()),
                ));
            }
            for s in &state.statuses {
                let name = Status::of(s.received.code).map_or(s.name.as_str(), |k| k.name(fr));
                out.push_str(&format!("  {} {}", s.received.code, name));
                if let Some(reason) = s
                    .received
                    .reason
                    .as_ref()
                    .or(s.received.reason_code.as_ref())
                {
                    out.push_str(&format!(": {reason}"));
                }
                out.push('\n');
            }
            if let Some(next) = &state.next_step {
                out.push_str(&format!("  → {next}\n"));
            }
            Ok(out)
        }
    }
}

/// On `acquit sync`: asks the platform what changed, when one is
/// connected; a line to print, or `None`. A platform that cannot be asked
/// is a warning on stderr: the payments synced stand.
pub fn refresh_if_connected(store: &mut acquit_store::Store) -> Option<String> {
    match PaConnection::load(store) {
        Ok(Some(_)) => {}
        Ok(None) => return None,
        Err(e) => {
            eprintln!("acquit: warning: {e}");
            return None;
        }
    }
    match refresh_now(store) {
        Ok(r) => Some(format!(
            "E-invoicing: {} new status(es), {} acknowledgement(s), {} payment(s) reported as cashed (212), {} invoice(s) received, {} interrupted send(s) recorded.\n",
            r.statuses.len(),
            r.acknowledged.len(),
            r.cashed.len(),
            r.received.len(),
            r.recovered.len()
        )),
        Err(e) => {
            eprintln!("acquit: warning: the platform could not be asked: {e}");
            None
        }
    }
}

/// Asks the connected platform what changed; the flows it skipped are
/// said on stderr.
fn refresh_now(store: &mut acquit_store::Store) -> Result<einvoice::Refreshed, String> {
    let client = einvoice::client(store).map_err(|e| e.to_string())?;
    let refreshed = block_on(einvoice::refresh(store, &client))
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    for (flow, why) in &refreshed.skipped {
        eprintln!("acquit: warning: platform flow {flow} skipped: {why}");
    }
    Ok(refreshed)
}

/// Asks the platform what changed before showing what the books know, when
/// one is connected; a platform that cannot be asked is said on stderr.
fn ask_platform(store: &mut acquit_store::Store) -> Result<(), CliError> {
    if PaConnection::load(store).map_err(error)?.is_none() {
        return Ok(());
    }
    if let Err(w) = refresh_now(store) {
        eprintln!("acquit: the platform could not be asked ({w}); what the books know:");
    }
    Ok(())
}

fn answer(
    path: &Path,
    id: i64,
    code: u16,
    reason: Option<(String, Option<String>)>,
) -> Result<String, CliError> {
    let mut store = open(path)?;
    let client = einvoice::client(&store).map_err(error)?;
    let name = Status::of(code).map_or("?", |s| s.en);
    match block_on(einvoice::answer(&mut store, &client, id, code, reason))?.map_err(error)? {
        einvoice::Answered::Now(a) => Ok(format!(
            "Received invoice {id}: {name} ({code}) sent to the supplier through the platform (flow {}).\n",
            a.flow_id.as_deref().unwrap_or("?")
        )),
        einvoice::Answered::Already(a) => Err(CliError::rejected(format!(
            "received invoice {id} was already answered {name} ({code}) on {} (flow {}): it is not sent twice",
            a.submitted_at.as_deref().unwrap_or("?"),
            a.flow_id.as_deref().unwrap_or("?")
        ))),
    }
}

#[derive(Debug, Args)]
pub struct EreportArgs {
    /// The month the period starts: 2027-09 (under the VAT franchise, a
    /// period is two months: 2027-09 is September and October)
    #[arg(long)]
    period: String,
    #[arg(long)]
    json: bool,
    /// Send it to the platform (not built yet: refused)
    #[arg(long)]
    send: bool,
}

/// `acquit ereport`: what the period's e-reporting says, from the books.
pub fn ereport(args: EreportArgs, path: &Path) -> Result<String, CliError> {
    use acquit_core::ereport::{Frequency, ReportPeriod, report};
    if args.send {
        return Err(CliError::rejected(
            "sending an e-report to the platform is not built yet: this version computes it from the books (without --send)",
        ));
    }
    let store = open(path)?;
    let regime = store
        .seller()?
        .map(|s| s.vat_regime)
        .ok_or_else(|| CliError::rejected("set your company first (`acquit company set …`)"))?;
    let frequency = Frequency::of(regime);
    let period = ReportPeriod::parse(&args.period, frequency).map_err(CliError::rejected)?;
    let sales = store.reported_sales(&period)?;
    let report = report(period, frequency, &sales)
        .map_err(|e| CliError::Outside(format!("the report's sums overflow: {e}")))?;
    if args.json {
        let consumers: Vec<serde_json::Value> = report
            .consumers
            .iter()
            .map(|d| {
                serde_json::json!({
                    "date": d.date,
                    "currency": d.base.currency().code(),
                    "vat_rate": d.rate.to_decimal_string(),
                    "base": d.base.to_decimal_string(),
                    "vat": d.vat.to_decimal_string(),
                    "documents": d.documents,
                })
            })
            .collect();
        let international: Vec<serde_json::Value> = report
            .international
            .iter()
            .map(|i| {
                serde_json::json!({
                    "number": i.number,
                    "date": i.date,
                    "country": i.country,
                    "currency": i.total.currency().code(),
                    "net": i.net.to_decimal_string(),
                    "vat": i.vat.to_decimal_string(),
                    "total": i.total.to_decimal_string(),
                })
            })
            .collect();
        return Ok(to_json(&serde_json::json!({
            "first": report.period.first,
            "last": report.period.last,
            "frequency": report.frequency,
            "consumers": consumers,
            "international": international,
        })));
    }
    let lang = acquit_core::Lang::En;
    let mut out = format!(
        "E-reporting {} to {} ({}):\n",
        report.period.first,
        report.period.last,
        match report.frequency {
            Frequency::Monthly => "monthly",
            Frequency::TwoMonthly => "every two months, VAT franchise",
        }
    );
    out.push_str("Sales to consumers, per day and VAT rate:\n");
    if report.consumers.is_empty() {
        out.push_str("  none\n");
    }
    for d in &report.consumers {
        out.push_str(&format!(
            "  {}  VAT {:>6}  base {:>14}  VAT {:>12}  ({} document(s))\n",
            d.date,
            d.rate.format(lang),
            d.base.format(lang),
            d.vat.format(lang),
            d.documents
        ));
    }
    out.push_str("Sales to businesses abroad, per invoice:\n");
    if report.international.is_empty() {
        out.push_str("  none\n");
    }
    for i in &report.international {
        out.push_str(&format!(
            "  {}  {}  {}  total {}\n",
            i.date,
            i.number,
            i.country.map_or_else(|| "?".to_owned(), |c| c.to_string()),
            i.total.format(lang)
        ));
    }
    out.push_str("Not sent: sending e-reports to the platform is not built yet.\n");
    Ok(out)
}
