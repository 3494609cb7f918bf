//! API keys, presented as `Authorization: Bearer <key>`.
//!
//! - **Admin keys** (`KAVOSH_API_KEY`, and the list `KAVOSH_API_KEYS` for rotating without
//!   downtime: add the new key, move the clients, drop the old one) may write, and read.
//!   Writes (`POST`, `PUT`, `DELETE` of documents) and the operator's routes (search insights,
//!   dumps, snapshots, synonyms) need one: a missing or wrong key is a 401; with no admin key
//!   configured every such request is a 403.
//! - **Read keys** (`KAVOSH_READ_KEY`, one or several, comma-separated): when any is set, every
//!   API route but `/health` needs a read or an admin key (a researchers' instance that is not
//!   public). The search page's own files stay public; its API calls then need the key too.
//!
//! A key is compared with every configured key, each in time that depends only on that key's
//! length, so timing tells nothing about which key nearly matched, or how much of one.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use super::error::ApiError;

/// The keys the server accepts.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    admin: Vec<Arc<str>>,
    read: Vec<Arc<str>>,
}

/// What a request's key lets it do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// An admin key: writes and reads.
    Admin,
    /// A read key.
    Read,
    /// No key, or one the server does not know.
    None,
}

impl Keys {
    /// Keys from their configured values; empty ones are dropped (an unset variable).
    pub fn new<'a>(
        admin: impl IntoIterator<Item = &'a str>,
        read: impl IntoIterator<Item = &'a str>,
    ) -> Keys {
        let keep = |keys: &mut dyn Iterator<Item = &'a str>| {
            keys.map(str::trim)
                .filter(|k| !k.is_empty())
                .map(Arc::from)
                .collect()
        };
        Keys {
            admin: keep(&mut admin.into_iter()),
            read: keep(&mut read.into_iter()),
        }
    }

    pub fn has_admin(&self) -> bool {
        !self.admin.is_empty()
    }

    /// Whether reads need a key.
    pub fn reads_need_a_key(&self) -> bool {
        !self.read.is_empty()
    }

    /// What the bearer token of `headers` grants.
    pub fn access(&self, headers: &HeaderMap) -> Access {
        let Some(token) = bearer(headers) else {
            return Access::None;
        };
        let matches = |keys: &[Arc<str>]| {
            keys.iter().fold(false, |found, key| {
                found | same_key(token.as_bytes(), key.as_bytes())
            })
        };
        // Both lists are always compared, whichever matches.
        match (matches(&self.admin), matches(&self.read)) {
            (true, _) => Access::Admin,
            (false, true) => Access::Read,
            (false, false) => Access::None,
        }
    }

    /// Whether a write with these headers may go on.
    pub fn check_write(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        self.check_admin("writes", headers)
    }

    /// Whether these headers carry an admin key; `guarded` names what the key guards in the
    /// messages (`writes`, or another route only the operator may use).
    pub fn check_admin(&self, guarded: &str, headers: &HeaderMap) -> Result<(), ApiError> {
        if !self.has_admin() {
            return Err(ApiError::forbidden(format!(
                "{guarded} are disabled: the server has no API key (set KAVOSH_API_KEY)"
            )));
        }
        match (self.access(headers), bearer(headers)) {
            (Access::Admin, _) => Ok(()),
            (_, None) => Err(ApiError::unauthorized(format!(
                "{guarded} need the header Authorization: Bearer <API key>"
            ))),
            (_, Some(_)) => Err(ApiError::unauthorized("wrong API key")),
        }
    }

    /// Whether a read with these headers may go on.
    pub fn check_read(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if !self.reads_need_a_key() {
            return Ok(());
        }
        match (self.access(headers), bearer(headers)) {
            (Access::Admin | Access::Read, _) => Ok(()),
            (Access::None, None) => Err(ApiError::unauthorized(
                "this server needs a key: send the header Authorization: Bearer <read key>",
            )),
            (Access::None, Some(_)) => Err(ApiError::unauthorized("wrong key")),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

/// Middleware for the write routes.
pub async fn require_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    state.keys.check_write(request.headers())?;
    Ok(next.run(request).await)
}

/// Middleware for the API's routes: with read keys configured, every one but `/health` (for
/// probes and load balancers) needs a read or an admin key.
pub async fn require_read_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let health = request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| p.as_str() == "/health");
    if !health {
        state.keys.check_read(request.headers())?;
    }
    Ok(next.run(request).await)
}

