//! A word's ways of being found, read window by window: walked when the word is searched
//! alone, filled by an intersection ([`super::conjunction`]) where every word is dense.
//!
//! A word's query is a tree: any of its terms ([`super::union`]), its compound written apart
//! ([`super::apart`]), and its other forms, the word as typed with a bonus ([`super::bonus`]),
//! all under [`super::alternatives`]. Walked document by document, each document was a call
//! through a pointer to every scorer of the tree, to move it and again to score it (a fifth of
//! the time of `تفاهم‌نامه` alone at a million documents, and the written-apart form's walk
//! another quarter). [`Windowed`] reads the same tree as unions read themselves: each scorer
//! adds its matches among the next 4,096 documents to a window of bits and scores, its own
//! documents in a tight loop, and the window is read in order. Each document's score is added
//! up as the scorers add it: a member's score is summed in a window of its own and then added
//! to its parent's, in the members' order (or straight in its parent's while that holds no
//! document yet: the same sums, one copy fewer). A quoted phrase written several ways
//! (`super::phrase`) fills windows the same way, each writing in turn.

use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, Score, TERMINATED};

use super::alternatives::AlternativesScorer;
use super::apart::WrittenApartScorer;
use super::bonus::BonusScorer;
use super::phrase::{PhraseVariantsScorer, seek_to};
use super::union::{TermsUnionScorer, WINDOW, WORDS, add_to_window as add, drain_window as drain};

/// A scorer read a window at a time.
pub(super) enum Windowed {
    /// A union of terms, filled in its own window.
    Union(Box<TermsUnionScorer>),
    /// A compound written apart, which adds its matches itself.
    Apart(Box<WrittenApartScorer>),
    /// What `inner` matches, scoring its score plus `bonus`.
    Bonus {
        inner: Box<Windowed>,
        bonus: Score,
        window: Window,
    },
    /// What any member matches, scoring the sum of the scores of those that do.
    Any {
        members: Vec<Windowed>,
        window: Window,
    },
    /// A phrase written several ways, which adds its matches itself.
    Phrase(Box<PhraseVariantsScorer>),
    /// Any other scorer, walked document by document within each window.
    Other(Box<dyn Scorer>),
}

/// The documents of a window: bit `d % 64` of word `d / 64` is its document `start + d`, whose
/// score is `scores[d]` (0 where the bit is not set).
pub(super) struct Window {
    bits: Box<[u64; WORDS]>,
    scores: Box<[Score; WINDOW as usize]>,
}

impl Window {
    fn new() -> Window {
        Window {
            bits: Box::new([0; WORDS]),
            scores: Box::new([0.0; WINDOW as usize]),
        }
    }

    /// Gives each document of the window, in order, with its score, and empties the window.
    fn drain(&mut self, start: DocId, each: impl FnMut(DocId, Score)) {
        drain(&mut self.bits, &mut self.scores, start, each);
    }
}

/// A clause of an intersection (`super::conjunction`) that is a word's ways, read a window at a
/// time: the window it filled last, and what its scorer estimated of itself.
pub(super) struct FilledWays {
    ways: Windowed,
    window: Window,
    size_hint: u32,
    cost: u64,
}

impl FilledWays {
    /// `scorer` (at its first document, not yet moved), to be filled window by window.
    pub(super) fn of(scorer: Box<dyn Scorer>) -> FilledWays {
        FilledWays {
            size_hint: scorer.size_hint(),
            cost: scorer.cost(),
            ways: Windowed::of(scorer),
            window: Window::new(),
        }
    }

    /// The first document from `from` on that it may match, or `TERMINATED`.
    pub(super) fn first_from(&mut self, from: DocId) -> DocId {
        self.ways.first_from(from)
    }

    /// Empties the window and fills it with its matches from `start` to `start + WINDOW`; false
    /// when it has none from `start` on. `start` never goes back.
    pub(super) fn fill_from(&mut self, start: DocId) -> bool {
        self.window.drain(0, |_, _| ());
        if self.ways.first_from(start) == TERMINATED {
            return false;
        }
        self.ways
            .add_to(start, &mut self.window.bits, &mut self.window.scores, true);
        true
    }

    /// The window's bits as [`Self::fill_from`] left them.
    pub(super) fn window(&self) -> &[u64; WORDS] {
        &self.window.bits
    }

    /// The score of the window's document `start + delta`.
    pub(super) fn score_at(&self, delta: usize) -> Score {
        self.window.scores[delta]
    }

