//! The user's language at the edge: errors of the core, the store and the
//! updater are typed in English (for the CLI, logs and tests); this module
//! is the one place that says them in French when the UI is in French.
//!
//! The UI tells the app its language (`use_language`, on start and on each
//! change); commands turn their errors into text with [`localize`], which
//! recognizes the typed errors below by their type and variant (their
//! "code") and falls back to the English text for anything else.

use std::any::Any;
use std::fmt::Display;
use std::sync::atomic::{AtomicU8, Ordering};

use acquit_core::address::Missing;
use acquit_core::compliance::Gap;
use acquit_core::decimal::DecimalError;
use acquit_core::declaration::ThresholdError;
use acquit_core::invoice::EurRateError;
use acquit_core::quantity::{QuantityError, RateError};
use acquit_core::tax::TaxError;
use acquit_core::{AddressError, AmountError, Lang, UnknownCountry, UnknownCurrency};
use acquit_mail::MailError;
use acquit_store::{Rejection, StoreError};
use acquit_sync::mail::{SMTP_PASSWORD_ENV, SendMailError};
use acquit_sync::vies::{DEFAULT_VIES_URL, VIES_URL_ENV, ViesError};

/// The UI's language: 0 English (until the UI says), 1 French.
static UI_LANG: AtomicU8 = AtomicU8::new(0);

pub fn set_ui_lang(lang: Lang) {
    UI_LANG.store(u8::from(lang == Lang::Fr), Ordering::Relaxed);
}

pub fn ui_lang() -> Lang {
    match UI_LANG.load(Ordering::Relaxed) {
        1 => Lang::Fr,
        _ => Lang::En,
    }
}

/// A message of the app's own, in the UI's language.
pub fn say(fr: &str, en: &str) -> String {
    match ui_lang() {
        Lang::Fr => fr.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// `error` as the user reads it, in the UI's language.
pub fn localize<E: Display + 'static>(error: &E) -> String {
    localize_in(error, ui_lang())
}

/// `error` in `lang`: French for the errors this module knows, else the
/// error's own (English) text.
pub fn localize_in<E: Display + 'static>(error: &E, lang: Lang) -> String {
    let any = error as &dyn Any;
    if let Some(text) = in_app_words(any, lang) {
        return text;
    }
    if lang == Lang::En {
        return error.to_string();
    }
    let french = if let Some(e) = any.downcast_ref::<StoreError>() {
        store_fr(e)
    } else if let Some(e) = any.downcast_ref::<Rejection>() {
        rejection_fr(e)
    } else if let Some(e) = any.downcast_ref::<AmountError>() {
        amount_fr(e)
    } else if let Some(e) = any.downcast_ref::<QuantityError>() {
        Some(quantity_fr(e))
    } else if let Some(e) = any.downcast_ref::<RateError>() {
        Some(rate_fr(e))
    } else if let Some(e) = any.downcast_ref::<TaxError>() {
        tax_fr(e)
    } else if let Some(e) = any.downcast_ref::<UnknownCurrency>() {
        Some(currency_fr(e))
    } else if let Some(e) = any.downcast_ref::<UnknownCountry>() {
        Some(country_fr(e))
    } else if let Some(e) = any.downcast_ref::<EurRateError>() {
        Some(eur_rate_fr(e))
    } else if let Some(e) = any.downcast_ref::<SendMailError>() {
        send_mail_fr(e)
    } else if let Some(e) = any.downcast_ref::<ThresholdError>() {
        threshold_fr(e)
    } else if let Some(e) = any.downcast_ref::<acquit_sync::DocumentError>() {
        document_fr(e)
    } else {
        any.downcast_ref::<tauri_plugin_updater::Error>()
            .map(update_fr)
    };
    french.unwrap_or_else(|| error.to_string())
}

/// French typography: a narrow no-break space before `:` and `;`.
const S: char = '\u{202f}';

fn document_fr(error: &acquit_sync::DocumentError) -> Option<String> {
    use acquit_sync::DocumentError as E;
    Some(match error {
        E::Draft(_) => format!("Un brouillon n’a pas de PDF{S}: émettez-le d’abord"),
        E::DraftQuote(_) => format!("Un brouillon de devis n’a pas de PDF{S}: émettez-le d’abord"),
        E::IssuedElsewhere(number) => format!(
            "{number} a été émise avec votre outil précédent, avant Acquit{S}: Acquit en garde les montants, pas la mise en page, et n’en dessine pas de PDF (son PDF est celui de cet outil, à joindre à l’import avec --pdfs)"
        ),
        E::Store(e) => return store_fr(e),
        E::Render(_) => return None,
    })
}

