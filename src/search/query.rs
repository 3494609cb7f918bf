//! Turns a parsed query into a tantivy query through the analyzer's groupings, and records
//! which terms matched what, for highlighting.
//!
//! A run of plain words needs every word (or, with `match=any`, any word). A word is found by:
//! its stem (stemmed fields), its exact form (exact fields, boosted), any chunk of 2–3
//! neighbouring query words joined (`هم افزایی` → `همافزایی`, meeting joined and ZWNJ spellings),
//! the phrase of its ZWNJ parts or of its splits into words the documents hold (`همافزایی` →
//! `هم افزایی`, meeting spaced and ZWNJ spellings), and, when typos are allowed and the word
//! is in no document as typed, terms within 1–2 edits (ranked below exact ones). A phrase
//! tries every way its words may be written together or apart.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::parse::{Node, Parsed, Scope};
use crate::analysis::compounds::{
    MAX_TERM_BYTES, push_joined, query_chunks, spaced_runs, word_term, written_apart,
};
use crate::analysis::segment::Segments;
use crate::index::Fields;

/// Title matches weigh this much more than body matches.
pub const TITLE_BOOST: f32 = 2.5;
/// Exact (unstemmed) matches above stemmed ones.
pub const EXACT_BOOST: f32 = 1.5;
/// Typo matches below exact ones.
pub const FUZZY_BOOST: f32 = 0.3;
/// Words within this distance of each other, in order, rank higher.
pub const PROXIMITY_SLOP: u32 = 3;
/// Most terms one misspelt word expands to.
pub const MAX_FUZZY_EXPANSIONS: usize = 50;
/// Most spellings a phrase is tried in.
pub const MAX_PHRASE_VARIANTS: usize = 32;

/// How many typos a word may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typos {
    Exact,
    One,
    Two,
    /// 0 edits under 5 letters, 1 from 5, 2 from 9.
    Auto,
}

impl Typos {
    pub fn parse(s: &str) -> Option<Typos> {
        match s {
            "0" => Some(Typos::Exact),
            "1" => Some(Typos::One),
            "2" => Some(Typos::Two),
            "auto" => Some(Typos::Auto),
            _ => None,
        }
    }

    fn edits(self, letters: usize) -> u8 {
        let by_length = match letters {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        match (self, letters) {
            (Typos::Exact, _) | (_, 0..=2) => 0,
            (Typos::One, _) | (Typos::Two, 3..=4) => 1,
            (Typos::Two, _) => 2,
            (Typos::Auto, _) => by_length,
        }
    }
}

/// Whether every word of a run must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    All,
    Any,
}

/// The terms a query looks for, by the field family they live in, for highlighting.
#[derive(Clone, Debug, Default)]
pub struct MatchedTerms {
    /// Terms of the stemmed fields.
    pub stemmed: BTreeSet<String>,
    /// Terms of the exact fields (words, joined forms, chunks, typo expansions).
    pub exact: BTreeSet<String>,
    /// Runs of exact terms marked only where they stand at consecutive positions: a query
    /// word written apart in a document (`هم` `افزایی` for `همافزایی`).
    pub exact_runs: BTreeSet<Vec<String>>,
}

/// A tantivy query with its highlight terms and warnings.
pub struct BuiltQuery {
    pub query: Box<dyn Query>,
    pub terms: MatchedTerms,
    pub warnings: Vec<String>,
    /// Words that were matched through typo expansion (for "did you mean").
    pub corrections: Vec<(String, String)>,
    /// True when the query has positive text clauses (false: browse everything).
    pub has_text: bool,
    /// Ranks documents whose words stand close together, in order, higher. Not part of
    /// `query`: `search::main_pass` adds its score to the best hits only, since checking word
    /// positions in every matching document was ~15% of query time.
    pub proximity: Vec<Box<dyn Query>>,
}

/// Builds tantivy queries for one searcher.
pub struct QueryBuilder<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    typos: Typos,
    mode: MatchMode,
    terms: MatchedTerms,
    warnings: Vec<String>,
    corrections: Vec<(String, String)>,
    proximity: Vec<Box<dyn Query>>,
    /// Whether documents hold a word ([`QueryBuilder::in_documents`]), remembered per query.
    known: HashMap<String, bool>,
}

