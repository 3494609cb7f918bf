//! Upgrades: an index of an older version (see [`super::versions`]) is rebuilt from its
//! stored documents, exactly as stored (partners and domains are not extracted again), into a
//! sibling directory `DIR.migrating`, which takes the old index's place only once complete.
//! Kavosh's own files in the old directory (`settings/`, anything an operator keeps there) are
//! copied into the new one; tantivy's files and the version record are not.
//!
//! The switch is two renames, `DIR` → `DIR.previous` then `DIR.migrating` → `DIR`; then
//! `DIR.previous` is deleted. The rebuilt index is complete once its version is recorded, the
//! last thing written into it, so a crash at any moment leaves a servable index and loses
//! nothing. The next opening finds one of:
//! - `DIR` and a `DIR.migrating` (complete or not): the rebuild or the switch had not begun
//!   replacing anything; `DIR` is as it was and the rebuild is deleted (it is redone);
//! - no `DIR` but a complete `DIR.migrating`: the switch was cut between its renames; it is
//!   finished ([`finish_interrupted_switch`]);
//! - `DIR` and `DIR.previous`: the switch was done; the old copy is deleted.
//!
//! Leftovers are deleted only by a process holding `DIR`'s writer lock, which the migrating
//! process holds throughout, so nobody deletes a rebuild in progress.

use std::fs;
use std::path::Path;
use std::time::Instant;

use super::rebuild::Rebuild;
use super::{INDEX_VERSION, IndexError, Progress, SearchIndex, files, versions};

/// The suffix of the directory an index is rebuilt in.
const MIGRATING: &str = "migrating";
/// The suffix the old index takes during the switch.
const PREVIOUS: &str = "previous";

/// What an upgrade did.
#[derive(Clone, Debug)]
pub struct Migrated {
    /// The version of the old index.
    pub from: u32,
    pub documents: u64,
    pub seconds: f64,
}

impl std::fmt::Display for Migrated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "upgraded from index version {} to {INDEX_VERSION}: {} documents, {:.2} seconds",
            self.from, self.documents, self.seconds
        )
    }
}

/// Upgrades the index in `dir` if it is of an older version (`kavosh migrate`, `ingest`);
/// `None` when there is no index or it is current. `progress` counts documents.
pub fn upgrade(dir: &Path, progress: &Progress) -> Result<Option<Migrated>, IndexError> {
    finish_interrupted_switch(dir)?;
    if !dir.join("meta.json").exists() {
        return Ok(None);
    }
    let source = SearchIndex::open_or_create(dir)?;
    if source.version() == INDEX_VERSION {
        return Ok(None);
    }
    migrate(&source, progress).map(Some)
}

/// Whether the index in `dir` is of an older version (and so would be upgraded).
pub fn is_older(dir: &Path) -> Result<bool, IndexError> {
    if !dir.join("meta.json").exists() {
        return Ok(false);
    }
    Ok(SearchIndex::open_read_only(dir)?.version() < INDEX_VERSION)
}

