//! Restoring a backup: `acquit_store::check_backup(path)` and
//! `Store::restore_from(path)` on a file whose bytes are the input (a
//! backup file a user picks: copied, synced, damaged or edited by another
//! program). The destination is a fresh database (a copy of a template
//! made once per process, with a marker setting), in a folder of its own
//! under `std::env::temp_dir()` named with the process id
//! (`TMPDIR=/dev/shm` keeps it in memory).
//!
//! Invariants:
//! - never a panic or a hang;
//! - a file `check_backup` refuses is refused by `restore_from`, and no
//!   safety copy is written;
//! - refused or not, the destination then opens with `Store::open` and,
//!   its journal verifying, passes `check_backup` itself (a complete
//!   Acquit database): never half-restored;
//! - refused: the destination is untouched (its marker, its journal's
//!   entries and verification as before);
//! - restored: the destination holds the backup (the backup's marker,
//!   journal entries and journal verification, as `Store::open` reads them
//!   from a copy of it: a schema-1 backup keeps the journal gap the store
//!   documents), and the safety copy returned holds the destination as it
//!   was;
//! - the backup file itself is never changed.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use acquit_store::{Store, check_backup};
use libfuzzer_sys::fuzz_target;

const MARKER: &str = "fuzz.marker";

struct Dirs {
    template: PathBuf,
    /// What the template holds, read once.
    before: Contents,
    work: PathBuf,
}

fn dirs() -> &'static Dirs {
    static DIRS: OnceLock<Dirs> = OnceLock::new();
    DIRS.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("acquit-fuzz-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let template = root.join("template.db");
        let mut store = Store::open(&template).unwrap();
        store.set_setting(MARKER, "destination").unwrap();
        drop(store);
        // Closed: its WAL is checkpointed into the file.
        let before = contents(&template);
        assert_eq!(before, (Some("destination".to_owned()), 0, None));
        Dirs {
            template,
            before,
            work: root.join("work"),
        }
    })
}

/// Marker, journal entries and the journal's first problem of the database
/// at `path`, opened as the app opens it.
type Contents = (Option<String>, u64, Option<String>);

fn contents(path: &Path) -> Contents {
    let store =
        Store::open(path).unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()));
    let report = store.verify_journal().unwrap();
    (
        store.setting(MARKER).unwrap(),
        report.entries,
        report.problem.map(|p| p.to_string()),
    )
}

fn safety_copies(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("before-restore"))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let dirs = dirs();
    let work = &dirs.work;
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).unwrap();
    let backup = work.join("backup.db");
    std::fs::write(&backup, data).unwrap();
    let dest = work.join("acquit.db");
    std::fs::copy(&dirs.template, &dest).unwrap();

    let before = &dirs.before;
    let checked = check_backup(&backup);
    let mut store = Store::open(&dest).unwrap();
    let restored = store.restore_from(&backup);
    drop(store);
    assert_eq!(
        std::fs::read(&backup).unwrap(),
        data,
        "the backup file was changed"
    );
    if checked.is_err() {
        assert!(
            restored.is_err(),
            "restored a backup check_backup refused: {checked:?}"
        );
        assert!(safety_copies(work).is_empty());
    }

    // Whatever happened, a complete database.
    let after = contents(&dest);
    match &restored {
        Err(_) => assert_eq!(&after, before, "a refused restore changed the destination"),
        Ok(safety) => {
            assert_eq!(&contents(safety), before, "the safety copy");
            // What the backup holds, read from a copy (Store::open may
            // migrate it). A schema-1 backup keeps the store's known gap:
            // documents issued before the journal existed are flagged by
            // it (crates/store/tests/migrations.rs), here as there.
            let copy = work.join("expected.db");
            std::fs::copy(&backup, &copy).unwrap();
            assert_eq!(after, contents(&copy), "the restored destination");
        }
    }
    if after.2.is_none()
        && let Err(e) = check_backup(&dest)
    {
        panic!("after {restored:?}, the destination is not a complete database: {e}");
    }
});
