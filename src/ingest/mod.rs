//! Documents in: the park's pages (`.txt`), web pages (`.html`, `.htm`) and NDJSON (`.ndjson`,
//! `.jsonl`) from files and directories, or a request body; partners and domains extracted when
//! the source gives none.
//!
//! - [`page`]: the page format;
//! - [`html`]: web pages, read with no configuration (what the crawler feeds);
//! - [`partners`]: partner extraction from titles and lead sentences, by the shapes of
//!   organisation names;
//! - [`domains`]: domain assignment from the taxonomy's keywords.
//!
//! Every rejected record is reported as `FILE:LINE: reason`; valid records are committed even
//! when others fail.

pub mod domains;
pub mod html;
pub mod page;
pub mod partners;

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::document::Document;
use crate::index::{IndexError, SearchIndex};
use crate::progress::Progress;

/// Documents indexed per commit in a large ingest.
pub const BATCH_SIZE: usize = 20_000;
/// Longest accepted NDJSON line or page file (a document over it is rejected).
pub const MAX_RECORD_BYTES: usize = 2 * 1024 * 1024;

/// A record that was not indexed, and why (`line` is 1 for problems with a whole file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// What an ingest run did.
#[derive(Clone, Debug, Default)]
pub struct IngestReport {
    pub read: usize,
    pub indexed: usize,
    pub rejected: Vec<Rejection>,
    pub seconds: f64,
}

impl fmt::Display for IngestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "read {}, indexed {}, rejected {}, {:.2} seconds",
            self.read,
            self.indexed,
            self.rejected.len(),
            self.seconds
        )
    }
}

/// Fills in partners and domains by extraction when the source did not give them.
pub fn settle(mut doc: Document) -> Document {
    if doc.partners.is_none() {
        let publisher = doc.publisher.as_deref().unwrap_or(partners::PUBLISHER);
        doc.partners = Some(partners::extract_partners_published_by(
            publisher, &doc.title, &doc.body,
        ));
    }
    if doc.domains.is_none() {
        doc.domains = Some(domains::assign_domains(&doc.title, &doc.body));
    }
    doc
}

/// Ingests files and directories (recursively: `.txt` pages, `.ndjson`/`.jsonl`), upserting by
/// id and committing per [`BATCH_SIZE`] documents and at the end, then waits for the segment
/// merges the commits started.
pub fn ingest_paths(index: &SearchIndex, paths: &[PathBuf]) -> Result<IngestReport, IndexError> {
    ingest_paths_showing(index, paths, &Progress::hidden())
}

/// [`ingest_paths`], reporting to `progress` the documents read and the bytes of input read
/// out of the total of every file found.
pub fn ingest_paths_showing(
    index: &SearchIndex,
    paths: &[PathBuf],
    progress: &Progress,
) -> Result<IngestReport, IndexError> {
    let started = Instant::now();
    let mut found = Vec::new();
    for path in paths {
        walk(path, &mut found);
    }
    progress.set_total_bytes(
        found
            .iter()
            .filter_map(|f| match f {
                Found::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
                Found::Refused(..) => None,
            })
            .sum(),
    );
    let mut run = Run {
        index,
        report: IngestReport::default(),
        batch: Vec::new(),
        progress,
    };
    for f in found {
        match f {
            Found::File(path) => {
                let file_start = progress.bytes_done();
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                run.file(&path)?;
                progress.set_bytes_done(file_start + size);
            }
            Found::Refused(path, reason) => run.reject(&path, 1, reason),
        }
    }
    progress.set_stage("committing");
    run.flush()?;
    if run.report.indexed > 0 {
        // Leave the index merged as the merge policy wants, not in the small segments of
        // each batch (a CLI ingest exits right after this).
        progress.set_stage("merging segments");
        index.wait_merges()?;
    }
    run.report.seconds = started.elapsed().as_secs_f64();
    Ok(run.report)
}

/// What a walk over the paths given finds, in order: files to read, and paths refused.
enum Found {
    File(PathBuf),
    Refused(PathBuf, String),
}

