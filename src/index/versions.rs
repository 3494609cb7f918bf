//! Index versions: which kavosh built an index, and whether this one can use it as it is.
//!
//! One number covers what only a rebuild can change: the tantivy schema (`super::schema`) and
//! the analysis that made the documents' terms (`crate::analysis`). It is recorded in
//! `<index>/kavosh-index.json`, beside tantivy's files and outside `settings/` (settings travel
//! in dumps; the version belongs to the files it describes). Indexes built before the record
//! existed (versions 1 to 3) are recognised by their schema.
//!
//! An index of an older version is searched as it is but not written to until `super::migrate`
//! has rebuilt it from its stored documents (`kavosh migrate`, or `serve` and `ingest` on their
//! own).
//!
//! # When you change the schema or the terms documents are indexed under
//! 1. Commit the fixture of the version you replace: build the commit before your change and
//!    run `scripts/index-fixture.sh OLD_BINARY tests/data/index-vN` (N = [`INDEX_VERSION`]
//!    before your change) from your checkout.
//! 2. Bump [`INDEX_VERSION`] and add its [`KnownVersion`] to [`KNOWN_VERSIONS`]: what changed,
//!    and the new schema in `src/index/schemas/vN.json` (the `schema` array of a new index's
//!    `meta.json`).
//! 3. Set the analysis fingerprint in `tests/upgrade.rs` to the value its failure prints.
//!
//! `tests/upgrade.rs` fails until all three are done, then proves that every fixture upgrades
//! with every document intact. The rebuild itself needs no change.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::schema::Schema;

use super::{IndexError, files};

/// The version of the indexes this kavosh builds.
pub const INDEX_VERSION: u32 = 7;

/// The file, in an index directory, that records its version.
pub const VERSION_FILE: &str = "kavosh-index.json";

/// The last version whose indexes may lack the record (they are recognised by their schema).
const LAST_UNRECORDED: u32 = 3;

/// A version indexes have been built with.
pub struct KnownVersion {
    pub version: u32,
    /// What changed from the version before, and the commit that changed it.
    pub change: &'static str,
    /// Its tantivy schema, as `meta.json` holds it.
    schema: &'static str,
}

impl KnownVersion {
    pub fn schema(&self) -> Schema {
        serde_json::from_str(self.schema).expect("the schemas of known versions are valid")
    }
}

/// Every version, oldest first; the last is [`INDEX_VERSION`].
pub const KNOWN_VERSIONS: &[KnownVersion] = &[
    KnownVersion {
        version: 1,
        change: "the first schema: stemmed, exact (with joined 2-3-word compounds) and \
                 plain-word (title_words, body_words) fields",
        schema: include_str!("schemas/v1.json"),
    },
    KnownVersion {
        version: 2,
        change: "7d2e13e: compounds found at query time; documents indexed word by word, \
                 the *_words fields gone",
        schema: include_str!("schemas/v2.json"),
    },
    KnownVersion {
        version: 3,
        change: "ef7e24b: stemmed fields without positions",
        schema: include_str!("schemas/v3.json"),
    },
    KnownVersion {
        version: 4,
        change: "partners as organisations: partner_key holds partner keys (punctuation, \
                 parentheses, «استان» before a province and the registry's short forms \
                 ignored; merges followed) and partner one display name per key; the schema \
                 is version 3's",
        schema: include_str!("schemas/v4.json"),
    },
    KnownVersion {
        version: 5,
        change: "pairs of common words (data/common-words.txt) side by side, one term each, \
                 in title_pairs and body_pairs, for phrases",
        schema: include_str!("schemas/v5.json"),
    },
    KnownVersion {
        version: 6,
        change: "common phrases (data/common-phrases.txt: the park's name and the phrases \
                 within it) one term each in title_pairs and body_pairs where their words \
                 stand side by side; the pair fields' tokenizer is named fa_pairs_phrases \
                 (fa_pairs before), which tells searches that the terms are there",
        schema: include_str!("schemas/v6.json"),
    },
    KnownVersion {
        version: 7,
        change: "the common phrase تفاهم نامه همکاری (a ZWNJ or spaced تفاهم‌نامه before \
                 همکاری) one term in the pair fields; their tokenizer is named \
                 fa_pairs_phrases_5, for the five phrases they hold",
        schema: include_str!("schemas/v7.json"),
    },
];

/// What the version file holds.
#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    /// The kavosh that wrote the record, for people.
    #[serde(default)]
    written_by: String,
}

