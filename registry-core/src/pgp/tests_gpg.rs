//! gpg tests.
