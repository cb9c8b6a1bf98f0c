//! Which way an issued invoice goes under the French e-invoicing reform
//! (CGI art. 289 bis and 290; the DGFiP external specifications): an
//! invoice to a French business is an *e-invoice* delivered through the
//! platforms (PA) to the buyer's SIREN; a sale to a consumer, and one to
//! a business established abroad, is *e-reported* instead (processing
//! rules `B2C` and `B2BInt` of XP Z12-013).

use crate::ids::Siren;
use crate::party::Client;

/// The way of an invoice to `client`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// Through the platforms, addressed to the buyer's SIREN.
    EInvoice { buyer_siren: Siren },
    /// A French business whose SIREN Acquit does not have: it must be
    /// added before the invoice can go (it is a mention due from 1
    /// September 2027 anyway).
    EInvoiceWithoutSiren,
    /// E-reported as a sale to a consumer.
    ReportConsumer,
    /// E-reported as a sale to a business established abroad (or invoiced
    /// under an export or intra-EU exemption).
    ReportInternational,
}

impl Channel {
    /// The channel of an invoice to `client` (the client as issued).
    pub fn of(client: &Client) -> Channel {
        if client.is_french_business() {
            match &client.siren {
                Some(siren) => Channel::EInvoice {
                    buyer_siren: siren.clone(),
                },
                None => Channel::EInvoiceWithoutSiren,
            }
        } else if client.business {
            Channel::ReportInternational
        } else {
            Channel::ReportConsumer
        }
    }

    /// XP Z12-013's `processingRule` for the flow.
    pub fn processing_rule(&self) -> &'static str {
        match self {
            Channel::EInvoice { .. } | Channel::EInvoiceWithoutSiren => "B2B",
            Channel::ReportConsumer => "B2C",
            Channel::ReportInternational => "B2BInt",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{Address, Country};
    use crate::party::VatExemption;

    fn client(business: bool, siren: Option<&str>, country: Country) -> Client {
        let mut c = Client::new("Client");
        c.business = business;
        c.siren = siren.map(|s| s.parse().unwrap());
        c.address = Some(Address {
            lines: vec!["1 rue X".into()],
            postcode: Some("75001".into()),
            city: Some("Paris".into()),
            country: Some(country),
            as_written: None,
        });
        c
    }

    #[test]
    fn french_businesses_get_e_invoices_and_the_others_are_reported() {
        assert_eq!(
            Channel::of(&client(true, Some("702042755"), Country::FR)),
            Channel::EInvoice {
                buyer_siren: "702042755".parse().unwrap()
            }
        );
        assert_eq!(
            Channel::of(&client(true, None, Country::FR)),
            Channel::EInvoiceWithoutSiren
        );
        assert_eq!(
            Channel::of(&client(false, None, Country::FR)),
            Channel::ReportConsumer
        );
        assert_eq!(
            Channel::of(&client(true, None, "DE".parse().unwrap())),
            Channel::ReportInternational
        );
        let mut exempt = client(true, Some("702042755"), Country::FR);
        exempt.vat_exemption = VatExemption::ServicesOutsideEu;
        assert_eq!(Channel::of(&exempt), Channel::ReportInternational);
        assert_eq!(Channel::ReportConsumer.processing_rule(), "B2C");
    }
}
