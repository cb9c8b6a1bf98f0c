//! Invoices issued before Acquit, in another tool or a spreadsheet: read
//! from a CSV file so that they count (ledger, declaration, reminders,
//! dashboard) and the numbering goes on after them without a gap.
//!
//! The file is decoded and split as a clients file is ([`crate::import`]:
//! UTF-8 or Windows-1252, comma, semicolon or tab, RFC 4180 quoting). Its
//! columns, by header in French or English ([`InvoiceColumn::recognise`]):
//! the number, the issue date and the client are required; the amounts are
//! given **per VAT rate**: one row per rate, the rows of one invoice
//! sharing its number (a single-rate invoice is one row). What is checked,
//! and why:
//! - the number can name a file (it names the PDF) and is the same
//!   document on every row that repeats it: same date, client, currency,
//!   due date and payment, each rate once;
//! - dates read as `2026-03-31` or `31/03/2026`; a due date or a payment
//!   is not before the issue date;
//! - amounts are exact (`1 234,56`, `1234.56`), in the invoice's currency
//!   (EUR unless a currency column says otherwise); a base is positive (a
//!   credit note, negative, is not imported: it is left for a later
//!   version rather than guessed);
//! - the VAT of a rate is its base × rate, give or take the rounding the
//!   other tool did line by line: at most 1 minor unit or 0.1 % of the VAT
//!   (whichever is larger). A row beyond that has its rate or its amounts
//!   wrong, and importing it would put a false VAT in the declaration;
//! - a total, when given, is the row's base + VAT or the invoice's total;
//! - paid: a paid amount (at most the total) or "paid" (all of it), always
//!   with the day it was received, since the receipts ledger is by day.

use chrono::{Datelike as _, NaiveDate};

use crate::ids::Siren;
use crate::import::{ImportError, Mapping, decode, fold, header_key, records};
use crate::money::round_div;
use crate::{Currency, Money, Nature, VatRate};

/// What a column of an invoices file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceColumn {
    Number,
    IssueDate,
    DueDate,
    Client,
    Siren,
    Currency,
    VatRate,
    /// The base at this rate, without VAT (HT).
    Net,
    Vat,
    /// Base + VAT (TTC).
    Total,
    /// "yes"/"no" (or paid/unpaid).
    Paid,
    PaidOn,
    PaidAmount,
    Description,
    /// Goods or services (the declaration's categories).
    Nature,
}

impl InvoiceColumn {
    /// What the column holds, in words (`number`, `date`, …): the preview's.
    pub fn key(self) -> &'static str {
        use InvoiceColumn as C;
        match self {
            C::Number => "number",
            C::IssueDate => "date",
            C::DueDate => "due-date",
            C::Client => "client",
            C::Siren => "siren",
            C::Currency => "currency",
            C::VatRate => "vat-rate",
            C::Net => "net",
            C::Vat => "vat",
            C::Total => "total",
            C::Paid => "paid",
            C::PaidOn => "paid-on",
            C::PaidAmount => "paid-amount",
            C::Description => "description",
            C::Nature => "nature",
        }
    }

    /// The column a header names, if Acquit knows it.
    pub fn recognise(header: &str) -> Option<InvoiceColumn> {
        use InvoiceColumn as C;
        Some(match header_key(header).as_str() {
            "number" | "invoice number" | "invoice" | "numero" | "n" | "n facture"
            | "numero de facture" | "facture" | "invoice no" | "invoice n" => C::Number,
            "date" | "issue date" | "invoice date" | "date d emission" | "date de facture"
            | "date facture" | "emise le" => C::IssueDate,
            "due date" | "due" | "echeance" | "date d echeance" | "date echeance" => C::DueDate,
            "client" | "client name" | "customer" | "nom du client" | "raison sociale" => C::Client,
            "siren" | "n siren" | "siren client" | "client siren" => C::Siren,
            "currency" | "devise" | "monnaie" => C::Currency,
            "vat rate" | "tax rate" | "taux" | "taux tva" | "taux de tva" | "tva taux" | "rate" => {
                C::VatRate
            }
            "net" | "amount" | "subtotal" | "ht" | "montant ht" | "total ht" | "base ht"
            | "base" | "net amount" => C::Net,
            "vat" | "tva" | "tax" | "tax amount" | "vat amount" | "montant tva" | "total tva" => {
                C::Vat
            }
            "total" | "ttc" | "total ttc" | "montant ttc" | "gross" | "total amount" => C::Total,
            "paid" | "payee" | "paye" | "status" | "statut" | "reglee" | "regle" => C::Paid,
            "paid on" | "payment date" | "date de paiement" | "date paiement" | "payee le"
            | "paye le" | "date de reglement" | "reglee le" => C::PaidOn,
            "paid amount" | "amount paid" | "paid to date" | "montant paye" | "montant regle"
            | "deja paye" => C::PaidAmount,
            "description" | "libelle" | "objet" | "designation" => C::Description,
            "nature" | "type" | "categorie" | "category" => C::Nature,
            _ => return None,
        })
    }
}

