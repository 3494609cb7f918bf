//! Dumps and snapshots over HTTP, for the admin (the write key): `POST /dumps` and
//! `POST /snapshots` start one in the background and answer 202 at once, while searches and
//! writes go on; `GET /dumps` and `GET /snapshots` list what their directories hold, with the
//! progress of the one being written and the error of the last that failed. One dump and one
//! snapshot at a time. The work itself is [`crate::index::dump`] and
//! [`crate::index::snapshot`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorDetail};
use crate::index::backups::{self, Entry};
use crate::index::{IndexError, Progress, SearchIndex, dump, snapshot};

/// Dumps or snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dump,
    Snapshot,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Dump => "dump",
            Kind::Snapshot => "snapshot",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Kind::Dump => ".ndjson.gz",
            Kind::Snapshot => "",
        }
    }

    /// Writes one of this kind of `index` at `path`.
    fn write(
        self,
        index: &SearchIndex,
        path: &Path,
        progress: &Progress,
    ) -> Result<(), IndexError> {
        match self {
            Kind::Dump => dump::dump_to_file(index, path, progress).map(|_| ()),
            Kind::Snapshot => snapshot::snapshot(index, path).map(|_| ()),
        }
    }
}

/// The directories, and the dump and snapshot in progress or last finished.
pub struct Backups {
    pub dumps: Option<PathBuf>,
    pub snapshots: Option<PathBuf>,
    jobs: Mutex<[Option<Job>; 2]>,
}

struct Job {
    name: String,
    progress: Arc<Progress>,
    /// `None` while running.
    outcome: Option<Result<(), String>>,
}

/// A dump or snapshot, as the listings show it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BackupEntry {
    /// The file (dumps) or directory (snapshots) name in its directory.
    pub name: String,
    /// `running`, `done`, `failed`, or `incomplete` (cut short by a stop or a crash).
    pub status: &'static str,
    /// Its size so far, in bytes.
    pub bytes: u64,
    /// Last modified (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// While running: documents written so far, and in all (dumps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The reply of `GET /dumps` and `GET /snapshots`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BackupList {
    /// Oldest first.
    pub items: Vec<BackupEntry>,
}

impl Backups {
    /// Dumps and snapshots kept in these directories; `None`: the server keeps none.
    pub fn new(dumps: Option<PathBuf>, snapshots: Option<PathBuf>) -> Backups {
        Backups {
            dumps,
            snapshots,
            jobs: Mutex::new([None, None]),
        }
    }

    /// The default directories beside the index in `index_dir`, or none for an index in
    /// memory.
    pub fn beside(index_dir: Option<&Path>) -> Backups {
        let dir = |kind| index_dir.map(|d| backups::default_dir(d, kind));
        Backups::new(dir("dumps"), dir("snapshots"))
    }

    fn dir(&self, kind: Kind) -> Result<&Path, ApiError> {
        match kind {
            Kind::Dump => self.dumps.as_deref(),
            Kind::Snapshot => self.snapshots.as_deref(),
        }
        .ok_or_else(|| conflict(format!("this server keeps no {}s", kind.prefix())))
    }

    fn lock_jobs(&self) -> std::sync::MutexGuard<'_, [Option<Job>; 2]> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts writing a dump or snapshot of `index` on the blocking pool.
    fn start(
        self: &Arc<Self>,
        kind: Kind,
        index: Arc<SearchIndex>,
    ) -> Result<BackupEntry, ApiError> {
        let dir = self.dir(kind)?.to_path_buf();
        let mut jobs = self.lock_jobs();
        let slot = &mut jobs[kind as usize];
        if let Some(job) = slot.as_ref().filter(|j| j.outcome.is_none()) {
            return Err(conflict(format!(
                "{} is being written; GET /{}s shows its progress",
                job.name,
                kind.prefix()
            )));
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| ApiError::internal(format!("cannot create {}: {e}", dir.display())))?;
        let name = backups::new_name(&dir, kind.prefix(), kind.suffix());
        let progress = Arc::new(Progress::new());
        *slot = Some(Job {
            name: name.clone(),
            progress: progress.clone(),
            outcome: None,
        });
        drop(jobs);
        let (backups, path) = (self.clone(), dir.join(&name));
        tokio::task::spawn_blocking(move || {
            let outcome = kind
                .write(&index, &path, &progress)
                .map_err(|e| e.to_string());
            match &outcome {
                Ok(()) => tracing::info!(path = %path.display(), "{} written", kind.prefix()),
                Err(e) => tracing::error!(path = %path.display(), "{} failed: {e}", kind.prefix()),
            }
            if let Some(job) = backups.lock_jobs()[kind as usize].as_mut() {
                job.outcome = Some(outcome);
            }
        });
        Ok(BackupEntry {
            name,
            status: "running",
            bytes: 0,
            modified: None,
            done: Some(0),
            total: None,
            error: None,
        })
    }

