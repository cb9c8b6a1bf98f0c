//! The draft editor: picking or creating the client, lines, live totals
//! (computed by `acquit_core::tax`, never in TypeScript), and issuing.

use acquit_core::ids::{Email, PhoneE164, Siren, VatNumber};
use acquit_core::tax::{self, Discount, LineInput};
use acquit_core::{
    Client, Currency, EurRate, InvoiceDetails, Lang, Line, Money, Quantity, VatExemption, VatRate,
};
use acquit_store::{ClientId, InvoiceId, NewDraft, Rejection, StoreError};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::{InvoiceKindChoice, NatureChoice, PaymentMeansChoice, UnitChoice};
use crate::commands::{Books, CommandError, FieldError};
use crate::forms::{AddressForm, Form};
use crate::vies::VatCheckView;
use crate::view::{TotalsView, id32, totals_view};

/// A client in the picker.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientRow {
    pub id: i32,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub siren: Option<String>,
    /// `fr` or `en`: the language of the client's invoices.
    pub lang: String,
}

/// Clients whose name, email or SIREN contains `search`, by name.
#[tauri::command]
#[specta::specta]
pub fn search_clients(
    books: State<'_, Books>,
    search: String,
) -> Result<Vec<ClientRow>, CommandError> {
    let found = books.with(|store| store.search_clients(&search, 200))?;
    Ok(found
        .into_iter()
        .map(|(id, c)| ClientRow {
            id: id32(id.0),
            name: c.name,
            email: c.email.map(String::from),
            phone: c.phone.map(String::from),
            siren: c.siren.map(|s| s.formatted()),
            lang: c.lang.code().to_owned(),
        })
        .collect())
}

/// The client form, as typed (and as loaded to edit a client).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientForm {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The billing address (blank: none).
    pub address: AddressForm,
    /// Where goods go or services are done, when not the billing address.
    pub delivery_address: AddressForm,
    pub siren: Option<String>,
    pub vat_number: Option<String>,
    /// `fr` or `en`.
    pub lang: String,
    /// Why its invoices carry no French VAT: `none`, `reverse-charge`,
    /// `services-outside-eu`, `intra-eu-goods`, `export-goods`.
    pub vat_exemption: String,
    /// Never send this client a payment reminder.
    #[serde(default)]
    pub no_reminders: bool,
}

/// The form read into a client (`before`: its profile, when edited); each
/// invalid field comes back with the core's message. Whether it is a
/// business (its invoices carry the 40 € recovery indemnity) is derived as
/// the CLI does (`Client::derive_business`).
fn client_of(client: ClientForm, before: Option<&Client>) -> Result<Client, CommandError> {
    let mut form = Form::default();
    let name = form.text("name", &client.name, "the client needs a name");
    let email = form.optional("email", client.email.as_deref(), Email::parse);
    let phone = form.optional("phone", client.phone.as_deref(), PhoneE164::parse);
    let siren = form.optional("siren", client.siren.as_deref(), Siren::parse);
    let vat_number = form.optional("vatNumber", client.vat_number.as_deref(), VatNumber::parse);
    let lang = form.required("lang", &client.lang, str::parse::<Lang>);
    let address = form.address("address", &client.address, None);
    let delivery_address = form.address("delivery", &client.delivery_address, None);
    let vat_exemption = form.required(
        "vatExemption",
        &client.vat_exemption,
        str::parse::<VatExemption>,
    );
    form.finish()?;
    let (Some(name), Some(lang), Some(vat_exemption)) = (name, lang, vat_exemption) else {
        return Err(CommandError::new("the form is incomplete"));
    };
    let mut client = Client {
        name,
        address,
        delivery_address,
        email,
        phone,
        business: false,
        siren,
        vat_number,
        lang,
        vat_exemption,
        // An earlier check is kept (it counts only while the number is
        // the one checked); the form asks VIES after saving
        // (`vies::check_client_vat`).
        vat_check: before.and_then(|b| b.vat_check.clone()),
        no_reminders: client.no_reminders,
    };
    client.derive_business(before);
    Ok(client)
}

/// A refused client, with the store's VAT-number rule shown next to the
/// field that fixes it.
fn refused(error: StoreError) -> CommandError {
    let message = crate::messages::localize(&error);
    match error {
        StoreError::Rejected(Rejection::ExemptionNeedsVatNumber { .. }) => {
            CommandError::field("vatNumber", message)
        }
        _ => CommandError::new(message),
    }
}

