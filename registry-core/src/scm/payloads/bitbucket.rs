//! Bitbucket's push events, named by `X-Event-Key`: Cloud's `repo:push` (tags in
//! `push.changes[].new` with `type: "tag"`) and Data Center's `repo:refs_changed` (tags in
//! `changes[]` with `ref.type: "TAG"`), and Data Center's `diagnostics:ping`. Shaped from
//! "Event payloads" in each product's docs. One push may create several tags.

use serde::Deserialize;

use super::{parse, tag_of, Event};
use crate::scm::client::RepositoryInfo;
use crate::Result;

#[derive(Deserialize)]
struct CloudRepository {
    full_name: String,
    name: String,
}

#[derive(Deserialize)]
struct CloudRef {
    #[serde(rename = "type")]
    kind: String,
    name: String,
}

#[derive(Deserialize)]
struct CloudChange {
    #[serde(default)]
    new: Option<CloudRef>,
    #[serde(default)]
    old: Option<CloudRef>,
}

#[derive(Deserialize)]
struct CloudPush {
    changes: Vec<CloudChange>,
}

#[derive(Deserialize)]
struct CloudEvent {
    repository: CloudRepository,
    push: CloudPush,
}

#[derive(Deserialize)]
struct ServerProject {
    key: String,
}

#[derive(Deserialize)]
struct ServerRepository {
    slug: String,
    project: ServerProject,
}

#[derive(Deserialize)]
struct ServerRef {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ServerChange {
    #[serde(rename = "ref")]
    reference: ServerRef,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ServerEvent {
    repository: ServerRepository,
    changes: Vec<ServerChange>,
}

/// The events a Bitbucket delivery of `event` (`X-Event-Key`) with `body` asks for.
pub(crate) fn events(event: &str, body: &[u8]) -> Result<Vec<Event>> {
    Ok(match event {
        "diagnostics:ping" => vec![Event::Ping],
        "repo:push" => {
            let e: CloudEvent = parse(body, event)?;
            let repository = RepositoryInfo {
                name: e.repository.name,
                full_name: e.repository.full_name,
                archived: false,
            };
            e.push
                .changes
                .into_iter()
                .filter_map(|change| match (change.new, change.old) {
                    (Some(new), _) if new.kind == "tag" => {
                        Some(Event::Tag { installation: None, repository: repository.clone(), tag: new.name })
                    }
                    (None, Some(old)) if old.kind == "tag" => {
                        Some(Event::TagDeleted { repository: repository.clone(), tag: old.name })
                    }
                    _ => None,
                })
                .collect()
        }
        "repo:refs_changed" => {
            let e: ServerEvent = parse(body, event)?;
            let full_name = format!("{}/{}", e.repository.project.key, e.repository.slug);
            let repository = RepositoryInfo { name: e.repository.slug, full_name, archived: false };
            e.changes
                .into_iter()
                .filter(|c| c.reference.kind.eq_ignore_ascii_case("tag"))
                .filter_map(|c| {
                    let tag = tag_of(&c.reference.id)?.to_owned();
                    Some(match c.kind.as_str() {
                        "DELETE" => Event::TagDeleted { repository: repository.clone(), tag },
                        "ADD" => Event::Tag { installation: None, repository: repository.clone(), tag },
                        // A tag moved: a published version never changes.
                        _ => return None,
                    })
                })
                .collect()
        }
        other => vec![Event::Ignored(format!(
            "Bitbucket event {:?} is not a push (send repository push / refs changed events)",
            crate::types::truncate(other)
        ))],
    })
}
