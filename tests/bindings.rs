//! `ui/src/bindings.ts` is generated from the app's commands and types; this
//! test fails when the committed file is out of date, so the front end never
//! calls a command the Rust side does not have (or with the wrong types).
//!
//! To regenerate: `ACQUIT_UPDATE_BINDINGS=1 cargo test --test bindings`.

use std::path::Path;

const BINDINGS: &str = "ui/src/bindings.ts";

#[test]
fn typescript_bindings_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed_path = root.join(BINDINGS);
    let fresh_path =
        std::env::temp_dir().join(format!("acquit-bindings-{}.ts", std::process::id()));
    acquit_app::specta_builder()
        .export(specta_typescript::Typescript::default(), &fresh_path)
        .expect("exporting the TypeScript bindings");
    let fresh = std::fs::read_to_string(&fresh_path).expect("reading the exported bindings");
    std::fs::remove_file(&fresh_path).ok();

    if std::env::var_os("ACQUIT_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &fresh).expect("writing ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{BINDINGS} is out of date with the Rust commands.\n\
         Regenerate it with `ACQUIT_UPDATE_BINDINGS=1 cargo test --test bindings` and commit it."
    );
}
