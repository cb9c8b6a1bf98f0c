//! `acquit`: the command line over the same core and database as the app.
//! Everything lives in the library (`src/lib.rs`); see there for exit codes.

fn main() -> std::process::ExitCode {
    acquit_cli::run(std::env::args_os())
}
