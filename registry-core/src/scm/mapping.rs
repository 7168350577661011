//! Which modules a repository holds and which of its tags are versions: a repository named
//! `<prefix><system>-<name>` (prefix `terraform-` by default) is module `<name>` for system
//! `<system>`, tagged `1.2.0` or `v1.2.0`; a monorepo is listed with its modules, each a
//! subdirectory with its own tag pattern (`network-v{version}`).

use crate::protocol::{ModuleRule, MonorepoRule};
use crate::types::{ModuleAddress, Name, Version};
use crate::{Error, Result};

/// The placeholder a tag pattern names the version with.
const PLACEHOLDER: &str = "{version}";

/// The tags that are versions: the text around `{version}`, with the version a Terraform
/// version; without a pattern, the version alone or after a `v`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagPattern {
    prefix: String,
    suffix: String,
    /// The default: an optional `v` before the version.
    optional_v: bool,
}

impl Default for TagPattern {
    fn default() -> Self {
        Self { prefix: String::new(), suffix: String::new(), optional_v: true }
    }
}

impl TagPattern {
    /// Reads a pattern with exactly one `{version}` (`network-v{version}`).
    pub fn parse(pattern: &str) -> Result<Self> {
        let Some((prefix, suffix)) = pattern.split_once(PLACEHOLDER) else {
            return Err(Error::bad_request(format!(
                "the tag pattern {pattern:?} must hold {PLACEHOLDER}, as in \"network-v{PLACEHOLDER}\""
            )));
        };
        if suffix.contains(PLACEHOLDER) || pattern.len() > 200 || pattern.chars().any(char::is_control) {
            return Err(Error::bad_request(format!(
                "the tag pattern {pattern:?} must hold {PLACEHOLDER} once, in at most 200 characters"
            )));
        }
        Ok(Self { prefix: prefix.to_owned(), suffix: suffix.to_owned(), optional_v: false })
    }

    /// The version `tag` names, when it matches.
    pub fn version(&self, tag: &str) -> Option<Version> {
        let inner = tag.strip_prefix(&self.prefix)?.strip_suffix(&self.suffix)?;
        let inner = match self.optional_v {
            true => inner.strip_prefix('v').unwrap_or(inner),
            false => inner,
        };
        Version::parse(inner).ok()
    }
}

/// One module a repository maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedModule {
    /// The module's address.
    pub addr: ModuleAddress,
    /// Its subdirectory in the repository (`None`: the root).
    pub path: Option<String>,
    /// The tags that are its versions.
    pub pattern: TagPattern,
}

impl MappedModule {
    /// The module in namespace `namespace` a rule describes, checked.
    pub fn from_rule(namespace: &str, rule: &ModuleRule) -> Result<Self> {
        let addr = ModuleAddress::parse(namespace, &rule.name, &rule.system)?;
        let path = match rule.path.as_deref().map(|p| p.trim_matches('/')) {
            None | Some("") => None,
            Some(path) => {
                let ok = path.len() <= 512
                    && path.split('/').all(|part| {
                        !part.is_empty()
                            && part != "."
                            && part != ".."
                            && part != "*"
                            && !part.chars().any(|c| c.is_control() || c == '\\')
                    });
                if !ok {
                    return Err(Error::bad_request(format!(
                        "the module path {path:?} must be a relative folder such as \"modules/network\""
                    )));
                }
                Some(path.to_owned())
            }
        };
        let pattern = rule.tag_pattern.as_deref().map(TagPattern::parse).transpose()?.unwrap_or_default();
        Ok(Self { addr, path, pattern })
    }

    /// The subdirectory of a host's archive the module is, below its one top folder.
    pub(crate) fn archive_subdir(&self) -> String {
        match &self.path {
            None => "*".to_owned(),
            Some(path) => format!("*/{path}"),
        }
    }

    /// Its rule, as the API shows it.
    pub(crate) fn rule(&self) -> ModuleRule {
        ModuleRule {
            name: self.addr.name.as_str().to_owned(),
            system: self.addr.system.as_str().to_owned(),
            path: self.path.clone(),
            tag_pattern: match self.pattern.optional_v {
                true => None,
                false => Some(format!("{}{PLACEHOLDER}{}", self.pattern.prefix, self.pattern.suffix)),
            },
        }
    }
}

/// How repositories map to modules for a GitHub App: by name, and the monorepos listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryRules {
    /// What a module repository's name starts with (`terraform-`; a team may keep
    /// `tfreg-terraform-` for its private registry apart from its public modules).
    pub prefix: String,
    /// Repositories that hold several modules, matched before names are read.
    pub monorepos: Vec<MonorepoRule>,
}

impl Default for RepositoryRules {
    fn default() -> Self {
        Self { prefix: "terraform-".to_owned(), monorepos: Vec::new() }
    }
}

impl RepositoryRules {
    /// Checks every monorepo rule (any namespace will do: the rules name no namespace).
    pub fn check(&self) -> Result<()> {
        for monorepo in &self.monorepos {
            for rule in &monorepo.modules {
                MappedModule::from_rule("check", rule)?;
            }
        }
        Ok(())
    }

    /// The modules the repository `name` (full name `full_name`) holds in `namespace`: a
    /// monorepo's, or the one its name gives; none for other repositories.
    pub fn modules(&self, namespace: &str, name: &str, full_name: &str) -> Vec<MappedModule> {
        let listed = self.monorepos.iter().find(|m| {
            m.repository.eq_ignore_ascii_case(name) || m.repository.eq_ignore_ascii_case(full_name)
        });
        match listed {
            Some(monorepo) => {
                monorepo.modules.iter().filter_map(|r| MappedModule::from_rule(namespace, r).ok()).collect()
            }
            None => by_name(&self.prefix, namespace, name).into_iter().collect(),
        }
    }
}

/// The module a repository named `<prefix><system>-<name>` is.
pub fn by_name(prefix: &str, namespace: &str, repository: &str) -> Option<MappedModule> {
    let rest = repository.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix))?;
    let rest = &repository[rest.len()..];
    let (system, name) = rest.split_once('-')?;
    let addr = ModuleAddress::parse(namespace, name, &system.to_ascii_lowercase()).ok()?;
    Some(MappedModule { addr, path: None, pattern: TagPattern::default() })
}

/// The namespace a GitHub account's login names, checked.
pub(crate) fn namespace_of(login: &str) -> Result<Name> {
    Name::parse(login, "namespace")
}
