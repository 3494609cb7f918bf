//! Turns a parsed query into a tantivy query through the analyzer's groupings, and records
//! which terms matched what, for highlighting.
//!
//! A run of plain words needs every word (or, with `match=any`, any word). A word is found by:
//! its stem (stemmed fields), its exact form (exact fields, boosted), any chunk of 2–3
//! neighbouring query words joined (`هم افزایی` → `همافزایی`, meeting joined and ZWNJ spellings),
//! the phrase of its ZWNJ parts or of its splits into words the documents hold (`همافزایی` →
//! `هم افزایی`, meeting spaced spellings; checked only where the joined form is absent:
//! [`super::apart`]), its other forms the stemmer does not make
//! (Arabic plurals and singulars, clitics: [`QueryBuilder::word_forms`]), and, when typos are
//! allowed and the word is in no document as typed, terms within 1–2 edits (ranked below exact
//! ones). A run of words may also be found as a whole ([`Span`]): a number in its other
//! writings (`سی و دومین` ↔ `۳۲مین`), a synonym (`فاوا` ↔ `ICT`), the documents of a domain named
//! by its label. A phrase tries every way its words (and numbers and synonyms) may be written.
//! Every other form ranks below the form typed, and their number is capped.

use std::collections::BTreeSet;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::alternatives::AlternativesQuery;
use super::apart::WrittenApartQuery;
use super::bonus::BonusQuery;
use super::conjunction::AllOfQuery;
use super::parse::{Node, Parsed, Scope};
use super::phrase::PhraseVariantsQuery;
use super::rewrite::domains;
use super::rewrite::synonyms::Synonyms;
use super::union::TermsUnionQuery;
use super::vocabulary::Vocabulary;
use crate::analysis::compounds::{
    MAX_TERM_BYTES, push_joined, query_chunks, spaced_runs, word_term, written_apart,
};
use crate::analysis::numbers::{self, Number, Ordinal};
use crate::analysis::segment::Segments;
use crate::analysis::{clitics, plurals};
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
/// A word's other forms (plural, singular, with or without a clitic), relative to the form
/// typed (and below it: see [`LITERAL_BONUS`]).
pub const FORM_BOOST: f32 = 0.2;
/// A number's other writings, relative to the writing typed.
pub const NUMBER_BOOST: f32 = 0.2;
/// Synonyms, relative to what was typed.
pub const SYNONYM_BOOST: f32 = 0.1;
/// Added to the score of a document for each word (or run of words) it holds as typed, where
/// the word has other forms, writings or synonyms: those rank below what was typed, whatever
/// their BM25 scores (a term's BM25 score is at most about 2.2 × ln(1 + N), 30 at a million
/// documents; times the boosts of title and exact matches, an expansion scores under 60).
pub const LITERAL_BONUS: f32 = 100.0;
/// The score a document gets for being filed under a domain the query names: below any match
/// of a word but one in nearly every document (BM25 gives a word in half the documents 0.7,
/// in 99.9% of them 0.001), so no [`LITERAL_BONUS`] is needed.
pub const DOMAIN_SCORE: f32 = 0.001;
/// Most other forms of one word.
pub const MAX_WORD_FORMS: usize = 6;
/// Most number writings, synonyms and other forms one query looks for.
pub const MAX_QUERY_EXPANSIONS: usize = 64;
/// Most words of a number written in words (`نهصد و نود و نه هزار و نهصد و نود و نه`).
const MAX_NUMBER_WORDS: usize = 13;

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
    /// How many other forms, writings, synonyms and domains the query also looks for (0: it
    /// looks for what was typed only, in the analyzer's forms).
    pub expansions: usize,
}

/// Builds tantivy queries for one searcher.
pub struct QueryBuilder<'a> {
    fields: &'a Fields,
    typos: Typos,
    mode: MatchMode,
    terms: MatchedTerms,
    warnings: Vec<String>,
    corrections: Vec<(String, String)>,
    proximity: Vec<Box<dyn Query>>,
    /// Which words documents hold, asked once per query.
    vocab: Vocabulary<'a>,
    /// Synonyms and domain labels to expand with; `None` searches what was typed only.
    synonyms: Option<&'a Synonyms>,
    /// What is left of [`MAX_QUERY_EXPANSIONS`].
    expansions_left: usize,
}

/// The queries that find a [`Span`] whole: its writings, and apart (they need no bonus for
/// what was typed) the documents of the domains it names.
struct SpanQueries {
    writings: Ways,
    domains: Vec<Box<dyn Query>>,
}

