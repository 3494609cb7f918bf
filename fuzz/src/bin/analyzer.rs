//! The analyzer on any text, as a document is indexed and as a query is searched. Every term's
//! byte offsets must lie in the original text, on character boundaries and in order: the
//! highlighter slices the text with them.
#![no_main]

use kavosh::analysis::{QueryTerm, document_terms, fold, name_key, query_terms};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, terms: &[QueryTerm]) {
    for t in terms {
        assert!(
            t.from <= t.to && t.to <= text.len(),
            "{t:?} is outside the text's {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(t.from) && text.is_char_boundary(t.to),
            "{t:?} cuts a character of {text:?}"
        );
    }
}

// The lexicon and spelling tables load on first use (about a second): not in a run's timing.
fuzz_target!(init: drop(document_terms("کتابهایشان")), |data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text, &document_terms(&text));
    check(&text, &query_terms(&text));
    fold(&text);
    name_key(&text);
});
