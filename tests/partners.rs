//! Partners in an index on disk: one name per organisation (the form written most often, until
//! another overtakes it), a person's edits remembered across openings and applied by later
//! ingests and carried by dumps, likely duplicates flagged.

use std::path::Path;

use kavosh::document::{Document, PartnerRegistry};
use kavosh::index::dump::{dump_to_file, restore};
use kavosh::index::partners::{PartnerEdit, list};
use kavosh::index::{Progress, SearchIndex};
use kavosh::search::{self, Filters, SearchRequest};
use serde_json::json;

fn doc(id: &str, partner: &str) -> Document {
    Document::from_json(json!({
        "id": id, "kind": "news", "title": format!("خبر {id}"), "date": "1403/05/05",
        "partners": [partner], "domains": []
    }))
    .unwrap()
}

fn shown(index: &SearchIndex, id: &str) -> Vec<String> {
    index.get(id).unwrap().unwrap().partners
}

fn partner_total(index: &SearchIndex, name: &str) -> usize {
    let request = SearchRequest {
        filters: Filters {
            partners: vec![name.into()],
            ..Filters::default()
        },
        ..SearchRequest::default()
    };
    search::search(index, &request).unwrap().total
}

#[test]
fn the_form_written_most_often_names_the_partner() {
    let index = SearchIndex::in_memory().unwrap();
    let short = "شرکت نمونه آزما";
    let long = "شرکت دانش‌بنیان نمونه آزما";
    index
        .upsert(&[doc("a", short), doc("b", short), doc("c", long)])
        .unwrap();
    for id in ["a", "b", "c"] {
        assert_eq!(shown(&index, id), [short], "{id}");
    }
    assert_eq!(index.get("c").unwrap().unwrap().partners_as_written, [long]);
    // Three more write the long form: it overtakes, and the documents already in follow.
    index
        .upsert(&[doc("d", long), doc("e", long), doc("f", long)])
        .unwrap();
    for id in ["a", "b", "c", "d", "e", "f"] {
        assert_eq!(shown(&index, id), [long], "{id}");
    }
    assert_eq!(partner_total(&index, short), 6);
    assert_eq!(partner_total(&index, "شركت نمونه‌آزما"), 6);
}

#[test]
fn the_list_follows_deletes_and_new_documents_after_its_segments_were_read() {
    let index = SearchIndex::in_memory().unwrap();
    let bank = "بانک کشاورزی";
    let university = "دانشگاه مازندران";
    index
        .upsert(&[doc("a", bank), doc("b", bank), doc("c", university)])
        .unwrap();
    let documents = |index: &SearchIndex| -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> = list(index)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.documents))
            .collect();
        counts.sort();
        counts
    };
    assert_eq!(
        documents(&index),
        [(bank.to_string(), 2), (university.to_string(), 1)]
    );
    // A delete in a segment already read, and a new segment.
    assert!(index.delete("b").unwrap());
    index.upsert(&[doc("d", university)]).unwrap();
    assert_eq!(
        documents(&index),
        [(bank.to_string(), 1), (university.to_string(), 2)]
    );
    // A document written again under another partner.
    index.upsert(&[doc("a", university)]).unwrap();
    assert_eq!(documents(&index), [(university.to_string(), 3)]);
}

