//! Which way an issued invoice goes under the French e-invoicing reform
//! (CGI art. 289 bis and 290; the DGFiP external specifications): an
//! invoice to a French business is an *e-invoice* delivered through the
//! platforms (PA) to the buyer's SIREN; a sale to a consumer, and one to
//! a business established abroad, is *e-reported* instead (processing
//! rules `B2C` and `B2BInt` of XP Z12-013). Also the vocabulary of the
//! lifecycle statuses the platforms relay (codes, names, what each asks of
//! the seller, the reasons a buyer may give).

use crate::ids::Siren;
use crate::invoice::Category;
use crate::money::Money;
use crate::party::{Client, Seller, VatExemption};
use crate::quantity::VatRate;
use crate::tax::{Totals, allocate};

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
        } else if client.business
            || matches!(
                client.vat_exemption,
                // These exemptions exist only for a business buyer (one
                // without a number Acquit knows is still one).
                VatExemption::ReverseCharge
                    | VatExemption::ServicesOutsideEu
                    | VatExemption::IntraEuGoods
            )
        {
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

/// Whether a payment received on an invoice must be reported to the
/// platforms as status 212 "Encaissée" (DGFiP external specifications;
/// FNFE note on BR-FR-CDV-14): VAT on services is due when paid, unless
/// the seller opted for VAT on debits. Invoices of services, and mixed
/// ones for the services' share of each payment ([`cashed_parts`]).
pub fn cashed_status_due(seller: &Seller, category: Option<Category>) -> bool {
    !seller.vat_on_debits && matches!(category, Some(Category::Services | Category::Mixed))
}

/// One part of a payment as status 212 reports it: an amount received
/// (VAT included) at one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CashedPart {
    pub amount: Money,
    pub rate: VatRate,
}

/// The services' share of `payment`, per VAT rate, as status 212 reports
/// it. `natures` are those of `totals.lines`, in order.
///
/// 1. The payment is split over the invoice's VAT rates in proportion to
///    their totals (VAT included).
/// 2. A rate's part is split between services and goods in proportion to
///    the net amounts of its lines of each nature; the services' share is
///    kept. With no goods (an invoice of services) it is the whole part.
///
/// Both steps are exact (largest remainder, [`allocate`]): the parts of
/// an invoice of services add up to the payment to the cent. A line
/// without a nature counts as a service (reported rather than missed).
/// For a mixed invoice this is the proportional imputation that applies
/// when the parties agreed on none (each payment pays each part of the
/// invoice in proportion).
pub fn cashed_parts(
    totals: &Totals,
    natures: &[Option<crate::invoice::Nature>],
    payment: Money,
) -> Vec<CashedPart> {
    use crate::invoice::Nature;
    let weights: Vec<i128> = totals
        .vat
        .iter()
        .map(|row| i128::from(row.base.minor()) + i128::from(row.vat.minor()))
        .collect();
    if weights.is_empty() {
        return Vec::new();
    }
    // Per rate: the net amounts of its services and of its goods.
    let lines_known = totals.lines.len() == natures.len();
    let split = |rate| -> (i128, i128) {
        if !lines_known {
            return (1, 0);
        }
        totals
            .lines
            .iter()
            .zip(natures)
            .filter(|(line, _)| line.vat_rate == rate)
            .fold((0, 0), |(services, goods), (line, nature)| {
                let net = i128::from(line.net.minor()).abs();
                match nature {
                    Some(Nature::Goods) => (services, goods + net),
                    _ => (services + net, goods),
                }
            })
    };
    allocate(i128::from(payment.minor()), &weights)
        .into_iter()
        .zip(&totals.vat)
        .map(|(part, row)| {
            let services = match split(row.rate) {
                (_, 0) => part,
                (0, _) => 0,
                (services, goods) => allocate(part, &[services, goods])[0],
            };
            (services, row.rate)
        })
        .filter(|(part, _)| *part != 0)
        .map(|(part, rate)| CashedPart {
            amount: Money::new(
                i64::try_from(part).expect("a part of an i64 amount fits"),
                payment.currency(),
            ),
            rate,
        })
        .collect()
}

// ------------------------------------------------------------ lifecycle

/// The codes a lifecycle status can have (UNTDID 4343 and the French
/// list: three digits at most). The books keep nothing else (a `CHECK`),
/// the CDAR reader refuses anything else.
pub const STATUS_CODES: std::ops::RangeInclusive<u16> = 1..=999;

/// One lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The CDAR `ProcessConditionCode`.
    pub code: u16,
    /// Its French name (`ProcessCondition`).
    pub fr: &'static str,
    pub en: &'static str,
    /// What the seller should do now, if anything (French, English).
    pub next_fr: &'static str,
    pub next_en: &'static str,
    /// The buyer refused or the platform rejected: the invoice will not be
    /// paid as it stands.
    pub blocking: bool,
}

const NOTHING_FR: &str = "";
const NOTHING_EN: &str = "";
const REISSUE_FR: &str = "Émettez un avoir, puis une facture corrigée.";
const REISSUE_EN: &str = "Issue a credit note, then a corrected invoice.";
const TALK_FR: &str = "Voyez le motif avec le client.";
const TALK_EN: &str = "Look into the reason with the client.";

