//! The books are private at rest (issue 19): the database, its WAL and SHM
//! files, backups and their folders are the user's alone.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use acquit_core::Seller;
use acquit_store::Store;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn new_books_their_wal_and_backups_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("acquit").join("acquit.db");
    let mut store = Store::open(&db).unwrap();
    store
        .set_seller(&Seller::new("Atelier Durand", "Paris"))
        .unwrap();
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    assert_eq!(mode(db.parent().unwrap().parent().unwrap()), 0o700);
    assert_eq!(mode(&db), 0o600);
    let wal = db.with_extension("db-wal");
    let shm = db.with_extension("db-shm");
    assert!(wal.exists() && shm.exists());
    assert_eq!((mode(&wal), mode(&shm)), (0o600, 0o600));

    let backups = dir.path().join("backups");
    let backup = store.backup_rotated(&backups).unwrap();
    assert_eq!((mode(&backups), mode(&backup)), (0o700, 0o600));
}

#[test]
fn books_made_readable_by_others_are_closed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acquit.db");
    drop(Store::open(&db).unwrap());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&db).unwrap());
    assert_eq!(mode(&db), 0o600);
}
