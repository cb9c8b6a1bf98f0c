//! Line amounts, VAT and invoice totals: where every cent is decided.
//!
//! # Rounding rules
//!
//! Prices are entered excluding VAT (HT). Rounding happens in exactly three
//! places, each time half away from zero ([`round_div`]) to the currency's
//! minor unit:
//!
//! 1. **Line amount** = quantity × unit price, rounded once
//!    (1.5 × 33.33 € = 49.995 € → 50.00 €).
//! 2. **Line discount**: a percentage is taken of the rounded line amount and
//!    rounded (10 % of 50.00 € = 5.00 €); a fixed discount is exact. The
//!    line's net (HT) is amount − discount, never negative.
//! 3. **VAT per rate**: the nets of all lines at a rate are added into that
//!    rate's base, and the VAT is the base × rate, rounded once per rate,
//!    never per line (three lines of 0.05 € at 20 % give 0.03 € of VAT, not
//!    3 × 0.01 €).
//!
//! Everything else is exact integer addition: the net total is the sum of the
//! bases, the VAT total the sum of the per-rate VAT, the total the net total
//! plus the VAT total. Under the VAT franchise (art. 293 B du CGI) every
//! rate must be 0.
//!
//! Derived documents never round again where they can subtract instead:
//! - a **balance invoice** (solde) is the order minus its deposits, rate by
//!   rate, for base and VAT alike, so deposits + balance = the order to the
//!   cent;
//! - a **full credit note** is the exact negation of the invoice, so the two
//!   net to zero;
//! - a **partial credit note** of an amount including VAT is spread over the
//!   invoice's rates in proportion to their totals (largest remainder, so the
//!   parts add up to the amount), then split into base and VAT per rate
//!   (base rounded, VAT = part − base).

use serde::{Deserialize, Serialize};

use crate::money::{MoneyError, round_div};
use crate::{Currency, Money, Quantity, VatRate};

/// A discount on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    #[default]
    None,
    /// In basis points of the line amount (1000 = 10 %).
    Percent(u32),
    /// A fixed amount in the invoice's minor units.
    Amount(i64),
}

/// What the totals of a line are computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInput {
    pub quantity: Quantity,
    /// Excluding VAT.
    pub unit_price: Money,
    pub vat_rate: VatRate,
    pub discount: Discount,
}

/// A line's computed amounts, all excluding VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAmounts {
    /// Quantity × unit price, rounded.
    pub amount: Money,
    pub discount: Money,
    /// Amount − discount.
    pub net: Money,
    pub vat_rate: VatRate,
}

/// One row of the VAT breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatBreakdown {
    pub rate: VatRate,
    /// Sum of the nets at this rate.
    pub base: Money,
    pub vat: Money,
}

/// The amounts of a document: per line, per VAT rate, and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub currency: Currency,
    pub lines: Vec<LineAmounts>,
    /// By increasing rate; one row per rate used.
    pub vat: Vec<VatBreakdown>,
    /// Total excluding VAT (HT).
    pub net: Money,
    pub vat_total: Money,
    /// Total including VAT (TTC): what the client owes.
    pub total: Money,
}

/// Whether the seller charges VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatRegime {
    #[default]
    Standard,
    /// Micro-entrepreneur franchise: "TVA non applicable, art. 293 B du CGI".
    Franchise,
}

/// A line's VAT category in EN 16931 (BT-151, code list UNCL5305), with
/// the exemption reason code (BT-121, VATEX) where the category needs one.
/// Derived, never stored: from the seller's regime, the client's exemption
/// and the line's rate, all of which an issued invoice keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VatCategory {
    /// Standard rate (any rate above zero: 20, 10, 5.5, 2.1 %).
    S,
    /// Zero rated: a 0 % line of a seller who charges VAT, with no
    /// exemption on the client.
    Z,
    /// Exempt: the franchise (art. 293 B du CGI).
    E,
    /// Reverse charge: services to an EU business.
    AE,
    /// Intra-Community supply of goods.
    K,
    /// Export of goods outside the EU.
    G,
    /// Outside the scope of VAT. Acquit never derives it: EN 16931 forbids
    /// the seller's VAT number on such an invoice (BR-O-02), which a French
    /// seller charging VAT always prints.
    O,
}

