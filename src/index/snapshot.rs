//! Snapshots: a point-in-time copy of an index directory that is itself an index (`kavosh
//! serve --index SNAPSHOT` serves it), taken while the index is written to.
//!
//! What a snapshot holds: the segment files of the last commit, its `meta.json`, and kavosh's
//! own files (`settings/`, the version record). Segment files are hard links where the
//! filesystem allows (tantivy never changes a file once written, and replaces `meta.json` by
//! renaming, so a link cannot see later writes), else copies. While the files of the commit are
//! looked up and linked, the snapshot holds tantivy's meta lock, which the writer's garbage
//! collection takes too: no file of the commit can be deleted in between. A file that must be
//! copied is opened under the lock and copied after it, from the open file, which outlives a
//! deletion.
//!
//! A snapshot is written as `NAME.partial` and renamed to `NAME` when complete and synced.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::Directory;
use tantivy::directory::META_LOCK;

use super::backups::PARTIAL;
use super::{IndexError, SearchIndex, files};

/// What a snapshot holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SnapshotReport {
    /// Documents of the commit it holds.
    pub documents: u64,
    /// Segment files hard-linked, and copied.
    pub linked: u64,
    pub copied: u64,
}

/// Takes a snapshot of `index`'s last commit into the new directory `target`.
pub fn snapshot(index: &SearchIndex, target: &Path) -> Result<SnapshotReport, IndexError> {
    let source = index
        .path()
        .ok_or_else(|| IndexError("an index in memory has no files to snapshot".into()))?;
    if target.exists() {
        return Err(IndexError(format!("{} exists already", target.display())));
    }
    let partial = files::sibling(target, PARTIAL);
    let result = take(index, source, &partial).and_then(|report| {
        fs::rename(&partial, target)
            .and_then(|()| files::sync_dir(files::parent(target)))
            .map_err(|e| io_error(target, e))?;
        Ok(report)
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&partial);
    }
    result
}

fn take(index: &SearchIndex, source: &Path, partial: &Path) -> Result<SnapshotReport, IndexError> {
    fs::create_dir_all(partial).map_err(|e| io_error(partial, e))?;
    let mut report = SnapshotReport::default();
    let mut placed: HashSet<PathBuf> = HashSet::new();
    let mut to_copy: Vec<(PathBuf, File)> = Vec::new();
    let meta = {
        let _lock = index
            .index
            .directory()
            .acquire_lock(&META_LOCK)
            .map_err(|e| IndexError(format!("cannot take the index's meta lock: {e}")))?;
        let meta = index.index.load_metas()?;
        for name in meta.list_segment_files() {
            let from = source.join(&name);
            match fs::hard_link(&from, partial.join(&name)) {
                Ok(()) => report.linked += 1,
                // Candidates for components a segment lacks are listed too.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(_) => match File::open(&from) {
                    Ok(file) => to_copy.push((name.clone(), file)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io_error(&from, e)),
                },
            }
            placed.insert(name);
        }
        meta
    };
    for (name, mut file) in to_copy {
        let to = partial.join(&name);
        File::create(&to)
            .and_then(|mut out| io::copy(&mut file, &mut out))
            .map_err(|e| io_error(&to, e))?;
        report.copied += 1;
    }
    report.documents = meta.segments.iter().map(|s| u64::from(s.num_docs())).sum();
    let mut meta_json = serde_json::to_vec_pretty(&meta)
        .map_err(|e| IndexError(format!("cannot write the snapshot's meta.json: {e}")))?;
    meta_json.push(b'\n');
    fs::write(partial.join("meta.json"), meta_json).map_err(|e| io_error(partial, e))?;
    // Tantivy's list of the files it may delete once they are no longer used.
    let managed = serde_json::to_vec(&placed).expect("file names serialize");
    fs::write(partial.join(".managed.json"), managed).map_err(|e| io_error(partial, e))?;
    files::copy_own_files(source, partial, &[]).map_err(|e| {
        IndexError(format!(
            "cannot copy the files of {}: {e}",
            source.display()
        ))
    })?;
    files::sync_tree(partial).map_err(|e| io_error(partial, e))?;
    Ok(report)
}

