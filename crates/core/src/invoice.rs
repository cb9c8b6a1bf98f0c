//! Invoices and credit notes: their kinds and lines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::tax::LineInput;
use crate::{Address, Money};

/// What a document is. A credit note (avoir) references the invoice it
/// corrects; a balance invoice (solde) lists the deposits (acomptes) it
/// deducts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Standard,
    Deposit,
    Balance,
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceKind::Standard => "standard",
            InvoiceKind::Deposit => "deposit",
            InvoiceKind::Balance => "balance",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn is_credit_note(&self) -> bool {
        *self == InvoiceKind::CreditNote
    }

    /// The document type code of e-invoices and statuses (BT-3, UNTDID 1001).
    pub fn untdid_1001(&self) -> &'static str {
        match self {
            InvoiceKind::Standard | InvoiceKind::Balance => "380",
            InvoiceKind::Deposit => "386",
            InvoiceKind::CreditNote => "381",
        }
    }
}

impl std::str::FromStr for InvoiceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().replace('-', "_").as_str() {
            "standard" => Ok(InvoiceKind::Standard),
            "deposit" => Ok(InvoiceKind::Deposit),
            "balance" => Ok(InvoiceKind::Balance),
            "credit_note" => Ok(InvoiceKind::CreditNote),
            other => Err(format!(
                "\"{other}\" is not a kind of invoice: use standard, deposit or balance"
            )),
        }
    }
}

/// What an invoice says beyond its lines and parties: the buyer's
/// references, where it is delivered, and for an invoice in another
/// currency its VAT in euros. Typed on the draft, completed when issued,
/// then locked with the invoice. Every field is optional: older books have
/// none, and nothing is printed for what is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDetails {
    /// The buyer's purchase order number (EN 16931 BT-13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_ref: Option<String>,
    /// The reference the buyer asked to see on the invoice, e.g. a service
    /// code (BT-10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_ref: Option<String>,
    /// Where goods go or the service is performed, when it is neither the
    /// billing address nor the client's usual delivery address (BG-15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Address>,
    /// For an invoice in another currency: the rate its VAT is converted to
    /// euros at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eur_rate: Option<EurRate>,
    /// Set when issued, from `eur_rate`: the VAT total in euros (BT-111,
    /// the French rule BR-FR-CO-12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_total_eur: Option<Money>,
    /// For a credit note: the issue date of the invoice it corrects (BT-26),
    /// copied when the credit note is issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited_issue_date: Option<NaiveDate>,
    /// Issued as a Factur-X (EN 16931): its as-issued PDF is the PDF/A-3
    /// carrying its XML, the legal original. Documents issued before
    /// Acquit made Factur-X keep their plain PDF, byte for byte.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub facturx: bool,
    /// The quote (devis) the invoice was made from, printed on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_ref: Option<String>,
    /// How the invoice may be paid (BG-16/BT-81), in the order given:
    /// chosen on the draft, else set at issue by [`PaymentMeans::offered`].
    /// Empty on invoices issued before Acquit recorded it (their e-invoice
    /// offers a transfer when the seller has an IBAN, as then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_means: Vec<PaymentMeans>,
}

impl InvoiceDetails {
    pub fn is_empty(&self) -> bool {
        *self == InvoiceDetails::default()
    }

    /// Whether the invoice offers a bank transfer: it said so, or it was
    /// issued before the ways to pay were recorded (the bank details were
    /// always printed then).
    pub fn offers_transfer(&self) -> bool {
        self.payment_means.is_empty() || self.payment_means.contains(&PaymentMeans::Transfer)
    }

    /// Where the invoice to `buyer` is delivered, when that is not its
    /// billing address: the invoice's own delivery address, else the
    /// client's usual one.
    pub fn delivery_for<'a>(&'a self, buyer: &'a crate::Client) -> Option<&'a Address> {
        self.delivery
            .as_ref()
            .or(buyer.delivery_address.as_ref())
            .filter(|d| Some(*d) != buyer.address.as_ref())
    }
}