/// Compares every byte of `key` whatever `given` holds, so the time taken tells nothing of
/// how much of the key was right.
fn same_key(given: &[u8], key: &[u8]) -> bool {
    let mut diff = given.len() ^ key.len();
    for (i, k) in key.iter().enumerate() {
        diff |= usize::from(given.get(i).copied().unwrap_or(!k) ^ k);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
        h
    }

    #[test]
    fn keys_compare_exactly() {
        assert!(same_key(b"s3cret", b"s3cret"));
        assert!(!same_key(b"s3cres", b"s3cret"));
        assert!(!same_key(b"s3cre", b"s3cret"));
        assert!(!same_key(b"s3crett", b"s3cret"));
        assert!(!same_key(b"", b"s3cret"));
    }

    #[test]
    fn write_statuses() {
        let keys = Keys::new(["k1"], []);
        assert_eq!(keys.check_write(&headers("Bearer k1")), Ok(()));
        assert_eq!(keys.check_write(&headers("bearer  k1 ")), Ok(()));
        let status = |keys: &Keys, h: &HeaderMap| keys.check_write(h).unwrap_err().status;
        assert_eq!(
            status(&keys, &headers("Bearer k2")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(&keys, &headers("Basic azE6")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status(&keys, &HeaderMap::new()), StatusCode::UNAUTHORIZED);
        let none = Keys::new([""], []);
        assert_eq!(status(&none, &headers("Bearer k1")), StatusCode::FORBIDDEN);
        let e = keys
            .check_admin("search insights", &HeaderMap::new())
            .unwrap_err();
        assert!(
            e.detail.message.starts_with("search insights need"),
            "{}",
            e.detail.message
        );
    }

    #[test]
    fn every_admin_key_writes_and_reads_a_read_key_only_reads() {
        // KAVOSH_API_KEY plus KAVOSH_API_KEYS during a rotation; two read keys.
        let keys = Keys::new(["old-9c1", "new-4e7", " "], ["lab-a", "lab-b"]);
        for admin in ["old-9c1", "new-4e7"] {
            let h = headers(&format!("Bearer {admin}"));
            assert_eq!(keys.access(&h), Access::Admin);
            assert_eq!(keys.check_write(&h), Ok(()));
            assert_eq!(keys.check_read(&h), Ok(()));
        }
        for reader in ["lab-a", "lab-b"] {
            let h = headers(&format!("Bearer {reader}"));
            assert_eq!(keys.access(&h), Access::Read);
            assert_eq!(keys.check_read(&h), Ok(()));
            let e = keys.check_write(&h).unwrap_err();
            assert_eq!(
                (e.status, e.detail.message.as_str()),
                (StatusCode::UNAUTHORIZED, "wrong API key")
            );
        }
        let e = keys.check_read(&HeaderMap::new()).unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert!(
            e.detail.message.contains("read key"),
            "{}",
            e.detail.message
        );
        assert_eq!(
            keys.check_read(&headers("Bearer lab-c"))
                .unwrap_err()
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(keys.access(&headers("Bearer lab-a ")), Access::Read);
        assert_eq!(keys.access(&headers("Bearer lab")), Access::None);
    }

    #[test]
    fn without_read_keys_reads_are_open() {
        let keys = Keys::new(["k1"], [""]);
        assert!(!keys.reads_need_a_key());
        assert_eq!(keys.check_read(&HeaderMap::new()), Ok(()));
        assert_eq!(keys.check_read(&headers("Bearer wrong")), Ok(()));
    }
}
