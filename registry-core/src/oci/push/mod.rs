//! The write side of the OCI distribution API: teams that already push artifacts to an OCI
//! registry (with `oras push`, `skopeo copy`, or any client of the specification) publish
//! modules and providers here the same way, through the same pipeline as the registry API's
//! uploads (the same checks, limits, signing and audit).
//!
//! A push is blob uploads ([`blobs`]: monolithic, or chunked with `PATCH`), which wait staged
//! in the store, then the manifest ([`manifests`]) that publishes them as a version. Pushing
//! needs the right to publish in the repository's namespace; `mirror/` repositories are
//! read-only.

pub mod blobs;
pub mod documents;
pub mod manifests;