/// A run of query words `start..end` that may also be found whole, another way.
struct Span {
    start: usize,
    end: usize,
    /// Other ways of writing the run, as runs of exact terms, and the boost of each.
    writings: Vec<(Vec<String>, f32)>,
    /// Domains whose documents the run also finds.
    domains: Vec<&'static str>,
}

impl<'a> QueryBuilder<'a> {
    pub fn new(fields: &'a Fields, searcher: &'a Searcher, typos: Typos, mode: MatchMode) -> Self {
        QueryBuilder {
            fields,
            typos,
            mode,
            terms: MatchedTerms::default(),
            warnings: Vec::new(),
            corrections: Vec::new(),
            proximity: Vec::new(),
            vocab: Vocabulary::new(searcher, fields),
            synonyms: None,
            expansions_left: MAX_QUERY_EXPANSIONS,
        }
    }

    /// Shares the look-ups already made for this query (by query rewriting).
    pub fn sharing(mut self, vocab: Vocabulary<'a>) -> Self {
        self.vocab = vocab;
        self
    }

    /// Also finds synonyms and the documents of domains named by their labels.
    pub fn expanding(mut self, synonyms: Option<&'a Synonyms>) -> Self {
        self.synonyms = synonyms;
        self
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
            expansions: MAX_QUERY_EXPANSIONS - self.expansions_left,
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
        // Each word's clause (`None`: a word too long to be a term), its joined form and stem.
        let mut per_word: Vec<Option<Box<dyn Query>>> = Vec::with_capacity(seg.words.len());
        let mut keys: Vec<String> = Vec::with_capacity(seg.words.len());
        let mut stems: Vec<String> = Vec::with_capacity(seg.words.len());
        for (i, word) in seg.words.iter().enumerate() {
            let mut joined = String::new();
            push_joined(&seg, word, &mut joined);
            if joined.len() > MAX_TERM_BYTES {
                self.warnings
                    .push("a word longer than 200 bytes was ignored".into());
                per_word.push(None);
                keys.push(String::new());
                stems.push(String::new());
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
            let forms = self.word_forms(&joined);
            let mut alternatives = Ways::default();
            let mut other_forms = Ways::default();
            for &(stem_field, exact_field, boost) in &pairs {
                alternatives.term(stem_field, &stem, boost);
                alternatives.term(exact_field, &joined, boost * EXACT_BOOST);
                for run in &apart {
                    alternatives.run(exact_field, run, boost, || {
                        apart_phrase(exact_field, run, &joined)
                    });
                }
                for chunk in chunks
                    .iter()
                    .filter(|c| (c.words.0..c.words.1).contains(&i))
                {
                    alternatives.term(exact_field, &chunk.exact, boost);
                    alternatives.term(stem_field, &chunk.stemmed, boost);
                }
                for form in &forms {
                    other_forms.term(exact_field, &form.exact, boost * EXACT_BOOST * FORM_BOOST);
                    other_forms.term(stem_field, &form.stem, boost * FORM_BOOST);
                }
                for t in &fuzzy {
                    alternatives.term(exact_field, t, boost * FUZZY_BOOST);
                }
            }
            if !negated {
                self.terms.stemmed.insert(stem.clone());
                self.terms.exact.insert(joined.clone());
                self.terms.exact.extend(fuzzy);
                self.terms.exact_runs.extend(apart);
                for form in forms {
                    self.terms.stemmed.insert(form.stem);
                    self.terms.exact.insert(form.exact);
                }
            }
            per_word.push(Some(literal_first(alternatives.any(), other_forms)));
            keys.push(joined);
            stems.push(stem);
        }
        if !negated {
            for c in &chunks {
                self.terms.exact.insert(c.exact.clone());
                self.terms.stemmed.insert(c.stemmed.clone());
            }
        }
        let spans = self.spans(&seg, &keys, &stems, negated, false);
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        let mut i = 0;
        while i < per_word.len() {
            let Some(span) = spans.iter().find(|s| s.start == i) else {
                clauses.extend(per_word[i].take());
                i += 1;
                continue;
            };
            let mut literal: Vec<Box<dyn Query>> = per_word[i..span.end]
                .iter_mut()
                .filter_map(Option::take)
                .collect();
            let SpanQueries { writings, domains } = self.span_queries(span, &pairs, negated);
            let literal: Box<dyn Query> = match literal.len() {
                0 => writings.any(),
                1 => literal_first(literal.remove(0), writings),
                // The run is one unit, a number or a name, even when any word may do.
                _ => literal_first(Box::new(AllOfQuery::new(literal)), writings),
            };
            clauses.push(if domains.is_empty() {
                literal
            } else {
                let mut any = vec![literal];
                any.extend(domains);
                Box::new(BooleanQuery::union(any))
            });
            i = span.end;
        }
        if clauses.is_empty() {
            return None;
        }
        if clauses.len() == 1 {
            return clauses.pop();
        }
        let joined_words: Vec<&String> = keys.iter().filter(|k| !k.is_empty()).collect();
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
        Some(match self.mode {
            MatchMode::All => Box::new(AllOfQuery::new(clauses)),
            MatchMode::Any => Box::new(BooleanQuery::new(
                clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
            )),
        })
    }

    /// The runs of query words that may also be found whole: numbers (in words or digits, as
    /// one or several words separated by spaces), synonyms and domain labels (not in a negated
    /// clause, nor without [`QueryBuilder::expanding`]). Where runs overlap, the longest
    /// starting first wins; runs of the same words are merged. In a `phrase`, a number is
    /// written only as typed (an ordinal before its noun stays one).
    fn spans(
        &mut self,
        seg: &Segments,
        keys: &[String],
        stems: &[String],
        negated: bool,
        phrase: bool,
    ) -> Vec<Span> {
        let expand = if negated { None } else { self.synonyms };
        let mut spans: Vec<Span> = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let mut found: Vec<Span> = Vec::new();
            if let Some((end, number)) = number_at(seg, keys, i) {
                found.push(Span {
                    start: i,
                    end,
                    writings: number_writings(number, &keys[i..end], phrase),
                    domains: Vec::new(),
                });
            }
            if let Some(synonyms) = expand
                && let Some((end, runs)) = synonyms.at(keys, i)
            {
                found.push(Span {
                    start: i,
                    end,
                    writings: runs.iter().map(|r| (r.clone(), SYNONYM_BOOST)).collect(),
                    domains: Vec::new(),
                });
            }
            if expand.is_some()
                && !phrase
                && let Some((end, id)) = domains::at(stems, i)
            {
                found.push(Span {
                    start: i,
                    end,
                    writings: Vec::new(),
                    domains: vec![id],
                });
            }
            let Some(end) = found.iter().map(|s| s.end).max() else {
                i += 1;
                continue;
            };
            let mut span = Span {
                start: i,
                end,
                writings: Vec::new(),
                domains: Vec::new(),
            };
            for f in found.into_iter().filter(|f| f.end == end) {
                span.writings.extend(f.writings);
                span.domains.extend(f.domains);
            }
            let budget = self.expansions_left.min(span.writings.len());
            if budget < span.writings.len() {
                self.warnings.push(format!(
                    "other writings and synonyms limited to {MAX_QUERY_EXPANSIONS} per query"
                ));
            }
            span.writings.truncate(budget);
            self.expansions_left -= budget;
            let domains = self.expansions_left.min(span.domains.len());
            span.domains.truncate(domains);
            self.expansions_left -= domains;
            if !negated {
                for (run, _) in &span.writings {
                    match run.as_slice() {
                        [term] => {
                            self.terms.exact.insert(term.clone());
                        }
                        _ => {
                            self.terms.exact_runs.insert(run.clone());
                        }
                    }
                }
            }
            spans.push(span);
            i = end;
        }
        spans
    }

