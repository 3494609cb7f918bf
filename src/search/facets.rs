//! Multi-select facet counts: the counts of each facet are computed with every filter except
//! that facet's own, so a user who ticks one partner still sees the counts of the others
//! (counted in the hits' pass by [`super::multiselect`]). Domain counts roll up to parents
//! (documents are indexed under their domains' ancestors).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use serde_json::Value;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SearcherGeneration, SegmentOrdinal, SegmentReader, Warmer};

use super::{FilterClause, Filters, SearchError, with_filters};
use crate::document::Taxonomy;
use crate::index::kept::KeptBySegment;

/// Most values returned per facet (the most frequent; selected values are always included).
pub const MAX_FACET_VALUES: usize = 100;

/// The dimensions a request can filter on. `Date` filters only; it has no counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FacetName {
    Partner,
    Domain,
    Kind,
    Year,
    Date,
}

impl FacetName {
    pub const COUNTED: [FacetName; 4] = [
        FacetName::Partner,
        FacetName::Domain,
        FacetName::Kind,
        FacetName::Year,
    ];

    /// Whether it has counts (all but `Date`).
    pub fn is_counted(self) -> bool {
        FacetName::COUNTED.contains(&self)
    }

    /// Its place in [`FacetName::COUNTED`] (`Date` reads the field of `Year`).
    fn counted_index(self) -> usize {
        match self {
            FacetName::Partner => 0,
            FacetName::Domain => 1,
            FacetName::Kind => 2,
            FacetName::Year | FacetName::Date => 3,
        }
    }

    /// The fast field holding the facet's values.
    pub fn field(self) -> &'static str {
        match self {
            FacetName::Partner => "partner",
            FacetName::Domain => "domain",
            FacetName::Kind => "kind",
            FacetName::Year | FacetName::Date => "year",
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    /// Persian label (domains).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Facets' counts, each facet with its values.
pub type FacetLists = Vec<(FacetName, Vec<FacetValue>)>;

#[derive(Clone, Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetCounts {
    pub partner: Vec<FacetValue>,
    pub domain: Vec<FacetValue>,
    pub kind: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
}

/// The facets whose counts equal the main query's (no filter of their own): counted in the
/// same pass as the hits.
pub fn shared(clauses: &[FilterClause]) -> Vec<FacetName> {
    FacetName::COUNTED
        .into_iter()
        .filter(|f| !clauses.iter().any(|(c, _)| c == f))
        .collect()
}

/// The counts of each filtered facet, each in a pass of its own over `text` under every
/// filter but its own (for a query that matches every document: one pass with the filters
/// checked, [`super::multiselect`], is for queries with words).
pub fn count_apart(
    searcher: &Searcher,
    text: &dyn Query,
    clauses: &[FilterClause],
) -> Result<FacetLists, SearchError> {
    let mut lists = Vec::new();
    for (facet, _) in clauses.iter().filter(|(f, _)| f.is_counted()) {
        let others: Vec<FilterClause> = clauses
            .iter()
            .filter(|(f, _)| f != facet)
            .map(|(f, q)| (*f, q.box_clone()))
            .collect();
        let query = with_filters(text.box_clone(), &others);
        let list = searcher
            .search(&*query, &FacetCollector::new(searcher, vec![*facet]))?
            .pop()
            .unwrap_or_default();
        lists.push((*facet, list));
    }
    Ok(lists)
}

impl FacetCounts {
    /// The counts of each facet (`lists`), the most frequent values of each and the selected
    /// ones.
    pub fn of(lists: FacetLists, filters: &Filters) -> FacetCounts {
        let mut counts = FacetCounts::default();
        for (facet, list) in lists {
            counts.set(facet, list, filters);
        }
        counts
    }

