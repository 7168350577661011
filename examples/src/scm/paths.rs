//! Where each host keeps a repository's tags and archives, and how it pages its tag lists.

use tfreg_core::scm::{RepositoryRef, ScmKind};

/// The public services' hosts, which a source may always name.
pub(super) const PUBLIC_HOSTS: &[&str] =
    &["api.github.com", "gitlab.com", "api.bitbucket.org", "bitbucket.org"];

/// The API root of a kind's public service.
pub(super) fn default_api(kind: ScmKind) -> &'static str {
    match kind {
        ScmKind::Github => "https://api.github.com",
        ScmKind::Gitlab => "https://gitlab.com/api/v4",
        ScmKind::Bitbucket => "https://api.bitbucket.org/2.0",
        // Data Center has no public service: a source names its own.
        ScmKind::BitbucketServer => "https://bitbucket.invalid",
    }
}

/// Which page of tags to read next.
#[derive(Clone, Debug)]
pub(super) enum TagPage {
    /// A page number (GitHub, GitLab), from 1.
    Number(usize),
    /// The URL the last answer named (Bitbucket Cloud's `next`).
    Url(String),
    /// An entry offset (Bitbucket Data Center's `start`).
    Start(u64),
}

impl TagPage {
    pub(super) fn first(kind: ScmKind) -> Self {
        match kind {
            ScmKind::BitbucketServer => TagPage::Start(0),
            _ => TagPage::Number(1),
        }
    }
}

fn encode(part: &str) -> String {
    form_urlencoded::byte_serialize(part.as_bytes()).collect()
}

/// `PROJECT/slug` of a Bitbucket Data Center repository.
fn project_slug(full_name: &str) -> (&str, &str) {
    full_name.split_once('/').unwrap_or((full_name, full_name))
}

/// The URL of a page of `repository`'s tags.
pub(super) fn tags(repository: &RepositoryRef, api: &str, page: &TagPage) -> String {
    let full = &repository.full_name;
    match (repository.kind, page) {
        (_, TagPage::Url(url)) => url.clone(),
        (ScmKind::Gitlab, TagPage::Number(n)) => {
            format!("{api}/projects/{}/repository/tags?per_page=100&page={n}", encode(full))
        }
        (ScmKind::Bitbucket, _) => format!("{api}/repositories/{full}/refs/tags?pagelen=100"),
        (ScmKind::BitbucketServer, page) => {
            let (project, slug) = project_slug(full);
            let start = match page {
                TagPage::Start(s) => *s,
                _ => 0,
            };
            format!("{api}/rest/api/latest/projects/{project}/repos/{slug}/tags?limit=100&start={start}")
        }
        (_, TagPage::Number(n)) => format!("{api}/repos/{full}/tags?per_page=100&page={n}"),
        (_, TagPage::Start(_)) => format!("{api}/repos/{full}/tags?per_page=100"),
    }
}

/// The tag names in one answer, and the page after it (`None`: the last).
pub(super) fn read_tags(
    kind: ScmKind,
    body: &serde_json::Value,
    page: &TagPage,
) -> (Vec<String>, Option<TagPage>) {
    let names = |list: Option<&Vec<serde_json::Value>>, field: &str| -> Vec<String> {
        list.map(|l| {
            l.iter().filter_map(|t| t.get(field).and_then(|n| n.as_str()).map(str::to_owned)).collect()
        })
        .unwrap_or_default()
    };
    match kind {
        ScmKind::Bitbucket => {
            let next = body.get("next").and_then(|n| n.as_str()).map(|u| TagPage::Url(u.to_owned()));
            (names(body.get("values").and_then(|v| v.as_array()), "name"), next)
        }
        ScmKind::BitbucketServer => {
            let last = body.get("isLastPage").and_then(|v| v.as_bool()).unwrap_or(true);
            let next =
                body.get("nextPageStart").and_then(|v| v.as_u64()).filter(|_| !last).map(TagPage::Start);
            (names(body.get("values").and_then(|v| v.as_array()), "displayId"), next)
        }
        _ => {
            let found = names(body.as_array(), "name");
            let next = match page {
                TagPage::Number(n) if found.len() >= 100 => Some(TagPage::Number(n + 1)),
                _ => None,
            };
            (found, next)
        }
    }
}

/// The URL of `repository`'s `.tar.gz` at `tag`, every file inside one top folder.
pub(super) fn archive(repository: &RepositoryRef, api: &str, tag: &str) -> String {
    let full = &repository.full_name;
    match repository.kind {
        ScmKind::Gitlab => {
            format!("{api}/projects/{}/repository/archive.tar.gz?sha={}", encode(full), encode(tag))
        }
        ScmKind::Bitbucket => {
            // Archives come from the web host, not the API's.
            let web = match repository.api_url.as_deref() {
                None => "https://bitbucket.org",
                Some(_) => api,
            };
            format!("{web}/{full}/get/{}.tar.gz", encode(tag))
        }
        ScmKind::BitbucketServer => {
            let (project, slug) = project_slug(full);
            format!(
                "{api}/rest/api/latest/projects/{project}/repos/{slug}/archive?at={}&format=tar.gz&prefix={}",
                encode(&format!("refs/tags/{tag}")),
                encode(&format!("{slug}/"))
            )
        }
        _ => format!("{api}/repos/{full}/tarball/{}", encode(tag)),
    }
}
