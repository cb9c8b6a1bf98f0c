//! `acquit recurring add|list|pause|resume|run`: invoices that repeat
//! (a retainer, a maintenance contract), made from a draft, each period
//! once (`acquit_store::Store::make_period`).

use std::path::Path;

use acquit_core::recurring::{End, Every, Rule};
use acquit_store::{Delivery, InvoiceId, Made, RecurringMode};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::online::{self, Online};
use crate::table::{Align, Table};
use crate::{CliError, open, parse, to_json};

#[derive(Debug, Subcommand)]
pub enum RecurringCommand {
    /// Make a schedule from a draft (copied now) and print its id
    Add(AddArgs),
    /// The schedules, their next date and what they made
    List {
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Stop making invoices until resumed
    Pause {
        /// The schedule's id (`acquit recurring list`)
        id: i64,
    },
    /// Make invoices again, from today (the pause's periods are not made up)
    Resume {
        /// The schedule's id (`acquit recurring list`)
        id: i64,
    },
    /// Make every invoice due up to a day (each missed period once, in
    /// order, each dated its own day)
    Run {
        /// The last day to bill (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The draft to repeat (`acquit invoice new`, `add-line`); it stays a
    /// draft
    #[arg(long, value_name = "DRAFT")]
    from: i64,
    /// How often: 1m (monthly), 3m (quarterly), 2w (every two weeks), 1y
    #[arg(long, value_name = "PERIOD")]
    every: String,
    /// For monthly schedules: the day of the month (31: the last day)
    /// [default: the start's]
    #[arg(long, value_name = "DAY")]
    day: Option<u32>,
    /// The first invoice's date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    start: String,
    /// auto: issue each invoice; draft: prepare it to review [default: auto]
    #[arg(long, value_name = "MODE", default_value = "auto")]
    issue: String,
    /// No invoice after this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", conflicts_with = "count")]
    until: Option<String>,
    /// This many invoices in all
    #[arg(long, value_name = "N")]
    count: Option<u32>,
    /// mail: each invoice issued is mailed to the client by Acquit (a mail
    /// server set with `acquit mail set`) [default: none]
    #[arg(long, value_name = "HOW", default_value = "none")]
    send: String,
    /// Each invoice issued gets a Stripe payment link for all it asks,
    /// made by `acquit recurring run` or the next sync (with `--send mail`,
    /// the mail carries it)
    #[arg(long)]
    link: bool,
}

#[derive(Debug, Serialize)]
struct ScheduleJson {
    id: i64,
    client: String,
    every: String,
    day: Option<u32>,
    start: NaiveDate,
    until: Option<NaiveDate>,
    count: Option<u32>,
    mode: &'static str,
    /// Mailed to the client by Acquit.
    mail: bool,
    /// A payment link made for each invoice.
    link: bool,
    paused: bool,
    /// The next period's date, if the schedule goes on.
    next: Option<NaiveDate>,
    /// What it made: `period`, `date`, `number` (null: a draft, `draft` its id).
    made: Vec<RunJson>,
}

#[derive(Debug, Serialize)]
struct RunJson {
    period: u32,
    date: NaiveDate,
    number: Option<String>,
    draft: Option<i64>,
}

pub fn run(command: RecurringCommand, path: &Path) -> Result<String, CliError> {
    match command {
        RecurringCommand::Add(args) => {
            let every = Every::parse(&args.every).map_err(CliError::rejected)?;
            let start = parse::date(&args.start, "--start")?;
            let end = match (args.until.as_deref(), args.count) {
                (Some(until), _) => End::Until(parse::date(until, "--until")?),
                (None, Some(n)) => End::Count(n),
                (None, None) => End::Never,
            };
            let rule = Rule::new(every, args.day, start, end).map_err(CliError::rejected)?;
            let mode: RecurringMode = args.issue.parse().map_err(CliError::rejected)?;
            let mail = match args.send.trim() {
                "mail" => true,
                "none" => false,
                other => {
                    return Err(CliError::rejected(format!(
                        "\"{other}\" is not a way to send: use mail (by Acquit) or none"
                    )));
                }
            };
            let mut store = open(path)?;
            let delivery = Delivery {
                mail,
                link: args.link,
            };
            let id = store.add_recurring(InvoiceId(args.from), &rule, mode, delivery)?;
            Ok(format!("{id}\n"))
        }
        RecurringCommand::List { json } => {
            let store = open(path)?;
            let rows: Vec<ScheduleJson> = store
                .recurring_list()?
                .into_iter()
                .map(|s| {
                    // The next period `recurring run` makes (in the past
                    // when runs are behind).
                    let next_period = s.runs.last().map_or(0, |r| r.period + 1);
                    ScheduleJson {
                        id: s.id,
                        client: s.client,
                        every: s.rule.every.to_string(),
                        day: s.rule.day,
                        start: s.rule.start,
                        until: match s.rule.end {
                            End::Until(d) => Some(d),
                            _ => None,
                        },
                        count: match s.rule.end {
                            End::Count(n) => Some(n),
                            _ => None,
                        },
                        mode: s.mode.as_str(),
                        mail: s.delivery.mail,
                        link: s.delivery.link,
                        paused: s.paused_since.is_some(),
                        next: if s.paused_since.is_some() {
                            None
                        } else {
                            s.rule.date_of(next_period)
                        },
                        made: s
                            .runs
                            .iter()
                            .map(|r| RunJson {
                                period: r.period,
                                date: r.period_date,
                                number: r.number.clone(),
                                draft: if r.number.is_none() {
                                    r.invoice.map(|i| i.0)
                                } else {
                                    None
                                },
                            })
                            .collect(),
                    }
                })
                .collect();
            if json {
                return Ok(to_json(&rows));
            }
            if rows.is_empty() {
                return Ok("No recurring invoice: make one with `acquit recurring add --from DRAFT --every 1m --start DATE`.\n".into());
            }
            let mut table = Table::new(&[
                ("Id", Align::Right),
                ("Client", Align::Left),
                ("Every", Align::Left),
                ("Mode", Align::Left),
                ("Next", Align::Left),
                ("Made", Align::Right),
                ("Last", Align::Left),
            ]);
            for r in &rows {
                table.row(vec![
                    r.id.to_string(),
                    r.client.clone(),
                    r.every.clone(),
                    r.mode.to_owned(),
                    if r.paused {
                        "paused".to_owned()
                    } else {
                        r.next.map_or_else(|| "ended".to_owned(), |d| d.to_string())
                    },
                    r.made.len().to_string(),
                    r.made
                        .last()
                        .map(|m| {
                            m.number
                                .clone()
                                .unwrap_or_else(|| format!("draft {}", m.draft.unwrap_or_default()))
                        })
                        .unwrap_or_default(),
                ]);
            }
            Ok(table.render())
        }
        RecurringCommand::Pause { id } | RecurringCommand::Resume { id } => {
            let pause = matches!(command, RecurringCommand::Pause { .. });
            let mut store = open(path)?;
            store.pause_recurring(id, pause, acquit_store::today())?;
            Ok(format!(
                "Schedule {id} {}.\n",
                if pause {
                    "paused: it makes no invoice until resumed"
                } else {
                    "resumed: its periods from today on are billed"
                }
            ))
        }
        RecurringCommand::Run { until, json } => {
            let today = acquit_store::today();
            let until = match until {
                Some(d) => parse::date(&d, "--until")?,
                None => today,
            };
            if until > today {
                return Err(CliError::rejected(format!(
                    "{until} is after today: an invoice is made on its day, not in advance (leave --until out)"
                )));
            }
            let mut store = open(path)?;
            let mut outcome = acquit_documents::recurring::make(&mut store, until)?;
            // The links reserved with the invoices are made now when Stripe
            // is connected (else by the next sync), before the mails that
            // carry them.
            let online = match store.pending_links()?.is_empty() {
                true => None,
                false => Some(Online::connect(&store, online::Need::Any)?),
            };
            let made_links = if let Some(online) = &online
                && let Some(stripe) = &online.stripe
            {
                let relay = online.relay.as_ref();
                match online.block_on(acquit_documents::recurring::finish_links(
                    &mut store, stripe, relay,
                )) {
                    Ok(made) => made
                        .iter()
                        .map(|l| {
                            let url = acquit_sync::links::share_url(relay, l);
                            (l.invoice_number.clone(), url)
                        })
                        .collect(),
                    Err(error) => {
                        eprintln!("acquit: payment links not made yet: {error}");
                        Vec::new()
                    }
                }
            } else {
                if online.is_some() {
                    eprintln!(
                        "acquit: payment links wait for Stripe: `acquit stripe connect`, then `acquit sync`"
                    );
                }
                Vec::new()
            };
            acquit_documents::recurring::mail_due(&mut store, &mut outcome)?;
            if json {
                return Ok(to_json(&outcome));
            }
            let acquit_documents::recurring::RunOutcome {
                made,
                failed,
                mailed,
                not_mailed,
            } = outcome;
            let mut out = String::new();
            for m in &made {
                out.push_str(&match &m.made {
                    Made::Issued { number } => format!(
                        "schedule {} period {} ({}): issued {number}\n",
                        m.recurring_id, m.period, m.date
                    ),
                    Made::Draft { draft, why } => format!(
                        "schedule {} period {} ({}): draft {draft} to review{}\n",
                        m.recurring_id,
                        m.period,
                        m.date,
                        why.as_deref()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default()
                    ),
                    Made::Already => format!(
                        "schedule {} period {} ({}): already made\n",
                        m.recurring_id, m.period, m.date
                    ),
                });
            }
            if made.is_empty() {
                out.push_str(&format!("Nothing due up to {until}.\n"));
            }
            for (number, url) in &made_links {
                out.push_str(&format!("{number}: payment link {url}\n"));
            }
            for (number, to) in &mailed {
                out.push_str(&format!("{number}: mailed to {to}\n"));
            }
            for (number, why) in &not_mailed {
                eprintln!("acquit: {number} was not mailed: {why}");
            }
            // A failure: what was made is said on stderr, with the error.
            if !failed.is_empty() {
                eprint!("{out}");
                let mut failed = failed.into_iter();
                let (first_id, first) = failed.next().expect("not empty");
                for (id, error) in failed {
                    eprintln!("acquit: schedule {id} stopped: {error}");
                }
                eprintln!("acquit: schedule {first_id} stopped:");
                return Err(CliError::Store(first));
            }
            Ok(out)
        }
    }
}
