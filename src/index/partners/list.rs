//! The list of partners of an index (`kavosh partners`, `GET /partners`): each with its
//! documents, the forms sources wrote for it, a person's edit, and the other partners that may be
//! the same organisation, for a person to confirm and merge.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::index::SegmentId;
use tantivy::schema::Value;
use tantivy::{DocId, SegmentReader, TantivyDocument};

use super::{PartnerEdit, PartnerResolver};
use crate::analysis::word_keys;
use crate::document::{PartnerRegistry, written_partners};
use crate::index::kept::KeptBySegment;
use crate::index::{IndexError, SearchIndex};

/// Most partners compared pairwise for likely duplicates (the ones with most documents).
pub const MAX_COMPARED_PARTNERS: usize = 5_000;

/// One written form of a partner and the documents that write it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PartnerForm {
    pub name: String,
    pub documents: u64,
}

/// Another partner that may be the same organisation, for a person to confirm (and merge).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LikelyDuplicate {
    pub key: String,
    pub name: String,
    /// `close keys` (a letter or two apart) or `short form` (its words are a part of the other's).
    pub reason: String,
}

/// A partner of the index.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PartnerSummary {
    /// What `PUT /partners/{key}` takes, and what tells it from other partners.
    pub key: String,
    /// The name facets, stats and documents show.
    pub name: String,
    pub documents: u64,
    /// The forms sources wrote, most frequent first.
    pub forms: Vec<PartnerForm>,
    /// True when `data/partners.toml` knows it.
    pub registered: bool,
    /// A person's correction, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<PartnerEdit>,
    pub likely_duplicates: Vec<LikelyDuplicate>,
}

/// What the index holds for one partner key.
#[derive(Default)]
pub(super) struct Held {
    pub documents: u64,
    /// The names its documents show for it, with how many show each.
    pub shown: BTreeMap<String, u64>,
    /// The forms written for it (registered ones by their canonical name), with counts.
    pub forms: BTreeMap<String, u64>,
}

/// A document's partners: as its source wrote them, and as it shows them.
#[derive(Clone, Default, PartialEq, Eq, Hash, Deserialize)]
struct DocumentPartners {
    #[serde(default)]
    partners: Vec<String>,
    #[serde(default)]
    partners_as_written: Vec<String>,
}

/// The partners of a segment's documents: each combination once, and each document's. Documents
/// share few combinations, so counting by partner key (which depends on the edits in force)
/// takes no time once a segment's are known.
struct SegmentPartners {
    combinations: Vec<DocumentPartners>,
    of_doc: Vec<u32>,
}

