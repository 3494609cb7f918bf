//! The index the service serves, and its upgrade while serving: an index of an older version
//! is rebuilt in the background ([`crate::index::migrate`]) while searches go to the old one;
//! meanwhile every write and admin request is answered 503 with `Retry-After`. When the
//! rebuilt index is complete it takes the old one's place for the next request.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{ApiError, ErrorDetail};
use crate::index::{INDEX_VERSION, Progress, SearchIndex, migrate};

/// The index being served; replaced once when an upgrade completes.
pub struct ServedIndex {
    current: RwLock<Arc<SearchIndex>>,
    upgrade: Mutex<Upgrade>,
}

/// Where an upgrade of the served index stands.
enum Upgrade {
    /// None is needed (or the last one is done).
    Idle,
    Running {
        from: u32,
        progress: Arc<Progress>,
        started: Instant,
    },
    Failed(String),
}

/// An upgrade in progress or failed, as `/health` shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UpgradeStatus {
    /// `running` or `failed`.
    pub status: &'static str,
    /// The old index's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<u32>,
    pub to: u32,
    /// Documents rebuilt so far, and in all.
    pub done: u64,
    pub total: u64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ServedIndex {
    pub fn new(index: Arc<SearchIndex>) -> ServedIndex {
        ServedIndex {
            current: RwLock::new(index),
            upgrade: Mutex::new(Upgrade::Idle),
        }
    }

    /// The index to use for this request.
    pub fn current(&self) -> Arc<SearchIndex> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The index to write into, or `None` while an upgrade runs or after one failed (writes
    /// then wait or are refused: they would not reach the rebuilt index).
    pub fn writable(&self) -> Option<Arc<SearchIndex>> {
        matches!(*self.lock_upgrade(), Upgrade::Idle).then(|| self.current())
    }

    /// The upgrade in progress or failed, if any.
    pub fn upgrade_status(&self) -> Option<UpgradeStatus> {
        match &*self.lock_upgrade() {
            Upgrade::Idle => None,
            Upgrade::Running { from, progress, .. } => {
                let (done, total) = progress.get();
                Some(UpgradeStatus {
                    status: "running",
                    from: Some(*from),
                    to: INDEX_VERSION,
                    done,
                    total,
                    error: None,
                })
            }
            Upgrade::Failed(error) => Some(UpgradeStatus {
                status: "failed",
                from: None,
                to: INDEX_VERSION,
                done: 0,
                total: 0,
                error: Some(error.clone()),
            }),
        }
    }

    /// Starts upgrading the served index on a thread of its own if it is of an older version.
    pub fn upgrade_if_older(self: &Arc<Self>, dir: PathBuf) {
        let old = self.current();
        if old.version() >= INDEX_VERSION {
            return;
        }
        let progress = Arc::new(Progress::new());
        *self.lock_upgrade() = Upgrade::Running {
            from: old.version(),
            progress: progress.clone(),
            started: Instant::now(),
        };
        let served = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kavosh-upgrade".into())
            .spawn(move || {
                let outcome = migrate::migrate(&old, &progress)
                    .and_then(|done| SearchIndex::open_or_create(&dir).map(|new| (done, new)));
                drop(old);
                served.finish(outcome);
            });
        if let Err(e) = spawned {
            *self.lock_upgrade() = Upgrade::Failed(format!("cannot start the upgrade: {e}"));
        }
    }

    fn finish(&self, outcome: Result<(migrate::Migrated, SearchIndex), crate::index::IndexError>) {
        match outcome {
            Ok((done, new)) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(new);
                *self.lock_upgrade() = Upgrade::Idle;
                tracing::info!("{done}; writes are accepted again");
            }
            Err(e) => {
                tracing::error!(
                    "{e}; searches go on, writes are refused until kavosh migrate succeeds"
                );
                *self.lock_upgrade() = Upgrade::Failed(e.to_string());
            }
        }
    }

    fn lock_upgrade(&self) -> std::sync::MutexGuard<'_, Upgrade> {
        self.upgrade.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The reply to a write while an upgrade runs or after it failed; `None` otherwise.
    fn refusal(&self) -> Option<Response> {
        let (message, retry_after) = match &*self.lock_upgrade() {
            Upgrade::Idle => return None,
            Upgrade::Running {
                from,
                progress,
                started,
            } => {
                let (done, total) = progress.get();
                let message = format!(
                    "the index is being rebuilt for this version of kavosh (from index version \
                     {from} to {INDEX_VERSION}: {done} of {total} documents); searches go on, \
                     writes are accepted again when it is done"
                );
                (
                    message,
                    Some(seconds_left(done, total, started.elapsed().as_secs_f64())),
                )
            }
            Upgrade::Failed(error) => (
                format!(
                    "the upgrade of the index failed ({error}); writes are refused until it succeeds"
                ),
                None,
            ),
        };
        let mut response = ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            detail: ErrorDetail {
                code: "upgrading",
                message,
            },
        }
        .into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        Some(response)
    }
}