/// The base and VAT at one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    pub rate: VatRate,
    pub net: Money,
    pub vat: Money,
    /// What the row says it is (the line's description once imported).
    pub description: Option<String>,
    pub nature: Option<Nature>,
}

/// What was received before the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastPayment {
    pub on: NaiveDate,
    pub amount: Money,
}

/// An invoice issued elsewhere, as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastInvoice {
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub client: String,
    pub siren: Option<Siren>,
    pub currency: Currency,
    /// By increasing rate, each rate once.
    pub rates: Vec<RateRow>,
    pub paid: Option<PastPayment>,
}

impl PastInvoice {
    pub fn net(&self) -> Money {
        sum(self.currency, self.rates.iter().map(|r| r.net))
    }
    pub fn vat(&self) -> Money {
        sum(self.currency, self.rates.iter().map(|r| r.vat))
    }
    pub fn total(&self) -> Money {
        Money::new(self.net().minor() + self.vat().minor(), self.currency)
    }
}

fn sum(currency: Currency, amounts: impl Iterator<Item = Money>) -> Money {
    Money::new(amounts.map(|m| m.minor()).sum(), currency)
}

/// One invoice of the file (its rows), or what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    /// The lines of its rows, from 1 (the header is line 1).
    pub lines: Vec<usize>,
    /// The number the rows give, if any.
    pub number: Option<String>,
    pub result: Result<PastInvoice, Vec<String>>,
}

/// The file read: the headers left out and every invoice checked, in the
/// order of their first row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedInvoices {
    /// The columns read: the file's header and what Acquit takes it for.
    pub read: Vec<(String, InvoiceColumn)>,
    pub ignored: Vec<String>,
    pub invoices: Vec<InvoiceRow>,
}

/// Reads an invoices file (see the module's documentation).
pub fn invoices(bytes: &[u8]) -> Result<ParsedInvoices, ImportError> {
    let text = decode(bytes);
    let mut records = records(&text).into_iter();
    let (_, headers) = records.next().ok_or(ImportError::Empty)?;
    let mapping = Mapping::of_with(&headers, InvoiceColumn::recognise);
    for (needed, name) in [
        (InvoiceColumn::Number, "\"Numéro\" or \"Number\""),
        (InvoiceColumn::IssueDate, "\"Date\""),
        (InvoiceColumn::Client, "\"Client\""),
        (InvoiceColumn::Net, "\"Montant HT\" or \"Net\""),
    ] {
        if !mapping.has(needed) {
            return Err(ImportError::MissingColumn {
                column: name.to_owned(),
                headers: headers.join(", "),
            });
        }
    }
    // The rows of each number, in the order numbers first appear.
    let mut groups: Vec<(Option<String>, Vec<Record>)> = Vec::new();
    for (line, fields) in records {
        let get = |column| mapping.cell(&fields, column).map(str::to_owned);
        let number = get(InvoiceColumn::Number);
        match groups.iter_mut().find(|(n, _)| n.is_some() && *n == number) {
            Some((_, rows)) => rows.push((line, fields)),
            None => groups.push((number, vec![(line, fields)])),
        }
    }
    let invoices = groups
        .into_iter()
        .map(|(number, rows)| InvoiceRow {
            lines: rows.iter().map(|(line, _)| *line).collect(),
            result: invoice(&mapping, &rows),
            number,
        })
        .collect();
    Ok(ParsedInvoices {
        read: mapping.read,
        ignored: mapping.ignored,
        invoices,
    })
}

/// A row of the file: its line and its fields.
type Record = (usize, Vec<String>);

/// A date as spreadsheets write it: ISO, or day/month/year; with a
/// four-digit year (chrono also reads `+262142-12-31`, its last day, and
/// the reminders of an invoice due then panicked: issue 19).
pub fn date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let parsed = text.parse::<NaiveDate>().ok().or_else(|| {
        ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
    });
    parsed.filter(|d| (0..=9999).contains(&d.year()))
}

