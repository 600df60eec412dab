//! accounts.google.com: Google's sign-in host.
//!
//! Skeleton: everything is 404. Chromium itself POSTs `/ListAccounts` once at start-up to
//! learn the signed-in Google accounts; a 404 makes it give up quietly. The OAuth issue
//! adds `/o/oauth2/v2/auth` (consent, then a redirect to `https://<id>.chromiumapp.org/`).

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

use super::google_error::not_found_page;

pub fn handle(req: &Request, _sandbox: &Sandbox) -> Response {
    not_found_page(&req.path)
}
