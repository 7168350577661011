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
/// and no `javascript:` URL in any tag. Text is escaped (`&lt;`), so every `<` opens a tag;
/// attribute values are quoted, so names are read outside quotes.
fn check_html(html: &str) {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default().to_ascii_lowercase();
        let element =
            tag.trim_start_matches('/').split(|c: char| c.is_whitespace()).next().unwrap_or_default();
        assert!(element != "script" && element != "style", "a {element} element: {html}");
        assert!(!tag.contains("javascript:"), "a javascript: URL in <{tag}>: {html}");
        let mut quoted = None;
        let mut name = String::new();
        for c in tag.chars() {
            match (quoted, c) {
                (Some(q), c) if c == q => quoted = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quoted = Some(c),
                (None, '=') => {
                    assert!(!name.starts_with("on"), "an event handler {name:?} in <{tag}>: {html}");
                    name.clear();
                }
                (None, c) if c.is_whitespace() => name.clear(),
                (None, c) => name.push(c),
            }
        }
    }
}