/// An exchange rate as the European Central Bank publishes its reference
/// rates: how many units of a currency one euro buys ("1 EUR = 1.0850
/// USD"), exact to six decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EurRate {
    /// Units of the currency per euro, in millionths.
    per_euro_micro: i64,
}

/// A rate that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not an exchange rate: give how many units of the invoice's currency one euro buys, with at most 6 decimals (the ECB reference rate, e.g. 1.0850 for USD)"
)]
pub struct EurRateError(pub String);

impl EurRate {
    pub fn parse(input: &str) -> Result<EurRate, EurRateError> {
        let bad = || EurRateError(input.trim().to_owned());
        let micro = crate::decimal::parse_scaled(input, 6, crate::decimal::Grouping::Spaces)
            .map_err(|_| bad())?;
        let micro = i64::try_from(micro).map_err(|_| bad())?;
        if micro <= 0 {
            return Err(bad());
        }
        Ok(EurRate {
            per_euro_micro: micro,
        })
    }

    pub fn per_euro_micro(self) -> i64 {
        self.per_euro_micro
    }

    /// `amount` in euros, rounded once, half away from zero, to the cent.
    pub fn to_eur(self, amount: Money) -> Result<Money, crate::MoneyError> {
        let exponent = u32::from(amount.currency().exponent());
        let eur_exponent = u32::from(crate::Currency::EUR.exponent());
        // minor / 10^e currency units ÷ (micro / 10^6) per euro, in cents.
        let numerator = i128::from(amount.minor()) * 10i128.pow(eur_exponent) * 1_000_000;
        let denominator = i128::from(self.per_euro_micro) * 10i128.pow(exponent);
        let cents = crate::money::round_div(numerator, denominator);
        let cents = i64::try_from(cents).map_err(|_| crate::MoneyError::Overflow)?;
        Ok(Money::new(cents, crate::Currency::EUR))
    }

    /// As printed: "1,085" in French, "1.085" in English, without trailing zeros.
    pub fn format(self, lang: crate::Lang) -> String {
        crate::decimal::format_scaled(
            i128::from(self.per_euro_micro),
            6,
            lang.decimal_point(),
            None,
            true,
        )
    }
}

/// One line of an invoice as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    #[serde(flatten)]
    pub input: LineInput,
    /// Goods or a service (lines of older books have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature: Option<Nature>,
    /// What the quantity counts (none: a plain number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
}

impl Line {
    /// The quantity as printed, with its unit ("2,5 h", "3 jours", "1
    /// forfait": plural above one, a no-break space before the unit).
    pub fn quantity_label(&self, lang: crate::Lang) -> String {
        let quantity = self.input.quantity.format(lang);
        match self.unit {
            Some(unit) => {
                let plural = self.input.quantity > crate::Quantity::ONE;
                format!("{quantity}\u{a0}{}", unit.symbol(lang, plural))
            }
            None => quantity,
        }
    }

    /// A line without nature or unit.
    pub fn new(description: impl Into<String>, input: LineInput) -> Line {
        Line {
            description: description.into(),
            input,
            nature: None,
            unit: None,
        }
    }
}

/// Whether a line sells goods or a service: it decides the invoice's
/// category (a mention due from 1 September 2027), when VAT is due, and
/// the micro-entrepreneur's declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Nature {
    Goods,
    Service,
}

impl Nature {
    pub fn as_str(self) -> &'static str {
        match self {
            Nature::Goods => "goods",
            Nature::Service => "service",
        }
    }
}

impl std::str::FromStr for Nature {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "goods" => Ok(Nature::Goods),
            "service" | "services" => Ok(Nature::Service),
            other => Err(format!(
                "\"{other}\" is not a nature of line: use goods or service"
            )),
        }
    }
}

/// The category of an invoice's operation, from its lines' natures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Goods,
    Services,
    Mixed,
}

