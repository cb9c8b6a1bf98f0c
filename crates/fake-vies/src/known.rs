//! The numbers the fake knows. Each is well formed with its state's check
//! digits, so that a client which checks them offline first sends it.

/// What the member state says about one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Registered and active. `None`: the state does not disclose it, and
    /// VIES says `---` (Germany never gives the name or address).
    Registered {
        name: Option<&'static str>,
        address: Option<&'static str>,
    },
    /// The state's side fails with this VIES error code.
    Error(&'static str),
}

/// One known number: VIES's country code, the number without it, the answer.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub country: &'static str,
    pub number: &'static str,
    pub answer: Answer,
}

const fn registered(
    country: &'static str,
    number: &'static str,
    name: Option<&'static str>,
    address: Option<&'static str>,
) -> Known {
    Known {
        country,
        number,
        answer: Answer::Registered { name, address },
    }
}

const fn failing(country: &'static str, number: &'static str, code: &'static str) -> Known {
    Known {
        country,
        number,
        answer: Answer::Error(code),
    }
}

/// The table. Other numbers of an available state are not registered.
pub const KNOWN: &[Known] = &[
    registered("DE", "136695976", None, None),
    registered(
        "BE",
        "0403019261",
        Some("ATELIER DU PARC SRL"),
        Some("Rue Royale 1\n1000 Bruxelles"),
    ),
    registered(
        "IT",
        "00743110157",
        Some("STUDIO ROSSI SRL"),
        Some("VIA ROMA 1 \n20121 MILANO MI\n"),
    ),
    registered(
        "EL",
        "094259216",
        Some("ΕΡΓΑΣΤΗΡΙ ΑΕ"),
        Some("ΕΡΜΟΥ 1 10563 ΑΘΗΝΑ"),
    ),
    registered(
        "XI",
        "980780684",
        Some("BELFAST WORKS LTD"),
        Some("1 High Street\nBelfast BT1 2AA"),
    ),
    // Your own number as a requester, Acquit's demo company.
    registered("FR", "44732829320", Some("SAS ACQUIT DEMO"), None),
    // The Dutch and Polish registers are busy or slow today.
    failing("NL", "004495445B01", "MS_MAX_CONCURRENT_REQ"),
    failing("PL", "8567346215", "TIMEOUT"),
];

/// VIES's country codes: the member states (Greece is `EL`) and Northern
/// Ireland (`XI`).
pub const MEMBER_STATES: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// The answer for `country` and `number`, `None` for an unknown number.
pub fn lookup(country: &str, number: &str) -> Option<Answer> {
    KNOWN
        .iter()
        .find(|k| k.country == country && k.number == number)
        .map(|k| k.answer)
}
