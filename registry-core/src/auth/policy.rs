//! The built-in authorizer: rights by [`Role`], limited to the principal's namespaces.

use super::{Action, Authorizer, Principal, Role};
use crate::Error;
use crate::Result;

/// Grants by role: reads need a [`Role::Downloader`] (or nothing, when anonymous reads are
/// on), publishing a [`Role::Uploader`], administration a [`Role::Master`]; each within the
/// principal's namespaces.
#[derive(Clone, Debug, Default)]
pub struct RoleAuthorizer {
    anonymous_read: bool,
}

impl RoleAuthorizer {
    /// An authorizer; `anonymous_read` lets requests without credentials read.
    pub fn new(anonymous_read: bool) -> Self {
        Self { anonymous_read }
    }
}

impl Authorizer for RoleAuthorizer {
    fn authorize(&self, principal: Option<&Principal>, action: &Action<'_>) -> Result<()> {
        let (needed, namespace, what) = match action {
            Action::Read { namespace } => (Role::Downloader, Some(*namespace), "read"),
            Action::Publish { namespace } => (Role::Uploader, Some(*namespace), "publish"),
            Action::Browse => (Role::Downloader, None, "browse the registry"),
            Action::Upload => (Role::Uploader, None, "upload"),
            Action::Administer => (Role::Master, None, "administer the registry"),
        };
        let Some(principal) = principal else {
            if needed == Role::Downloader && self.anonymous_read {
                return Ok(());
            }
            return Err(Error::unauthorized(format!(
                "a token is required to {what}: send `Authorization: Bearer <token>` (in Terraform, a `credentials` block for this host)"
            )));
        };
        if principal.role < needed {
            return Err(Error::forbidden(format!(
                "this token may not {what}: it is a {:?} token",
                principal.role
            )));
        }
        if let Some(namespace) = namespace {
            if !principal.covers(namespace) {
                return Err(Error::forbidden(format!(
                    "this token may not {what} in namespace {namespace:?}"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn principal(role: Role, namespaces: Option<&[&str]>) -> Principal {
        Principal {
            id: "t".into(),
            role,
            namespaces: namespaces.map(|n| n.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn roles_nest_and_namespaces_limit() {
        let closed = RoleAuthorizer::new(false);
        let read = Action::Read { namespace: "acme" };
        let publish = Action::Publish { namespace: "Acme" };
        let status = |p: Option<&Principal>, a: &Action<'_>| {
            closed.authorize(p, a).err().map(|e| e.status()).unwrap_or(StatusCode::OK)
        };
        assert_eq!(status(None, &read), StatusCode::UNAUTHORIZED);
        let down = principal(Role::Downloader, None);
        assert_eq!(status(Some(&down), &read), StatusCode::OK);
        assert_eq!(status(Some(&down), &publish), StatusCode::FORBIDDEN);
        let up = principal(Role::Uploader, Some(&["acme"]));
        assert_eq!(status(Some(&up), &publish), StatusCode::OK);
        assert_eq!(status(Some(&up), &Action::Publish { namespace: "other" }), StatusCode::FORBIDDEN);
        assert_eq!(status(Some(&up), &Action::Administer), StatusCode::FORBIDDEN);
        let master = principal(Role::Master, None);
        assert_eq!(status(Some(&master), &Action::Administer), StatusCode::OK);
    }

    #[test]
    fn anonymous_reads_only_when_switched_on() {
        let open = RoleAuthorizer::new(true);
        assert!(open.authorize(None, &Action::Read { namespace: "acme" }).is_ok());
        let err = open.authorize(None, &Action::Publish { namespace: "acme" }).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    }
}
