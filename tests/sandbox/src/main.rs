//! `inlay-sandbox`: see `cli::USAGE`. Runs until killed (SIGTERM/SIGINT end it at once;
//! it keeps no state worth flushing). Closing stdin does not stop it.

use std::process::ExitCode;

use inlay_sandbox::cli::{self, Parsed};

fn main() -> ExitCode {
    let config = match cli::parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(config)) => config,
        Ok(Parsed::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("inlay-sandbox: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    // One thread is plenty for a test sandbox and keeps request recording strictly ordered.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("inlay-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(inlay_sandbox::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("inlay-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
