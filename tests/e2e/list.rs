//! The invoice list on large books: virtualized (only the rows in view are
//! in the DOM), paged from the store as it scrolls, driven by keyboard.
//!
//! `ACQUIT_E2E_LARGE_DB=/path/to/acquit.db` runs the same test on a copy of
//! that file instead of generating one (e.g. 100,000 invoices from `acquit
//! demo --invoices 100000`): the timings it prints are the figures for it.

use std::time::{Duration, Instant};

use chrono::Datelike;
use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{App, plain};

/// Older invoices generated on top of the demo (about 12 s in a debug build).
const HISTORY: usize = 10_000;

/// Evaluates `script` (which may `return`) in the window.
async fn eval(app: &App, script: &str) -> serde_json::Value {
    app.client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("running {script}: {e}"))
}

async fn press(app: &App, key: Key) {
    app.client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(&key.to_string())
        .await
        .expect("pressing a key");
}

/// Rows of the list in the DOM now (loaded or still loading).
async fn rows_in_dom(app: &App) -> u64 {
    eval(
        app,
        "return document.querySelectorAll('[data-testid=invoice-table] tbody tr.row').length",
    )
    .await
    .as_u64()
    .expect("a count")
}

/// Waits until the focused row's number is `number`; returns its aria-rowindex.
async fn wait_focused(app: &App, number: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let focused = eval(
            app,
            "const b = document.activeElement;
             return [b?.textContent?.trim() ?? '', b?.closest('tr')?.getAttribute('aria-rowindex') ?? '0'];",
        )
        .await;
        if focused[0] == number {
            return focused[1].as_str().unwrap().parse().unwrap();
        }
        if Instant::now() > deadline {
            panic!("the focus never reached {number}; it is on {focused}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_list_opens_with_its_total_jumps_to_the_end_and_searches() {
    let today = acquit_store::today();
    let large = std::env::var_os("ACQUIT_E2E_LARGE_DB");
    let mut prepared = Instant::now();
    let app = App::launch_with(|db| {
        match &large {
            Some(path) => {
                std::fs::copy(path, db).expect("copying ACQUIT_E2E_LARGE_DB");
            }
            None => {
                let started = Instant::now();
                let mut store = acquit_store::Store::open(db).expect("creating the database");
                store.fill_demo_with(today, HISTORY).expect("demo data");
                eprintln!(
                    "{HISTORY} invoices generated in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        prepared = Instant::now();
    })
    .await;
    // The first rows, and when they showed (from the app's start, and from
    // the page's own navigation start).
    app.wait_texts("[data-testid=invoice-row]", |rows| !rows.is_empty())
        .await;
    let first_rows = prepared.elapsed();
    let in_page = eval(&app, "return performance.now()").await;
    // Read by the test only now: its own open of the file (the integrity
    // check) must not delay the app's first rows it measures.
    let (total, oldest) = {
        let store = acquit_store::Store::open(app.db()).expect("reading the database");
        let all = acquit_store::ListQuery {
            limit: 0,
            ..Default::default()
        };
        let total = store.count_page(&all).unwrap();
        let oldest = store
            .list_page(&acquit_store::ListQuery {
                offset: total - 1,
                limit: 1,
                ..Default::default()
            })
            .unwrap()
            .remove(0)
            .number
            .expect("the oldest is issued");
        (total, oldest)
    };
    if large.is_none() {
        assert_eq!(total, HISTORY + 9, "the demo's 9 documents and the history");
        let first_year = (today - chrono::Days::new(440)).year();
        assert_eq!(oldest, format!("F-{first_year}-0001"));
    }
    eprintln!(
        "{total} documents: first rows {:.0} ms after the app was started (WebDriver session included), \
         page at {:.0} ms since its navigation start",
        first_rows.as_secs_f64() * 1000.0,
        in_page.as_f64().unwrap_or_default()
    );
    app.choose("[data-testid=language]", "fr").await;

    // The total from the store's count, formatted in French.
    let expected = {
        let digits = total.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        format!("{grouped} documents")
    };
    app.wait_texts("[data-testid=invoice-count]", |t| {
        t.first().is_some_and(|t| plain(t) == expected)
    })
    .await;
    assert_eq!(
        eval(
            &app,
            "return document.querySelector('[data-testid=invoice-table]').getAttribute('aria-rowcount')"
        )
        .await,
        json!((total + 1).to_string()),
        "a screen reader hears the whole list's size"
    );
    let in_dom = rows_in_dom(&app).await;
    assert!(
        (1..100).contains(&in_dom),
        "{in_dom} rows in the DOM for {total}"
    );
    app.screenshot("invoice-list-large-fr").await;

    // End: the last (oldest) invoice, focused and in view, deep pages
    // fetched on demand; the DOM stays small.
    eval(
        &app,
        "document.querySelector('[data-testid=open-invoice]').focus()",
    )
    .await;
    let started = Instant::now();
    press(&app, Key::End).await;
    let index = wait_focused(&app, &oldest).await;
    eprintln!(
        "End to the oldest of {total}: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(index, total as u64 + 1, "the last row of the table");
    let in_dom = rows_in_dom(&app).await;
    assert!(in_dom < 100, "{in_dom} rows in the DOM at the end");
    let scrolled = eval(
        &app,
        "return document.querySelector('[data-testid=invoice-scroller]').scrollTop",
    )
    .await;
    assert!(scrolled.as_f64().unwrap() > 0.0, "the list scrolled");
    app.screenshot("invoice-list-large-end-fr").await;

    // PageUp moves a screenful, Up one row, Home back to the newest.
    press(&app, Key::PageUp).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let up = eval(
        &app,
        "return Number(document.activeElement.closest('tr').getAttribute('aria-rowindex'))",
    )
    .await
    .as_u64()
    .unwrap();
    assert!(
        up < index - 3 && up > index - 60,
        "PageUp went from row {index} to {up}"
    );
    press(&app, Key::Home).await;
    let newest = app.texts("[data-testid=open-invoice]").await;
    assert_eq!(wait_focused(&app, &newest[0]).await, 2, "the first row");

    // A search finds one invoice among them all.
    let wanted = {
        let store = acquit_store::Store::open(app.db()).unwrap();
        store
            .list_page(&acquit_store::ListQuery {
                offset: total / 2,
                limit: 1,
                ..Default::default()
            })
            .unwrap()
            .remove(0)
            .number
            .unwrap()
    };
    let started = Instant::now();
    app.fill("[data-testid=invoice-search]", &wanted).await;
    let found = app
        .wait_texts("[data-testid=open-invoice]", |rows| rows.len() == 1)
        .await;
    eprintln!(
        "search for {wanted}: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(found, [wanted]);
    app.wait_texts("[data-testid=invoice-count]", |t| {
        t.first().is_some_and(|t| t == "1 document")
    })
    .await;
    app.close().await;
}