/// Adds a client; each invalid field comes back with the core's message.
#[tauri::command]
#[specta::specta]
pub fn create_client(books: State<'_, Books>, client: ClientForm) -> Result<i32, CommandError> {
    let new = client_of(client, None)?;
    let added = books.with(|store| Ok::<_, std::convert::Infallible>(store.add_client(&new)))?;
    added.map(|id| id32(id.0)).map_err(refused)
}

/// A client as the form shows it, to edit, with where its VAT number
/// stands with VIES.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientFormView {
    pub form: ClientForm,
    /// Its VAT number is one VIES checks (another member state's or
    /// Northern Ireland's).
    pub vies: bool,
    /// VIES's stored answer about its current number, if asked.
    pub vat_check: Option<VatCheckView>,
}

/// A client as the form shows it, to edit.
#[tauri::command]
#[specta::specta]
pub fn client_form(books: State<'_, Books>, id: i32) -> Result<ClientFormView, CommandError> {
    let c = books.with(|store| store.client(ClientId(i64::from(id))))?;
    let vies = c.vat_number_for_vies().is_some();
    let vat_check = c.current_vat_check().map(VatCheckView::of_check);
    let form = ClientForm {
        name: c.name,
        email: c.email.map(String::from),
        phone: c.phone.map(String::from),
        address: c.address.as_ref().map(AddressForm::of).unwrap_or_default(),
        delivery_address: c
            .delivery_address
            .as_ref()
            .map(AddressForm::of)
            .unwrap_or_default(),
        siren: c.siren.map(String::from),
        vat_number: c.vat_number.map(String::from),
        lang: c.lang.code().to_owned(),
        vat_exemption: c.vat_exemption.as_str().to_owned(),
        no_reminders: c.no_reminders,
    };
    Ok(ClientFormView {
        form,
        vies,
        vat_check,
    })
}

/// Changes a client: its drafts are issued with the new profile, its
/// issued invoices keep theirs.
#[tauri::command]
#[specta::specta]
pub fn update_client(
    books: State<'_, Books>,
    id: i32,
    client: ClientForm,
) -> Result<(), CommandError> {
    let id = ClientId(i64::from(id));
    let before = books.with(|store| store.client(id))?;
    let changed = client_of(client, Some(&before))?;
    let saved =
        books.with(|store| Ok::<_, std::convert::Infallible>(store.update_client(id, &changed)))?;
    saved.map_err(refused)
}

/// What a new draft starts with.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftForm {
    pub client_id: i32,
    /// The editor offers `standard`, `deposit` and `balance`.
    pub kind: InvoiceKindChoice,
    /// YYYY-MM-DD; empty for the seller's payment terms.
    pub due_date: Option<String>,
}

/// Creates a draft (in euros) and returns its id.
#[tauri::command]
#[specta::specta]
pub fn create_draft(books: State<'_, Books>, draft: DraftForm) -> Result<i32, CommandError> {
    let mut form = Form::default();
    let due_date = form.optional("dueDate", draft.due_date.as_deref(), parse_date);
    form.finish()?;
    let new = NewDraft {
        client: ClientId(draft.client_id.into()),
        currency: Currency::EUR,
        kind: draft.kind.into(),
        due_date,
        sale_date: None,
        deposits: Vec::new(),
        details: Default::default(),
    };
    Ok(id32(books.with(|store| store.create_draft(&new))?.0))
}

/// A draft's header as edited: everything but its lines.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftHeaderForm {
    pub client_id: i32,
    /// The editor offers `standard`, `deposit` and `balance`.
    pub kind: InvoiceKindChoice,
    /// ISO 4217: `EUR`.
    pub currency: String,
    /// YYYY-MM-DD; empty for the issue date.
    pub sale_date: Option<String>,
    /// YYYY-MM-DD; empty for the seller's payment terms.
    pub due_date: Option<String>,
    /// For a balance invoice: the numbers of the deposit invoices it deducts.
    pub deposits: Vec<String>,
    /// The buyer's purchase order number.
    pub order_ref: Option<String>,
    /// The reference the buyer asked to see on the invoice.
    pub buyer_ref: Option<String>,
    /// For an invoice not in euros: how many units of its currency one euro
    /// buys (the ECB reference rate), `1.085` or `1,085`.
    pub eur_rate: Option<String>,
    /// Where this invoice's goods go or service is done; blank: the
    /// client's own addresses.
    pub delivery: AddressForm,
    /// How the client may pay; none chosen: a transfer when the company
    /// has an IBAN (decided at issue).
    pub payment_means: Vec<PaymentMeansChoice>,
}

