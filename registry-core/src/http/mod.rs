//! The HTTP side of the core, with no framework in it: the router, response helpers and body
//! types, query strings, signed links, and serving stored files.

pub mod body;
pub(crate) mod files;
pub(crate) mod query;
pub mod response;
pub mod router;
pub mod signing;

pub use router::{route, Route, DISCOVERY_PATH};
pub use signing::UrlSigner;
