//! What the disk can refuse: a write whose commit fails because the disk is full (`ENOSPC`,
//! or a quota) or read-only (`EROFS`) is a [`WriteError`] that says so, so the service can
//! answer 507 or 503 instead of a bare 500. Nothing acknowledged is touched by such a failure:
//! tantivy replaces `meta.json` only once every file of a commit is written, so the index on
//! disk stays at its last commit, and [`super::SearchIndex`] rolls the writer back to it; the
//! next write after space returns commits normally.
//!
//! Tests reach the same failures without filling a disk through [`FaultyDirectory`], a tantivy
//! `Directory` over the real one whose writes fail while its switch is on.

use std::fmt;
use std::io;
use std::sync::Arc;

use super::IndexError;

/// Why the disk refused a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageFailure {
    /// No space left, or the user's quota is used up.
    Full,
    /// The file system is mounted read-only.
    ReadOnly,
}

impl StorageFailure {
    /// The failure an I/O error stands for, if it is one of these.
    pub fn of_io(e: &io::Error) -> Option<StorageFailure> {
        match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(StorageFailure::Full),
            io::ErrorKind::ReadOnlyFilesystem => Some(StorageFailure::ReadOnly),
            _ => None,
        }
    }

    /// The failure a tantivy error stands for: its I/O error (tantivy keeps the one of a
    /// file it could not create out of the chain of sources), else anywhere in that chain.
    pub fn of_tantivy(e: &tantivy::TantivyError) -> Option<StorageFailure> {
        use tantivy::directory::error::OpenWriteError;
        match e {
            tantivy::TantivyError::IoError(io)
            | tantivy::TantivyError::OpenWriteError(OpenWriteError::IoError {
                io_error: io, ..
            }) => StorageFailure::of_io(io),
            other => StorageFailure::of(other),
        }
    }

    /// The failure anywhere in an error's chain of sources.
    pub fn of(e: &(dyn std::error::Error + 'static)) -> Option<StorageFailure> {
        let mut next = Some(e);
        while let Some(e) = next {
            let io = e
                .downcast_ref::<io::Error>()
                .or_else(|| e.downcast_ref::<Arc<io::Error>>().map(|a| &**a));
            if let Some(failure) = io.and_then(StorageFailure::of_io) {
                return Some(failure);
            }
            next = e.source();
        }
        None
    }
}

/// A write (upsert, delete) that was not committed.
#[derive(Debug)]
pub struct WriteError {
    pub error: IndexError,
    /// Set when the disk refused it.
    pub storage: Option<StorageFailure>,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.storage {
            Some(StorageFailure::Full) => write!(f, "the disk is full: {}", self.error),
            Some(StorageFailure::ReadOnly) => {
                write!(f, "the disk is read-only: {}", self.error)
            }
            None => self.error.fmt(f),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<IndexError> for WriteError {
    fn from(error: IndexError) -> WriteError {
        WriteError {
            error,
            storage: None,
        }
    }
}

impl From<tantivy::TantivyError> for WriteError {
    fn from(e: tantivy::TantivyError) -> WriteError {
        WriteError {
            storage: StorageFailure::of_tantivy(&e),
            error: e.into(),
        }
    }
}

impl From<WriteError> for IndexError {
    fn from(e: WriteError) -> IndexError {
        match e.storage {
            None => e.error,
            Some(_) => IndexError(e.to_string()),
        }
    }
}

#[cfg(test)]
pub use faults::{FaultSwitch, FaultyDirectory};

#[cfg(test)]
mod faults {
    use std::io::{self, Write};
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, Ordering};

    use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
    use tantivy::directory::{
        AntiCallToken, Directory, FileHandle, TerminatingWrite, WatchCallback, WatchHandle,
        WritePtr,
    };

    use super::StorageFailure;

    /// Turns the faults of a [`FaultyDirectory`] on and off.
    #[derive(Clone, Debug, Default)]
    pub struct FaultSwitch(Arc<AtomicU8>);

    impl FaultSwitch {
        /// From now on every write fails as `failure` says (`None`: writes work).
        pub fn set(&self, failure: Option<StorageFailure>) {
            let code = match failure {
                None => 0,
                Some(StorageFailure::Full) => 1,
                Some(StorageFailure::ReadOnly) => 2,
            };
            self.0.store(code, Ordering::SeqCst);
        }

        fn check(&self) -> io::Result<()> {
            match self.0.load(Ordering::SeqCst) {
                0 => Ok(()),
                1 => Err(io::Error::from(io::ErrorKind::StorageFull)),
                _ => Err(io::Error::from(io::ErrorKind::ReadOnlyFilesystem)),
            }
        }
    }

    /// A directory whose file creations, writes and atomic replacements fail while its switch
    /// is on, as a full or read-only disk's do; reads and deletes always work.
    #[derive(Clone, Debug)]
    pub struct FaultyDirectory {
        inner: Box<dyn Directory>,
        switch: FaultSwitch,
    }

    impl FaultyDirectory {
        pub fn new(inner: Box<dyn Directory>, switch: FaultSwitch) -> FaultyDirectory {
            FaultyDirectory { inner, switch }
        }
    }

    struct FaultyWrite {
        inner: WritePtr,
        switch: FaultSwitch,
    }

    impl Write for FaultyWrite {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.switch.check()?;
            self.inner.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            self.switch.check()?;
            self.inner.flush()
        }
    }