    /// What the directory holds, with the job's progress or failure.
    fn list(&self, kind: Kind) -> Result<Vec<BackupEntry>, ApiError> {
        let dir = self.dir(kind)?;
        let found = backups::list(dir, kind.prefix(), kind.suffix())
            .map_err(|e| ApiError::internal(format!("cannot list {}: {e}", dir.display())))?;
        let jobs = self.lock_jobs();
        let job = jobs[kind as usize].as_ref();
        let mut items: Vec<BackupEntry> = found
            .into_iter()
            .map(|entry: Entry| {
                let running = job.filter(|j| j.name == entry.name && j.outcome.is_none());
                let (done, total) = match running {
                    Some(j) => {
                        let (done, total) = j.progress.get();
                        (Some(done), Some(total))
                    }
                    None => (None, None),
                };
                BackupEntry {
                    status: match (entry.complete, running) {
                        (true, _) => "done",
                        (false, Some(_)) => "running",
                        (false, None) => "incomplete",
                    },
                    name: entry.name,
                    bytes: entry.bytes,
                    modified: Some(entry.modified),
                    done,
                    total,
                    error: None,
                }
            })
            .collect();
        // A job whose task has not yet created its file is running all the same.
        if let Some(job) = job.filter(|j| j.outcome.is_none())
            && !items.iter().any(|item| item.name == job.name)
        {
            let (done, total) = job.progress.get();
            items.push(BackupEntry {
                name: job.name.clone(),
                status: "running",
                bytes: 0,
                modified: None,
                done: Some(done),
                total: Some(total),
                error: None,
            });
        }
        if let Some(Job {
            name,
            outcome: Some(Err(error)),
            ..
        }) = job
        {
            items.push(BackupEntry {
                name: name.clone(),
                status: "failed",
                bytes: 0,
                modified: None,
                done: None,
                total: None,
                error: Some(error.clone()),
            });
        }
        Ok(items)
    }
}

fn conflict(message: String) -> ApiError {
    ApiError {
        status: StatusCode::CONFLICT,
        detail: ErrorDetail {
            code: "conflict",
            message,
        },
    }
}

/// Starts a dump: every document as stored and every index setting, consistent as of the last
/// commit, gzipped NDJSON in the dumps directory (`kavosh restore` reads it).
#[utoipa::path(post, path = "/dumps", tag = "operations",
    security(("api_key" = [])),
    responses(
        (status = 202, description = "Started; GET /dumps shows its progress", body = BackupEntry),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key", body = ErrorBody),
        (status = 409, description = "A dump is being written already", body = ErrorBody),
        (status = 503, description = "The index is being upgraded; see Retry-After", body = ErrorBody),
    ))]
pub async fn post_dump(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<BackupEntry>), ApiError> {
    let entry = start(&state, Kind::Dump).await?;
    Ok((StatusCode::ACCEPTED, Json(entry)))
}

/// Starts a backup of the served index, with the search insights counted so far saved into its
/// settings first so that the backup carries them.
async fn start(state: &AppState, kind: Kind) -> Result<BackupEntry, ApiError> {
    let index = state.index.current();
    super::insights::save(index.clone(), &state.insights).await;
    state.backups.start(kind, index)
}

