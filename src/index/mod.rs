//! The on-disk index: opening or creating it, writing documents (upsert by id, delete, commit)
//! and reading them back. Every write that returns `Ok` is committed and visible to the next
//! search.

pub mod schema;
pub mod settings;
pub mod storage;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::analysis::{name_key, register_tokenizers};
use crate::document::{Document, StoredDocument, Taxonomy};
pub use schema::Fields;
pub use settings::IndexSettings;
pub use storage::{StorageFailure, WriteError};

/// Memory the index writer may use before flushing a segment.
pub const WRITER_MEMORY_BYTES: usize = 256 * 1024 * 1024;

/// An error from the index, with what the user can do about it.
#[derive(Debug)]
pub struct IndexError(pub String);

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IndexError {}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        IndexError(format!("index error: {e}"))
    }
}

fn new_writer(index: &Index) -> Result<IndexWriter, IndexError> {
    index.writer(WRITER_MEMORY_BYTES).map_err(|e| {
        IndexError(format!(
            "cannot take the index writer ({e}); is another kavosh writing to this index?"
        ))
    })
}

fn writer_gone() -> IndexError {
    IndexError("the index writer could not be reopened after merging; restart kavosh".into())
}

/// The locked writer (present: [`SearchIndex::lock_writer`] checked).
struct WriterGuard<'a>(std::sync::MutexGuard<'a, Option<IndexWriter>>);

impl std::ops::Deref for WriterGuard<'_> {
    type Target = IndexWriter;
    fn deref(&self) -> &IndexWriter {
        self.0.as_ref().expect("checked by lock_writer")
    }
}

impl std::ops::DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut IndexWriter {
        self.0.as_mut().expect("checked by lock_writer")
    }
}

