//! End to end: the OCI distribution API of the real server over TLS, read and pushed by real
//! OCI clients. Reading ([`read`]): skopeo (Debian's package) inspects and copies a provider;
//! the ORAS Python SDK (PyPI's `oras`, through `scripts/oras-client.sh`) pulls a provider
//! platform and a module; the digest of each provider layer is the `zh:` hash Terraform 1.11.4
//! writes in its lock file for the same package. Pushing ([`push`]): the ORAS SDK pushes a
//! module and a provider that both Terraform CLIs then install; skopeo copies a module from
//! one repository to another. Both clients are installed by `scripts/install-tools.sh`; with
//! `TFREG_REQUIRE_TOOLS=1` (or on CI) a missing one fails the tests instead of skipping them.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod clients;
mod push;
mod read;
