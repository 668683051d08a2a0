//! The `tilsyn` binary: parses the command line and runs it (see `tilsyn::cli`).

fn main() -> std::process::ExitCode {
    tilsyn::cli::main()
}