impl Category {
    /// Goods only, services only, or both; none when a line has no nature
    /// (older books), so nothing is printed for them.
    pub fn of(lines: &[Line]) -> Option<Category> {
        let mut natures = lines.iter().map(|l| l.nature);
        let first = natures.next()??;
        let mut category = match first {
            Nature::Goods => Category::Goods,
            Nature::Service => Category::Services,
        };
        for nature in natures {
            match (nature?, category) {
                (Nature::Goods, Category::Services) | (Nature::Service, Category::Goods) => {
                    category = Category::Mixed
                }
                _ => {}
            }
        }
        Some(category)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Goods => "goods",
            Category::Services => "services",
            Category::Mixed => "mixed",
        }
    }

    /// As printed on the invoice.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match (self, lang) {
            (Category::Goods, crate::Lang::Fr) => "Livraison de biens",
            (Category::Services, crate::Lang::Fr) => "Prestations de services",
            (Category::Mixed, crate::Lang::Fr) => "Livraison de biens et prestations de services",
            (Category::Goods, crate::Lang::En) => "Supply of goods",
            (Category::Services, crate::Lang::En) => "Supply of services",
            (Category::Mixed, crate::Lang::En) => "Supply of goods and services",
        }
    }
}

/// What a line's quantity counts, with its UN/ECE Recommendation 20 code
/// (the unit of EN 16931, BT-130).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Hour,
    Day,
    Month,
    Unit,
    Kg,
    M,
    M2,
    Km,
    LumpSum,
}

impl Unit {
    pub const ALL: [Unit; 9] = [
        Unit::Hour,
        Unit::Day,
        Unit::Month,
        Unit::Unit,
        Unit::Kg,
        Unit::M,
        Unit::M2,
        Unit::Km,
        Unit::LumpSum,
    ];

    /// The name in the CLI and the app (`lump-sum`).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Month => "month",
            Unit::Unit => "unit",
            Unit::Kg => "kg",
            Unit::M => "m",
            Unit::M2 => "m2",
            Unit::Km => "km",
            Unit::LumpSum => "lump-sum",
        }
    }

    /// The UN/ECE Recommendation 20 code.
    pub fn rec20(self) -> &'static str {
        match self {
            Unit::Hour => "HUR",
            Unit::Day => "DAY",
            Unit::Month => "MON",
            Unit::Unit => "C62",
            Unit::Kg => "KGM",
            Unit::M => "MTR",
            Unit::M2 => "MTK",
            Unit::Km => "KMT",
            Unit::LumpSum => "LS",
        }
    }

    /// Printed after the quantity ("2,5 h", "3 jours", "1 forfait").
    pub fn symbol(self, lang: crate::Lang, plural: bool) -> &'static str {
        use crate::Lang::{En, Fr};
        match (self, lang, plural) {
            (Unit::Hour, _, _) => "h",
            (Unit::Day, Fr, false) => "jour",
            (Unit::Day, Fr, true) => "jours",
            (Unit::Day, En, false) => "day",
            (Unit::Day, En, true) => "days",
            (Unit::Month, Fr, _) => "mois",
            (Unit::Month, En, false) => "month",
            (Unit::Month, En, true) => "months",
            (Unit::Unit, Fr, false) => "unité",
            (Unit::Unit, Fr, true) => "unités",
            (Unit::Unit, En, false) => "unit",
            (Unit::Unit, En, true) => "units",
            (Unit::Kg, _, _) => "kg",
            (Unit::M, _, _) => "m",
            (Unit::M2, _, _) => "m²",
            (Unit::Km, _, _) => "km",
            (Unit::LumpSum, Fr, false) => "forfait",
            (Unit::LumpSum, Fr, true) => "forfaits",
            (Unit::LumpSum, En, false) => "lump sum",
            (Unit::LumpSum, En, true) => "lump sums",
        }
    }
}

/// A way the invoice may be paid, with its UNTDID 4461 code (EN 16931
/// BT-81, payment means type code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentMeans {
    /// SEPA credit transfer to the seller's IBAN (58).
    Transfer,
    /// Payment card, e.g. through a Stripe payment link (48, bank card).
    Card,
    /// Cheque (20).
    Cheque,
    /// Cash (10).
    Cash,
}

impl PaymentMeans {
    pub const ALL: [PaymentMeans; 4] = [
        PaymentMeans::Transfer,
        PaymentMeans::Card,
        PaymentMeans::Cheque,
        PaymentMeans::Cash,
    ];

