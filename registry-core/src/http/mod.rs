//! The HTTP side of the core, with no framework in it: the router, response helpers and body
//! types, query strings, signed links, and serving stored files.

pub mod body;
pub mod context;
pub(crate) mod files;
pub mod links;
pub mod pace;
pub mod query;
pub mod response;
pub mod router;
pub mod signing;
pub(crate) mod slots;

pub use body::Body;
pub use context::RequestContext;
pub use links::Links;
pub use router::{route, Route, DISCOVERY_PATH};
pub use signing::UrlSigner;
