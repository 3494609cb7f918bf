//! The seed page (`tests/data/mou-054.txt`, a real page of the park copied from its website):
//! tatweel and lost ZWNJs are handled, and every term's offsets slice the original text.

use kavosh::analysis::{PersianTokenizer, TermSet, name_key};

const SEED: &str = include_str!("data/mou-054.txt");

fn terms(set: TermSet) -> Vec<(String, String)> {
    let mut t = PersianTokenizer::new(set);
    t.analyze(SEED)
        .iter()
        .map(|t| (t.text.clone(), SEED[t.offset_from..t.offset_to].to_string()))
        .collect()
}

#[test]
fn tatweel_is_folded_but_offsets_keep_it() {
    let exact = terms(TermSet::Exact);
    assert!(exact.contains(&("مازندران".into(), "مازنـدران".into())));
    assert!(exact.contains(&("پارک".into(), "پـارک".into())));
    assert!(exact.contains(&("جزییات".into(), "جزئیـات".into())));
}

#[test]
fn stemmed_terms_of_the_seed() {
    let stemmed: Vec<String> = terms(TermSet::Stemmed)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    // فناوریهای → فناوری ; شرکتهای → شرکت ; امضای → امضا
    for stem in ["فناوری", "شرکت", "امضا", "همکاری", "نفت"] {
        assert!(stemmed.iter().any(|t| t == stem), "{stem} missing");
    }
    assert!(!stemmed.iter().any(|t| t == "فناوریهای"));
}

#[test]
fn every_unstemmed_term_is_its_source_slice_folded() {
    let all = terms(TermSet::Exact);
    assert!(all.len() > 300, "{}", all.len());
    for (term, source) in all {
        assert_eq!(name_key(&source), term, "{source:?}");
    }
}