/// The index with its reader and its single writer.
pub struct SearchIndex {
    pub index: Index,
    pub fields: Fields,
    reader: IndexReader,
    /// `None` only while [`SearchIndex::wait_merges`] swaps it (or after that failed).
    writer: Mutex<Option<IndexWriter>>,
    settings: IndexSettings,
    path: Option<PathBuf>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index when there is none.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            IndexError(format!(
                "cannot create index directory {}: {e}",
                dir.display()
            ))
        })?;
        let (schema, fields) = schema::build_schema();
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(dir).map_err(|e| {
                IndexError(format!("cannot open the index in {}: {e}", dir.display()))
            })?;
            if index.schema() != schema {
                return Err(IndexError(format!(
                    "the index in {} was built by another version of kavosh; \
                     ingest into a new directory (kavosh ingest --index NEW_DIR corpus/) \
                     and point --index at it",
                    dir.display()
                )));
            }
            index
        } else {
            Index::create_in_dir(dir, schema).map_err(|e| {
                IndexError(format!("cannot create an index in {}: {e}", dir.display()))
            })?
        };
        Self::from_index(index, fields, Some(dir.to_path_buf()))
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema::build_schema();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        path: Option<PathBuf>,
    ) -> Result<SearchIndex, IndexError> {
        register_tokenizers(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = new_writer(&index)?;
        let settings = match &path {
            Some(dir) => IndexSettings::on_disk(dir),
            None => IndexSettings::in_memory(),
        };
        Ok(SearchIndex {
            index,
            fields,
            reader,
            writer: Mutex::new(Some(writer)),
            settings,
            path,
        })
    }

    /// Waits until the segment merges started by earlier commits (and those they lead to) have
    /// finished, then makes the merged segments visible. tantivy merges in the background, and
    /// a process that exits right after its last commit abandons its merges: `kavosh ingest` of
    /// 100k documents used to leave 13 small segments, which every search then visits (typo
    /// expansion walks each segment's term dictionary), plus the files of the abandoned merges.
    pub fn wait_merges(&self) -> Result<(), IndexError> {
        let mut slot = self
            .writer
            .lock()
            .map_err(|_| IndexError("the index writer failed earlier; restart kavosh".into()))?;
        // tantivy only waits for its merges by consuming the writer; a new one takes its place.
        let writer = slot.take().ok_or_else(writer_gone)?;
        writer.wait_merging_threads()?;
        let writer = new_writer(&self.index)?;
        // Delete what the merges left behind (tantivy does so on its own after the next commit).
        let _ = writer.garbage_collect_files().wait();
        *slot = Some(writer);
        drop(slot);
        self.reader.reload()?;
        Ok(())
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The settings this index keeps beside its segments.
    pub fn settings(&self) -> &IndexSettings {
        &self.settings
    }

    /// A searcher over the last commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Number of documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// Adds or replaces (by id) each document, then commits. Partners and domains must be
    /// settled (`Some`) by then; `None` is indexed as none.
    pub fn upsert(&self, docs: &[Document]) -> Result<(), WriteError> {
        let mut writer = self.lock_writer()?;
        for doc in docs {
            writer.delete_term(Term::from_field_text(self.fields.id, &doc.id));
            writer.add_document(self.to_tantivy(doc))?;
        }
        self.commit(&mut writer)
    }

    /// Deletes a document by id and commits; `Ok(false)` when there was none.
    pub fn delete(&self, id: &str) -> Result<bool, WriteError> {
        let existed = self.get(id)?.is_some();
        if existed {
            let mut writer = self.lock_writer()?;
            writer.delete_term(Term::from_field_text(self.fields.id, id));
            self.commit(&mut writer)?;
        }
        Ok(existed)
    }

    fn lock_writer(&self) -> Result<WriterGuard<'_>, IndexError> {
        let guard = self
            .writer
            .lock()
            .map_err(|_| IndexError("the index writer failed earlier; restart kavosh".into()))?;
        if guard.is_none() {
            return Err(writer_gone());
        }
        Ok(WriterGuard(guard))
    }

    /// Commits, or rolls the writer back to the last commit: nothing of a failed batch is
    /// durable, and the writer (fresh indexing threads, as a failed commit may have lost
    /// them) starts the next write clean.
    fn commit(&self, writer: &mut IndexWriter) -> Result<(), WriteError> {
        if let Err(e) = writer.commit() {
            if let Err(rollback) = writer.rollback() {
                tracing::error!("rolling the index writer back failed: {rollback}");
            }
            return Err(e.into());
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The stored document with this id.
    pub fn get(&self, id: &str) -> Result<Option<StoredDocument>, IndexError> {
        let searcher = self.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match hits.first() {
            Some((_, address)) => Ok(Some(self.stored(&searcher, *address)?)),
            None => Ok(None),
        }
    }

    /// Reads a stored document.
    pub fn stored(
        &self,
        searcher: &Searcher,
        address: tantivy::DocAddress,
    ) -> Result<StoredDocument, IndexError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc
            .get_first(self.fields.document)
            .and_then(|v| v.as_str())
            .ok_or_else(|| IndexError("a stored document is missing its JSON".into()))?;
        serde_json::from_str(json)
            .map_err(|e| IndexError(format!("a stored document is unreadable: {e}")))
    }

    fn to_tantivy(&self, doc: &Document) -> TantivyDocument {
        let f = &self.fields;
        let stored = doc.to_stored();
        let mut t = TantivyDocument::new();
        t.add_text(f.id, &doc.id);
        t.add_text(f.kind, doc.kind.as_str());
        t.add_text(f.title, &doc.title);
        t.add_text(f.title_exact, &doc.title);
        t.add_text(f.body, &doc.body);
        t.add_text(f.body_exact, &doc.body);
        for p in &stored.partners {
            t.add_text(f.partner, p);
            t.add_text(f.partner_key, name_key(p));
        }
        let taxonomy = Taxonomy::get();
        let mut domains: Vec<&str> = stored
            .domains
            .iter()
            .flat_map(|d| taxonomy.with_ancestors(d))
            .collect();
        domains.sort_unstable();
        domains.dedup();
        for d in domains {
            t.add_text(f.domain, d);
        }
        t.add_date(
            f.date,
            DateTime::from_timestamp_secs(doc.date.days_since_epoch() * 86_400),
        );
        t.add_u64(f.year, doc.date.jalali.0 as u64);
        t.add_u64(f.month, doc.date.jalali_month_key());
        if let Some(n) = doc.number {
            t.add_u64(f.number, n);
        }
        t.add_text(
            f.document,
            serde_json::to_string(&stored).expect("a document serializes"),
        );
        t
    }
}
