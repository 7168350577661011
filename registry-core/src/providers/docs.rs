//! A provider version's documentation: the `docs/` folder tfplugindocs writes
//! (`docs/index.md`, `docs/resources/*.md`, `docs/data-sources/*.md`, `docs/guides/*.md`, ...),
//! uploaded as a `.zip` or `.tar.gz` with `PUT /v1/providers/{ns}/{type}/{version}/docs`,
//! read with the module archive checks within small limits, rendered once (CommonMark, then
//! sanitised) and kept beside the packages under its content hash, named by the version's index
//! entry so the garbage collection keeps it as long as the version.

use bytes::Bytes;
use http::{Response, StatusCode};
use sha2::{Digest, Sha256};

use super::lifecycle::missing_version;
use super::ProviderService;
use crate::http::body::{check_upload, Body};
use crate::http::response;
use crate::modules::archive::{read_archive_files, ArchiveLimits, SourceFile};
use crate::protocol::{DocEntry, DocPage, DocsIndex, DocsRef, ProviderDocs};
use crate::storage::{layout, PutMode};
use crate::types::{ProviderAddress, Version};
use crate::{Error, Result};

/// What a docs bundle may hold: 2,000 entries, 512 KiB a file, 8 MiB in all.
pub const DOCS_LIMITS: ArchiveLimits =
    ArchiveLimits { max_entries: 2000, max_total_bytes: 8 << 20, max_file_bytes: 512 << 10, max_ratio: 200 };

/// The folders of `docs/` that hold pages, as tfplugindocs names them.
pub const CATEGORIES: [&str; 6] =
    ["resources", "data-sources", "ephemeral-resources", "functions", "guides", "list-resources"];

/// The category of `docs/index.md`.
pub const OVERVIEW: &str = "overview";

impl ProviderService {
    /// `PUT /v1/providers/{ns}/{type}/{version}/docs` with the bundle: 201 with the pages.
    pub(crate) async fn publish_docs(
        &self,
        local: &ProviderAddress,
        version: &Version,
        bundle: Bytes,
    ) -> Result<Response<Body>> {
        check_upload(&bundle, self.max_upload_bytes, "the docs/ folder as a .zip or .tar.gz")?;
        let addr = self.held_address(local).await?;
        let cached = self.cached(&addr).await?;
        if cached.as_ref().as_ref().and_then(|i| i.get(version)).is_none() {
            return Err(missing_version(&addr, version));
        }
        let docs = tokio::task::spawn_blocking(move || read_bundle(&bundle)).await??;
        let body =
            serde_json::to_vec(&docs).map_err(|e| Error::internal_with("cannot encode provider docs", e))?;
        let reference = DocsRef {
            sha256: hex::encode(Sha256::digest(&body)),
            size: body.len() as u64,
            pages: docs.pages.len(),
        };
        let key = layout::provider_docs(&addr, version, &reference.sha256);
        match self.storage.put(&key, Bytes::from(body), PutMode::Create).await {
            Ok(_) | Err(crate::storage::StorageError::AlreadyExists { .. }) => {}
            Err(err) => return Err(err.into()),
        }
        self.update(&addr, |index| {
            let entry = index
                .versions
                .iter_mut()
                .find(|v| v.version == *version)
                .ok_or_else(|| missing_version(&addr, version))?;
            entry.docs = Some(reference.clone());
            Ok(())
        })
        .await?;
        tracing::info!(provider = %addr, %version, pages = reference.pages, "provider docs published");
        Ok(response::json(StatusCode::CREATED, &self.docs_index(local, version, &docs)))
    }

    /// `GET /v1/providers/{ns}/{type}/{version}/docs`: the pages.
    pub(crate) async fn docs(&self, local: &ProviderAddress, version: &Version) -> Result<Response<Body>> {
        let docs = self.load_docs(local, version).await?;
        Ok(response::json(StatusCode::OK, &self.docs_index(local, version, &docs)))
    }

    /// `GET /v1/providers/{ns}/{type}/{version}/docs/{category}/{slug}`: one page.
    pub(crate) async fn doc_page(
        &self,
        local: &ProviderAddress,
        version: &Version,
        category: &str,
        slug: &str,
    ) -> Result<Response<Body>> {
        let docs = self.load_docs(local, version).await?;
        let page =
            docs.pages.iter().find(|p| p.category == category && p.slug == slug).ok_or_else(|| {
                Error::not_found(format!("{local} {version} has no page {category}/{slug}"))
            })?;
        Ok(response::json(StatusCode::OK, page))
    }

    async fn load_docs(&self, local: &ProviderAddress, version: &Version) -> Result<ProviderDocs> {
        let addr = self.held_address(local).await?;
        let cached = self.cached(&addr).await?;
        let entry = cached
            .as_ref()
            .as_ref()
            .and_then(|i| i.get(version))
            .ok_or_else(|| missing_version(&addr, version))?;
        let reference = entry.docs.as_ref().ok_or_else(|| {
            Error::not_found(format!(
                "{addr} {version} has no documentation; upload docs/ to .../{version}/docs"
            ))
        })?;
        let key = layout::provider_docs(&addr, version, &reference.sha256);
        crate::storage::read_json(self.storage.as_ref(), &key, "provider docs").await?.ok_or_else(|| {
            Error::internal(format!("the documentation of {addr} {version} is missing from the store"))
        })
    }

    fn docs_index(&self, local: &ProviderAddress, version: &Version, docs: &ProviderDocs) -> DocsIndex {
        let pages = docs
            .pages
            .iter()
            .map(|p| DocEntry {
                category: p.category.clone(),
                slug: p.slug.clone(),
                title: p.title.clone(),
                subcategory: p.subcategory.clone(),
                description: p.description.clone(),
                url: self
                    .links
                    .to(&format!("/v1/providers/{local}/{version}/docs/{}/{}", p.category, p.slug)),
            })
            .collect();
        DocsIndex { pages }
    }
}

