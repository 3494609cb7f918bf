//! Dumps: every stored document, as stored, and every index setting, as versioned NDJSON
//! (gzip when the file name ends in `.gz`). A dump is how an index moves to another machine or
//! survives anything: `kavosh dump` or `POST /dumps` write one, `kavosh restore` builds an
//! index from one. A restored document equals the dumped one field for field: partners and
//! domains are not extracted again.
//!
//! Format version 1, one JSON object per line:
//! 1. the header: `{"kavosh_dump": 1, "kavosh": "0.1.0", "index_version": 3, "documents": N,
//!    "settings": M, "created": "2026-12-06T07:16:00Z"}`;
//! 2. `M` settings: `{"setting": {"name": NAME, "value": VALUE}}`;
//! 3. `N` documents: `{"document": DOCUMENT}`, each as `GET /documents/{id}` shows it.
//!
//! Every format version ever written stays readable: a change of the format bumps
//! [`DUMP_FORMAT_VERSION`] and teaches [`restore`] the new one beside the old.
//!
//! A dump is consistent as of one commit: it reads through one searcher, whose segments stay
//! readable (mapped) however the writer merges and deletes files meanwhile.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rebuild::Rebuild;
use super::{IndexError, Progress, SearchIndex, files};
use crate::document::StoredDocument;

/// The dump format this kavosh writes; [`restore`] reads this one and every earlier one.
pub const DUMP_FORMAT_VERSION: u32 = 1;

/// Gzip level 3: on 10,000 generated documents (35 MB of NDJSON) 0.67 CPU s and 8.0 MB, where
/// the default level 6 took 1.93 s for 7.1 MB and level 1 0.44 s for 14.4 MB.
const GZIP_LEVEL: Compression = Compression::new(3);

/// Longest line a restore reads (a document's body is at most 1 MiB of text, which JSON may
/// escape to a few times that).
const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// The first line of a dump.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DumpHeader {
    /// The dump format version.
    pub kavosh_dump: u32,
    /// The kavosh that wrote it.
    pub kavosh: String,
    /// The index version of the index it was taken from.
    pub index_version: u32,
    pub documents: u64,
    pub settings: u64,
    /// When it was taken (UTC, RFC 3339).
    pub created: String,
}

/// A line after the header: one key naming what it holds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Line {
    Setting { name: String, value: Value },
    Document(Box<StoredDocument>),
}

