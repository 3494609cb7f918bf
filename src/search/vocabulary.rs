//! What words the index holds, asked of the term dictionaries of one searcher: whether a title or
//! body holds a word (exact or stemmed), in how many documents, and which terms an automaton
//! accepts (typo expansion, Finglish). Answers are remembered for the query; a clone shares
//! them, so query rewriting and query building ask each question once.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

use crate::index::Fields;

/// The look-ups of one query over one searcher.
#[derive(Clone)]
pub struct Vocabulary<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    known: Rc<RefCell<FxHashMap<(Family, String), bool>>>,
    counts: Rc<RefCell<FxHashMap<String, u64>>>,
}

/// Which fields a word is looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Family {
    Exact,
    Stemmed,
}

/// Terms an automaton accepted, with their document counts, and whether the walk stopped at
/// its limit.
pub struct Matches {
    pub terms: BTreeMap<String, u64>,
    pub truncated: bool,
}

impl Matches {
    /// The terms, most frequent first (then in term order).
    pub fn ranked(self) -> Vec<(String, u64)> {
        let mut ranked: Vec<(String, u64)> = self.terms.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked
    }
}

impl<'a> Vocabulary<'a> {
    pub fn new(searcher: &'a Searcher, fields: &'a Fields) -> Self {
        Vocabulary {
            searcher,
            fields,
            known: Rc::default(),
            counts: Rc::default(),
        }
    }

    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }

    pub fn fields(&self) -> &'a Fields {
        self.fields
    }

    /// True when some title or body holds `word` as a word (or a ZWNJ word's joined form).
    pub fn contains(&self, word: &str) -> bool {
        self.holds(Family::Exact, word)
    }

    /// True when some title or body holds a word whose stem is `stem`.
    pub fn contains_stem(&self, stem: &str) -> bool {
        self.holds(Family::Stemmed, stem)
    }

    fn holds(&self, family: Family, word: &str) -> bool {
        let key = (family, word.to_string());
        if let Some(&known) = self.known.borrow().get(&key) {
            return known;
        }
        let fields = match family {
            Family::Exact => [self.fields.body_exact, self.fields.title_exact],
            Family::Stemmed => [self.fields.body, self.fields.title],
        };
        // A word is likelier in a body than in a title: most look-ups stop at the first.
        let found = self.searcher.segment_readers().iter().any(|segment| {
            fields.into_iter().any(|field| {
                segment.inverted_index(field).is_ok_and(|inverted| {
                    inverted
                        .doc_freq(&Term::from_field_text(field, word))
                        .is_ok_and(|n| n > 0)
                })
            })
        });
        self.known.borrow_mut().insert(key, found);
        found
    }

    /// About how many documents hold `word` (exact fields): per segment, the larger of its
    /// title and body counts.
    pub fn doc_freq(&self, word: &str) -> u64 {
        if let Some(&n) = self.counts.borrow().get(word) {
            return n;
        }
        let count = |segment: &tantivy::SegmentReader, field: Field| -> u64 {
            segment
                .inverted_index(field)
                .ok()
                .and_then(|inverted| inverted.doc_freq(&Term::from_field_text(field, word)).ok())
                .map_or(0, u64::from)
        };
        let n = self
            .searcher
            .segment_readers()
            .iter()
            .map(|s| count(s, self.fields.body_exact).max(count(s, self.fields.title_exact)))
            .sum();
        self.counts.borrow_mut().insert(word.to_string(), n);
        self.known
            .borrow_mut()
            .insert((Family::Exact, word.to_string()), n > 0);
        n
    }

    /// The terms of `fields` that `automaton` accepts, with their document counts summed over
    /// segments and fields, stopping at `max_terms` distinct terms.
    pub fn matching<A: Automaton>(
        &self,
        fields: &[Field],
        automaton: &A,
        max_terms: usize,
    ) -> Matches
    where
        A::State: Clone,
    {
        let mut terms: BTreeMap<String, u64> = BTreeMap::new();
        let mut truncated = false;
        'segments: for segment in self.searcher.segment_readers() {
            for &field in fields {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if terms.len() >= max_terms && !terms.contains_key(term) {
                        truncated = true;
                        break 'segments;
                    }
                    *terms.entry(term.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        Matches { terms, truncated }
    }
}