/// The dumps in the dumps directory, oldest first, and the last one that failed.
#[utoipa::path(get, path = "/dumps", tag = "operations",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Dumps with their status", body = BackupList),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
    ))]
pub async fn list_dumps(State(state): State<AppState>) -> Result<Json<BackupList>, ApiError> {
    Ok(Json(BackupList {
        items: state.backups.list(Kind::Dump)?,
    }))
}

/// Starts a snapshot: a copy of the index's last commit (segments hard-linked where the
/// filesystem allows) with its settings, in the snapshots directory; `kavosh serve --index
/// SNAPSHOT` serves it.
#[utoipa::path(post, path = "/snapshots", tag = "operations",
    security(("api_key" = [])),
    responses(
        (status = 202, description = "Started; GET /snapshots shows when it is done", body = BackupEntry),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key", body = ErrorBody),
        (status = 409, description = "A snapshot is being taken already", body = ErrorBody),
        (status = 503, description = "The index is being upgraded; see Retry-After", body = ErrorBody),
    ))]
pub async fn post_snapshot(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<BackupEntry>), ApiError> {
    let entry = start(&state, Kind::Snapshot).await?;
    Ok((StatusCode::ACCEPTED, Json(entry)))
}

/// The snapshots in the snapshots directory, oldest first, and the last one that failed.
#[utoipa::path(get, path = "/snapshots", tag = "operations",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Snapshots with their status", body = BackupList),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
    ))]
pub async fn list_snapshots(State(state): State<AppState>) -> Result<Json<BackupList>, ApiError> {
    Ok(Json(BackupList {
        items: state.backups.list(Kind::Snapshot)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backups_in(dir: &Path) -> Arc<Backups> {
        Arc::new(Backups::new(
            Some(dir.join("dumps")),
            Some(dir.join("snapshots")),
        ))
    }

    #[test]
    fn one_at_a_time_and_listings_say_how_each_stands() {
        let dir = tempfile::tempdir().unwrap();
        let backups = backups_in(dir.path());
        std::fs::create_dir_all(dir.path().join("dumps")).unwrap();
        std::fs::write(dir.path().join("dumps/dump-1.ndjson.gz"), "x").unwrap();
        std::fs::write(dir.path().join("dumps/dump-2.ndjson.gz.partial"), "").unwrap();
        std::fs::write(dir.path().join("dumps/dump-3.ndjson.gz.partial"), "").unwrap();
        let progress = Arc::new(Progress::new());
        progress.set_total(10);
        progress.advance(4);
        backups.lock_jobs()[Kind::Dump as usize] = Some(Job {
            name: "dump-3.ndjson.gz".into(),
            progress,
            outcome: None,
        });
        let index = Arc::new(SearchIndex::in_memory().unwrap());
        let e = backups.start(Kind::Dump, index).unwrap_err();
        assert_eq!(e.status, StatusCode::CONFLICT);
        assert!(e.detail.message.contains("dump-3"), "{}", e.detail.message);
        let listed: Vec<_> = backups
            .list(Kind::Dump)
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.status, e.done, e.total))
            .collect();
        assert_eq!(
            listed,
            [
                ("dump-1.ndjson.gz".to_string(), "done", None, None),
                ("dump-2.ndjson.gz".to_string(), "incomplete", None, None),
                ("dump-3.ndjson.gz".to_string(), "running", Some(4), Some(10)),
            ]
        );

        backups.lock_jobs()[Kind::Snapshot as usize] = Some(Job {
            name: "snapshot-9".into(),
            progress: Arc::new(Progress::new()),
            outcome: Some(Err("disk full".into())),
        });
        let failed = backups.list(Kind::Snapshot).unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(
            (failed[0].status, failed[0].error.as_deref()),
            ("failed", Some("disk full"))
        );
        let none = Backups::beside(None);
        let e = none.list(Kind::Snapshot).unwrap_err();
        assert_eq!(e.status, StatusCode::CONFLICT);
    }
}
