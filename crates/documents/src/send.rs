//! Sending an invoice to its client: the message from an editable template,
//! the `mailto:` and `https://wa.me/…` URLs, and what to launch for "Email".
//!
//! Templates hold placeholders `{client}`, `{number}`, `{amount}` (the
//! amount due, in the client's language), `{link}` (the open payment link's
//! URL, through the relay's `/p/…` page when a relay is set), `{due}`,
//! `{paid}` (what was received so far) and `{paid_on}` (the last payment's
//! day); reminders ([`crate::reminders`]) add `{days}` (days late),
//! `{penalties}`, `{rate}` (the annual penalty rate) and `{indemnity}` (the
//! 40 € owed by a late business client).
//!
//! Receipts, offered once money came in, have their own templates
//! (`receipt.email.subject`, …): there `{amount}` is empty when nothing is
//! left to pay (so "Reste à payer : {amount}" disappears), and `{link}` is
//! the client's shared invoice page when there is one (a WhatsApp message
//! cannot carry the stamped PDF; the page can).
//! An unknown placeholder is left as is. A line holding a placeholder whose
//! value is empty (no open link: `{link}`) is left out, so "Pay online:
//! {link}" disappears rather than dangling.
//!
//! Templates are settings (`send.template.email.subject.fr`, …); an empty or
//! missing setting means the default of [`default_templates`].

use std::path::Path;

use acquit_core::Lang;
use acquit_store::{Store, StoreError};
use serde::Serialize;

/// What the placeholders are replaced with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub client: String,
    pub number: String,
    pub amount: String,
    pub link: String,
    pub due: String,
    pub paid: String,
    pub paid_on: String,
    pub days: String,
    pub penalties: String,
    pub rate: String,
    pub indemnity: String,
}

/// The templates of one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Templates {
    pub email_subject: String,
    pub email_body: String,
    pub whatsapp: String,
}

/// The kinds of template, as their settings key spells them: the
/// invoice's, then the receipt's.
pub const KINDS: [&str; 6] = [
    "email.subject",
    "email.body",
    "whatsapp",
    "receipt.email.subject",
    "receipt.email.body",
    "receipt.whatsapp",
];

const RECEIPT: &str = "receipt.";

/// Fills `template` with `values` (see the module docs).
pub fn render_template(template: &str, values: &Values) -> String {
    let pairs = [
        ("{client}", values.client.as_str()),
        ("{number}", values.number.as_str()),
        ("{amount}", values.amount.as_str()),
        ("{link}", values.link.as_str()),
        ("{due}", values.due.as_str()),
        ("{paid}", values.paid.as_str()),
        ("{paid_on}", values.paid_on.as_str()),
        ("{days}", values.days.as_str()),
        ("{penalties}", values.penalties.as_str()),
        ("{rate}", values.rate.as_str()),
        ("{indemnity}", values.indemnity.as_str()),
    ];
    let mut out = Vec::new();
    for line in template.split('\n') {
        if pairs
            .iter()
            .any(|(name, value)| value.is_empty() && line.contains(name))
        {
            continue;
        }
        let mut filled = String::with_capacity(line.len());
        let mut rest = line;
        // One pass, so a value that looks like a placeholder stays as typed.
        while let Some(start) = rest.find('{') {
            filled.push_str(&rest[..start]);
            let tail = &rest[start..];
            match pairs.iter().find(|(name, _)| tail.starts_with(name)) {
                Some((name, value)) => {
                    filled.push_str(value);
                    rest = &tail[name.len()..];
                }
                None => {
                    filled.push('{');
                    rest = &tail[1..];
                }
            }
        }
        filled.push_str(rest);
        out.push(filled);
    }
    out.join("\n")
}

