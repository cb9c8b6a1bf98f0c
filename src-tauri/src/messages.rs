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
use acquit_core::ids::{
    BicError, EmailError, IbanError, PhoneError, SirenError, SiretError, VatNumberError,
};
use acquit_core::invoice::EurRateError;
use acquit_core::quantity::{QuantityError, RateError};
use acquit_core::tax::TaxError;
use acquit_core::{AddressError, AmountError, Lang, UnknownCountry, UnknownCurrency};
use acquit_documents::mail::{SMTP_PASSWORD_ENV, SendMailError};
use acquit_mail::MailError;
use acquit_store::{Rejection, StoreError};
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

/// [`localize`] by value, for `map_err(localized)` at a command's edge.
pub fn localized<E: Display + 'static>(error: E) -> String {
    localize(&error)
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
    } else if let Some(e) = any.downcast_ref::<acquit_documents::DocumentError>() {
        document_fr(e)
    } else if let Some(e) = any.downcast_ref::<acquit_sync::config::ConfigError>() {
        config_fr(e)
    } else if let Some(e) = any.downcast_ref::<acquit_sync::reconcile::ReconcileError>() {
        match e {
            acquit_sync::reconcile::ReconcileError::Store(e) => store_fr(e),
            // Stripe's own words (its message names the request).
            acquit_sync::reconcile::ReconcileError::Stripe(_) => None,
        }
    } else if let Some(e) = any.downcast_ref::<acquit_documents::einvoice::EInvoiceError>() {
        einvoice_fr(e)
    } else if let Some(e) = any.downcast_ref::<BicError>() {
        Some(bic_fr(e))
    } else if let Some(e) = any.downcast_ref::<IbanError>() {
        iban_fr(e)
    } else if let Some(e) = any.downcast_ref::<SirenError>() {
        Some(siren_fr(e))
    } else if let Some(e) = any.downcast_ref::<SiretError>() {
        Some(siret_fr(e))
    } else if let Some(e) = any.downcast_ref::<VatNumberError>() {
        vat_number_fr(e)
    } else if let Some(e) = any.downcast_ref::<PhoneError>() {
        Some(phone_fr(e))
    } else if let Some(e) = any.downcast_ref::<EmailError>() {
        Some(email_fr(e))
    } else {
        any.downcast_ref::<tauri_plugin_updater::Error>()
            .map(update_fr)
    };
    french.unwrap_or_else(|| error.to_string())
}

/// French typography: a narrow no-break space before `:` and `;`.
const S: char = '\u{202f}';

/// The online configuration's errors, with what to do in the app (the
/// English says the CLI's commands).
fn config_fr(error: &acquit_sync::config::ConfigError) -> Option<String> {
    use acquit_secrets::STRIPE_KEY_ENV;
    use acquit_sync::config::ConfigError as C;
    Some(match error {
        C::Store(e) => return store_fr(e),
        C::Keychain(e) => keychain_fr(e),
        C::Unreadable(_) => format!(
            "La connexion Stripe enregistrée est illisible{S}: reconnectez Stripe dans Réglages"
        ),
        C::NotConnected => format!(
            "Acquit n’est pas connecté à Stripe{S}: collez votre clé secrète (sk_…) dans Réglages › Stripe"
        ),
        C::BadEnvKey(why) => format!("{STRIPE_KEY_ENV} est réglée, mais {why}"),
        C::BadKey(_) => return None,
        C::KeyMissing { account_name, .. } => format!(
            "La clé Stripe de {account_name} n’est plus dans le trousseau{S}: reconnectez Stripe dans Réglages"
        ),
        C::KeychainNotAKey => format!(
            "Le trousseau contient autre chose qu’une clé Stripe pour Acquit{S}: reconnectez Stripe dans Réglages"
        ),
        C::BadApiBase(_) => return None,
        C::RelayTokenMissing { inbox, .. } => format!(
            "Le jeton de la boîte {inbox} du relais n’est plus dans le trousseau{S}: enregistrez à nouveau le relais dans Réglages"
        ),
        C::Relay(_) | C::Stripe(_) => return None,
    })
}