impl<'a> QueryBuilder<'a> {
    pub fn new(fields: &'a Fields, searcher: &'a Searcher, typos: Typos, mode: MatchMode) -> Self {
        QueryBuilder {
            fields,
            searcher,
            typos,
            mode,
            terms: MatchedTerms::default(),
            warnings: Vec::new(),
            corrections: Vec::new(),
            proximity: Vec::new(),
            known: HashMap::new(),
        }
    }

    /// Builds the query; an empty query matches every document.
    pub fn build(mut self, parsed: &Parsed) -> BuiltQuery {
        self.warnings.extend(parsed.warnings.iter().cloned());
        let built = parsed.root.as_ref().and_then(|n| self.node(n, false));
        let has_text = built.is_some();
        let query = match built {
            Some(Clause::Positive(q)) => q,
            Some(Clause::Negative(q)) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, q),
            ])),
            None => Box::new(AllQuery),
        };
        BuiltQuery {
            query,
            terms: self.terms,
            warnings: self.warnings,
            corrections: self.corrections,
            has_text,
            proximity: self.proximity,
        }
    }

    fn node(&mut self, node: &Node, negated: bool) -> Option<Clause> {
        match node {
            Node::Words { text, scope } => self
                .words(text, *scope, negated)
                .map(Clause::Positive)
                .or_else(|| {
                    self.warnings
                        .push(format!("nothing searchable in {text:?}: ignored"));
                    None
                }),
            Node::Phrase { text, scope } => {
                self.phrase(text, *scope, negated).map(Clause::Positive)
            }
            Node::Not(inner) => match self.node(inner, !negated)? {
                Clause::Positive(q) => Some(Clause::Negative(q)),
                Clause::Negative(q) => Some(Clause::Positive(q)),
            },
            Node::Or(children) => {
                let mut alternatives = Vec::new();
                for child in children {
                    match self.node(child, negated) {
                        Some(Clause::Positive(q)) => alternatives.push((Occur::Should, q)),
                        Some(Clause::Negative(q)) => {
                            let not: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                                (Occur::MustNot, q),
                            ]));
                            alternatives.push((Occur::Should, not));
                        }
                        None => {}
                    }
                }
                (!alternatives.is_empty())
                    .then(|| Clause::Positive(Box::new(BooleanQuery::new(alternatives)) as _))
            }
            Node::And(children) => {
                let mut clauses = Vec::new();
                let mut positives = 0;
                for child in children {
                    match self.node(child, negated) {
                        Some(Clause::Positive(q)) => {
                            positives += 1;
                            let occur = match self.mode {
                                MatchMode::All => Occur::Must,
                                MatchMode::Any => Occur::Should,
                            };
                            clauses.push((occur, q));
                        }
                        Some(Clause::Negative(q)) => clauses.push((Occur::MustNot, q)),
                        None => {}
                    }
                }
                if positives == 0 {
                    if clauses.is_empty() {
                        return None;
                    }
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Some(Clause::Positive(Box::new(BooleanQuery::new(clauses))))
            }
        }
    }

    /// (stemmed field, exact field, boost) for a scope.
    fn field_pairs(&self, scope: Scope) -> Vec<(Field, Field, f32)> {
        let f = self.fields;
        let title = (f.title, f.title_exact, TITLE_BOOST);
        let body = (f.body, f.body_exact, 1.0);
        match scope {
            Scope::All => vec![title, body],
            Scope::Title => vec![title],
            Scope::Body => vec![body],
        }
    }

    fn words(&mut self, text: &str, scope: Scope, negated: bool) -> Option<Box<dyn Query>> {
        let mut seg = Segments::default();
        seg.split(text);
        if seg.words.is_empty() {
            return None;
        }
        let chunks = query_chunks(&seg);
        let pairs = self.field_pairs(scope);
        let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut joined_words = Vec::new();
        for (i, word) in seg.words.iter().enumerate() {
            let mut joined = String::new();
            push_joined(&seg, word, &mut joined);
            if joined.len() > MAX_TERM_BYTES {
                self.warnings
                    .push("a word longer than 200 bytes was ignored".into());
                continue;
            }
            let stem = word_term(&joined, true).into_owned();
            let parts: Vec<String> = seg
                .word_parts(word)
                .iter()
                .map(|p| word_term(seg.part_text(p), false).into_owned())
                .collect();
            let apart = if parts.len() > 1 {
                vec![parts.clone()]
            } else {
                self.splits_in_documents(&joined)
            };
            let fuzzy = if negated {
                Vec::new()
            } else {
                self.fuzzy_expansions(&joined)
            };
            let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
            for &(stem_field, exact_field, boost) in &pairs {
                alternatives.push(boosted(term_query(stem_field, &stem), boost));
                alternatives.push(boosted(
                    term_query(exact_field, &joined),
                    boost * EXACT_BOOST,
                ));
                for run in &apart {
                    alternatives.push(boosted(phrase_query(exact_field, run, &[]), boost));
                }
                for chunk in chunks
                    .iter()
                    .filter(|c| (c.words.0..c.words.1).contains(&i))
                {
                    alternatives.push(boosted(term_query(exact_field, &chunk.exact), boost));
                    alternatives.push(boosted(term_query(stem_field, &chunk.stemmed), boost));
                }
                for t in &fuzzy {
                    alternatives.push(boosted(term_query(exact_field, t), boost * FUZZY_BOOST));
                }
            }
            if !negated {
                self.terms.stemmed.insert(stem);
                self.terms.exact.insert(joined.clone());
                self.terms.exact.extend(fuzzy);
                self.terms.exact_runs.extend(apart);
            }
            per_word.push((
                Occur::Should,
                Box::new(BooleanQuery::union(alternatives)) as Box<dyn Query>,
            ));
            joined_words.push(joined);
        }
        if !negated {
            for c in &chunks {
                self.terms.exact.insert(c.exact.clone());
                self.terms.stemmed.insert(c.stemmed.clone());
            }
        }
        if per_word.is_empty() {
            return None;
        }
        if per_word.len() == 1 {
            return per_word.pop().map(|(_, q)| q);
        }
        let occur = match self.mode {
            MatchMode::All => Occur::Must,
            MatchMode::Any => Occur::Should,
        };
        let clauses: Vec<(Occur, Box<dyn Query>)> =
            per_word.into_iter().map(|(_, q)| (occur, q)).collect();
        if joined_words.len() > 1 && !negated {
            for &(_, exact_field, boost) in &pairs {
                let terms = joined_words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i, Term::from_field_text(exact_field, w)))
                    .collect();
                let near = PhraseQuery::new_with_offset_and_slop(terms, PROXIMITY_SLOP);
                self.proximity.push(boosted(Box::new(near), boost));
            }
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Words of the documents within the allowed edits of `word`, most frequent first. A word
    /// that documents contain as typed is taken as meant: no expansion
    /// (`فناوری` does not also look for `فناور`), and no walk of the term dictionaries.
    fn fuzzy_expansions(&mut self, word: &str) -> Vec<String> {
        let edits = self.typos.edits(word.chars().count());
        if edits == 0 || word.chars().any(|c| c.is_ascii_digit()) || self.in_documents(word) {
            return Vec::new();
        }
        let automaton = match FuzzyTermQuery::new(
            Term::from_field_text(self.fields.body_exact, word),
            edits,
            true,
        )
        .automaton()
        {
            Ok(a) => a,
            Err(_) => return Vec::new(),
        };
        let mut found: BTreeMap<String, u64> = BTreeMap::new();
        let mut truncated = false;
        'segments: for segment in self.searcher.segment_readers() {
            for field in [self.fields.title_exact, self.fields.body_exact] {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if term == word {
                        continue;
                    }
                    if found.len() >= MAX_FUZZY_EXPANSIONS * 4 && !found.contains_key(term) {
                        truncated = true;
                        break 'segments;
                    }
                    *found.entry(term.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut ranked: Vec<(String, u64)> = found.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if ranked.len() > MAX_FUZZY_EXPANSIONS {
            truncated = true;
            ranked.truncate(MAX_FUZZY_EXPANSIONS);
        }
        if truncated {
            self.warnings.push(format!(
                "typo matches for {word:?} limited to the {MAX_FUZZY_EXPANSIONS} most frequent terms"
            ));
        }
        if let Some((best, _)) = ranked.first() {
            self.corrections.push((word.to_string(), best.clone()));
        }
        ranked.into_iter().map(|(t, _)| t).collect()
    }

    /// True when some title or body holds `word` as a word (or a ZWNJ word's joined form).
    fn in_documents(&mut self, word: &str) -> bool {
        if let Some(&known) = self.known.get(word) {
            return known;
        }
        let (searcher, fields) = (self.searcher, self.fields);
        let found = searcher.segment_readers().iter().any(|segment| {
            [fields.title_exact, fields.body_exact]
                .into_iter()
                .any(|field| {
                    segment.inverted_index(field).is_ok_and(|inverted| {
                        inverted
                            .doc_freq(&Term::from_field_text(field, word))
                            .is_ok_and(|n| n > 0)
                    })
                })
        });
        self.known.insert(word.to_string(), found);
        found
    }

    /// The ways documents may hold a joined word written apart ([`written_apart`], into words
    /// they hold).
    fn splits_in_documents(&mut self, word: &str) -> Vec<Vec<String>> {
        written_apart(word, &mut |w| self.in_documents(w))
    }

    fn phrase(&mut self, text: &str, scope: Scope, negated: bool) -> Option<Box<dyn Query>> {
        let mut seg = Segments::default();
        seg.split(text);
        let variants = phrase_variants(&seg, &mut |w| self.splits_in_documents(w));
        if variants.is_empty() {
            self.warnings.push(format!(
                "nothing searchable in the phrase {text:?}: ignored"
            ));
            return None;
        }
        if !negated {
            for piece in variants.iter().flatten() {
                match piece.terms.as_slice() {
                    [term] => {
                        self.terms.exact.insert(term.clone());
                    }
                    run => {
                        self.terms.exact_runs.insert(run.to_vec());
                    }
                }
            }
        }
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (_, exact_field, boost) in self.field_pairs(scope) {
            for v in &variants {
                let mut terms = Vec::new();
                let mut offsets = Vec::new();
                for piece in v {
                    for (k, term) in piece.terms.iter().enumerate() {
                        terms.push(term.clone());
                        offsets.push(piece.offset + k);
                    }
                }
                alternatives.push(boosted(phrase_query(exact_field, &terms, &offsets), boost));
            }
        }
        Some(Box::new(BooleanQuery::union(alternatives)))
    }
}

enum Clause {
    Positive(Box<dyn Query>),
    Negative(Box<dyn Query>),
}

/// One query word (or run of words written together) in one way of writing a phrase: its
/// exact terms at consecutive positions from `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub offset: usize,
    pub terms: Vec<String>,
}