    /// The name in the CLI and the books (`transfer`).
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMeans::Transfer => "transfer",
            PaymentMeans::Card => "card",
            PaymentMeans::Cheque => "cheque",
            PaymentMeans::Cash => "cash",
        }
    }

    /// The UNTDID 4461 code of BT-81.
    pub fn code(self) -> &'static str {
        match self {
            PaymentMeans::Transfer => "58",
            PaymentMeans::Card => "48",
            PaymentMeans::Cheque => "20",
            PaymentMeans::Cash => "10",
        }
    }

    /// As printed ("virement SEPA", "carte bancaire").
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::{En, Fr};
        match (self, lang) {
            (PaymentMeans::Transfer, Fr) => "virement SEPA",
            (PaymentMeans::Transfer, En) => "SEPA transfer",
            (PaymentMeans::Card, Fr) => "carte bancaire",
            (PaymentMeans::Card, En) => "card",
            (PaymentMeans::Cheque, Fr) => "chèque",
            (PaymentMeans::Cheque, En) => "cheque",
            (PaymentMeans::Cash, Fr) => "espèces",
            (PaymentMeans::Cash, En) => "cash",
        }
    }

    /// What an invoice of `seller` offers when the draft chose nothing: a
    /// transfer when the seller has an IBAN, else nothing said.
    pub fn offered(seller: &crate::Seller) -> Vec<PaymentMeans> {
        if seller.iban.is_some() {
            vec![PaymentMeans::Transfer]
        } else {
            Vec::new()
        }
    }

    /// Reads a comma-separated list (`transfer,card`): each once, in the
    /// order given.
    pub fn parse_list(input: &str) -> Result<Vec<PaymentMeans>, String> {
        let parsed = input
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<PaymentMeans>, String>>()?;
        let list = PaymentMeans::each_once(parsed);
        if list.is_empty() {
            return Err(format!(
                "name at least one way to pay among {}",
                PaymentMeans::names()
            ));
        }
        Ok(list)
    }

    /// Each once, in the order first given (a list as the CLI or the app
    /// gives it).
    pub fn each_once(means: impl IntoIterator<Item = PaymentMeans>) -> Vec<PaymentMeans> {
        let mut list = Vec::new();
        for m in means {
            if !list.contains(&m) {
                list.push(m);
            }
        }
        list
    }

    fn names() -> String {
        let names: Vec<&str> = PaymentMeans::ALL.iter().map(|m| m.as_str()).collect();
        names.join(", ")
    }
}

impl std::str::FromStr for PaymentMeans {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        PaymentMeans::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "\"{s}\" is not a way to pay Acquit knows: use {}",
                    PaymentMeans::names()
                )
            })
    }
}