/// Reads a bundle into pages within [`DOCS_LIMITS`] (see [`read_bundle_within`]).
pub fn read_bundle(bundle: &[u8]) -> Result<ProviderDocs> {
    read_bundle_within(bundle, &DOCS_LIMITS)
}

/// Reads a bundle into pages: 400 for what is not an archive, breaks `limits`, has no page, or
/// has a page that is not UTF-8 text. Files outside `docs/` or not pages are named in
/// `skipped`.
pub fn read_bundle_within(bundle: &[u8], limits: &ArchiveLimits) -> Result<ProviderDocs> {
    let files = read_archive_files(bundle, limits)
        .map_err(|e| Error::bad_request(format!("the docs bundle: {e}")))?;
    let mut docs = ProviderDocs::default();
    for SourceFile { path, bytes } in files {
        let Some((category, slug)) = page_of(&path) else {
            docs.skipped.push(path);
            continue;
        };
        let text =
            String::from_utf8(bytes).map_err(|_| Error::bad_request(format!("{path} is not UTF-8 text")))?;
        docs.pages.push(page(category, slug, &text));
    }
    if docs.pages.is_empty() {
        return Err(Error::bad_request(
            "the docs bundle has no pages: expected docs/index.md or docs/{resources,data-sources,guides,...}/NAME.md (the tfplugindocs layout)",
        ));
    }
    docs.pages.sort_by(|a, b| (&a.category, &a.slug).cmp(&(&b.category, &b.slug)));
    Ok(docs)
}

/// The category and slug of a page's path, `None` for a file that is not a page.
fn page_of(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("docs/")?;
    if rest == "index.md" || rest == "index.html.markdown" {
        return Some((OVERVIEW, "index"));
    }
    let (category, file) = rest.split_once('/')?;
    let slug = file.strip_suffix(".md").or_else(|| file.strip_suffix(".html.markdown"))?;
    let valid = !slug.is_empty()
        && slug.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    (CATEGORIES.contains(&category) && valid).then_some((category, slug))
}

/// A page from its text: front matter read and removed, rendered.
fn page(category: &str, slug: &str, text: &str) -> DocPage {
    let (front, markdown) = split_front_matter(text);
    let field = |name: &str| front_field(front, name);
    let heading = || markdown.lines().find_map(|l| l.strip_prefix("# ")).map(|h| h.trim().to_owned());
    DocPage {
        category: category.to_owned(),
        slug: slug.to_owned(),
        title: field("page_title").or_else(heading).unwrap_or_else(|| slug.to_owned()),
        subcategory: field("subcategory"),
        description: field("description"),
        html: crate::modules::docs::readme::to_html(markdown),
        markdown: markdown.to_owned(),
    }
}

/// A `name: value` of front matter, quotes removed; a block (`name: |-` and indented lines
/// after it) joined with spaces; `None` when empty or missing.
fn front_field(front: &str, name: &str) -> Option<String> {
    let mut lines = front.lines();
    let value = lines.find_map(|line| line.strip_prefix(name)?.strip_prefix(':').map(str::trim))?;
    let value = if matches!(value, "|" | "|-" | ">" | ">-") {
        let block: Vec<&str> =
            lines.take_while(|l| l.starts_with([' ', '\t']) || l.is_empty()).map(str::trim).collect();
        block.join(" ").trim().to_owned()
    } else {
        value.trim_matches(|c| c == '"' || c == '\'').trim().to_owned()
    };
    (!value.is_empty()).then_some(value)
}

/// The YAML front matter between `---` lines at the start, and the rest.
fn split_front_matter(text: &str) -> (&str, &str) {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return ("", text);
    };
    match rest.find("\n---") {
        Some(end) => {
            let after = &rest[end + 4..];
            (&rest[..end], after.strip_prefix("\r\n").or_else(|| after.strip_prefix('\n')).unwrap_or(after))
        }
        None => ("", text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_from_the_tfplugindocs_layout() {
        assert_eq!(page_of("docs/index.md"), Some((OVERVIEW, "index")));
        assert_eq!(page_of("docs/resources/instance.md"), Some(("resources", "instance")));
        assert_eq!(page_of("docs/data-sources/ami.html.markdown"), Some(("data-sources", "ami")));
        assert_eq!(page_of("docs/resources/deep/x.md"), None);
        assert_eq!(page_of("docs/images/logo.png"), None);
        assert_eq!(page_of("docs/widgets/x.md"), None);
        assert_eq!(page_of("README.md"), None);

        let text = "---\npage_title: \"acme_thing Resource - acme\"\nsubcategory: \"\"\ndescription: |-\n  Makes a thing.\n---\n\n# acme_thing\n\n<script>alert(1)</script>\n\nMakes **a thing**.\n";
        let page = page("resources", "thing", text);
        assert_eq!(page.title, "acme_thing Resource - acme");
        assert_eq!(page.subcategory, None);
        assert_eq!(page.description.as_deref(), Some("Makes a thing."));
        assert!(page.markdown.starts_with("\n# acme_thing"), "{:?}", page.markdown);
        assert!(
            page.html.contains("<strong>a thing</strong>") && !page.html.contains("script"),
            "{}",
            page.html
        );
        assert_eq!(super::page("guides", "start", "No heading.").title, "start");
        assert_eq!(super::page("guides", "start", "# Getting started\n").title, "Getting started");
    }
}