/// Every way a phrase's words may be written in a document: each word as one term, as its
/// ZWNJ parts or as one of its splits into words (`split_of`), or 2–3 neighbours written
/// together as one term. At most [`MAX_PHRASE_VARIANTS`].
pub fn phrase_variants(
    seg: &Segments,
    split_of: &mut dyn FnMut(&str) -> Vec<Vec<String>>,
) -> Vec<Vec<Piece>> {
    let n = seg.words.len();
    let mut writings: Vec<Vec<Vec<String>>> = Vec::with_capacity(n);
    let mut joined = Vec::with_capacity(n);
    for w in &seg.words {
        let mut s = String::new();
        push_joined(seg, w, &mut s);
        let mut ways = Vec::new();
        if !s.is_empty() && s.len() <= MAX_TERM_BYTES {
            ways.push(vec![s.clone()]);
            let parts: Vec<String> = seg
                .word_parts(w)
                .iter()
                .map(|p| word_term(seg.part_text(p), false).into_owned())
                .collect();
            if parts.len() > 1 {
                ways.push(parts);
            }
            for split in split_of(&s) {
                if !ways.contains(&split) {
                    ways.push(split);
                }
            }
        }
        writings.push(ways);
        joined.push(s);
    }
    let runs: Vec<Vec<(usize, String)>> = (0..n)
        .map(|i| {
            spaced_runs(seg, i)
                .map(|(s, e)| (e, joined[s..e].concat()))
                .filter(|(_, concat)| concat.len() <= MAX_TERM_BYTES)
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    expand(0, 0, &writings, &runs, &mut Vec::new(), &mut out);
    out
}

fn expand(
    i: usize,
    offset: usize,
    writings: &[Vec<Vec<String>>],
    runs: &[Vec<(usize, String)>],
    current: &mut Vec<Piece>,
    out: &mut Vec<Vec<Piece>>,
) {
    if out.len() >= MAX_PHRASE_VARIANTS {
        return;
    }
    if i == writings.len() {
        if !current.is_empty() {
            out.push(current.clone());
        }
        return;
    }
    if writings[i].is_empty() {
        return expand(i + 1, offset, writings, runs, current, out);
    }
    for terms in &writings[i] {
        current.push(Piece {
            offset,
            terms: terms.clone(),
        });
        expand(i + 1, offset + terms.len(), writings, runs, current, out);
        current.pop();
    }
    for (end, concat) in &runs[i] {
        current.push(Piece {
            offset,
            terms: vec![concat.clone()],
        });
        expand(*end, offset + 1, writings, runs, current, out);
        current.pop();
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A phrase of `terms` (explicit `offsets` when given), or a term query for one term.
fn phrase_query(field: Field, terms: &[String], offsets: &[usize]) -> Box<dyn Query> {
    if terms.len() == 1 {
        return term_query(field, &terms[0]);
    }
    let with_offsets: Vec<(usize, Term)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                offsets.get(i).copied().unwrap_or(i),
                Term::from_field_text(field, t),
            )
        })
        .collect();
    Box::new(PhraseQuery::new_with_offset(with_offsets))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The phrase's variants as `(position, term)` lists, with `تفاهم` and `نامه` the only
    /// words documents hold apart.
    fn variants(text: &str) -> Vec<Vec<(usize, String)>> {
        let mut seg = Segments::default();
        seg.split(text);
        let words = ["تفاهم", "نامه"];
        let mut split_of = |w: &str| written_apart(w, &mut |part: &str| words.contains(&part));
        phrase_variants(&seg, &mut split_of)
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .flat_map(|p| {
                        let offset = p.offset;
                        p.terms
                            .into_iter()
                            .enumerate()
                            .map(move |(k, t)| (offset + k, t))
                    })
                    .collect()
            })
            .collect()
    }

    fn at(pairs: &[(usize, &str)]) -> Vec<(usize, String)> {
        pairs.iter().map(|&(o, t)| (o, t.to_string())).collect()
    }

    #[test]
    fn phrase_variants_cover_joined_and_spaced_writing() {
        // Documents may write تفاهمنامه joined (one position) or apart (two), whichever way
        // the query writes it.
        let together = at(&[(0, "امضای"), (1, "تفاهمنامه"), (2, "همکاری")]);
        let apart = at(&[(0, "امضای"), (1, "تفاهم"), (2, "نامه"), (3, "همکاری")]);
        for query in ["امضای تفاهمنامه همکاری", "امضای تفاهم نامه همکاری"]
        {
            let v = variants(query);
            assert!(
                v.contains(&together) && v.contains(&apart),
                "{query}: {v:?}"
            );
            assert!(v.len() <= MAX_PHRASE_VARIANTS);
        }
        assert_eq!(
            variants("امضای تفاهم‌نامه همکاری"),
            variants("امضای تفاهمنامه همکاری")
        );
    }

    #[test]
    fn typo_budget_by_length() {
        assert_eq!(Typos::Auto.edits(4), 0);
        assert_eq!(Typos::Auto.edits(5), 1);
        assert_eq!(Typos::Auto.edits(9), 2);
        assert_eq!(Typos::Exact.edits(12), 0);
    }
}
