//! `acquit client add|edit|list|check-vat`: the people and businesses
//! invoiced. A client's VAT number of another member state is confirmed
//! with VIES after it is saved (`acquit_sync::vies`), unless `--offline`;
//! VIES unreachable or saying no never undoes the save: it is said on
//! stderr, and `client check-vat ID` asks again.

use std::path::Path;

use acquit_core::ids::{Email, PhoneE164, Siren, VatNumber};
use acquit_core::{Client, Lang, VatCheck, VatExemption};
use acquit_store::ClientId;
use acquit_sync::vies::{Confirmation, ViesClient, ViesError, confirm_client};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::table::{Align, Table};
use crate::{CliError, open, parse, to_json};

/// The fields of a client's profile, as `client add` and `client edit`
/// take them.
#[derive(Debug, Args)]
pub struct ClientFields {
    #[arg(long, value_name = "EMAIL")]
    email: Option<String>,
    /// For WhatsApp: +33 6 12 34 56 78 (a national 06… is taken as French)
    #[arg(long, value_name = "PHONE")]
    phone: Option<String>,
    #[command(flatten)]
    billing: crate::parse::AddressArgs,
    #[command(flatten)]
    delivery: crate::parse::DeliveryArgs,
    #[arg(long, value_name = "SIREN")]
    siren: Option<String>,
    /// Intra-community VAT number
    #[arg(long, value_name = "VAT_NUMBER")]
    vat: Option<String>,
    /// The language of the client's invoices and messages [default: fr]
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Why its invoices carry no French VAT, printed on them with the
    /// legal basis; their lines must all be at 0 %: reverse-charge
    /// (services to an EU business, needs --vat), services-outside-eu,
    /// intra-eu-goods (needs --vat), export-goods [default: none]
    #[arg(long, value_name = "REASON", value_parser = parse_exemption)]
    vat_exemption: Option<VatExemption>,
    /// Payment reminders to this client: off never sends one (`acquit
    /// reminders` leaves its invoices out) [default: on]
    #[arg(long, value_name = "on|off", value_parser = parse_on_off)]
    reminders: Option<bool>,
}

impl ClientFields {
    /// Sets on `client` the fields given: an empty value clears an
    /// optional one. Whether it is a business is derived again
    /// (`Client::derive_business`).
    fn apply(self, client: &mut Client) -> Result<(), CliError> {
        let before = client.clone();
        fn given(value: &Option<String>) -> Option<Option<&str>> {
            value
                .as_deref()
                .map(|v| Some(v.trim()).filter(|v| !v.is_empty()))
        }
        if let Some(email) = given(&self.email) {
            client.email = parse::id(email, Email::parse)?;
        }
        if let Some(phone) = given(&self.phone) {
            client.phone = parse::id(phone, |p| PhoneE164::parse_with_default_country(p, "FR"))?;
        }
        if let Some(address) = self.billing.parts().apply(client.address.as_ref())? {
            client.address = address;
        }
        if let Some(address) = self
            .delivery
            .parts()
            .apply(client.delivery_address.as_ref())?
        {
            client.delivery_address = address;
        }
        if let Some(siren) = given(&self.siren) {
            client.siren = parse::id(siren, Siren::parse)?;
        }
        if let Some(vat) = given(&self.vat) {
            client.vat_number = parse::id(vat, VatNumber::parse)?;
        }
        if let Some(lang) = self.lang {
            client.lang = lang.into();
        }
        if let Some(exemption) = self.vat_exemption {
            client.vat_exemption = exemption;
        }
        if let Some(on) = self.reminders {
            client.no_reminders = !on;
        }
        client.derive_business(Some(&before));
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client and print its id; one with a SIREN or a VAT number is a
    /// business (its invoices carry the 40 € recovery indemnity)
    Add {
        #[arg(long, value_name = "NAME")]
        name: String,
        #[command(flatten)]
        fields: ClientFields,
        /// Do not confirm the VAT number with VIES now (`client check-vat`
        /// does it later)
        #[arg(long)]
        offline: bool,
    },
    /// Change a client: only the fields given change; an empty value
    /// ("") clears an optional one. Its drafts are issued with the new
    /// profile; its issued invoices keep theirs
    Edit {
        /// The client's id (`acquit client list`)
        id: i64,
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        fields: ClientFields,
        /// Do not confirm a new VAT number with VIES now
        #[arg(long)]
        offline: bool,
    },
    /// List the clients, by name
    List {
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Confirm a client's VAT number (of another EU member state) with
    /// VIES, and keep its answer and consultation number as proof
    CheckVat {
        /// The client's id (`acquit client list`)
        id: i64,
    },
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("\"{other}\": type on or off")),
    }
}