    pub(super) fn size_hint(&self) -> u32 {
        self.size_hint
    }

    pub(super) fn cost(&self) -> u64 {
        self.cost
    }
}

/// Whether `scorer` is a word's ways that an intersection may fill window by window
/// (alternatives, or a bonus over them).
pub(super) fn is_ways(scorer: &dyn Scorer) -> bool {
    scorer.is::<AlternativesScorer>() || scorer.is::<BonusScorer>()
}

impl Windowed {
    /// `scorer` read window by window (a scorer at its first document, not yet moved).
    pub(super) fn of(scorer: Box<dyn Scorer>) -> Windowed {
        let scorer = match scorer.downcast::<TermsUnionScorer>() {
            Ok(union) => return Windowed::Union(union),
            Err(scorer) => scorer,
        };
        let scorer = match scorer.downcast::<WrittenApartScorer>() {
            Ok(apart) => return Windowed::Apart(apart),
            Err(scorer) => scorer,
        };
        let scorer = match scorer.downcast::<PhraseVariantsScorer>() {
            Ok(phrase) => return Windowed::Phrase(phrase),
            Err(scorer) => scorer,
        };
        let scorer = match scorer.downcast::<BonusScorer>() {
            Ok(bonus) => {
                let (inner, bonus) = bonus.into_parts();
                return Windowed::Bonus {
                    inner: Box::new(Windowed::of(inner)),
                    bonus,
                    window: Window::new(),
                };
            }
            Err(scorer) => scorer,
        };
        match scorer.downcast::<AlternativesScorer>() {
            Ok(alternatives) => Windowed::Any {
                members: alternatives
                    .into_member_scorers()
                    .into_iter()
                    .map(Windowed::of)
                    .collect(),
                window: Window::new(),
            },
            Err(scorer) => Windowed::Other(scorer),
        }
    }

    /// Walks every match in order, with its score.
    pub(super) fn for_each(mut self, callback: &mut dyn FnMut(DocId, Score)) {
        let mut window = Window::new();
        let mut from = 0;
        loop {
            let start = self.first_from(from);
            if start == TERMINATED {
                return;
            }
            self.add_to(start, &mut window.bits, &mut window.scores, true);
            window.drain(start, &mut *callback);
            from = start + WINDOW;
        }
    }

    /// The first document from `from` on that it may match, or `TERMINATED`. `from` never
    /// goes back.
    fn first_from(&mut self, from: DocId) -> DocId {
        match self {
            Windowed::Union(union) => union.first_from(from),
            Windowed::Apart(apart) => apart.first_from(from),
            Windowed::Bonus { inner, .. } => inner.first_from(from),
            Windowed::Any { members, .. } => members
                .iter_mut()
                .map(|m| m.first_from(from))
                .min()
                .unwrap_or(TERMINATED),
            Windowed::Phrase(phrase) => seek_to(phrase.as_mut(), from),
            Windowed::Other(scorer) => seek_to(scorer.as_mut(), from),
        }
    }

    /// Sets the bits of its matches from `start` to `start + WINDOW` in a window that starts at
    /// `start` and adds each one's score to the score there; then it is past them. `start`
    /// never goes back; documents before it are passed over. Where the window is `empty` (no
    /// bit set), a bonus or any-of node sums its members in it directly rather than in a
    /// window of its own copied into it: the same sums, added to nothing.
    fn add_to(
        &mut self,
        start: DocId,
        bits: &mut [u64; WORDS],
        scores: &mut [Score; WINDOW as usize],
        empty: bool,
    ) {
        match self {
            Windowed::Union(union) => {
                union.fill_from(start);
                let (own_bits, own_scores) = union.window_mut();
                drain(own_bits, own_scores, start, |doc, score| {
                    add(bits, scores, start, doc, score)
                });
            }
            Windowed::Apart(apart) => apart.fill_window(start, bits, scores),
            Windowed::Phrase(phrase) => phrase.fill_window(start, bits, scores),
            Windowed::Bonus { inner, bonus, .. } if empty => {
                inner.add_to(start, bits, scores, true);
                add_to_each(bits, scores, *bonus);
            }
            Windowed::Bonus {
                inner,
                bonus,
                window,
            } => {
                inner.add_to(start, &mut window.bits, &mut window.scores, true);
                window.drain(start, |doc, score| {
                    add(bits, scores, start, doc, score + *bonus)
                });
            }
            Windowed::Any { members, .. } if empty => {
                for (i, member) in members.iter_mut().enumerate() {
                    member.add_to(start, bits, scores, i == 0);
                }
            }
            Windowed::Any { members, window } => {
                for (i, member) in members.iter_mut().enumerate() {
                    member.add_to(start, &mut window.bits, &mut window.scores, i == 0);
                }
                window.drain(start, |doc, score| add(bits, scores, start, doc, score));
            }
            Windowed::Other(scorer) => {
                let end = start + WINDOW;
                let mut doc = seek_to(scorer.as_mut(), start);
                while doc < end {
                    add(bits, scores, start, doc, scorer.score());
                    doc = scorer.advance();
                }
            }
        }
    }
}

