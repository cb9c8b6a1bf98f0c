//! The words on the invoice, in French and English.
//!
//! Kept in one place so the mandatory mentions can be read (and reviewed by
//! someone who knows French invoicing law) without reading drawing code.

use acquit_core::{InvoiceKind, Lang, Money};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Words {
    pub lang: Lang,
}

impl Words {
    fn pick(&self, fr: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    pub fn date(&self, d: NaiveDate) -> String {
        match self.lang {
            Lang::Fr => d.format("%d/%m/%Y").to_string(),
            Lang::En => d.format("%-d %B %Y").to_string(),
        }
    }

    pub fn title(&self, kind: InvoiceKind) -> &'static str {
        match kind {
            InvoiceKind::Standard => self.pick("FACTURE", "INVOICE"),
            InvoiceKind::Deposit => self.pick("FACTURE D’ACOMPTE", "DEPOSIT INVOICE"),
            InvoiceKind::Balance => self.pick("FACTURE DE SOLDE", "BALANCE INVOICE"),
            InvoiceKind::CreditNote => self.pick("AVOIR", "CREDIT NOTE"),
        }
    }

    pub fn quote_title(&self) -> &'static str {
        self.pick("DEVIS", "QUOTE")
    }
    pub fn valid_until(&self) -> &'static str {
        self.pick("Valable jusqu’au", "Valid until")
    }
    pub fn quote_for(&self) -> &'static str {
        self.pick("CLIENT", "PREPARED FOR")
    }
    pub fn quote_ref(&self) -> &'static str {
        self.pick("Devis n°", "Quote No.")
    }
    pub fn agreement(&self) -> &'static str {
        self.pick("Bon pour accord", "Accepted")
    }
    pub fn received_before_work(&self) -> &'static str {
        self.pick(
            "Devis reçu avant l’exécution des travaux.",
            "Quote received before the work was carried out.",
        )
    }
    pub fn agreement_date(&self) -> &'static str {
        self.pick("Date", "Date")
    }
    pub fn agreement_name(&self) -> &'static str {
        self.pick("Nom", "Name")
    }
    pub fn agreement_signature(&self) -> &'static str {
        self.pick(
            "Signature, précédée de «\u{a0}Bon pour accord\u{a0}»\u{a0}:",
            "Signature, preceded by \"Accepted\":",
        )
    }
    pub fn number(&self) -> &'static str {
        self.pick("N°", "No.")
    }
    pub fn issue_date(&self) -> &'static str {
        self.pick("Date d’émission", "Issue date")
    }
    pub fn sale_date(&self) -> &'static str {
        self.pick("Date de la vente / prestation", "Date of sale / service")
    }
    pub fn due_date(&self) -> &'static str {
        self.pick("Date d’échéance", "Due date")
    }
    pub fn bill_to(&self) -> &'static str {
        self.pick("FACTURÉ À", "BILL TO")
    }
    pub fn vat_number(&self) -> &'static str {
        self.pick("N° TVA intracommunautaire", "VAT number")
    }
    pub fn credits(&self, invoice: &str, dated: Option<NaiveDate>) -> String {
        let date = dated.map(|d| self.date(d));
        match (self.lang, date) {
            (Lang::Fr, None) => format!("Avoir relatif à la facture n° {invoice}"),
            (Lang::En, None) => format!("Credit note for invoice No. {invoice}"),
            (Lang::Fr, Some(d)) => format!("Avoir relatif à la facture n° {invoice} du {d}"),
            (Lang::En, Some(d)) => format!("Credit note for invoice No. {invoice} of {d}"),
        }
    }
    pub fn order_ref(&self) -> &'static str {
        self.pick("Commande n°", "Order No.")
    }
    pub fn buyer_ref(&self) -> &'static str {
        self.pick("Référence client", "Your reference")
    }
    pub fn operation(&self) -> &'static str {
        self.pick("Opération", "Operation")
    }
    pub fn deliver_to(&self) -> &'static str {
        self.pick("LIVRAISON", "DELIVER TO")
    }
    pub fn vat_in_euros(&self, rate: &str, currency: &str) -> String {
        match self.lang {
            Lang::Fr => format!("TVA en euros (1 € = {rate} {currency})"),
            Lang::En => format!("VAT in euros (€1 = {rate} {currency})"),
        }
    }
    pub fn reason(&self, reason: &str) -> String {
        match self.lang {
            Lang::Fr => format!("Motif : {reason}"),
            Lang::En => format!("Reason: {reason}"),
        }
    }
    pub fn continued(&self, title: &str, number: &str) -> String {
        match self.lang {
            Lang::Fr => format!("{title} n° {number} (suite)"),
            Lang::En => format!("{title} No. {number} (continued)"),
        }
    }

    pub fn col_description(&self) -> &'static str {
        self.pick("Désignation", "Description")
    }
    pub fn col_quantity(&self) -> &'static str {
        self.pick("Qté", "Qty")
    }
    pub fn col_unit_price(&self) -> &'static str {
        self.pick("P.U. HT", "Unit price")
    }
    pub fn col_vat(&self) -> &'static str {
        self.pick("TVA", "VAT")
    }
    pub fn col_amount(&self) -> &'static str {
        self.pick("Montant HT", "Amount")
    }
    pub fn discount(&self, amount: &str) -> String {
        match self.lang {
            Lang::Fr => format!("Remise : -{amount}"),
            Lang::En => format!("Discount: -{amount}"),
        }
    }

    pub fn total_net(&self) -> &'static str {
        self.pick("Total HT", "Total excl. VAT")
    }
    pub fn order_total(&self) -> &'static str {
        self.pick("Total de la commande TTC", "Order total incl. VAT")
    }
    pub fn deposit(&self, number: &str) -> String {
        match self.lang {
            Lang::Fr => format!("Acompte déduit n° {number} (TTC)"),
            Lang::En => format!("Less deposit No. {number} (incl. VAT)"),
        }
    }
    pub fn vat_row(&self, rate: &str, base: &str) -> String {
        match self.lang {
            Lang::Fr => format!("TVA {rate} sur {base}"),
            Lang::En => format!("VAT {rate} on {base}"),
        }
    }
    pub fn total_vat(&self) -> &'static str {
        self.pick("Total TVA", "Total VAT")
    }
    pub fn total(&self) -> &'static str {
        self.pick("Total TTC", "Total incl. VAT")
    }
    pub fn amount_due(&self) -> &'static str {
        self.pick("Reste à payer", "Amount due")
    }
    pub fn franchise(&self) -> &'static str {
        self.pick(
            "TVA non applicable, art. 293 B du CGI",
            "VAT not applicable, art. 293 B du CGI (French VAT exemption)",
        )
    }

    pub fn pay_online(&self) -> &'static str {
        self.pick("Payer en ligne", "Pay online")
    }
    pub fn scan_to_pay(&self) -> &'static str {
        self.pick("Scannez pour payer par carte", "Scan to pay by card")
    }
    pub fn transfer(&self) -> &'static str {
        self.pick("Virement SEPA", "SEPA transfer")
    }
    pub fn scan_bank_app(&self) -> &'static str {
        self.pick(
            "Scannez avec votre appli bancaire",
            "Scan with your banking app",
        )
    }
    pub fn bank_details(&self) -> &'static str {
        self.pick("Coordonnées bancaires", "Bank details")
    }
    pub fn holder(&self) -> &'static str {
        self.pick("Titulaire", "Account holder")
    }
    pub fn reference(&self) -> &'static str {
        self.pick("Référence à indiquer", "Reference")
    }

    pub fn terms(&self, due: NaiveDate) -> String {
        match self.lang {
            Lang::Fr => format!("Paiement à effectuer au plus tard le {}.", self.date(due)),
            Lang::En => format!("Payment due by {}.", self.date(due)),
        }
    }
    pub fn penalty(&self, rate: &str) -> String {
        match self.lang {
            Lang::Fr => format!(
                "En cas de retard de paiement, des pénalités de retard sont exigibles au taux annuel de {rate}."
            ),
            Lang::En => format!("Late payment penalties apply at an annual rate of {rate}."),
        }
    }
    pub fn indemnity(&self, forty: &str) -> String {
        match self.lang {
            Lang::Fr => format!(
                "Indemnité forfaitaire pour frais de recouvrement en cas de retard : {forty} (art. L441-10 et D441-5 du Code de commerce)."
            ),
            Lang::En => format!(
                "Fixed compensation for recovery costs in case of late payment: {forty} (art. L441-10 and D441-5 of the French Commercial Code)."
            ),
        }
    }
    pub fn no_discount(&self) -> &'static str {
        self.pick(
            "Pas d’escompte pour paiement anticipé.",
            "No discount for early payment.",
        )
    }
    pub fn early_terms(&self, terms: &str) -> String {
        match self.lang {
            Lang::Fr => format!("Escompte pour paiement anticipé : {terms}"),
            Lang::En => format!("Early payment discount: {terms}"),
        }
    }

    /// "Moyens de paiement acceptés : carte bancaire, chèque."
    pub fn payment_means(&self, means: &[acquit_core::PaymentMeans]) -> String {
        let list: Vec<&str> = means.iter().map(|m| m.label(self.lang)).collect();
        match self.lang {
            Lang::Fr => format!("Moyens de paiement acceptés : {}.", list.join(", ")),
            Lang::En => format!("Accepted means of payment: {}.", list.join(", ")),
        }
    }

    pub fn stamp_paid(&self) -> &'static str {
        self.pick("PAYÉE", "PAID")
    }
    pub fn stamp_partial(&self) -> &'static str {
        self.pick("PAIEMENT PARTIEL", "PARTIALLY PAID")
    }
    pub fn stamp_line(&self, date: NaiveDate, method: &str) -> String {
        match self.lang {
            Lang::Fr => format!("le {} · {method}", self.date(date)),
            Lang::En => format!("on {} · {method}", self.date(date)),
        }
    }
    pub fn stamp_amounts(&self, paid: Money, remaining: Money) -> String {
        match self.lang {
            Lang::Fr => format!(
                "Payé : {} · Reste : {}",
                paid.format(self.lang),
                remaining.format(self.lang)
            ),
            Lang::En => format!(
                "Paid: {} · Remaining: {}",
                paid.format(self.lang),
                remaining.format(self.lang)
            ),
        }
    }
}
