//! Writes `seed-demo.db` (the demo books: clients, invoices, payments, a
//! credit note, their journal) into the folder given with
//! `Store::backup`, the online backup `acquit backup` makes. (The other
//! seeds of `backup_restore` are the older-schema databases of
//! crates/store/tests/fixtures, copied.)

use std::path::PathBuf;

use acquit_store::Store;

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: make_backup_seed <folder>"),
    );
    std::fs::create_dir_all(&out).unwrap();
    let scratch = std::env::temp_dir().join(format!("acquit-backup-seed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);

    let mut demo = Store::open(scratch.join("demo.db")).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    demo.fill_demo(today).unwrap();
    write(&demo, &out.join("seed-demo.db"));

    std::fs::remove_dir_all(&scratch).unwrap();
}

fn write(store: &Store, dest: &std::path::Path) {
    let _ = std::fs::remove_file(dest);
    store.backup(dest).unwrap();
    let report = store.verify_journal().unwrap();
    acquit_store::check_backup(dest).unwrap();
    // Checking a WAL-mode file leaves its -wal and -shm: not seeds.
    for sidecar in ["-wal", "-shm"] {
        let mut name = dest.as_os_str().to_owned();
        name.push(sidecar);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    println!(
        "{}: {} bytes, {} journal entries",
        dest.display(),
        std::fs::metadata(dest).unwrap().len(),
        report.entries
    );
}
