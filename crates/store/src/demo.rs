//! A realistic demo data set: a French freelance web developer's books.
//!
//! Used by `acquit demo` and by `./x run` so a newcomer sees every state an
//! invoice can be in. It goes through the same API as real use (so the
//! journal verifies) and only into an empty database.

use acquit_core::ids::{Bic, Email, Iban, PhoneE164, Siren, VatNumber};
use acquit_core::tax::{Discount, LineInput};
use acquit_core::{
    Activity, Address, Client, Country, Currency, InvoiceKind, Lang, LegalForm, Line, Money,
    Quantity, Registration, Seller, Unit, VatExemption, VatRate,
};
use chrono::NaiveDate;

use crate::{NewDraft, NewPayment, PaymentMethod, Rejection, Store, StoreError};

/// What `fill_demo` made, for the caller to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub clients: usize,
    pub issued: Vec<String>,
    pub drafts: usize,
}

fn with_unit(line: Line, unit: Unit) -> Line {
    Line {
        unit: Some(unit),
        ..line
    }
}

fn id<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("demo data is valid: {e}"))
}

impl Store {
    /// Fills an empty database with demo data dated around `today`.
    pub fn fill_demo(&mut self, today: NaiveDate) -> Result<DemoSummary, StoreError> {
        self.fill_demo_with(today, 0)
    }

