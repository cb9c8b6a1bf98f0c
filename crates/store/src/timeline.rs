//! What an invoice's history says, in French or English: the events of
//! [`Store::timeline`](crate::Store::timeline) as data, and their one
//! sentence per language (the app shows them in the UI's language, the
//! English one is `TimelineEntry::what`).

use acquit_core::{Lang, Money};
use chrono::NaiveDate;
use serde::Serialize;

use crate::links::{LinkKind, LinkStatus};

/// One event of an invoice's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TimelineEvent {
    Issued {
        number: String,
        total: Money,
    },
    /// A payment link reached `status` (`detail`: Stripe's reason, if any).
    Link {
        kind: LinkKind,
        id: i64,
        status: LinkStatus,
        amount: Money,
        detail: Option<String>,
    },
    /// A payment, refund or reversal recorded.
    Payment {
        /// `payment`, `refund`, `reversal`.
        kind: String,
        id: i64,
        amount: Money,
        received_on: NaiveDate,
        /// `transfer`, `cheque`, `cash`, `card_terminal`, `other`, `stripe`.
        method: String,
        /// For Stripe: `card`, `sepa_debit`, ….
        stripe_method: Option<String>,
        reference: Option<String>,
    },
    CreditNote {
        number: String,
        total: Money,
    },
    RefundProposed {
        id: i64,
        stripe_ref: String,
        amount: Money,
    },
    RefundDone {
        id: i64,
        credit_note: String,
    },
    RefundDismissed {
        id: i64,
    },
    /// Sent to the e-invoicing platform (as flow `flow_id` once it answered).
    EInvoiceSent {
        flow_id: Option<String>,
    },
    /// The platform's checks ended: accepted, or rejected with `reason`.
    EInvoiceChecked {
        accepted: bool,
        reason: Option<String>,
    },
    /// A lifecycle status relayed by the platforms (CDAR `code`).
    EInvoiceStatus {
        code: u16,
        reason: Option<String>,
    },
    /// A payment reported to the platform as status 212 "Encaissée".
    CashedReported {
        payment: i64,
    },
    /// The platform refused that report (its checks answered `Error`):
    /// the payment is not reported as cashed.
    CashedRefused {
        payment: i64,
        reason: Option<String>,
    },
    /// A payment reminder: handed to the mail client or WhatsApp, or sent
    /// over SMTP (`sent` false: the send was interrupted before the
    /// server answered).
    Reminded {
        /// Days from the due date.
        step: i32,
        /// `email`, `whatsapp`, `smtp`.
        via: String,
        penalties: Money,
        message_id: Option<String>,
        sent: bool,
    },
    /// Mailed by Acquit over SMTP (`kind`: `invoice`, `receipt`); `sent`
    /// false: cut off before the server answered.
    Mailed {
        kind: String,
        to: String,
        message_id: String,
        sent: bool,
    },
}

/// French typography: a narrow no-break space before ':'.
const NNBSP: char = '\u{202f}';