/// E-invoicing's errors, with what to do in the app (the English says the
/// CLI's commands). The platform's own refusal (`Refused`), an answer
/// typed wrong and the rest keep their English: they quote what the
/// platform said.
fn einvoice_fr(error: &acquit_documents::einvoice::EInvoiceError) -> Option<String> {
    use acquit_documents::einvoice::EInvoiceError as E;
    use acquit_documents::einvoice::PaError as P;
    Some(match error {
        E::NotConnected => format!(
            "Acquit n’est relié à aucune plateforme agréée{S}: connectez-la dans Réglages › Plateforme agréée"
        ),
        E::SecretMissing { client_id, .. } => format!(
            "Le secret client de {client_id} n’est plus dans le trousseau{S}: connectez à nouveau la plateforme dans Réglages"
        ),
        E::Unreadable(_) => format!(
            "La connexion à la plateforme enregistrée est illisible{S}: connectez à nouveau la plateforme dans Réglages"
        ),
        E::Consumer { number, client } => format!(
            "{number} est adressée à {client}, un particulier{S}: une vente à un particulier ne passe pas par les plateformes, elle est e-reportée (totaux par jour et par taux de TVA)"
        ),
        E::International { number, client } => format!(
            "{number} est adressée à {client}, une entreprise hors de France (ou sans TVA française){S}: elle ne passe pas par les plateformes, elle est e-reportée facture par facture"
        ),
        E::NoSiren { number, client } => format!(
            "{number} a été émise sans le SIREN de {client}, auquel les factures électroniques sont adressées{S}: ajoutez le SIREN au client, puis émettez un avoir et une nouvelle facture"
        ),
        E::NotFacturX { number } => format!(
            "{number} a été émise en PDF simple, pas en Factur-X (ses données de facture électronique étaient incomplètes){S}: complétez les profils, puis émettez un avoir et une nouvelle facture"
        ),
        E::NotInDirectory { siren, client } => format!(
            "L’annuaire ne connaît pas le SIREN {siren} ({client}){S}: vérifiez le SIREN du client, ou demandez-lui quelle plateforme reçoit ses factures"
        ),
        E::NoPlatform { siren, client } => format!(
            "{client} (SIREN {siren}) n’a pas encore de plateforme pour recevoir ses factures{S}: envoyez le PDF autrement en attendant, et la facture électronique dès qu’il en aura une"
        ),
        E::Pa(P::BadUrl { url, .. }) => format!(
            "L’adresse de la plateforme {url} ne convient pas{S}: collez l’adresse de son API (https://…)"
        ),
        E::Pa(P::Unreachable { url, .. }) => format!(
            "La plateforme ({url}) ne répond pas{S}: vérifiez la connexion, puis réessayez (rien n’a été enregistré comme envoyé)"
        ),
        E::Pa(P::Credentials { .. }) => format!(
            "La plateforme a refusé les identifiants{S}: vérifiez l’identifiant et le secret client qu’elle vous a donnés"
        ),
        E::Pa(P::Forbidden { code, .. }) => format!(
            "La plateforme n’autorise pas ce compte (403 {code}){S}: demandez-lui d’ouvrir l’API de facturation électronique à cet identifiant client"
        ),
        E::Pa(P::Unavailable { status, attempts }) => format!(
            "La plateforme est indisponible ({status}) après {attempts} essais{S}: réessayez plus tard (rien n’a été enregistré comme envoyé)"
        ),
        E::Store(e) => return store_fr(e),
        E::Keychain(e) => keychain_fr(e),
        E::Document(e) => return document_fr(e),
        E::Pa(P::Refused { .. } | P::Malformed { .. }) | E::Answer(_) => return None,
    })
}

/// The keychain's errors (the English names the Linux commands to run;
/// those stay as they are, the sentence around them in French).
fn keychain_fr(error: &acquit_secrets::KeychainError) -> String {
    use acquit_secrets::KeychainError as K;
    match error {
        K::NoSessionBus => format!(
            "Le trousseau est injoignable{S}: pas de bus de session D-Bus. Lancez Acquit depuis votre session de bureau"
        ),
        K::NoSecretService => format!(
            "Aucun trousseau ne répond sur le bus de session{S}: installez et démarrez GNOME Keyring (Debian/Ubuntu{S}: `sudo apt install gnome-keyring`), ou activez le Secret Service de KeePassXC ou de KWallet"
        ),
        K::Locked => format!(
            "Le trousseau est verrouillé, ou n’a pas encore de trousseau par défaut{S}: déverrouillez-le (ouvrez «\u{a0}Mots de passe et clés\u{a0}» et déverrouillez «\u{a0}Connexion\u{a0}»), puis réessayez"
        ),
        K::Other(why) => format!("Le trousseau a échoué{S}: {why}"),
    }
}