/// "Paid" or not, in the words tools and people use.
fn paid_word(text: &str) -> Option<bool> {
    match fold(text).as_str() {
        "oui" | "yes" | "y" | "o" | "x" | "1" | "true" | "vrai" | "paid" | "payee" | "paye"
        | "reglee" | "regle" | "soldee" => Some(true),
        "non" | "no" | "n" | "0" | "false" | "faux" | "unpaid" | "impayee" | "impaye"
        | "en attente" | "pending" | "sent" | "envoyee" | "emise" | "a payer" | "due"
        | "overdue" | "en retard" => Some(false),
        _ => None,
    }
}

fn invoice(mapping: &Mapping<InvoiceColumn>, rows: &[Record]) -> Result<PastInvoice, Vec<String>> {
    use InvoiceColumn as C;
    let mut errors = Vec::new();
    // An invoice-wide field: the same on every row that gives it.
    let shared = |column: C, what: &str, errors: &mut Vec<String>| -> Option<String> {
        let mut seen: Option<(usize, &str)> = None;
        for (line, fields) in rows {
            if let Some(value) = mapping.cell(fields, column) {
                match seen {
                    None => seen = Some((*line, value)),
                    Some((first, v)) if v != value => {
                        errors.push(format!(
                            "{what} \"{value}\" on line {line}, \"{v}\" on line {first}: one invoice has one {what}"
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        seen.map(|(_, v)| v.to_owned())
    };
    let number = shared(C::Number, "number", &mut errors);
    let issue = shared(C::IssueDate, "date", &mut errors);
    let client = shared(C::Client, "client", &mut errors);
    let siren = shared(C::Siren, "SIREN", &mut errors);
    let currency = shared(C::Currency, "currency", &mut errors);
    let due = shared(C::DueDate, "due date", &mut errors);
    let paid = shared(C::Paid, "paid", &mut errors);
    let paid_on = shared(C::PaidOn, "payment date", &mut errors);
    let paid_amount = shared(C::PaidAmount, "paid amount", &mut errors);

    let number = match number {
        None => {
            errors.push("no number: every invoice has one".into());
            None
        }
        Some(n) if !crate::numbering::is_file_name_safe(&n) => {
            errors.push(format!(
                "number \"{n}\": it names the invoice's PDF, so it cannot hold / \\ : * ? \" < > | or start with a dot"
            ));
            None
        }
        Some(n) => Some(n),
    };
    let issue_date = match issue.as_deref() {
        None => {
            errors.push("no date: give the day it was issued".into());
            None
        }
        Some(text) => date(text).or_else(|| {
            errors.push(format!(
                "date \"{text}\": write it 2026-03-31 or 31/03/2026"
            ));
            None
        }),
    };
    let client = client.or_else(|| {
        errors.push("no client: give the client's name".into());
        None
    });
    let siren = siren.and_then(|text| match Siren::parse(&text) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(format!("SIREN \"{text}\": {e}"));
            None
        }
    });
    let currency = match currency {
        None => Currency::EUR,
        Some(text) => Currency::from_code(&text.to_ascii_uppercase()).unwrap_or_else(|e| {
            errors.push(format!("currency \"{text}\": {e}"));
            Currency::EUR
        }),
    };
    let due_date = due.and_then(|text| {
        date(&text).or_else(|| {
            errors.push(format!(
                "due date \"{text}\": write it 2026-03-31 or 31/03/2026"
            ));
            None
        })
    });
    if let (Some(issue), Some(due)) = (issue_date, due_date)
        && due < issue
    {
        errors.push(format!("due date {due} is before the issue date {issue}"));
    }

    let mut rates: Vec<RateRow> = Vec::new();
    let mut totals_given: Vec<(usize, Money)> = Vec::new();
    for (line, fields) in rows {
        let get = |column| mapping.cell(fields, column);
        let amount = |column, what: &str, errors: &mut Vec<String>| -> Option<Money> {
            let text = get(column)?;
            match Money::parse(text, currency) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push(format!("line {line}: {what} \"{text}\": {e}"));
                    None
                }
            }
        };
        let Some(net) = amount(C::Net, "amount without VAT", &mut errors) else {
            if get(C::Net).is_none() {
                errors.push(format!("line {line}: no amount without VAT (HT)"));
            }
            continue;
        };
        let vat = amount(C::Vat, "VAT", &mut errors).unwrap_or(Money::zero(currency));
        if let Some(total) = amount(C::Total, "total", &mut errors) {
            totals_given.push((*line, total));
        }
        let rate = match get(C::VatRate) {
            Some(text) => match VatRate::parse(text) {
                Ok(rate) => rate,
                Err(e) => {
                    errors.push(format!("line {line}: VAT rate \"{text}\": {e}"));
                    continue;
                }
            },
            None if vat.is_zero() => VatRate::ZERO,
            None => {
                errors.push(format!(
                    "line {line}: {} of VAT and no rate: give the rate (a \"Taux TVA\" column), one row per rate",
                    vat.to_decimal_string()
                ));
                continue;
            }
        };
        if !net.is_positive() {
            errors.push(format!(
                "line {line}: an amount of {} without VAT: only invoices are imported, not credit notes or empty rows",
                net.to_decimal_string()
            ));
            continue;
        }
        if vat.is_negative() {
            errors.push(format!(
                "line {line}: a VAT of {}: VAT on an invoice is zero or more",
                vat.to_decimal_string()
            ));
            continue;
        }
        let expected = round_div(
            i128::from(net.minor()) * i128::from(rate.basis_points()),
            i128::from(VatRate::FULL),
        );
        let slack = (expected / 1000).max(1);
        if (i128::from(vat.minor()) - expected).abs() > slack {
            errors.push(format!(
                "line {line}: {} of VAT on {} at {} % should be {}: check the rate and the amounts",
                vat.to_decimal_string(),
                net.to_decimal_string(),
                rate.to_decimal_string(),
                Money::new(i64::try_from(expected).unwrap_or(i64::MAX), currency)
                    .to_decimal_string()
            ));
            continue;
        }
        if rates.iter().any(|r| r.rate == rate) {
            errors.push(format!(
                "line {line}: the rate {} % is given twice for this invoice: one row per rate, with its whole base",
                rate.to_decimal_string()
            ));
            continue;
        }
        let nature = get(C::Nature).and_then(|text| match fold(text).as_str() {
            "biens" | "bien" | "goods" | "vente" | "ventes" | "marchandises" => Some(Nature::Goods),
            "services" | "service" | "prestation" | "prestations" => Some(Nature::Service),
            _ => {
                errors.push(format!(
                    "line {line}: nature \"{text}\": write biens (goods) or services"
                ));
                None
            }
        });
        rates.push(RateRow {
            rate,
            net,
            vat,
            description: get(C::Description).map(str::to_owned),
            nature,
        });
    }
    rates.sort_by_key(|r| r.rate);
    let total = Money::new(
        rates.iter().map(|r| r.net.minor() + r.vat.minor()).sum(),
        currency,
    );
    if errors.is_empty() {
        for (line, given) in &totals_given {
            let row_totals: Vec<i64> = rates
                .iter()
                .map(|r| r.net.minor() + r.vat.minor())
                .collect();
            if *given != total && !row_totals.contains(&given.minor()) {
                errors.push(format!(
                    "line {line}: the total {} is not base + VAT ({}): check the amounts",
                    given.to_decimal_string(),
                    total.to_decimal_string()
                ));
            }
        }
    }

    let paid = payment(
        [paid.as_deref(), paid_on.as_deref(), paid_amount.as_deref()],
        total,
        issue_date,
        &mut errors,
    );

    match (number, issue_date, client) {
        (Some(number), Some(issue_date), Some(client)) if errors.is_empty() => Ok(PastInvoice {
            number,
            issue_date,
            due_date,
            client,
            siren,
            currency,
            rates,
            paid,
        }),
        _ => Err(errors),
    }
}

/// What was received, from the paid columns ("paid", its day, its amount).
fn payment(
    [word, on, amount]: [Option<&str>; 3],
    total: Money,
    issue_date: Option<NaiveDate>,
    errors: &mut Vec<String>,
) -> Option<PastPayment> {
    let currency = total.currency();
    let said = word.map(|w| {
        paid_word(w).unwrap_or_else(|| {
            errors.push(format!("paid \"{w}\": write oui or non (yes or no)"));
            false
        })
    });
    let amount = amount.and_then(|text| match Money::parse(text, currency) {
        Ok(m) if m.is_negative() => {
            errors.push(format!("paid amount \"{text}\": it is zero or more"));
            None
        }
        Ok(m) if m.minor() > total.minor() && errors.is_empty() => {
            errors.push(format!(
                "paid amount {} is more than the total {}: an overpayment is recorded in Acquit, not imported",
                m.to_decimal_string(),
                total.to_decimal_string()
            ));
            None
        }
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(format!("paid amount \"{text}\": {e}"));
            None
        }
    });
    let amount = match (said, amount) {
        (_, Some(a)) if a.is_zero() => None,
        (_, Some(a)) => Some(a),
        (Some(true), None) => Some(total),
        (Some(false), None) => None,
        (None, None) => on.map(|_| total),
    };
    match (amount, on) {
        (None, _) => None,
        (Some(_), None) => {
            errors.push(
                "paid, but no payment date: give the day the money came in (a \"Date de paiement\" column)"
                    .into(),
            );
            None
        }
        (Some(amount), Some(text)) => match date(text) {
            None => {
                errors.push(format!(
                    "payment date \"{text}\": write it 2026-03-31 or 31/03/2026"
                ));
                None
            }
            Some(on) if issue_date.is_some_and(|issue| on < issue) => {
                errors.push(format!(
                    "paid on {on}, before the invoice's date: check the dates"
                ));
                None
            }
            Some(on) => Some(PastPayment { on, amount }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[test]
    fn one_row_per_rate_makes_one_invoice() {
        let file = "Numéro;Date;Client;Taux TVA;Montant HT;TVA;Total TTC;Payée;Date de paiement\n\
                    F-2026-0146;28/02/2026;Agence Lumière;20;1 000,00;200,00;1 313,94;oui;15/03/2026\n\
                    F-2026-0146;28/02/2026;Agence Lumière;5,5;108,00;5,94;113,94;;\n\
                    F-2026-0147;2026-03-02;Boulangerie Martin;20 %;500;100;600;non;\n";
        let parsed = invoices(file.as_bytes()).unwrap();
        assert!(parsed.ignored.is_empty(), "{:?}", parsed.ignored);
        assert_eq!(parsed.invoices.len(), 2);
        let first = parsed.invoices[0].result.as_ref().unwrap();
        assert_eq!(parsed.invoices[0].lines, vec![2, 3]);
        assert_eq!(first.rates.len(), 2);
        assert_eq!(first.rates[0].rate, VatRate::parse("5.5").unwrap());
        assert_eq!(first.net(), eur(110_800));
        assert_eq!(first.vat(), eur(20_594));
        assert_eq!(first.total(), eur(131_394));
        assert_eq!(
            first.paid,
            Some(PastPayment {
                on: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
                amount: eur(131_394)
            })
        );
        let second = parsed.invoices[1].result.as_ref().unwrap();
        assert_eq!(second.total(), eur(60_000));
        assert_eq!(second.paid, None);
    }

    #[test]
    fn each_wrong_invoice_says_why() {
        let file = "Number,Date,Client,VAT rate,Net,VAT,Total,Paid,Payment date\n\
                    A-1,2026-01-10,X,20,100.00,25.00,,no,\n\
                    A-2,2026-01-11,X,20,100.00,20.00,,yes,\n\
                    A-3,2026-01-12,X,20,-50,-10,,no,\n\
                    A/4,2026-01-13,X,,100,0,,no,\n\
                    A-5,2026-01-14,X,20,100,20,,no,\n\
                    A-5,2026-01-15,X,10,100,10,,no,\n\
                    A-6,2026-01-16,X,,100,20,,no,\n\
                    A-7,2026-01-16,X,20,100,20,130,no,\n";
        let parsed = invoices(file.as_bytes()).unwrap();
        let errors = |i: usize| parsed.invoices[i].result.clone().unwrap_err().join(" | ");
        assert!(errors(0).contains("should be 20.00"), "{}", errors(0));
        assert!(errors(1).contains("no payment date"), "{}", errors(1));
        assert!(errors(2).contains("not credit notes"), "{}", errors(2));
        assert!(
            errors(3).contains("names the invoice's PDF"),
            "{}",
            errors(3)
        );
        assert!(
            errors(4).contains("one invoice has one date"),
            "{}",
            errors(4)
        );
        assert!(errors(5).contains("no rate"), "{}", errors(5));
        assert!(errors(6).contains("total 130.00"), "{}", errors(6));
    }

    #[test]
    fn rounding_line_by_line_is_tolerated_within_a_cent_or_a_thousandth() {
        let read = |net: &str, vat: &str| {
            let file = format!("N°,Date,Client,Taux,HT,TVA\nF-1,2026-01-01,X,20,{net},{vat}\n");
            invoices(file.as_bytes()).unwrap().invoices[0]
                .result
                .is_ok()
        };
        // 3 lines of 3,33 at 20 %: 0,67 each line by line (2,01), 2,00 on
        // the base: a cent apart, accepted; two cents are not.
        assert!(read("9.99", "2.01"));
        assert!(!read("9.99", "2.02"));
        // On 2 000,00 of VAT, 0.1 % is 2,00: line-by-line rounding of a
        // long invoice stays within it.
        assert!(read("10000.00", "2002.00"));
        assert!(!read("10000.00", "2002.01"));
    }

    #[test]
    fn the_required_columns_are_named_when_missing() {
        let err = invoices(b"Date;Client;HT\n2026-01-01;X;10\n").unwrap_err();
        assert!(err.to_string().contains("Numéro"), "{err}");
    }
}