/// Replaces the header of a draft (client, kind, currency, dates, deposits).
#[tauri::command]
#[specta::specta]
pub fn update_draft(
    books: State<'_, Books>,
    draft_id: i32,
    header: DraftHeaderForm,
) -> Result<(), CommandError> {
    let header = header.parse()?;
    books.with(|store| store.update_draft(InvoiceId(draft_id.into()), &header))
}

impl DraftHeaderForm {
    /// The store's header, or each field's error.
    fn parse(&self) -> Result<NewDraft, CommandError> {
        let mut form = Form::default();
        let currency = form.required("currency", self.currency.trim(), Currency::from_code);
        let sale_date = form.optional("saleDate", self.sale_date.as_deref(), parse_date);
        let due_date = form.optional("dueDate", self.due_date.as_deref(), parse_date);
        let eur_rate = form.optional("eurRate", self.eur_rate.as_deref(), EurRate::parse);
        let delivery = form.address("delivery", &self.delivery, None);
        form.finish()?;
        let Some(currency) = currency else {
            return Err(CommandError::new("the form is incomplete"));
        };
        Ok(NewDraft {
            client: ClientId(self.client_id.into()),
            currency,
            kind: self.kind.into(),
            due_date,
            sale_date,
            deposits: self
                .deposits
                .iter()
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .collect(),
            details: InvoiceDetails {
                order_ref: text(self.order_ref.as_deref()),
                buyer_ref: text(self.buyer_ref.as_deref()),
                delivery,
                eur_rate,
                payment_means: acquit_core::PaymentMeans::each_once(
                    self.payment_means.iter().map(|&m| m.into()),
                ),
                ..InvoiceDetails::default()
            },
        })
    }
}

/// A reference as typed: trimmed, none when empty.
fn text(input: Option<&str>) -> Option<String> {
    input
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_date(d: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| format!("\"{d}\" is not a date: choose one in the calendar"))
}

/// A line as typed in the editor.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LineForm {
    pub description: String,
    /// `2`, `1,5`, `0.25`.
    pub quantity: String,
    /// Excluding VAT, in the draft's currency: `450`, `1 234,50`.
    pub unit_price: String,
    /// In percent: `20`, `5,5`.
    pub vat_rate: String,
    /// None: the seller's activity decides (the store fills it in).
    pub nature: Option<NatureChoice>,
    /// None: a plain number.
    pub unit: Option<UnitChoice>,
}

impl LineForm {
    fn is_blank(&self) -> bool {
        [
            &self.description,
            &self.quantity,
            &self.unit_price,
            &self.vat_rate,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }

    /// The line, or each field's error.
    fn parse(&self, currency: Currency, lang: Lang) -> Result<Line, CommandError> {
        let mut form = Form::default();
        let description = form.text(
            "description",
            &self.description,
            "say what is invoiced (a description)",
        );
        let quantity = form.required("quantity", &self.quantity, Quantity::parse);
        let unit_price = form.required("unitPrice", &self.unit_price, |p| {
            Money::parse_localized(p, currency, lang)
        });
        let vat_rate = form.required("vatRate", &self.vat_rate, VatRate::parse);
        form.finish()?;
        match (description, quantity, unit_price, vat_rate) {
            (Some(description), Some(quantity), Some(unit_price), Some(vat_rate)) => Ok(Line {
                description,
                input: LineInput {
                    quantity,
                    unit_price,
                    vat_rate,
                    discount: Discount::None,
                },
                nature: self.nature.map(Into::into),
                unit: self.unit.map(Into::into),
            }),
            _ => Err(CommandError::new("the line is incomplete")),
        }
    }
}

/// Adds a line to a draft; returns its position.
#[tauri::command]
#[specta::specta]
pub fn add_line(
    books: State<'_, Books>,
    draft_id: i32,
    line: LineForm,
    lang: String,
) -> Result<i32, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let id = InvoiceId(draft_id.into());
    let currency = books.with(|store| store.invoice_by_id(id).map(|v| v.currency))?;
    let line = line.parse(currency, lang)?;
    Ok(id32(books.with(|store| store.add_line(id, &line))?))
}

