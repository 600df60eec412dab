//! `inlay-bridge install|uninstall`: registers the host with the browsers by
//! writing the host manifest `com.inlay.bridge.json` to the per-user location
//! each browser reads (system-wide locations are left to OS packages).
//!
//! | Browser  | Linux                                  | macOS (under ~/Library/Application Support) |
//! |----------|----------------------------------------|---------------------------------------------|
//! | Chrome   | ~/.config/google-chrome/NativeMessagingHosts | Google/Chrome/NativeMessagingHosts    |
//! | Chromium | ~/.config/chromium/NativeMessagingHosts      | Chromium/NativeMessagingHosts         |
//! | Firefox  | ~/.mozilla/native-messaging-hosts            | Mozilla/NativeMessagingHosts          |
//!
//! `--user-data-dir DIR` writes `DIR/NativeMessagingHosts/` instead: Chrome and
//! Chromium also read manifests from the profile they run with, which is what
//! tests use. Firefox has no such lookup.
//!
//! Windows reads the manifest path from the registry; rather than edit it we
//! print the key and the manifest to save.
//!
//! Firefox refuses `allowed_origins` (Bugzilla 1361459) and wants
//! `allowed_extensions` with the add-on id, hence two manifest flavours.

use crate::protocol::{CHROME_ORIGIN, FIREFOX_ADDON_ID};
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

pub const HOST_NAME: &str = "com.inlay.bridge";
const FILE_NAME: &str = "com.inlay.bridge.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Chrome,
    Chromium,
    Firefox,
}

impl Browser {
    fn name(self) -> &'static str {
        match self {
            Self::Chrome => "chrome",
            Self::Chromium => "chromium",
            Self::Firefox => "firefox",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    pub fn current() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else if cfg!(target_os = "macos") {
            Self::MacOs
        } else {
            Self::Linux // and the BSDs, which use the same paths
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    pub browsers: Vec<Browser>,
    pub user_data_dir: Option<PathBuf>,
}

/// Parses the arguments after `install` / `uninstall`.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let (mut browser, mut user_data_dir) = (None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or(format!("{key} needs a value"))
        };
        match key {
            "--browser" => browser = Some(value()?),
            "--user-data-dir" => user_data_dir = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    let browsers = match browser.as_deref() {
        None if user_data_dir.is_some() => vec![Browser::Chromium],
        None | Some("all") => vec![Browser::Chrome, Browser::Chromium, Browser::Firefox],
        Some("chrome") => vec![Browser::Chrome],
        Some("chromium") => vec![Browser::Chromium],
        Some("firefox") => vec![Browser::Firefox],
        Some(b) => {
            return Err(format!(
                "unknown browser {b:?} (chrome, chromium, firefox or all)"
            ));
        }
    };
    if user_data_dir.is_some() && browsers.contains(&Browser::Firefox) {
        return Err("--user-data-dir applies to Chrome/Chromium only".into());
    }
    Ok(Options {
        browsers,
        user_data_dir,
    })
}

/// Where a browser looks for the manifest.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    File(PathBuf),
    /// Windows: registry key whose default value is the manifest's path.
    Registry {
        key: String,
        manifest: PathBuf,
    },
}

pub fn target(
    browser: Browser,
    os: Os,
    home: &Path,
    user_data_dir: Option<&Path>,
    exe: &Path,
) -> Target {
    if let Some(dir) = user_data_dir {
        return Target::File(dir.join("NativeMessagingHosts").join(FILE_NAME));
    }
    let dir = match (os, browser) {
        (Os::Linux, Browser::Chrome) => home.join(".config/google-chrome/NativeMessagingHosts"),
        (Os::Linux, Browser::Chromium) => home.join(".config/chromium/NativeMessagingHosts"),
        (Os::Linux, Browser::Firefox) => home.join(".mozilla/native-messaging-hosts"),
        (Os::MacOs, b) => home.join("Library/Application Support").join(match b {
            Browser::Chrome => "Google/Chrome/NativeMessagingHosts",
            Browser::Chromium => "Chromium/NativeMessagingHosts",
            Browser::Firefox => "Mozilla/NativeMessagingHosts",
        }),
        (Os::Windows, b) => {
            let (vendor, file) = match b {
                Browser::Chrome => ("Google\\Chrome", FILE_NAME),
                Browser::Chromium => ("Chromium", FILE_NAME),
                Browser::Firefox => ("Mozilla", "com.inlay.bridge.firefox.json"),
            };
            let key = format!("HKCU\\Software\\{vendor}\\NativeMessagingHosts\\{HOST_NAME}");
            let manifest = exe.parent().unwrap_or(Path::new(".")).join(file);
            return Target::Registry { key, manifest };
        }
    };
    Target::File(dir.join(FILE_NAME))
}

