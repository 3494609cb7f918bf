//! Domain labels as synonyms: a query naming a domain of the taxonomy (`انرژی تجدیدپذیر` for
//! «انرژی‌های تجدیدپذیر», compared by stems, so in any spelling and inflection) also finds the
//! documents filed under that domain, whatever words they use (`انرژی‌های نو`), ranked below
//! the documents that hold what was typed.

use std::sync::LazyLock;

use crate::analysis::compounds::word_term;
use crate::document::Taxonomy;

use super::synonyms::entry_words;

/// Each domain's label as stems, with the domain id; longest labels first.
static LABELS: LazyLock<Vec<(Vec<String>, &'static str)>> = LazyLock::new(|| {
    let mut labels: Vec<(Vec<String>, &'static str)> = Taxonomy::get()
        .domains
        .iter()
        .map(|d| {
            let stems = entry_words(&d.label)
                .iter()
                .map(|w| word_term(w, true).into_owned())
                .collect();
            (stems, d.id.as_str())
        })
        .collect();
    labels.sort_by_key(|(stems, _)| std::cmp::Reverse(stems.len()));
    labels
});

/// The domain whose label the query words' stems `stems[start..]` begin with (the longest
/// label): where the label ends and the domain's id.
pub fn at(stems: &[String], start: usize) -> Option<(usize, &'static str)> {
    LABELS.iter().find_map(|(label, id)| {
        let end = start + label.len();
        (end <= stems.len() && stems[start..end] == label[..]).then_some((end, *id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        entry_words(text)
            .iter()
            .map(|w| word_term(w, true).into_owned())
            .collect()
    }

    #[test]
    fn labels_match_by_stems_in_any_spelling() {
        assert_eq!(
            at(&stems("انرژی تجدیدپذیر"), 0),
            Some((2, "energy/renewable"))
        );
        assert_eq!(
            at(&stems("انرژیهای تجدیدپذیر"), 0),
            Some((2, "energy/renewable"))
        );
        assert_eq!(
            at(&stems("طرح انرژی‌های تجدیدپذیر"), 1),
            Some((3, "energy/renewable"))
        );
        assert_eq!(at(&stems("انرژی"), 0), Some((1, "energy")));
        assert_eq!(
            at(&stems("نفت، گاز و پتروشیمی"), 0),
            Some((4, "energy/oil-gas"))
        );
        assert_eq!(at(&stems("پارک"), 0), None);
    }
}