impl SegmentPartners {
    /// Reads every document of the segment, deleted ones too (their stored data stays until a
    /// merge), so that deletes change only the counts.
    fn read(index: &SearchIndex, segment: &SegmentReader) -> Result<SegmentPartners, IndexError> {
        let unreadable = |e: &dyn std::fmt::Display| {
            IndexError(format!("cannot read the stored documents: {e}"))
        };
        let store = segment.get_store_reader(1).map_err(|e| unreadable(&e))?;
        let mut ids: HashMap<DocumentPartners, u32> = HashMap::new();
        let mut of_doc = Vec::with_capacity(segment.max_doc() as usize);
        for doc in 0..segment.max_doc() {
            let raw = store.get_document_bytes(doc).map_err(|e| unreadable(&e))?;
            let partners: DocumentPartners = match stored_json(&raw) {
                Some(json) => serde_json::from_slice(json),
                None => {
                    let doc: TantivyDocument = store.get(doc).map_err(|e| unreadable(&e))?;
                    let json = doc
                        .get_first(index.fields.document)
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| {
                            IndexError("a stored document is missing its JSON".into())
                        })?;
                    serde_json::from_str(json)
                }
            }
            .map_err(|e| IndexError(format!("a stored document is unreadable: {e}")))?;
            let next = ids.len() as u32;
            of_doc.push(*ids.entry(partners).or_insert(next));
        }
        let mut combinations = vec![DocumentPartners::default(); ids.len()];
        for (partners, id) in ids {
            combinations[id as usize] = partners;
        }
        Ok(SegmentPartners {
            combinations,
            of_doc,
        })
    }

    /// Each combination with how many of the segment's live documents hold it.
    fn counted(&self, segment: &SegmentReader) -> Vec<(&DocumentPartners, u64)> {
        let mut counts = vec![0u64; self.combinations.len()];
        for (doc, &id) in self.of_doc.iter().enumerate() {
            if segment
                .alive_bitset()
                .is_none_or(|a| a.is_alive(doc as DocId))
            {
                counts[id as usize] += 1;
            }
        }
        self.combinations.iter().zip(counts).collect()
    }

    /// The partners of a segment, read on first use and kept; when one is read, those of
    /// segments not in `live` (merged away) are dropped.
    fn of(
        index: &SearchIndex,
        segment: &SegmentReader,
        live: &[SegmentId],
    ) -> Result<Arc<SegmentPartners>, IndexError> {
        static KEPT: KeptBySegment<SegmentPartners> = KeptBySegment::new();
        KEPT.get_or_read(segment.segment_id(), Some(live), || {
            SegmentPartners::read(index, segment)
        })
    }
}

/// The JSON of a document as the doc store holds it: tantivy 0.27's encoding of a document of
/// one stored text (the number of values, 1; the field, 4 bytes; the text's type code, 0; its
/// length and bytes, lengths as tantivy's `VInt`s, whose last byte has the high bit set).
/// `None` for anything else, which is then read through tantivy.
///
/// Why not through tantivy: it checks that each whole text is UTF-8 as it hands it over, 57% of
/// a first `GET /partners` at a million documents, where only the partners are read (and
/// checked) by `serde_json`, which skips the rest.
fn stored_json(raw: &[u8]) -> Option<&[u8]> {
    fn vint(bytes: &mut &[u8]) -> Option<u64> {
        let mut value = 0u64;
        for (i, &b) in bytes.iter().enumerate().take(10) {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 != 0 {
                *bytes = &bytes[i + 1..];
                return Some(value);
            }
        }
        None
    }
    const TEXT_CODE: u8 = 0;
    let mut rest = raw;
    if vint(&mut rest)? != 1 {
        return None;
    }
    let [_, _, _, _, TEXT_CODE, after @ ..] = rest else {
        return None;
    };
    rest = after;
    let len = usize::try_from(vint(&mut rest)?).ok()?;
    (rest.len() == len).then_some(rest)
}

/// Every document of the index read once (each segment's documents kept while it lives, read
/// on the search threads): what it holds for each partner key.
pub(super) fn scan(
    index: &SearchIndex,
    resolver: &PartnerResolver,
) -> Result<BTreeMap<String, Held>, IndexError> {
    let registry = PartnerRegistry::get();
    let searcher = index.searcher();
    let segments = searcher.segment_readers();
    let live: Vec<SegmentId> = segments.iter().map(|s| s.segment_id()).collect();
    let per_segment = index
        .index
        .search_executor()
        .map(
            |segment| Ok(SegmentPartners::of(index, segment, &live)),
            segments.iter(),
        )
        .map_err(|e| IndexError(format!("cannot read the stored documents: {e}")))?;
    // Computing a key takes a segmentation; an index has few distinct forms.
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut key_of = |name: &str| -> String {
        keys.entry(name.to_string())
            .or_insert_with(|| resolver.key_of(name))
            .clone()
    };
    let mut held: BTreeMap<String, Held> = BTreeMap::new();
    for (partners, segment) in per_segment.into_iter().zip(segments) {
        for (doc, n) in partners?.counted(segment) {
            if n == 0 {
                continue;
            }
            let shown: Vec<(String, &String)> =
                doc.partners.iter().map(|s| (key_of(s), s)).collect();
            let mut seen: HashSet<String> = HashSet::new();
            for written in written_partners(&doc.partners, &doc.partners_as_written) {
                let key = key_of(written);
                let entry = held.entry(key.clone()).or_default();
                if seen.insert(key.clone()) {
                    entry.documents += n;
                    if let Some((_, name)) = shown.iter().find(|(k, _)| *k == key) {
                        *entry.shown.entry((*name).clone()).or_default() += n;
                    }
                }
                *entry
                    .forms
                    .entry(registry.canonical(written).to_string())
                    .or_default() += n;
            }
        }
    }
    Ok(held)
}

