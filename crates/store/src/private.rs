//! The books hold client data, payments and the keys of shared invoice
//! pages: every file and folder Acquit creates for them (the database and,
//! through SQLite, its `-wal`/`-shm`, backups, exports) is private to the
//! user on Unix: folders 0700, files 0600. SQLite creates the `-wal` and
//! `-shm` files with the permissions of the database file, so creating the
//! database file first, privately, is enough for those.
//!
//! The mode is given at creation (no window in which the file is readable
//! by others); the process umask can only narrow it further.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Files: read and write for the owner only.
pub const FILE_MODE: u32 = 0o600;
/// Folders: the owner only.
pub const DIR_MODE: u32 = 0o700;

/// Creates (or truncates) `path` for writing, private.
pub fn create_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    options.open(path)
}

/// Creates `path` empty and private unless it exists; true if it was made.
pub fn touch_new(path: &Path) -> io::Result<bool> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    match options.open(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Creates the folder `path` (its parent must exist), private.
pub fn create_dir(path: &Path) -> io::Result<()> {
    builder(false).create(path)
}

/// Creates `path` and any missing parent, each private; existing folders
/// are left as they are.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    builder(true).create(path)
}

fn builder(recursive: bool) -> DirBuilder {
    let mut builder = DirBuilder::new();
    builder.recursive(recursive);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder
}

/// Takes the group's and others' access away from an existing file of the
/// books (made by an older version, or copied in). Best effort: a file on a
/// read-only or foreign file system keeps its mode.
pub fn restrict(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