impl VatCategory {
    /// The category of a line at `rate`.
    pub fn of(regime: VatRegime, exemption: crate::VatExemption, rate: VatRate) -> VatCategory {
        use crate::VatExemption as X;
        match (regime, exemption) {
            (VatRegime::Franchise, _) => VatCategory::E,
            (VatRegime::Standard, X::ReverseCharge) => VatCategory::AE,
            (VatRegime::Standard, X::IntraEuGoods) => VatCategory::K,
            (VatRegime::Standard, X::ExportGoods) => VatCategory::G,
            // Services to a business outside the EU (CGI art. 259-1) are
            // invoiced without VAT like an export: G, the category whose
            // rules fit a seller with a VAT number (see `O`).
            (VatRegime::Standard, X::ServicesOutsideEu) => VatCategory::G,
            (VatRegime::Standard, X::None) if rate == VatRate::ZERO => VatCategory::Z,
            (VatRegime::Standard, X::None) => VatCategory::S,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            VatCategory::S => "S",
            VatCategory::Z => "Z",
            VatCategory::E => "E",
            VatCategory::AE => "AE",
            VatCategory::K => "K",
            VatCategory::G => "G",
            VatCategory::O => "O",
        }
    }

    /// The VATEX exemption reason code the category requires (BR-E-10,
    /// BR-AE-10, BR-IC-10, BR-G-10, BR-O-10); the franchise has its French
    /// code.
    pub fn exemption_code(self) -> Option<&'static str> {
        match self {
            VatCategory::S | VatCategory::Z => None,
            VatCategory::E => Some("VATEX-FR-FRANCHISE"),
            VatCategory::AE => Some("VATEX-EU-AE"),
            VatCategory::K => Some("VATEX-EU-IC"),
            VatCategory::G => Some("VATEX-EU-G"),
            VatCategory::O => Some("VATEX-EU-O"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxError {
    #[error(
        "line {line} is priced in {found} but the invoice is in {expected}: use one currency per invoice"
    )]
    LineCurrency {
        line: usize,
        found: Currency,
        expected: Currency,
    },
    #[error("line {line}: the discount ({discount}) is larger than the line amount ({amount})")]
    DiscountTooLarge {
        line: usize,
        discount: Money,
        amount: Money,
    },
    #[error("line {line}: a discount cannot be negative or above 100 %")]
    BadDiscount { line: usize },
    #[error(
        "line {line} has {rate} VAT, but the seller is under the VAT franchise (art. 293 B du CGI): set the rate to 0"
    )]
    VatUnderFranchise { line: usize, rate: VatRate },
    #[error("the deposits charge VAT at {0}, which no line of the order has")]
    DepositRateNotInOrder(VatRate),
    #[error("the deposits ({deposits}) exceed the order's total ({order})")]
    DepositsExceedOrder { deposits: Money, order: Money },
    #[error(
        "a credit note must be for more than zero and at most the invoice's total ({total}), not {amount}"
    )]
    CreditAmount { amount: Money, total: Money },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Computes the totals of `lines` in `currency`, under `regime`.