/// Removes line `position` (from 1) of a draft.
#[tauri::command]
#[specta::specta]
pub fn remove_line(
    books: State<'_, Books>,
    draft_id: i32,
    position: i32,
) -> Result<(), CommandError> {
    books.with(|store| store.remove_line(InvoiceId(draft_id.into()), position.into()))
}

/// Deletes a draft and its lines.
#[tauri::command]
#[specta::specta]
pub fn delete_draft(books: State<'_, Books>, draft_id: i32) -> Result<(), CommandError> {
    books.with(|store| store.delete_draft(InvoiceId(draft_id.into())))
}

/// Issues a draft today: numbers it and locks it. Returns the number.
#[tauri::command]
#[specta::specta]
pub fn issue_draft(books: State<'_, Books>, draft_id: i32) -> Result<String, CommandError> {
    books.with(|store| {
        let number = store.issue(InvoiceId(draft_id.into()), acquit_store::today())?;
        // Its original kept as this version draws it; issued anyway if
        // drawing fails (the first later drawing keeps it).
        if let Err(e) = acquit_documents::documents::keep_original(store, &number) {
            tracing::warn!(%number, error = %e, "the issued invoice could not be drawn");
        }
        Ok::<_, acquit_store::StoreError>(number)
    })
}

/// Something the law will ask of the draft from a later date: issuing
/// today works, but the user should complete it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ComingGap {
    /// What is missing and where to give it, in the UI's language.
    pub message: String,
    /// YYYY-MM-DD: from when issuing is refused without it.
    pub due_from: Option<String>,
}

/// What the draft lacks that the law asks for later
/// ([`acquit_store::Store::coming_gaps`]), shown as warnings before issuing.
#[tauri::command]
#[specta::specta]
pub fn coming_gaps(books: State<'_, Books>, draft_id: i32) -> Result<Vec<ComingGap>, CommandError> {
    let gaps =
        books.with(|store| store.coming_gaps(InvoiceId(draft_id.into()), acquit_store::today()))?;
    Ok(gaps
        .iter()
        .map(|gap| ComingGap {
            message: crate::messages::localize(gap),
            due_from: gap.due_from().map(|d| d.to_string()),
        })
        .collect())
}

/// What the editor shows live while a line is typed.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LivePreview {
    /// The saved lines' totals, plus the line being typed when it is valid.
    pub totals: TotalsView,
    /// What is wrong with the line being typed (field `line` when the line
    /// as a whole does not fit the invoice, e.g. VAT under the franchise).
    pub line_errors: Vec<FieldError>,
}