/// The built-in templates of `lang`.
pub fn default_templates(lang: Lang) -> Templates {
    match lang {
        Lang::Fr => Templates {
            email_subject: "Facture {number}".into(),
            email_body: "Bonjour,\n\nVeuillez trouver ci-joint la facture {number} \
                 d’un montant de {amount}, à régler avant le {due}.\n\
                 Vous pouvez la payer en ligne : {link}\n\nCordialement,"
                .into(),
            whatsapp: "Bonjour, voici la facture {number} de {amount}, \
                 à régler avant le {due}.\nPour payer en ligne : {link}"
                .into(),
        },
        Lang::En => Templates {
            email_subject: "Invoice {number}".into(),
            email_body: "Hello,\n\nPlease find attached invoice {number} \
                 for {amount}, due by {due}.\n\
                 You can pay it online: {link}\n\nBest regards,"
                .into(),
            whatsapp: "Hello, here is invoice {number} for {amount}, due by {due}.\n\
                 Pay online: {link}"
                .into(),
        },
    }
}

/// The built-in receipt templates of `lang`.
pub fn default_receipt_templates(lang: Lang) -> Templates {
    match lang {
        Lang::Fr => Templates {
            email_subject: "Reçu de paiement \u{2013} facture {number}".into(),
            email_body: "Bonjour,\n\nNous avons bien reçu votre paiement de {paid} \
                 pour la facture {number} (le {paid_on}). Merci\u{a0}!\n\
                 Reste à payer\u{a0}: {amount}\n\
                 Vous trouverez la facture ci-jointe.\n\
                 Votre facture en ligne\u{a0}: {link}\n\nCordialement,"
                .into(),
            whatsapp: "Bonjour, nous avons bien reçu votre paiement de {paid} \
                 pour la facture {number}. Merci\u{a0}!\n\
                 Reste à payer\u{a0}: {amount}\n\
                 Votre facture\u{a0}: {link}"
                .into(),
        },
        Lang::En => Templates {
            email_subject: "Payment receipt \u{2013} invoice {number}".into(),
            email_body: "Hello,\n\nWe have received your payment of {paid} \
                 for invoice {number} (on {paid_on}). Thank you!\n\
                 Amount still due: {amount}\n\
                 Please find the invoice attached.\n\
                 Your invoice online: {link}\n\nBest regards,"
                .into(),
            whatsapp: "Hello, we have received your payment of {paid} \
                 for invoice {number}. Thank you!\n\
                 Amount still due: {amount}\n\
                 Your invoice: {link}"
                .into(),
        },
    }
}

/// The settings key of one template: `send.template.email.subject.fr`.
pub fn setting_key(kind: &str, lang: Lang) -> String {
    format!("send.template.{kind}.{}", lang.code())
}

impl Templates {
    /// The text of one kind of template (see [`KINDS`]; a receipt's kind
    /// without its `receipt.` prefix).
    pub fn get(&self, kind: &str) -> &str {
        match kind.strip_prefix(RECEIPT).unwrap_or(kind) {
            "email.subject" => &self.email_subject,
            "email.body" => &self.email_body,
            _ => &self.whatsapp,
        }
    }
}

/// The default text of one template kind (see [`KINDS`]).
pub fn default_template(kind: &str, lang: Lang) -> String {
    match kind.strip_prefix(RECEIPT) {
        Some(kind) => default_receipt_templates(lang).get(kind).to_owned(),
        None => default_templates(lang).get(kind).to_owned(),
    }
}

/// The text in use of one template kind: the setting, else the default.
pub fn template(store: &Store, kind: &str, lang: Lang) -> Result<String, StoreError> {
    Ok(store
        .setting(&setting_key(kind, lang))?
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| default_template(kind, lang)))
}

fn templates_of(store: &Store, lang: Lang, prefix: &str) -> Result<Templates, StoreError> {
    let get = |kind: &str| template(store, &format!("{prefix}{kind}"), lang);
    Ok(Templates {
        email_subject: get("email.subject")?,
        email_body: get("email.body")?,
        whatsapp: get("whatsapp")?,
    })
}

/// The templates in use for `lang`: the settings, else the defaults.
pub fn templates(store: &Store, lang: Lang) -> Result<Templates, StoreError> {
    templates_of(store, lang, "")
}

/// The receipt templates in use for `lang`.
pub fn receipt_templates(store: &Store, lang: Lang) -> Result<Templates, StoreError> {
    templates_of(store, lang, RECEIPT)
}

