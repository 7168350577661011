//! GitLab's tag push hook (`X-Gitlab-Event: Tag Push Hook`, `object_kind: tag_push`), shaped
//! from "Webhook events" in GitLab's docs. A tag deleted has `after` all zeros.

use serde::Deserialize;

use super::{parse, tag_of, Event};
use crate::scm::client::RepositoryInfo;
use crate::Result;

#[derive(Deserialize)]
struct Project {
    path_with_namespace: String,
}

#[derive(Deserialize)]
struct TagPush {
    object_kind: String,
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    after: String,
    project: Project,
}

/// The event a GitLab delivery of `event` (`X-Gitlab-Event`) with `body` asks for.
pub(crate) fn event(event: &str, body: &[u8]) -> Result<Event> {
    if event != "Tag Push Hook" {
        return Ok(Event::Ignored(format!(
            "GitLab event {:?} is not a tag push (send Tag push events)",
            crate::types::truncate(event)
        )));
    }
    let push: TagPush = parse(body, event)?;
    if push.object_kind != "tag_push" {
        return Ok(Event::Ignored(format!(
            "object_kind {:?} is not tag_push",
            crate::types::truncate(&push.object_kind)
        )));
    }
    let full_name = push.project.path_with_namespace;
    let name = full_name.rsplit('/').next().unwrap_or_default().to_owned();
    let repository = RepositoryInfo { name, full_name, archived: false };
    let Some(tag) = tag_of(&push.reference).map(str::to_owned) else {
        return Ok(Event::Ignored("a tag push without a refs/tags/ reference".to_owned()));
    };
    Ok(match push.after.bytes().all(|b| b == b'0') {
        true => Event::TagDeleted { repository, tag },
        false => Event::Tag { installation: None, repository, tag },
    })
}
