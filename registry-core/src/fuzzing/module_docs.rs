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
/// - the README's HTML holds no script element and no `javascript:` link;
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
    let html = part.readme_html.to_ascii_lowercase();
    assert!(!html.contains("<script") && !html.contains("javascript:"), "unsafe README HTML: {html}");
}
