//! The pull-through proxy: the upstream registry, and pins (copies of upstream versions kept
//! in the store).

pub(crate) mod pins;
pub mod upstream;

pub use pins::PinRecord;
pub use upstream::{Upstream, UpstreamClient, UpstreamConfig, UpstreamError, UpstreamResponse};
