//! Google's OAuth/OpenID API hosts: oauth2.googleapis.com (token, revoke),
//! openidconnect.googleapis.com and www.googleapis.com (userinfo).
//!
//! Skeleton: everything is Google's HTML 404. The OAuth issue adds `POST /token`,
//! `POST /revoke` and the userinfo endpoints, minting tokens that `tokens::authorize` accepts.

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

use super::google_error::not_found_page;

pub fn handle(req: &Request, _sandbox: &Sandbox) -> Response {
    not_found_page(&req.path)
}
