//! Property tests of the analyzer on arbitrary Unicode: Persian, combining marks, ZWNJ runs,
//! bidi controls, presentation forms, emoji, Latin and digits.

use kavosh::analysis::{PersianTokenizer, TermSet, fold};
use proptest::prelude::*;

fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('\u{0600}', '\u{06FF}'),
        2 => prop::sample::select(vec![
            '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2067}',
            '\u{2069}', '\u{FEFF}', '\u{00A0}', '\u{202F}', '\u{0640}', ' ', '.', ',', '٫', '/',
            '-', '«', '»', '\n', '\u{0301}', '\u{0653}', '\u{0654}', 'İ', 'ẞ',
        ]),
        2 => prop::char::range('\u{FB50}', '\u{FEFF}'),
        1 => prop::char::range('\u{1F300}', '\u{1FAFF}'),
        1 => prop::char::range('0', 'z'),
        1 => any::<char>(),
    ]
}

fn text_of(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(interesting_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    text_of(120)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn tokens_slice_the_original_at_char_boundaries(s in text()) {
        for set in TermSet::ALL {
            let mut tokenizer = PersianTokenizer::new(set);
            let tokens = tokenizer.analyze(&s);
            let mut last_position = 0;
            for t in tokens {
                prop_assert!(t.offset_from < t.offset_to, "{set:?} empty span {t:?}");
                prop_assert!(t.offset_to <= s.len());
                prop_assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to));
                prop_assert!(t.position >= last_position, "positions out of order");
                prop_assert!(!t.text.is_empty());
                last_position = t.position;
            }
        }
    }

    #[test]
    fn folding_is_idempotent(s in text()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once.clone());
    }

    #[test]
    fn analysis_of_folded_text_gives_the_same_terms(s in text()) {
        // Folding before analysis changes nothing: the analyzer folds already.
        let terms = |t: &str| -> Vec<String> {
            PersianTokenizer::new(TermSet::Exact).analyze(t).iter().map(|t| t.text.clone()).collect()
        };
        prop_assert_eq!(terms(&fold(&s)), terms(&s));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Highlighting any text for any of its own terms never panics and only adds marks and
    /// escapes to the original.
    #[test]
    fn highlights_never_panic_and_keep_the_text(s in text_of(700), pick in 0usize..8) {
        use kavosh::search::highlight::{highlight_all, snippet};
        use kavosh::search::query::MatchedTerms;
        let mut terms = MatchedTerms::default();
        for (i, t) in PersianTokenizer::new(TermSet::Exact).analyze(&s).iter().enumerate() {
            if i % 8 == pick {
                terms.exact.insert(t.text.clone());
            }
        }
        let unmark = |h: &str| h.replace("<mark>", "").replace("</mark>", "")
            .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
            .replace("&#39;", "'").replace("&amp;", "&");
        prop_assert_eq!(unmark(&highlight_all(&s, &terms)), s.clone());
        let cut = unmark(&snippet(&s, &terms));
        let inner = cut.trim_start_matches('…').trim_end_matches('…');
        prop_assert!(s.contains(inner), "{:?} not in {:?}", inner, s);
    }
}
