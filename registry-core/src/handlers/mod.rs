//! The handlers, one file per concern, as `impl Registry` blocks.

pub(crate) mod archives;
pub(crate) mod modules;
pub(crate) mod tokens;
pub(crate) mod upload;