/// Percent-encodes `text` for a URL's query (RFC 3986: only unreserved
/// characters stay as they are; UTF-8 bytes otherwise).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A `mailto:` URL (RFC 6068): line breaks in the body become CRLF, and
/// everything but unreserved characters is percent-encoded.
pub fn mailto_url(to: &str, subject: &str, body: &str) -> String {
    let crlf = body.replace("\r\n", "\n").replace('\n', "\r\n");
    let address = percent_encode(to).replace("%40", "@");
    format!(
        "mailto:{address}?subject={}&body={}",
        percent_encode(subject),
        percent_encode(&crlf)
    )
}

/// `https://wa.me/<digits>?text=…` for an E.164 phone number.
pub fn whatsapp_url(phone: &str, text: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("https://wa.me/{digits}?text={}", percent_encode(text))
}

/// A program to run with its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Launch {
    pub program: String,
    pub args: Vec<String>,
}

/// The variables a program Acquit launches (mail client, browser, file
/// manager) never inherits: the Stripe key and relay token a script may
/// have given Acquit through the environment.
pub const SECRET_ENV: [&str; 4] = [
    acquit_secrets::STRIPE_KEY_ENV,
    acquit_sync::config::RELAY_TOKEN_ENV,
    crate::einvoice::PA_SECRET_ENV,
    crate::mail::SMTP_PASSWORD_ENV,
];

impl Launch {
    /// The user's default app opening `target` (a URL, a folder).
    pub fn opening(target: impl Into<String>) -> Launch {
        Launch {
            program: opener().into(),
            args: vec![target.into()],
        }
    }

    /// The command to run, without [`SECRET_ENV`] in its environment.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args);
        for name in SECRET_ENV {
            command.env_remove(name);
        }
        command
    }
}

/// The program that opens a URL or a folder with the user's default app.
pub fn opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    }
}

/// Whether `program` is an executable file on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The message for one invoice, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub number: String,
    pub lang: Lang,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub subject: String,
    pub body: String,
    pub whatsapp_text: String,
}

impl Message {
    /// The `mailto:` URL, when the client has an email.
    pub fn mailto(&self) -> Option<String> {
        self.email
            .as_deref()
            .map(|to| mailto_url(to, &self.subject, &self.body))
    }

    /// The wa.me URL, when the client has a phone number.
    pub fn whatsapp(&self) -> Option<String> {
        self.phone
            .as_deref()
            .map(|phone| whatsapp_url(phone, &self.whatsapp_text))
    }

    /// What "Email" runs: `xdg-email` with the PDF attached (when there is
    /// one) where it exists, else the `mailto:` URL then the PDF's folder,
    /// for the user to attach it. None when the client has no email.
    pub fn email_launches(&self, pdf: Option<&Path>, xdg_email: bool) -> Option<Vec<Launch>> {
        let to = self.email.clone()?;
        if xdg_email {
            let mut args = vec![
                "--subject".into(),
                self.subject.clone(),
                "--body".into(),
                self.body.clone(),
            ];
            if let Some(pdf) = pdf {
                args.extend(["--attach".into(), pdf.display().to_string()]);
            }
            // As a `mailto:` URI, which xdg-email takes too: an address
            // typed as `-x@…` can never pass for an option.
            args.push(format!(
                "mailto:{}",
                percent_encode(&to).replace("%40", "@")
            ));
            return Some(vec![Launch {
                program: "xdg-email".into(),
                args,
            }]);
        }
        let mut launches = vec![Launch::opening(self.mailto()?)];
        if let Some(pdf) = pdf {
            let folder = pdf.parent().unwrap_or(Path::new("."));
            launches.push(Launch::opening(folder.display().to_string()));
        }
        Some(launches)
    }
}

/// A day as the client (or the UI) reads it: `14/02/2027`, `14 Feb 2027`.
pub fn format_date(lang: Lang, date: chrono::NaiveDate) -> String {
    match lang {
        Lang::Fr => date.format("%d/%m/%Y").to_string(),
        Lang::En => date.format("%-d %b %Y").to_string(),
    }
}