/// The draft's totals with the line being typed added: what the editor
/// shows live. A blank line adds nothing.
#[tauri::command]
#[specta::specta]
pub fn preview_totals(
    books: State<'_, Books>,
    draft_id: i32,
    pending: LineForm,
    lang: String,
) -> Result<LivePreview, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let (view, seller) = books.with(|store| {
        Ok::<_, acquit_store::StoreError>((
            store.invoice_by_id(InvoiceId(draft_id.into()))?,
            store.seller()?,
        ))
    })?;
    let regime = seller.map(|s| s.vat_regime).unwrap_or_default();
    let inputs: Vec<LineInput> = view.lines.into_iter().map(|l| l.line.input).collect();
    let mut line_errors = Vec::new();
    if !pending.is_blank() {
        match pending.parse(view.currency, lang) {
            Ok(line) => {
                let mut with = inputs.clone();
                with.push(line.input);
                match tax::compute(&with, view.currency, regime) {
                    Ok(totals) => {
                        return Ok(LivePreview {
                            totals: totals_view(&totals, lang),
                            line_errors,
                        });
                    }
                    Err(e) => line_errors.push(FieldError {
                        field: "line".into(),
                        message: crate::messages::localize(&e),
                    }),
                }
            }
            Err(e) => line_errors = e.fields,
        }
    }
    let totals = tax::compute(&inputs, view.currency, regime)
        .map_err(|e| CommandError::new(crate::messages::localize(&e)))?;
    Ok(LivePreview {
        totals: totals_view(&totals, lang),
        line_errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(desc: &str, qty: &str, price: &str, vat: &str) -> LineForm {
        LineForm {
            description: desc.into(),
            quantity: qty.into(),
            unit_price: price.into(),
            vat_rate: vat.into(),
            nature: None,
            unit: None,
        }
    }

    #[test]
    fn a_bad_line_names_each_wrong_field() {
        let err = line("", "deux", "12,345", "20")
            .parse(Currency::EUR, Lang::Fr)
            .unwrap_err();
        let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["description", "quantity", "unitPrice"]);
    }

    #[test]
    fn prices_are_read_in_the_ui_language() {
        let fr = line("Dev", "1,5", "1 234,50", "5,5")
            .parse(Currency::EUR, Lang::Fr)
            .unwrap();
        assert_eq!(fr.input.unit_price, Money::new(123_450, Currency::EUR));
        let en = line("Dev", "1.5", "1,234.50", "20")
            .parse(Currency::EUR, Lang::En)
            .unwrap();
        assert_eq!(en.input.unit_price, Money::new(123_450, Currency::EUR));
    }

    #[test]
    fn a_header_is_read_with_the_cores_parsers() {
        let form = DraftHeaderForm {
            client_id: 3,
            kind: InvoiceKindChoice::Balance,
            currency: "usd".into(),
            sale_date: Some("".into()),
            due_date: Some("2027-01-15".into()),
            deposits: vec![" F-2026-0004 ".into(), "".into()],
            order_ref: Some(" PO-118 ".into()),
            buyer_ref: Some("".into()),
            eur_rate: Some("1,085".into()),
            delivery: AddressForm {
                street: "Quai 4\n".into(),
                postcode: "13002".into(),
                city: "Marseille".into(),
                country: "".into(),
            },
            payment_means: vec![
                PaymentMeansChoice::Card,
                PaymentMeansChoice::Cheque,
                PaymentMeansChoice::Card,
            ],
        };
        let header = form.parse().unwrap();
        assert_eq!(header.kind, acquit_core::InvoiceKind::Balance);
        assert_eq!(header.currency.code(), "USD");
        assert_eq!(header.sale_date, None);
        assert_eq!(header.due_date.unwrap().to_string(), "2027-01-15");
        assert_eq!(header.deposits, ["F-2026-0004"]);
        assert_eq!(header.details.order_ref.as_deref(), Some("PO-118"));
        assert_eq!(
            header.details.payment_means,
            [
                acquit_core::PaymentMeans::Card,
                acquit_core::PaymentMeans::Cheque
            ]
        );
        assert_eq!(header.details.buyer_ref, None);
        assert_eq!(
            header.details.eur_rate.map(EurRate::per_euro_micro),
            Some(1_085_000)
        );
        let delivery = header.details.delivery.unwrap();
        assert_eq!(delivery.lines, ["Quai 4"]);
        assert_eq!(delivery.country, Some(acquit_core::Country::FR));
        let bad = DraftHeaderForm {
            currency: "XYZ".into(),
            due_date: Some("15/01/2027".into()),
            eur_rate: Some("-1".into()),
            delivery: AddressForm {
                postcode: "1300".into(),
                ..form.delivery.clone()
            },
            ..form
        };
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .fields
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            ["currency", "dueDate", "eurRate", "deliveryPostcode"]
        );
    }

    #[test]
    fn a_line_keeps_its_nature_and_unit() {
        let form = LineForm {
            nature: Some(NatureChoice::Service),
            unit: Some(UnitChoice::Day),
            ..line("Audit", "3", "500", "20")
        };
        let parsed = form.parse(Currency::EUR, Lang::Fr).unwrap();
        assert_eq!(parsed.nature, Some(acquit_core::Nature::Service));
        assert_eq!(parsed.unit, Some(acquit_core::Unit::Day));
        assert!(
            LineForm {
                unit: Some(UnitChoice::Hour),
                ..line("", "", "", "")
            }
            .is_blank(),
            "a unit alone is not a line"
        );
    }

    #[test]
    fn lang_codes_come_from_the_core() {
        assert!(crate::commands::lang("de").is_err());
    }
}