/// Rebuilds `source`, an index of an older version opened with its writer (so nothing else
/// writes to it meanwhile), and puts the rebuilt index in its directory. Searches on `source`
/// go on working meanwhile and after; once this returns `Ok`, open the directory again for the
/// new index. On an error the old index is left as it was.
pub fn migrate(source: &SearchIndex, progress: &Progress) -> Result<Migrated, IndexError> {
    let started = Instant::now();
    let dir = source
        .path()
        .ok_or_else(|| IndexError("an index in memory cannot be upgraded".into()))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| IndexError(format!("cannot find {}: {e}", dir.display())))?;
    let rebuilt = files::sibling(&dir, MIGRATING);
    tracing::info!(
        index = %dir.display(),
        from = source.version(),
        to = INDEX_VERSION,
        "upgrading the index: rebuilding it from its stored documents in {}",
        rebuilt.display()
    );
    let documents = rebuild(source, &dir, &rebuilt, progress)
        .and_then(|documents| switch(&dir, &rebuilt).map(|()| documents))
        .map_err(|e| {
            if dir.exists() {
                let _ = fs::remove_dir_all(&rebuilt);
            }
            IndexError(format!(
                "the upgrade of the index in {} failed, and the index is as it was: {e}",
                dir.display()
            ))
        })?;
    Ok(Migrated {
        from: source.version(),
        documents,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Fills `rebuilt` with every document of `source`'s last commit and its own files.
fn rebuild(
    source: &SearchIndex,
    dir: &Path,
    rebuilt: &Path,
    progress: &Progress,
) -> Result<u64, IndexError> {
    if rebuilt.exists() {
        fs::remove_dir_all(rebuilt).map_err(|e| io_error(rebuilt, e))?;
    }
    let searcher = source.searcher();
    let expected = searcher.num_docs();
    progress.set_total(expected);
    let mut index = Rebuild::create(rebuilt)?;
    source.for_each_stored(&searcher, |doc| {
        index.add(&doc)?;
        progress.advance(1);
        Ok(())
    })?;
    files::copy_own_files(dir, rebuilt, &[versions::VERSION_FILE])
        .map_err(|e| IndexError(format!("cannot copy the files of {}: {e}", dir.display())))?;
    let documents = index.finish()?;
    if documents != expected {
        return Err(IndexError(format!(
            "the old index holds {expected} documents but the rebuilt one {documents}"
        )));
    }
    Ok(documents)
}

/// Puts `rebuilt` in `dir`'s place and deletes the old index.
fn switch(dir: &Path, rebuilt: &Path) -> Result<(), IndexError> {
    let previous = files::sibling(dir, PREVIOUS);
    let parent = files::parent(dir);
    fs::rename(dir, &previous).map_err(|e| io_error(dir, e))?;
    files::sync_dir(parent).map_err(|e| io_error(parent, e))?;
    if let Err(e) = fs::rename(rebuilt, dir) {
        let _ = fs::rename(&previous, dir);
        return Err(io_error(rebuilt, e));
    }
    files::sync_dir(parent).map_err(|e| io_error(parent, e))?;
    remove_old(&previous);
    Ok(())
}

/// Finishes a switch a crash cut between its renames (`dir` missing). Needs no lock: renames
/// are atomic, and whoever comes second finds the work done.
pub fn finish_interrupted_switch(dir: &Path) -> Result<(), IndexError> {
    if dir.exists() {
        return Ok(());
    }
    let (rebuilt, previous) = (
        files::sibling(dir, MIGRATING),
        files::sibling(dir, PREVIOUS),
    );
    let parent = files::parent(dir);
    if is_complete(&rebuilt) {
        tracing::warn!(index = %dir.display(), "finishing an upgrade a crash interrupted");
        rename_if_there(&rebuilt, dir)?;
        files::sync_dir(parent).map_err(|e| io_error(parent, e))?;
        remove_old(&previous);
    } else if previous.exists() {
        // The switch renames the old index away only once the new one is complete, so this
        // cannot follow from a crash; the old index is the safe choice.
        rename_if_there(&previous, dir)?;
        files::sync_dir(parent).map_err(|e| io_error(parent, e))?;
    }
    Ok(())
}

/// Whether `dir` is missing because a switch was cut short (then
/// [`finish_interrupted_switch`] restores it).
pub fn switch_was_interrupted(dir: &Path) -> bool {
    !dir.exists()
        && (is_complete(&files::sibling(dir, MIGRATING)) || files::sibling(dir, PREVIOUS).exists())
}

/// Deletes what an interrupted upgrade left beside `dir`. Only for the holder of `dir`'s
/// writer lock (see the module's documentation).
pub(crate) fn remove_leftovers(dir: &Path) -> Result<(), IndexError> {
    for leftover in [MIGRATING, PREVIOUS].map(|s| files::sibling(dir, s)) {
        if leftover.exists() {
            tracing::warn!(leftover = %leftover.display(), "deleting what an interrupted upgrade left");
            fs::remove_dir_all(&leftover).map_err(|e| io_error(&leftover, e))?;
        }
    }
    Ok(())
}

fn is_complete(rebuilt: &Path) -> bool {
    matches!(versions::recorded(rebuilt), Ok(Some(_)))
}

fn rename_if_there(from: &Path, to: &Path) -> Result<(), IndexError> {
    match fs::rename(from, to) {
        Err(e) if !(e.kind() == std::io::ErrorKind::NotFound && to.exists()) => {
            Err(io_error(from, e))
        }
        _ => Ok(()),
    }
}

/// Deletes the old index after a switch; what cannot be deleted now is deleted at the next
/// opening.
fn remove_old(previous: &Path) {
    if let Err(e) = fs::remove_dir_all(previous)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(old = %previous.display(), "cannot delete the old index yet: {e}");
    }
}

fn io_error(path: &Path, e: std::io::Error) -> IndexError {
    IndexError(format!("{}: {e}", path.display()))
}
