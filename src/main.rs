//! The `tilsyn` binary: parses the command line and runs it (see `tilsyn::cli`).

/// mimalloc instead of the system allocator: loading and polars allocate
/// many small strings on every core, where glibc's malloc spent about 40%
/// of the time of a national load contending for its arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tilsyn::cli::main()
}
