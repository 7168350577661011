//! The handlers, one file per concern, as `impl Registry` blocks.

pub(crate) mod archives;
pub(crate) mod keys;
pub(crate) mod mirror;
pub(crate) mod modules;
pub(crate) mod pins;
pub(crate) mod providers;
pub(crate) mod tokens;
pub(crate) mod upload;
