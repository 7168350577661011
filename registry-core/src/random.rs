//! Secure random bytes from the operating system.

use crate::Error;

use crate::Result;

/// `N` random bytes, or a 500 if the operating system's generator fails.
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|err| Error::internal(format!("the system random generator failed: {err}")))?;
    Ok(out)
}