pub fn compute(
    lines: &[LineInput],
    currency: Currency,
    regime: VatRegime,
) -> Result<Totals, TaxError> {
    let mut amounts = Vec::with_capacity(lines.len());
    for (index, input) in lines.iter().enumerate() {
        let line = index + 1;
        if input.unit_price.currency() != currency {
            return Err(TaxError::LineCurrency {
                line,
                found: input.unit_price.currency(),
                expected: currency,
            });
        }
        if regime == VatRegime::Franchise && input.vat_rate != VatRate::ZERO {
            return Err(TaxError::VatUnderFranchise {
                line,
                rate: input.vat_rate,
            });
        }
        let amount = money(
            round_div(
                i128::from(input.quantity.thousandths()) * i128::from(input.unit_price.minor()),
                i128::from(Quantity::SCALE),
            ),
            currency,
        )?;
        let discount = match input.discount {
            Discount::None => Money::zero(currency),
            Discount::Percent(bp) if bp <= VatRate::FULL => money(
                round_div(
                    i128::from(amount.minor()) * i128::from(bp),
                    i128::from(VatRate::FULL),
                ),
                currency,
            )?,
            Discount::Amount(minor) if minor >= 0 => Money::new(minor, currency),
            Discount::Percent(_) | Discount::Amount(_) => {
                return Err(TaxError::BadDiscount { line });
            }
        };
        if discount.minor().abs() > amount.minor().abs() {
            return Err(TaxError::DiscountTooLarge {
                line,
                discount,
                amount,
            });
        }
        amounts.push(LineAmounts {
            amount,
            discount,
            net: amount.checked_sub(discount)?,
            vat_rate: input.vat_rate,
        });
    }

    let mut vat: Vec<VatBreakdown> = Vec::new();
    for line in &amounts {
        match vat.iter_mut().find(|row| row.rate == line.vat_rate) {
            Some(row) => row.base = row.base.checked_add(line.net)?,
            None => vat.push(VatBreakdown {
                rate: line.vat_rate,
                base: line.net,
                vat: Money::zero(currency),
            }),
        }
    }
    vat.sort_by_key(|row| row.rate);
    for row in &mut vat {
        row.vat = money(
            round_div(
                i128::from(row.base.minor()) * i128::from(row.rate.basis_points()),
                i128::from(VatRate::FULL),
            ),
            currency,
        )?;
    }
    Totals::from_breakdown(currency, amounts, vat)
}

impl Totals {
    /// Sums a breakdown into net, VAT and total.
    fn from_breakdown(
        currency: Currency,
        lines: Vec<LineAmounts>,
        vat: Vec<VatBreakdown>,
    ) -> Result<Totals, TaxError> {
        let net = Money::sum(currency, vat.iter().map(|row| row.base))?;
        let vat_total = Money::sum(currency, vat.iter().map(|row| row.vat))?;
        Ok(Totals {
            currency,
            lines,
            total: net.checked_add(vat_total)?,
            net,
            vat_total,
            vat,
        })
    }

    /// The totals of a balance invoice: this order's totals minus each
    /// deposit's, rate by rate. The lines stay the order's.
    pub fn balance_after(&self, deposits: &[Totals]) -> Result<Totals, TaxError> {
        let mut vat = self.vat.clone();
        for deposit in deposits {
            for paid in &deposit.vat {
                let row = vat
                    .iter_mut()
                    .find(|row| row.rate == paid.rate)
                    .ok_or(TaxError::DepositRateNotInOrder(paid.rate))?;
                row.base = row.base.checked_sub(paid.base)?;
                row.vat = row.vat.checked_sub(paid.vat)?;
            }
        }
        let balance = Totals::from_breakdown(self.currency, self.lines.clone(), vat)?;
        if balance.total.is_negative() {
            return Err(TaxError::DepositsExceedOrder {
                deposits: self.total.checked_sub(balance.total)?,
                order: self.total,
            });
        }
        Ok(balance)
    }

    /// The totals of a credit note cancelling this invoice entirely: its
    /// exact negation.
    pub fn full_credit(&self) -> Result<Totals, TaxError> {
        let lines = self
            .lines
            .iter()
            .map(|l| {
                Ok(LineAmounts {
                    amount: l.amount.checked_neg()?,
                    discount: l.discount.checked_neg()?,
                    net: l.net.checked_neg()?,
                    vat_rate: l.vat_rate,
                })
            })
            .collect::<Result<Vec<_>, MoneyError>>()?;
        let vat = self
            .vat
            .iter()
            .map(|row| {
                Ok(VatBreakdown {
                    rate: row.rate,
                    base: row.base.checked_neg()?,
                    vat: row.vat.checked_neg()?,
                })
            })
            .collect::<Result<Vec<_>, MoneyError>>()?;
        Totals::from_breakdown(self.currency, lines, vat)
    }

