//! The token API (`/v1/tokens`) and the audit trail's page (`/v1/audit`).

use bytes::Bytes;
use http::{Response, StatusCode};

use super::AdminService;
use crate::auth::TokenRecord;
use crate::http::body::Body;
use crate::http::query::Query;
use crate::http::router::AuditTarget;
use crate::http::RequestContext;
use crate::protocol::{AuditPage, CreateToken, CreatedToken, TokenList, TokenView};

use crate::auth::{NewToken, Role};
use crate::http::response;
use crate::types::address::Name;
use crate::Error;
use crate::Result;

/// The longest description a token may carry.
const MAX_DESCRIPTION: usize = 256;
/// The longest lifetime a token may be given, in days (ten years).
const MAX_DAYS: u64 = 3650;
/// The most entries one audit page holds.
const MAX_AUDIT_PAGE: usize = 500;

impl AdminService {
    /// `POST /v1/tokens`
    pub(crate) async fn token_create(&self, ctx: &RequestContext, body: &Bytes) -> Result<Response<Body>> {
        let spec = parse_new_token(body)?;
        let (token, record) = self.tokens.create(spec, ctx.actor()).await?;
        let id = record.id.clone();
        let mut response =
            response::json(StatusCode::CREATED, &CreatedToken { view: public_view(&record), token });
        response.extensions_mut().insert(AuditTarget(id));
        Ok(response)
    }

    /// `GET /v1/tokens`
    pub(crate) async fn token_list(&self) -> Result<Response<Body>> {
        let tokens = self.tokens.list().await?.iter().map(public_view).collect();
        Ok(response::json(StatusCode::OK, &TokenList { tokens }))
    }

    /// `DELETE /v1/tokens/{id}`
    pub(crate) async fn token_revoke(&self, id: &str) -> Result<Response<Body>> {
        match self.tokens.revoke(id).await? {
            Some(_) => Ok(response::empty(StatusCode::NO_CONTENT)),
            None => Err(Error::not_found(format!("no token has the id {id}"))),
        }
    }

    /// `GET /v1/audit?limit=50&after=<id>`
    pub(crate) async fn audit_page(&self, query: &Query) -> Result<Response<Body>> {
        let (mut limit, mut after) = (50, None);
        for (name, value) in query.pairs() {
            match name {
                "limit" => {
                    limit = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_AUDIT_PAGE).contains(n))
                        .ok_or_else(|| {
                            Error::bad_request(format!("limit must be a number from 1 to {MAX_AUDIT_PAGE}"))
                        })?;
                }
                "after" => {
                    let valid = value.len() == 29
                        && value.bytes().enumerate().all(|(i, b)| match i {
                            20 => b == b'-',
                            0..=19 => b.is_ascii_digit(),
                            _ => b.is_ascii_hexdigit(),
                        });
                    if !valid {
                        return Err(Error::bad_request(
                            "after must be an audit entry id from an earlier page",
                        ));
                    }
                    after = Some(value);
                }
                _ => {
                    return Err(Error::bad_request(format!(
                        "unknown query parameter {:?}; use limit and after",
                        crate::types::truncate(name)
                    )))
                }
            }
        }
        let (entries, next) = self.audit.recent(limit, after).await?;
        Ok(response::json(StatusCode::OK, &AuditPage { entries, next }))
    }
}

/// A token record as the token API shows it: everything but the digest.
fn public_view(record: &TokenRecord) -> TokenView {
    TokenView {
        id: record.id.clone(),
        tier: record.tier,
        namespaces: record.namespaces.clone(),
        description: record.description.clone(),
        created_at: record.created_at.clone(),
        created_by: record.created_by.clone(),
        expires_at: record.expires_at.clone(),
        owner: record.owner.clone(),
    }
}

/// The token a `POST /v1/tokens` body asks for, checked: 400 for a body that is not a
/// [`CreateToken`] or asks for something no token may be.
pub(crate) fn parse_new_token(body: &[u8]) -> Result<NewToken> {
    let body: CreateToken = serde_json::from_slice(body).map_err(|e| {
        Error::invalid_body(
            "the body must be JSON like {\"tier\": \"uploader\", \"namespaces\": [\"acme\"], \"description\": \"ci\", \"expires_in_days\": 90}",
            e,
        )
    })?;
    let tier = match Role::named(&body.tier) {
        Some(role) if role != Role::Master => role,
        _ => {
            return Err(Error::bad_request(format!(
                "unknown tier {:?}: use \"uploader\" or \"downloader\"",
                crate::types::address::truncate(&body.tier)
            )))
        }
    };
    let namespaces = match body.namespaces {
        None => None,
        Some(list) if list.is_empty() => {
            return Err(Error::bad_request(
                "namespaces must not be empty: leave it out for a token that covers every namespace",
            ))
        }
        Some(list) => {
            let mut keys = list
                .iter()
                .map(|n| Name::parse(n, "namespace").map(|n| n.key().to_owned()))
                .collect::<Result<Vec<_>>>()?;
            keys.sort();
            keys.dedup();
            Some(keys)
        }
    };
    if body.description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(Error::bad_request(format!("description must be at most {MAX_DESCRIPTION} characters")));
    }
    if body.expires_in_days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
        return Err(Error::bad_request(format!("expires_in_days must be from 1 to {MAX_DAYS}")));
    }
    Ok(NewToken {
        tier: Some(tier),
        namespaces,
        description: body.description,
        expires_in_days: body.expires_in_days,
    })
}
