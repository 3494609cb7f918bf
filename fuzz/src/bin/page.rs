//! The park's page reader (`ingest::page`) on any text: it reads a page or says why not, and a
//! page it reads settles (partners and domains extracted) into a document whose stored JSON
//! reads back as written.
#![no_main]

use kavosh::document::StoredDocument;
use kavosh::ingest::{page::parse_page, settle};
use libfuzzer_sys::fuzz_target;

const SEED: &str = include_str!("../../../tests/data/mou-054.txt");

// The partner, domain and analysis tables load on first use: not in a run's timing.
fuzz_target!(init: drop(settle(parse_page("seed", "seed", SEED).expect("the seed page"))), |data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = parse_page("fuzz", "fuzz.txt", &text) {
        let stored = settle(doc).to_stored();
        let json = serde_json::to_string(&stored).expect("a document serializes");
        let back: StoredDocument = serde_json::from_str(&json).expect("stored JSON reads back");
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
});
