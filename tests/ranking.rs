//! Ranking: words standing together (proximity) lift a document above one that holds the same
//! words apart, although the latter scores higher on the words alone; pages agree with it.

use kavosh::document::Document;
use kavosh::index::SearchIndex;
use kavosh::search::{self, SearchRequest, Typos};

fn doc(id: &str, body: &str) -> Document {
    let json = serde_json::json!({
        "id": id,
        "kind": "news",
        "title": "گزارش",
        "body": body,
        "date": "1404/01/15",
        "partners": [],
        "domains": [],
    });
    Document::from_json(json).expect("a valid document")
}

fn ids(index: &SearchIndex, q: &str, page: usize, per_page: usize) -> Vec<String> {
    let req = SearchRequest {
        q: q.into(),
        typos: Typos::Exact,
        page,
        per_page,
        ..SearchRequest::default()
    };
    let r = search::search(index, &req).unwrap();
    r.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn words_together_rank_first() {
    let index = SearchIndex::in_memory().unwrap();
    let mut docs = vec![
        // Shorter: on the words alone it scores higher.
        doc(
            "apart",
            "دانشگاه در سال گذشته برنامه‌های بسیاری را برای استان مازندران اجرا کرد",
        ),
        doc(
            "together",
            "دانشگاه مازندران در سال گذشته برنامه‌های بسیاری را برای شهرها و روستاهای استان \
             اجرا کرد",
        ),
    ];
    docs.extend((0..20).map(|i| doc(&format!("other-{i}"), "پارک علم و فناوری")));
    index.upsert(&docs).unwrap();

    assert_eq!(ids(&index, "دانشگاه", 1, 10), ["apart", "together"]);
    assert_eq!(ids(&index, "مازندران", 1, 10), ["apart", "together"]);
    assert_eq!(
        ids(&index, "دانشگاه مازندران", 1, 10),
        ["together", "apart"]
    );
    assert_eq!(ids(&index, "دانشگاه مازندران", 1, 1), ["together"]);
    assert_eq!(ids(&index, "دانشگاه مازندران", 2, 1), ["apart"]);
}

#[test]
fn words_together_rank_first_whatever_segment_they_are_in() {
    let index = SearchIndex::in_memory().unwrap();
    // One commit per segment: a hit that is apart comes first in each, then one together.
    for segment in 0..3 {
        index
            .upsert(&[
                doc(
                    &format!("apart-{segment}"),
                    "دانشگاه در سال گذشته برنامه‌های بسیاری را برای استان مازندران اجرا کرد",
                ),
                doc(
                    &format!("together-{segment}"),
                    "دانشگاه مازندران در سال گذشته برنامه‌های بسیاری را برای شهرها و \
                     روستاهای استان اجرا کرد",
                ),
            ])
            .unwrap();
    }
    let ranked = ids(&index, "دانشگاه مازندران", 1, 10);
    assert_eq!(ranked.len(), 6);
    assert!(
        ranked[..3].iter().all(|id| id.starts_with("together")),
        "{ranked:?}"
    );
}