/// Every partner of the index, most documents first, with its forms and likely duplicates.
pub fn list(index: &SearchIndex) -> Result<Vec<PartnerSummary>, IndexError> {
    let resolver = index.partner_resolver();
    let registry = PartnerRegistry::get();
    let partners = scan(index, &resolver)?;
    let mut out: Vec<PartnerSummary> = partners
        .into_iter()
        .map(|(key, held)| {
            let name = held
                .shown
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(name, _)| name.clone())
                .unwrap_or_default();
            let documents = held.documents;
            let mut forms: Vec<PartnerForm> = held
                .forms
                .into_iter()
                .map(|(name, documents)| PartnerForm { name, documents })
                .collect();
            forms.sort_by(|a, b| {
                b.documents
                    .cmp(&a.documents)
                    .then_with(|| a.name.cmp(&b.name))
            });
            PartnerSummary {
                registered: registry.find_by_key(&key).is_some(),
                edit: resolver.edits.edits.get(&key).cloned(),
                key,
                name,
                documents,
                forms,
                likely_duplicates: Vec::new(),
            }
        })
        .collect();
    flag_duplicates(&mut out);
    out.sort_by(|a, b| {
        b.documents
            .cmp(&a.documents)
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(out)
}

/// Flags pairs of partners that may be one organisation: keys one letter apart (two for long
/// keys), or a name of three words or more whose words are a part of a longer name's, with the
/// same first and last word (`اتاق بازرگانی یزد`, `اتاق بازرگانی، صنایع، معادن و کشاورزی یزد`).
fn flag_duplicates(partners: &mut [PartnerSummary]) {
    let mut order: Vec<usize> = (0..partners.len()).collect();
    order.sort_by(|&a, &b| partners[b].documents.cmp(&partners[a].documents));
    order.truncate(MAX_COMPARED_PARTNERS);
    let keys: Vec<Vec<char>> = partners.iter().map(|p| p.key.chars().collect()).collect();
    let words: Vec<Vec<String>> = partners.iter().map(|p| word_keys(&p.name)).collect();
    let mut flags: Vec<(usize, usize, &'static str)> = Vec::new();
    for (n, &a) in order.iter().enumerate() {
        for &b in &order[n + 1..] {
            if close_keys(&keys[a], &keys[b]) {
                flags.push((a, b, "close keys"));
                flags.push((b, a, "close keys"));
            } else if short_form(&words[a], &words[b]) {
                flags.push((a, b, "short form"));
                flags.push((b, a, "short form"));
            } else if short_form(&words[b], &words[a]) {
                flags.push((b, a, "short form"));
                flags.push((a, b, "short form"));
            }
        }
    }
    for (a, b, reason) in flags {
        let other = LikelyDuplicate {
            key: partners[b].key.clone(),
            name: partners[b].name.clone(),
            reason: reason.to_string(),
        };
        partners[a].likely_duplicates.push(other);
    }
}

/// Keys one edit apart (8 letters or more), or two (16 or more).
fn close_keys(a: &[char], b: &[char]) -> bool {
    let shorter = a.len().min(b.len());
    let allowed = match shorter {
        0..8 => return false,
        8..16 => 1,
        _ => 2,
    };
    a.len().abs_diff(b.len()) <= allowed && edit_distance_within(a, b, allowed)
}

/// Whether the Levenshtein distance of `a` and `b` is at most `k` (a band of the table).
fn edit_distance_within(a: &[char], b: &[char], k: usize) -> bool {
    let width = b.len() + 1;
    let big = k + 1;
    let mut previous: Vec<usize> = (0..width).map(|j| j.min(big)).collect();
    let mut current = vec![big; width];
    for i in 1..=a.len() {
        current.fill(big);
        if i <= k {
            current[0] = i;
        }
        let from = i.saturating_sub(k).max(1);
        let to = (i + k).min(b.len());
        let mut row_min = current[0];
        for j in from..=to {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let deletion = previous[j] + 1;
            let insertion = current[j - 1] + 1;
            current[j] = substitution.min(deletion).min(insertion).min(big);
            row_min = row_min.min(current[j]);
        }
        if row_min > k {
            return false;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()] <= k
}

/// Whether `short` (three words or more) is a part of `long`, in order, with the same first and
/// last words.
fn short_form(short: &[String], long: &[String]) -> bool {
    if short.len() < 3 || short.len() >= long.len() {
        return false;
    }
    if short.first() != long.first() || short.last() != long.last() {
        return false;
    }
    let mut rest = long.iter();
    short.iter().all(|w| rest.any(|l| l == w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_json_is_read_from_the_stores_bytes() {
        // Like kavosh's schema: the JSON is the only stored field.
        let mut schema = tantivy::schema::Schema::builder();
        let id = schema.add_text_field("id", tantivy::schema::STRING);
        let document = schema.add_text_field("document", tantivy::schema::STORED);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Lengths of one and two VInt bytes.
        let short = r#"{"partners":["دانشگاه مازندران"]}"#.to_string();
        let long = format!(r#"{{"partners":[],"body":"{}"}}"#, "پارک ".repeat(100));
        for json in [&short, &long] {
            let mut doc = TantivyDocument::new();
            doc.add_text(id, "x");
            doc.add_text(document, json);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let store = searcher.segment_reader(0).get_store_reader(1).unwrap();
        for (doc, json) in [short, long].iter().enumerate() {
            let raw = store.get_document_bytes(doc as DocId).unwrap();
            assert_eq!(stored_json(&raw), Some(json.as_bytes()));
        }
        // Anything else is left to tantivy.
        assert_eq!(stored_json(&[]), None);
        assert_eq!(stored_json(&[0x82, 0, 0, 0, 0, 0, 0x81, b'x']), None);
        assert_eq!(stored_json(&[0x81, 0, 0, 0, 0, 1, 0x81, b'x']), None);
        assert_eq!(stored_json(&[0x81, 0, 0, 0, 0, 0, 0x82, b'x']), None);
    }

    fn chars(s: &str) -> Vec<char> {
        crate::analysis::name_key(s).chars().collect()
    }

    #[test]
    fn close_keys_and_short_forms() {
        assert!(close_keys(
            &chars("دانشگاه صنعتی نوشیروانی بابل"),
            &chars("دانشگاه صنعتی نوشیرانی بابل")
        ));
        assert!(!close_keys(
            &chars("دانشگاه گیلان"),
            &chars("دانشگاه گلستان")
        ));
        assert!(!close_keys(&chars("شهرداری ساری"), &chars("شهرداری سا")));
        assert!(short_form(
            &word_keys("اتاق بازرگانی یزد"),
            &word_keys("اتاق بازرگانی، صنایع، معادن و کشاورزی یزد")
        ));
        assert!(!short_form(
            &word_keys("دانشگاه یزد"),
            &word_keys("دانشگاه علوم پزشکی یزد")
        ));
        assert!(edit_distance_within(&chars("abcdef"), &chars("abdef"), 1));
        assert!(!edit_distance_within(&chars("abcdef"), &chars("abxdxf"), 1));
    }
}