/// The version of `index`, opened from `dir`: recorded, or recognised by its schema. An index
/// of a version this kavosh does not know (newer, or foreign) is an error that says what to do.
pub fn of_index(dir: &Path, index: &Index) -> Result<u32, IndexError> {
    let schema = index.schema();
    match recorded(dir)? {
        Some(version) if version > INDEX_VERSION => Err(IndexError(format!(
            "the index in {} was built by a newer kavosh (index version {version}; this one \
             knows up to {INDEX_VERSION}): serve it with that kavosh, or restore a dump of it",
            dir.display()
        ))),
        Some(INDEX_VERSION) if schema != current().schema() => Err(IndexError(format!(
            "the index in {} records version {INDEX_VERSION} but has another schema: it was \
             built by a development build; rebuild it (kavosh ingest, or kavosh restore of a \
             dump)",
            dir.display()
        ))),
        Some(version) if known(version).is_some() => Ok(version),
        Some(version) => Err(IndexError(format!(
            "{} records an unknown index version {version}",
            dir.join(VERSION_FILE).display()
        ))),
        None => KNOWN_VERSIONS
            .iter()
            .filter(|k| k.version <= LAST_UNRECORDED)
            .find(|k| k.schema() == schema)
            .map(|k| k.version)
            .ok_or_else(|| {
                IndexError(format!(
                    "the index in {} was not built by a kavosh this one knows (it records no \
                     version and its schema is none of versions 1 to {LAST_UNRECORDED}); \
                     rebuild it from its sources",
                    dir.display()
                ))
            }),
    }
}

/// The version `dir` records, if it records one.
pub fn recorded(dir: &Path) -> Result<Option<u32>, IndexError> {
    let path = dir.join(VERSION_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(IndexError(format!("cannot read {}: {e}", path.display())));
        }
    };
    let record: Record = serde_json::from_slice(&bytes)
        .map_err(|e| IndexError(format!("{} is unreadable: {e}", path.display())))?;
    Ok(Some(record.version))
}

/// Records that the index in `dir` is of the current version, durably.
pub fn record_current(dir: &Path) -> Result<(), IndexError> {
    let record = Record {
        version: INDEX_VERSION,
        written_by: format!("kavosh {}", env!("CARGO_PKG_VERSION")),
    };
    let path = dir.join(VERSION_FILE);
    let bytes = serde_json::to_vec_pretty(&record).expect("a record serializes");
    files::write_atomically(&path, &bytes)
        .map_err(|e| IndexError(format!("cannot write {}: {e}", path.display())))
}

/// The entry of a version, if it is known.
pub fn known(version: u32) -> Option<&'static KnownVersion> {
    KNOWN_VERSIONS.iter().find(|k| k.version == version)
}

/// The entry of [`INDEX_VERSION`].
pub fn current() -> &'static KnownVersion {
    known(INDEX_VERSION).expect("the current version is known")
}

/// What to tell someone who wants to write to an index of an older `version` in `dir`.
pub fn upgrade_advice(dir: &Path, version: u32) -> String {
    format!(
        "the index in {} was built by an older kavosh (index version {version}; this one \
         writes version {INDEX_VERSION}) and is read-only until it is rebuilt: run \
         kavosh migrate --index {} (serve and ingest also do it on their own)",
        dir.display(),
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_listed_in_order_up_to_the_current_one() {
        let numbers: Vec<u32> = KNOWN_VERSIONS.iter().map(|k| k.version).collect();
        assert_eq!(numbers, (1..=INDEX_VERSION).collect::<Vec<_>>());
    }

    #[test]
    fn the_current_schema_is_the_current_version_s() {
        assert!(
            super::super::schema::build_schema().0 == current().schema(),
            "src/index/schema.rs no longer builds the schema of index version {INDEX_VERSION}: \
             a schema change makes a new version; follow the steps in src/index/versions.rs"
        );
    }

    #[test]
    fn schemas_of_versions_before_the_record_differ() {
        let schemas: Vec<Schema> = KNOWN_VERSIONS
            .iter()
            .filter(|k| k.version <= LAST_UNRECORDED)
            .map(KnownVersion::schema)
            .collect();
        for (i, a) in schemas.iter().enumerate() {
            for b in &schemas[i + 1..] {
                assert!(a != b);
            }
        }
    }

    #[test]
    fn a_record_is_read_back_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), None);
        record_current(dir.path()).unwrap();
        assert_eq!(recorded(dir.path()).unwrap(), Some(INDEX_VERSION));
        let index = Index::create_in_dir(dir.path(), current().schema()).unwrap();
        assert_eq!(of_index(dir.path(), &index).unwrap(), INDEX_VERSION);
        std::fs::write(dir.path().join(VERSION_FILE), r#"{"version": 99}"#).unwrap();
        let e = of_index(dir.path(), &index).unwrap_err();
        assert!(e.0.contains("newer kavosh"), "{e}");
    }

    #[test]
    fn an_index_without_a_record_is_known_by_its_schema() {
        for k in KNOWN_VERSIONS
            .iter()
            .filter(|k| k.version <= LAST_UNRECORDED)
        {
            let dir = tempfile::tempdir().unwrap();
            let index = Index::create_in_dir(dir.path(), k.schema()).unwrap();
            assert_eq!(of_index(dir.path(), &index).unwrap(), k.version);
        }
        let dir = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        b.add_text_field("id", tantivy::schema::STRING);
        let index = Index::create_in_dir(dir.path(), b.build()).unwrap();
        let e = of_index(dir.path(), &index).unwrap_err();
        assert!(e.0.contains("not built by a kavosh"), "{e}");
    }
}