    /// The queries that find a span whole: each writing as a phrase of exact terms (one word
    /// also by its stem); and apart, each domain's documents with a tiny constant score.
    fn span_queries(
        &self,
        span: &Span,
        pairs: &[(Field, Field, f32)],
        negated: bool,
    ) -> SpanQueries {
        let mut writings = Ways::default();
        for &(stem_field, exact_field, boost) in pairs {
            for (run, weight) in &span.writings {
                writings.run(exact_field, run, boost * weight, || {
                    phrase_query(exact_field, run, &[])
                });
                if let [term] = run.as_slice() {
                    writings.term(stem_field, &word_term(term, true), boost * weight);
                }
            }
        }
        let mut domains: Vec<Box<dyn Query>> = Vec::new();
        if !negated {
            for id in &span.domains {
                let filed = TermQuery::new(
                    Term::from_field_text(self.fields.domain, id),
                    IndexRecordOption::Basic,
                );
                domains.push(Box::new(ConstScoreQuery::new(
                    Box::new(filed),
                    DOMAIN_SCORE,
                )));
            }
        }
        SpanQueries { writings, domains }
    }

    /// A word's forms that the stemmer does not make and documents hold: the singular of an
    /// Arabic plural (`تحقیقات` → `تحقیق`, `اساتید` → `استاد`) and the plurals of a singular,
    /// the word without a clitic (`پروژهش` → `پروژه`) and with one (`دانشجو` → `دانشجویش`), at
    /// most [`MAX_WORD_FORMS`].
    fn word_forms(&mut self, word: &str) -> Vec<WordForm> {
        if self.expansions_left == 0
            || word.chars().count() < 2
            || word.bytes().any(|b| b.is_ascii_alphanumeric())
        {
            return Vec::new();
        }
        let mut forms: Vec<String> = Vec::new();
        // The likeliest singular the documents hold.
        if let Some(singular) = plurals::singulars(word)
            .into_iter()
            .find(|s| self.vocab.contains(s))
        {
            forms.push(singular);
        }
        forms.extend(plurals::plurals(word));
        forms.extend(clitics::base_of(word).map(str::to_string));
        forms.extend(clitics::clitic_forms(word));
        let mut out: Vec<WordForm> = Vec::new();
        for form in forms {
            if out.len() >= MAX_WORD_FORMS.min(self.expansions_left) {
                break;
            }
            let form = word_term(&form, false).into_owned();
            if form == word || out.iter().any(|f| f.exact == form) || !self.vocab.contains(&form) {
                continue;
            }
            out.push(WordForm {
                stem: word_term(&form, true).into_owned(),
                exact: form,
            });
        }
        self.expansions_left -= out.len();
        out
    }

