//! The `detente` binary: everything happens in [`detente::cli`].

fn main() -> std::process::ExitCode {
    detente::cli::main()
}