#[test]
fn edits_are_remembered_and_applied_by_later_ingests() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ix");
    let key = PartnerRegistry::get().key("اتاق بازرگانی، صنایع، معادن و کشاورزی یزد");
    {
        let index = SearchIndex::open_or_create(&path).unwrap();
        index
            .upsert(&[
                doc("y1", "اتاق بازرگانی، صنایع، معادن و کشاورزی یزد"),
                doc("y2", "اتاق بازرگانی یزد"),
                doc("y3", "اتاق بازرگانی صنایع معادن و کشاورزی استان یزد"),
            ])
            .unwrap();
        let partners = list(&index).unwrap();
        assert_eq!(partners.len(), 2, "the short form is another partner…");
        let full = partners.iter().find(|p| p.key == key).unwrap();
        assert_eq!(full.documents, 2);
        assert_eq!(full.forms.len(), 2);
        let short = partners.iter().find(|p| p.key != key).unwrap();
        assert_eq!(
            short.likely_duplicates[0].key, key,
            "…flagged as a likely duplicate"
        );
        let report = index
            .edit_partner(
                &short.key,
                PartnerEdit {
                    merge_into: Some(key.clone()),
                    ..PartnerEdit::default()
                },
            )
            .unwrap();
        assert_eq!(report.relabelled, 1);
        assert_eq!(partner_total(&index, "اتاق بازرگانی یزد"), 3);
        index
            .edit_partner(
                &key,
                PartnerEdit {
                    name: Some("اتاق یزد".into()),
                    ..PartnerEdit::default()
                },
            )
            .unwrap();
        assert_eq!(shown(&index, "y2"), ["اتاق یزد"]);
    }
    assert!(Path::new(&path).join("settings/partners.json").exists());
    // Opened again and written to: the edits apply.
    let index = SearchIndex::open_or_create(&path).unwrap();
    index.upsert(&[doc("y4", "اتاق بازرگانی یزد")]).unwrap();
    assert_eq!(shown(&index, "y4"), ["اتاق یزد"]);
    assert_eq!(partner_total(&index, "اتاق یزد"), 4);
    let partners = list(&index).unwrap();
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].name, "اتاق یزد");
    assert_eq!(partners[0].documents, 4);
    assert!(partners[0].edit.is_some());

    // A dump carries the edits (the setting `partners`), and the restored index applies them.
    let dump = dir.path().join("ix.ndjson.gz");
    let header = dump_to_file(&index, &dump, &Progress::new()).unwrap();
    assert_eq!(header.settings, 1);
    let restored_path = dir.path().join("restored");
    restore(&dump, &restored_path, &Progress::new()).unwrap();
    let restored = SearchIndex::open_or_create(&restored_path).unwrap();
    assert_eq!(
        restored.settings().all().unwrap(),
        index.settings().all().unwrap()
    );
    restored
        .upsert(&[doc("y5", "اتاق بازرگانی صنایع معادن و کشاورزی یزد")])
        .unwrap();
    assert_eq!(shown(&restored, "y5"), ["اتاق یزد"]);
    assert_eq!(partner_total(&restored, "اتاق بازرگانی یزد"), 5);
    assert_eq!(list(&restored).unwrap()[0].name, "اتاق یزد");
}

#[test]
fn a_relabelled_document_keeps_its_crawl_record() {
    let index = SearchIndex::in_memory().unwrap();
    let crawled = Document::from_json(json!({
        "id": "web-1", "kind": "news", "title": "خبر پایش", "date": "1403/05/05",
        "partners": ["شرکت پایش آزما"], "domains": [], "url": "https://mstp.ir/news/1",
        "source": "crawl",
        "crawl": {"canonical_url": "https://mstp.ir/news/1", "site": "mstp.ir",
                  "etag": "\"1-a\"", "content_hash": "ab12", "fetched_at": "2026-12-06T07:06:43Z"}
    }))
    .unwrap();
    index.upsert(&[crawled]).unwrap();
    let before = index.get("web-1").unwrap().unwrap();
    assert!(before.crawl.is_some());
    let key = PartnerRegistry::get().key("شرکت پایش آزما");
    let report = index
        .edit_partner(
            &key,
            PartnerEdit {
                name: Some("شرکت پایش".into()),
                ..PartnerEdit::default()
            },
        )
        .unwrap();
    assert_eq!(report.relabelled, 1);
    let after = index.get("web-1").unwrap().unwrap();
    assert_eq!(after.partners, ["شرکت پایش"]);
    assert_eq!(after.crawl, before.crawl);
    assert_eq!(after.url, before.url);
}