    fn set(&mut self, facet: FacetName, mut list: Vec<FacetValue>, filters: &Filters) {
        keep_top(&mut list, selected(filters, facet));
        match facet {
            FacetName::Partner => self.partner = list,
            FacetName::Domain => {
                let taxonomy = Taxonomy::get();
                for v in &mut list {
                    v.label = taxonomy.label(&v.value).map(str::to_string);
                }
                self.domain = list
            }
            FacetName::Kind => self.kind = list,
            FacetName::Year => self.year = list,
            FacetName::Date => {}
        }
    }
}

fn selected(filters: &Filters, facet: FacetName) -> Vec<String> {
    match facet {
        FacetName::Partner => filters.partners.clone(),
        FacetName::Domain => filters.domains.clone(),
        FacetName::Kind => filters
            .kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        FacetName::Year => filters.years.iter().map(u64::to_string).collect(),
        FacetName::Date => Vec::new(),
    }
}

fn keep_top(list: &mut Vec<FacetValue>, selected: Vec<String>) {
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let mut rank = 0;
    list.retain(|v| {
        rank += 1;
        rank <= MAX_FACET_VALUES || selected.contains(&v.value)
    });
}

/// Exact document counts per value of each facet, over the documents a query matches: one
/// list per facet, in the order given. It counts ordinals in a vector per facet, from each
/// segment's [`SegmentFacets`], and names them once at the end.
pub struct FacetCollector {
    facets: Vec<FacetName>,
    /// The segments of the searcher: the facet tables of any other segment are dropped.
    live: Vec<SegmentId>,
}

impl FacetCollector {
    pub fn new(searcher: &Searcher, facets: Vec<FacetName>) -> Self {
        let live = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        FacetCollector { facets, live }
    }
}

/// One segment's facet values by document, read once from its fast fields and kept while the
/// segment lives: reading four columns per matching document was ~15% of query time, these
/// plain arrays cost a few percent (the value sets of a document, and the sets' values).
struct SegmentFacets {
    /// By [`FacetName::COUNTED`] index.
    tables: Vec<FacetTable>,
    rows: SetRows,
}

/// Each document's value sets, one per counted facet, side by side: counting a match reads
/// one cache line. In four arrays, one per facet, it read four, and at 1M documents those
/// reads were a fifth of a query's time (each a cache miss where matches are a few percent
/// of a segment).
enum SetRows {
    /// Every facet of the segment has at most 65,536 value sets (the usual case).
    Narrow(Vec<[u16; COUNTED]>),
    Wide(Vec<[u32; COUNTED]>),
}

/// How many facets are counted.
const COUNTED: usize = FacetName::COUNTED.len();

impl SetRows {
    /// The rows of `sets_by_facet` (each facet's set by document, in [`FacetName::COUNTED`]
    /// order), narrow when every set number fits.
    fn new(sets_by_facet: &[Vec<u32>; COUNTED], max_doc: usize) -> SetRows {
        let row = |doc: usize| std::array::from_fn(|f| sets_by_facet[f][doc]);
        let narrow = sets_by_facet
            .iter()
            .flatten()
            .all(|&set| u16::try_from(set).is_ok());
        if narrow {
            SetRows::Narrow(
                (0..max_doc)
                    .map(|doc| row(doc).map(|set: u32| set as u16))
                    .collect(),
            )
        } else {
            SetRows::Wide((0..max_doc).map(row).collect())
        }
    }

    /// Asks the processor to bring the row of `doc` into its cache (where it can), so that it
    /// is there when [`SetRows::count`] reads it, a batch later.
    fn prefetch(&self, doc: DocId) {
        match self {
            SetRows::Narrow(rows) => prefetch(rows.get(doc as usize)),
            SetRows::Wide(rows) => prefetch(rows.get(doc as usize)),
        }
    }

