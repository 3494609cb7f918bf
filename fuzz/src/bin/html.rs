//! The HTML reader (`ingest::html`) on any bytes, as the crawler hands it pages: it decodes,
//! cleans and reads a page or says why it is not an article, and an article settles (partners
//! and domains extracted) into a document whose stored JSON reads back as written.
#![no_main]

use kavosh::document::StoredDocument;
use kavosh::ingest::html::{HtmlOptions, read_html};
use kavosh::ingest::settle;
use libfuzzer_sys::fuzz_target;
use url::Url;

const SEED: &[u8] = include_bytes!("../../../tests/data/site/fa/news/101.html");

fn read(data: &[u8]) {
    let url = Url::parse("https://mstp.example/fa/news/1").expect("a valid URL");
    let reading = read_html(data, None, &url, &HtmlOptions::default());
    if let Ok(article) = reading.article
        && let Ok(doc) = article.into_document("web-fuzz".into(), None, "crawl".into())
    {
        let stored = settle(doc).to_stored();
        let json = serde_json::to_string(&stored).expect("a document serializes");
        let back: StoredDocument = serde_json::from_str(&json).expect("stored JSON reads back");
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}

// The noise, partner, domain and analysis tables load on first use: not in a run's timing.
fuzz_target!(init: read(SEED), |data: &[u8]| read(data));
