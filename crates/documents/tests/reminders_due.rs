//! The home screen's reminders: how many are due, the first few made in
//! full, the same as the whole list's first ones.

use acquit_core::Lang;
use acquit_documents::reminders;
use acquit_testkit::books::{issue_invoice, with_seller};
use chrono::NaiveDate;

#[test]
fn the_first_reminders_are_the_list_s_first_and_all_are_counted() {
    let (_dir, mut store) = with_seller();
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    for (i, on) in ["2026-08-03", "2026-08-10", "2026-08-17", "2026-08-24"]
        .iter()
        .enumerate()
    {
        let n = issue_invoice(
            &mut store,
            &format!("Client {i}"),
            Lang::Fr,
            10_000,
            day(on),
        );
        assert!(store.invoice(&n).unwrap().due_date.is_some(), "{n}");
    }
    let today = day("2026-12-01");
    let all = reminders::due(&store, today).unwrap();
    assert_eq!(all.len(), 4);
    let (first, total) = reminders::due_first(&store, today, 2).unwrap();
    assert_eq!(total, 4);
    let numbers =
        |r: &[reminders::Reminder]| r.iter().map(|r| r.number.clone()).collect::<Vec<_>>();
    assert_eq!(numbers(&first), numbers(&all[..2]));
    assert_eq!(first[0].charges, all[0].charges);
    let (none, total) = reminders::due_first(&store, day("2026-08-03"), 2).unwrap();
    assert_eq!((none.len(), total), (0, 0));
}
