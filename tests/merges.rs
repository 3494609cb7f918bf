//! `SearchIndex::wait_merges`: after many small commits the index is left merged as the merge
//! policy wants, and the writer keeps working afterwards; `SearchIndex::compact` merges what is
//! left into as few segments as asked, losing nothing.

mod common;

use kavosh::document::Document;
use kavosh::index::SearchIndex;

fn doc(i: usize) -> Document {
    let json = serde_json::json!({
        "id": format!("merge-{i}"),
        "kind": "news",
        "title": format!("خبر شماره {i} پارک علم و فناوری"),
        "body": "همکاری پژوهشی و فناوری در استان مازندران",
        "date": "1404/01/15",
        "partners": [],
        "domains": [],
    });
    Document::from_json(json).expect("a valid document")
}

#[test]
fn small_commits_are_merged_and_the_writer_survives() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    for i in 0..16 {
        index.upsert(&[doc(i)]).unwrap(); // one commit, one segment each
    }
    index.wait_merges().unwrap();
    let segments = index.searcher().segment_readers().len();
    assert!(
        segments <= 3,
        "{segments} segments left after waiting for merges"
    );
    assert_eq!(index.num_docs(), 16);
    index.upsert(&[doc(16), doc(3)]).unwrap();
    assert_eq!(index.num_docs(), 17);
    assert!(index.get("merge-16").unwrap().is_some());
    assert!(index.delete("merge-3").unwrap());
    assert_eq!(index.num_docs(), 16);
}

#[test]
fn a_compaction_leaves_as_few_segments_as_asked_and_every_document() {
    use kavosh::search::{self, SearchRequest};
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    // Three commits of up to two segments each (one per indexing thread on a 2-core machine):
    // fewer than the eight of a size the merge policy merges on its own, so the segments are
    // still there when the compaction starts. With five commits, a merge the policy started
    // could finish inside the compaction and leave one segment (a CI failure).
    for batch in 0..3 {
        let docs: Vec<Document> = (batch * 17..(batch * 17 + 17).min(50)).map(doc).collect();
        index.upsert(&docs).unwrap();
    }
    assert!(index.delete("merge-7").unwrap());
    let total = |q: &str| {
        let req = SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        };
        search::search(&index, &req).unwrap().total
    };
    index.wait_merges().unwrap();
    let before = (total("فناوری"), total("\"خبر شماره 12\""));
    let segments = index.searcher().segment_readers().len();
    assert!(segments > 2, "{segments} segments before the compaction");

    assert_eq!(index.compact(2).unwrap().1, 2);
    assert_eq!(index.searcher().segment_readers().len(), 2);
    assert_eq!(index.num_docs(), 49);
    assert_eq!((total("فناوری"), total("\"خبر شماره 12\"")), before);
    assert_eq!(before.0, 49);
    // The deleted document is gone from the segments, not only hidden.
    let max_docs: u32 = index
        .searcher()
        .segment_readers()
        .iter()
        .map(|s| s.max_doc())
        .sum();
    assert_eq!(max_docs, 49);

    assert_eq!(index.compact(1).unwrap(), (2, 1));
    assert_eq!(index.compact(1).unwrap(), (1, 1));
    // The writer works on.
    index.upsert(&[doc(7)]).unwrap();
    assert_eq!(total("فناوری"), 50);
    // No file of a merged segment is left behind.
    assert_eq!(
        common::segment_files(dir.path()),
        index.searcher().segment_readers().len()
    );
}
