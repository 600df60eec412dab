//! Command-line options.

use std::path::{Path, PathBuf};

pub const USAGE: &str = "\
usage: inlay-sandbox [--https-port N] [--control-port N] [--contracts DIR] [--verbose]

  --https-port N    port of the HTTPS server for the fake hosts (default 0: any free port)
  --control-port N  port of the plain-HTTP control API (default 0: any free port)
  --contracts DIR   shared contracts folder (default: ../shared/contracts beside the repo root)
  --verbose         log one line per HTTPS request to stderr

Binds 127.0.0.1 only. Prints one JSON line on stdout when ready, then serves until killed.";

#[derive(Debug, PartialEq)]
pub struct Config {
    pub https_port: u16,
    pub control_port: u16,
    pub contracts: PathBuf,
    pub verbose: bool,
}

pub enum Parsed {
    Run(Config),
    Help,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut config = Config {
        https_port: 0,
        control_port: 0,
        contracts: default_contracts(),
        verbose: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--https-port" => config.https_port = port(&value()?)?,
            "--control-port" => config.control_port = port(&value()?)?,
            "--contracts" => config.contracts = PathBuf::from(value()?),
            "--verbose" => config.verbose = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Parsed::Run(config))
}

fn port(s: &str) -> Result<u16, String> {
    s.parse().map_err(|_| format!("bad port {s:?}"))
}

/// `<repo root>/../shared/contracts`, the repo root being two levels above this crate. The
/// path is fixed at compile time; when the binary runs from elsewhere, it falls back to
/// `../shared/contracts` from the current directory (run it from the repo root then).
fn default_contracts() -> PathBuf {
    let compiled = crate::contracts::beside(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    if compiled.is_dir() {
        compiled
    } else {
        PathBuf::from("../shared/contracts")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Parsed::Run(c) => Ok(c),
            Parsed::Help => Err("help".into()),
        }
    }

    #[test]
    fn parses_flags() {
        let c = run(&[
            "--https-port",
            "8443",
            "--control-port=9000",
            "--contracts",
            "/c",
            "--verbose",
        ])
        .unwrap();
        assert_eq!(
            c,
            Config {
                https_port: 8443,
                control_port: 9000,
                contracts: "/c".into(),
                verbose: true
            }
        );
        let d = run(&[]).unwrap();
        assert_eq!((d.https_port, d.control_port), (0, 0));
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        assert_eq!(d.contracts, crate::contracts::require(&repo));
        assert!(run(&["--https-port"]).is_err());
        assert!(run(&["--https-port", "x"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert_eq!(run(&["--help"]).unwrap_err(), "help");
    }
}
