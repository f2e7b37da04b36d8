//! The `timeoutlint` binary: command line in, exit code out.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(timeoutlint::cli::main(std::env::args_os()))
}