/// The placeholders' values for invoice `number`, and what was received
/// (minor units, net of reversals and refunds).
pub(crate) fn values(store: &Store, number: &str) -> Result<(Values, i64), StoreError> {
    let view = store.invoice(number)?;
    let lang = view.buyer.lang;
    let payments = store.payments(number)?;
    let received: i64 = payments.iter().map(|p| p.amount.minor()).sum();
    let last = payments
        .iter()
        .filter(|p| p.amount.is_positive() && !p.reversed)
        .map(|p| p.received_on)
        .max();
    let values = Values {
        client: view.buyer.name.clone(),
        number: view.number.clone().unwrap_or_else(|| number.to_owned()),
        amount: view.amount_due.format(lang),
        link: if view.amount_due.is_positive() {
            link_url(store, number)?.unwrap_or_default()
        } else {
            String::new()
        },
        due: view
            .due_date
            .map(|d| format_date(lang, d))
            .unwrap_or_default(),
        paid: acquit_core::Money::new(received.max(0), view.currency).format(lang),
        paid_on: last.map(|d| format_date(lang, d)).unwrap_or_default(),
        ..Values::default()
    };
    Ok((values, received))
}

/// The message for the issued invoice `number`, in its client's language.
pub fn message(store: &Store, number: &str) -> Result<Message, StoreError> {
    let (values, _) = values(store, number)?;
    let templates = templates(store, store.invoice(number)?.buyer.lang)?;
    build(store, number, &values, &templates)
}

/// The receipt for what the client of `number` paid so far; None while
/// nothing was received.
pub fn receipt(store: &Store, number: &str) -> Result<Option<Message>, StoreError> {
    let (mut values, received) = values(store, number)?;
    if received <= 0 {
        return Ok(None);
    }
    let view = store.invoice(number)?;
    if !view.amount_due.is_positive() {
        values.amount = String::new();
    }
    values.link = share_url(store, number)?.unwrap_or_default();
    let templates = receipt_templates(store, view.buyer.lang)?;
    build(store, number, &values, &templates).map(Some)
}

/// The client's shared invoice page (`…/v/{token}#k={key}`), when the
/// invoice is shared and a relay is set.
pub(crate) fn share_url(store: &Store, number: &str) -> Result<Option<String>, StoreError> {
    let Some(share) = store.live_share(number)? else {
        return Ok(None);
    };
    Ok(acquit_sync::relay::PublicBase::of(store)?
        .map(|base| base.page(&share.doc_token, &crate::share::key_to_fragment(&share.key))))
}

pub(crate) fn build(
    store: &Store,
    number: &str,
    values: &Values,
    templates: &Templates,
) -> Result<Message, StoreError> {
    let view = store.invoice(number)?;
    let lang = view.buyer.lang;
    // Where to reach the client is today's profile, not the snapshot the
    // invoice keeps: an address changed since (the old one bounces) is
    // the one to use.
    let client = store.client(view.client_id)?;
    Ok(Message {
        number: values.number.clone(),
        lang,
        email: client.email.as_ref().map(ToString::to_string),
        phone: client.phone.as_ref().map(ToString::to_string),
        subject: render_template(&templates.email_subject, values)
            .replace('\n', " ")
            .trim()
            .to_owned(),
        body: render_template(&templates.email_body, values),
        whatsapp_text: render_template(&templates.whatsapp, values),
    })
}

