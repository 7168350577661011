//! The web UI: the catalogue for people, served by the core under a configurable path (`/ui`
//! by default; [`RegistryConfig::ui_path`](crate::RegistryConfig::ui_path)), so every adapter
//! serves it.
//!
//! Pages are rendered on the server from compile-time-checked templates and work without
//! JavaScript; a small script adds search as you type and copy buttons. The data comes from the
//! registry's own API, called in process with the visitor's token, so a page shows exactly what
//! that token may see through the API. Signing in puts the token in a signed session cookie
//! (`session.rs`), by a pasted token or through the OpenID Connect provider `terraform login`
//! uses (`{ui}/signin/sso`, when one is configured); it never appears in a page, a URL or a log. Every answer carries a strict
//! Content-Security-Policy: nothing is loaded from anywhere but the registry.

mod assets;
mod pages;
mod render;
mod routes;
pub(crate) mod session;

pub(crate) use assets::Assets;
pub(crate) use render::{answer, landing};

/// The Content-Security-Policy of every UI answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