fn send_mail_fr(error: &SendMailError) -> Option<String> {
    Some(match error {
        SendMailError::NotSet => format!(
            "Aucun serveur d’envoi n’est réglé{S}: réglez-le dans Paramètres › E-mail, ou envoyez avec votre messagerie"
        ),
        SendMailError::PasswordMissing { user, host } => format!(
            "Le mot de passe de {user} sur {host} n’est plus dans le trousseau{S}: enregistrez à nouveau le serveur dans Paramètres › E-mail (ou réglez {SMTP_PASSWORD_ENV})"
        ),
        SendMailError::Unreadable(_) => format!(
            "Le réglage du serveur d’envoi est illisible{S}: enregistrez-le à nouveau dans Paramètres › E-mail"
        ),
        SendMailError::NoEmail { client } => {
            format!("{client} n’a pas d’adresse e-mail{S}: ajoutez-la dans Clients")
        }
        SendMailError::NoReceipt { number } => {
            format!("Rien n’a encore été reçu sur {number}{S}: il n’y a pas de reçu à envoyer")
        }
        SendMailError::Store(e) => return store_fr(e),
        SendMailError::Mail(e) => mail_fr(e),
        SendMailError::Keychain(_) | SendMailError::Document(_) => return None,
    })
}

fn mail_fr(error: &MailError) -> String {
    match error {
        MailError::Build(detail) => format!("Le message n’a pas pu être construit ({detail})"),
        MailError::CaFile { path, reason } => format!(
            "Le certificat {} est inutilisable ({reason}){S}: indiquez le fichier PEM de l’autorité de votre serveur",
            path.display()
        ),
        MailError::Connect { host, port, detail } => format!(
            "{host}:{port} ne répond pas ({detail}){S}: vérifiez le serveur et le port (587 pour STARTTLS, 465 pour TLS) et votre connexion"
        ),
        MailError::Untrusted { host, detail } => format!(
            "Le certificat de {host} n’est pas reconnu ({detail}){S}: s’il s’agit de votre propre serveur, indiquez son autorité (certificat PEM){S}; sinon vérifiez le nom du serveur"
        ),
        MailError::Tls { host, port, detail } => format!(
            "La connexion chiffrée avec {host}:{port} a échoué ({detail}){S}: vérifiez la sécurité choisie (STARTTLS pour le port 587, TLS pour le 465)"
        ),
        MailError::Auth { host, detail } => format!(
            "{host} refuse l’identifiant ou le mot de passe ({detail}){S}: vérifiez-les{S}; certains fournisseurs demandent un mot de passe d’application"
        ),
        MailError::Refused { host, to, detail } => format!(
            "{host} refuse d’envoyer à {to} ({detail}){S}: vérifiez l’adresse{S}; un serveur qui refuse de relayer veut que l’expéditeur soit l’adresse de votre compte"
        ),
        MailError::Transient { host, detail } => {
            format!(
                "{host} ne peut pas prendre le message pour l’instant ({detail}){S}: réessayez plus tard"
            )
        }
        MailError::Other { host, detail } => format!("{host} a échoué ({detail})"),
    }
}

fn store_fr(error: &StoreError) -> Option<String> {
    Some(match error {
        StoreError::Rejected(r) => return rejection_fr(r),
        StoreError::NotADatabase { path } => format!(
            "{} n’est pas une base Acquit (ce n’est pas un fichier SQLite){S}: choisissez un autre fichier, ou restaurez une sauvegarde",
            path.display()
        ),
        StoreError::ForeignDatabase { path } => format!(
            "{} est la base de données d’une autre application{S}: choisissez un autre fichier pour Acquit",
            path.display()
        ),
        StoreError::TooNew { path, .. } => format!(
            "{} a été écrit par une version plus récente d’Acquit{S}: mettez Acquit à jour pour l’ouvrir",
            path.display()
        ),
        StoreError::Corrupt { path, .. } => format!(
            "{} a échoué à la vérification d’intégrité{S}: restaurez votre dernière sauvegarde",
            path.display()
        ),
        StoreError::Decode(what) => format!(
            "des données enregistrées sont illisibles ({what}){S}: le fichier a peut-être été modifié à la main"
        ),
        _ => return None,
    })
}

