//! The on-disk index: opening or creating it, writing documents (upsert by id, delete, commit)
//! and reading them back. Every write that returns `Ok` is committed and visible to the next
//! search.
//!
//! - [`schema`]: the fields; [`versions`]: which kavosh built an index, and the rule for
//!   changing the schema; [`migrate`]: rebuilding an older index from its stored documents;
//! - [`settings`]: named values kept beside the segments;
//! - [`dump`]: every document and setting as NDJSON, and indexes restored from it;
//!   [`snapshot`]: point-in-time copies of the index directory; [`backups`]: the directories
//!   dumps and snapshots are kept in;
//! - [`files`]: atomic replacement, syncs, and copies of kavosh's own files;
//! - [`progress`]: how far long work has come.
//!
//! An index is opened either with its writer ([`SearchIndex::open_or_create`], one process at
//! a time) or read-only ([`SearchIndex::open_read_only`]: no lock, beside a running writer,
//! seeing what it has committed).

pub mod backups;
mod deletion;
pub mod dump;
pub mod files;
mod indexed;
pub mod kept;
mod merges;
pub mod migrate;
pub mod partners;
pub mod progress;
mod rebuild;
pub mod schema;
pub mod settings;
pub mod snapshot;
pub mod storage;
pub mod versions;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DateTime, Executor, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term, Warmer,
};

use crate::analysis::register_tokenizers;
use crate::calendar::Day;
use crate::document::{Document, StoredDocument, Taxonomy};
use indexed::IndexedDocument;
use partners::{Naming, PartnerEdits, PartnerResolver};
pub use progress::Progress;
pub use schema::Fields;
pub use settings::IndexSettings;
pub use storage::{StorageFailure, WriteError};
pub use versions::INDEX_VERSION;

/// Makes a [`Warmer`] for one index reader: work tantivy does on each new searcher before it
/// answers (the search module's per-segment tables).
pub type WarmerMaker = fn() -> Arc<dyn Warmer>;

fn warmer_makers() -> std::sync::MutexGuard<'static, Vec<WarmerMaker>> {
    static MAKERS: Mutex<Vec<WarmerMaker>> = Mutex::new(Vec::new());
    MAKERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Has every index opened from now on warm each new searcher with a warmer of `make` before it
/// answers (after each commit, and when opened). Called once, by a process that serves
/// searches: the first search after a start or a commit then waits for nothing, and commits
/// take that time instead.
pub fn warm_every_searcher(make: WarmerMaker) {
    warmer_makers().push(make);
}

/// Memory the index writer may use before flushing a segment.
pub const WRITER_MEMORY_BYTES: usize = 256 * 1024 * 1024;

/// The index writer, taking kavosh's documents.
type Writer = tantivy::IndexWriter<IndexedDocument>;

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

fn new_writer(index: &Index) -> Result<Writer, IndexError> {
    let writer: Writer = index.writer(WRITER_MEMORY_BYTES).map_err(|e| {
        IndexError(format!(
            "cannot take the index writer ({e}); is another kavosh writing to this index?"
        ))
    })?;
    writer.set_merge_policy(Box::new(merges::SegmentMerges::default()));
    Ok(writer)
}

/// From how many documents (when an index is opened) its queries search their segments, and
/// read their hits, on two threads unless `KAVOSH_SEARCH_THREADS` says otherwise. At 1M
/// documents two threads cut the median by 40–50% and the p99 by half (round 6 of
/// BENCHMARKS.md); at 100k, where one segment holds most documents, they cost 7% at the median
/// (each search pass wakes the pool).
const PARALLEL_FROM_DOCS: u64 = 500_000;

/// How many segments [`SearchIndex::compact`] makes by default: one per search thread.
pub const COMPACT_SEGMENTS: usize = 2;

/// Whether `docs` documents in `segments` segments are worth [`SearchIndex::compact`]: from
/// [`PARALLEL_FROM_DOCS`] documents, in more than [`COMPACT_SEGMENTS`]. Each segment costs every
/// search a look-up of each word (and a walk of its terms for typos); at 1M, 10 segments searched
/// a fifth slower than 2.
fn worth_compacting(docs: u64, segments: usize) -> bool {
    docs >= PARALLEL_FROM_DOCS && segments > COMPACT_SEGMENTS
}