fn parse_exemption(s: &str) -> Result<VatExemption, String> {
    s.parse()
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Fr,
    En,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::Fr => Lang::Fr,
            LangArg::En => Lang::En,
        }
    }
}

pub fn run(command: ClientCommand, db: &Path) -> Result<String, CliError> {
    match command {
        ClientCommand::Add {
            name,
            fields,
            offline,
        } => {
            let mut client = Client::new(name.trim());
            fields.apply(&mut client)?;
            let mut store = open(db)?;
            let id = store.add_client(&client)?;
            if !offline && client.vat_number_for_vies().is_some() {
                confirm_after_save(&mut store, id, &client)?;
            }
            Ok(format!("{}\n", id.0))
        }
        ClientCommand::Edit {
            id,
            name,
            fields,
            offline,
        } => {
            let mut store = open(db)?;
            let id = ClientId(id);
            let mut client = store.client(id)?;
            if let Some(name) = name {
                client.name = name.trim().to_owned();
            }
            fields.apply(&mut client)?;
            store.update_client(id, &client)?;
            // Asked again only for a number without a check of its own.
            if !offline
                && client.vat_number_for_vies().is_some()
                && client.current_vat_check().is_none()
            {
                confirm_after_save(&mut store, id, &client)?;
            }
            Ok(String::new())
        }
        ClientCommand::CheckVat { id } => check_vat(db, ClientId(id)),
        ClientCommand::List { json } => {
            let clients = open(db)?.clients()?;
            Ok(if json {
                to_json(&clients.iter().map(ClientJson::from).collect::<Vec<_>>())
            } else {
                human(&clients)
            })
        }
    }
}

/// Asks VIES about client `id`'s VAT number; `Err` only when the books
/// fail, never for VIES or the network.
fn confirm(store: &mut acquit_store::Store, id: ClientId) -> Result<Confirmation, CliError> {
    let vies = match ViesClient::from_env() {
        Ok(vies) => vies,
        Err(e) => return Ok(Confirmation::NotConfirmed(e)),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return Ok(Confirmation::NotConfirmed(ViesError::Unreachable {
                reason: format!("the network runtime did not start: {e}"),
            }));
        }
    };
    Ok(runtime.block_on(confirm_client(store, id, &vies))?)
}

/// "confirmed by VIES on …", with the consultation number or why there is none.
fn confirmed(check: &VatCheck) -> String {
    let proof = match &check.consultation {
        Some(consultation) => format!("consultation {consultation}"),
        None => "no consultation number: VIES gives one when your own VAT number is set, \
                 `acquit company set --vat`"
            .to_owned(),
    };
    let name = check
        .name
        .as_ref()
        .map(|name| format!("; registered to {name}"))
        .unwrap_or_default();
    format!(
        "VAT number {} confirmed by VIES on {} ({proof}){name}",
        check.number, check.checked_on
    )
}

fn not_registered(check: &VatCheck) -> String {
    format!(
        "VIES says {} is not a registered VAT number (checked on {}): check it with the client \
         before invoicing without French VAT",
        check.number, check.checked_on
    )
}

/// "VAT number … not confirmed: why", and when to ask again.
fn not_confirmed(error: &ViesError, id: ClientId, client: &Client) -> String {
    let number = client
        .vat_number
        .as_ref()
        .map(|n| format!("{n} "))
        .unwrap_or_default();
    let again = format!("`acquit client check-vat {}`", id.0);
    if error.is_transient() {
        format!("VAT number {number}not confirmed: {error}, try again later ({again})")
    } else {
        format!("VAT number {number}not confirmed: {error}; then {again}")
    }
}

/// After `client add|edit` saved `client` as `id`: VIES's answer on stderr.
fn confirm_after_save(
    store: &mut acquit_store::Store,
    id: ClientId,
    client: &Client,
) -> Result<(), CliError> {
    match confirm(store, id)? {
        Confirmation::NotApplicable => {}
        Confirmation::Checked(check) if check.valid => eprintln!("acquit: {}", confirmed(&check)),
        Confirmation::Checked(check) => eprintln!(
            "acquit: warning: {} (the client is saved)",
            not_registered(&check)
        ),
        Confirmation::NotConfirmed(error) => {
            eprintln!("acquit: warning: {}", not_confirmed(&error, id, client));
        }
    }
    Ok(())
}