/// The statuses, by code.
pub const STATUSES: &[Status] = &[
    s(200, "Déposée", "Submitted", NOTHING_FR, NOTHING_EN, false),
    s(
        201,
        "Émise par la plateforme",
        "Issued by the platform",
        NOTHING_FR,
        NOTHING_EN,
        false,
    ),
    s(
        202,
        "Reçue par la plateforme",
        "Received by the buyer's platform",
        NOTHING_FR,
        NOTHING_EN,
        false,
    ),
    s(
        203,
        "Mise à disposition",
        "Made available to the buyer",
        NOTHING_FR,
        NOTHING_EN,
        false,
    ),
    s(
        204,
        "Prise en charge",
        "Being processed by the buyer",
        NOTHING_FR,
        NOTHING_EN,
        false,
    ),
    s(205, "Approuvée", "Approved", NOTHING_FR, NOTHING_EN, false),
    s(
        206,
        "Approuvée partiellement",
        "Partly approved",
        TALK_FR,
        TALK_EN,
        false,
    ),
    s(207, "En litige", "Disputed", TALK_FR, TALK_EN, false),
    s(
        208,
        "Suspendue",
        "Suspended",
        "Envoyez au client ce qui manque (motif ci-dessous).",
        "Send the client what is missing (reason below).",
        false,
    ),
    s(209, "Complétée", "Completed", NOTHING_FR, NOTHING_EN, false),
    s(210, "Refusée", "Refused", REISSUE_FR, REISSUE_EN, true),
    s(
        211,
        "Paiement transmis",
        "Payment sent",
        NOTHING_FR,
        NOTHING_EN,
        false,
    ),
    s(212, "Encaissée", "Cashed", NOTHING_FR, NOTHING_EN, false),
    s(
        213,
        "Rejetée",
        "Rejected by the platform",
        REISSUE_FR,
        REISSUE_EN,
        true,
    ),
    s(214, "Visée", "Certified", NOTHING_FR, NOTHING_EN, false),
    s(220, "Annulée", "Cancelled", NOTHING_FR, NOTHING_EN, true),
    s(
        501,
        "Irrecevable",
        "Inadmissible",
        REISSUE_FR,
        REISSUE_EN,
        true,
    ),
];

const fn s(
    code: u16,
    fr: &'static str,
    en: &'static str,
    next_fr: &'static str,
    next_en: &'static str,
    blocking: bool,
) -> Status {
    Status {
        code,
        fr,
        en,
        next_fr,
        next_en,
        blocking,
    }
}

impl Status {
    pub fn of(code: u16) -> Option<Status> {
        STATUSES.iter().copied().find(|s| s.code == code)
    }

    /// The name in `lang` (`fr`, else English).
    pub fn name(&self, fr: bool) -> &'static str {
        if fr { self.fr } else { self.en }
    }

    /// What to do next in `lang`, if anything.
    pub fn next_step(&self, fr: bool) -> Option<&'static str> {
        let text = if fr { self.next_fr } else { self.next_en };
        (!text.is_empty()).then_some(text)
    }
}

/// The reasons a buyer may give (the FNFE CDAR rules' closed list,
/// BR-FR-CDV-CL-09, the ones about an invoice's content), with their
/// meaning in French and English.
pub const REASONS: &[(&str, &str, &str)] = &[
    ("TX_TVA_ERR", "Taux de TVA erroné", "Wrong VAT rate"),
    ("MONTANTTOTAL_ERR", "Montant total erroné", "Wrong total"),
    ("CALCUL_ERR", "Erreur de calcul", "Calculation error"),
    ("PU_ERR", "Prix unitaire erroné", "Wrong unit price"),
    ("QTE_ERR", "Quantité erronée", "Wrong quantity"),
    ("REM_ERR", "Remise erronée", "Wrong discount"),
    ("ART_ERR", "Article erroné", "Wrong item"),
    ("CMD_ERR", "Numéro de commande erroné", "Wrong order number"),
    ("REF_ERR", "Référence erronée", "Wrong reference"),
    ("ADR_ERR", "Adresse erronée", "Wrong address"),
    ("SIRET_ERR", "SIRET erroné", "Wrong SIRET"),
    (
        "MODPAI_ERR",
        "Moyen de paiement erroné",
        "Wrong means of payment",
    ),
    (
        "COORD_BANC_ERR",
        "Coordonnées bancaires erronées",
        "Wrong bank details",
    ),
    ("LIVR_INCOMP", "Livraison incomplète", "Delivery incomplete"),
    (
        "QUALITE_ERR",
        "Qualité non conforme",
        "Quality not as agreed",
    ),
    ("DOUBLON", "Facture en double", "Duplicate invoice"),
    ("DOUBLE_FACT", "Déjà facturé", "Already invoiced"),
    (
        "DEST_ERR",
        "Pas le bon destinataire",
        "Not the right recipient",
    ),
    ("CONTRAT_TERM", "Contrat terminé", "Contract ended"),
    (
        "JUSTIF_ABS",
        "Justificatif absent",
        "Supporting document missing",
    ),
    ("AUTRE", "Autre motif", "Other reason"),
];