fn document_fr(error: &acquit_documents::DocumentError) -> Option<String> {
    use acquit_documents::DocumentError as E;
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
        StoreError::SchemaChanged { path, .. } => format!(
            "{} a été modifié en dehors d’Acquit{S}: ses verrous sur les factures émises et les paiements ne sont plus sûrs. Restaurez votre dernière sauvegarde",
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
        Rejection::TransferWithoutIban => format!(
            "Cette facture propose le paiement par virement, mais votre entreprise n’a pas d’IBAN{S}: renseignez-le dans les réglages, ou choisissez d’autres moyens de paiement"
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

fn bic_fr(e: &BicError) -> String {
    match e {
        BicError::Empty => format!("Le BIC est vide{S}: copiez-le depuis le RIB"),
        BicError::InvalidCharacter { character } => format!(
            "Le BIC contient «\u{a0}{character}\u{a0}»{S}: un BIC n’a que des lettres et des chiffres"
        ),
        BicError::WrongLength { actual } => {
            format!("Un BIC a 8 ou 11 caractères (comme BNPAFRPP ou BNPAFRPPXXX), pas {actual}")
        }
        BicError::InvalidBankCode { bank_code } => format!(
            "Un BIC commence par quatre lettres qui désignent la banque, pas «\u{a0}{bank_code}\u{a0}»"
        ),
        BicError::InvalidCountryCode { country } => format!(
            "Les caractères 5 et 6 d’un BIC sont les lettres du pays (FR pour la France), pas «\u{a0}{country}\u{a0}»"
        ),
        BicError::UnknownCountry { country } => format!(
            "Les caractères 5 et 6 d’un BIC sont le code d’un pays, et «\u{a0}{country}\u{a0}» n’en est pas un{S}: recopiez-le"
        ),
    }
}

/// `None` for a character class the core names in words this module does
/// not know: its English stays.
fn iban_fr(e: &IbanError) -> Option<String> {
    Some(match e {
        IbanError::Empty => format!("L’IBAN est vide{S}: copiez-le depuis le RIB"),
        IbanError::InvalidCharacter { character } => format!(
            "L’IBAN contient «\u{a0}{character}\u{a0}»{S}: un IBAN n’a que des lettres et des chiffres"
        ),
        IbanError::MissingCountryCode { prefix } => format!(
            "Un IBAN commence par les deux lettres de son pays (comme FR), pas «\u{a0}{prefix}\u{a0}»"
        ),
        IbanError::UnknownCountry { country } => format!(
            "«\u{a0}{country}\u{a0}» n’est pas un pays qui émet des IBAN{S}: vérifiez les deux premières lettres"
        ),
        IbanError::WrongLength {
            country,
            expected,
            actual,
        } => format!(
            "Un IBAN commençant par {country} a {expected} caractères, pas {actual}{S}: recopiez-le"
        ),
        IbanError::InvalidCheckDigits { check_digits } => format!(
            "Les deux caractères après les lettres du pays sont des chiffres de contrôle, pas «\u{a0}{check_digits}\u{a0}»"
        ),
        IbanError::ChecksumMismatch { formatted } => format!(
            "L’IBAN {formatted} ne passe pas le contrôle de validité{S}: cherchez un chiffre mal saisi"
        ),
        IbanError::InvalidBban {
            country,
            position,
            expected,
            found,
        } => {
            let expected = match expected.as_str() {
                "a digit" => "un chiffre",
                "a letter" => "une lettre",
                "a letter or digit" => "une lettre ou un chiffre",
                _ => return None,
            };
            format!(
                "Dans un IBAN commençant par {country}, le {position}e caractère est {expected}, pas «\u{a0}{found}\u{a0}»{S}: cherchez une lettre tapée pour un chiffre (O pour 0, I pour 1) ou l’inverse"
            )
        }
        IbanError::NationalChecksumMismatch { formatted } => format!(
            "Les chiffres de contrôle nationaux du numéro de compte de l’IBAN {formatted} sont faux{S}: recopiez-le depuis le RIB"
        ),
    })
}

fn siren_fr(e: &SirenError) -> String {
    match e {
        SirenError::Empty => {
            format!("Le SIREN est vide{S}: c’est le numéro à 9 chiffres d’une entreprise française")
        }
        SirenError::InvalidCharacter { character } => {
            format!("Le SIREN contient «\u{a0}{character}\u{a0}»{S}: un SIREN n’a que des chiffres")
        }
        SirenError::LooksLikeSiret { siren } => format!(
            "C’est un SIRET (14 chiffres){S}; le SIREN est formé de ses 9 premiers chiffres{S}: {siren}"
        ),
        SirenError::WrongLength { actual } => format!("Un SIREN a 9 chiffres, pas {actual}"),
        SirenError::ChecksumMismatch { formatted } => format!(
            "Le SIREN {formatted} ne passe pas le contrôle de validité{S}: cherchez un chiffre mal saisi"
        ),
    }
}

fn siret_fr(e: &SiretError) -> String {
    match e {
        SiretError::Empty => format!(
            "Le SIRET est vide{S}: c’est le numéro à 14 chiffres d’un établissement français"
        ),
        SiretError::InvalidCharacter { character } => {
            format!("Le SIRET contient «\u{a0}{character}\u{a0}»{S}: un SIRET n’a que des chiffres")
        }
        SiretError::LooksLikeSiren => format!(
            "C’est un SIREN (9 chiffres){S}; un SIRET y ajoute les 5 chiffres du numéro d’établissement (NIC){S}: tapez les 14 chiffres, ou donnez les 9 comme SIREN"
        ),
        SiretError::WrongLength { actual } => format!("Un SIRET a 14 chiffres, pas {actual}"),
        SiretError::InvalidSiren { siren } => format!(
            "Le SIREN {siren} de ce SIRET ne passe pas le contrôle de validité{S}: vérifiez ses 9 premiers chiffres"
        ),
        SiretError::ChecksumMismatch { formatted } => format!(
            "Le SIRET {formatted} ne passe pas le contrôle de validité{S}: cherchez un chiffre mal saisi"
        ),
    }
}

/// `None` for a country, format or part the core names in words this
/// module does not know: its English stays.
fn vat_number_fr(e: &VatNumberError) -> Option<String> {
    use VatNumberError as V;
    Some(match e {
        V::Empty => "Le numéro de TVA est vide".into(),
        V::InvalidCharacter { character } => format!(
            "Le numéro de TVA contient «\u{a0}{character}\u{a0}»{S}: il n’a que des lettres et des chiffres"
        ),
        V::MissingCountryPrefix { prefix } => format!(
            "Un numéro de TVA commence par les lettres de son pays (FR pour la France), pas «\u{a0}{prefix}\u{a0}»"
        ),
        V::GreekPrefix => "Les numéros de TVA grecs commencent par EL, pas GR".into(),
        V::UnknownCountryPrefix { prefix } => format!(
            "«\u{a0}{prefix}\u{a0}» n’est pas un préfixe de TVA de l’UE{S}: vérifiez les deux premières lettres"
        ),
        V::OneStopShopNumber { number } => format!(
            "{number} est un numéro du guichet unique (OSS), avec lequel un vendeur hors UE déclare ses ventes dans l’UE{S}: demandez au client son numéro de TVA"
        ),
        V::FrenchWrongLength { actual } => format!(
            "Un numéro de TVA français a 13 caractères (FR, la clé, le SIREN à 9 chiffres), pas {actual}"
        ),
        V::FrenchInvalidKey { key } => format!(
            "La clé après FR est faite de 2 chiffres ou lettres (sauf I et O), pas «\u{a0}{key}\u{a0}»"
        ),
        V::FrenchInvalidSiren { siren } => format!(
            "Un numéro de TVA français se termine par le SIREN, et {siren} n’est pas un SIREN valable"
        ),
        V::FrenchKeyMismatch {
            key,
            siren,
            expected,
        } => format!(
            "La clé {key} ne correspond pas au SIREN {siren}, qui donne {expected}{S}: vérifiez les deux"
        ),
        V::WrongFormat {
            prefix,
            country,
            format,
            body,
        } => format!(
            "Après {prefix}, un numéro de TVA {} a {}, pas «\u{a0}{body}\u{a0}»",
            vat_country_fr(country)?,
            vat_format_fr(format)?
        ),
        V::InvalidPart {
            number,
            country,
            part,
        } => format!(
            "Le numéro de TVA {} {number} {}{S}: vérifiez-le avec le client",
            vat_country_fr(country)?,
            vat_part_fr(part)?
        ),
        V::ChecksumMismatch { number, country } => format!(
            "Le numéro de TVA {} {number} ne passe pas le contrôle de validité{S}: cherchez un caractère mal saisi",
            vat_country_fr(country)?
        ),
    })
}

/// The core's country names of VAT numbers, as the French adjective that
/// follows « numéro de TVA ».
fn vat_country_fr(country: &str) -> Option<&'static str> {
    Some(match country {
        "Austria" => "autrichien",
        "Belgium" => "belge",
        "Bulgaria" => "bulgare",
        "Cyprus" => "chypriote",
        "Czechia" => "tchèque",
        "Germany" => "allemand",
        "Denmark" => "danois",
        "Estonia" => "estonien",
        "Greece" => "grec",
        "Spain" => "espagnol",
        "Finland" => "finlandais",
        "Croatia" => "croate",
        "Hungary" => "hongrois",
        "Ireland" => "irlandais",
        "Italy" => "italien",
        "Lithuania" => "lituanien",
        "Luxembourg" => "luxembourgeois",
        "Latvia" => "letton",
        "Malta" => "maltais",
        "the Netherlands" => "néerlandais",
        "Poland" => "polonais",
        "Portugal" => "portugais",
        "Romania" => "roumain",
        "Sweden" => "suédois",
        "Slovenia" => "slovène",
        "Slovakia" => "slovaque",
        "Northern Ireland" => "nord-irlandais",
        "the United Kingdom" => "britannique",
        _ => return None,
    })
}

/// The core's words for what follows a state's VAT prefix.
fn vat_format_fr(format: &str) -> Option<&'static str> {
    Some(match format {
        "U and 8 digits" => "U et 8 chiffres",
        "10 digits starting with 0 or 1" => "10 chiffres commençant par 0 ou 1",
        "9 digits, or 10 for a person" => "9 chiffres, ou 10 pour une personne",
        "8 digits and a letter" => "8 chiffres et une lettre",
        "8, 9 or 10 digits" => "8, 9 ou 10 chiffres",
        "8 digits" => "8 chiffres",
        "8 digits, the first not 0" => "8 chiffres, le premier autre que 0",
        "9 digits" => "9 chiffres",
        "9 digits, the first not 0" => "9 chiffres, le premier autre que 0",
        "9 characters, digits but the first or last" => {
            "9 caractères, des chiffres sauf le premier ou le dernier"
        }
        "7 digits and 1 or 2 letters" => "7 chiffres et 1 ou 2 lettres",
        "9 or 12 digits" => "9 ou 12 chiffres",
        "9 digits, B and 2 digits" => "9 chiffres, B et 2 chiffres",
        "10 digits" => "10 chiffres",
        "11 digits" => "11 chiffres",
        "2 to 10 digits, or 13 for a person" => "2 à 10 chiffres, ou 13 pour une personne",
        "12 digits ending in 01" => "12 chiffres finissant par 01",
        "9 or 12 digits, or GD or HA and 3 digits" => "9 ou 12 chiffres, ou GD ou HA et 3 chiffres",
        _ => return None,
    })
}

/// The core's words for a part of a VAT number that cannot be, as what
/// the number does in French.
fn vat_part_fr(part: &str) -> Option<&'static str> {
    Some(match part {
        "a first digit other than 0 or 1" => "commence par un autre chiffre que 0 ou 1",
        "12 as first digits, which Cyprus does not issue" => {
            "commence par 12, que Chypre n’attribue pas"
        }
        "a 9 as first of 8 digits, which Czechia does not issue" => {
            "a 8 chiffres commençant par 9, que la Tchéquie n’attribue pas"
        }
        "9 digits, which birth numbers have only before 1954" => {
            "a 9 chiffres, ce qu’un numéro de naissance n’a qu’avant 1954"
        }
        "no valid date of birth in its first 6 digits" => {
            "n’a pas de date de naissance valable dans ses 6 premiers chiffres"
        }
        "no valid date of birth in its first 7 digits" => {
            "n’a pas de date de naissance valable dans ses 7 premiers chiffres"
        }
        "no valid date of birth in digits 2 to 7" => {
            "n’a pas de date de naissance valable dans ses chiffres 2 à 7"
        }
        "no tax office code in digits 8 to 10" => {
            "n’a pas de code de bureau des impôts dans ses chiffres 8 à 10"
        }
        "no Romanian county code in digits 8 and 9" => {
            "n’a pas de code de département roumain dans ses chiffres 8 et 9"
        }
        "a second to last digit other than 1" => "a un avant-dernier chiffre autre que 1",
        "a number outside its range (GD below 500, HA from 500)" => {
            "a un numéro hors de sa plage (GD en dessous de 500, HA à partir de 500)"
        }
        _ => return None,
    })
}

