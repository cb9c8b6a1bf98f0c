//! What the law asks of an invoice before it is issued, and from when.
//!
//! One list, checked in one place: the store refuses to issue an invoice
//! with a gap that is due on its issue date, and the CLI and the app warn
//! about the gaps that become due later (the e-invoicing reform's data,
//! due from [`E_INVOICING_FROM`]), so users fix their profiles before the
//! date instead of on it.

use chrono::NaiveDate;

use crate::address::{Country, Missing};
use crate::{Client, Currency, InvoiceDetails, Lang, Line, Seller};

/// 1 September 2027: small businesses and freelancers issue e-invoices
/// (CGI art. 289 bis; loi 2023-1322 art. 91 as amended), with the new
/// mentions (the buyer's SIREN, the delivery address, the category of the
/// operation, the debits option).
pub const E_INVOICING_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2027, 9, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Something an invoice lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The seller's address lacks parts an e-invoice needs.
    SellerAddress(Vec<Missing>),
    /// A French seller without a SIREN.
    SellerSiren,
    /// A French business client without a SIREN.
    BuyerSiren { client: String },
    /// The client's billing address lacks parts an e-invoice needs.
    BuyerAddress {
        client: String,
        missing: Vec<Missing>,
    },
    /// A business client an e-invoice cannot be addressed to: no SIREN
    /// (the French platforms' address) and no email (BT-49, BR-FR-12).
    BuyerElectronicAddress { client: String },
    /// A line says neither goods nor service, and the seller's activity
    /// gives no default.
    LineNature { line: usize },
    /// An invoice in another currency without the rate of its VAT in euros.
    EurRate { currency: Currency },
}

impl Gap {
    /// From when issuing is refused with this gap; `None`: always.
    pub fn due_from(&self) -> Option<NaiveDate> {
        match self {
            Gap::EurRate { .. } => None,
            _ => Some(E_INVOICING_FROM),
        }
    }

    /// Whether an invoice dated `date` may not be issued with this gap.
    pub fn blocks_on(&self, date: NaiveDate) -> bool {
        self.due_from().is_none_or(|from| date >= from)
    }