    /// Adds each of `docs` to the count of its set in each of `counts` (facet index, counts
    /// by set).
    fn count(&self, docs: &[DocId], counts: &mut [(usize, Vec<u32>)]) {
        match self {
            SetRows::Narrow(rows) => count_rows(rows, docs, counts),
            SetRows::Wide(rows) => count_rows(rows, docs, counts),
        }
    }
}

/// The rows of `docs` are all read before any count is added: the reads do not wait for each
/// other, where one match's read at a time waited for memory at each match.
fn count_rows<T: Copy + Into<u32>>(
    rows: &[[T; COUNTED]],
    docs: &[DocId],
    counts: &mut [(usize, Vec<u32>)],
) {
    let mut read = [[0u32; COUNTED]; MATCHES_PER_COUNT];
    for chunk in docs.chunks(MATCHES_PER_COUNT) {
        for (row, &doc) in read.iter_mut().zip(chunk) {
            *row = rows[doc as usize].map(Into::into);
        }
        for (facet, by_set) in counts.iter_mut() {
            for row in &read[..chunk.len()] {
                by_set[row[*facet] as usize] += 1;
            }
        }
    }
}

/// A hint to bring `row` into the cache; nothing where the processor has no such hint.
fn prefetch<T>(row: Option<&T>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(row) = row {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of every x86_64 processor, and a prefetch reads nothing the
        // program sees (the address is a live reference besides).
        unsafe { _mm_prefetch::<_MM_HINT_T0>((row as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

/// How many matches a segment's collector keeps before counting them together.
const MATCHES_PER_COUNT: usize = 64;

/// One facet of a segment. Documents with the same values share a value set (see
/// [`SetRows`]); set `s` holds the values `ords[starts[s]..starts[s + 1]]`, named by `names`.
/// Counting a match is one read and one increment whatever its number of values; the sets'
/// counts become value counts once per segment. There are few sets: a kind or a year per
/// document, one or two of the partners, a few domains with their parents (at 1M generated
/// documents, a few thousand sets per facet in a segment of 640k).
struct FacetTable {
    starts: Vec<u32>,
    ords: Vec<u32>,
    names: Vec<String>,
}

impl FacetTable {
    /// Reads a column's values for every document of the segment, `name` naming a value:
    /// the table and each document's set.
    fn read<I: Iterator<Item = u64>>(
        max_doc: DocId,
        values_of: impl Fn(DocId) -> I,
        mut name: impl FnMut(u64) -> String,
    ) -> (FacetTable, Vec<u32>) {
        let mut set_of_doc = Vec::with_capacity(max_doc as usize);
        let mut table = FacetTable {
            starts: vec![0],
            ords: Vec::new(),
            names: Vec::new(),
        };
        let mut ord_of: FxHashMap<u64, u32> = FxHashMap::default();
        let mut set_of: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
        let mut values = Vec::new();
        let mut ords = Vec::new();
        for doc in 0..max_doc {
            values.clear();
            values.extend(values_of(doc));
            values.sort_unstable();
            values.dedup();
            // Sorted values give the same ordinals in the same order: a set's key.
            ords.clear();
            ords.extend(values.iter().map(|&value| {
                *ord_of.entry(value).or_insert_with(|| {
                    table.names.push(name(value));
                    table.names.len() as u32 - 1
                })
            }));
            let set = match set_of.get(&ords) {
                Some(&set) => set,
                None => {
                    let set = table.starts.len() as u32 - 1;
                    table.ords.extend_from_slice(&ords);
                    table.starts.push(table.ords.len() as u32);
                    set_of.insert(ords.clone(), set);
                    set
                }
            };
            set_of_doc.push(set);
        }
        (table, set_of_doc)
    }

    fn sets(&self) -> usize {
        self.starts.len() - 1
    }

    /// Counts by value from counts by set.
    fn value_counts(&self, set_counts: &[u32]) -> Vec<u64> {
        let mut counts = vec![0u64; self.names.len()];
        for (set, &n) in set_counts.iter().enumerate() {
            if n > 0 {
                let (from, to) = (self.starts[set], self.starts[set + 1]);
                for &ord in &self.ords[from as usize..to as usize] {
                    counts[ord as usize] += u64::from(n);
                }
            }
        }
        counts
    }
}

impl SegmentFacets {
    fn read(segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let fast = segment.fast_fields();
        let max_doc = segment.max_doc();
        let read = FacetName::COUNTED
            .iter()
            .map(|f| {
                Ok(match f {
                    FacetName::Year | FacetName::Date => {
                        let column = fast.u64(f.field())?;
                        FacetTable::read(
                            max_doc,
                            |doc| column.values_for_doc(doc),
                            |year| year.to_string(),
                        )
                    }
                    _ => match fast.str(f.field())? {
                        Some(column) => FacetTable::read(
                            max_doc,
                            |doc| column.ords().values_for_doc(doc),
                            |ord| {
                                let mut name = String::new();
                                let _ = column.ord_to_str(ord, &mut name);
                                name
                            },
                        ),
                        None => {
                            FacetTable::read(max_doc, |_| std::iter::empty(), |_| String::new())
                        }
                    },
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let (tables, sets): (Vec<FacetTable>, Vec<Vec<u32>>) = read.into_iter().unzip();
        let sets: [Vec<u32>; COUNTED] = sets.try_into().expect("one per counted facet");
        Ok(SegmentFacets {
            tables,
            rows: SetRows::new(&sets, max_doc as usize),
        })
    }

    /// The facets of a segment, read on first use (or by [`FacetWarmer`]) and kept. When one is
    /// read here, those of segments not in `live` (merged away or deleted) are dropped.
    fn of(segment: &SegmentReader, live: &[SegmentId]) -> tantivy::Result<Arc<SegmentFacets>> {
        KEPT.get_or_read(segment.segment_id(), Some(live), || {
            SegmentFacets::read(segment)
        })
    }
}

/// The facets of every segment read so far.
static KEPT: KeptBySegment<SegmentFacets> = KeptBySegment::new();

/// Reads the facets of a new searcher's segments before it answers: tantivy calls it on every
/// reload (after each commit, and when the index is opened), so no search pays for reading
/// them (at a million documents the first search after `kavosh serve` started took 0.2 s).
/// The facets of the segments it read are dropped once no live searcher of its index holds
/// them. One per index reader (`index::warm_every_searcher`).
#[derive(Default)]
pub struct FacetWarmer {
    warmed: Mutex<FxHashSet<SegmentId>>,
}

impl FacetWarmer {
    pub fn shared() -> Arc<dyn Warmer> {
        Arc::new(FacetWarmer::default())
    }

    fn warmed(&self) -> MutexGuard<'_, FxHashSet<SegmentId>> {
        self.warmed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An index closed (swapped for a restored or upgraded one, or dropped) leaves nothing kept.
impl Drop for FacetWarmer {
    fn drop(&mut self) {
        KEPT.remove(self.warmed().iter());
    }
}

impl Warmer for FacetWarmer {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            KEPT.get_or_read(id, None, || SegmentFacets::read(segment))?;
            self.warmed().insert(id);
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: FxHashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        let mut warmed = self.warmed();
        KEPT.remove(warmed.iter().filter(|id| !live.contains(*id)));
        warmed.retain(|id| live.contains(id));
    }
}

pub struct FacetSegmentCollector {
    facets: Arc<SegmentFacets>,
    /// (index into `facets.tables`, matches by value set) per requested facet.
    counts: Vec<(usize, Vec<u32>)>,
    /// Matches not counted yet (see [`count_rows`]).
    pending: Vec<DocId>,
}

impl FacetSegmentCollector {
    fn count_pending(&mut self) {
        self.facets.rows.count(&self.pending, &mut self.counts);
        self.pending.clear();
    }
}

impl Collector for FacetCollector {
    type Fruit = Vec<Vec<FacetValue>>;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let facets = SegmentFacets::of(segment, &self.live)?;
        let counts = self
            .facets
            .iter()
            .map(|f| {
                let i = f.counted_index();
                (i, vec![0; facets.tables[i].sets()])
            })
            .collect();
        Ok(FacetSegmentCollector {
            facets,
            counts,
            pending: Vec::with_capacity(MATCHES_PER_COUNT),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<Vec<BTreeMap<String, u64>>>,
    ) -> tantivy::Result<Vec<Vec<FacetValue>>> {
        let mut merged = vec![BTreeMap::<String, u64>::new(); self.facets.len()];
        for segment in segments {
            for (total, counts) in merged.iter_mut().zip(segment) {
                for (value, n) in counts {
                    *total.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|counts| {
                counts
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        value,
                        count,
                        label: None,
                    })
                    .collect()
            })
            .collect())
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<BTreeMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.facets.rows.prefetch(doc);
        self.pending.push(doc);
        if self.pending.len() == MATCHES_PER_COUNT {
            self.count_pending();
        }
    }

    fn harvest(mut self) -> Vec<BTreeMap<String, u64>> {
        self.count_pending();
        self.counts
            .into_iter()
            .map(|(i, set_counts)| {
                let table = &self.facets.tables[i];
                table
                    .value_counts(&set_counts)
                    .into_iter()
                    .enumerate()
                    .filter(|&(_, n)| n > 0)
                    .map(|(ord, n)| (table.names[ord].clone(), n))
                    .collect()
            })
            .collect()
    }
}

/// `[{"key": .., "doc_count": ..}]` → facet values.
pub fn buckets(value: &Value) -> Vec<FacetValue> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| FacetValue {
                    value: match &b["key"] {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => {
                            n.as_u64().map(|u| u.to_string()).unwrap_or_else(|| {
                                n.as_f64().map_or(String::new(), |f| (f as i64).to_string())
                            })
                        }
                        other => other.to_string(),
                    },
                    count: b["doc_count"].as_u64().unwrap_or(0),
                    label: None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use tantivy::Warmer;

    use super::{COUNTED, FacetName, FacetTable, FacetWarmer, KEPT, MATCHES_PER_COUNT, SetRows};
    use crate::document::Document;
    use crate::index::SearchIndex;

    fn agreement(id: &str, partner: &str) -> Document {
        Document::from_json(serde_json::json!({
            "id": id,
            "kind": "agreement",
            "title": "تفاهم‌نامه همکاری پژوهشی",
            "body": "پارک علم و فناوری مازندران تفاهم‌نامه همکاری امضا کرد.",
            "date": "1403/05/10",
            "partners": [partner],
            "domains": [],
        }))
        .expect("a valid document")
    }

    #[test]
    fn new_segments_are_read_before_any_search_and_dropped_once_no_searcher_holds_them() {
        crate::index::warm_every_searcher(FacetWarmer::shared);
        let index = SearchIndex::in_memory().unwrap();
        let segments = |index: &SearchIndex| -> Vec<_> {
            let searcher = index.searcher();
            searcher
                .segment_readers()
                .iter()
                .map(|s| s.segment_id())
                .collect()
        };
        index.upsert(&[agreement("a", "دانشگاه مازندران")]).unwrap();
        index.upsert(&[agreement("b", "بانک کشاورزی")]).unwrap();
        let two = segments(&index);
        assert_eq!(two.len(), 2);
        // Each commit read its segment's facets: no search has run.
        assert!(two.iter().all(|id| KEPT.contains(id)));

        let warmer = FacetWarmer::default();
        warmer.warm(&index.searcher()).unwrap();
        index.compact(1).unwrap();
        let searcher = index.searcher();
        let one = segments(&index);
        assert_eq!(one.len(), 1);
        assert!(KEPT.contains(&one[0]), "the merged segment is read");
        warmer.warm(&searcher).unwrap();
        warmer.garbage_collect(&[searcher.generation()]);
        assert!(two.iter().all(|id| !KEPT.contains(id)));
        assert!(KEPT.contains(&one[0]));
        // The index closed, its warmer goes and takes what it read along.
        drop(warmer);
        assert!(!KEPT.contains(&one[0]));
    }

    #[test]
    fn documents_with_the_same_values_share_a_set_and_counts_are_by_value() {
        // Values by document, in any order and with repeats, as a column gives them.
        let docs: [&[u64]; 6] = [&[7, 3], &[3, 7, 7], &[], &[3], &[9, 3, 7], &[]];
        let (table, set_of) = FacetTable::read(
            docs.len() as u32,
            |d| docs[d as usize].iter().copied(),
            |v| format!("v{v}"),
        );
        assert_eq!(table.sets(), 4, "{{3,7}}, {{}}, {{3}}, {{3,7,9}}");
        assert_eq!(set_of[0], set_of[1]);
        assert_eq!(set_of[2], set_of[5]);
        let mut set_counts = vec![0; table.sets()];
        // Matches: documents 0, 1, 2 and 4.
        for d in [0, 1, 2, 4] {
            set_counts[set_of[d] as usize] += 1;
        }
        let by_name: std::collections::BTreeMap<&str, u64> = table
            .names
            .iter()
            .map(String::as_str)
            .zip(table.value_counts(&set_counts))
            .collect();
        let expected = [("v3", 3), ("v7", 3), ("v9", 1)].into_iter().collect();
        assert_eq!(by_name, expected);
    }

    #[test]
    fn a_documents_sets_are_counted_in_the_facets_asked_for_narrow_or_wide() {
        // Three documents; facet 1 has a set number too large for 16 bits in the wide case.
        for big in [7, 70_000] {
            let sets: [Vec<u32>; COUNTED] =
                [vec![0, 1, 1], vec![2, big, 2], vec![0, 0, 1], vec![3, 3, 3]];
            let rows = SetRows::new(&sets, 3);
            assert_eq!(matches!(rows, SetRows::Narrow(_)), big == 7);
            let mut counts = vec![(1, vec![0; big as usize + 1]), (2, vec![0; 2])];
            rows.count(&[0, 1, 2], &mut counts);
            assert_eq!((counts[0].1[2], counts[0].1[big as usize]), (2, 1));
            assert_eq!(counts[1].1, [2, 1]);
        }
    }

    #[test]
    fn matches_past_one_batch_are_all_counted() {
        // More matches than one batch of MATCHES_PER_COUNT, and a partial batch after.
        let docs = 3 * MATCHES_PER_COUNT as u32 + 5;
        let sets: [Vec<u32>; COUNTED] =
            std::array::from_fn(|f| (0..docs).map(|doc| (doc + f as u32) % 3).collect());
        let rows = SetRows::new(&sets, docs as usize);
        let matched: Vec<u32> = (0..docs).filter(|doc| doc % 7 != 0).collect();
        let mut counts = vec![(0, vec![0; 3]), (3, vec![0; 3])];
        rows.count(&matched, &mut counts);
        for (facet, by_set) in &counts {
            for (set, &n) in by_set.iter().enumerate() {
                let expected = matched
                    .iter()
                    .filter(|&&doc| sets[*facet][doc as usize] == set as u32)
                    .count();
                assert_eq!(n as usize, expected, "facet {facet}, set {set}");
            }
        }
        assert_eq!(counts[0].1.iter().sum::<u32>() as usize, matched.len());
    }

    #[test]
    fn counted_facets_know_their_place() {
        for (i, f) in FacetName::COUNTED.into_iter().enumerate() {
            assert_eq!(f.counted_index(), i, "{f:?}");
        }
        assert_eq!(FacetName::Date.field(), FacetName::Year.field());
    }
}