fn rejection_fr(rejection: &Rejection) -> Option<String> {
    Some(match rejection {
        Rejection::NoSeller => "Renseignez d’abord votre entreprise (nom et adresse).".into(),
        Rejection::NoSuchClient(id) => {
            format!("Le client {id} n’existe pas{S}: choisissez-en un dans la liste")
        }
        Rejection::NoSuchDraft(id) => {
            format!("Le brouillon {id} n’existe plus{S}: revenez à la liste des factures")
        }
        Rejection::NoSuchInvoice(number) => {
            format!("La facture {number} n’existe pas{S}: vérifiez le numéro dans la liste")
        }
        Rejection::Locked(number) => format!(
            "La facture {number} est émise et verrouillée{S}: pour la corriger, émettez un avoir"
        ),
        Rejection::EmptyDraft(id) => {
            format!("Le brouillon {id} n’a aucune ligne{S}: ajoutez-en une avant d’émettre")
        }
        Rejection::Chronology { number, last, date } => format!(
            "{number} est datée du {last}{S}; un nouveau document ne peut pas être daté du {date}, plus tôt{S}: les numéros suivent les dates"
        ),
        Rejection::ExemptionNeedsVatNumber { client, .. } => format!(
            "{client} est facturé sans TVA française{S}: son numéro de TVA intracommunautaire doit figurer sur ses factures, renseignez-le"
        ),
        Rejection::VatOnExemptInvoice {
            client, line, rate, ..
        } => format!(
            "{client} est facturé sans TVA française, mais la ligne {line} a une TVA de {}{S}: mettez la TVA de chaque ligne à 0\u{a0}%",
            rate.format(Lang::Fr)
        ),
        Rejection::NotADeposit(number) => format!(
            "Une facture de solde déduit des factures d’acompte émises du même client et dans la même devise{S}; {number} n’en est pas une"
        ),
        Rejection::Tax(e) => return tax_fr(e),
        // Said by `in_app_words`, before this.
        Rejection::Incomplete { .. } => return None,
        Rejection::Overpayment {
            number,
            amount,
            due,
        } => format!(
            "{amount} dépasse les {due} encore dus sur {number}{S}: enregistrez au plus ce qui est dû"
        ),
        Rejection::NotAnInvoice { number } => {
            format!("{number} est un avoir{S}: paiements et avoirs s’appliquent aux factures")
        }
        Rejection::NoSuchPayment(id) => format!("Le paiement {id} n’existe pas"),
        Rejection::AlreadyReversed(id) => format!("Le paiement {id} a déjà été contre-passé"),
        Rejection::MailInterrupted { number, to, at } => format!(
            "L’envoi de {number} à {to} commencé le {} a été interrompu avant la réponse du serveur\u{a0}: le client l’a peut-être reçu. Vérifiez vos messages envoyés, puis renvoyez si besoin",
            at.with_timezone(&chrono::Local).format("%d/%m/%Y à %H:%M")
        ),
        Rejection::JustMailed { number, to, at } => format!(
            "{number} vient d’être envoyée à {to} (à {})\u{a0}: pour l’envoyer une nouvelle fois, confirmez",
            at.with_timezone(&chrono::Local).format("%H:%M")
        ),
        Rejection::AlreadyReminded { number, on, .. } => format!(
            "{number} a déjà été relancée à cette étape, le {}\u{a0}: la prochaine relance viendra à son heure",
            on.format("%d/%m/%Y")
        ),
        Rejection::NoSuchQuote(number) => {
            format!("Le devis {number} n’existe pas{S}: vérifiez le numéro dans la liste des devis")
        }
        Rejection::Decision(e) => decision_fr(e),
        Rejection::Threshold(e) => return threshold_fr(e),
        Rejection::QuoteLocked(number) => format!(
            "Le devis {number} est émis et verrouillé{S}: pour proposer autre chose, émettez un nouveau devis"
        ),
        Rejection::ValidityBeforeIssue { valid_until, date } => format!(
            "Le devis serait valable jusqu’au {}, avant sa date d’émission ({}){S}: changez la date de validité",
            valid_until.format("%d/%m/%Y"),
            date.format("%d/%m/%Y")
        ),
        Rejection::QuoteNotAccepted { number, .. } => {
            format!("{number} n’est pas accepté{S}: seul un devis accepté se facture")
        }
        Rejection::QuoteDraftPending { number, draft } => format!(
            "Le brouillon {draft} a déjà été fait depuis {number}{S}: émettez-le ou supprimez-le d’abord"
        ),
        Rejection::QuoteInvoiced { number, by } => format!(
            "{number} est entièrement facturé par {by}{S}: pour facturer davantage, émettez un nouveau devis"
        ),
        Rejection::Pattern(_) | Rejection::Invalid(_) => return None,
    })
}

fn threshold_fr(e: &ThresholdError) -> Option<String> {
    use ThresholdError as T;
    Some(match e {
        T::NotPositive(amount) => {
            format!("Un seuil est un montant en euros supérieur à zéro, pas {amount}")
        }
        T::HigherOnMicro => format!(
            "Le régime micro a un seul plafond par activité{S}: ne donnez pas de seuil majoré"
        ),
        T::HigherNotAbove { higher, limit } => {
            format!("Le seuil majoré ({higher}) doit dépasser le seuil ({limit})")
        }
        T::Years { from, to } => format!(
            "Les années {from}–{to} ne forment pas une période{S}: donnez la première année, puis la dernière (ou aucune)"
        ),
        T::NoSource => format!(
            "Indiquez d’où vient ce chiffre{S}: le texte de loi et son année, ou «\u{a0}mon comptable\u{a0}»"
        ),
        T::Overlap { a, b, .. } => format!(
            "Deux seuils du même régime et de la même activité couvrent les mêmes années ({a}… et {b}…)"
        ),
        T::Unreadable(_) => return None,
    })
}

fn decision_fr(e: &acquit_core::quote::DecisionError) -> String {
    use acquit_core::quote::DecisionError as D;
    let day = |d: &chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    match e {
        D::NotIssued => {
            format!("Le devis est un brouillon{S}: émettez-le avant que le client décide")
        }
        D::AlreadyDecided { accepted, on } => format!(
            "Le client a déjà {} ce devis le {}{S}: une décision est définitive",
            if *accepted { "accepté" } else { "refusé" },
            day(on)
        ),
        D::Expired { until, on } => format!(
            "Le devis était valable jusqu’au {}, pas le {}{S}: émettez un nouveau devis",
            day(until),
            day(on)
        ),
        D::BeforeIssue { issued, on } => format!(
            "Le devis a été émis le {}{S}: une décision le {} le précéderait",
            day(issued),
            day(on)
        ),
        D::NoName => format!("Indiquez qui a décidé{S}: le nom du client"),
    }
}

