//! Request bodies that must keep arriving: a body that stalls, or trickles in below a minimum
//! rate, is given up with a 408 instead of holding its connection (and its memory) for ever.
//!
//! Time is tokio's: tests run on a paused clock (`tokio::time::pause`) and never sleep.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use tokio::time::{sleep_until, Instant, Sleep};

use crate::Error;

/// How a request body must arrive: no gap longer than [`idle_timeout`](Self::idle_timeout)
/// between chunks, and, once [`grace`](Self::grace) has passed, at least
/// [`min_bytes_per_second`](Self::min_bytes_per_second) on average since the body began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyPace {
    /// The longest wait for the next chunk (default 20 s).
    pub idle_timeout: Duration,
    /// The slowest average rate accepted once the grace period is over (default 1 KiB/s).
    pub min_bytes_per_second: u64,
    /// How long a body may take before the minimum rate applies (default 10 s).
    pub grace: Duration,
}

impl Default for BodyPace {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(20),
            min_bytes_per_second: 1024,
            grace: Duration::from_secs(10),
        }
    }
}

impl BodyPace {
    /// Watches `body` against this pace. Read errors become 400s, a stall or a trickle a 408.
    pub fn watch<S>(&self, body: S) -> Paced<S> {
        let start = Instant::now();
        Paced {
            body,
            pace: self.clone(),
            start,
            received: 0,
            timer: Box::pin(sleep_until(self.deadline(start, start, 0))),
            done: false,
        }
    }

    /// When the body is given up if nothing more arrives: `idle_timeout` after the last chunk,
    /// or the moment its average rate falls below the minimum, whichever is sooner.
    fn deadline(&self, start: Instant, last: Instant, received: u64) -> Instant {
        let idle = last + self.idle_timeout;
        if self.min_bytes_per_second == 0 {
            return idle;
        }
        let covered = Duration::from_secs_f64(received as f64 / self.min_bytes_per_second as f64);
        let slow = start + self.grace.max(covered);
        idle.min(slow)
    }
}

/// A request body watched against a [`BodyPace`] (see [`BodyPace::watch`]).
pub struct Paced<S> {
    body: S,
    pace: BodyPace,
    start: Instant,
    received: u64,
    timer: Pin<Box<Sleep>>,
    done: bool,
}

impl<S> Paced<S> {
    fn timed_out(&mut self) -> Error {
        self.done = true;
        let elapsed = self.start.elapsed().as_secs_f64();
        let message = if self.received == 0 {
            format!("the request body did not arrive: nothing came in {elapsed:.0} s")
        } else {
            format!(
                "the request body arrived too slowly and was given up: {} bytes in {elapsed:.0} s; \
                 a body must not pause for more than {} s and must average at least {} bytes/s",
                self.received,
                self.pace.idle_timeout.as_secs(),
                self.pace.min_bytes_per_second
            )
        };
        Error::RequestTimeout { message }
    }
}

impl<S, E> Stream for Paced<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.body).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.received += chunk.len() as u64;
                let now = Instant::now();
                let deadline = this.pace.deadline(this.start, now, this.received);
                if deadline <= now {
                    return Poll::Ready(Some(Err(this.timed_out())));
                }
                this.timer.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(err))) => {
                this.done = true;
                Poll::Ready(Some(Err(Error::bad_request(format!("failed to read the request body: {err}")))))
            }
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(this.timed_out()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that yields `chunk` every `every`, `count` times, then ends.
    struct Trickle {
        chunk: &'static [u8],
        every: Duration,
        left: usize,
        timer: Pin<Box<Sleep>>,
    }

    fn trickle(chunk: &'static [u8], every: Duration, count: usize) -> Trickle {
        Trickle { chunk, every, left: count, timer: Box::pin(tokio::time::sleep(every)) }
    }

    impl Stream for Trickle {
        type Item = Result<Bytes, Error>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.left == 0 {
                return Poll::Ready(None);
            }
            std::task::ready!(self.timer.as_mut().poll(cx));
            self.left -= 1;
            let next = Instant::now() + self.every;
            self.timer.as_mut().reset(next);
            Poll::Ready(Some(Ok(Bytes::from_static(self.chunk))))
        }
    }

    async fn drain<S: Stream<Item = Result<Bytes, Error>> + Unpin>(mut s: S) -> Result<u64, Error> {
        let mut n = 0;
        while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut s).poll_next(cx)).await {
            n += chunk?.len() as u64;
        }
        Ok(n)
    }

    #[tokio::test(start_paused = true)]
    async fn a_steady_body_arrives_whole() {
        let body = trickle(&[0; 4096], Duration::from_secs(1), 30);
        assert_eq!(drain(BodyPace::default().watch(body)).await.unwrap(), 30 * 4096);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_never_comes_is_given_up_after_the_grace_period() {
        let body = trickle(b"0123456789", Duration::from_secs(3600), 1);
        let started = Instant::now();
        let err = drain(BodyPace::default().watch(body)).await.unwrap_err();
        assert_eq!(err.status(), http::StatusCode::REQUEST_TIMEOUT);
        assert_eq!(started.elapsed(), Duration::from_secs(10), "{err}");
        assert!(err.to_string().contains("nothing came"), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_after_a_fast_start_is_given_up_after_the_idle_timeout() {
        // 1 MiB at once covers the minimum rate for 1024 s: the idle timeout decides.
        struct FastThenSilent(bool);
        impl Stream for FastThenSilent {
            type Item = Result<Bytes, Error>;
            fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                if std::mem::replace(&mut self.0, true) {
                    Poll::Pending
                } else {
                    Poll::Ready(Some(Ok(Bytes::from(vec![0; 1 << 20]))))
                }
            }
        }
        let started = Instant::now();
        let err = drain(BodyPace::default().watch(FastThenSilent(false))).await.unwrap_err();
        assert_eq!(err.status(), http::StatusCode::REQUEST_TIMEOUT);
        assert_eq!(started.elapsed(), Duration::from_secs(20), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickle_under_the_minimum_rate_is_given_up_after_the_grace_period() {
        // 10 bytes every 5 s: never idle for 20 s, but 2 bytes/s.
        let body = trickle(b"0123456789", Duration::from_secs(5), 1000);
        let started = Instant::now();
        let err = drain(BodyPace::default().watch(body)).await.unwrap_err();
        assert_eq!(err.status(), http::StatusCode::REQUEST_TIMEOUT);
        assert!(started.elapsed() <= Duration::from_secs(15), "given up after {:?}", started.elapsed());
        assert!(err.to_string().contains("too slowly"), "{err}");
    }
}