    /// The demo data plus `history` older invoices (issued over the year
    /// before the demo's own, mostly paid), to try the app on large books.
    pub fn fill_demo_with(
        &mut self,
        today: NaiveDate,
        history: usize,
    ) -> Result<DemoSummary, StoreError> {
        let empty: bool = self.conn().query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM invoices) AND NOT EXISTS (SELECT 1 FROM clients)
                    AND NOT EXISTS (SELECT 1 FROM seller)",
            [],
            |r| r.get(0),
        )?;
        if !empty {
            return Err(Rejection::Invalid(
                "the demo only fills an empty database: use another file (--db demo.db)".into(),
            )
            .into());
        }
        let siren = id(Siren::parse("732829320"));
        let mut seller = Seller::new(
            "Camille Roux EI — Studio Roux",
            id(Address::parse_french("8 rue de la Roquette, 75011 Paris")),
        );
        // A micro-entrepreneur web designer: a liberal profession, exempt
        // from registration.
        seller.legal_form = Some(LegalForm::Ei);
        seller.activity = Some(Activity::LiberalServices);
        seller.registration = Some(Registration::Exempt);
        seller.vat_number = Some(VatNumber::french_from_siren(&siren));
        seller.siren = Some(siren);
        seller.email = Some(id(Email::parse("camille@studio-roux.example")));
        seller.phone = Some(id(PhoneE164::parse("+33 6 12 34 56 78")));
        seller.iban = Some(id(Iban::parse("FR14 2004 1010 0505 0001 3M02 606")));
        seller.bic = Some(id(Bic::parse("PSSTFRPPPAR")));
        self.set_seller(&seller)?;

        let client = |name: &str,
                      address: &str,
                      email: &str,
                      phone: Option<&str>,
                      lang: Lang,
                      siren: Option<&str>| {
            let mut c = Client::new(name);
            c.email = Some(id(Email::parse(email)));
            c.phone = phone.map(|p| id(PhoneE164::parse(p)));
            c.lang = lang;
            c.siren = siren.map(|s| id(Siren::parse(s)));
            c.vat_number = c.siren.as_ref().map(VatNumber::french_from_siren);
            c.derive_business(None);
            c.address = (!address.is_empty()).then(|| id(Address::parse_french(address)));
            c
        };
        let boulangerie = self.add_client(&client(
            "Boulangerie Martin SARL",
            "12 rue Oberkampf, 75011 Paris",
            "contact@boulangerie-martin.example",
            Some("+33 6 98 76 54 32"),
            Lang::Fr,
            Some("552100554"),
        ))?;
        let agence = self.add_client(&client(
            "Agence Lumière",
            "3 quai Rambaud, 69002 Lyon",
            "compta@agence-lumiere.example",
            None,
            Lang::Fr,
            Some("443061841"),
        ))?;
        let asso = self.add_client(&client(
            "Association Les Jardins Partagés",
            "15 rue des Jardins, 93100 Montreuil",
            "bureau@jardins.example",
            Some("+33 7 11 22 33 44"),
            Lang::Fr,
            None,
        ))?;
        // Services to a UK business: outside the scope of French VAT, said
        // on each invoice (CGI art. 259-1), every line at 0 %.
        let london = self.add_client(&Client {
            address: Some(id(Address::new(
                vec!["1 Canada Square".into()],
                Some("E14 5AB".into()),
                Some("London".into()),
                id(Country::parse("GB")),
            ))),
            business: true,
            vat_exemption: VatExemption::ServicesOutsideEu,
            ..client(
                "Thames Digital Ltd",
                "",
                "accounts@thames-digital.example",
                Some("+44 7700 900123"),
                Lang::En,
                None,
            )
        })?;
        let cafe = self.add_client(&client(
            "Café des Arts",
            "2 place du Tertre, 75018 Paris",
            "cafe.des.arts@example.org",
            Some("+33 6 55 44 33 22"),
            Lang::Fr,
            None,
        ))?;

        if history > 0 {
            // Demo books only: without an fsync per commit, 100,000
            // invoices take a minute instead of an hour; a crash meanwhile
            // loses demo data, and FULL is back before the handmade part.
            self.conn().pragma_update(None, "synchronous", "OFF")?;
            let made =
                self.demo_history(today, history, &[boulangerie, agence, asso, london, cafe]);
            self.conn().pragma_update(None, "synchronous", "FULL")?;
            made?;
        }

        let line = |desc: &str, qty: &str, price: &str, vat: &str, discount: Discount| Line {
            description: desc.into(),
            input: LineInput {
                quantity: id(Quantity::parse(qty)),
                unit_price: id(Money::parse(price, Currency::EUR)),
                vat_rate: id(VatRate::parse(vat)),
                discount,
            },
            nature: None,
            unit: None,
        };
        let days_ago = |n: u64| today - chrono::Days::new(n);
        let new_invoice = |store: &mut Store,
                           client,
                           kind,
                           deposits: Vec<String>,
                           lines: &[Line],
                           issue_on: Option<NaiveDate>|
         -> Result<Option<String>, StoreError> {
            let draft = store.create_draft(&NewDraft {
                client,
                currency: Currency::EUR,
                kind,
                due_date: None,
                sale_date: None,
                deposits,
                details: Default::default(),
            })?;
            for l in lines {
                store.add_line(draft, l)?;
            }
            match issue_on {
                Some(d) => Ok(Some(store.issue(draft, d)?)),
                None => Ok(None),
            }
        };

        // Paid by transfer.
        let site = new_invoice(
            self,
            boulangerie,
            InvoiceKind::Standard,
            vec![],
            &[
                with_unit(
                    line(
                        "Refonte du site vitrine (maquettes, intégration)",
                        "6",
                        "450",
                        "20",
                        Discount::None,
                    ),
                    Unit::Day,
                ),
                with_unit(
                    line("Hébergement annuel", "1", "96", "20", Discount::None),
                    Unit::LumpSum,
                ),
            ],
            Some(days_ago(75)),
        )?
        .expect("issued");
        let total = self.invoice(&site)?.amount_due;
        self.record_payment(
            &site,
            &NewPayment {
                amount: total,
                method: PaymentMethod::Transfer,
                received_on: days_ago(60),
                reference: Some("VIR BOULANGERIE MARTIN".into()),
                fee: None,
            },
        )?;

        // A deposit, paid.
        let deposit = new_invoice(
            self,
            agence,
            InvoiceKind::Deposit,
            vec![],
            &[line(
                "Acompte de 30 % — application de réservation",
                "1",
                "2700",
                "20",
                Discount::None,
            )],
            Some(days_ago(50)),
        )?
        .expect("issued");
        let total = self.invoice(&deposit)?.amount_due;
        self.record_payment(
            &deposit,
            &NewPayment {
                amount: total,
                method: PaymentMethod::Transfer,
                received_on: days_ago(45),
                reference: None,
                fee: None,
            },
        )?;
        // Overdue, partially paid by cheque.
        let workshop = new_invoice(
            self,
            asso,
            InvoiceKind::Standard,
            vec![],
            &[with_unit(
                line(
                    "Atelier « Créer son site » (demi-journée)",
                    "3",
                    "280",
                    "20",
                    Discount::Percent(1000),
                ),
                Unit::Unit,
            )],
            Some(days_ago(45)),
        )?
        .expect("issued");
        self.record_payment(
            &workshop,
            &NewPayment {
                amount: Money::new(30_000, Currency::EUR),
                method: PaymentMethod::Cheque,
                received_on: days_ago(20),
                reference: Some("Chèque n° 0012345".into()),
                fee: None,
            },
        )?;

        // Issued then cancelled by a credit note.
        let menu = new_invoice(
            self,
            cafe,
            InvoiceKind::Standard,
            vec![],
            &[line(
                "Menu numérique avec QR code",
                "1",
                "350",
                "20",
                Discount::None,
            )],
            Some(days_ago(30)),
        )?
        .expect("issued");
        self.credit_note(
            &menu,
            None,
            Some("Projet annulé par le client"),
            days_ago(28),
        )?;

        // The balance of the deposit above, issued and unpaid.
        new_invoice(
            self,
            agence,
            InvoiceKind::Balance,
            vec![deposit],
            &[line(
                "Application de réservation (développement)",
                "15",
                "600",
                "20",
                Discount::None,
            )],
            Some(days_ago(10)),
        )?;

        // In English, issued and due.
        new_invoice(
            self,
            london,
            InvoiceKind::Standard,
            vec![],
            &[with_unit(
                line("Performance audit", "2", "650", "0", Discount::None),
                Unit::Day,
            )],
            Some(days_ago(5)),
        )?;

        // Two drafts.
        new_invoice(
            self,
            cafe,
            InvoiceKind::Standard,
            vec![],
            &[
                line(
                    "Photos de la carte (séance + retouches)",
                    "1",
                    "420",
                    "20",
                    Discount::None,
                ),
                line(
                    "Livre « Le web pour les restaurants »",
                    "2",
                    "19.90",
                    "5.5",
                    Discount::None,
                ),
            ],
            None,
        )?;
        new_invoice(
            self,
            boulangerie,
            InvoiceKind::Standard,
            vec![],
            &[with_unit(
                line("Maintenance mensuelle", "3", "80", "20", Discount::None),
                Unit::Month,
            )],
            None,
        )?;

        let issued = self
            .list_invoices(None)?
            .into_iter()
            .filter_map(|s| s.number)
            .collect();
        Ok(DemoSummary {
            clients: self.clients()?.len(),
            issued,
            drafts: 2,
        })
    }

    /// `count` invoices issued between 440 and 80 days before `today`: 70 %
    /// paid, 10 % half paid, the rest unpaid; for the demo's clients and 60
    /// more, so a search by name finds a few among many.
    fn demo_history(
        &mut self,
        today: NaiveDate,
        count: usize,
        demo_clients: &[crate::ClientId],
    ) -> Result<(), StoreError> {
        const NAMES: [&str; 6] = [
            "Menuiserie Lefèvre",
            "Cabinet Moreau",
            "Garage Laurent",
            "Fleurs Garnier",
            "Librairie Faure",
            "Traiteur Rousseau",
        ];
        let mut clients = demo_clients.to_vec();
        for i in 0..60 {
            let mut c = Client::new(format!("{} {}", NAMES[i % NAMES.len()], i + 1));
            c.address = Some(id(Address::parse_french(
                "4 rue de la République, 69001 Lyon",
            )));
            clients.push(self.add_client(&c)?);
        }
        // A client invoiced without French VAT gets 0 % lines.
        let mut exempt = Vec::with_capacity(clients.len());
        for &c in &clients {
            exempt.push(self.client(c)?.vat_exemption != VatExemption::None);
        }
        let first = today - chrono::Days::new(440);
        for i in 0..count {
            let which = (i * 7919) % clients.len();
            let client = clients[which];
            let draft = self.create_draft(&NewDraft {
                client,
                currency: Currency::EUR,
                kind: InvoiceKind::Standard,
                due_date: None,
                sale_date: None,
                deposits: vec![],
                details: Default::default(),
            })?;
            let hours = 1 + (i % 12) as i64;
            self.add_line(
                draft,
                &Line {
                    description: format!("Développement, lot {}", i % 97 + 1),
                    input: LineInput {
                        quantity: id(Quantity::from_thousandths(hours * 1000)),
                        unit_price: Money::new(6_000 + (i % 5) as i64 * 500, Currency::EUR),
                        vat_rate: id(VatRate::from_basis_points(if exempt[which] {
                            0
                        } else {
                            2000
                        })),
                        discount: Discount::None,
                    },
                    nature: None,
                    unit: Some(Unit::Hour),
                },
            )?;
            let day = first + chrono::Days::new((i * 360 / count) as u64);
            let number = self.issue(draft, day)?;
            let paid = match i % 10 {
                0..=6 => self.invoice(&number)?.amount_due,
                7 => Money::new(hours * 3_000, Currency::EUR),
                _ => continue,
            };
            self.record_payment(
                &number,
                &NewPayment {
                    amount: paid,
                    method: PaymentMethod::Transfer,
                    received_on: day + chrono::Days::new(10),
                    reference: None,
                    fee: None,
                },
            )?;
        }
        Ok(())
    }
}
