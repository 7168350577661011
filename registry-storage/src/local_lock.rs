//! The lock that makes compare-and-swap safe on the local filesystem.

use std::fs::File;
use std::path::PathBuf;

/// An exclusive `flock` on one file, taken in a blocking thread; released on drop.
#[derive(Debug)]
pub(crate) struct LocalLock {
    path: PathBuf,
}

/// The held lock; dropping it closes the file, which releases the lock.
#[derive(Debug)]
pub(crate) struct LockGuard(#[allow(dead_code)] File);

impl LocalLock {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Waits for the lock.
    pub(crate) async fn acquire(&self) -> std::io::Result<LockGuard> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let file = File::options().create(true).truncate(false).write(true).open(&path)?;
            file.lock()?;
            Ok(LockGuard(file))
        })
        .await
        .map_err(std::io::Error::other)?
    }
}