/// Writes a dump of `index`'s last commit to `out`. `progress` counts documents.
pub fn write_dump(
    index: &SearchIndex,
    out: impl Write,
    progress: &Progress,
) -> Result<DumpHeader, IndexError> {
    let searcher = index.searcher();
    let settings = index.settings().all()?;
    let header = DumpHeader {
        kavosh_dump: DUMP_FORMAT_VERSION,
        kavosh: env!("CARGO_PKG_VERSION").to_string(),
        index_version: index.version(),
        documents: searcher.num_docs(),
        settings: settings.len() as u64,
        created: files::utc_now(),
    };
    progress.set_total(header.documents);
    let mut out = BufWriter::new(out);
    let write_error = |e: io::Error| IndexError(format!("cannot write the dump: {e}"));
    write_line(&mut out, &header).map_err(write_error)?;
    for (name, value) in settings {
        write_line(&mut out, &Line::Setting { name, value }).map_err(write_error)?;
    }
    index.for_each_stored(&searcher, |document| {
        write_line(&mut out, &Line::Document(Box::new(document))).map_err(write_error)?;
        progress.advance(1);
        Ok(())
    })?;
    out.flush().map_err(write_error)?;
    Ok(header)
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes a dump of `index` to the file `path`, gzip-compressed when its name ends in `.gz`.
/// The file appears complete or not at all: it is written as `path.partial`, synced, renamed.
pub fn dump_to_file(
    index: &SearchIndex,
    path: &Path,
    progress: &Progress,
) -> Result<DumpHeader, IndexError> {
    let partial = files::sibling(path, "partial");
    let io_error = |e: io::Error| IndexError(format!("cannot write {}: {e}", partial.display()));
    let write = || -> Result<DumpHeader, IndexError> {
        let file = File::create(&partial).map_err(io_error)?;
        let (header, file) = if path.extension().is_some_and(|e| e == "gz") {
            let mut gz = GzEncoder::new(file, GZIP_LEVEL);
            let header = write_dump(index, &mut gz, progress)?;
            (header, gz.finish().map_err(io_error)?)
        } else {
            (write_dump(index, &file, progress)?, file)
        };
        file.sync_all().map_err(io_error)?;
        fs::rename(&partial, path).map_err(io_error)?;
        files::sync_dir(files::parent(path)).map_err(io_error)?;
        Ok(header)
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub header: DumpHeader,
    pub documents: u64,
    pub settings: u64,
}

/// Builds a new index in `target` (missing or empty) from the dump `file` (gzip or not).
/// The index is built beside it (`target.restoring`) and put in place only once complete, so
/// a failed restore leaves nothing at `target`. Errors name the dump's line. `progress`
/// counts documents.
pub fn restore(file: &Path, target: &Path, progress: &Progress) -> Result<Restored, IndexError> {
    files::require_new_dir(target, "restore into a new directory")?;
    let building = files::sibling(target, "restoring");
    if building.exists() {
        fs::remove_dir_all(&building)
            .map_err(|e| IndexError(format!("cannot delete {}: {e}", building.display())))?;
    }
    let restored = build(file, &building, progress).and_then(|restored| {
        fs::rename(&building, target)
            .and_then(|()| files::sync_dir(files::parent(target)))
            .map_err(|e| IndexError(format!("cannot create {}: {e}", target.display())))?;
        Ok(restored)
    });
    if restored.is_err() {
        let _ = fs::remove_dir_all(&building);
    }
    restored
}

fn build(file: &Path, building: &Path, progress: &Progress) -> Result<Restored, IndexError> {
    let mut lines = DumpReader::open(file)?;
    let at =
        |line: usize, reason: String| IndexError(format!("{}:{line}: {reason}", file.display()));
    let (number, first) = lines
        .next_line()?
        .ok_or_else(|| at(1, "the file is empty".into()))?;
    let header: DumpHeader = serde_json::from_str(&first)
        .map_err(|e| at(number, format!("not a kavosh dump header: {e}")))?;
    if header.kavosh_dump > DUMP_FORMAT_VERSION {
        return Err(at(
            number,
            format!(
                "dump format version {} is newer than this kavosh reads ({DUMP_FORMAT_VERSION}): \
                 restore it with kavosh {} or later",
                header.kavosh_dump, header.kavosh
            ),
        ));
    }
    progress.set_total(header.documents);
    let mut index = Rebuild::create(building)?;
    let (mut documents, mut settings) = (0, 0);
    while let Some((number, text)) = lines.next_line()? {
        let line: Line =
            serde_json::from_str(&text).map_err(|e| at(number, format!("not a dump line: {e}")))?;
        match line {
            Line::Setting { name, value } => {
                index
                    .settings()
                    .put(&name, &value)
                    .map_err(|e| at(number, e.0))?;
                settings += 1;
            }
            Line::Document(document) => {
                index.add(&document).map_err(|e| at(number, e.0))?;
                documents += 1;
                progress.advance(1);
            }
        }
    }
    if (documents, settings) != (header.documents, header.settings) {
        return Err(IndexError(format!(
            "{}: the header announces {} documents and {} settings but the dump holds {documents} \
             and {settings}: it is truncated or was edited",
            file.display(),
            header.documents,
            header.settings
        )));
    }
    index.finish()?;
    Ok(Restored {
        header,
        documents,
        settings,
    })
}

/// The lines of a dump file, gunzipped when it starts like gzip, numbered from 1.
struct DumpReader {
    reader: Box<dyn BufRead>,
    path: PathBuf,
    number: usize,
}

impl DumpReader {
    fn open(path: &Path) -> Result<DumpReader, IndexError> {
        let open_error = |e: io::Error| IndexError(format!("cannot read {}: {e}", path.display()));
        let mut file = BufReader::new(File::open(path).map_err(open_error)?);
        let gzip = file
            .fill_buf()
            .map_err(open_error)?
            .starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead> = if gzip {
            Box::new(BufReader::new(MultiGzDecoder::new(file)))
        } else {
            Box::new(file)
        };
        Ok(DumpReader {
            reader,
            path: path.to_path_buf(),
            number: 0,
        })
    }

    /// The next line that is not blank, with its number.
    fn next_line(&mut self) -> Result<Option<(usize, String)>, IndexError> {
        loop {
            self.number += 1;
            let mut line = String::new();
            let read = (&mut self.reader)
                .take(MAX_LINE_BYTES + 1)
                .read_line(&mut line)
                .map_err(|e| IndexError(format!("{}:{}: {e}", self.path.display(), self.number)))?;
            if read == 0 {
                return Ok(None);
            }
            if read as u64 > MAX_LINE_BYTES {
                return Err(IndexError(format!(
                    "{}:{}: a line over {} MiB",
                    self.path.display(),
                    self.number,
                    MAX_LINE_BYTES >> 20
                )));
            }
            if !line.trim().is_empty() {
                return Ok(Some((self.number, line)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Day;
    use crate::document::{Document, Kind};

    fn doc(id: &str, title: &str, partners: &[&str]) -> Document {
        Document {
            id: id.into(),
            kind: Kind::Agreement,
            title: title.into(),
            body: "همکاری پژوهشی پارک علم و فناوری مازندران".into(),
            date: Day::parse("1404/09/25").unwrap(),
            number: Some(54),
            partners: Some(partners.iter().map(|p| p.to_string()).collect()),
            domains: Some(vec!["energy/oil-gas".into()]),
            url: Some("https://mstp.ir/mou/54".into()),
            source: Some("crawl".into()),
            publisher: None,
            crawl: Some(crate::document::CrawlRecord {
                canonical_url: "https://mstp.ir/mou/54".into(),
                site: "mstp.ir".into(),
                etag: Some("\"54-a\"".into()),
                last_modified: Some("Tue, 16 Dec 2025 08:00:00 GMT".into()),
                content_hash: "9f2c".into(),
                fetched_at: "2026-12-06T07:06:43Z".into(),
            }),
        }
    }

    fn all_documents(index: &SearchIndex) -> Vec<StoredDocument> {
        let mut docs = Vec::new();
        index
            .for_each_stored(&index.searcher(), |d| {
                docs.push(d);
                Ok(())
            })
            .unwrap();
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        docs
    }

    /// A `Write` that runs `hook` once, before the first bytes go through.
    struct HookedWriter<F: FnMut()> {
        out: Vec<u8>,
        hook: Option<F>,
    }

    impl<F: FnMut()> Write for HookedWriter<F> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if let Some(mut hook) = self.hook.take() {
                hook();
            }
            self.out.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_dump_is_of_one_commit_however_the_index_changes_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        for i in 0..6 {
            index
                .upsert(&[doc(&format!("old-{i}"), "تفاهم‌نامه همکاری", &[])])
                .unwrap();
        }
        let before = all_documents(&index);
        let mut out = HookedWriter {
            out: Vec::new(),
            hook: Some(|| {
                // Commits, deletes and merges while the dump is being written: the merged
                // segments' files are deleted from the directory.
                assert!(index.delete("old-0").unwrap());
                for i in 0..6 {
                    index
                        .upsert(&[doc(&format!("new-{i}"), "خبر تازه", &[])])
                        .unwrap();
                }
                index.wait_merges().unwrap();
            }),
        };
        let header = write_dump(&index, &mut out, &Progress::new()).unwrap();
        assert_eq!(header.documents, 6);
        assert_eq!(index.num_docs(), 11);
        let text = String::from_utf8(out.out).unwrap();
        let mut dumped: Vec<StoredDocument> = text
            .lines()
            .skip(1)
            .map(|l| match serde_json::from_str(l).unwrap() {
                Line::Document(document) => *document,
                Line::Setting { .. } => panic!("no settings were put"),
            })
            .collect();
        dumped.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(dumped, before);
    }

    #[test]
    fn a_restored_index_equals_the_dumped_one_document_for_document() {
        let dir = tempfile::tempdir().unwrap();
        let source = SearchIndex::open_or_create(&dir.path().join("index")).unwrap();
        // A partner written otherwise than its canonical name (kept as written beside it), an
        // empty list.
        source
            .upsert(&[
                doc("mou-054", "امضای تفاهم‌نامه با بانک ملی", &["بانک ملی"]),
                doc("mou-055", "تفاهم‌نامه بدون طرف", &[]),
            ])
            .unwrap();
        source
            .settings()
            .put("synonyms", &serde_json::json!({"فاوا": ["فناوری اطلاعات"]}))
            .unwrap();
        for name in ["dump.ndjson", "dump.ndjson.gz"] {
            let file = dir.path().join(name);
            let progress = Progress::new();
            let header = dump_to_file(&source, &file, &progress).unwrap();
            assert_eq!((header.documents, header.settings), (2, 1));
            assert_eq!(progress.get(), (2, 2));
            let gzip = fs::read(&file).unwrap().starts_with(&[0x1f, 0x8b]);
            assert_eq!(gzip, name.ends_with(".gz"));

            let target = dir.path().join(format!("restored-{name}"));
            let restored = restore(&file, &target, &Progress::new()).unwrap();
            assert_eq!((restored.documents, restored.settings), (2, 1));
            let index = SearchIndex::open_or_create(&target).unwrap();
            assert_eq!(all_documents(&index), all_documents(&source));
            let stored = index.get("mou-054").unwrap().unwrap();
            assert_eq!(
                (stored.partners, stored.partners_as_written),
                (
                    vec!["بانک ملی ایران".to_string()],
                    vec!["بانک ملی".to_string()]
                )
            );
            assert_eq!(
                index.settings().all().unwrap(),
                source.settings().all().unwrap()
            );
            let e = restore(&file, &target, &Progress::new()).unwrap_err();
            assert!(e.0.contains("not empty"), "{e}");
        }
    }

    #[test]
    fn a_bad_dump_restores_nothing_and_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            fs::write(&path, text).unwrap();
            path
        };
        let header = |documents: u64| {
            format!(
                r#"{{"kavosh_dump":1,"kavosh":"0.1.0","index_version":3,"documents":{documents},"settings":0,"created":"2026-01-01T00:00:00Z"}}"#
            )
        };
        let line = r#"{"document":{"id":"a","kind":"news","title":"خبر","body":"","date":"2025-03-21","date_jalali":"1404/01/01","number":null,"partners":[],"domains":[],"url":null,"source":null}}"#;
        let cases = [
            (
                write("truncated", &format!("{}\n{line}\n", header(2))),
                "truncated",
            ),
            (
                write("bad-line", &format!("{}\n{line}\n{{\"x\":1}}\n", header(2))),
                "bad-line:3",
            ),
            (
                write(
                    "bad-date",
                    &format!(
                        "{}\n{}\n",
                        header(1),
                        line.replace("2025-03-21", "2025-13-40")
                    ),
                ),
                "bad-date:2",
            ),
            (
                write(
                    "newer",
                    &header(0).replace("\"kavosh_dump\":1", "\"kavosh_dump\":9"),
                ),
                "newer",
            ),
            (write("empty", ""), "empty"),
        ];
        for (file, needle) in cases {
            let target = dir.path().join("target");
            let e = restore(&file, &target, &Progress::new()).unwrap_err();
            assert!(e.0.contains(needle), "{needle}: {e}");
            assert!(!target.exists() && !files::sibling(&target, "restoring").exists());
        }
    }
}
