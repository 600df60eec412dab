//! login.microsoftonline.com: the Microsoft identity platform (Entra ID / MSA).
//!
//! Skeleton: everything is 404. The OAuth issue adds `/{tenant}/oauth2/v2.0/authorize`,
//! `/token` and `/logout`, minting tokens that `tokens::authorize` accepts for Graph.

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

pub fn handle(_req: &Request, _sandbox: &Sandbox) -> Response {
    Response::html(
        404,
        "<!DOCTYPE html><html><head><title>Not Found</title></head><body><h2>Not Found</h2></body></html>\n",
    )
}