    /// The totals of a credit note for `amount` (including VAT, positive) of
    /// this invoice, spread over its rates. The result is negative and has
    /// no lines of its own.
    pub fn partial_credit(&self, amount: Money) -> Result<Totals, TaxError> {
        if amount.currency() != self.currency
            || !amount.is_positive()
            || amount.minor() > self.total.minor()
        {
            return Err(TaxError::CreditAmount {
                amount,
                total: self.total,
            });
        }
        let weights: Vec<i128> = self
            .vat
            .iter()
            .map(|row| i128::from(row.base.minor()) + i128::from(row.vat.minor()))
            .collect();
        let parts = allocate(i128::from(amount.minor()), &weights);
        let mut vat = Vec::with_capacity(parts.len());
        for (row, part) in self.vat.iter().zip(parts) {
            let full = i128::from(VatRate::FULL);
            let base = round_div(part * full, full + i128::from(row.rate.basis_points()));
            vat.push(VatBreakdown {
                rate: row.rate,
                base: money(-base, self.currency)?,
                vat: money(-(part - base), self.currency)?,
            });
        }
        Totals::from_breakdown(self.currency, Vec::new(), vat)
    }
}

/// Splits `amount` in proportion to `weights` (all ≥ 0, not all 0) so the
/// parts add up to `amount` exactly: each part is floored, and the cents
/// left over go to the largest remainders (ties to the first).
pub fn allocate(amount: i128, weights: &[i128]) -> Vec<i128> {
    let total: i128 = weights.iter().sum();
    if total == 0 {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = amount;
        }
        return parts;
    }
    let mut parts: Vec<i128> = weights.iter().map(|w| amount * w / total).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(amount * weights[i] % total));
    let short = amount - parts.iter().sum::<i128>();
    for &i in order.iter().take(usize::try_from(short).unwrap_or(0)) {
        parts[i] += 1;
    }
    parts
}

