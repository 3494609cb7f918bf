//! Request bodies and NDJSON records (`ingest::parse_body`: one object, an array or NDJSON)
//! through document validation (`Document::from_json`): each item is a document or a reason,
//! and a document accepted settles into stored JSON that reads back as written.
#![no_main]

use kavosh::document::StoredDocument;
use kavosh::ingest::{parse_body, settle};
use libfuzzer_sys::fuzz_target;

const SEED: &str = r#"{"id": "seed", "kind": "news", "title": "نشست پارک", "date": "1404/09/25"}"#;

// The partner, domain and analysis tables load on first use: not in a run's timing.
fuzz_target!(init: parse_body(SEED).into_iter().flatten().for_each(|doc| drop(settle(doc))), |data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    for doc in parse_body(body).into_iter().flatten() {
        let stored = settle(doc).to_stored();
        let json = serde_json::to_string(&stored).expect("a document serializes");
        let back: StoredDocument = serde_json::from_str(&json).expect("stored JSON reads back");
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
});
