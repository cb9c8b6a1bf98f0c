//! The schedules typed by the user and what they compute: the reminder
//! schedule (`reminders::Schedule::parse`), a recurring period
//! (`recurring::Every::parse`), the dates of a recurring rule, and the
//! late-payment penalties (`reminders::LateTerms::charges`) on arbitrary
//! amounts, rates, payments and days.
//!
//! Invariants: a schedule read back from its own text is the same, its
//! steps sorted, distinct, within range; a period prints back to itself; a
//! rule's dates never go back and never precede its start, each within the
//! calendar; penalties are never negative, never decrease as days pass,
//! and are zero on the due date; the indemnity is 40 € for a business
//! only.
#![no_main]

use acquit_core::recurring::{End, Every, Rule};
use acquit_core::reminders::{LateTerms, RECOVERY_INDEMNITY, Schedule};
use acquit_core::{Currency, Money};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fn u32_at(data: &[u8], i: usize) -> u32 {
    let mut b = [0u8; 4];
    for (k, slot) in b.iter_mut().enumerate() {
        *slot = data.get(i + k).copied().unwrap_or(0);
    }
    u32::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(schedule) = Schedule::parse(text) {
            let offsets = schedule.offsets();
            assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
            assert!(offsets.iter().all(|d| Schedule::RANGE.contains(d)));
            assert_eq!(Schedule::parse(&schedule.to_string()).as_ref(), Ok(&schedule));
        }
        if let Ok(every) = Every::parse(text) {
            assert_eq!(Every::parse(&every.to_string()), Ok(every));
        }
    }
    if data.len() < 24 {
        return;
    }
    // A rule: a start between 1900 and 2200, a period, a day.
    let start = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()
        + chrono::Days::new(u64::from(u32_at(data, 0) % 110_000));
    let every = match Every::parse(&format!(
        "{}{}",
        1 + u32_at(data, 4) % 36,
        if data[8] % 2 == 0 { "m" } else { "w" }
    )) {
        Ok(every) => every,
        Err(_) => return,
    };
    let day = (data[9] % 3 == 0).then_some(1 + u32::from(data[10]) % 31);
    if let Ok(rule) = Rule::new(every, day, start, End::Never) {
        let mut last = start;
        for k in 0..24 {
            let Some(date) = rule.date_of(k) else { break };
            assert!(date >= start && date >= last, "{rule:?} period {k}: {date}");
            last = date;
        }
    }
    // Penalties on what is owed.
    let total = Money::new(i64::from(u32_at(data, 12)), Currency::EUR);
    let due = start;
    let paid_on = due + chrono::Days::new(u64::from(data[16]));
    // Up to the total (u64: a total of u32::MAX has room for its + 1).
    let paid = Money::new(
        (u64::from(u32_at(data, 17)) % (total.minor() as u64 + 1)) as i64,
        Currency::EUR,
    );
    let terms = LateTerms {
        due_date: due,
        total,
        settled: vec![(paid_on, paid)],
        rate_bp: u32_at(data, 20) % 100_000,
        business: data[21] % 2 == 0,
    };
    let on_time = terms.charges(due).unwrap();
    assert!(on_time.penalties.is_zero() && on_time.indemnity.is_none());
    let mut before = Money::zero(Currency::EUR);
    for days in [1u64, 7, 30, 365] {
        let c = terms.charges(due + chrono::Days::new(days)).unwrap();
        assert!(!c.penalties.is_negative(), "{c:?}");
        assert!(c.penalties.minor() >= before.minor(), "{c:?} after {before:?}");
        before = c.penalties;
        if let Some(indemnity) = c.indemnity {
            assert!(terms.business && indemnity == RECOVERY_INDEMNITY);
        }
    }
});
