//! A source-control host for the tests: repositories with tags, each tag a tree served as a
//! `.tar.gz` with one top folder (as GitHub's tarball API makes it); it can be told to fail.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use tfreg_core::modules::external::fetch::FetchError;
use tfreg_core::scm::{RepositoryAccess, RepositoryInfo, RepositoryRef, ScmClient};
use tfreg_testkit::tar_gz_under;

type Tree = Vec<(String, String)>;

#[derive(Debug, Default)]
pub(crate) struct Host {
    /// full name (lower-case) -> tag -> files
    repos: Mutex<BTreeMap<String, BTreeMap<String, Tree>>>,
    /// Repositories the installation may read.
    installed: Mutex<Vec<RepositoryInfo>>,
    /// Archive fetches to fail, one each.
    failures: Mutex<u32>,
    /// What was fetched: (full name, tag, access).
    pub(crate) fetched: Mutex<Vec<(String, String, String)>>,
}

/// A module's files at `tag`, naming the tag so each version differs.
pub(crate) fn module(tag: &str) -> Tree {
    vec![
        ("main.tf".to_owned(), format!("output \"tag\" {{ value = \"{tag}\" }}\n")),
        ("README.md".to_owned(), format!("# Module at {tag}\n")),
    ]
}

impl Host {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub(crate) fn tag(&self, full_name: &str, tag: &str, tree: Tree) {
        self.repos
            .lock()
            .unwrap()
            .entry(full_name.to_ascii_lowercase())
            .or_default()
            .insert(tag.to_owned(), tree);
    }

    pub(crate) fn install(&self, full_name: &str) {
        let name = full_name.rsplit('/').next().unwrap().to_owned();
        self.installed.lock().unwrap().push(RepositoryInfo {
            name,
            full_name: full_name.to_owned(),
            archived: false,
        });
    }

    pub(crate) fn fail_next_archive(&self) {
        *self.failures.lock().unwrap() += 1;
    }
}

#[async_trait]
impl ScmClient for Host {
    async fn installation_account(&self, _installation: u64) -> Result<String, FetchError> {
        Ok("acme".to_owned())
    }

    async fn installation_repositories(&self, _installation: u64) -> Result<Vec<RepositoryInfo>, FetchError> {
        Ok(self.installed.lock().unwrap().clone())
    }

    async fn tags(&self, repository: &RepositoryRef) -> Result<Vec<String>, FetchError> {
        let repos = self.repos.lock().unwrap();
        Ok(repos
            .get(&repository.full_name.to_ascii_lowercase())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default())
    }

    async fn archive(&self, repository: &RepositoryRef, tag: &str, _limit: u64) -> Result<Bytes, FetchError> {
        let access = match &repository.access {
            RepositoryAccess::Installation(id) => format!("installation {id}"),
            RepositoryAccess::Token(t) => format!("token {t}"),
            RepositoryAccess::Anonymous => "anonymous".to_owned(),
        };
        self.fetched.lock().unwrap().push((repository.full_name.clone(), tag.to_owned(), access));
        {
            let mut failures = self.failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(FetchError::Failed(format!("{} answered 502 Bad Gateway", repository.full_name)));
            }
        }
        let repos = self.repos.lock().unwrap();
        let tree = repos
            .get(&repository.full_name.to_ascii_lowercase())
            .and_then(|t| t.get(tag))
            .ok_or_else(|| FetchError::Failed(format!("{}: no tag {tag} (404)", repository.full_name)))?;
        let files: Vec<(&str, &str)> = tree.iter().map(|(n, c)| (n.as_str(), c.as_str())).collect();
        let top = format!("{}-6113728/", repository.full_name.replace('/', "-"));
        Ok(Bytes::from(tar_gz_under(&top, &files)))
    }
}
