//! Which tier and namespaces a signed-in person gets, from the claims of their ID token: each
//! rule names a claim and a value (a claim that is a list matches when it holds the value);
//! the highest tier any matching rule grants wins, with the namespaces of the rules that grant
//! it (a rule without namespaces covers all). Without a match, the default applies, if any.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Role;
use crate::{Error, Result};

/// One claim mapping.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClaimRule {
    /// The claim (`groups`, `email`, `hd`, ...).
    pub claim: String,
    /// The value it must have (or hold, for a list).
    pub value: Value,
    /// `master`, `uploader` or `downloader`.
    pub tier: String,
    /// The namespaces granted; absent for all.
    #[serde(default)]
    pub namespaces: Option<Vec<String>>,
}

/// What everyone signed in gets when no rule matches.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DefaultGrant {
    /// `uploader` or `downloader`.
    pub tier: String,
    /// The namespaces granted; absent for all.
    #[serde(default)]
    pub namespaces: Option<Vec<String>>,
}

/// The rules file (`--oidc-rules`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClaimRules {
    /// The mappings, in any order.
    #[serde(default)]
    pub rules: Vec<ClaimRule>,
    /// The grant when none matches; absent: people no rule names are refused.
    #[serde(default)]
    pub default: Option<DefaultGrant>,
}

fn tier(name: &str) -> Result<Role> {
    Role::named(name).ok_or_else(|| {
        Error::bad_request(format!(
            "unknown tier {name:?} in a claim rule: use master, uploader or downloader"
        ))
    })
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Downloader => 0,
        Role::Uploader => 1,
        Role::Master => 2,
    }
}

/// Whether `claims[claim]` is (or holds) `value`.
fn matches(claims: &Value, rule: &ClaimRule) -> bool {
    match claims.get(&rule.claim) {
        Some(Value::Array(items)) => items.contains(&rule.value),
        Some(found) => *found == rule.value,
        None => false,
    }
}

impl ClaimRules {
    /// Checks every tier name.
    pub fn check(&self) -> Result<()> {
        for rule in &self.rules {
            tier(&rule.tier)?;
        }
        if let Some(default) = &self.default {
            if tier(&default.tier)? == Role::Master {
                return Err(Error::bad_request("the default grant cannot be master"));
            }
        }
        Ok(())
    }

    /// The tier and namespaces (lower-case; `None` for all) `claims` grant, with the rules
    /// that matched (`claim=value`), or a 403 when none does and there is no default.
    pub fn grant(&self, claims: &Value) -> Result<(Role, Option<Vec<String>>, Vec<String>)> {
        let matched: Vec<(&ClaimRule, Role)> = self
            .rules
            .iter()
            .filter(|r| matches(claims, r))
            .filter_map(|r| tier(&r.tier).ok().map(|t| (r, t)))
            .collect();
        let why: Vec<String> = matched.iter().map(|(r, _)| format!("{}={}", r.claim, r.value)).collect();
        let Some(best) = matched.iter().map(|(_, t)| *t).max_by_key(|t| rank(*t)) else {
            let default = self.default.as_ref().ok_or_else(|| {
                Error::forbidden(
                    "you signed in, but no claim rule of this registry grants you access; ask its operator",
                )
            })?;
            let namespaces =
                default.namespaces.as_ref().map(|n| n.iter().map(|s| s.to_ascii_lowercase()).collect());
            return Ok((tier(&default.tier)?, namespaces, vec!["default".to_owned()]));
        };
        let granting: Vec<&ClaimRule> = matched.iter().filter(|(_, t)| *t == best).map(|(r, _)| *r).collect();
        let namespaces = match best {
            Role::Master => None,
            _ if granting.iter().any(|r| r.namespaces.is_none()) => None,
            _ => {
                let mut all: Vec<String> = granting
                    .iter()
                    .flat_map(|r| r.namespaces.iter().flatten())
                    .map(|n| n.to_ascii_lowercase())
                    .collect();
                all.sort();
                all.dedup();
                Some(all)
            }
        };
        Ok((best, namespaces, why))
    }
}
