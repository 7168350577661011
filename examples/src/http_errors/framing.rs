//! Where one HTTP/1 answer ends in the bytes written on a connection, so the answer after it is
//! seen from its first byte.

/// An answer being written: what is left of its head, then its body.
#[derive(Clone, Debug)]
pub(super) struct Answer {
    head_left: usize,
    body: Body,
}

/// How an answer's body is framed (RFC 9112, section 6).
#[derive(Clone, Debug)]
enum Body {
    /// `Content-Length`, or no body at all (0): the bytes still to come.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunked),
}

/// Where in a chunked body the writer is.
#[derive(Clone, Copy, Debug)]
enum Chunked {
    /// In a chunk-size line (size in hex, maybe extensions); `size` so far, `in_ext` after `;`.
    Size { size: u64, in_ext: bool },
    /// In a chunk's data, with this many bytes left.
    Data(u64),
    /// In the CRLF after a chunk's data, with this many bytes left.
    DataEnd(u8),
    /// After the last chunk, in the trailer section; `line` bytes into the current line.
    Trailer { line: usize },
    /// The body is over.
    Done,
}

impl Answer {
    /// The answer whose head is `head_len` bytes long (through its blank line) and whose
    /// headers are `head`; `bodiless` when it has no body whatever its headers say (an answer
    /// to `HEAD`, a 1xx, 204 or 304). `None` when the body runs to the connection's close,
    /// which leaves nothing after it to find.
    pub(super) fn new(head: &str, head_len: usize, bodiless: bool) -> Option<Self> {
        let body = if bodiless {
            Body::Length(0)
        } else if header(head, "transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().ends_with("chunked"))
        {
            Body::Chunked(Chunked::Size { size: 0, in_ext: false })
        } else {
            Body::Length(header(head, "content-length")?.trim().parse().ok()?)
        };
        Some(Self { head_left: head_len, body })
    }

    /// Takes the next bytes written, up to the end of this answer: how many of `bytes` belong
    /// to it. The answer is over once [`Answer::is_over`].
    pub(super) fn take(&mut self, bytes: &[u8]) -> usize {
        let head = self.head_left.min(bytes.len());
        self.head_left -= head;
        let mut at = head;
        while at < bytes.len() && !self.is_over() {
            at += match &mut self.body {
                Body::Length(left) => {
                    let n = (*left).min((bytes.len() - at) as u64);
                    *left -= n;
                    n as usize
                }
                Body::Chunked(state) => state.take(&bytes[at..]),
            };
        }
        at
    }

    /// Whether the whole answer has been written.
    pub(super) fn is_over(&self) -> bool {
        self.head_left == 0
            && match self.body {
                Body::Length(left) => left == 0,
                Body::Chunked(state) => matches!(state, Chunked::Done),
            }
    }
}

impl Chunked {
    /// Takes bytes of a chunked body: how many it used (at least one unless done).
    fn take(&mut self, bytes: &[u8]) -> usize {
        match self {
            Chunked::Data(left) => {
                let n = (*left).min(bytes.len() as u64);
                *left -= n;
                if *left == 0 {
                    *self = Chunked::DataEnd(2);
                }
                n as usize
            }
            Chunked::Done => 0,
            _ => {
                self.step(bytes[0]);
                1
            }
        }
    }

    /// One byte of a size line, a data CRLF or the trailer section.
    fn step(&mut self, byte: u8) {
        *self = match *self {
            Chunked::Size { size, in_ext } => match byte {
                b'\n' if size == 0 => Chunked::Trailer { line: 0 },
                b'\n' => Chunked::Data(size),
                b';' | b'\r' | b' ' | b'\t' => Chunked::Size { size, in_ext: true },
                _ if in_ext => Chunked::Size { size, in_ext },
                _ => {
                    let digit = (byte as char).to_digit(16).unwrap_or(0);
                    Chunked::Size { size: size.saturating_mul(16).saturating_add(u64::from(digit)), in_ext }
                }
            },
            Chunked::DataEnd(left) if left > 1 => Chunked::DataEnd(left - 1),
            Chunked::DataEnd(_) => Chunked::Size { size: 0, in_ext: false },
            Chunked::Trailer { line } => match byte {
                b'\n' if line == 0 => Chunked::Done,
                b'\n' => Chunked::Trailer { line: 0 },
                b'\r' => Chunked::Trailer { line },
                _ => Chunked::Trailer { line: line + 1 },
            },
            state @ (Chunked::Data(_) | Chunked::Done) => state,
        };
    }
}

/// The status code of the answer whose head is `head`.
pub(super) fn status(head: &str) -> Option<u16> {
    let rest = head.strip_prefix("HTTP/1.1 ").or_else(|| head.strip_prefix("HTTP/1.0 "))?;
    rest.get(..3)?.parse().ok()
}

/// The value of header `name` (lower case) in `head`, the first when it repeats.
pub(super) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::Answer;

    /// Splits `wire` into answers by feeding it in pieces of `step` bytes: the length of each.
    fn answers(wire: &[u8], step: usize, bodiless: &[bool]) -> Vec<usize> {
        let mut lengths = Vec::new();
        let (mut at, mut start) = (0, 0);
        let mut current: Option<Answer> = None;
        while at < wire.len() {
            let answer = current.get_or_insert_with(|| {
                let text = std::str::from_utf8(&wire[at..]).unwrap_or("");
                let end = text.find("\r\n\r\n").expect("a head") + 4;
                Answer::new(&text[..end], end, bodiless[lengths.len()]).expect("framed")
            });
            let piece = &wire[at..(at + step).min(wire.len())];
            at += answer.take(piece);
            if answer.is_over() {
                lengths.push(at - start);
                start = at;
                current = None;
            }
        }
        lengths
    }

    #[test]
    fn answers_end_where_their_framing_says() {
        let sized = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let chunked = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nA;x=y\r\n0123456789\r\n0\r\n\r\n";
        let trailers =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n";
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n";
        let wire = [sized, chunked, trailers, head, sized].concat();
        let expected = vec![sized.len(), chunked.len(), trailers.len(), head.len(), sized.len()];
        for step in [1, 2, 7, 64, wire.len()] {
            assert_eq!(
                answers(wire.as_bytes(), step, &[false, false, false, true, false]),
                expected,
                "step {step}"
            );
        }
    }

    #[test]
    fn a_body_that_runs_to_the_close_has_no_end() {
        assert!(Answer::new("HTTP/1.1 200 OK\r\nX: y\r\n\r\n", 24, false).is_none());
        assert!(Answer::new("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 38, false).is_none());
        assert!(Answer::new("HTTP/1.1 204 No Content\r\n\r\n", 27, true).is_some());
    }
}