/// How many threads search the segments of one query of an index of `docs` documents:
/// `setting` (`KAVOSH_SEARCH_THREADS`) when it is a number, else 2 from [`PARALLEL_FROM_DOCS`]
/// documents and 1 below.
fn search_threads(setting: Option<&str>, docs: u64) -> usize {
    match setting.and_then(|v| v.trim().parse::<usize>().ok()) {
        Some(threads) => threads.max(1),
        None if docs >= PARALLEL_FROM_DOCS => 2,
        None => 1,
    }
}

/// The executor of `threads` threads: the calling thread alone, or a pool shared by every index
/// of the process.
fn search_executor(threads: usize) -> Executor {
    static POOL: OnceLock<Executor> = OnceLock::new();
    if threads <= 1 {
        return Executor::single_thread();
    }
    POOL.get_or_init(|| {
        Executor::multi_thread(threads, "kavosh-search-").unwrap_or_else(|e| {
            tracing::warn!("cannot start the search threads ({e}): searching on one thread");
            Executor::single_thread()
        })
    })
    .clone()
}

fn writer_gone() -> IndexError {
    IndexError("the index writer could not be reopened after merging; restart kavosh".into())
}

/// The locked writer (present: [`SearchIndex::lock_writer`] checked).
struct WriterGuard<'a>(std::sync::MutexGuard<'a, Option<Writer>>);

impl std::ops::Deref for WriterGuard<'_> {
    type Target = Writer;
    fn deref(&self) -> &Writer {
        self.0.as_ref().expect("checked by lock_writer")
    }
}

impl std::ops::DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut Writer {
        self.0.as_mut().expect("checked by lock_writer")
    }
}

/// Whether an index was opened to write or only to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Write,
    Read,
}

/// The index with its reader and, unless opened read-only, its single writer.
pub struct SearchIndex {
    pub index: Index,
    pub fields: Fields,
    reader: IndexReader,
    /// `None` when read-only, and while [`SearchIndex::wait_merges`] swaps it (or after that
    /// failed).
    writer: Mutex<Option<Writer>>,
    access: Access,
    /// The index version it was built with (see [`versions`]).
    version: u32,
    settings: IndexSettings,
    /// The partner edits (the setting `partners`), as writes apply them.
    partners: RwLock<Arc<PartnerResolver>>,
    path: Option<PathBuf>,
    /// Tells this opened index from every other one of the process (see [`ViewMark`]).
    opened: u64,
    /// The reader's warmers ([`warm_every_searcher`]): it holds them weakly.
    _warmers: Vec<Arc<dyn Warmer>>,
}

/// What a searcher of an index answers from: which opened index, which of its commits (each
/// commit and reload makes a new searcher generation) and how many settings were written. Two
/// equal marks give equal answers to equal requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewMark {
    opened: u64,
    generation: u64,
    settings: u64,
}

