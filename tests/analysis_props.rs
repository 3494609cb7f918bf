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

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(interesting_char(), 0..120).prop_map(|v| v.into_iter().collect())
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