/// Finds the files under `path` (itself, or a directory's ingestible files, recursively, in
/// name order).
fn walk(path: &Path, found: &mut Vec<Found>) {
    if !path.exists() {
        found.push(Found::Refused(
            path.into(),
            "no such file or directory".into(),
        ));
        return;
    }
    if !path.is_dir() {
        found.push(Found::File(path.into()));
        return;
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            found.push(Found::Refused(
                path.into(),
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    entries.sort();
    for entry in entries {
        if entry.is_dir() || is_ingestible(&entry) {
            walk(&entry, found);
        }
    }
}

struct Run<'a> {
    index: &'a SearchIndex,
    report: IngestReport,
    batch: Vec<Document>,
    progress: &'a Progress,
}

impl Run<'_> {
    fn file(&mut self, path: &Path) -> Result<(), IndexError> {
        match extension(path).as_deref() {
            Some("ndjson" | "jsonl") => self.ndjson(path),
            Some("txt") => self.page(path),
            Some("html" | "htm") => self.html(path),
            _ => {
                self.reject(
                    path,
                    1,
                    "not a .txt page, an .html page or an .ndjson/.jsonl file".into(),
                );
                Ok(())
            }
        }
    }

    /// One more record read.
    fn read_one(&mut self) {
        self.report.read += 1;
        self.progress.add_items(1);
    }

    /// The bytes of a page file (one record), or `None` when it was rejected.
    fn read_file(&mut self, path: &Path) -> Option<Vec<u8>> {
        self.read_one();
        read_bounded(path)
            .map_err(|reason| self.reject(path, 1, reason))
            .ok()
    }

    fn page(&mut self, path: &Path) -> Result<(), IndexError> {
        let Some(bytes) = self.read_file(path) else {
            return Ok(());
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = line_of(e.as_bytes(), e.utf8_error().valid_up_to());
                self.reject(path, line, "invalid UTF-8".into());
                return Ok(());
            }
        };
        match page::parse_page(&file_id(path), &path.to_string_lossy(), &text) {
            Ok(doc) => self.accept(doc),
            Err(e) => {
                self.reject(path, e.line, e.reason);
                Ok(())
            }
        }
    }

    /// A saved web page, read as the crawler reads pages.
    fn html(&mut self, path: &Path) -> Result<(), IndexError> {
        let Some(bytes) = self.read_file(path) else {
            return Ok(());
        };
        let url = std::path::absolute(path)
            .ok()
            .and_then(|p| url::Url::from_file_path(p).ok())
            .unwrap_or_else(|| url::Url::parse("file:///").expect("a valid URL"));
        let reading = html::read_html(&bytes, None, &url, &html::HtmlOptions::default());
        match reading
            .article
            .map_err(|not| format!("not an article: {not}"))
            .and_then(|a| a.into_document(file_id(path), None, path.to_string_lossy().into_owned()))
        {
            Ok(doc) => self.accept(doc),
            Err(reason) => {
                self.reject(path, 1, reason);
                Ok(())
            }
        }
    }

    fn ndjson(&mut self, path: &Path) -> Result<(), IndexError> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.reject(path, 1, format!("cannot open: {e}"));
                return Ok(());
            }
        };
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line_no = 0;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let (read, too_long) = match read_line_bounded(&mut reader, &mut buf) {
                Ok(r) => r,
                Err(e) => {
                    self.reject(path, line_no + 1, format!("read error: {e}"));
                    return Ok(());
                }
            };
            if read == 0 {
                return Ok(());
            }
            line_no += 1;
            self.progress.add_bytes(read as u64);
            if buf.iter().all(u8::is_ascii_whitespace) && !too_long {
                continue;
            }
            self.read_one();
            if too_long {
                self.reject(
                    path,
                    line_no,
                    format!("document over the size limit of {MAX_RECORD_BYTES} bytes"),
                );
                continue;
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                self.reject(path, line_no, "invalid UTF-8".into());
                continue;
            };
            match serde_json::from_str::<Value>(text)
                .map_err(|e| format!("bad JSON: {e}"))
                .and_then(Document::from_json)
            {
                Ok(doc) => self.accept(doc)?,
                Err(reason) => self.reject(path, line_no, reason),
            }
        }
    }

    fn accept(&mut self, doc: Document) -> Result<(), IndexError> {
        self.batch.push(settle(doc));
        if self.batch.len() >= BATCH_SIZE {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), IndexError> {
        if !self.batch.is_empty() {
            self.index.upsert(&self.batch)?;
            self.report.indexed += self.batch.len();
            self.batch.clear();
            release_freed_memory();
        }
        Ok(())
    }

    fn reject(&mut self, path: &Path, line: usize, reason: String) {
        self.report.rejected.push(Rejection {
            file: path.to_string_lossy().into_owned(),
            line,
            reason,
        });
    }
}