impl SearchIndex {
    /// Opens the index in `dir` with its writer, creating the directory and an empty index
    /// when there is none. An index of an older version opens (searches work on it) but
    /// refuses writes until [`migrate`] has rebuilt it; one of an unknown version is an error.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, IndexError> {
        migrate::finish_interrupted_switch(dir)?;
        if dir.join("meta.json").exists() {
            let index = Self::open_in(dir, Access::Write)?;
            // The writer's lock is held: nothing else is migrating this index.
            migrate::remove_leftovers(dir)?;
            if index.version == INDEX_VERSION && versions::recorded(dir)?.is_none() {
                versions::record_current(dir)?;
            }
            Ok(index)
        } else {
            let index = Self::create_in(dir)?;
            versions::record_current(dir)?;
            Ok(index)
        }
    }

    /// Opens the index in `dir` to read only: no writer and no lock, so it works beside a
    /// running `kavosh serve` and sees what that has committed. Indexes of older versions open
    /// too ([`SearchIndex::version`] tells).
    pub fn open_read_only(dir: &Path) -> Result<SearchIndex, IndexError> {
        if !dir.join("meta.json").exists() {
            if migrate::switch_was_interrupted(dir) {
                return Err(IndexError(format!(
                    "an upgrade of the index in {} was interrupted: kavosh migrate --index {} \
                     finishes it",
                    dir.display(),
                    dir.display()
                )));
            }
            return Err(IndexError(format!(
                "there is no index in {} (kavosh ingest --index {} PATH... builds one)",
                dir.display(),
                dir.display()
            )));
        }
        Self::open_in(dir, Access::Read)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<SearchIndex, IndexError> {
        let (schema, _) = schema::build_schema();
        Self::from_index(
            Index::create_in_ram(schema),
            Access::Write,
            INDEX_VERSION,
            None,
        )
    }

    /// Creates a new index in `dir` (missing or empty) without recording its version: it
    /// becomes a complete index only when the caller records it (a rebuild, a restore).
    fn create_in(dir: &Path) -> Result<SearchIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            IndexError(format!(
                "cannot create index directory {}: {e}",
                dir.display()
            ))
        })?;
        let (schema, _) = schema::build_schema();
        let index = Index::create_in_dir(dir, schema)
            .map_err(|e| IndexError(format!("cannot create an index in {}: {e}", dir.display())))?;
        Self::from_index(index, Access::Write, INDEX_VERSION, Some(dir.to_path_buf()))
    }

    fn open_in(dir: &Path, access: Access) -> Result<SearchIndex, IndexError> {
        let index = Index::open_in_dir(dir)
            .map_err(|e| IndexError(format!("cannot open the index in {}: {e}", dir.display())))?;
        let version = versions::of_index(dir, &index)?;
        Self::from_index(index, access, version, Some(dir.to_path_buf()))
    }

    fn from_index(
        mut index: Index,
        access: Access,
        version: u32,
        path: Option<PathBuf>,
    ) -> Result<SearchIndex, IndexError> {
        let fields = Fields::resolve(&index.schema()).map_err(|e| {
            let dir = path.as_deref().unwrap_or(Path::new("memory"));
            IndexError(format!(
                "the index in {} cannot be read by this kavosh: {e}; {}",
                dir.display(),
                versions::upgrade_advice(dir, version)
            ))
        })?;
        register_tokenizers(index.tokenizers());
        let docs = index
            .load_metas()
            .map(|m| m.segments.iter().map(|s| u64::from(s.num_docs())).sum())
            .unwrap_or(0);
        let setting = std::env::var("KAVOSH_SEARCH_THREADS").ok();
        index.set_executor(search_executor(search_threads(setting.as_deref(), docs)));
        let warmers: Vec<Arc<dyn Warmer>> = warmer_makers().iter().map(|make| make()).collect();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(warmers.iter().map(Arc::downgrade).collect())
            .try_into()?;
        let writer = match access {
            Access::Write => Some(new_writer(&index)?),
            Access::Read => None,
        };
        let settings = match &path {
            Some(dir) => IndexSettings::on_disk(dir),
            None => IndexSettings::in_memory(),
        };
        let edits: PartnerEdits = settings.get(partners::SETTING)?.unwrap_or_default();
        static OPENED: AtomicU64 = AtomicU64::new(0);
        Ok(SearchIndex {
            index,
            fields,
            reader,
            writer: Mutex::new(writer),
            access,
            version,
            settings,
            partners: RwLock::new(Arc::new(PartnerResolver::new(edits))),
            path,
            opened: OPENED.fetch_add(1, Ordering::Relaxed),
            _warmers: warmers,
        })
    }

    /// The index version it was built with: [`INDEX_VERSION`], or older (then it refuses
    /// writes until migrated).
    pub fn version(&self) -> u32 {
        self.version
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

    /// (documents, segments) when a bulk load left this index in more segments than pay off
    /// (see [`worth_compacting`]).
    pub fn worth_compacting(&self) -> Option<(u64, usize)> {
        let segments = self.searcher().segment_readers().len();
        let docs = self.num_docs();
        worth_compacting(docs, segments).then_some((docs, segments))
    }

    /// Merges the index's segments into at most `max` of about equal size (see
    /// [`merges::compaction_groups`]), dropping deleted documents, after the merges under way:
    /// the last step of a bulk load that will mostly be searched. Fewer segments means fewer
    /// term dictionaries for each look-up and typo expansion; two of equal size keep a search
    /// on two threads. Returns the number of segments before and after. Writes wait meanwhile.
    pub fn compact(&self, max: usize) -> Result<(usize, usize), IndexError> {
        self.wait_merges()?;
        // Only the count is kept: a segment's files are collected once no meta of it is alive.
        let (before, groups) = {
            let segments = self.index.searchable_segment_metas()?;
            (segments.len(), merges::compaction_groups(&segments, max))
        };
        if !groups.is_empty() {
            let mut writer = self.lock_writer()?;
            let merging: Vec<_> = groups.iter().map(|ids| writer.merge(ids)).collect();
            for merge in merging {
                merge.wait()?;
            }
        }
        // Off the merged segments first, or their files are in use when they are collected.
        self.reader.reload()?;
        self.wait_merges()?;
        Ok((before, self.index.searchable_segment_metas()?.len()))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The settings this index keeps beside its segments.
    pub fn settings(&self) -> &IndexSettings {
        &self.settings
    }

    /// The partner edits of this index, ready to resolve names.
    pub fn partner_resolver(&self) -> Arc<PartnerResolver> {
        self.partners
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the partner edits again from the settings (after they were copied in).
    pub(crate) fn reload_partner_edits(&self) -> Result<(), IndexError> {
        let edits: PartnerEdits = self.settings.get(partners::SETTING)?.unwrap_or_default();
        *self.partners.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(PartnerResolver::new(edits));
        Ok(())
    }

    /// A searcher over the last commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// What `searcher` (one of this index's) answers from; take it before reading settings.
    pub fn view_mark(&self, searcher: &Searcher) -> ViewMark {
        ViewMark {
            opened: self.opened,
            generation: searcher.generation().generation_id(),
            settings: self.settings.changes(),
        }
    }

    /// Number of documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// Adds or replaces (by id) each document, then commits. Partners and domains must be
    /// settled (`Some`) by then; `None` is indexed as none. Partners are indexed under their
    /// display names ([`partners`]): a partner whose name changes with this write is re-labelled
    /// in the documents already indexed, in the same commit.
    pub fn upsert(&self, docs: &[Document]) -> Result<(), WriteError> {
        let mut writer = self.lock_writer()?;
        let resolver = self.partner_resolver();
        self.write_locked(&mut writer, &resolver, docs)
    }

    /// [`SearchIndex::upsert`] with the writer already locked.
    fn write_locked(
        &self,
        writer: &mut Writer,
        resolver: &PartnerResolver,
        docs: &[Document],
    ) -> Result<(), WriteError> {
        let naming = Naming::settle(self, &self.searcher(), resolver, docs)?;
        for doc in docs.iter().chain(&naming.relabel) {
            let mut stored = doc.to_stored();
            let labels = naming.labels(&stored.partners);
            if labels.names != stored.partners {
                stored.partners_as_written = std::mem::replace(&mut stored.partners, labels.names);
            }
            self.delete_id(writer, &doc.id)?;
            if let Err(e) = writer.add_document(self.to_indexed(&stored, doc.date, &labels.keys)) {
                // tantivy only says an indexing thread died; committing (which rolls the writer
                // back on failure) returns that thread's error, such as a full disk.
                return Err(self.commit(writer).err().unwrap_or_else(|| e.into()));
            }
        }
        self.commit(writer)
    }

    /// Adds a document exactly as it was stored (a rebuild, a restore: partners and domains
    /// are not extracted again), without replacing one of the same id and without committing.
    /// Its partners keep their names; [`SearchIndex::settle_partner_names`] settles them once
    /// every document is in.
    pub(crate) fn add_stored(&self, doc: &StoredDocument) -> Result<(), IndexError> {
        let date = Day::parse(&doc.date)
            .map_err(|e| IndexError(format!("document {:?}: bad date: {e}", doc.id)))?;
        let keys = self.partner_resolver().keys(doc.written_partners());
        let writer = self.lock_writer()?;
        writer.add_document(self.to_indexed(doc, date, &keys))?;
        Ok(())
    }

    /// Commits what [`SearchIndex::add_stored`] added.
    pub(crate) fn commit_added(&self) -> Result<(), IndexError> {
        let mut writer = self.lock_writer()?;
        Ok(self.commit(&mut writer)?)
    }

    /// Deletes a document by id and commits; `Ok(false)` when there was none.
    pub fn delete(&self, id: &str) -> Result<bool, WriteError> {
        let existed = self.get(id)?.is_some();
        if existed {
            let mut writer = self.lock_writer()?;
            self.delete_id(&writer, id)?;
            self.commit(&mut writer)?;
        }
        Ok(existed)
    }

    /// Deletes the documents with these ids in one commit; the number that existed.
    pub fn delete_ids(&self, ids: &[String]) -> Result<usize, IndexError> {
        let existing = ids
            .iter()
            .filter_map(|id| self.get(id).transpose())
            .collect::<Result<Vec<_>, _>>()?
            .len();
        if existing > 0 {
            let mut writer = self.lock_writer()?;
            for id in ids {
                self.delete_id(&writer, id)?;
            }
            self.commit(&mut writer)?;
        }
        Ok(existing)
    }

    /// Deletes the documents of `id` when the writer next commits.
    fn delete_id(&self, writer: &Writer, id: &str) -> tantivy::Result<()> {
        let term = Term::from_field_text(self.fields.id, id);
        writer.delete_query(Box::new(deletion::IdDeletion(term)))?;
        Ok(())
    }

    fn lock_writer(&self) -> Result<WriterGuard<'_>, IndexError> {
        let dir = self.path.as_deref().unwrap_or(Path::new("memory"));
        if self.access == Access::Read {
            return Err(IndexError(format!(
                "the index in {} was opened read-only",
                dir.display()
            )));
        }
        if self.version < INDEX_VERSION {
            return Err(IndexError(versions::upgrade_advice(dir, self.version)));
        }
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
    fn commit(&self, writer: &mut Writer) -> Result<(), WriteError> {
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
        self.parse_stored(&searcher.doc(address)?)
    }

    /// Calls `each` with every document of one commit (`searcher`'s), as stored, segment by
    /// segment in storage order.
    pub fn for_each_stored(
        &self,
        searcher: &Searcher,
        mut each: impl FnMut(StoredDocument) -> Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(1)
                .map_err(|e| IndexError(format!("cannot read the stored documents: {e}")))?;
            for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
                each(self.parse_stored(&doc?)?)?;
            }
        }
        Ok(())
    }

    fn parse_stored(&self, doc: &TantivyDocument) -> Result<StoredDocument, IndexError> {
        let json = doc
            .get_first(self.fields.document)
            .and_then(|v| v.as_str())
            .ok_or_else(|| IndexError("a stored document is missing its JSON".into()))?;
        serde_json::from_str(json)
            .map_err(|e| IndexError(format!("a stored document is unreadable: {e}")))
    }

    /// The document the writer takes for a stored document dated `date` (its `date`, parsed),
    /// its partners under `partner_keys`.
    fn to_indexed(
        &self,
        stored: &StoredDocument,
        date: Day,
        partner_keys: &[String],
    ) -> IndexedDocument {
        let f = &self.fields;
        let taxonomy = Taxonomy::get();
        let mut domains: Vec<&str> = stored
            .domains
            .iter()
            .flat_map(|d| taxonomy.with_ancestors(d))
            .collect();
        domains.sort_unstable();
        domains.dedup();
        let json = serde_json::to_string(stored).expect("a document serializes");
        let texts: [&str; 5] = [
            &stored.id,
            stored.kind.as_str(),
            &stored.title,
            &stored.body,
            &json,
        ];
        let lists = [&stored.partners[..], partner_keys];
        let mut t = IndexedDocument::with_capacity(
            texts.iter().map(|s| s.len()).sum::<usize>()
                + lists
                    .iter()
                    .flat_map(|l| l.iter())
                    .map(String::len)
                    .sum::<usize>()
                + domains.iter().map(|d| d.len()).sum::<usize>(),
        );
        t.add_text(f.id, &stored.id);
        t.add_text(f.kind, stored.kind.as_str());
        let (title, body) = (t.push_text(&stored.title), t.push_text(&stored.body));
        for field in [f.title, f.title_exact].into_iter().chain(f.title_pairs) {
            t.add_span(field, title);
        }
        for field in [f.body, f.body_exact].into_iter().chain(f.body_pairs) {
            t.add_span(field, body);
        }
        for p in &stored.partners {
            t.add_text(f.partner, p);
        }
        for key in partner_keys {
            t.add_text(f.partner_key, key);
        }
        for d in domains {
            t.add_text(f.domain, d);
        }
        t.add_date(
            f.date,
            DateTime::from_timestamp_secs(date.days_since_epoch() * 86_400),
        );
        t.add_u64(f.year, date.jalali.0 as u64);
        t.add_u64(f.month, date.jalali_month_key());
        if let Some(n) = stored.number {
            t.add_u64(f.number, n);
        }
        t.add_text(f.document, &json);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_documents_texts_take_one_allocation_of_their_size() {
        let index = SearchIndex::in_memory().unwrap();
        let doc = Document::from_json(serde_json::json!({
            "id": "mou-054", "kind": "agreement", "title": "امضای تفاهم‌نامه همکاری",
            "body": "پارک علم و فناوری مازندران و بانک ملی\nتفاهم‌نامه امضا کردند.",
            "date": "۱۴۰۴/۰۹/۲۵", "number": 54, "partners": ["بانک ملی", "دانشگاه مازندران"],
            "domains": ["energy/oil-gas", "agriculture"]
        }))
        .unwrap();
        let stored = doc.to_stored();
        let keys = ["bank-melli".to_string(), "umz".to_string()];
        let indexed = index.to_indexed(&stored, doc.date, &keys);
        // A text left out of the count would grow the buffer past its texts.
        assert_eq!(indexed.unused_capacity(), 0);
    }

    #[test]
    fn the_writer_merges_large_segments_in_pairs() {
        let index = SearchIndex::in_memory().unwrap();
        let writer = index.lock_writer().unwrap();
        let metas: Vec<_> = [80_000, 90_000]
            .iter()
            .map(|&n| {
                let id = tantivy::index::SegmentId::generate_random();
                index.index.new_segment_meta(id, n)
            })
            .collect();
        // tantivy's default policy waits for eight segments of a size; ours pairs these two.
        let merges = writer.get_merge_policy().compute_merge_candidates(&metas);
        assert_eq!(merges.len(), 1);
        assert_eq!(merges[0].0.len(), 2);
    }

    #[test]
    fn large_indexes_search_their_segments_on_two_threads_unless_told() {
        assert_eq!(search_threads(None, 100_000), 1);
        assert_eq!(search_threads(None, 1_000_000), 2);
        assert_eq!(search_threads(Some("1"), 1_000_000), 1);
        assert_eq!(search_threads(Some(" 3 "), 10), 3);
        assert_eq!(search_threads(Some("0"), 10), 1);
        assert_eq!(search_threads(Some("many"), 1_000_000), 2);
    }

    #[test]
    fn a_large_index_in_many_segments_is_worth_compacting() {
        // A bulk load of 1M leaves 10 segments (BENCHMARKS.md, round 5).
        assert!(worth_compacting(1_000_000, 10));
        assert!(!worth_compacting(1_000_000, COMPACT_SEGMENTS));
        // Below the size where queries search on two threads, a few segments cost little.
        assert!(!worth_compacting(100_000, 10));
        let index = SearchIndex::in_memory().unwrap();
        assert_eq!(index.worth_compacting(), None);
    }
}
