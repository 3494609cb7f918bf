//! A new index filled with documents exactly as they were stored (an upgrade, a restore), in
//! a directory of its own. It becomes a complete index only when [`Rebuild::finish`] records
//! its version, the last thing written, so a rebuild cut short is never taken for an index.

use std::path::{Path, PathBuf};

use super::{COMPACT_SEGMENTS, IndexError, IndexSettings, SearchIndex, files, versions};
use crate::document::StoredDocument;

pub(crate) struct Rebuild {
    index: SearchIndex,
    dir: PathBuf,
    added: u64,
}

impl Rebuild {
    /// Starts an index in `dir`, which must be missing or empty.
    pub fn create(dir: &Path) -> Result<Rebuild, IndexError> {
        files::require_new_dir(dir, "give a new directory")?;
        Ok(Rebuild {
            index: SearchIndex::create_in(dir)?,
            dir: dir.to_path_buf(),
            added: 0,
        })
    }

    /// Adds a document as stored. Nothing is replaced: the rebuilt index holds what it was
    /// given, one for one.
    pub fn add(&mut self, doc: &StoredDocument) -> Result<(), IndexError> {
        self.index.add_stored(doc)?;
        self.added += 1;
        Ok(())
    }

    /// The new index's settings.
    pub fn settings(&self) -> &IndexSettings {
        self.index.settings()
    }

    /// Commits, settles the partners' names (with the edits among the settings copied in),
    /// merges (a large index into [`COMPACT_SEGMENTS`], as `kavosh compact` leaves a bulk load:
    /// a rebuilt index is searched next), makes every file durable and records the version.
    /// Returns the number of documents, checked against those added.
    pub fn finish(self) -> Result<u64, IndexError> {
        self.index.commit_added()?;
        self.index.reload_partner_edits()?;
        self.index.settle_partner_names()?;
        self.index.wait_merges()?;
        if self.index.worth_compacting().is_some() {
            self.index.compact(COMPACT_SEGMENTS)?;
        }
        let documents = self.index.num_docs();
        drop(self.index); // The writer's threads end and its lock is released.
        if documents != self.added {
            return Err(IndexError(format!(
                "{} documents were added but the new index holds {documents}",
                self.added
            )));
        }
        files::sync_tree(&self.dir)
            .map_err(|e| IndexError(format!("cannot sync {}: {e}", self.dir.display())))?;
        versions::record_current(&self.dir)?;
        Ok(documents)
    }
}
