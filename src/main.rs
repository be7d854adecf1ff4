//! The `cyberdiff` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cyberdiff::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cyberdiff::cli::run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // File names can hold escape sequences and line feeds: shown as U+FFFD, never sent to
            // the terminal, so an error is one line whatever the names in it.
            let chain: Vec<String> = e
                .chain()
                .map(|c| cyberdiff::report::printable_line(&c.to_string()).into_owned())
                .collect();
            eprintln!("cyberdiff: error: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

/// A closed standard output (`cyberdiff compare a b | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