fn io_error(path: &Path, e: io::Error) -> IndexError {
    IndexError(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Day;
    use crate::document::{Document, Kind};
    use std::os::unix::fs::MetadataExt;

    fn doc(i: usize) -> Document {
        Document {
            id: format!("mou-{i}"),
            kind: Kind::Agreement,
            title: format!("تفاهم‌نامه همکاری شماره {i}"),
            body: "همکاری پژوهشی پارک علم و فناوری مازندران".into(),
            date: Day::parse("1404/09/25").unwrap(),
            number: Some(i as u64),
            partners: Some(vec!["دانشگاه مازندران".into()]),
            domains: Some(vec!["ict".into()]),
            url: None,
            source: None,
            publisher: None,
            crawl: None,
        }
    }

    #[test]
    fn a_snapshot_is_an_index_of_one_commit_that_later_writes_do_not_touch() {
        let dir = tempfile::tempdir().unwrap();
        let live = SearchIndex::open_or_create(&dir.path().join("index")).unwrap();
        for i in 0..5 {
            live.upsert(&[doc(i)]).unwrap();
        }
        live.settings()
            .put("synonyms", &serde_json::json!({"a": ["b"]}))
            .unwrap();
        let before: Vec<_> = (0..5)
            .map(|i| live.get(&format!("mou-{i}")).unwrap().unwrap())
            .collect();
        let target = dir.path().join("snapshots/snapshot-1");
        fs::create_dir_all(files::parent(&target)).unwrap();
        let report = snapshot(&live, &target).unwrap();
        assert_eq!(report.documents, 5);
        assert!(report.linked > 0 && report.copied == 0, "{report:?}");
        let linked = fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.file_name().to_string_lossy().ends_with(".store"))
            .unwrap();
        assert!(linked.metadata().unwrap().nlink() >= 2);

        // The live index goes on: deletes, more documents, merges that delete the files the
        // snapshot links.
        assert!(live.delete("mou-0").unwrap());
        for i in 5..12 {
            live.upsert(&[doc(i)]).unwrap();
        }
        live.wait_merges().unwrap();
        assert_eq!(live.num_docs(), 11);

        let snap = SearchIndex::open_or_create(&target).unwrap();
        assert_eq!(snap.version(), crate::index::INDEX_VERSION);
        assert_eq!(snap.num_docs(), 5);
        for (i, doc) in before.iter().enumerate() {
            assert_eq!(snap.get(&format!("mou-{i}")).unwrap().as_ref(), Some(doc));
        }
        assert_eq!(
            snap.settings().all().unwrap(),
            live.settings().all().unwrap()
        );
        // Writing to the snapshot leaves the live index alone.
        snap.upsert(&[doc(100)]).unwrap();
        assert!(snap.delete("mou-1").unwrap());
        assert_eq!(live.num_docs(), 11);
        assert!(live.get("mou-1").unwrap().is_some() && live.get("mou-100").unwrap().is_none());
        assert!(snapshot(&live, &target).unwrap_err().0.contains("exists"));
    }

    #[test]
    fn across_filesystems_the_files_are_copied() {
        let dir = tempfile::tempdir().unwrap();
        let shm = Path::new("/dev/shm");
        let other_device =
            fs::metadata(shm).is_ok_and(|m| m.dev() != fs::metadata(dir.path()).unwrap().dev());
        if !other_device {
            eprintln!("skipped: no second filesystem at /dev/shm");
            return;
        }
        let live = SearchIndex::open_or_create(&dir.path().join("index")).unwrap();
        live.upsert(&[doc(1), doc(2)]).unwrap();
        let elsewhere = tempfile::tempdir_in(shm).unwrap();
        let target = elsewhere.path().join("snapshot-1");
        let report = snapshot(&live, &target).unwrap();
        assert!(report.linked == 0 && report.copied > 0, "{report:?}");
        let snap = SearchIndex::open_or_create(&target).unwrap();
        assert_eq!(snap.get("mou-2").unwrap(), live.get("mou-2").unwrap());
    }
}
