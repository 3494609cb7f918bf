//! Where dumps and snapshots are kept: directories beside the index by default (`DIR.dumps`,
//! `DIR.snapshots`), names that sort by time (`dump-20261206-071600.ndjson.gz`,
//! `snapshot-20261206-071600`), and listings of what is there. Work in progress carries the
//! suffix `.partial` until it is complete.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::files;

/// The suffix of a dump or snapshot being written.
pub const PARTIAL: &str = "partial";

/// The default directory of `kind` (`dumps`, `snapshots`) for the index in `index_dir`.
pub fn default_dir(index_dir: &Path, kind: &str) -> PathBuf {
    let dir = index_dir
        .canonicalize()
        .unwrap_or_else(|_| index_dir.to_path_buf());
    files::sibling(&dir, kind)
}

/// A new name in `dir`: `prefix-YYYYMMDD-HHMMSS` + `suffix`, with `-2`, `-3`… when taken.
pub fn new_name(dir: &Path, prefix: &str, suffix: &str) -> String {
    let stamp: String = files::utc_now()
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            'T' => Some('-'),
            _ => None,
        })
        .collect();
    let taken =
        |name: &str| dir.join(name).exists() || dir.join(format!("{name}.{PARTIAL}")).exists();
    let mut name = format!("{prefix}-{stamp}{suffix}");
    let mut n = 2;
    while taken(&name) {
        name = format!("{prefix}-{stamp}-{n}{suffix}");
        n += 1;
    }
    name
}

/// A dump or snapshot found in its directory.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// The file or directory name (without `.partial`).
    pub name: String,
    /// False while it is written (or when a crash cut its writing short).
    pub complete: bool,
    /// Its size (a snapshot's files, hard links counted whole).
    pub bytes: u64,
    /// When it was last modified (UTC).
    pub modified: String,
}

/// Every entry of `dir` named as [`new_name`] names them for `prefix` and `suffix`, by name;
/// none when `dir` is missing.
pub fn list(dir: &Path, prefix: &str, suffix: &str) -> io::Result<Vec<Entry>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let (name, complete) = match name.strip_suffix(&format!(".{PARTIAL}")) {
            Some(stem) => (stem.to_string(), false),
            None => (name, true),
        };
        let stamp = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(suffix));
        if !stamp
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        {
            continue;
        }
        let metadata = entry.metadata()?;
        found.push(Entry {
            name,
            complete,
            bytes: size(&entry.path())?,
            modified: metadata.modified().map(files::utc).unwrap_or_default(),
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn size(path: &Path) -> io::Result<u64> {
    let metadata = fs::symlink_metadata(path)?;
    if !metadata.is_dir() {
        return Ok(metadata.len());
    }
    let mut total = 0;
    for entry in fs::read_dir(path)? {
        total += size(&entry?.path())?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let first = new_name(dir.path(), "dump", ".ndjson.gz");
        assert!(
            first.starts_with("dump-20") && first.ends_with(".ndjson.gz"),
            "{first}"
        );
        assert_eq!(first.len(), "dump-20261206-071600.ndjson.gz".len());
        fs::write(dir.path().join(format!("{first}.partial")), "").unwrap();
        let second = new_name(dir.path(), "dump", ".ndjson.gz");
        assert_ne!(first, second);
    }

    #[test]
    fn listings_tell_complete_from_partial() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("dump-1.ndjson.gz"), "abc").unwrap();
        fs::write(dir.path().join("dump-2.ndjson.gz.partial"), "").unwrap();
        fs::write(dir.path().join("dump-notes.txt"), "").unwrap();
        fs::create_dir(dir.path().join("snapshot-1")).unwrap();
        fs::write(dir.path().join("snapshot-1/meta.json"), "{}").unwrap();
        fs::create_dir(dir.path().join("snapshot-1.dumps")).unwrap();
        let dumps = list(dir.path(), "dump", ".ndjson.gz").unwrap();
        assert_eq!(
            dumps
                .iter()
                .map(|e| (e.name.as_str(), e.complete, e.bytes))
                .collect::<Vec<_>>(),
            [
                ("dump-1.ndjson.gz", true, 3),
                ("dump-2.ndjson.gz", false, 0)
            ]
        );
        let snapshots = list(dir.path(), "snapshot", "").unwrap();
        assert_eq!(snapshots.len(), 1);
        assert_eq!(snapshots[0].bytes, 2);
        assert!(
            list(&dir.path().join("none"), "dump", "")
                .unwrap()
                .is_empty()
        );
    }
}
