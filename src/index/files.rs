//! The file operations the index's durability rests on: replacing a file atomically, syncing
//! directories, telling tantivy's files from kavosh's own, and carrying kavosh's own files
//! (settings, the version record, anything an operator keeps there) from one index directory
//! to another.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::calendar::Day;

/// Replaces `path` with `bytes` so that a crash leaves the old content or the new, never a
/// mix: written to a temporary file beside it, synced, renamed over it, the directory synced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = dir.join(format!(".{name}.tmp"));
    let write = || -> io::Result<()> {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        sync_dir(dir)
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

/// Makes the entries of `dir` (creations, renames, deletions) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The directory holding `path` (`.` for a bare name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `dir` with `.suffix` added to its name: `/srv/index` → `/srv/index.migrating`.
pub fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    dir.with_file_name(name)
}

/// Whether a file of an index directory is tantivy's: its metadata, locks, temporary files and
/// segment files (`<32 hex digits>.<component>`, deletes `<id>.<opstamp>.del`). The rest
/// (`settings/`, the version record, a README) is kavosh's or the operator's.
pub fn is_tantivy_file(name: &str) -> bool {
    let segment_file = name
        .split_once('.')
        .is_some_and(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    segment_file
        || name == "meta.json"
        || name == ".managed.json"
        || name.starts_with(".tantivy-")
        || name.starts_with(".tmp")
}

/// Copies every entry of `from` that is not tantivy's into `to` (directories recursively),
/// except those named in `except` and any that holds `to` itself; each copy is synced.
pub fn copy_own_files(from: &Path, to: &Path, except: &[&str]) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        let path = entry.path();
        if is_tantivy_file(&name_str)
            || except.contains(&name_str.as_ref())
            || to.starts_with(&path)
        {
            continue;
        }
        copy_tree(&path, &to.join(&name))?;
    }
    sync_dir(to)
}

/// Copies a file, or a directory with everything in it, syncing each file and directory.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", from.display()));
    if fs::metadata(from).map_err(named)?.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        sync_dir(to)
    } else {
        fs::copy(from, to).map_err(named)?;
        File::open(to)?.sync_all()
    }
}

/// Syncs every file and directory under `dir`, so that what was written there is durable.
pub fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        } else {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

/// Checks that `dir` is missing or an empty directory, the place for a new index; else an
/// error that says `advice`.
pub fn require_new_dir(dir: &Path, advice: &str) -> Result<(), super::IndexError> {
    let empty = match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(e) => {
            return Err(super::IndexError(format!(
                "cannot read {}: {e}",
                dir.display()
            )));
        }
    };
    if empty {
        Ok(())
    } else {
        Err(super::IndexError(format!(
            "{} is not empty: {advice}",
            dir.display()
        )))
    }
}

/// The time now in UTC, RFC 3339 to the second: `2026-12-06T07:16:00Z`.
pub fn utc_now() -> String {
    utc(SystemTime::now())
}

/// A time in UTC, RFC 3339 to the second.
pub fn utc(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = Day::from_days_since_epoch(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        day.iso_string(),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tantivy_files_are_told_from_the_rest() {
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".tmpAbC12",
            "f58f95dd726548eb8ea1b472a4c6faa0.term",
            "f58f95dd726548eb8ea1b472a4c6faa0.33.del",
        ] {
            assert!(is_tantivy_file(name), "{name}");
        }
        for name in [
            "settings",
            "kavosh-index.json",
            "README.md",
            "f58f95dd.term",
        ] {
            assert!(!is_tantivy_file(name), "{name}");
        }
    }

    #[test]
    fn own_files_are_copied_and_tantivy_files_are_not() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        fs::create_dir(from.path().join("settings")).unwrap();
        fs::write(from.path().join("settings/synonyms.json"), "{}").unwrap();
        fs::write(from.path().join("README.md"), "نمایه").unwrap();
        fs::write(from.path().join("meta.json"), "{}").unwrap();
        fs::write(from.path().join("kavosh-index.json"), "{}").unwrap();
        copy_own_files(from.path(), to.path(), &["kavosh-index.json"]).unwrap();
        let mut names: Vec<_> = fs::read_dir(to.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["README.md", "settings"]);
        assert_eq!(
            fs::read_to_string(to.path().join("settings/synonyms.json")).unwrap(),
            "{}"
        );
    }

    #[test]
    fn siblings_sit_beside_the_directory() {
        assert_eq!(
            sibling(Path::new("/srv/index"), "migrating"),
            Path::new("/srv/index.migrating")
        );
        assert_eq!(
            sibling(Path::new("index/"), "dumps"),
            Path::new("index.dumps")
        );
    }

    #[test]
    fn times_are_written_in_utc() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_765_870_207);
        assert_eq!(utc(t), "2025-12-16T07:30:07Z");
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn an_atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_atomically(&path, b"1").unwrap();
        write_atomically(&path, b"2").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "2");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