/// Whether status `code` needs a reason (the FNFE CDAR rule BR-FR-CDV-15).
pub fn needs_reason(code: u16) -> bool {
    matches!(code, 206 | 207 | 208 | 210 | 213 | 501)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{Address, Country};

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
    fn every_status_has_both_names_and_blocking_ones_say_what_to_do() {
        for status in STATUSES {
            assert!(
                !status.fr.is_empty() && !status.en.is_empty(),
                "{}",
                status.code
            );
            if status.blocking && status.code != 220 {
                assert!(status.next_step(true).is_some(), "{}", status.code);
                assert!(status.next_step(false).is_some(), "{}", status.code);
            }
        }
        assert_eq!(Status::of(205).unwrap().fr, "Approuvée");
        assert!(Status::of(210).unwrap().blocking);
        assert_eq!(Status::of(299), None);
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
        // A business abroad Acquit has no number for: its exemption says it.
        let mut thames = client(false, None, "GB".parse().unwrap());
        thames.vat_exemption = VatExemption::ServicesOutsideEu;
        assert_eq!(Channel::of(&thames), Channel::ReportInternational);
        // Goods exported to a person abroad: a consumer.
        thames.vat_exemption = VatExemption::ExportGoods;
        assert_eq!(Channel::of(&thames), Channel::ReportConsumer);
        let mut exempt = client(true, Some("702042755"), Country::FR);
        exempt.vat_exemption = VatExemption::ServicesOutsideEu;
        assert_eq!(Channel::of(&exempt), Channel::ReportInternational);
        assert_eq!(Channel::ReportConsumer.processing_rule(), "B2C");
    }

    #[test]
    fn a_payment_is_split_over_the_rates_exactly() {
        use crate::currency::Currency;
        use crate::tax::VatBreakdown;
        let eur = |minor| Money::new(minor, Currency::EUR);
        let rate = |r: &str| VatRate::parse(r).unwrap();
        let totals = Totals {
            currency: Currency::EUR,
            lines: vec![],
            vat: vec![
                VatBreakdown {
                    rate: rate("5.5"),
                    base: eur(10_000),
                    vat: eur(550),
                },
                VatBreakdown {
                    rate: rate("20"),
                    base: eur(20_000),
                    vat: eur(4_000),
                },
            ],
            net: eur(30_000),
            vat_total: eur(4_550),
            total: eur(34_550),
        };
        let parts = cashed_parts(&totals, &[], eur(10_001));
        assert_eq!(parts.iter().map(|p| p.amount.minor()).sum::<i64>(), 10_001);
        // 10 550 / 34 550 and 24 000 / 34 550 of 100.01 €.
        assert_eq!(
            parts[0],
            CashedPart {
                amount: eur(3_054),
                rate: rate("5.5")
            }
        );
        assert_eq!(
            parts[1],
            CashedPart {
                amount: eur(6_947),
                rate: rate("20")
            }
        );
        assert_eq!(
            cashed_parts(&totals, &[], eur(34_550))[1].amount,
            eur(24_000)
        );

        // Mixed: at 20 %, 150 € of service and 50 € of goods; at 5.5 %,
        // goods only. Of 100.01 €: 69.47 € at 20 %, three quarters of it
        // services (52.10 €, the half cent to the larger remainder); the
        // 5.5 % part is goods, not reported.
        let line = |net: i64, r: &str| crate::tax::LineAmounts {
            amount: eur(net),
            discount: eur(0),
            net: eur(net),
            vat_rate: rate(r),
        };
        let mixed = Totals {
            lines: vec![line(15_000, "20"), line(5_000, "20"), line(10_000, "5.5")],
            ..totals.clone()
        };
        use crate::invoice::Nature::{Goods, Service};
        let natures = [Some(Service), Some(Goods), Some(Goods)];
        assert_eq!(
            cashed_parts(&mixed, &natures, eur(10_001)),
            [CashedPart {
                amount: eur(5_210),
                rate: rate("20")
            }]
        );
        // Paid in full: exactly the services' total, VAT included.
        assert_eq!(
            cashed_parts(&mixed, &natures, eur(34_550))[0].amount,
            eur(18_000)
        );
        // All services: the same as knowing nothing of the lines.
        assert_eq!(
            cashed_parts(&mixed, &[Some(Service), Some(Service), None], eur(10_001)),
            cashed_parts(&totals, &[], eur(10_001))
        );

        let mut seller = Seller::new("S", "1 rue X, 75001 Paris");
        assert!(cashed_status_due(&seller, Some(Category::Services)));
        assert!(cashed_status_due(&seller, Some(Category::Mixed)));
        assert!(!cashed_status_due(&seller, Some(Category::Goods)));
        assert!(!cashed_status_due(&seller, None));
        seller.vat_on_debits = true;
        assert!(!cashed_status_due(&seller, Some(Category::Services)));
    }
}
