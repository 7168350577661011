//! The `module_docs` target: reading a module's documentation from its HCL, `.tf.json` and
//! README files.

use super::Verdict;
use crate::modules::archive::{SourceFile, Sources};
use crate::modules::docs::extract;
use crate::protocol::ModulePart;

/// Checks [`extract`] on the files in `data`: files are separated by NUL bytes, each its path,
/// a newline and its contents (no newline: the contents of `main.tf`).
///
/// - extraction never panics, hangs or overflows the stack, and gives the same documentation
///   twice;
/// - every part lies at the root, in `modules/*` or in `examples/*`; inputs come required
///   first, and an input is required exactly when it has no default; `empty` means nothing is
///   declared;
/// - the README's HTML holds no script or style element, event handler or `javascript:` URL
///   in any tag (text may say anything, escaped);
/// - the document survives a JSON round trip.
///
/// Accepted when every file was read, refused when some part names a problem.
pub fn check_module_docs(data: &[u8]) -> Verdict {
    let files = data.split(|&b| b == 0).take(16).map(|file| match file.iter().position(|&b| b == b'\n') {
        Some(at) => SourceFile {
            path: String::from_utf8_lossy(&file[..at]).into_owned(),
            bytes: file[at + 1..].to_vec(),
        },
        None => SourceFile { path: "main.tf".to_owned(), bytes: file.to_vec() },
    });
    let sources = Sources::from_files(files);
    let docs = extract(&sources);
    assert_eq!(extract(&sources), docs, "extraction is not deterministic");
    let parts: Vec<&ModulePart> =
        std::iter::once(&docs.root).chain(&docs.submodules).chain(&docs.examples).collect();
    for part in &parts {
        check_part(part);
    }
    let encoded = serde_json::to_vec(&docs).expect("documentation encodes");
    assert_eq!(serde_json::from_slice::<crate::protocol::ModuleDocs>(&encoded).ok().as_ref(), Some(&docs));
    if parts.iter().any(|p| !p.problems.is_empty()) {
        Verdict::Refused
    } else {
        Verdict::Accepted
    }
}

fn check_part(part: &ModulePart) {
    let folder_ok = part.path.is_empty()
        || ["modules/", "examples/"].iter().any(|top| {
            part.path.strip_prefix(top).is_some_and(|name| !name.is_empty() && !name.contains('/'))
        });
    assert!(folder_ok, "a part at {:?}", part.path);
    assert!(part.inputs.windows(2).all(|w| w[0].required >= w[1].required), "inputs not required first");
    assert!(part.inputs.iter().all(|i| i.required == i.default.is_none()));
    let declares = !(part.inputs.is_empty()
        && part.outputs.is_empty()
        && part.dependencies.is_empty()
        && part.resources.is_empty()
        && part.data_sources.is_empty());
    assert_eq!(part.empty, !declares);
    check_html(&part.readme_html);
}

/// Asserts that sanitised `html` has no script or style element, no event handler attribute
/// and no URL attribute whose scheme is `javascript:` (after decoding character references, as
/// browsers read it). Text is escaped (`&lt;`), so every `<` opens a tag.
pub(super) fn check_html(html: &str) {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let element = tag.trim_start_matches('/').split(char::is_whitespace).next().unwrap_or_default();
        let element = element.to_ascii_lowercase();
        assert!(element != "script" && element != "style", "a {element} element: {html}");
        for (name, value) in attributes(tag) {
            assert!(!name.starts_with("on"), "an event handler {name:?} in <{tag}>: {html}");
            // As the URL standard reads it: tabs and newlines dropped anywhere, C0 controls and
            // spaces trimmed from the ends; any other control inside the scheme ends it.
            let decoded = decode(&value);
            let trimmed = decoded.trim_matches(|c: char| c <= ' ');
            let url: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
            assert!(
                !url.to_ascii_lowercase().starts_with("javascript:"),
                "a javascript: URL in <{tag}>: {html}"
            );
        }
    }
}

/// The `name="value"` attributes of a tag's text (names lower case).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag.split_once(char::is_whitespace).map_or("", |(_, r)| r);
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].split_whitespace().last().unwrap_or_default().to_ascii_lowercase();
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => after[1..].split_once(q).unwrap_or((&after[1..], "")),
            _ => after.split_once(char::is_whitespace).unwrap_or((after, "")),
        };
        found.push((name, value.to_owned()));
        rest = tail;
    }
    found
}

/// `text` with its character references (`&#106;`, `&#x6a;`, `&amp;`, `&colon;` ...) decoded.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let code = match entity.strip_prefix('#') {
                Some(n) => match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                },
                None => match entity {
                    "amp" => Some('&' as u32),
                    "quot" => Some('"' as u32),
                    "lt" => Some('<' as u32),
                    "gt" => Some('>' as u32),
                    "colon" => Some(':' as u32),
                    "Tab" => Some('\t' as u32),
                    "NewLine" => Some('\n' as u32),
                    _ => None,
                },
            };
            code.and_then(char::from_u32).map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::check_html;

    #[test]
    fn the_html_check_tells_links_from_text() {
        check_html("<p>&lt;a href=\"javascript:x\"&gt; text</p><a href=\"bbb&quot;javascript:x\">y</a>");
        // A control inside the scheme makes it no scheme: a relative link.
        check_html("<a href=\"javascrip\u{6}t:x\">y</a>");
        for unsafe_html in [
            "<script>x</script>",
            "<a href=\"javascript:x\">y</a>",
            "<a href=\" &#106;ava&#x73;cript&colon;x\">y</a>",
            "<a href=\"&#1;java&#9;scri&#10;pt:x\">y</a>",
            "<img src=x onerror=\"x()\">",
            "<STYLE>p{}</STYLE>",
        ] {
            let caught = std::panic::catch_unwind(|| check_html(unsafe_html)).is_err();
            assert!(caught, "{unsafe_html} passes");
        }
    }
}
