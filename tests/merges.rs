//! `SearchIndex::wait_merges`: after many small commits the index is left merged as the merge
//! policy wants, and the writer keeps working afterwards.

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