fn decimal_fr(reason: &DecimalError) -> String {
    match reason {
        DecimalError::Empty => "rien n’a été saisi".into(),
        DecimalError::InvalidCharacter(c) => {
            format!("il contient «\u{a0}{c}\u{a0}», qui ne fait pas partie d’un nombre")
        }
        DecimalError::SeveralSeparators => {
            format!("il a plusieurs séparateurs décimaux{S}: n’en mettez qu’un, p. ex. 1234,56")
        }
        DecimalError::BadGrouping => {
            "ses groupes de chiffres ne sont pas des groupes de trois (écrivez 1 234,56 ou 1234,56)"
                .into()
        }
        DecimalError::NoIntegerDigits => {
            "il n’a pas de chiffre avant la virgule (écrivez 0,5 et non ,5)".into()
        }
        DecimalError::NoFractionDigits => "il n’a pas de chiffre après la virgule".into(),
        DecimalError::TooManyDecimals { found, max } => {
            format!("il a {found} décimales, {max} au plus sont permises")
        }
        DecimalError::TooLarge => "il est trop grand".into(),
    }
}

fn amount_fr(error: &AmountError) -> Option<String> {
    Some(match error {
        AmountError::Malformed { input, reason } => {
            format!(
                "«\u{a0}{input}\u{a0}» n’est pas un montant{S}: {}",
                decimal_fr(reason)
            )
        }
        AmountError::TooPrecise {
            input,
            currency,
            exponent,
        } => format!(
            "«\u{a0}{input}\u{a0}» a trop de décimales{S}: les montants en {currency} en ont {exponent}"
        ),
        AmountError::WrongCurrency {
            input,
            found,
            expected,
        } => format!("«\u{a0}{input}\u{a0}» est en {found}, mais ce montant est en {expected}"),
        AmountError::UnknownCurrency(e) => currency_fr(e),
    })
}

fn quantity_fr(error: &QuantityError) -> String {
    match error {
        QuantityError::Malformed { input, reason } => {
            format!(
                "«\u{a0}{input}\u{a0}» n’est pas une quantité{S}: {}",
                decimal_fr(reason)
            )
        }
        QuantityError::Negative(input) => format!(
            "«\u{a0}{input}\u{a0}» est négatif{S}: une quantité est positive ou nulle (pour reprendre quelque chose, émettez un avoir)"
        ),
    }
}

fn rate_fr(error: &RateError) -> String {
    match error {
        RateError::Malformed { input, reason } => format!(
            "«\u{a0}{input}\u{a0}» n’est pas un taux{S}: {} (écrivez 20, 20\u{a0}%, 5,5 ou 5,5\u{a0}%)",
            decimal_fr(reason)
        ),
        RateError::OutOfRange(input) => {
            format!("«\u{a0}{input}\u{a0}» n’est pas entre 0 et 100\u{a0}%")
        }
    }
}

fn currency_fr(error: &UnknownCurrency) -> String {
    format!(
        "«\u{a0}{}\u{a0}» n’est pas une devise connue d’Acquit{S}: utilisez un code ISO 4217 de trois lettres comme EUR, USD, GBP ou CHF",
        error.0
    )
}

fn tax_fr(error: &TaxError) -> Option<String> {
    let fr = |m: &acquit_core::Money| m.format(Lang::Fr);
    Some(match error {
        TaxError::LineCurrency {
            line,
            found,
            expected,
        } => format!(
            "la ligne {line} est en {found} mais la facture est en {expected}{S}: une seule devise par facture"
        ),
        TaxError::DiscountTooLarge {
            line,
            discount,
            amount,
        } => format!(
            "ligne {line}{S}: la remise ({}) dépasse le montant de la ligne ({})",
            fr(discount),
            fr(amount)
        ),
        TaxError::BadDiscount { line } => {
            format!(
                "ligne {line}{S}: une remise ne peut être ni négative ni supérieure à 100\u{a0}%"
            )
        }
        TaxError::VatUnderFranchise { line, rate } => format!(
            "la ligne {line} a une TVA de {rate}, mais l’entreprise est en franchise de TVA (art. 293 B du CGI){S}: mettez le taux à 0"
        ),
        TaxError::DepositsExceedOrder { deposits, order } => format!(
            "les acomptes ({}) dépassent le total de la commande ({})",
            fr(deposits),
            fr(order)
        ),
        TaxError::CreditAmount { amount, total } => format!(
            "un avoir doit être supérieur à zéro et au plus égal au total de la facture ({}), pas {}",
            fr(total),
            fr(amount)
        ),
        _ => return None,
    })
}

