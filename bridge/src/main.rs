//! `inlay-bridge`: started by the browser (caller origin / add-on id as
//! arguments) it serves native-messaging requests over stdio; run by hand it
//! installs or removes the host manifests.

use inlay_bridge::{install, protocol};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: inlay-bridge install   [--browser chrome|chromium|firefox|all] [--user-data-dir DIR]
       inlay-bridge uninstall [--browser chrome|chromium|firefox|all] [--user-data-dir DIR]
       inlay-bridge --version
Browsers start it themselves with the caller's origin (Chrome) or manifest
path and add-on id (Firefox); it then speaks native messaging on stdio.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some(cmd @ ("install" | "uninstall")) => match setup(cmd == "install", &args[1..]) {
            Ok(lines) => {
                lines.iter().for_each(|l| println!("{l}"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("inlay-bridge {cmd}: {e}\n{USAGE}");
                ExitCode::from(64)
            }
        },
        Some("--version" | "-V") => {
            println!("inlay-bridge {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => match protocol::check_caller(&args) {
            Ok(_) => {
                let code = inlay_bridge::serve(
                    &mut std::io::stdin().lock(),
                    &mut std::io::stdout().lock(),
                );
                ExitCode::from(code as u8)
            }
            Err(e) => {
                eprintln!("inlay-bridge: {e}");
                ExitCode::from(77)
            }
        },
    }
}

fn setup(install: bool, args: &[String]) -> Result<Vec<String>, String> {
    let opts = install::parse_args(args)?;
    let os = install::Os::current();
    // Browsers need an absolute path; resolve symlinks so it survives their
    // changes (not on Windows, where canonicalize adds a `\\?\` prefix).
    let exe = std::env::current_exe()
        .and_then(|p| {
            if cfg!(windows) {
                Ok(p)
            } else {
                p.canonicalize()
            }
        })
        .map_err(|e| format!("cannot locate this executable: {e}"))?;
    let home = match std::env::var_os("HOME").map(PathBuf::from) {
        Some(h) if h.is_absolute() => h,
        _ if os == install::Os::Windows || opts.user_data_dir.is_some() => PathBuf::new(),
        _ => return Err("HOME is not set to an absolute path".into()),
    };
    let mut opts = opts;
    if let Some(dir) = opts.user_data_dir.take() {
        opts.user_data_dir =
            Some(std::path::absolute(&dir).map_err(|e| format!("{}: {e}", dir.display()))?);
    }
    if install {
        install::install(&opts, os, &home, &exe)
    } else {
        install::uninstall(&opts, os, &home, &exe)
    }
}