    /// What is missing and how to give it.
    pub fn message(&self, lang: Lang) -> String {
        let options = |missing: &[Missing]| {
            missing
                .iter()
                .map(|m| m.option())
                .collect::<Vec<_>>()
                .join(" ")
        };
        match (self, lang) {
            (Gap::SellerAddress(m), Lang::Fr) => format!(
                "l'adresse de votre entreprise est incomplète : complétez-la (acquit company set {})",
                options(m)
            ),
            (Gap::SellerAddress(m), Lang::En) => format!(
                "your company's address is incomplete: complete it (acquit company set {})",
                options(m)
            ),
            (Gap::SellerSiren, Lang::Fr) => {
                "votre SIREN manque : donnez-le (acquit company set --siren)".to_owned()
            }
            (Gap::SellerSiren, Lang::En) => {
                "your SIREN is missing: give it (acquit company set --siren)".to_owned()
            }
            (Gap::BuyerSiren { client }, Lang::Fr) => format!(
                "le SIREN du client professionnel français {client} manque : donnez-le (acquit client edit --siren)"
            ),
            (Gap::BuyerSiren { client }, Lang::En) => format!(
                "the SIREN of the French business client {client} is missing: give it (acquit client edit --siren)"
            ),
            (Gap::BuyerElectronicAddress { client }, Lang::Fr) => format!(
                "{client} n'a ni SIREN ni e-mail où adresser la facture électronique : donnez son e-mail (acquit client edit --email)"
            ),
            (Gap::BuyerElectronicAddress { client }, Lang::En) => format!(
                "{client} has neither a SIREN nor an email to address the e-invoice to: give its email (acquit client edit --email)"
            ),
            (Gap::BuyerAddress { client, missing }, Lang::Fr) => format!(
                "l'adresse de facturation de {client} est incomplète : complétez-la (acquit client edit {})",
                options(missing)
            ),
            (Gap::BuyerAddress { client, missing }, Lang::En) => format!(
                "the billing address of {client} is incomplete: complete it (acquit client edit {})",
                options(missing)
            ),
            (Gap::LineNature { line }, Lang::Fr) => format!(
                "la ligne {line} n'indique ni bien ni service : précisez-le (--nature goods|service) ou donnez votre activité (acquit company set --activity)"
            ),
            (Gap::LineNature { line }, Lang::En) => format!(
                "line {line} says neither goods nor service: say which (--nature goods|service) or give your activity (acquit company set --activity)"
            ),
            (Gap::EurRate { currency }, Lang::Fr) => format!(
                "la facture est en {currency} : donnez le taux de change de l'euro pour sa TVA en euros (--eur-rate, le taux de référence BCE : combien de {currency} vaut 1 €)"
            ),
            (Gap::EurRate { currency }, Lang::En) => format!(
                "the invoice is in {currency}: give the euro exchange rate for its VAT in euros (--eur-rate, the ECB reference rate: how many {currency} one euro buys)"
            ),
        }
    }
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// Every gap of an invoice to `buyer` with these lines, whatever the date.
pub fn gaps(
    seller: &Seller,
    buyer: &Client,
    lines: &[Line],
    details: &InvoiceDetails,
    currency: Currency,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let missing = seller.address.missing();
    if !missing.is_empty() {
        gaps.push(Gap::SellerAddress(missing));
    }
    if seller.home_country() == Country::FR && seller.siren.is_none() {
        gaps.push(Gap::SellerSiren);
    }
    if buyer.is_french_business() && buyer.siren.is_none() {
        gaps.push(Gap::BuyerSiren {
            client: buyer.name.clone(),
        });
    }
    if buyer.business {
        let missing = buyer
            .address
            .as_ref()
            .map_or_else(|| crate::Address::default().missing(), |a| a.missing());
        if !missing.is_empty() {
            gaps.push(Gap::BuyerAddress {
                client: buyer.name.clone(),
                missing,
            });
        }
        if buyer.siren.is_none() && buyer.email.is_none() {
            gaps.push(Gap::BuyerElectronicAddress {
                client: buyer.name.clone(),
            });
        }
    }
    for (i, line) in lines.iter().enumerate() {
        if line.nature.is_none() && seller.activity.is_none() {
            gaps.push(Gap::LineNature { line: i + 1 });
        }
    }
    if currency != Currency::EUR && details.eur_rate.is_none() {
        gaps.push(Gap::EurRate { currency });
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Siren;
    use crate::{Activity, Address};

    fn complete_seller() -> Seller {
        Seller {
            siren: Some(Siren::parse("732829320").unwrap()),
            activity: Some(Activity::LiberalServices),
            ..Seller::new("Camille Roux", "8 rue de la Roquette\n75011 Paris")
        }
    }

    fn business(name: &str) -> Client {
        Client {
            business: true,
            address: Some(Address::from("3 quai Rambaud\n69002 Lyon")),
            ..Client::new(name)
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_complete_invoice_has_no_gap() {
        let details = InvoiceDetails::default();
        assert_eq!(
            gaps(
                &complete_seller(),
                &Client::new("Café"),
                &[],
                &details,
                Currency::EUR
            ),
            []
        );
        let mut client = business("Agence");
        client.siren = Some(Siren::parse("443061841").unwrap());
        assert_eq!(
            gaps(&complete_seller(), &client, &[], &details, Currency::EUR),
            []
        );
    }

    #[test]
    fn a_french_business_client_needs_its_siren_from_september_2027() {
        let gap = &gaps(
            &complete_seller(),
            &business("Agence"),
            &[],
            &InvoiceDetails::default(),
            Currency::EUR,
        )[0];
        assert_eq!(
            gap,
            &Gap::BuyerSiren {
                client: "Agence".into()
            }
        );
        assert!(!gap.blocks_on(day("2027-08-31")));
        assert!(gap.blocks_on(day("2027-09-01")));
        assert!(gap.message(Lang::Fr).contains("acquit client edit --siren"));
        // A business without SIREN nor email cannot be sent an e-invoice.
        let mut unreachable = business("Nordic");
        unreachable.vat_exemption = crate::VatExemption::ReverseCharge;
        assert_eq!(
            gaps(
                &complete_seller(),
                &unreachable,
                &[],
                &InvoiceDetails::default(),
                Currency::EUR
            ),
            [Gap::BuyerElectronicAddress {
                client: "Nordic".into()
            }]
        );
        // A foreign business, or one invoiced under an exemption, has none.
        let mut foreign = business("Thames");
        foreign.email = Some(crate::ids::Email::parse("ap@thames.example").unwrap());
        foreign.address = Some(
            Address::new(
                vec!["1 Canada Square".into()],
                Some("E14 5AB".into()),
                Some("London".into()),
                Country::parse("GB").unwrap(),
            )
            .unwrap(),
        );
        assert_eq!(
            gaps(
                &complete_seller(),
                &foreign,
                &[],
                &InvoiceDetails::default(),
                Currency::EUR
            ),
            []
        );
    }

    #[test]
    fn incomplete_addresses_natures_and_rates_are_named_with_their_fix() {
        let mut seller = complete_seller();
        seller.address = Address::from("8 rue de la Roquette, Paris");
        seller.siren = None;
        seller.activity = None;
        let mut client = business("Agence");
        client.siren = Some(Siren::parse("443061841").unwrap());
        client.address = None;
        let line = Line::new(
            "Conseil",
            crate::LineInput {
                quantity: crate::Quantity::ONE,
                unit_price: crate::Money::new(100, Currency::EUR),
                vat_rate: crate::VatRate::ZERO,
                discount: crate::Discount::None,
            },
        );
        let usd = Currency::from_code("USD").unwrap();
        let found = gaps(&seller, &client, &[line], &InvoiceDetails::default(), usd);
        assert_eq!(
            found,
            [
                Gap::SellerAddress(vec![Missing::Postcode, Missing::City, Missing::Country]),
                Gap::SellerSiren,
                Gap::BuyerAddress {
                    client: "Agence".into(),
                    missing: vec![
                        Missing::Street,
                        Missing::Postcode,
                        Missing::City,
                        Missing::Country
                    ]
                },
                Gap::LineNature { line: 1 },
                Gap::EurRate { currency: usd },
            ]
        );
        assert!(
            found[0]
                .message(Lang::En)
                .contains("--postcode --city --country")
        );
        // The rate is due today; the rest from September 2027.
        let today: Vec<bool> = found
            .iter()
            .map(|g| g.blocks_on(day("2026-12-06")))
            .collect();
        assert_eq!(today, [false, false, false, false, true]);
    }
}