/// The updater's errors as `update::message` says them in English.
fn update_fr(error: &tauri_plugin_updater::Error) -> String {
    use minisign_verify::Error as Sig;
    use tauri_plugin_updater::Error;
    const NOTHING: &str = "Rien n’a été installé et vos comptes sont intacts.";
    match error {
        Error::Minisign(Sig::UnexpectedKeyId) => format!(
            "Cette mise à jour n’est pas signée par l’éditeur d’Acquit{S}: elle a été refusée. {NOTHING} \
             Ne l’installez pas à la main{S}; réessayez plus tard ou téléchargez Acquit sur son site."
        ),
        Error::Minisign(Sig::InvalidSignature) => format!(
            "La mise à jour téléchargée ne correspond pas à sa signature (abîmée ou modifiée en route){S}: \
             elle a été refusée. {NOTHING} Réessayez plus tard."
        ),
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) => format!(
            "La signature de la mise à jour est illisible{S}: elle a été refusée. {NOTHING} Réessayez plus tard."
        ),
        Error::SignedVersionMismatch { signed, announced } => format!(
            "Le serveur annonçait la version {announced}, mais le paquet proposé est signé pour la version \
             {signed}{S}: il a été refusé. {NOTHING} Réessayez plus tard."
        ),
        Error::MissingSignedVersion => format!(
            "La signature de la mise à jour ne dit pas pour quelle version elle vaut{S}: elle a été refusée. \
             {NOTHING} Réessayez plus tard."
        ),
        Error::Reqwest(_) | Error::Network(_) => {
            "Acquit n’a pas pu joindre le serveur de mises à jour. Vérifiez votre connexion et réessayez\u{202f}; \
             Acquit fonctionne entièrement hors ligne en attendant."
                .into()
        }
        Error::ReleaseNotFound | Error::Serialization(_) | Error::Semver(_) => {
            "La réponse du serveur de mises à jour est illisible (pas de description de mise à jour valable). \
             Réessayez plus tard\u{202f}; Acquit fonctionne comme avant en attendant."
                .into()
        }
        Error::TargetNotFound(_) | Error::TargetsNotFound(_) => {
            "La nouvelle version n’est pas encore disponible pour ce système. Réessayez plus tard.".into()
        }
        Error::EmptyEndpoints | Error::InsecureTransportProtocol => {
            "Les mises à jour ne sont pas configurées dans cette version d’Acquit (pas d’adresse sûre). \
             Téléchargez les nouvelles versions sur le site d’Acquit."
                .into()
        }
        Error::AuthenticationFailed => format!(
            "L’installation demande le mot de passe du système, et la demande a été annulée. {NOTHING} \
             Choisissez Installer de nouveau quand vous serez prêt."
        ),
        Error::DebInstallFailed | Error::PackageInstallFailed | Error::InvalidUpdaterFormat => format!(
            "Le système n’a pas pu installer le paquet téléchargé. {NOTHING} Téléchargez la nouvelle \
             version sur le site d’Acquit, ou réessayez plus tard."
        ),
        other => format!(
            "La mise à jour n’a pas pu aboutir ({other}). Acquit garde la version actuelle{S}; vos comptes sont intacts."
        ),
    }
}

/// Errors whose core text names the CLI's options (`--postcode`, `acquit
/// company set`): the app says them with its own screens, in either
/// language. The rules stay the core's; only the words differ.
fn in_app_words(any: &dyn Any, lang: Lang) -> Option<String> {
    if let Some(gap) = any.downcast_ref::<Gap>() {
        return Some(gap_in_app(gap, lang));
    }
    if let Some(e) = any.downcast_ref::<AddressError>() {
        return Some(match lang {
            Lang::Fr => address_fr(e),
            Lang::En => address_en(e),
        });
    }
    if let Some(e) = any.downcast_ref::<ViesError>() {
        return Some(match lang {
            Lang::Fr => vies_fr(e),
            Lang::En => vies_en(e),
        });
    }
    let rejection = match any.downcast_ref::<StoreError>() {
        Some(StoreError::Rejected(r)) => r,
        _ => any.downcast_ref::<Rejection>()?,
    };
    let Rejection::Incomplete { date, gaps } = rejection else {
        return None;
    };
    let gaps: Vec<String> = gaps.iter().map(|g| gap_in_app(g, lang)).collect();
    Some(match lang {
        Lang::Fr => format!(
            "Cette facture ne peut pas être émise le {}{S}: {}",
            date.format("%d/%m/%Y"),
            gaps.join(&format!("{S}; "))
        ),
        Lang::En => format!(
            "This invoice cannot be issued on {}: {}",
            date.format("%-d %b %Y"),
            gaps.join("; ")
        ),
    })
}

