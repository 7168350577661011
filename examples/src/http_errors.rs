//! The answers actix-web's HTTP/1 layer writes on its own, before any handler runs (a malformed
//! request, a head too large, a head that never came), get the registry's `{"errors": [...]}`
//! body like every other error; actix writes them with an empty body.
//!
//! [`JsonErrors`] sits between the connection (TCP or TLS) and actix's HTTP/1 dispatcher and
//! looks at the first bytes written on the connection only: an answer the dispatcher made up has
//! no `Content-Type` and `content-length: 0`, and is the whole write. Answers from the registry
//! always carry a JSON content type, so they are never touched, and after the first write
//! everything passes through as it is. An error the dispatcher answers later on a kept-alive
//! connection (a malformed second request) still goes out with an empty body.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose first answer, when actix made it up, gets a JSON body (see the module
/// docs).
pub(crate) struct JsonErrors<T> {
    io: T,
    state: State,
}

enum State {
    /// Nothing written yet.
    First,
    /// Writing the rewritten answer, which stands for `claimed` bytes of the caller's.
    Rewriting { out: Vec<u8>, sent: usize, claimed: usize },
    /// Everything passes through.
    Through,
}

impl<T> JsonErrors<T> {
    /// Wraps `io`; `http1` false (HTTP/2) passes everything through from the start.
    pub(crate) fn new(io: T, http1: bool) -> Self {
        Self { io, state: if http1 { State::First } else { State::Through } }
    }
}

impl<T: AsyncWrite + Unpin> JsonErrors<T> {
    /// Writes what is left of a rewritten answer; `Ready(claimed)` once it is all out.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<usize>>> {
        while let State::Rewriting { out, sent, claimed } = &mut self.state {
            if *sent == out.len() {
                let claimed = *claimed;
                self.state = State::Through;
                return Poll::Ready(Ok(Some(claimed)));
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &out[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
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
        if let State::First = this.state {
            this.state = match with_json_body(buf) {
                Some(out) => State::Rewriting { out, sent: 0, claimed: buf.len() },
                None => State::Through,
            };
        }
        if let Some(claimed) = ready!(this.drive(cx))? {
            return Poll::Ready(Ok(claimed));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
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

/// `answer` with a JSON body, when it is a whole bodiless error answer the HTTP layer made up.
fn with_json_body(answer: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(answer).ok()?.strip_suffix("\r\n\r\n")?;
    let rest = head.strip_prefix("HTTP/1.1 ").or_else(|| head.strip_prefix("HTTP/1.0 "))?;
    let status: u16 = rest.get(..3)?.parse().ok()?;
    let lower = head.to_ascii_lowercase();
    if status < 400 || lower.contains("\r\ncontent-type:") || !lower.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let message = match status {
        400 => "the request is not valid HTTP/1.1: a malformed request line or header, or a byte a URL may not hold (encode the path with %XX)",
        408 => "the request head did not arrive in time; send the whole request line and headers at once",
        413 => "the request body is larger than the server accepts",
        431 => "the request head (request line and headers) is larger than the server accepts",
        _ => "the connection broke off in the middle of a request",
    };
    let body = serde_json::to_vec(&tfreg_core::protocol::Errors { errors: vec![message.to_owned()] }).ok()?;
    let mut out = String::with_capacity(head.len() + 64);
    for (n, line) in head.split("\r\n").enumerate() {
        if n > 0 && line.to_ascii_lowercase().starts_with("content-length:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::with_json_body;

    #[test]
    fn only_bare_error_answers_get_a_body() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(with_json_body(bare).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(
            head.contains("content-type: application/json") && head.contains("connection: close"),
            "{head}"
        );
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(json["errors"][0].as_str().unwrap().contains("not valid HTTP"), "{json}");

        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\ncontent-type: application/json\r\n\r\n";
        assert!(with_json_body(ours).is_none(), "answers of the registry pass");
        assert!(with_json_body(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(with_json_body(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nmore").is_none());
        assert!(with_json_body(b"HTTP/1.1 400 Bad Req").is_none(), "a partial head passes");
    }
}