fn money(minor: i128, currency: Currency) -> Result<Money, MoneyError> {
    i64::try_from(minor)
        .map(|m| Money::new(m, currency))
        .map_err(|_| MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EUR: Currency = Currency::EUR;

    fn line(qty: &str, price: &str, rate: &str) -> LineInput {
        LineInput {
            quantity: Quantity::parse(qty).unwrap(),
            unit_price: Money::parse(price, EUR).unwrap(),
            vat_rate: VatRate::parse(rate).unwrap(),
            discount: Discount::None,
        }
    }

    fn eur(minor: i64) -> Money {
        Money::new(minor, EUR)
    }

    #[test]
    fn each_line_s_vat_category_follows_the_regime_the_client_and_the_rate() {
        use crate::VatExemption as X;
        let (zero, twenty) = (VatRate::ZERO, VatRate::parse("20").unwrap());
        // (regime, exemption, rate) → (category, exemption reason code)
        let cases = [
            (VatRegime::Standard, X::None, twenty, "S", None),
            (VatRegime::Standard, X::None, zero, "Z", None),
            (
                VatRegime::Franchise,
                X::None,
                zero,
                "E",
                Some("VATEX-FR-FRANCHISE"),
            ),
            // The franchise wins over the client's exemption: no VAT at all.
            (
                VatRegime::Franchise,
                X::ReverseCharge,
                zero,
                "E",
                Some("VATEX-FR-FRANCHISE"),
            ),
            (
                VatRegime::Standard,
                X::ReverseCharge,
                zero,
                "AE",
                Some("VATEX-EU-AE"),
            ),
            (
                VatRegime::Standard,
                X::IntraEuGoods,
                zero,
                "K",
                Some("VATEX-EU-IC"),
            ),
            (
                VatRegime::Standard,
                X::ExportGoods,
                zero,
                "G",
                Some("VATEX-EU-G"),
            ),
            (
                VatRegime::Standard,
                X::ServicesOutsideEu,
                zero,
                "G",
                Some("VATEX-EU-G"),
            ),
        ];
        for (regime, exemption, rate, code, vatex) in cases {
            let category = VatCategory::of(regime, exemption, rate);
            assert_eq!(
                (category.code(), category.exemption_code()),
                (code, vatex),
                "{regime:?} {exemption:?} {rate:?}"
            );
        }
    }

    #[test]
    fn a_line_is_rounded_once_half_away_from_zero() {
        let totals = compute(&[line("1.5", "33.33", "20")], EUR, VatRegime::Standard).unwrap();
        assert_eq!(
            totals.lines[0].amount,
            eur(5000),
            "1.5 × 33.33 = 49.995 → 50.00"
        );
        assert_eq!(totals.vat_total, eur(1000));
        assert_eq!(totals.total, eur(6000));
    }

    #[test]
    fn vat_is_rounded_per_rate_not_per_line() {
        let lines = vec![line("1", "0.05", "20"); 3];
        let totals = compute(&lines, EUR, VatRegime::Standard).unwrap();
        assert_eq!(
            totals.vat,
            vec![VatBreakdown {
                rate: VatRate::parse("20").unwrap(),
                base: eur(15),
                vat: eur(3)
            }]
        );
    }

    #[test]
    fn a_french_invoice_with_three_rates() {
        let mut design = line("2.5", "450", "20");
        design.discount = Discount::Percent(1000);
        let lines = [
            design,
            line("3", "12.99", "5.5"),
            line("1", "19.90", "2.1"),
            line("1", "0.07", "20"),
        ];
        let t = compute(&lines, EUR, VatRegime::Standard).unwrap();
        // 2.5 × 450 = 1125.00, −10 % = 112.50 → 1012.50; + 0.07 → base 1012.57 at 20 %.
        let expected = [
            ("2.1", 1990, 42),       // 19.90 × 2.1 % = 0.4179 → 0.42
            ("5.5", 3897, 214),      // 38.97 × 5.5 % = 2.14335 → 2.14
            ("20", 101_257, 20_251), // 1012.57 × 20 % = 202.514 → 202.51
        ];
        for (row, (rate, base, vat)) in t.vat.iter().zip(expected) {
            assert_eq!(
                (row.rate, row.base, row.vat),
                (VatRate::parse(rate).unwrap(), eur(base), eur(vat))
            );
        }
        assert_eq!(t.net, eur(107_144));
        assert_eq!(t.vat_total, eur(20_507));
        assert_eq!(t.total, eur(127_651));
    }

    #[test]
    fn the_franchise_refuses_vat() {
        let err = compute(&[line("1", "100", "20")], EUR, VatRegime::Franchise).unwrap_err();
        assert!(err.to_string().contains("293 B"), "{err}");
        let ok = compute(&[line("1", "100", "0")], EUR, VatRegime::Franchise).unwrap();
        assert_eq!((ok.vat_total, ok.total), (eur(0), eur(10_000)));
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        let mut big_discount = line("1", "10", "20");
        big_discount.discount = Discount::Amount(1001);
        let mut dollars = line("1", "10", "20");
        dollars.unit_price = Money::new(1000, Currency::USD);
        let mut over_100 = line("1", "10", "20");
        over_100.discount = Discount::Percent(10_001);
        for (bad, message) in [
            (
                big_discount,
                "line 2: the discount (10.01 EUR) is larger than the line amount (10.00 EUR)",
            ),
            (dollars, "line 2 is priced in USD but the invoice is in EUR"),
            (
                over_100,
                "line 2: a discount cannot be negative or above 100 %",
            ),
        ] {
            let err = compute(&[line("1", "1", "20"), bad], EUR, VatRegime::Standard).unwrap_err();
            assert!(err.to_string().starts_with(message), "{err}");
        }
    }

    #[test]
    fn a_balance_deducts_deposits_rate_by_rate() {
        let order = compute(
            &[line("10", "500", "20"), line("1", "100", "5.5")],
            EUR,
            VatRegime::Standard,
        )
        .unwrap();
        let deposit = compute(&[line("1", "1500", "20")], EUR, VatRegime::Standard).unwrap();
        let balance = order.balance_after(std::slice::from_ref(&deposit)).unwrap();
        assert_eq!(balance.vat[1].base, eur(350_000));
        assert_eq!(balance.vat[1].vat, eur(70_000));
        assert_eq!(
            deposit.total.checked_add(balance.total).unwrap(),
            order.total
        );

        let odd = compute(&[line("1", "10", "10")], EUR, VatRegime::Standard).unwrap();
        assert_eq!(
            order.balance_after(&[odd]),
            Err(TaxError::DepositRateNotInOrder(
                VatRate::parse("10").unwrap()
            ))
        );
        let too_much = compute(&[line("20", "500", "20")], EUR, VatRegime::Standard).unwrap();
        assert!(matches!(
            order.balance_after(&[too_much]),
            Err(TaxError::DepositsExceedOrder { .. })
        ));
    }

    #[test]
    fn a_partial_credit_splits_base_and_vat() {
        let invoice = compute(
            &[line("1", "100", "20"), line("1", "100", "5.5")],
            EUR,
            VatRegime::Standard,
        )
        .unwrap();
        let credit = invoice.partial_credit(eur(10_000)).unwrap();
        // 100.00 € in proportion to 105.50 (5.5 %) and 120.00 (20 %):
        // 46.784… and 53.215…, floored to 46.78 and 53.21; the cent left goes
        // to the larger remainder (20 %).
        assert_eq!(credit.total, eur(-10_000));
        assert_eq!(
            credit.vat[0].base.checked_add(credit.vat[0].vat).unwrap(),
            eur(-4_678)
        );
        assert_eq!(
            credit.vat[1].base.checked_add(credit.vat[1].vat).unwrap(),
            eur(-5_322)
        );
        assert_eq!(credit.vat[1].base, eur(-4_435), "53.22 / 1.2 = 44.35");
        assert_eq!(
            credit.vat[0].base,
            eur(-4_434),
            "46.78 / 1.055 = 44.341… → 44.34"
        );
        for bad in [eur(0), eur(-1), eur(22_551), Money::new(100, Currency::USD)] {
            assert!(
                matches!(
                    invoice.partial_credit(bad),
                    Err(TaxError::CreditAmount { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn allocation_adds_up_and_follows_largest_remainders() {
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(10, &[0, 5]), vec![0, 10]);
        assert_eq!(allocate(7, &[0, 0]), vec![7, 0]);
        assert_eq!(allocate(1, &[2, 3]), vec![0, 1]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn rate() -> impl Strategy<Value = VatRate> {
            prop::sample::select(vec![0u32, 210, 550, 850, 1000, 2000])
                .prop_map(|bp| VatRate::from_basis_points(bp).unwrap())
        }

        fn a_line() -> impl Strategy<Value = LineInput> {
            (
                0i64..100_000,
                0i64..10_000_000,
                rate(),
                0u32..=10_000,
                any::<bool>(),
            )
                .prop_map(|(qty, price, vat_rate, pct, discounted)| LineInput {
                    quantity: Quantity::from_thousandths(qty).unwrap(),
                    unit_price: eur(price),
                    vat_rate,
                    discount: if discounted {
                        Discount::Percent(pct)
                    } else {
                        Discount::None
                    },
                })
        }

        proptest! {
            #[test]
            fn totals_add_up(lines in prop::collection::vec(a_line(), 0..30)) {
                let t = compute(&lines, EUR, VatRegime::Standard).unwrap();
                let nets = Money::sum(EUR, t.lines.iter().map(|l| l.net)).unwrap();
                prop_assert_eq!(nets, t.net);
                prop_assert_eq!(Money::sum(EUR, t.vat.iter().map(|r| r.base)).unwrap(), t.net);
                prop_assert_eq!(Money::sum(EUR, t.vat.iter().map(|r| r.vat)).unwrap(), t.vat_total);
                prop_assert_eq!(t.net.checked_add(t.vat_total).unwrap(), t.total);
                for (l, input) in t.lines.iter().zip(&lines) {
                    prop_assert!(!l.net.is_negative());
                    // The line amount is within half a cent of the exact product.
                    let exact = i128::from(input.quantity.thousandths()) * i128::from(input.unit_price.minor());
                    prop_assert!((i128::from(l.amount.minor()) * 1000 - exact).abs() * 2 <= 1000);
                }
                for row in &t.vat {
                    let exact = i128::from(row.base.minor()) * i128::from(row.rate.basis_points());
                    prop_assert!((i128::from(row.vat.minor()) * 10_000 - exact).abs() * 2 <= 10_000);
                }
            }

            #[test]
            fn a_full_credit_note_nets_to_exactly_zero(lines in prop::collection::vec(a_line(), 1..30)) {
                let invoice = compute(&lines, EUR, VatRegime::Standard).unwrap();
                let credit = invoice.full_credit().unwrap();
                prop_assert_eq!(invoice.total.checked_add(credit.total).unwrap(), eur(0));
                prop_assert_eq!(invoice.vat_total.checked_add(credit.vat_total).unwrap(), eur(0));
                for (a, b) in invoice.vat.iter().zip(&credit.vat) {
                    prop_assert_eq!(a.base.checked_add(b.base).unwrap(), eur(0));
                }
            }

            #[test]
            fn deposits_and_balance_equal_the_order(
                lines in prop::collection::vec(a_line(), 1..20),
                shares in prop::collection::vec(1i64..=50, 0..3),
            ) {
                let order = compute(&lines, EUR, VatRegime::Standard).unwrap();
                // Each deposit is a percentage of the order, one line per rate.
                let deposits: Vec<Totals> = shares.iter().map(|pct| {
                    let deposit_lines: Vec<LineInput> = order.vat.iter().map(|row| LineInput {
                        quantity: Quantity::ONE,
                        unit_price: eur(row.base.minor() * pct / 200),
                        vat_rate: row.rate,
                        discount: Discount::None,
                    }).collect();
                    compute(&deposit_lines, EUR, VatRegime::Standard).unwrap()
                }).collect();
                let balance = order.balance_after(&deposits).unwrap();
                let paid = Money::sum(EUR, deposits.iter().map(|d| d.total)).unwrap();
                prop_assert_eq!(paid.checked_add(balance.total).unwrap(), order.total);
                prop_assert!(!balance.total.is_negative());
            }

            #[test]
            fn a_partial_credit_is_exactly_the_amount(
                lines in prop::collection::vec(a_line(), 1..20),
                fraction in 1i64..=1000,
            ) {
                let invoice = compute(&lines, EUR, VatRegime::Standard).unwrap();
                prop_assume!(invoice.total.is_positive());
                let amount = eur((invoice.total.minor() * fraction / 1000).max(1));
                let credit = invoice.partial_credit(amount).unwrap();
                prop_assert_eq!(credit.total, amount.checked_neg().unwrap());
                for row in &credit.vat {
                    prop_assert!(!row.base.is_positive() && !row.vat.is_positive());
                }
            }

            #[test]
            fn allocation_always_adds_up(amount in 0i128..1_000_000_000, weights in prop::collection::vec(0i128..1_000_000, 1..8)) {
                let parts = allocate(amount, &weights);
                prop_assert_eq!(parts.iter().sum::<i128>(), amount);
                prop_assert!(parts.iter().all(|p| *p >= 0));
            }
        }
    }
}
