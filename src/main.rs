//! The `lull` binary: see `lull --help`.
fn main() -> std::process::ExitCode {
    lull::cli::main()
}