impl std::str::FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        Unit::ALL
            .into_iter()
            .find(|u| u.as_str() == s || u.rec20().eq_ignore_ascii_case(&s))
            .ok_or_else(|| {
                let names: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
                format!(
                    "\"{s}\" is not a unit Acquit knows: use one of {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod payment_means_tests {
    use super::PaymentMeans::{self, *};

    #[test]
    fn lists_read_in_order_each_once_and_refuse_the_unknown() {
        assert_eq!(
            PaymentMeans::parse_list(" card, Transfer ,card"),
            Ok(vec![Card, Transfer])
        );
        assert_eq!(
            PaymentMeans::parse_list("cheque,cash")
                .map(|l| l.iter().map(|m| m.code()).collect::<Vec<_>>()),
            Ok(vec!["20", "10"])
        );
        let err = PaymentMeans::parse_list("paypal").unwrap_err();
        assert_eq!(
            err,
            "\"paypal\" is not a way to pay Acquit knows: use transfer, card, cheque, cash"
        );
        assert!(
            PaymentMeans::parse_list(" , ")
                .unwrap_err()
                .contains("at least one")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::{Discount, LineInput};
    use crate::{Currency, Money, Quantity, VatRate};

    fn line(nature: Option<Nature>) -> Line {
        Line {
            nature,
            ..Line::new(
                "x",
                LineInput {
                    quantity: Quantity::ONE,
                    unit_price: Money::new(100, Currency::EUR),
                    vat_rate: VatRate::ZERO,
                    discount: Discount::None,
                },
            )
        }
    }

    #[test]
    fn the_category_comes_from_every_line_or_is_not_printed() {
        let (g, s) = (Some(Nature::Goods), Some(Nature::Service));
        let cases: [(&[Option<Nature>], Option<Category>); 6] = [
            (&[g, g], Some(Category::Goods)),
            (&[s], Some(Category::Services)),
            (&[s, g, s], Some(Category::Mixed)),
            (&[g, None], None),
            (&[None], None),
            (&[], None),
        ];
        for (natures, expected) in cases {
            let lines: Vec<Line> = natures.iter().map(|n| line(*n)).collect();
            assert_eq!(Category::of(&lines), expected, "{natures:?}");
        }
    }

    #[test]
    fn a_vat_total_in_another_currency_is_converted_to_euros_once() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let rate = EurRate::parse("1.085").unwrap();
        assert_eq!(rate.format(crate::Lang::Fr), "1,085");
        // 100.00 USD ÷ 1.085 = 92.1658… € → 92.17 €
        assert_eq!(
            rate.to_eur(Money::new(10_000, usd)).unwrap(),
            Money::new(9217, Currency::EUR)
        );
        // Half a cent rounds away from zero: 0.05 USD at 10 = 0.005 € → 0.01 €
        let ten = EurRate::parse("10").unwrap();
        assert_eq!(
            ten.to_eur(Money::new(5, usd)).unwrap(),
            Money::new(1, Currency::EUR)
        );
        // A currency without decimals: 16,000 JPY at 162.5 = 98.46 €
        let yen = EurRate::parse("162,5").unwrap();
        assert_eq!(
            yen.to_eur(Money::new(16_000, jpy)).unwrap(),
            Money::new(9846, Currency::EUR)
        );
        assert_eq!(EurRate::parse("1.2345678").unwrap_err().0, "1.2345678");
        for bad in ["0", "-1.08", "", "abc"] {
            assert!(EurRate::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_quantity_is_printed_with_its_unit_plural_above_one() {
        let with = |qty: &str, unit: Option<Unit>| Line {
            unit,
            input: LineInput {
                quantity: Quantity::parse(qty).unwrap(),
                ..line(None).input
            },
            ..line(None)
        };
        let cases = [
            ("3", Some(Unit::Day), crate::Lang::Fr, "3\u{a0}jours"),
            ("1", Some(Unit::Day), crate::Lang::En, "1\u{a0}day"),
            ("2.5", Some(Unit::Hour), crate::Lang::Fr, "2,5\u{a0}h"),
            (
                "0.5",
                Some(Unit::LumpSum),
                crate::Lang::Fr,
                "0,5\u{a0}forfait",
            ),
            ("4", None, crate::Lang::Fr, "4"),
        ];
        for (qty, unit, lang, expected) in cases {
            assert_eq!(
                with(qty, unit).quantity_label(lang),
                expected,
                "{qty} {unit:?}"
            );
        }
    }

    #[test]
    fn units_map_to_un_ece_rec_20_and_refuse_the_unknown() {
        let codes: Vec<&str> = Unit::ALL.iter().map(|u| u.rec20()).collect();
        assert_eq!(
            codes,
            ["HUR", "DAY", "MON", "C62", "KGM", "MTR", "MTK", "KMT", "LS"]
        );
        assert_eq!("lump-sum".parse::<Unit>(), Ok(Unit::LumpSum));
        assert_eq!("HUR".parse::<Unit>(), Ok(Unit::Hour));
        assert!("parsec".parse::<Unit>().unwrap_err().contains("hour, day"));
        // A line of older books has neither field, and one without them
        // writes back as older books wrote it.
        let json = serde_json::to_string(&line(None)).unwrap();
        assert!(
            !json.contains("nature") && !json.contains("unit\""),
            "{json}"
        );
        let back: Line = serde_json::from_str(&json).unwrap();
        assert_eq!(back, line(None));
    }
}
