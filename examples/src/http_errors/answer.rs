//! The JSON body given to an error answer actix's HTTP/1 layer made up.

use super::framing::header;

/// The answer whose `head` (through its blank line) has `status`, with a JSON body, when it is a
/// bodiless error answer the HTTP layer made up.
pub(super) fn with_json_body(head: &str, status: u16) -> Option<Vec<u8>> {
    let head = head.strip_suffix("\r\n\r\n")?;
    if status < 400 || header(head, "content-type").is_some() || header(head, "content-length") != Some("0") {
        return None;
    }
    let message = match status {
        400 => "the request is not valid HTTP/1.1: a malformed request line or header, or a byte a URL may not hold (encode the path with %XX)",
        408 => "the request head did not arrive in time; send the whole request line and headers at once",
        413 => "the request body is larger than the server accepts",
        431 => "the request head (request line and headers) is larger than the server accepts",
        500 => "the connection broke off in the middle of a request",
        _ => return None,
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
    use super::super::framing::status;

    /// The rewrite of a whole answer, as `JsonErrors` reads it.
    fn with_json_body(answer: &[u8]) -> Option<Vec<u8>> {
        let head = std::str::from_utf8(answer).ok()?;
        super::with_json_body(head, status(head)?)
    }

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