/// `acquit client check-vat ID`: 0 confirmed, 1 not registered (a finding)
/// or nothing to check, 3 VIES could not say.
fn check_vat(db: &Path, id: ClientId) -> Result<String, CliError> {
    let mut store = open(db)?;
    let client = store.client(id)?;
    if let Err(e) = ViesClient::from_env() {
        return Err(CliError::rejected(e));
    }
    match confirm(&mut store, id)? {
        Confirmation::NotApplicable => Err(CliError::rejected(format!(
            "{} has no VAT number of another EU member state to confirm with VIES \
             (a French one is checked with its SIREN; UK numbers are not in VIES)",
            client.name
        ))),
        Confirmation::Checked(check) if check.valid => Ok(format!("{}\n", confirmed(&check))),
        Confirmation::Checked(check) => Err(CliError::Finding {
            stdout: String::new(),
            message: not_registered(&check),
        }),
        Confirmation::NotConfirmed(error) => {
            Err(CliError::Outside(not_confirmed(&error, id, &client)))
        }
    }
}

/// One client in `client list --json`, under the names of `client add`'s flags.
#[derive(Debug, Serialize)]
struct ClientJson {
    id: i64,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    /// As printed on invoices, lines separated by `\n`.
    address: Option<String>,
    street: Vec<String>,
    postcode: Option<String>,
    city: Option<String>,
    country: Option<String>,
    /// As printed, when goods or services go elsewhere.
    delivery_address: Option<String>,
    siren: Option<String>,
    vat: Option<String>,
    lang: &'static str,
    business: bool,
    vat_exemption: &'static str,
    /// VIES's answer about `vat` (`null`: never confirmed): `valid`,
    /// `checked_on`, and `consultation`, `name`, `address` when given.
    vat_check: Option<VatCheck>,
    /// Payment reminders are sent to this client.
    reminders: bool,
}

impl From<&(ClientId, Client)> for ClientJson {
    fn from((id, c): &(ClientId, Client)) -> ClientJson {
        ClientJson {
            id: id.0,
            name: c.name.clone(),
            email: c.email.as_ref().map(ToString::to_string),
            phone: c.phone.as_ref().map(ToString::to_string),
            address: c
                .address
                .as_ref()
                .map(|a| a.printed_text(c.lang, acquit_core::Country::FR)),
            street: c
                .address
                .as_ref()
                .map(|a| a.lines.clone())
                .unwrap_or_default(),
            postcode: c.address.as_ref().and_then(|a| a.postcode.clone()),
            city: c.address.as_ref().and_then(|a| a.city.clone()),
            country: c
                .address
                .as_ref()
                .and_then(|a| a.country)
                .map(|c| c.code().to_owned()),
            delivery_address: c
                .delivery_address
                .as_ref()
                .map(|a| a.printed_text(c.lang, acquit_core::Country::FR)),
            siren: c.siren.as_ref().map(ToString::to_string),
            vat: c.vat_number.as_ref().map(ToString::to_string),
            lang: c.lang.code(),
            business: c.business,
            vat_exemption: c.vat_exemption.as_str(),
            vat_check: c.current_vat_check().cloned(),
            reminders: !c.no_reminders,
        }
    }
}

fn human(clients: &[(ClientId, Client)]) -> String {
    if clients.is_empty() {
        return "No clients yet: add one with `acquit client add --name …`.\n".into();
    }
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("NAME", Align::Left),
        ("EMAIL", Align::Left),
        ("PHONE", Align::Left),
        ("SIREN / VAT", Align::Left),
        ("LANG", Align::Left),
    ]);
    for (id, c) in clients {
        let registration = match (&c.siren, &c.vat_number) {
            (Some(siren), _) => siren.formatted(),
            (None, Some(vat)) => vat.to_string(),
            (None, None) => String::new(),
        };
        table.row(vec![
            id.0.to_string(),
            c.name.clone(),
            c.email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            c.phone
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            registration,
            c.lang.code().to_owned(),
        ]);
    }
    table.render()
}
