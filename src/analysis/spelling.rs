//! Whole-word spelling variants that per-character folding cannot unite (`مسئله`/`مسأله`/`مساله`:
//! folding gives `مسیله` and `مساله`). The table is data (`data/spelling-variants.tsv`),
//! folded and loaded once; it applies to folded, ZWNJ-free words at index and query time.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use super::fold::{ZWNJ, fold};

const TABLE: &str = include_str!("../../data/spelling-variants.tsv");

static VARIANTS: LazyLock<FxHashMap<String, String>> = LazyLock::new(|| {
    let key = |s: &str| -> String { fold(s.trim()).chars().filter(|&c| c != ZWNJ).collect() };
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(variant, canonical)| (key(variant), key(canonical)))
        .filter(|(v, c)| v != c)
        .collect()
});

/// The canonical spelling of a folded word, when the table lists one.
pub fn canonical_spelling(word: &str) -> Option<&'static str> {
    VARIANTS.get(word).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamza_seats_meet() {
        assert_eq!(canonical_spelling(&fold("مسئله")), Some("مساله"));
        assert_eq!(canonical_spelling(&fold("هیئت")), Some("هیات"));
        // Already canonical (مسأله folds to مساله): nothing to do.
        assert_eq!(canonical_spelling(&fold("مسأله")), None);
        assert_eq!(canonical_spelling("کتاب"), None);
    }
}
