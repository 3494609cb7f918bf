//! API errors: every failure is `{"error":{"code","message"}}` with its HTTP status. Messages
//! say what was wrong with the request and name the limit that was exceeded; index failures
//! and panics are logged and answered with a bare 500, never their details.
//!
//! [`json_errors`] gives the same shape to what axum and tower answer on their own (an
//! unknown route's 404 is ours, but axum's 405 and the body limit's 413 are not).

use std::any::Any;
use std::time::Duration;

use axum::Json;
use axum::extract::Request;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::MAX_BODY_BYTES;
use crate::index::{IndexError, StorageFailure, WriteError};
use crate::search::SearchError;

/// The body of every error reply.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `payload_too_large`, `timeout`, `rate_limited`, `internal`,
    /// `insufficient_storage` (507: the disk is full), `read_only` (503: the disk is
    /// read-only).
    pub code: &'static str,
    /// What was wrong, for people.
    pub message: String,
}

/// A failed request: a status and what to tell the client.
#[derive(Debug, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: ErrorDetail,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: ErrorDetail {
                code,
                message: message.into(),
            },
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn payload_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the request body is over the limit of {} MiB; send the documents in smaller batches",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )
    }

    /// A body over a route's own limit, smaller than [`MAX_BODY_BYTES`].
    pub fn payload_too_large_for(what: &str, limit_bytes: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("{what} is at most {limit_bytes} bytes"),
        )
    }

    /// A request that ran past its time `limit`; a write may still be committed.
    pub fn timeout(limit: Duration, write: bool) -> ApiError {
        let advice = if write {
            "send smaller batches; the documents may still be committed (GET /documents/{id} tells)"
        } else {
            "narrow the query or try again"
        };
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than the limit of {} s; {advice}",
                limit.as_secs()
            ),
        )
    }

    /// A client over its rate limit (the reply also needs `Retry-After`).
    pub fn too_many_requests(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
    }

    /// A failure of the server, not of the request: logged, and answered without its detail.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server's log has the details",
        )
    }

    /// The error for a status that axum or a tower layer answered with a plain body.
    fn for_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::NOT_FOUND => ApiError::not_found("no such route"),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "method_not_allowed",
                "this route does not take that method; the Allow header lists the ones it takes",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
            s if s.is_client_error() => ApiError::new(
                s,
                "bad_request",
                s.canonical_reason().unwrap_or("bad request"),
            ),
            s => ApiError::internal(format!("a layer answered {s}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let mut response = (self.status, Json(ErrorBody { error: self.detail })).into_response();
        if unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> ApiError {
        match e {
            SearchError::Invalid(message) => ApiError::bad_request(message),
            SearchError::Index(e) => ApiError::internal(e),
        }
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> ApiError {
        ApiError::internal(e)
    }
}

/// A write that was not committed: the disk's refusal is the client's to know (its write was
/// not taken, and may be sent again later); anything else is a 500.
impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> ApiError {
        let (status, code, what) = match e.storage {
            None => return ApiError::internal(e),
            Some(StorageFailure::Full) => (
                StatusCode::INSUFFICIENT_STORAGE,
                "insufficient_storage",
                "the server's disk is full",
            ),
            Some(StorageFailure::ReadOnly) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "read_only",
                "the server's disk is read-only",
            ),
        };
        tracing::error!("a write was refused: {e}");
        ApiError::new(
            status,
            code,
            format!(
                "{what}: this write was not committed (earlier ones are safe and searches go on); \
                 send it again once the operator has made room"
            ),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> ApiError {
        ApiError::bad_request(e.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> ApiError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large()
        } else {
            ApiError::bad_request(e.body_text())
        }
    }
}

/// Middleware: an error reply that is not JSON (from axum or a tower layer) is replaced by the
/// API's error for its status, keeping its headers (`Allow` of a 405).
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let error = ApiError::for_status(status).into_response();
    let (error_parts, body) = error.into_parts();
    parts.headers.extend(error_parts.headers);
    Response::from_parts(parts, body)
}

/// The reply to a handler that panicked (for tower-http's `CatchPanicLayer`).
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    ApiError::internal(format!("a request panicked: {what}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_axum_answers_get_codes_and_named_limits() {
        let e = ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(e.detail.code, "payload_too_large");
        assert!(e.detail.message.contains("10 MiB"), "{}", e.detail.message);
        let e = ApiError::timeout(super::super::REQUEST_TIMEOUT, false);
        assert_eq!(
            (e.status, e.detail.code),
            (StatusCode::REQUEST_TIMEOUT, "timeout")
        );
        assert!(e.detail.message.contains("10 s"), "{}", e.detail.message);
        let e = ApiError::timeout(super::super::WRITE_TIMEOUT, true);
        assert!(e.detail.message.contains("120 s"), "{}", e.detail.message);
        assert!(e.detail.message.contains("may still be committed"));
        assert_eq!(
            ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED)
                .detail
                .code,
            "method_not_allowed"
        );
        assert_eq!(
            ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE).status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn index_failures_hide_their_detail() {
        let e = ApiError::from(SearchError::Index(IndexError(
            "cannot open /secret/path/meta.json".into(),
        )));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.detail.message.contains("secret"));
        let e = ApiError::from(SearchError::Invalid(
            "per_page must be between 1 and 100".into(),
        ));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.detail.message, "per_page must be between 1 and 100");
    }

    #[test]
    fn a_disk_that_refuses_writes_is_a_507_or_503() {
        let refused = |storage| {
            ApiError::from(WriteError {
                error: IndexError("IoError 'No space left on device' at /srv/x.idx".into()),
                storage,
            })
        };
        let full = refused(Some(StorageFailure::Full));
        assert_eq!(
            (full.status, full.detail.code),
            (StatusCode::INSUFFICIENT_STORAGE, "insufficient_storage")
        );
        assert!(full.detail.message.contains("not committed"));
        assert!(!full.detail.message.contains("/srv"), "no paths to clients");
        let read_only = refused(Some(StorageFailure::ReadOnly));
        assert_eq!(
            (read_only.status, read_only.detail.code),
            (StatusCode::SERVICE_UNAVAILABLE, "read_only")
        );
        assert_eq!(refused(None).status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_panic_is_a_bare_500() {
        let r = panic_response(Box::new("index out of bounds: /secret"));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
