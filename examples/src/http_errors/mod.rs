//! The answers actix-web's HTTP/1 layer writes on its own, before any handler runs (a malformed
//! request, a head too large, a head that never came), get the registry's `{"errors": [...]}`
//! body like every other error; actix writes them with an empty body.
//!
//! [`JsonErrors`] sits between the connection (TCP or TLS) and actix's HTTP/1 dispatcher and
//! follows the answers written on it: it reads each answer's head and skips its body as the head
//! frames it (`Content-Length` or chunked; none for an answer to `HEAD`, which the registry's
//! service reports through [`BodilessAnswers`]), so every answer is seen from its first byte. An
//! answer the dispatcher made up has no `Content-Type` and `content-length: 0`; the registry's
//! error answers always carry a JSON body, so only the dispatcher's are rewritten. Should the
//! framing ever be lost (an answer whose body runs to the close, which the registry never
//! writes), everything passes through as it is.

mod answer;
mod framing;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use answer::with_json_body;
use framing::{status, Answer};

/// A connection whose error answers made up by actix get a JSON body (see the module docs).
pub(crate) struct JsonErrors<T> {
    io: T,
    state: State,
    bodiless: BodilessAnswers,
}

enum State {
    /// The next byte written starts an answer.
    Between,
    /// Writing the rest of the registry's answer.
    Answer(Answer),
    /// Writing the rewritten answer, which stands for `claimed` bytes of the caller's.
    Rewriting { out: Vec<u8>, sent: usize, claimed: usize },
    /// Everything passes through: HTTP/2, or the framing was lost.
    Through,
}

/// Which of the registry's answers on one HTTP/1 connection have no body whatever their headers
/// say (answers to `HEAD`), in the order the service gives them: the service records each answer
/// with [`BodilessAnswers::answered`] and [`JsonErrors`] takes them as it writes their heads.
#[derive(Clone, Default)]
pub(crate) struct BodilessAnswers(Rc<RefCell<Pending>>);

#[derive(Default)]
struct Pending {
    answers: VecDeque<bool>,
    /// Set when the connection stopped following answers; nothing is recorded after.
    lost: bool,
}

/// More answers given than written means the two are out of step (an HTTP/1 connection writes
/// one answer at a time).
const MAX_PENDING: usize = 16;

impl BodilessAnswers {
    /// Records the service's next answer, to a `HEAD` request or not.
    pub(crate) fn answered(&self, to_head: bool) {
        let mut pending = self.0.borrow_mut();
        if pending.lost {
            return;
        }
        if pending.answers.len() == MAX_PENDING {
            pending.lost = true;
            pending.answers.clear();
        } else {
            pending.answers.push_back(to_head);
        }
    }

    /// Whether the next answer of the service has no body; `None` once out of step.
    fn next(&self) -> Option<bool> {
        let mut pending = self.0.borrow_mut();
        if pending.lost {
            return None;
        }
        Some(pending.answers.pop_front().unwrap_or(false))
    }

    fn lose(&self) {
        let mut pending = self.0.borrow_mut();
        pending.lost = true;
        pending.answers.clear();
    }
}

/// The longest answer head that is followed; a longer one passes through with all after it.
const MAX_HEAD: usize = 64 << 10;

impl<T> JsonErrors<T> {
    /// Wraps `io`; `http1` false (HTTP/2) passes everything through from the start.
    pub(crate) fn new(io: T, http1: bool) -> Self {
        let bodiless = BodilessAnswers::default();
        if !http1 {
            bodiless.lose();
        }
        Self { io, state: if http1 { State::Between } else { State::Through }, bodiless }
    }

    /// Where the registry's service reports its answers to `HEAD` on this connection; `None` on
    /// HTTP/2, where nothing is followed.
    pub(crate) fn bodiless_answers(&self) -> Option<BodilessAnswers> {
        (!matches!(self.state, State::Through)).then(|| self.bodiless.clone())
    }

    /// Reads the head of the answer `bytes` start with: a rewritten answer when actix made it
    /// up, else the answer to follow.
    fn start(&mut self, bytes: &[u8]) -> State {
        let window = &bytes[..bytes.len().min(MAX_HEAD)];
        let Some(end) = window.windows(4).position(|w| w == b"\r\n\r\n").map(|at| at + 4) else {
            return self.lost();
        };
        let Ok(head) = std::str::from_utf8(&bytes[..end]) else { return self.lost() };
        let Some(code) = status(head) else { return self.lost() };
        if let Some(out) = with_json_body(head, code) {
            return State::Rewriting { out, sent: 0, claimed: end };
        }
        // Interim (1xx) answers come from actix itself, not from the service.
        let to_head = if code < 200 { Some(false) } else { self.bodiless.next() };
        let Some(to_head) = to_head else { return self.lost() };
        let bodiless = to_head || code < 200 || code == 204 || code == 304;
        match Answer::new(head, end, bodiless) {
            Some(answer) => State::Answer(answer),
            None => self.lost(),
        }
    }

    fn lost(&self) -> State {
        self.bodiless.lose();
        State::Through
    }
}

impl<T: AsyncWrite + Unpin> JsonErrors<T> {
    /// Writes what is left of a rewritten answer, if any. The caller's bytes it stands for are
    /// claimed by the next [`AsyncWrite::poll_write`] (see [`JsonErrors::claim`]).
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let State::Rewriting { out, sent, .. } = &mut self.state {
            if *sent == out.len() {
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &out[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Once a rewritten answer is all out: the count of the caller's bytes it stood for.
    fn claim(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<usize>>> {
        ready!(self.drive(cx))?;
        if let State::Rewriting { claimed, .. } = self.state {
            self.state = State::Between;
            return Poll::Ready(Ok(Some(claimed)));
        }
        Poll::Ready(Ok(None))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrors<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Some(claimed) = ready!(this.claim(cx))? {
            return Poll::Ready(Ok(claimed));
        }
        if buf.is_empty() {
            return Pin::new(&mut this.io).poll_write(cx, buf);
        }
        if let State::Between = this.state {
            this.state = this.start(buf);
            if let Some(claimed) = ready!(this.claim(cx))? {
                return Poll::Ready(Ok(claimed));
            }
        }
        match &mut this.state {
            State::Answer(answer) => {
                // Up to the answer's end only, so the next write starts with the next answer.
                let mut probe = answer.clone();
                let upto = probe.take(buf);
                let mine = if probe.is_over() { upto } else { buf.len() };
                let n = ready!(Pin::new(&mut this.io).poll_write(cx, &buf[..mine]))?;
                answer.take(&buf[..n]);
                if answer.is_over() {
                    this.state = State::Between;
                }
                Poll::Ready(Ok(n))
            }
            _ => Pin::new(&mut this.io).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drive(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drive(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
