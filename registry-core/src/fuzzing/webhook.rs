//! The `webhook` target: webhook deliveries as the hosts send them. The first byte picks the
//! host and event (see [`WEBHOOK_EVENTS`]), the rest is the body.

use super::{assert_explained, Verdict};
use crate::scm::payloads::{self, Event};
use crate::scm::signature;

/// The `(host, event header)` pairs the first byte picks from (modulo their count).
pub const WEBHOOK_EVENTS: &[(&str, &str)] = &[
    ("github", "installation"),
    ("github", "installation_repositories"),
    ("github", "create"),
    ("github", "push"),
    ("github", "release"),
    ("github", "repository"),
    ("github", "ping"),
    ("gitlab", "Tag Push Hook"),
    ("bitbucket", "repo:push"),
    ("bitbucket", "repo:refs_changed"),
    ("bitbucket", "diagnostics:ping"),
    ("github", "star"),
];

/// Checks one delivery. Reading never panics and a refusal explains itself; every tag an
/// accepted delivery names is non-empty and every repository has a full name; the body's
/// signature with a secret is accepted, and refused for any other body or secret.
pub fn check_webhook(input: &[u8]) -> Verdict {
    let Some((&selector, body)) = input.split_first() else { return Verdict::Refused };
    let (host, event) = WEBHOOK_EVENTS[usize::from(selector) % WEBHOOK_EVENTS.len()];
    let secret = b"fuzz-webhook-secret";
    let signed = signature::sign(secret, body);
    assert!(signature::check_hmac(secret, body, Some(&signed), "X-Hub-Signature-256").is_ok());
    let other = signature::check_hmac(b"another-secret", body, Some(&signed), "X-Hub-Signature-256");
    assert!(other.is_err(), "a signature with another secret is refused");
    let mut changed = body.to_vec();
    changed.push(b' ');
    assert!(signature::check_hmac(secret, &changed, Some(&signed), "X-Hub-Signature-256").is_err());
    let events = match host {
        "github" => payloads::github::event(event, body).map(|e| vec![e]),
        "gitlab" => payloads::gitlab::event(event, body).map(|e| vec![e]),
        _ => payloads::bitbucket::events(event, body),
    };
    let events = match events {
        Ok(events) => events,
        Err(err) => {
            assert!(err.status().is_client_error(), "{err}");
            assert_explained(&err);
            return Verdict::Refused;
        }
    };
    for event in &events {
        match event {
            Event::Tag { repository, tag, .. } | Event::TagDeleted { repository, tag } => {
                assert!(!tag.is_empty(), "an empty tag from {event:?}");
                assert!(!repository.full_name.is_empty() || host == "github", "no repository in {event:?}");
            }
            Event::Ignored(why) => assert!(!why.is_empty()),
            _ => {}
        }
    }
    Verdict::Accepted
}
