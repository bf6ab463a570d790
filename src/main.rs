//! `flowsim`: see `flowsim --help`.

fn main() -> std::process::ExitCode {
    flowsim::cli::main()
}