impl TimelineEvent {
    /// The event as one sentence in `lang`, amounts formatted for it.
    pub fn describe(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let money = |m: &Money| m.format(lang);
        match self {
            TimelineEvent::Issued { number, total } => match lang {
                Lang::Fr => format!("facture {number} émise pour {}", money(total)),
                Lang::En => format!("issued {number} for {}", money(total)),
            },
            TimelineEvent::Link {
                kind,
                id,
                status,
                amount,
                detail,
            } => {
                let what = match lang {
                    Lang::Fr => {
                        let kind = match kind {
                            LinkKind::PaymentLink => "lien de paiement",
                            LinkKind::Checkout => "session de paiement",
                        };
                        match status {
                            LinkStatus::Pending => {
                                format!("{kind} {id} réservé pour {}", money(amount))
                            }
                            LinkStatus::Open => format!("{kind} {id} créé dans Stripe"),
                            other => format!("{kind} {id}{NNBSP}: {}", link_status_fr(*other)),
                        }
                    }
                    Lang::En => {
                        let kind = kind.as_str();
                        match status {
                            LinkStatus::Pending => {
                                format!("{kind} {id} reserved for {}", money(amount))
                            }
                            LinkStatus::Open => format!("{kind} {id} created in Stripe"),
                            other => format!("{kind} {id} {}", other.as_str()),
                        }
                    }
                };
                match detail {
                    Some(d) if !d.is_empty() => format!("{what} ({d})"),
                    _ => what,
                }
            }
            TimelineEvent::Payment {
                kind,
                id,
                amount,
                received_on,
                method,
                stripe_method,
                reference,
            } => {
                let method = match (stripe_method.as_deref(), fr) {
                    (Some("sepa_debit"), _) => "STRIPE SEPA".to_owned(),
                    (Some("card"), true) => "STRIPE carte".to_owned(),
                    (Some(m), _) => format!("STRIPE {m}"),
                    (None, true) => payment_method_fr(method).to_owned(),
                    (None, false) => method.to_uppercase(),
                };
                let reference = reference
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default();
                match lang {
                    Lang::Fr => {
                        let kind = match kind.as_str() {
                            "refund" => "remboursement",
                            "reversal" => "contre-passation",
                            _ => "paiement",
                        };
                        format!(
                            "{kind} {id} de {} reçu le {} par {method}{reference}",
                            money(amount),
                            received_on.format("%d/%m/%Y")
                        )
                    }
                    Lang::En => format!(
                        "{kind} {id} of {} received on {received_on} by {method}{reference}",
                        money(amount)
                    ),
                }
            }
            TimelineEvent::CreditNote { number, total } => match lang {
                Lang::Fr => format!("avoir {number} de {}", money(total)),
                Lang::En => format!("credit note {number} of {}", money(total)),
            },
            TimelineEvent::RefundProposed {
                id,
                stripe_ref,
                amount,
            } => match lang {
                Lang::Fr => format!(
                    "remboursement Stripe {stripe_ref} de {}{NNBSP}: avoir proposé ({id})",
                    money(amount)
                ),
                Lang::En => format!(
                    "Stripe refund {stripe_ref} of {}: credit note proposed ({id})",
                    money(amount)
                ),
            },
            TimelineEvent::RefundDone { id, credit_note } => match lang {
                Lang::Fr => {
                    format!("proposition de remboursement {id} réglée par l’avoir {credit_note}")
                }
                Lang::En => format!("refund proposal {id} done by credit note {credit_note}"),
            },
            TimelineEvent::RefundDismissed { id } => match lang {
                Lang::Fr => format!("proposition de remboursement {id} écartée"),
                Lang::En => format!("refund proposal {id} dismissed"),
            },
            TimelineEvent::EInvoiceSent { flow_id } => {
                let flow = flow_id.as_deref().map(|f| format!(" ({f})"));
                match (lang, flow) {
                    (Lang::Fr, Some(f)) => format!("e-facture déposée sur la plateforme{f}"),
                    (Lang::Fr, None) => {
                        "e-facture en cours d'envoi à la plateforme (envoi interrompu)".to_owned()
                    }
                    (Lang::En, Some(f)) => format!("e-invoice submitted to the platform{f}"),
                    (Lang::En, None) => {
                        "e-invoice being sent to the platform (send interrupted)".to_owned()
                    }
                }
            }
            TimelineEvent::EInvoiceChecked { accepted, reason } => {
                let reason = reason_suffix(reason.as_deref(), fr);
                match (lang, accepted) {
                    (Lang::Fr, true) => "e-facture acceptée par la plateforme".to_owned(),
                    (Lang::En, true) => "e-invoice accepted by the platform".to_owned(),
                    (Lang::Fr, false) => format!("e-facture rejetée par la plateforme{reason}"),
                    (Lang::En, false) => format!("e-invoice rejected by the platform{reason}"),
                }
            }
            TimelineEvent::EInvoiceStatus { code, reason } => {
                let name = acquit_core::einvoicing::Status::of(*code)
                    .map_or_else(|| code.to_string(), |s| s.name(fr).to_owned());
                let mut text = match lang {
                    Lang::Fr => format!("statut {code} « {name} »"),
                    Lang::En => format!("status {code} “{name}”"),
                };
                text.push_str(&reason_suffix(reason.as_deref(), fr));
                text
            }
            TimelineEvent::Reminded {
                step,
                via,
                penalties,
                message_id,
                sent,
            } => {
                let when = match (lang, step.signum()) {
                    (Lang::Fr, -1) => format!("{} jours avant l’échéance", -step),
                    (Lang::Fr, 0) => "le jour de l’échéance".to_owned(),
                    (Lang::Fr, _) => format!("{step} jours après l’échéance"),
                    (Lang::En, -1) => format!("{} days before the due date", -step),
                    (Lang::En, 0) => "on the due date".to_owned(),
                    (Lang::En, _) => format!("{step} days after the due date"),
                };
                let how = match (lang, via.as_str()) {
                    (Lang::Fr, "whatsapp") => "par WhatsApp",
                    (Lang::Fr, "smtp") => "par e-mail (envoyé par Acquit)",
                    (Lang::Fr, _) => "par e-mail",
                    (Lang::En, "whatsapp") => "by WhatsApp",
                    (Lang::En, "smtp") => "by email (sent by Acquit)",
                    (Lang::En, _) => "by email",
                };
                let mut text = match lang {
                    Lang::Fr => format!("relance {when} {how}"),
                    Lang::En => format!("reminder {when} {how}"),
                };
                if penalties.is_positive() {
                    text.push_str(&match lang {
                        Lang::Fr => format!(", pénalités {}", money(penalties)),
                        Lang::En => format!(", penalties {}", money(penalties)),
                    });
                }
                if let Some(id) = message_id {
                    text.push_str(&format!(" ({id})"));
                }
                if !sent {
                    text.push_str(match lang {
                        Lang::Fr => " — envoi interrompu, à vérifier dans vos messages envoyés",
                        Lang::En => " — send interrupted, check your sent messages",
                    });
                }
                text
            }
            TimelineEvent::Mailed {
                kind,
                to,
                message_id,
                sent,
            } => {
                let receipt = kind == "receipt";
                match (lang, sent) {
                    (Lang::Fr, true) => format!(
                        "{} par e-mail à {to} ({message_id})",
                        if receipt {
                            "reçu de paiement envoyé"
                        } else {
                            "facture envoyée"
                        }
                    ),
                    (Lang::Fr, false) => format!(
                        "envoi {} à {to} interrompu avant la réponse du serveur ({message_id})",
                        if receipt {
                            "du reçu de paiement"
                        } else {
                            "de la facture"
                        }
                    ),
                    (Lang::En, true) => format!(
                        "{} emailed to {to} ({message_id})",
                        if receipt {
                            "payment receipt"
                        } else {
                            "invoice"
                        }
                    ),
                    (Lang::En, false) => format!(
                        "{} to {to}: send cut off before the server answered ({message_id})",
                        if receipt {
                            "payment receipt"
                        } else {
                            "invoice"
                        }
                    ),
                }
            }
            TimelineEvent::CashedReported { payment } => match lang {
                Lang::Fr => format!("encaissement {payment} déclaré à la plateforme (statut 212)"),
                Lang::En => {
                    format!("payment {payment} reported to the platform as cashed (status 212)")
                }
            },
            TimelineEvent::CashedRefused { payment, reason } => {
                let reason = reason_suffix(reason.as_deref(), fr);
                match lang {
                    Lang::Fr => format!(
                        "la plateforme a refusé la déclaration de l’encaissement {payment} (statut 212){reason}"
                    ),
                    Lang::En => format!(
                        "the platform refused the report of payment {payment} as cashed (status 212){reason}"
                    ),
                }
            }
        }
    }
}