fn phone_fr(e: &PhoneError) -> String {
    match e {
        PhoneError::Empty => "Le numéro de téléphone est vide".into(),
        PhoneError::InvalidCharacter { character } => format!(
            "Le numéro de téléphone contient «\u{a0}{character}\u{a0}»{S}: utilisez des chiffres, et + devant l’indicatif du pays"
        ),
        PhoneError::MissingCountryCode => {
            format!("Ce numéro n’a pas d’indicatif de pays{S}: écrivez-le comme +33 6 12 34 56 78")
        }
        PhoneError::CountryCodeStartsWithZero => format!(
            "Un indicatif de pays ne commence jamais par 0{S}: écrivez +33 6 12 34 56 78, pas +06 12 34 56 78"
        ),
        PhoneError::WrongLength { digits } => {
            format!("Un numéro international a de 8 à 15 chiffres après le +, pas {digits}")
        }
        PhoneError::FrenchTrunkZero => {
            format!("Retirez le 0 après +33{S}: écrivez +33 6 12 34 56 78, pas +33 06 12 34 56 78")
        }
        PhoneError::FrenchWrongLength { digits } => format!(
            "Un numéro français a 9 chiffres après +33 (10 avec le 0 du début), pas {digits}"
        ),
        PhoneError::UnsupportedDefaultCountry { country } => format!(
            "Pas d’indicatif automatique pour «\u{a0}{country}\u{a0}»{S}: tapez le numéro avec + et son indicatif"
        ),
    }
}