/// Adds `bonus` to the score of each document whose bit is set.
fn add_to_each(bits: &[u64; WORDS], scores: &mut [Score; WINDOW as usize], bonus: Score) {
    for (w, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            scores[w * 64 + word.trailing_zeros() as usize] += bonus;
            word &= word - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::{EnableScoring, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::schema::document::Value;
    use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

    use super::*;
    use crate::search::alternatives::AlternativesQuery;
    use crate::search::bonus::BonusQuery;
    use crate::search::phrase::PhraseVariantsQuery;
    use crate::search::testing::{compound_ways, compounds, scored, union_of, written_apart};

    /// Every match and its score, walked document by document through the scorers.
    fn walked(searcher: &Searcher, query: &dyn Query) -> Vec<(DocAddress, Score)> {
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .unwrap();
        let mut all = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                all.push((DocAddress::new(ord as u32, scorer.doc()), scorer.score()));
                scorer.advance();
            }
        }
        all
    }

    #[test]
    fn walks_a_word_s_ways_as_their_scorers_walk_them() {
        let (searcher, text) = compounds();
        let union = |terms: &[(&str, Score)]| union_of(text, terms);
        let apart = || written_apart(text);
        let word = || compound_ways(text);
        // A word alone; with its other forms beside the word as typed, which has a bonus; and
        // with a member of another kind (a term alone), walked document by document.
        let queries: Vec<Box<dyn Query>> = vec![
            word(),
            Box::new(AlternativesQuery::new(vec![
                union(&[("همکاری", 1.0), ("زوج", 0.2)]),
                Box::new(BonusQuery::new(word(), 100.0)),
            ])),
            Box::new(AlternativesQuery::new(vec![
                apart(),
                Box::new(TermQuery::new(
                    Term::from_field_text(text, "همکاری"),
                    IndexRecordOption::WithFreqs,
                )),
                union(&[("تفاهمنامه", 1.0), ("فرد", 0.1)]),
            ])),
            // The word as typed first, with its bonus, as queries build a word's ways: summed in
            // its parent's window.
            Box::new(AlternativesQuery::new(vec![
                Box::new(BonusQuery::new(word(), 100.0)),
                union(&[("همکاری", 1.0), ("زوج", 0.2)]),
            ])),
            // A phrase written several ways fills its windows itself, each writing in turn: a
            // document holding several scores as the first only.
            Box::new(AlternativesQuery::new(vec![
                Box::new(PhraseVariantsQuery::new(vec![
                    vec![
                        (0, Term::from_field_text(text, "تفاهم")),
                        (1, Term::from_field_text(text, "نامه")),
                    ],
                    vec![(0, Term::from_field_text(text, "تفاهمنامه"))],
                    vec![(0, Term::from_field_text(text, "همکاری"))],
                ])),
                union(&[("زوج", 1.0)]),
            ])),
        ];
        for query in &queries {
            let windowed = scored(&searcher, query.as_ref());
            assert_eq!(windowed, walked(&searcher, query.as_ref()), "{query:?}");
            assert!(windowed.len() > 4_000, "{query:?}: {}", windowed.len());
        }
        // The word: the compound whole, `همکاری`, or written apart (where it is not whole).
        let mut expected = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let store = reader.get_store_reader(1).unwrap();
            for doc in 0..reader.max_doc() {
                let stored: TantivyDocument = store.get(doc).unwrap();
                let words = stored.get_first(text).and_then(|v| v.as_str()).unwrap();
                let words: Vec<&str> = words.split(' ').collect();
                if words.contains(&"تفاهمنامه")
                    || words.contains(&"همکاری")
                    || words.windows(2).any(|w| w == ["تفاهم", "نامه"])
                {
                    expected.push(DocAddress::new(ord as u32, doc));
                }
            }
        }
        let found: Vec<DocAddress> = scored(&searcher, word().as_ref())
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        assert_eq!(found, expected);
    }
}