/// The open link to give the client (a lasting link rather than a checkout,
/// then the newest), through the relay's `/p/…` page when a relay is set.
pub(crate) fn link_url(store: &Store, number: &str) -> Result<Option<String>, StoreError> {
    let base = acquit_sync::relay::PublicBase::of(store)?;
    acquit_sync::links::client_link(store, number, base.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launched_programs_never_inherit_the_secrets() {
        let launch = Launch::opening("https://example.org/");
        let command = launch.command();
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            removed,
            [
                "ACQUIT_PA_SECRET",
                "ACQUIT_RELAY_TOKEN",
                "ACQUIT_SMTP_PASSWORD",
                "ACQUIT_STRIPE_KEY"
            ]
        );
        assert_eq!(command.get_program(), opener());
    }

    fn values() -> Values {
        Values {
            client: "Café des Arts".into(),
            number: "F-2026-0007".into(),
            amount: "1\u{202f}234,56\u{a0}€".into(),
            link: "https://relay.example/p/abc".into(),
            due: "09/12/2026".into(),
            paid: "500,00\u{a0}€".into(),
            paid_on: "20/11/2026".into(),
            ..Values::default()
        }
    }

    #[test]
    fn receipt_defaults_thank_for_the_payment_in_both_languages() {
        let mut v = values();
        v.amount = String::new();
        let fr = default_receipt_templates(Lang::Fr);
        let body = render_template(&fr.email_body, &v);
        assert!(
            body.contains("paiement de 500,00\u{a0}€ pour la facture F-2026-0007 (le 20/11/2026)"),
            "{body}"
        );
        assert!(
            !body.contains("Reste à payer"),
            "nothing due: the line is left out: {body}"
        );
        let en = render_template(&default_receipt_templates(Lang::En).whatsapp, &values());
        assert!(
            en.contains("Amount still due: 1\u{202f}234,56\u{a0}€"),
            "{en}"
        );
        assert!(
            en.ends_with("Your invoice: https://relay.example/p/abc"),
            "{en}"
        );
        assert_eq!(default_template("receipt.whatsapp", Lang::Fr), fr.whatsapp);
        assert_eq!(
            default_template("whatsapp", Lang::Fr),
            default_templates(Lang::Fr).whatsapp
        );
    }

    #[test]
    fn a_receipt_once_money_came_in_with_the_shared_page() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("a.db")).unwrap();
        store
            .fill_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            .unwrap();
        // Paid in full: thanks, nothing left to pay.
        let paid = receipt(&store, "F-2026-0001").unwrap().expect("a receipt");
        assert!(paid.subject.contains("F-2026-0001"), "{paid:?}");
        let whole = format!("{} {}", paid.body, paid.whatsapp_text);
        assert!(
            !whole.contains("{paid}") && !whole.contains("{link}"),
            "{whole}"
        );
        assert!(
            !whole.contains("Reste à payer") && !whole.contains("Amount still due"),
            "{whole}"
        );
        // Part paid: the rest is stated.
        let partly = receipt(&store, "F-2026-0003").unwrap().expect("a receipt");
        let due = store
            .invoice("F-2026-0003")
            .unwrap()
            .amount_due
            .format(partly.lang);
        assert!(partly.whatsapp_text.contains(&due), "{partly:?}");
        // Shared: the WhatsApp message carries the page, key and all.
        store
            .set_setting(
                acquit_sync::relay::RELAY_URL_SETTING,
                "https://relay.example",
            )
            .unwrap();
        let share = store.share("F-2026-0003").unwrap();
        let with_page = receipt(&store, "F-2026-0003").unwrap().unwrap();
        let page = format!(
            "https://relay.example/v/{}#k={}",
            share.doc_token,
            crate::share::key_to_fragment(&share.key)
        );
        assert!(with_page.whatsapp_text.ends_with(&page), "{with_page:?}");
        // Nothing received yet: no receipt.
        let issued = store
            .list_invoices(Some(acquit_core::InvoiceStatus::Issued))
            .unwrap();
        let unpaid = issued[0].number.as_deref().unwrap();
        assert_eq!(receipt(&store, unpaid).unwrap(), None);
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_left_as_is() {
        let text = render_template(
            "{client}: {number} = {amount} by {due} {link} {unknown} {",
            &values(),
        );
        assert_eq!(
            text,
            "Café des Arts: F-2026-0007 = 1\u{202f}234,56\u{a0}€ by 09/12/2026 \
             https://relay.example/p/abc {unknown} {"
        );
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_filled_again() {
        let mut v = values();
        v.client = "{number}".into();
        assert_eq!(render_template("{client}", &v), "{number}");
    }

    #[test]
    fn a_line_with_an_empty_value_is_left_out() {
        let mut v = values();
        v.link = String::new();
        let body = render_template(&default_templates(Lang::Fr).email_body, &v);
        assert!(!body.contains("en ligne"), "{body}");
        assert!(body.contains("F-2026-0007"));
        let with = render_template(&default_templates(Lang::En).whatsapp, &values());
        assert!(with.ends_with("Pay online: https://relay.example/p/abc"));
    }

    #[test]
    fn defaults_use_every_placeholder_in_both_languages() {
        for lang in [Lang::Fr, Lang::En] {
            let t = default_templates(lang);
            let all = format!("{} {} {}", t.email_subject, t.email_body, t.whatsapp);
            for p in ["{number}", "{amount}", "{link}", "{due}"] {
                assert!(all.contains(p), "{lang:?} lacks {p}");
            }
            assert_eq!(default_template("whatsapp", lang), t.whatsapp);
        }
        assert_eq!(
            setting_key("email.subject", Lang::Fr),
            "send.template.email.subject.fr"
        );
    }

    #[test]
    fn mailto_encodes_accents_reserved_characters_newlines_and_euros() {
        let url = mailto_url(
            "a.b@example.org",
            "Facture & reçu ?",
            "Ligne 1\nLigne 2 = 10 €",
        );
        assert_eq!(
            url,
            "mailto:a.b@example.org?subject=Facture%20%26%20re%C3%A7u%20%3F\
             &body=Ligne%201%0D%0ALigne%202%20%3D%2010%20%E2%82%AC"
        );
    }

    #[test]
    fn whatsapp_keeps_only_the_digits_of_the_phone() {
        assert_eq!(
            whatsapp_url("+33 6 98 76 54 32", "Hé ?\n#1"),
            "https://wa.me/33698765432?text=H%C3%A9%20%3F%0A%231"
        );
    }

    #[test]
    fn email_attaches_with_xdg_email_else_opens_mailto_and_the_folder() {
        let m = Message {
            number: "F-1".into(),
            lang: Lang::Fr,
            email: Some("c@example.org".into()),
            phone: None,
            subject: "S".into(),
            body: "B".into(),
            whatsapp_text: "W".into(),
        };
        let pdf = Path::new("/cache/F-1.pdf");
        let xdg = m.email_launches(Some(pdf), true).unwrap();
        assert_eq!(
            xdg[0].args,
            [
                "--subject",
                "S",
                "--body",
                "B",
                "--attach",
                "/cache/F-1.pdf",
                "mailto:c@example.org"
            ]
        );
        // An address that looks like an option reaches xdg-email as a URI.
        let dash = Message {
            email: Some("--help@example.org".into()),
            ..m.clone()
        };
        let args = &dash.email_launches(Some(pdf), true).unwrap()[0].args;
        assert_eq!(args.last().unwrap(), "mailto:--help@example.org");
        assert!(args.iter().all(|a| a != "--help@example.org"));
        let fallback = m.email_launches(Some(pdf), false).unwrap();
        assert_eq!(fallback[0].args, ["mailto:c@example.org?subject=S&body=B"]);
        assert_eq!(fallback[1].args, ["/cache"]);
        assert_eq!(m.whatsapp(), None);
        let none = Message { email: None, ..m };
        assert_eq!(none.email_launches(Some(pdf), true), None);
    }

    #[test]
    fn a_demo_invoice_gets_its_clients_message() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("a.db")).unwrap();
        store
            .fill_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            .unwrap();
        let m = message(&store, "F-2026-0003").unwrap();
        assert_eq!(m.lang, Lang::Fr);
        assert!(m.subject.contains("F-2026-0003"), "{m:?}");
        let due = store
            .invoice("F-2026-0003")
            .unwrap()
            .amount_due
            .format(Lang::Fr);
        assert!(m.body.contains(&due), "{m:?}");
        assert!(!m.body.contains("{link}"));
        store
            .set_setting(
                &setting_key("email.subject", Lang::Fr),
                "Votre facture {number} !",
            )
            .unwrap();
        assert_eq!(
            message(&store, "F-2026-0003").unwrap().subject,
            "Votre facture F-2026-0003 !"
        );
    }
}