/// `: reason` after an event's words (French typography: a narrow no-break
/// space before the colon), or nothing.
fn reason_suffix(reason: Option<&str>, fr: bool) -> String {
    match reason {
        Some(r) if fr => format!("{NNBSP}: {r}"),
        Some(r) => format!(": {r}"),
        None => String::new(),
    }
}

fn link_status_fr(status: LinkStatus) -> &'static str {
    match status {
        LinkStatus::Pending => "réservé",
        LinkStatus::Open => "ouvert",
        LinkStatus::Processing => "paiement en cours",
        LinkStatus::Paid => "payé",
        LinkStatus::Expired => "expiré",
        LinkStatus::Deactivated => "désactivé",
        LinkStatus::Failed => "échec du paiement",
    }
}

fn payment_method_fr(method: &str) -> &'static str {
    match method {
        "transfer" => "virement",
        "cheque" => "chèque",
        "cash" => "espèces",
        "card_terminal" => "carte (TPE)",
        "stripe" => "Stripe",
        _ => "autre moyen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_core::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[test]
    fn each_event_reads_in_french_and_in_english() {
        let payment = TimelineEvent::Payment {
            kind: "payment".into(),
            id: 3,
            amount: eur(123_456),
            received_on: "2026-11-20".parse().unwrap(),
            method: "cheque".into(),
            stripe_method: None,
            reference: Some("Chèque n° 12".into()),
        };
        assert_eq!(
            payment.describe(Lang::Fr),
            "paiement 3 de 1\u{202f}234,56\u{a0}€ reçu le 20/11/2026 par chèque, Chèque n° 12"
        );
        assert_eq!(
            payment.describe(Lang::En),
            "payment 3 of €1,234.56 received on 2026-11-20 by CHEQUE, Chèque n° 12"
        );
        let link = TimelineEvent::Link {
            kind: LinkKind::Checkout,
            id: 7,
            status: LinkStatus::Expired,
            amount: eur(30_000),
            detail: None,
        };
        assert_eq!(
            link.describe(Lang::Fr),
            "session de paiement 7\u{202f}: expiré"
        );
        assert_eq!(link.describe(Lang::En), "checkout 7 expired");
        let proposed = TimelineEvent::RefundProposed {
            id: 2,
            stripe_ref: "re_1".into(),
            amount: eur(5_000),
        };
        assert!(proposed.describe(Lang::Fr).contains("avoir proposé"));
        assert!(proposed.describe(Lang::En).contains("credit note proposed"));
    }
}