    /// Words of the documents within the allowed edits of `word`, most frequent first. A word
    /// that documents contain as typed is taken as meant: no expansion
    /// (`فناوری` does not also look for `فناور`), and no walk of the term dictionaries.
    fn fuzzy_expansions(&mut self, word: &str) -> Vec<String> {
        let edits = self.typos.edits(word.chars().count());
        if edits == 0 || word.chars().any(|c| c.is_ascii_digit()) || self.vocab.contains(word) {
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
        let matches = self.vocab.matching(
            &[self.fields.title_exact, self.fields.body_exact],
            &automaton,
            MAX_FUZZY_EXPANSIONS * 4,
        );
        let mut truncated = matches.truncated;
        let mut ranked: Vec<(String, u64)> = matches
            .ranked()
            .into_iter()
            .filter(|(t, _)| t != word)
            .collect();
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

    /// The ways documents may hold a joined word written apart ([`written_apart`], into words
    /// they hold).
    fn splits_in_documents(&mut self, word: &str) -> Vec<Vec<String>> {
        let vocab = &self.vocab;
        written_apart(word, &mut |w| vocab.contains(w))
    }

    fn phrase(&mut self, text: &str, scope: Scope, negated: bool) -> Option<Box<dyn Query>> {
        let mut seg = Segments::default();
        seg.split(text);
        let keys: Vec<String> = seg
            .words
            .iter()
            .map(|w| {
                let mut joined = String::new();
                push_joined(&seg, w, &mut joined);
                joined
            })
            .collect();
        let spans: Vec<(usize, usize, Vec<String>)> = self
            .spans(&seg, &keys, &[], negated, true)
            .into_iter()
            .flat_map(|s| {
                s.writings
                    .into_iter()
                    .map(move |(run, _)| (s.start, s.end, run))
            })
            .collect();
        let vocab = &self.vocab;
        let variants = phrase_variants(
            &seg,
            &mut |w| written_apart(w, &mut |part| vocab.contains(part)),
            &spans,
        );
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
        let mut typed = Ways::default();
        let mut others = Ways::default();
        for (_, exact_field, boost) in self.field_pairs(scope) {
            let mut writings: Vec<Vec<(u32, Term)>> = Vec::new();
            for v in &variants {
                let mut terms = Vec::new();
                let mut offsets = Vec::new();
                for piece in v {
                    for (k, term) in piece.terms.iter().enumerate() {
                        terms.push(term.clone());
                        offsets.push(piece.offset + k);
                    }
                }
                if v.iter().any(|p| p.expanded) {
                    others.run(exact_field, &terms, boost * NUMBER_BOOST, || {
                        phrase_query(exact_field, &terms, &offsets)
                    });
                } else {
                    writings.push(
                        offsets
                            .iter()
                            .zip(&terms)
                            .map(|(&o, t)| (o as u32, Term::from_field_text(exact_field, t)))
                            .collect(),
                    );
                }
            }
            // The most split writing first: a document that wrote a compound with a ZWNJ
            // holds its parts (and its joined form), and is matched by that writing.
            writings.sort_by_key(|w| std::cmp::Reverse(w.len()));
            if !writings.is_empty() {
                typed
                    .phrases
                    .push(boosted(Box::new(PhraseVariantsQuery::new(writings)), boost));
            }
        }
        Some(literal_first(typed.any(), others))
    }
}

/// `literal` or any of `others`, the documents of `literal` ranked above the others' (each gets
/// [`LITERAL_BONUS`]); `literal` alone when there are no others.
fn literal_first(literal: Box<dyn Query>, mut others: Ways) -> Box<dyn Query> {
    if others.terms.is_empty() && others.phrases.is_empty() {
        return literal;
    }
    let bonus: Box<dyn Query> = Box::new(BonusQuery::new(literal, LITERAL_BONUS));
    others.phrases.insert(0, bonus);
    others.any()
}

/// Queries that each find what is looked for one way, kept by how they are best looked for.
#[derive(Default)]
struct Ways {
    /// Terms with their boosts: cheap to walk, walked as one union ([`TermsUnionQuery`]).
    terms: Vec<(Term, f32)>,
    /// Phrases checked in positions (or queries holding some), each asked only about the
    /// documents the rest of the query allows ([`AlternativesQuery`]).
    phrases: Vec<Box<dyn Query>>,
}

impl Ways {
    /// Adds the term `text` of `field`.
    fn term(&mut self, field: Field, text: &str, boost: f32) {
        self.terms.push((Term::from_field_text(field, text), boost));
    }

    /// Adds the run of terms `run` of `field`: a term, or the phrase `phrase` makes of it.
    fn run(
        &mut self,
        field: Field,
        run: &[String],
        boost: f32,
        phrase: impl FnOnce() -> Box<dyn Query>,
    ) {
        match run {
            [term] => self.term(field, term, boost),
            _ => self.phrases.push(boosted(phrase(), boost)),
        }
    }

    /// Any of the ways.
    fn any(self) -> Box<dyn Query> {
        let Ways { terms, mut phrases } = self;
        if phrases.is_empty() {
            return Box::new(TermsUnionQuery::new(terms));
        }
        if !terms.is_empty() {
            phrases.insert(0, Box::new(TermsUnionQuery::new(terms)));
        }
        if phrases.len() == 1 {
            return phrases.remove(0);
        }
        Box::new(AlternativesQuery::new(phrases))
    }
}

/// Another form of a query word: its exact term and its stem.
struct WordForm {
    exact: String,
    stem: String,
}

/// A number that the query words from `i` on spell, separated by spaces only (`سی و دومین`,
/// `۳۲ امین`, `1404`): where it ends (the longest such run) and its value.
fn number_at(seg: &Segments, keys: &[String], i: usize) -> Option<(usize, Number)> {
    let mut end = i;
    while end < keys.len()
        && end - i < MAX_NUMBER_WORDS
        && (end == i || seg.words[end].spaced_from_previous)
        && numbers::may_be_part(&keys[end])
    {
        end += 1;
    }
    (i + 1..=end)
        .rev()
        .find_map(|e| numbers::parse(&keys[i..e].concat()).map(|n| (e, n)))
}

/// The writings of a number other than the one typed (`typed`, the query's words), each with
/// its boost: in a phrase only of the same kind (an ordinal in `-مین` stays one), else also the
/// other kind of ordinal (`دومین` ↔ `دوم`).
fn number_writings(number: Number, typed: &[String], phrase: bool) -> Vec<(Vec<String>, f32)> {
    let mut kinds = vec![number];
    if !phrase && let Some(ordinal) = number.ordinal {
        let other = match ordinal {
            Ordinal::Adjective => Ordinal::Superlative,
            Ordinal::Superlative => Ordinal::Adjective,
        };
        kinds.push(Number {
            ordinal: Some(other),
            ..number
        });
    }
    let mut out: Vec<(Vec<String>, f32)> = Vec::new();
    for n in kinds {
        for run in numbers::writings(n) {
            if run != typed && !out.iter().any(|(r, _)| *r == run) {
                out.push((run, NUMBER_BOOST));
            }
        }
    }
    out
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
    /// A run written another way than typed (a number's other writing, a synonym).
    pub expanded: bool,
}

/// Every way a phrase's words may be written in a document: each word as one term, as its
/// ZWNJ parts or as one of its splits into words (`split_of`), 2–3 neighbours written together
/// as one term, or a run of words `start..end` written another way (`spans`: a number, a
/// synonym). At most [`MAX_PHRASE_VARIANTS`], the way it was typed first.
pub fn phrase_variants(
    seg: &Segments,
    split_of: &mut dyn FnMut(&str) -> Vec<Vec<String>>,
    spans: &[(usize, usize, Vec<String>)],
) -> Vec<Vec<Piece>> {
    let n = seg.words.len();
    // For each word, the ways a run starting there may be written: (end, terms, expanded).
    let mut ways: Vec<Vec<Way>> = Vec::with_capacity(n);
    let mut joined = Vec::with_capacity(n);
    for (i, w) in seg.words.iter().enumerate() {
        let mut s = String::new();
        push_joined(seg, w, &mut s);
        let mut here: Vec<Way> = Vec::new();
        if !s.is_empty() && s.len() <= MAX_TERM_BYTES {
            here.push((i + 1, vec![s.clone()], false));
            let parts: Vec<String> = seg
                .word_parts(w)
                .iter()
                .map(|p| word_term(seg.part_text(p), false).into_owned())
                .collect();
            if parts.len() > 1 {
                here.push((i + 1, parts, false));
            }
            for split in split_of(&s) {
                if !here.iter().any(|(_, t, _)| *t == split) {
                    here.push((i + 1, split, false));
                }
            }
        }
        ways.push(here);
        joined.push(s);
    }
    for (i, here) in ways.iter_mut().enumerate() {
        let typed = here.len().min(1);
        let mut others: Vec<Way> = spans
            .iter()
            .filter(|(start, _, _)| *start == i)
            .map(|(_, end, terms)| (*end, terms.clone(), true))
            .collect();
        others.extend(
            spaced_runs(seg, i)
                .map(|(s, e)| (e, joined[s..e].concat()))
                .filter(|(_, concat)| concat.len() <= MAX_TERM_BYTES)
                .map(|(e, concat)| (e, vec![concat], false)),
        );
        let rest = here.split_off(typed);
        here.extend(others);
        here.extend(rest);
    }
    let mut out = Vec::new();
    expand(0, 0, &ways, &mut Vec::new(), &mut out);
    out
}

/// One way of writing a run of a phrase's words: where the run ends, its exact terms, and
/// whether it is written another way than typed.
type Way = (usize, Vec<String>, bool);

fn expand(
    i: usize,
    offset: usize,
    ways: &[Vec<Way>],
    current: &mut Vec<Piece>,
    out: &mut Vec<Vec<Piece>>,
) {
    if out.len() >= MAX_PHRASE_VARIANTS {
        return;
    }
    if i == ways.len() {
        if !current.is_empty() {
            out.push(current.clone());
        }
        return;
    }
    if ways[i].is_empty() {
        return expand(i + 1, offset, ways, current, out);
    }
    for (end, terms, expanded) in &ways[i] {
        current.push(Piece {
            offset,
            terms: terms.clone(),
            expanded: *expanded,
        });
        expand(*end, offset + terms.len(), ways, current, out);
        current.pop();
    }
}

/// A phrase of two or more `terms` (explicit `offsets` when given), read as `PhraseVariantsQuery` reads a writing (common words side by side as their
/// pair's postings), scored as tantivy's `PhraseQuery` scores it: a synonym such as `انکوباتور`
/// for `مرکز رشد` read the positions of both words in 60% of a million documents.
fn phrase_query(field: Field, terms: &[String], offsets: &[usize]) -> Box<dyn Query> {
    let with_offsets: Vec<(u32, Term)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                offsets.get(i).copied().unwrap_or(i) as u32,
                Term::from_field_text(field, t),
            )
        })
        .collect();
    Box::new(PhraseVariantsQuery::new(vec![with_offsets]))
}

/// A compound written as the words `run` (two or more) in documents that do not hold it
/// written `joined` (those match the joined term, an alternative of the same word).
fn apart_phrase(field: Field, run: &[String], joined: &str) -> Box<dyn Query> {
    Box::new(WrittenApartQuery::new(
        run.iter()
            .map(|t| Term::from_field_text(field, t))
            .collect(),
        Term::from_field_text(field, joined),
    ))
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
        phrase_variants(&seg, &mut split_of, &[])
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
