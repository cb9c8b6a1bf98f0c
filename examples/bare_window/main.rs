//! A bare Tauri 2 window (no commands, no plugins, a one-line page): the
//! baseline that `examples/idle_memory.rs` compares Acquit's idle memory
//! with. A bench tool, never bundled (examples are not in the packages).

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!(
            "examples/bare_window/tauri.conf.json"
        ))
        .expect("the bare window runs");
}