/// A guess of the seconds an upgrade has left, from its pace so far (5 to 300).
fn seconds_left(done: u64, total: u64, elapsed: f64) -> u64 {
    let left = if done == 0 {
        30.0
    } else {
        elapsed * (total.saturating_sub(done) as f64) / done as f64
    };
    (left.ceil() as u64).clamp(5, 300)
}

/// Middleware for the write and admin routes: 503 while the index is upgraded.
pub async fn refuse_while_upgrading(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match state.index.refusal() {
        Some(refusal) => refusal,
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    #[tokio::test]
    async fn writes_get_503_with_retry_after_while_searches_go_on() {
        let index = Arc::new(SearchIndex::in_memory().unwrap());
        let state = AppState::new(index, Some("k"));
        *state.index.lock_upgrade() = Upgrade::Running {
            from: 2,
            progress: Arc::new(Progress::new()),
            started: Instant::now(),
        };
        let app = super::super::router(state.clone());
        let request = |method: &str, uri: &str, key: Option<&str>| {
            let mut r = axum::http::Request::builder().method(method).uri(uri);
            if let Some(key) = key {
                r = r.header(header::AUTHORIZATION, format!("Bearer {key}"));
            }
            r.body(Body::from(
                r#"{"id":"x","kind":"news","title":"خبر","date":"1404/01/01"}"#,
            ))
            .unwrap()
        };
        let post = app
            .clone()
            .oneshot(request("POST", "/documents", Some("k")))
            .await
            .unwrap();
        assert_eq!(post.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(post.headers()[header::RETRY_AFTER], "30");
        let body = axum::body::to_bytes(post.into_body(), 1 << 20)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "upgrading");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("from index version 2")
        );
        // The key is checked first; deletes are refused too; searches are served.
        let anonymous = app
            .clone()
            .oneshot(request("POST", "/documents", None))
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let delete = app
            .clone()
            .oneshot(request("DELETE", "/documents/x", Some("k")))
            .await
            .unwrap();
        assert_eq!(delete.status(), StatusCode::SERVICE_UNAVAILABLE);
        let search = app
            .clone()
            .oneshot(request("GET", "/search?q=%D8%AE%D8%A8%D8%B1", None))
            .await
            .unwrap();
        assert_eq!(search.status(), StatusCode::OK);
        assert_eq!(state.index.upgrade_status().unwrap().status, "running");

        *state.index.lock_upgrade() = Upgrade::Idle;
        let post = app
            .oneshot(request("POST", "/documents", Some("k")))
            .await
            .unwrap();
        assert_eq!(post.status(), StatusCode::OK);
    }

    #[test]
    fn retry_after_follows_the_pace() {
        assert_eq!(seconds_left(0, 100, 20.0), 30);
        assert_eq!(seconds_left(50, 100, 20.0), 20);
        assert_eq!(seconds_left(1, 1_000_000, 20.0), 300);
        assert_eq!(seconds_left(100, 100, 20.0), 5);
    }
}