fn email_fr(e: &EmailError) -> String {
    match e {
        EmailError::Empty => "L’adresse e-mail est vide".into(),
        EmailError::ContainsWhitespace => "Une adresse e-mail ne peut pas contenir d’espace".into(),
        EmailError::InvalidCharacter { character: ',' } => format!(
            "Une adresse e-mail ne peut pas contenir «\u{a0},\u{a0}»{S}: une virgule à la place d’un point{S}?"
        ),
        EmailError::InvalidCharacter { character } => format!(
            "Une adresse e-mail ne peut pas contenir «\u{a0}{character}\u{a0}»{S}: copiez l’adresse à nouveau, telle que le client l’a écrite"
        ),
        EmailError::MissingAt => {
            "Une adresse e-mail a besoin d’un @, comme dans nom@exemple.fr".into()
        }
        EmailError::MultipleAt { count } => {
            format!("Une adresse e-mail a un seul @, celle-ci en a {count}")
        }
        EmailError::EmptyLocalPart => {
            format!("Rien ne précède le @{S}: une adresse e-mail s’écrit comme nom@exemple.fr")
        }
        EmailError::LocalPartTooLong { length } => {
            format!("La partie avant le @ a {length} caractères{S}; la limite est de 64")
        }
        EmailError::ConsecutiveDots => {
            "Une adresse e-mail ne peut pas contenir deux points de suite".into()
        }
        EmailError::DotAtEdge => {
            "Un point ne peut ni commencer ni finir la partie avant ou après le @".into()
        }
        EmailError::InvalidDomain { domain } => format!(
            "«\u{a0}{domain}\u{a0}» n’est pas un domaine d’adresse e-mail{S}: des mots de lettres, de chiffres et de tirets reliés par des points, comme dans exemple.fr"
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
    fn the_reconciliation_says_the_stores_refusals_and_the_connection_in_french() {
        use acquit_sync::config::ConfigError;
        use acquit_sync::reconcile::ReconcileError;
        let locked = StoreError::Rejected(Rejection::Locked("F-2026-0001".into()));
        let expected = localize_in(&locked, Lang::Fr);
        assert_ne!(expected, locked.to_string());
        assert_eq!(
            localize_in(&ReconcileError::Store(locked), Lang::Fr),
            expected
        );
        let fr = localize_in(&ConfigError::NotConnected, Lang::Fr);
        assert_ne!(fr, ConfigError::NotConnected.to_string());
        assert!(!fr.contains("acquit stripe connect"), "{fr}");
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

    /// `error` in French, checked to be translated: not its English text,
    /// and none of the English words its messages start with.
    fn in_french<E: Display + 'static>(error: &E) -> String {
        let fr = localize_in(error, Lang::Fr);
        assert_ne!(fr, error.to_string(), "left in English");
        for english in [
            "The ",
            "This ",
            "A ",
            "An ",
            "After ",
            "Characters ",
            "Drop ",
        ] {
            assert!(!fr.starts_with(english), "English: {fr}");
        }
        assert!(!fr.contains(" the "), "English: {fr}");
        assert!(!fr.contains(" : "), "a plain space before a colon: {fr}");
        fr
    }

    /// Says errors of one type in French with [`in_french`], and counts
    /// the variants said, so a test can show it reaches every one.
    struct Variants(std::collections::BTreeSet<String>);

    impl Variants {
        fn new() -> Self {
            Self(std::collections::BTreeSet::new())
        }

        fn say<E: Display + std::fmt::Debug + 'static>(&mut self, error: &E) -> String {
            let debug = format!("{error:?}");
            let name = debug.split(|c: char| !c.is_alphanumeric()).next();
            self.0.insert(name.unwrap_or_default().to_owned());
            in_french(error)
        }
    }

    #[test]
    fn bad_bics_read_in_french() {
        use acquit_core::ids::Bic;
        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&Bic::parse(input).unwrap_err());
        assert_eq!(
            fr("BNPA"),
            "Un BIC a 8 ou 11 caractères (comme BNPAFRPP ou BNPAFRPPXXX), pas 4"
        );
        assert_eq!(fr(" "), "Le BIC est vide\u{202f}: copiez-le depuis le RIB");
        assert!(fr("BNPA_FRPP").contains("«\u{a0}_\u{a0}»"));
        assert!(fr("BNP1FRPP").ends_with("pas «\u{a0}BNP1\u{a0}»"));
        assert!(fr("BNPA12PP").contains("FR pour la France"));
        assert!(fr("MULTIPLE").ends_with("n’en est pas un\u{202f}: recopiez-le"));
        assert_eq!(v.0.len(), 6, "{:?}", v.0);
    }

    #[test]
    fn bad_ibans_read_in_french() {
        use acquit_core::ids::Iban;
        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&Iban::parse(input).unwrap_err());
        assert_eq!(
            fr("FR76 3000 6000 0112 3456 7890 188"),
            "L’IBAN FR76 3000 6000 0112 3456 7890 188 ne passe pas le contrôle de validité\u{202f}: cherchez un chiffre mal saisi"
        );
        assert!(
            fr("FR76 3000 6000 0112 3456 7890 18")
                .starts_with("Un IBAN commençant par FR a 27 caractères, pas 26")
        );
        // A letter O for a 0 in the bank code, with check digits that hold.
        assert!(fr("FR97 3OOO 6000 0112 3456 7890 189").starts_with(
            "Dans un IBAN commençant par FR, le 6e caractère est un chiffre, pas «\u{a0}O\u{a0}»"
        ));
        // Belgium's account number has its own check digits.
        assert!(fr("BE41 5390 0754 7035").contains("chiffres de contrôle nationaux"));
        assert!(fr("").starts_with("L’IBAN est vide"));
        assert!(fr("FR76 3000 6000 0112 3456 7890 18#").contains("«\u{a0}#\u{a0}»"));
        assert!(fr("1234").ends_with("pas «\u{a0}12\u{a0}»"));
        assert!(fr("ZZ12").starts_with("«\u{a0}ZZ\u{a0}» n’est pas un pays"));
        assert!(fr("FRAB30006000011234567890189").contains("chiffres de contrôle"));
        assert_eq!(v.0.len(), 9, "{:?}", v.0);
    }

    #[test]
    fn bad_sirens_and_sirets_read_in_french() {
        use acquit_core::ids::{Siren, Siret};
        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&Siren::parse(input).unwrap_err());
        assert_eq!(
            fr("123456789"),
            "Le SIREN 123 456 789 ne passe pas le contrôle de validité\u{202f}: cherchez un chiffre mal saisi"
        );
        assert_eq!(
            fr("73282932000074"),
            "C’est un SIRET (14 chiffres)\u{202f}; le SIREN est formé de ses 9 premiers chiffres\u{202f}: 732 829 320"
        );
        assert!(fr("").starts_with("Le SIREN est vide"));
        assert!(fr("73282932O").contains("«\u{a0}O\u{a0}»"));
        assert_eq!(fr("73282932"), "Un SIREN a 9 chiffres, pas 8");
        assert_eq!(v.0.len(), 5, "{:?}", v.0);

        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&Siret::parse(input).unwrap_err());
        assert!(
            fr("552100554").starts_with("C’est un SIREN (9 chiffres)\u{202f}; un SIRET y ajoute")
        );
        assert!(fr("123 456 789 00012").starts_with("Le SIREN 123 456 789 de ce SIRET"));
        assert!(fr("732 829 320 00075").starts_with("Le SIRET 732 829 320 00075 ne passe pas"));
        assert!(fr("").starts_with("Le SIRET est vide"));
        assert!(fr("7328293200007A").contains("«\u{a0}A\u{a0}»"));
        assert_eq!(fr("7328293200007"), "Un SIRET a 14 chiffres, pas 13");
        assert_eq!(v.0.len(), 6, "{:?}", v.0);
    }

    #[test]
    fn bad_vat_numbers_read_in_french() {
        use acquit_core::ids::VatNumber;
        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&VatNumber::parse(input).unwrap_err());
        assert_eq!(
            fr("FR00552100554"),
            "La clé 00 ne correspond pas au SIREN 552 100 554, qui donne 96\u{202f}: vérifiez les deux"
        );
        assert_eq!(
            fr("DE1"),
            "Après DE, un numéro de TVA allemand a 9 chiffres, le premier autre que 0, pas «\u{a0}1\u{a0}»"
        );
        assert!(
            fr("NL123456789B01")
                .starts_with("Le numéro de TVA néerlandais NL123456789B01 ne passe pas")
        );
        assert!(fr("IT 00687129980").starts_with("Le numéro de TVA italien IT00687129980 n’a pas"));
        assert_eq!(fr(""), "Le numéro de TVA est vide");
        assert!(fr("DE12345678_").contains("«\u{a0}_\u{a0}»"));
        assert!(fr("12345678901").ends_with("pas «\u{a0}12\u{a0}»"));
        assert_eq!(
            fr("GR123456789"),
            "Les numéros de TVA grecs commencent par EL, pas GR"
        );
        assert!(fr("US123456789").starts_with("«\u{a0}US\u{a0}» n’est pas un préfixe"));
        assert!(fr("EU372022452").contains("demandez au client son numéro de TVA"));
        assert!(fr("FR4473282932").ends_with("pas 12"));
        assert!(fr("FRIO732829320").contains("(sauf I et O)"));
        assert!(fr("FR44732829321").ends_with("732829321 n’est pas un SIREN valable"));
        assert_eq!(v.0.len(), 13, "{:?}", v.0);
    }

    /// Every state's country and format, and every impossible part, are
    /// said in French: none falls back to English.
    #[test]
    fn every_vat_rule_reads_in_french() {
        use acquit_core::ids::VatNumber;
        let mut formats = 0;
        for a in 'A'..='Z' {
            for b in 'A'..='Z' {
                let error = VatNumber::parse(&format!("{a}{b}1")).unwrap_err();
                if matches!(error, VatNumberError::WrongFormat { .. }) {
                    assert!(in_french(&error).starts_with("Après "));
                    formats += 1;
                }
            }
        }
        assert_eq!(formats, 28, "every state but France, and the UK");
        for (number, part) in [
            ("BE2000000000", "commence par un autre chiffre que 0 ou 1"),
            ("CY12345678X", "commence par 12"),
            ("CZ91234567", "commençant par 9"),
            ("CZ550101123", "avant 1954"),
            ("CZ7113192745", "dans ses 6 premiers chiffres"),
            ("IT12345670001", "bureau des impôts"),
            ("LT123456789", "avant-dernier chiffre"),
            ("LV16137519997", "dans ses 7 premiers chiffres"),
            ("RO1631315123457", "dans ses chiffres 2 à 7"),
            ("RO1630615993457", "département roumain"),
            ("GBGD600", "hors de sa plage"),
        ] {
            let error = VatNumber::parse(number).unwrap_err();
            assert!(
                matches!(error, VatNumberError::InvalidPart { .. }),
                "{number}: {error:?}"
            );
            let fr = in_french(&error);
            assert!(fr.contains(part), "{fr}");
            assert!(fr.ends_with("vérifiez-le avec le client"), "{fr}");
        }
    }

    #[test]
    fn bad_phone_numbers_read_in_french() {
        use acquit_core::ids::PhoneE164;
        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&PhoneE164::parse(input).unwrap_err());
        assert_eq!(
            fr("+33 06 12 34 56 78"),
            "Retirez le 0 après +33\u{202f}: écrivez +33 6 12 34 56 78, pas +33 06 12 34 56 78"
        );
        assert!(fr("06 12 34 56 78").starts_with("Ce numéro n’a pas d’indicatif de pays\u{202f}:"));
        assert_eq!(fr(""), "Le numéro de téléphone est vide");
        assert!(fr("+33 6 12 34 56 7x").contains("«\u{a0}X\u{a0}»"));
        assert!(fr("+06 12 34 56 78").starts_with("Un indicatif de pays ne commence jamais par 0"));
        assert!(fr("+1234567").ends_with("pas 7"));
        assert!(fr("+33 6 12 34 56 7").starts_with("Un numéro français a 9 chiffres"));
        let country = PhoneE164::parse_with_default_country("06 12 34 56 78", "US").unwrap_err();
        assert!(v.say(&country).contains("«\u{a0}US\u{a0}»"));
        assert_eq!(v.0.len(), 8, "{:?}", v.0);
    }

    #[test]
    fn bad_emails_read_in_french() {
        use acquit_core::ids::Email;
        let mut v = Variants::new();
        let mut fr = |input: &str| v.say(&Email::parse(input).unwrap_err());
        assert_eq!(
            fr("a@b"),
            "«\u{a0}b\u{a0}» n’est pas un domaine d’adresse e-mail\u{202f}: des mots de lettres, de chiffres et de tirets reliés par des points, comme dans exemple.fr"
        );
        // Only a comma is taken for a dot; another character is not.
        assert!(fr("nom<x>@exemple.fr").ends_with("telle que le client l’a écrite"));
        assert_eq!(
            fr("nom.exemple.fr"),
            "Une adresse e-mail a besoin d’un @, comme dans nom@exemple.fr"
        );
        assert_eq!(fr(" "), "L’adresse e-mail est vide");
        assert!(fr("nom @exemple.fr").contains("d’espace"));
        assert!(fr("nom@exemple,fr").ends_with("une virgule à la place d’un point\u{202f}?"));
        assert!(fr("a@b@exemple.fr").ends_with("celle-ci en a 2"));
        assert!(fr("@exemple.fr").starts_with("Rien ne précède le @"));
        assert!(fr(&format!("{}@exemple.fr", "a".repeat(65))).contains("a 65 caractères"));
        assert!(fr("nom..x@exemple.fr").contains("deux points de suite"));
        assert!(fr(".nom@exemple.fr").starts_with("Un point ne peut ni commencer ni finir"));
        assert_eq!(v.0.len(), 10, "{:?}", v.0);
    }

    #[test]
    fn the_online_configuration_says_what_to_do_in_the_app() {
        use acquit_sync::config::ConfigError as C;
        let cases = [
            C::NotConnected,
            C::KeyMissing {
                account_name: "Atelier".into(),
                account_id: "acct_1".into(),
            },
            C::KeychainNotAKey,
            C::Unreadable("bad JSON".into()),
            C::RelayTokenMissing {
                url: "https://relay.example".into(),
                inbox: "in_1".into(),
            },
            C::Keychain(acquit_secrets::KeychainError::Locked),
        ];
        for error in cases {
            let french = localize_in(&error, Lang::Fr);
            assert_ne!(french, error.to_string());
            // The app's own words, not the CLI's commands.
            assert!(!french.contains("acquit "), "{french}");
            assert!(
                french.contains("Réglages") || french.contains("déverrouillez"),
                "{french}"
            );
        }
    }

    #[test]
    fn e_invoicing_says_what_to_do_in_the_app() {
        use acquit_documents::einvoice::{EInvoiceError as E, PaError as P};
        let cases = [
            E::NotConnected,
            E::SecretMissing {
                url: "https://pa.example".into(),
                client_id: "acquit".into(),
            },
            E::NoSiren {
                number: "F-2027-0001".into(),
                client: "Atelier".into(),
            },
            E::Pa(P::Credentials {
                detail: "invalid_client".into(),
            }),
            E::Pa(P::Unavailable {
                status: 503,
                attempts: 3,
            }),
        ];
        for error in cases {
            let french = localize_in(&error, Lang::Fr);
            assert_ne!(french, error.to_string());
            assert!(!french.contains("acquit pa"), "{french}");
            assert!(!french.contains(" the "), "{french}");
        }
        // What the platform itself said stays as it said it.
        let refused = E::Pa(P::Refused {
            what: "the flow".into(),
            status: 422,
            code: "INVALID".into(),
            message: "BR-FR-01".into(),
        });
        assert_eq!(localize_in(&refused, Lang::Fr), refused.to_string());
    }

    #[test]
    fn anything_else_keeps_its_text() {
        assert_eq!(localize_in(&"plain words", Lang::Fr), "plain words");
    }
}