/// What an invoice lacks, and where in the app to give it.
fn gap_in_app(gap: &Gap, lang: Lang) -> String {
    let parts = |missing: &[Missing]| {
        missing
            .iter()
            .map(|m| match (m, lang) {
                (Missing::Street, Lang::Fr) => "rue",
                (Missing::Postcode, Lang::Fr) => "code postal",
                (Missing::City, Lang::Fr) => "ville",
                (Missing::Country, Lang::Fr) => "pays",
                (Missing::Street, Lang::En) => "street",
                (Missing::Postcode, Lang::En) => "postcode",
                (Missing::City, Lang::En) => "city",
                (Missing::Country, Lang::En) => "country",
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (gap, lang) {
        (Gap::SellerAddress(m), Lang::Fr) => format!(
            "l’adresse de votre entreprise est incomplète ({}){S}: complétez-la dans Réglages, Votre entreprise",
            parts(m)
        ),
        (Gap::SellerAddress(m), Lang::En) => format!(
            "your company's address is incomplete ({}): complete it in Settings, Your company",
            parts(m)
        ),
        (Gap::SellerSiren, Lang::Fr) => {
            format!("votre SIREN manque{S}: renseignez-le dans Réglages, Votre entreprise")
        }
        (Gap::SellerSiren, Lang::En) => {
            "your SIREN is missing: give it in Settings, Your company".to_owned()
        }
        (Gap::BuyerSiren { client }, Lang::Fr) => format!(
            "le SIREN du client professionnel français {client} manque{S}: renseignez-le sur sa fiche (Clients)"
        ),
        (Gap::BuyerSiren { client }, Lang::En) => format!(
            "the SIREN of the French business client {client} is missing: give it on its card (Clients)"
        ),
        (Gap::BuyerElectronicAddress { client }, Lang::Fr) => format!(
            "{client} n’a ni SIREN ni e-mail où adresser la facture électronique{S}: renseignez son e-mail sur sa fiche (Clients)"
        ),
        (Gap::BuyerElectronicAddress { client }, Lang::En) => format!(
            "{client} has neither a SIREN nor an email to address the e-invoice to: give its email on its card (Clients)"
        ),
        (Gap::BuyerAddress { client, missing }, Lang::Fr) => format!(
            "l’adresse de facturation de {client} est incomplète ({}){S}: complétez-la sur sa fiche (Clients)",
            parts(missing)
        ),
        (Gap::BuyerAddress { client, missing }, Lang::En) => format!(
            "the billing address of {client} is incomplete ({}): complete it on its card (Clients)",
            parts(missing)
        ),
        (Gap::LineNature { line }, Lang::Fr) => format!(
            "la ligne {line} n’indique ni bien ni service{S}: choisissez sa nature, ou donnez votre activité dans Réglages, Votre entreprise"
        ),
        (Gap::LineNature { line }, Lang::En) => format!(
            "line {line} says neither goods nor service: choose its nature, or give your activity in Settings, Your company"
        ),
        (Gap::EurRate { currency }, Lang::Fr) => format!(
            "la facture est en {currency}{S}: donnez dans son en-tête le taux de change de l’euro (taux de référence BCE, combien de {currency} vaut 1\u{a0}€)"
        ),
        (Gap::EurRate { currency }, Lang::En) => format!(
            "the invoice is in {currency}: give the euro exchange rate in its header (the ECB reference rate, how many {currency} one euro buys)"
        ),
    }
}

/// VIES's errors in English, the one naming the CLI said with the app's
/// screen.
fn vies_en(e: &ViesError) -> String {
    match e {
        ViesError::InvalidRequester { requester, message } => format!(
            "VIES refused your own VAT number {requester} as the requester ({message}): check it in Settings, Your company"
        ),
        other => other.to_string(),
    }
}

/// Why VIES did not say whether a number is registered, in French.
fn vies_fr(e: &ViesError) -> String {
    match e {
        ViesError::BadUrl(url) => format!(
            "«\u{a0}{url}\u{a0}» n’est pas une adresse de VIES{S}: donnez sa base, p. ex. {DEFAULT_VIES_URL}, ou retirez {VIES_URL_ENV}"
        ),
        ViesError::InsecureUrl(url) => format!(
            "«\u{a0}{url}\u{a0}» n’est pas en https{S}: Acquit ne joint VIES qu’en https (http seulement sur cette machine)\u{a0}; corrigez ou retirez {VIES_URL_ENV}"
        ),
        ViesError::NotInVies { number } => format!(
            "{number} n’est pas dans VIES, qui a les numéros des États membres de l’UE et de l’Irlande du Nord (XI), pas ceux du Royaume-Uni"
        ),
        ViesError::Unreachable { reason } => {
            format!("VIES est injoignable ({reason}){S}: vérifiez votre connexion à Internet")
        }
        ViesError::MemberStateUnavailable { state } => format!(
            "le registre {state} ne répond pas à VIES pour le moment (les États membres ont des heures de maintenance){S}: réessayez plus tard"
        ),
        ViesError::Timeout { state } => {
            format!("le registre {state} n’a pas répondu à VIES à temps{S}: réessayez plus tard")
        }
        ViesError::MemberStateBusy { state } => format!(
            "VIES reçoit trop de demandes pour le registre {state} en ce moment{S}: réessayez plus tard"
        ),
        ViesError::Busy => {
            format!("VIES reçoit trop de demandes en ce moment{S}: réessayez plus tard")
        }
        ViesError::ServiceUnavailable => {
            format!("VIES est indisponible en ce moment{S}: réessayez plus tard")
        }
        ViesError::InvalidInput { number, message } => format!(
            "VIES refuse {number}, mal formé ({message}){S}: vérifiez le numéro avec le client"
        ),
        ViesError::InvalidRequester { requester, message } => format!(
            "VIES refuse votre propre numéro de TVA {requester} comme demandeur ({message}){S}: vérifiez-le dans Réglages, Votre entreprise"
        ),
        ViesError::VatBlocked { number } => format!(
            "VIES ne répond pas sur {number} (VAT_BLOCKED){S}: vérifiez le numéro avec le client"
        ),
        ViesError::IpBlocked => format!(
            "VIES refuse les demandes venant de ce réseau (IP_BLOCKED){S}: essayez depuis une autre connexion"
        ),
        ViesError::Other { code, message } => format!("VIES a répondu {code}{S}: {message}"),
        ViesError::BadAnswer(why) => format!("la réponse de VIES est illisible ({why})"),
    }
}

fn eur_rate_fr(e: &EurRateError) -> String {
    format!(
        "«\u{a0}{}\u{a0}» n’est pas un taux de change{S}: donnez combien d’unités de la devise de la facture vaut 1\u{a0}€, avec 6 décimales au plus (le taux de référence BCE, p. ex. 1,085 pour l’USD)",
        e.0
    )
}

fn address_en(e: &AddressError) -> String {
    match e {
        AddressError::Country(e) => e.to_string(),
        AddressError::NoStreet => "the address has no street line: give at least one".to_owned(),
        AddressError::FrenchPostcode(code) => {
            format!("the French postcode \"{code}\" is not five digits: write it as 75011")
        }
        AddressError::NotAFrenchAddress(text) => format!(
            "\"{text}\" does not end with a French postcode and city: give the street, postcode, city and country"
        ),
    }
}

fn country_fr(e: &UnknownCountry) -> String {
    format!(
        "«\u{a0}{}\u{a0}» n’est pas un code pays ISO 3166-1{S}: deux lettres, par exemple FR, BE, DE, GB, US, CH",
        e.0
    )
}

fn address_fr(e: &AddressError) -> String {
    match e {
        AddressError::Country(e) => country_fr(e),
        AddressError::NoStreet => {
            format!("L’adresse n’a pas de ligne de rue{S}: renseignez-en au moins une")
        }
        AddressError::FrenchPostcode(code) => {
            format!(
                "Le code postal «\u{a0}{code}\u{a0}» n’a pas cinq chiffres{S}: écrivez-le comme 75011"
            )
        }
        AddressError::NotAFrenchAddress(text) => format!(
            "«\u{a0}{text}\u{a0}» ne se termine pas par un code postal et une ville{S}: renseignez rue, code postal, ville et pays"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acquit_core::{Currency, Money, Quantity, VatRate};

    #[test]
    fn store_refusals_read_in_french_and_stay_english_otherwise() {
        let locked = StoreError::Rejected(Rejection::Locked("F-2026-0001".into()));
        assert_eq!(
            localize_in(&locked, Lang::Fr),
            "La facture F-2026-0001 est émise et verrouillée\u{202f}: pour la corriger, émettez un avoir"
        );
        assert_eq!(localize_in(&locked, Lang::En), locked.to_string());
        let chronology = Rejection::Chronology {
            number: "F-2026-0007".into(),
            last: "2026-11-20".into(),
            date: "2026-11-02".into(),
        };
        let fr = localize_in(&chronology, Lang::Fr);
        assert!(fr.contains("les numéros suivent les dates"), "{fr}");
        // Free text from the store has no French yet: its English stays.
        let invalid =
            StoreError::Rejected(Rejection::Invalid("the line has no description".into()));
        assert_eq!(
            localize_in(&invalid, Lang::Fr),
            "the line has no description"
        );
    }

    #[test]
    fn bad_amounts_quantities_and_rates_read_in_french() {
        let amount = Money::parse_localized("12,345", Currency::EUR, Lang::Fr).unwrap_err();
        assert_eq!(
            localize_in(&amount, Lang::Fr),
            "«\u{a0}12,345\u{a0}» a trop de décimales\u{202f}: les montants en EUR en ont 2"
        );
        let amount = Money::parse_localized("douze", Currency::EUR, Lang::Fr).unwrap_err();
        assert!(
            localize_in(&amount, Lang::Fr).starts_with("«\u{a0}douze\u{a0}» n’est pas un montant"),
            "{}",
            localize_in(&amount, Lang::Fr)
        );
        let quantity = Quantity::parse("-2").unwrap_err();
        assert!(localize_in(&quantity, Lang::Fr).contains("émettez un avoir"));
        let rate = VatRate::parse("120").unwrap_err();
        assert!(localize_in(&rate, Lang::Fr).contains("entre 0 et 100"));
        let currency = Currency::from_code("EUX").unwrap_err();
        assert!(localize_in(&currency, Lang::Fr).contains("n’est pas une devise"));
    }

    #[test]
    fn threshold_refusals_read_in_french() {
        use acquit_core::declaration::ThresholdError as T;
        assert_eq!(
            localize_in(&T::NoSource, Lang::Fr),
            "Indiquez d’où vient ce chiffre\u{202f}: le texte de loi et son année, ou «\u{a0}mon comptable\u{a0}»"
        );
        let above = T::HigherNotAbove {
            higher: "30000.00".into(),
            limit: "37500.00".into(),
        };
        assert_eq!(
            localize_in(&above, Lang::Fr),
            "Le seuil majoré (30000.00) doit dépasser le seuil (37500.00)"
        );
        // Through the store's refusal too, and English stays English.
        let refused = StoreError::Rejected(Rejection::Threshold(T::HigherOnMicro));
        assert!(localize_in(&refused, Lang::Fr).starts_with("Le régime micro a un seul plafond"));
        assert_eq!(
            localize_in(&refused, Lang::En),
            "the micro regime has one ceiling per scope: give no higher threshold"
        );
    }

    #[test]
    fn update_errors_read_in_french() {
        let error = tauri_plugin_updater::Error::Minisign(minisign_verify::Error::UnexpectedKeyId);
        let fr = localize_in(&error, Lang::Fr);
        assert!(
            fr.contains("n’est pas signée par l’éditeur d’Acquit"),
            "{fr}"
        );
        assert!(fr.contains("Rien n’a été installé"), "{fr}");
    }

    #[test]
    fn what_an_invoice_lacks_is_said_with_the_apps_screens() {
        let gaps = vec![
            Gap::SellerAddress(vec![Missing::Postcode, Missing::City]),
            Gap::SellerSiren,
            Gap::BuyerSiren {
                client: "Atelier Sud".into(),
            },
            Gap::BuyerAddress {
                client: "Atelier Sud".into(),
                missing: vec![Missing::Street],
            },
            Gap::BuyerElectronicAddress {
                client: "Atelier Sud".into(),
            },
            Gap::LineNature { line: 2 },
            Gap::EurRate {
                currency: acquit_core::Currency::from_code("USD").unwrap(),
            },
        ];
        for gap in &gaps {
            for lang in [Lang::Fr, Lang::En] {
                let text = localize_in(gap, lang);
                assert!(
                    !text.contains("--") && !text.contains("acquit "),
                    "names the CLI: {text}"
                );
            }
        }
        assert_eq!(
            localize_in(&gaps[0], Lang::Fr),
            "l’adresse de votre entreprise est incomplète (code postal, ville)\u{202f}: complétez-la dans Réglages, Votre entreprise"
        );
        let refused = StoreError::Rejected(Rejection::Incomplete {
            date: chrono::NaiveDate::from_ymd_opt(2027, 9, 1).unwrap(),
            gaps: gaps[5..].to_vec(),
        });
        let fr = localize_in(&refused, Lang::Fr);
        assert!(
            fr.starts_with(
                "Cette facture ne peut pas être émise le 01/09/2027\u{202f}: la ligne 2"
            ),
            "{fr}"
        );
        assert!(fr.contains("combien de USD vaut 1\u{a0}€"), "{fr}");
        let en = localize_in(&refused, Lang::En);
        assert!(
            en.starts_with("This invoice cannot be issued on 1 Sep 2027: line 2"),
            "{en}"
        );
    }

    #[test]
    fn addresses_and_rates_are_refused_without_the_clis_options() {
        let postcode = AddressError::FrenchPostcode("7501".into());
        assert_eq!(
            localize_in(&postcode, Lang::En),
            "the French postcode \"7501\" is not five digits: write it as 75011"
        );
        assert!(localize_in(&postcode, Lang::Fr).contains("«\u{a0}7501\u{a0}»"));
        let rate = acquit_core::EurRate::parse("abc").unwrap_err();
        assert!(localize_in(&rate, Lang::Fr).contains("taux de change"));
    }

    #[test]
    fn vies_errors_read_in_french_and_name_the_apps_screens() {
        let down = ViesError::MemberStateUnavailable { state: "ES".into() };
        assert_eq!(
            localize_in(&down, Lang::Fr),
            "le registre ES ne répond pas à VIES pour le moment (les États membres ont des heures de maintenance)\u{202f}: réessayez plus tard"
        );
        assert_eq!(localize_in(&down, Lang::En), down.to_string());
        let offline = ViesError::Unreachable {
            reason: "Connection refused".into(),
        };
        assert!(localize_in(&offline, Lang::Fr).contains("(Connection refused)"));
        let requester = ViesError::InvalidRequester {
            requester: "FR44732829320".into(),
            message: String::new(),
        };
        for lang in [Lang::Fr, Lang::En] {
            let text = localize_in(&requester, lang);
            assert!(!text.contains("acquit "), "names the CLI: {text}");
        }
        assert!(localize_in(&requester, Lang::Fr).contains("Réglages, Votre entreprise"));
    }

    #[test]
    fn anything_else_keeps_its_text() {
        assert_eq!(localize_in(&"plain words", Lang::Fr), "plain words");
    }
}