/// Gives the memory a committed batch freed back to the system. glibc's allocator keeps freed
/// memory for reuse, returning only what is at the top of its heaps; a batch's documents are
/// freed on tantivy's indexing threads while the next batch is read, and the holes they left
/// stayed resident: a third of a 1M ingest's heap (peak RSS 943 MB, 771 MB with this).
fn release_freed_memory() {
    // SAFETY: `malloc_trim` hands the allocator's free pages back to the kernel; it moves and
    // touches no memory in use.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A page file's id: its name without the extension.
fn file_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn is_ingestible(path: &Path) -> bool {
    matches!(
        extension(path).as_deref(),
        Some("txt" | "html" | "htm" | "ndjson" | "jsonl")
    ) && path
        .file_name()
        .is_none_or(|n| !n.to_string_lossy().starts_with('.'))
        && path
            .file_name()
            .is_none_or(|n| n.to_string_lossy().to_ascii_lowercase() != "readme.txt")
}

/// Reads a whole file, refusing one over [`MAX_RECORD_BYTES`].
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_RECORD_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("read error: {e}"))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(format!(
            "document over the size limit of {MAX_RECORD_BYTES} bytes"
        ));
    }
    Ok(bytes)
}

/// Reads one line into `buf` (without the newline), keeping at most MAX_RECORD_BYTES of it;
/// returns the bytes consumed and whether the line was longer than the limit.
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok((consumed, too_long));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1),
            None => (available, 0),
        };
        if buf.len() + chunk.len() > MAX_RECORD_BYTES {
            too_long = true;
        } else {
            buf.extend_from_slice(chunk);
        }
        let used = if done > 0 { done } else { chunk.len() };
        consumed += used;
        reader.consume(used);
        if done > 0 {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok((consumed, too_long));
        }
    }
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// A document of a request body that was refused: its 1-based item (array index or line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyError {
    pub item: usize,
    pub reason: String,
}