/// The host manifest for `browser`; `exe` must be absolute (browsers require it).
pub fn manifest(browser: Browser, exe: &Path) -> Result<Value, String> {
    let path = exe.to_str().ok_or("executable path is not valid UTF-8")?;
    if !exe.is_absolute() {
        return Err(format!("executable path {path:?} is not absolute"));
    }
    let mut m = json!({
        "name": HOST_NAME,
        "description": "Inlay IMAP/SMTP bridge",
        "path": path,
        "type": "stdio",
    });
    m[if browser == Browser::Firefox {
        "allowed_extensions"
    } else {
        "allowed_origins"
    }] = json!([if browser == Browser::Firefox {
        FIREFOX_ADDON_ID
    } else {
        CHROME_ORIGIN
    }]);
    Ok(m)
}

/// Installs for each selected browser; returns what was done, one line each.
pub fn install(opts: &Options, os: Os, home: &Path, exe: &Path) -> Result<Vec<String>, String> {
    let mut done = Vec::new();
    for &b in &opts.browsers {
        let text =
            serde_json::to_string_pretty(&manifest(b, exe)?).expect("a Value serialises") + "\n";
        match target(b, os, home, opts.user_data_dir.as_deref(), exe) {
            Target::File(path) => {
                write_atomically(&path, &text).map_err(|e| format!("{}: cannot write {}: {e}", b.name(), path.display()))?;
                done.push(format!("{}: wrote {}", b.name(), path.display()));
            }
            Target::Registry { key, manifest } => done.push(format!(
                "{}: save this manifest as {m} and run\n  reg add \"{key}\" /ve /t REG_SZ /d \"{m}\" /f\n{text}",
                b.name(),
                m = manifest.display()
            )),
        }
    }
    Ok(done)
}

/// Removes what [`install`] wrote; a missing file is not an error.
pub fn uninstall(opts: &Options, os: Os, home: &Path, exe: &Path) -> Result<Vec<String>, String> {
    let mut done = Vec::new();
    for &b in &opts.browsers {
        match target(b, os, home, opts.user_data_dir.as_deref(), exe) {
            Target::File(path) => match fs::remove_file(&path) {
                Ok(()) => done.push(format!("{}: removed {}", b.name(), path.display())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    done.push(format!("{}: nothing at {}", b.name(), path.display()));
                }
                Err(e) => {
                    return Err(format!(
                        "{}: cannot remove {}: {e}",
                        b.name(),
                        path.display()
                    ));
                }
            },
            Target::Registry { key, manifest } => done.push(format!(
                "{}: run  reg delete \"{key}\" /f  and delete {}",
                b.name(),
                manifest.display()
            )),
        }
    }
    Ok(done)
}

