//! The OCI distribution API (`/v2/`) as pure request -> response functions over the in-memory
//! store: providers and modules as the OCI artifacts OpenTofu installs, checked by the rules
//! OpenTofu's own code applies, plus determinism, pagination, `HEAD`, `Range`, the error
//! format and the token flow ([`read`]); and pushes, monolithic and chunked, published
//! through the registry's pipeline and served back byte for byte ([`push`]).

mod push;
mod read;
mod rules;
