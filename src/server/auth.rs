//! Write access: `POST`, `PUT` and `DELETE` need `Authorization: Bearer <KAVOSH_API_KEY>`, and
//! so do the search insights (`GET /insights…`). A missing or wrong key is a 401; with no key
//! configured every guarded route is a 403. The key is compared in time that depends only on
//! the configured key's length.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use super::error::ApiError;

/// Middleware for the write routes.
pub async fn require_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    check(state.api_key.as_deref(), request.headers())?;
    Ok(next.run(request).await)
}

/// Whether the request's headers carry the configured key, for a write.
pub fn check(configured: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    check_for("writes", configured, headers)
}

/// Whether the request's headers carry the configured key; `guarded` names what the key
/// guards in the messages (`writes`, `search insights`).
pub fn check_for(
    guarded: &str,
    configured: Option<&str>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let Some(key) = configured else {
        return Err(ApiError::forbidden(format!(
            "{guarded} are disabled: the server has no API key (set KAVOSH_API_KEY)"
        )));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match given {
        None => Err(ApiError::unauthorized(format!(
            "{guarded} need the header Authorization: Bearer <API key>"
        ))),
        Some(token) if same_key(token.as_bytes(), key.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::unauthorized("wrong API key")),
    }
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
    fn statuses() {
        assert_eq!(check(Some("k1"), &headers("Bearer k1")), Ok(()));
        assert_eq!(check(Some("k1"), &headers("bearer  k1 ")), Ok(()));
        let status = |configured, h: &HeaderMap| check(configured, h).unwrap_err().status;
        assert_eq!(
            status(Some("k1"), &headers("Bearer k2")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(Some("k1"), &headers("Basic azE6")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(Some("k1"), &HeaderMap::new()),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status(None, &headers("Bearer k1")), StatusCode::FORBIDDEN);
    }
}