    impl TerminatingWrite for FaultyWrite {
        fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
            self.switch.check()?;
            self.inner.terminate_ref(token)
        }
    }

    impl Directory for FaultyDirectory {
        fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
            self.inner.get_file_handle(path)
        }

        fn delete(&self, path: &Path) -> Result<(), DeleteError> {
            self.inner.delete(path)
        }

        fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
            self.inner.exists(path)
        }

        fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
            self.switch
                .check()
                .map_err(|e| OpenWriteError::wrap_io_error(e, path.to_path_buf()))?;
            let inner = self.inner.open_write(path)?;
            let write: Box<dyn TerminatingWrite + Send + Sync> = Box::new(FaultyWrite {
                inner,
                switch: self.switch.clone(),
            });
            Ok(io::BufWriter::new(write))
        }

        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.inner.atomic_read(path)
        }

        fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
            self.switch.check()?;
            self.inner.atomic_write(path, data)
        }

        fn sync_directory(&self) -> io::Result<()> {
            self.inner.sync_directory()
        }

        fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.inner.watch(callback)
        }
    }
}

#[cfg(test)]
impl super::SearchIndex {
    /// The index in `dir` (created when there is none) over a [`FaultyDirectory`].
    pub(crate) fn open_with_faults(
        dir: &std::path::Path,
    ) -> Result<(super::SearchIndex, FaultSwitch), IndexError> {
        let switch = FaultSwitch::default();
        let disk = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| IndexError(format!("cannot open {}: {e}", dir.display())))?;
        let directory = FaultyDirectory::new(Box::new(disk), switch.clone());
        let (schema, _) = super::schema::build_schema();
        let index = if dir.join("meta.json").exists() {
            tantivy::Index::open(directory)?
        } else {
            let index =
                tantivy::Index::create(directory, schema, tantivy::IndexSettings::default())?;
            super::versions::record_current(dir)?;
            index
        };
        let index = super::SearchIndex::from_index(
            index,
            super::Access::Write,
            super::INDEX_VERSION,
            Some(dir.to_path_buf()),
        )?;
        Ok((index, switch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::index::SearchIndex;
    use serde_json::json;

    fn doc(id: &str, title: &str) -> Document {
        let doc = Document::from_json(json!({
            "id": id, "kind": "news", "title": title, "date": "1404/09/25",
            "body": format!("{title}؛ نشست کارگروه فناوری پارک علم و فناوری مازندران"),
            "partners": [], "domains": [],
        }))
        .expect("a document");
        crate::ingest::settle(doc)
    }

    fn hits(index: &SearchIndex, q: &str) -> usize {
        let request = crate::search::SearchRequest {
            q: q.into(),
            ..Default::default()
        };
        crate::search::search(index, &request).unwrap().total
    }

    #[test]
    fn errors_are_classified_through_their_sources() {
        let full = io::Error::from_raw_os_error(28); // ENOSPC
        assert_eq!(StorageFailure::of_io(&full), Some(StorageFailure::Full));
        let read_only = io::Error::from_raw_os_error(30); // EROFS
        assert_eq!(
            StorageFailure::of_io(&read_only),
            Some(StorageFailure::ReadOnly)
        );
        let wrapped = tantivy::TantivyError::from(
            tantivy::directory::error::OpenWriteError::wrap_io_error(full, "x.idx".into()),
        );
        assert_eq!(
            StorageFailure::of_tantivy(&wrapped),
            Some(StorageFailure::Full)
        );
        let plain = tantivy::TantivyError::from(io::Error::from_raw_os_error(30));
        assert_eq!(
            StorageFailure::of_tantivy(&plain),
            Some(StorageFailure::ReadOnly)
        );
        let other = tantivy::TantivyError::from(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(StorageFailure::of_tantivy(&other), None);
    }

    /// With the disk full then read-only, writes fail and say why, reads go on and see every
    /// acknowledged document, and once the disk takes writes again the same writer commits.
    #[test]
    fn a_failed_commit_loses_nothing_and_the_writer_recovers() {
        let dir = tempfile::tempdir().unwrap();
        let (index, switch) = SearchIndex::open_with_faults(dir.path()).unwrap();
        index.upsert(&[doc("a", "هم‌افزایی")]).unwrap();
        for failure in [StorageFailure::Full, StorageFailure::ReadOnly] {
            switch.set(Some(failure));
            let e = index.upsert(&[doc("b", "نوآوری")]).unwrap_err();
            assert_eq!(e.storage, Some(failure), "{e}");
            let e = index.delete("a").unwrap_err();
            assert_eq!(e.storage, Some(failure), "{e}");
            assert_eq!(index.num_docs(), 1);
            assert_eq!(hits(&index, "همافزایی"), 1, "reads go on");
            assert!(
                index.get("b").unwrap().is_none(),
                "nothing half-written shows"
            );
        }
        switch.set(None);
        index.upsert(&[doc("b", "نوآوری")]).unwrap();
        assert_eq!(index.num_docs(), 2);
        assert_eq!(hits(&index, "نوآوری"), 1);
        // The failed writes are not replayed by a later commit (a is still there), and the
        // disk holds what was acknowledged.
        index.upsert(&[doc("c", "پژوهش")]).unwrap();
        drop(index);
        let reopened = SearchIndex::open_or_create(dir.path()).unwrap();
        assert_eq!(reopened.num_docs(), 3);
        for id in ["a", "b", "c"] {
            assert!(reopened.get(id).unwrap().is_some(), "{id}");
        }
    }
}
