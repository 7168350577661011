//! Text from parsers and uploads, made fit to quote in an error message.

/// The most characters of a parser's message quoted in an error.
const MAX_DETAIL_CHARS: usize = 200;

/// `detail` (what a parser of untrusted bytes reported) as one short, printable line: anything
/// after a dump of the input (`input: [65, 65, ...]`, which some parsers append) is dropped,
/// control and non-ASCII characters are escaped, and the rest is cut at 200 characters.
pub(crate) fn printable_detail(detail: &str) -> String {
    let cut = ["input: [", "input: \"", "remaining: [", "Error(Error {", "Error { input"]
        .iter()
        .filter_map(|marker| detail.find(marker))
        .min()
        .map_or(detail, |at| detail[..at].trim_end_matches([' ', ',', ':', '(', '{']));
    let mut out = String::with_capacity(cut.len().min(MAX_DETAIL_CHARS));
    for (count, c) in cut.chars().enumerate() {
        if count == MAX_DETAIL_CHARS {
            out.push('…');
            break;
        }
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.extend(c.escape_default());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::printable_detail;

    #[test]
    fn dumps_are_dropped_and_garbage_is_escaped_and_cut() {
        assert_eq!(printable_detail("bad footer, input: [65, 65, 65]"), "bad footer");
        assert_eq!(printable_detail("armor footer Error(Error { input: [45], code: Tag })"), "armor footer");
        assert_eq!(printable_detail("numeric field \u{1}\u{7f}é"), "numeric field \\u{1}\\u{7f}\\u{e9}");
        let long = "x".repeat(500);
        assert_eq!(printable_detail(&long).chars().count(), 201);
        assert_eq!(printable_detail("line\nbreak"), "line\\nbreak");
    }
}