/// Rename over the old file so a browser never reads a half-written manifest.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, text)?;
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    pub struct TempHome(pub PathBuf);
    impl TempHome {
        pub fn new(tag: &str) -> Self {
            let p = std::env::temp_dir().join(format!("inlay-bridge-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            Self(p)
        }
    }
    impl Drop for TempHome {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const EXE: &str = "/opt/inlay/inlay-bridge";

    #[test]
    fn parses_arguments() {
        let all = vec![Browser::Chrome, Browser::Chromium, Browser::Firefox];
        assert_eq!(parse_args(&[]).unwrap().browsers, all);
        assert_eq!(
            parse_args(&args(&["--browser", "all"])).unwrap().browsers,
            all
        );
        assert_eq!(
            parse_args(&args(&["--browser=firefox"])).unwrap().browsers,
            vec![Browser::Firefox]
        );
        let o = parse_args(&args(&["--user-data-dir", "/p"])).unwrap();
        assert_eq!(
            o,
            Options {
                browsers: vec![Browser::Chromium],
                user_data_dir: Some("/p".into())
            }
        );
        let o = parse_args(&args(&["--browser", "chrome", "--user-data-dir=/p"])).unwrap();
        assert_eq!(o.browsers, vec![Browser::Chrome]);
        for bad in [
            &["--browser"][..],
            &["--browser", "edge"],
            &["--nope"],
            &["--user-data-dir", "/p", "--browser", "all"],
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn manifests_per_browser() {
        let exe = Path::new(EXE);
        let chrome = manifest(Browser::Chrome, exe).unwrap();
        assert_eq!(
            chrome,
            json!({"name": "com.inlay.bridge", "description": "Inlay IMAP/SMTP bridge", "path": EXE,
                   "type": "stdio", "allowed_origins": ["chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/"]})
        );
        assert_eq!(manifest(Browser::Chromium, exe).unwrap(), chrome);
        let ff = manifest(Browser::Firefox, exe).unwrap();
        assert_eq!(ff["allowed_extensions"], json!(["inlay@inlay.invalid"]));
        assert!(
            ff.get("allowed_origins").is_none(),
            "Firefox rejects allowed_origins"
        );
        assert!(manifest(Browser::Chrome, Path::new("relative/inlay-bridge")).is_err());
    }

    #[test]
    fn per_os_locations() {
        let (h, exe) = (Path::new("/home/u"), Path::new(EXE));
        let file = |b, os| match target(b, os, h, None, exe) {
            Target::File(p) => p,
            t => panic!("{t:?}"),
        };
        let cases = [
            (
                Browser::Chrome,
                Os::Linux,
                "/home/u/.config/google-chrome/NativeMessagingHosts",
            ),
            (
                Browser::Chromium,
                Os::Linux,
                "/home/u/.config/chromium/NativeMessagingHosts",
            ),
            (
                Browser::Firefox,
                Os::Linux,
                "/home/u/.mozilla/native-messaging-hosts",
            ),
            (
                Browser::Chrome,
                Os::MacOs,
                "/home/u/Library/Application Support/Google/Chrome/NativeMessagingHosts",
            ),
            (
                Browser::Chromium,
                Os::MacOs,
                "/home/u/Library/Application Support/Chromium/NativeMessagingHosts",
            ),
            (
                Browser::Firefox,
                Os::MacOs,
                "/home/u/Library/Application Support/Mozilla/NativeMessagingHosts",
            ),
        ];
        for (b, os, dir) in cases {
            assert_eq!(
                file(b, os),
                Path::new(dir).join("com.inlay.bridge.json"),
                "{b:?} {os:?}"
            );
        }
        match target(Browser::Chrome, Os::Windows, h, None, exe) {
            Target::Registry { key, .. } => {
                assert_eq!(
                    key,
                    r"HKCU\Software\Google\Chrome\NativeMessagingHosts\com.inlay.bridge"
                )
            }
            t => panic!("{t:?}"),
        }
        match target(Browser::Firefox, Os::Windows, h, None, exe) {
            Target::Registry { key, .. } => assert_eq!(
                key,
                r"HKCU\Software\Mozilla\NativeMessagingHosts\com.inlay.bridge"
            ),
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn install_and_uninstall_linux_and_macos() {
        for os in [Os::Linux, Os::MacOs] {
            let home = TempHome::new(&format!("{os:?}"));
            let opts = parse_args(&[]).unwrap();
            let lines = install(&opts, os, &home.0, Path::new(EXE)).unwrap();
            assert_eq!(lines.len(), 3);
            for b in [Browser::Chrome, Browser::Chromium, Browser::Firefox] {
                let Target::File(p) = target(b, os, &home.0, None, Path::new(EXE)) else {
                    panic!()
                };
                let m: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
                assert_eq!(m, manifest(b, Path::new(EXE)).unwrap());
                assert!(!p.with_extension("json.tmp").exists());
            }
            // Idempotent: reinstall overwrites.
            install(&opts, os, &home.0, Path::new(EXE)).unwrap();
            let lines = uninstall(&opts, os, &home.0, Path::new(EXE)).unwrap();
            assert!(lines.iter().all(|l| l.contains("removed")), "{lines:?}");
            let lines = uninstall(&opts, os, &home.0, Path::new(EXE)).unwrap();
            assert!(lines.iter().all(|l| l.contains("nothing at")), "{lines:?}");
        }
    }

    #[test]
    fn install_into_user_data_dir() {
        let home = TempHome::new("udd");
        let profile = home.0.join("profile");
        let opts = parse_args(&args(&["--user-data-dir", profile.to_str().unwrap()])).unwrap();
        install(&opts, Os::Linux, &home.0, Path::new(EXE)).unwrap();
        let p = profile.join("NativeMessagingHosts/com.inlay.bridge.json");
        let m: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
        assert_eq!(m["allowed_origins"], json!([CHROME_ORIGIN]));
        assert!(
            !home.0.join(".config").exists(),
            "nothing outside the profile"
        );
        uninstall(&opts, Os::Linux, &home.0, Path::new(EXE)).unwrap();
        assert!(!p.exists());
    }

    #[test]
    fn windows_prints_instead_of_writing() {
        let home = TempHome::new("win");
        let exe = home.0.join("inlay-bridge.exe");
        let lines = install(&parse_args(&[]).unwrap(), Os::Windows, &home.0, &exe).unwrap();
        assert!(lines[0].contains(
            r#"reg add "HKCU\Software\Google\Chrome\NativeMessagingHosts\com.inlay.bridge" /ve"#
        ));
        assert!(lines[0].contains(CHROME_ORIGIN) && lines[2].contains(FIREFOX_ADDON_ID));
        assert_eq!(fs::read_dir(&home.0).unwrap().count(), 0, "nothing written");
        let lines = uninstall(&parse_args(&[]).unwrap(), Os::Windows, &home.0, &exe).unwrap();
        assert!(lines[0].contains("reg delete"));
    }
}
