//! The caller check.
//!
//! The browser decides who may start the host (`allowed_origins` /
//! `allowed_extensions` in the host manifest); the arguments it passes let us
//! refuse early when started for anyone else, e.g. by a manifest some other
//! installer dropped pointing at this binary:
//! - Chrome/Chromium: argv[1] is the caller origin `chrome-extension://<id>/`
//!   (on Windows argv[2] is `--parent-window=<hwnd>`).
//! - Firefox: argv[1] is the host manifest path, argv[2] the add-on id.
//!
//! This is defence in depth, not authentication: any local process can run the
//! binary with whatever arguments, but such a process already has the user's
//! privileges.

/// Inlay's extension origin (its Chrome Web Store id, fixed by the manifest's key).
pub const CHROME_ORIGIN: &str = "chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/";
/// Firefox add-on id; must equal `browser_specific_settings.gecko.id` in the
/// Firefox build's manifest.json once that build exists.
pub const FIREFOX_ADDON_ID: &str = "inlay@inlay.invalid";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Chrome,
    Firefox,
}

/// Checks the arguments the browser started us with (without argv[0]).
pub fn check_caller(args: &[String]) -> Result<Caller, String> {
    match args {
        [origin, ..] if origin == CHROME_ORIGIN => Ok(Caller::Chrome),
        [origin, ..] if origin.starts_with("chrome-extension://") => Err(format!(
            "refusing caller origin {origin:?}: only {CHROME_ORIGIN} may use this host"
        )),
        [_manifest, addon, ..] if addon == FIREFOX_ADDON_ID => Ok(Caller::Firefox),
        [_manifest, addon, ..] => Err(format!(
            "refusing Firefox add-on {addon:?}: only {FIREFOX_ADDON_ID} may use this host"
        )),
        _ => Err(
            "not started by Inlay's extension (expected its origin or add-on id as argument); \
                  see `inlay-bridge --help`"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_check() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(check_caller(&s(&[CHROME_ORIGIN])), Ok(Caller::Chrome));
        assert_eq!(
            check_caller(&s(&[CHROME_ORIGIN, "--parent-window=0"])),
            Ok(Caller::Chrome)
        );
        assert_eq!(
            check_caller(&s(&["/x/com.inlay.bridge.json", FIREFOX_ADDON_ID])),
            Ok(Caller::Firefox)
        );
        for bad in [
            &s(&[])[..],
            &s(&["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]),
            &s(&["chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn"]), // no slash: not exact
            &s(&["chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/", "x"])[1..],
            &s(&["/x/com.inlay.bridge.json", "evil@example.com"]),
            &s(&["/x/com.inlay.bridge.json"]),
        ] {
            assert!(check_caller(bad).is_err(), "{bad:?}");
        }
    }
}