/// Parses a request body holding one JSON object, a JSON array of objects, or NDJSON.
pub fn parse_body(body: &str) -> Vec<Result<Document, BodyError>> {
    let err = |item, reason| Err(BodyError { item, reason });
    let trimmed = body.trim_start_matches('\u{FEFF}').trim();
    if trimmed.is_empty() {
        return vec![err(1, "empty body".into())];
    }
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Vec<Value>>(trimmed) {
            Ok(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    Document::from_json(v).map_err(|reason| BodyError {
                        item: i + 1,
                        reason,
                    })
                })
                .collect(),
            Err(e) => vec![err(1, format!("bad JSON array: {e}"))],
        };
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        return vec![Document::from_json(v).map_err(|reason| BodyError { item: 1, reason })];
    }
    trimmed
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str::<Value>(line)
                .map_err(|e| format!("bad JSON: {e}"))
                .and_then(Document::from_json)
                .map_err(|reason| BodyError {
                    item: i + 1,
                    reason,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_of_every_shape() {
        let one = r#"{"id":"a","kind":"news","title":"خبر","date":"1404/01/01"}"#;
        assert_eq!(parse_body(one).len(), 1);
        assert!(parse_body(one)[0].is_ok());
        let array = format!("[{one}, {{\"id\": \"b\"}}]");
        let r = parse_body(&array);
        assert!(r[0].is_ok());
        assert_eq!(r[1].as_ref().unwrap_err().item, 2);
        let nd = format!("{one}\n\n{{bad\n{one}");
        let r = parse_body(&nd);
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].as_ref().unwrap_err().item, 3);
        assert!(r[1].as_ref().unwrap_err().reason.contains("bad JSON"));
        assert_eq!(
            parse_body("  ")[0].as_ref().unwrap_err().reason,
            "empty body"
        );
    }

    #[test]
    fn progress_counts_records_and_bytes_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let doc = |id: &str, title: &str| {
            format!(
                r#"{{"id":"{id}","kind":"news","title":"{title}","date":"1404/01/0{}"}}"#,
                id.len()
            )
        };
        let a = format!(
            "{}\n\n{}\n{{bad\n",
            doc("a1", "خبر یکم"),
            doc("a22", "خبر دوم")
        );
        let b = format!("{}\r\n", doc("b1", "خبر سوم"));
        std::fs::write(dir.path().join("a.ndjson"), &a).unwrap();
        std::fs::create_dir(dir.path().join("more")).unwrap();
        std::fs::write(dir.path().join("more").join("b.jsonl"), &b).unwrap();
        std::fs::write(dir.path().join("more").join("notes.md"), "skipped").unwrap();
        let page = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mou-054.txt");
        let index = SearchIndex::in_memory().unwrap();
        let progress = Progress::hidden();
        let paths = [
            dir.path().to_path_buf(),
            PathBuf::from(page),
            dir.path().join("missing.ndjson"),
        ];
        let report = ingest_paths_showing(&index, &paths, &progress).unwrap();
        assert_eq!((report.read, report.indexed), (5, 4));
        assert_eq!(
            progress.items_done(),
            5,
            "every record read, across the files"
        );
        let page_bytes = std::fs::metadata(page).unwrap().len();
        assert_eq!(
            progress.bytes_done(),
            (a.len() + b.len()) as u64 + page_bytes,
            "every byte of every file found"
        );
        assert_eq!(report.rejected.len(), 2, "{:?}", report.rejected);
    }

    /// NDJSON of `n` news items, ids `d0`.., each titled with its number.
    fn news_items(n: usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"id":"d{i}","kind":"news","title":"خبر شماره {i} پارک","date":"1404/01/01"}}"#
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every batch, the last one partial, is indexed and committed.
    #[test]
    fn an_ingest_of_several_batches_indexes_every_document() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("news.ndjson");
        let n = 2 * BATCH_SIZE + 7;
        std::fs::write(&file, news_items(n)).unwrap();
        let index = SearchIndex::in_memory().unwrap();
        let report = ingest_paths(&index, std::slice::from_ref(&file)).unwrap();
        assert_eq!((report.read, report.indexed), (n, n));
        assert_eq!(index.num_docs(), n as u64);
        let again = ingest_paths(&index, &[file]).unwrap();
        assert_eq!(again.indexed, n);
        assert_eq!(index.num_docs(), n as u64, "ids are upserted, not added");
    }

    /// When the index cannot be written, the ingest ends with the index's error (not a hang,
    /// not a report of documents indexed), and a later ingest indexes everything.
    #[test]
    fn an_ingest_onto_a_full_disk_fails_with_the_write_error() {
        use crate::index::StorageFailure;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("news.ndjson");
        let n = BATCH_SIZE + 3;
        std::fs::write(&file, news_items(n)).unwrap();
        let index_dir = dir.path().join("index");
        std::fs::create_dir(&index_dir).unwrap();
        let (index, switch) = SearchIndex::open_with_faults(&index_dir).unwrap();
        switch.set(Some(StorageFailure::Full));
        let err = ingest_paths(&index, std::slice::from_ref(&file)).unwrap_err();
        assert!(
            err.to_string().starts_with("the disk is full"),
            "the disk's error reaches the user: {err}"
        );
        switch.set(None);
        let report = ingest_paths(&index, &[file]).unwrap();
        assert_eq!(report.indexed, n);
        assert_eq!(index.num_docs(), n as u64);
    }

    #[test]
    fn long_lines_are_cut_and_flagged() {
        let long = "x".repeat(MAX_RECORD_BYTES + 10);
        let data = format!("{long}\nshort\n");
        let mut reader = BufReader::with_capacity(4096, data.as_bytes());
        let mut buf = Vec::new();
        assert!(read_line_bounded(&mut reader, &mut buf).unwrap().1);
        buf.clear();
        let (_, too_long) = read_line_bounded(&mut reader, &mut buf).unwrap();
        assert!(!too_long);
        assert_eq!(buf, b"short");
    }
}
