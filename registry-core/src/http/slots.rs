//! Caps on the uploads in progress, in total and per principal, so that one client (or a
//! flood of them) cannot hold every connection and all the memory with bodies that are still
//! arriving; a request over a cap is refused at once with a 429 and `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::{Error, Result};

/// The uploads in progress (see the module docs). Cheap to clone; clones share the counts.
#[derive(Clone, Debug)]
pub(crate) struct UploadSlots {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    total: usize,
    per_principal: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    total: usize,
    by: HashMap<String, usize>,
}

/// One upload in progress; its slot is given back when this is dropped.
#[derive(Debug)]
pub(crate) struct UploadSlot {
    inner: Arc<Inner>,
    who: String,
}

impl UploadSlots {
    /// At most `total` uploads at once, `per_principal` of them by one principal.
    pub(crate) fn new(total: usize, per_principal: usize) -> Self {
        Self { inner: Arc::new(Inner { total, per_principal, state: Mutex::default() }) }
    }

    /// A slot for an upload by `who` (a principal id), or a 429 naming the cap it would pass.
    pub(crate) fn acquire(&self, who: &str) -> Result<UploadSlot> {
        let inner = &self.inner;
        let mut state = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = state.by.get(who).copied().unwrap_or(0);
        if mine >= inner.per_principal {
            return Err(Error::TooManyRequests {
                message: format!(
                    "{who} has {mine} uploads in progress, the most one principal may have at once; \
                     retry when one has finished"
                ),
            });
        }
        if state.total >= inner.total {
            return Err(Error::TooManyRequests {
                message: format!(
                    "the registry has {} uploads in progress, the most it takes at once; retry shortly",
                    state.total
                ),
            });
        }
        state.total += 1;
        *state.by.entry(who.to_owned()).or_default() += 1;
        Ok(UploadSlot { inner: inner.clone(), who: who.to_owned() })
    }

    /// How many uploads are in progress.
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> usize {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner).total
    }
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        let mut state = self.inner.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.total -= 1;
        if let Some(count) = state.by.get_mut(&self.who) {
            *count -= 1;
            if *count == 0 {
                state.by.remove(&self.who);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_per_principal_and_in_total_and_slots_come_back() {
        let slots = UploadSlots::new(3, 2);
        let a1 = slots.acquire("a").unwrap();
        let _a2 = slots.acquire("a").unwrap();
        let err = slots.acquire("a").unwrap_err();
        assert_eq!(err.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert!(err.to_string().contains("a has 2 uploads"), "{err}");
        let _b1 = slots.acquire("b").unwrap();
        let err = slots.acquire("c").unwrap_err();
        assert!(err.to_string().contains("the registry has 3"), "{err}");
        drop(a1);
        assert_eq!(slots.in_progress(), 2);
        slots.acquire("c").unwrap();
        assert_eq!(slots.in_progress(), 2, "the slot taken and dropped at once");
    }
}
