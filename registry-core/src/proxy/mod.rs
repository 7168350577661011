//! Pins: copies of upstream versions kept in the store (the upstream itself is
//! [`crate::upstream`]).

pub(crate) mod pins;

pub use crate::protocol::PinRecord;
