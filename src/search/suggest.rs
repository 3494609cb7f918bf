//! Search-as-you-type: completes the last, partial word of what the user is typing (folded, not
//! stemmed) from the words of document titles, most frequent first, and returns the best
//! matching titles. A partial word with no completion is retried with one typo. A prefix typed
//! with the wrong keyboard layout or in Finglish (`tkh`, `fanav`) is completed as meant when
//! that finds far more (and the reply says so in `rewritten`); the words before it are read as
//! `/search` reads them.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use super::highlight::highlight_all;
use super::query::{MatchMode, QueryBuilder, Typos};
use super::rewrite::finglish::{FinglishAutomaton, is_finglish_word};
use super::rewrite::{
    FAR_LESS_RATIO, RewriteReason, Rewritten, WordRewrite, has_finglish_vowels, is_latin, layout,
};
use super::vocabulary::Vocabulary;
use super::{MAX_QUERY_CHARS, SearchError, expansions, on_search_threads, parse, rewritten_query};
use crate::analysis::fold;
use crate::analysis::segment::Segments;
use crate::analysis::{is_clean, written_forms};
use crate::document::Kind;
use crate::index::SearchIndex;

/// Largest `limit`.
pub const MAX_SUGGESTIONS: usize = 20;
/// Most dictionary terms scanned for one prefix.
const MAX_PREFIX_SCAN: usize = 20_000;
/// Shortest Latin prefix read as Finglish: two letters (`fa`) begin too many Persian words to
/// rank them in the time a keystroke allows.
const MIN_FINGLISH_PREFIX: usize = 3;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Completion {
    /// The query with its last word completed, as it would be typed.
    pub text: String,
    /// Titles containing the completed word.
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestHit {
    pub id: String,
    pub title: String,
    /// The title, HTML-escaped, with the matched words in `<mark>`.
    pub title_html: String,
    pub kind: Kind,
    pub date_jalali: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestResponse {
    pub query: String,
    pub took_ms: f64,
    pub completions: Vec<Completion>,
    pub hits: Vec<SuggestHit>,
    /// What was completed instead of the text as typed (words or a prefix typed with the wrong
    /// keyboard layout or in Finglish); null when completed as typed. `rewrite=false` completes
    /// exactly what was typed.
    pub rewritten: Option<Rewritten>,
}

/// Suggestions for the text typed so far, over the index's last commit.
pub fn suggest(
    index: &SearchIndex,
    q: &str,
    limit: usize,
    rewrite: bool,
) -> Result<SuggestResponse, SearchError> {
    suggest_with(index, &index.searcher(), q, limit, rewrite)
}

/// Suggestions for the text typed so far, over the commit `searcher` sees.
pub fn suggest_with(
    index: &SearchIndex,
    searcher: &Searcher,
    q: &str,
    limit: usize,
    rewrite: bool,
) -> Result<SuggestResponse, SearchError> {
    let started = Instant::now();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::Invalid(format!(
            "query longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    if limit == 0 || limit > MAX_SUGGESTIONS {
        return Err(SearchError::Invalid(format!(
            "limit must be between 1 and {MAX_SUGGESTIONS}"
        )));
    }
    let fields = &index.fields;
    let vocab = Vocabulary::new(searcher, fields);
    let (head, partial) = split_partial(q);
    let prefix = folded_prefix(partial);
    let mut completions = if prefix.is_empty() {
        Vec::new()
    } else {
        prefix_terms(searcher, fields.title_exact, &prefix, limit)
    };
    let mut partial_rewrite = None;
    if rewrite && let Some(reading) = completions_as_meant(&vocab, partial, &completions, limit) {
        completions = reading.completions;
        partial_rewrite = Some(WordRewrite {
            from: partial.to_string(),
            to: reading.text,
            reason: reading.reason,
        });
    }
    if completions.is_empty() && prefix.chars().count() >= 4 {
        completions = fuzzy_prefix_terms(searcher, fields.title_exact, &prefix, limit);
    }

    let parsed_head = parse::parse(head);
    super::refuse_over_limit(&parsed_head)?;
    let (parsed_head, head_rewrite) = rewritten_query(head, parsed_head, rewrite, &vocab);
    let synonyms = expansions(index, rewrite)?;
    let built = QueryBuilder::new(fields, searcher, Typos::Auto, MatchMode::All)
        .sharing(vocab)
        .expanding(synonyms.as_deref())
        .build(&parsed_head);
    let head_text = head_rewrite
        .as_ref()
        .map_or(head.to_string(), |r| r.to.clone());
    let rewritten = suggest_rewritten(q, &head_text, head_rewrite, partial_rewrite);
    let mut terms = built.terms;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if built.has_text {
        clauses.push((Occur::Must, built.query));
    }
    clauses.extend(built.proximity.into_iter().map(|q| (Occur::Should, q)));
    if !completions.is_empty() {
        let alternatives: Vec<Box<dyn Query>> = completions
            .iter()
            .map(|(t, _)| {
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.title_exact, t),
                    IndexRecordOption::WithFreqs,
                )) as Box<dyn Query>
            })
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives))));
        terms
            .exact
            .extend(completions.iter().map(|(t, _)| t.clone()));
    } else if !prefix.is_empty() {
        // The last word completes to nothing: no title can match it.
        clauses.clear();
    }
    let hits = if clauses.is_empty() {
        Vec::new()
    } else {
        // A lone required clause is searched as itself: the completions alone are a union of
        // terms, whose best titles tantivy finds without scoring every one (block-max WAND).
        let query = match <[_; 1]>::try_from(clauses) {
            Ok([(Occur::Must, only)]) => only,
            Ok(one) => Box::new(BooleanQuery::new(one.into())),
            Err(clauses) => Box::new(BooleanQuery::new(clauses)),
        };
        let best = searcher.search(&*query, &TopDocs::with_limit(limit).order_by_score())?;
        // Read and highlighted on the search threads, as `/search`'s hits are.
        on_search_threads(searcher, best.into_iter(), |(_, address)| {
            index.stored(searcher, address).map(|doc| SuggestHit {
                title_html: highlight_all(&doc.title, &terms),
                id: doc.id,
                title: doc.title,
                kind: doc.kind,
                date_jalali: doc.date_jalali,
            })
        })?
    };
    let completions = completions
        .into_iter()
        .map(|(term, count)| Completion {
            text: format!("{head_text}{}", surface_form(&term, &hits)),
            count,
        })
        .collect();
    Ok(SuggestResponse {
        query: q.to_string(),
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        completions,
        hits,
        rewritten,
    })
}

/// A partial word read another way: as what, why, and its completions.
struct Reading {
    text: String,
    reason: RewriteReason,
    completions: Vec<(String, u64)>,
}

/// Completions of a partial word typed with the wrong keyboard layout or in Finglish, when
/// they are far more frequent than those of the prefix as typed (`typed`). A Persian prefix,
/// or a Latin one with capitals (`IC`), that completes as typed is never read otherwise.
fn completions_as_meant(
    vocab: &Vocabulary,
    partial: &str,
    typed: &[(String, u64)],
    limit: usize,
) -> Option<Reading> {
    let latin = is_latin(partial);
    let capitals = partial.chars().any(|c| c.is_ascii_uppercase());
    if partial.is_empty() || (!typed.is_empty() && (!latin || capitals)) {
        return None;
    }
    let (searcher, title) = (vocab.searcher(), vocab.fields().title_exact);
    let mut readings: Vec<Reading> = Vec::new();
    for l in layout::layouts() {
        let converted = if latin {
            l.to_persian(partial)
        } else {
            l.to_latin(partial).map(|c| fold(&c))
        };
        if let Some(converted) = converted
            && !readings.iter().any(|r| r.text == converted)
        {
            let completions = prefix_terms(searcher, title, &folded_prefix(&converted), limit);
            readings.push(Reading {
                text: converted,
                reason: RewriteReason::KeyboardLayout,
                completions,
            });
        }
    }
    let lower = fold(partial);
    if latin
        && lower.chars().filter(char::is_ascii_alphabetic).count() >= MIN_FINGLISH_PREFIX
        && is_finglish_word(&lower)
        && has_finglish_vowels(&lower)
        && let Some(automaton) = FinglishAutomaton::new(&lower, true)
    {
        let completions = top(
            vocab.matching(&[title], &automaton, MAX_PREFIX_SCAN).terms,
            limit,
        );
        if let Some((best, _)) = completions.first() {
            readings.push(Reading {
                text: best.clone(),
                reason: RewriteReason::Finglish,
                completions,
            });
        }
    }
    let total = |found: &[(String, u64)]| found.iter().map(|(_, n)| n).sum::<u64>();
    let best = readings.into_iter().max_by_key(|r| total(&r.completions))?;
    let found = total(&best.completions);
    (found > 0 && found >= total(typed).saturating_mul(FAR_LESS_RATIO).max(1)).then_some(best)
}

/// The `rewritten` notice of a suggestion: the words of the head and the partial word read as
/// meant.
fn suggest_rewritten(
    q: &str,
    head_text: &str,
    head: Option<Rewritten>,
    partial: Option<WordRewrite>,
) -> Option<Rewritten> {
    let mut words = head.map(|r| r.words).unwrap_or_default();
    let to = match &partial {
        Some(p) => format!("{head_text}{}", p.to),
        None if words.is_empty() => return None,
        None => format!("{head_text}{}", split_partial(q).1),
    };
    words.extend(partial);
    let reason = if words.iter().all(|w| w.reason == words[0].reason) {
        words[0].reason
    } else {
        RewriteReason::Mixed
    };
    Some(Rewritten {
        from: q.to_string(),
        to,
        reason,
        words,
    })
}

/// `("پارک علم ", "فنا")` for `"پارک علم فنا"`; the partial word is empty after a space.
fn split_partial(q: &str) -> (&str, &str) {
    if q.ends_with(char::is_whitespace) {
        return (q, "");
    }
    match q.rfind(char::is_whitespace) {
        Some(i) => {
            let next = i + q[i..].chars().next().map_or(1, char::len_utf8);
            (&q[..next], &q[next..])
        }
        None => ("", q),
    }
}

/// The partial word as index terms spell it: folded, ZWNJs removed.
fn folded_prefix(partial: &str) -> String {
    let mut seg = Segments::default();
    seg.split(partial);
    let mut out = String::new();
    if let Some(w) = seg.words.last() {
        seg.joined(w, &mut out);
    }
    out
}

/// Terms starting with `prefix`, with their document counts, most frequent first.
fn prefix_terms(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    prefix: &str,
    limit: usize,
) -> Vec<(String, u64)> {
    let mut upper = prefix.as_bytes().to_vec();
    upper.push(0xFF);
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().range().ge(prefix).lt(&upper).into_stream() else {
            continue;
        };
        let mut scanned = 0;
        while stream.advance() && scanned < MAX_PREFIX_SCAN {
            scanned += 1;
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                *found.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    top(found, limit)
}

/// Terms starting with something within one edit of `prefix`.
fn fuzzy_prefix_terms(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    prefix: &str,
    limit: usize,
) -> Vec<(String, u64)> {
    let Ok(automaton) =
        FuzzyTermQuery::new_prefix(Term::from_field_text(field, prefix), 1, true).automaton()
    else {
        return Vec::new();
    };
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
            continue;
        };
        let mut scanned = 0;
        while stream.advance() && scanned < MAX_PREFIX_SCAN {
            scanned += 1;
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                *found.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    top(found, limit)
}

fn top(found: BTreeMap<String, u64>, limit: usize) -> Vec<(String, u64)> {
    let mut ranked: Vec<(String, u64)> = found.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.len().cmp(&b.0.len())));
    ranked.truncate(limit);
    ranked
}

/// How a completed term is written in the titles shown (`تفاهم‌نامه` for the term
/// `تفاهمنامه`; a clean spelling first, else the first one in Persian letters: a title typed on
/// an Arabic keyboard writes `فناوري`), or the term itself.
fn surface_form(term: &str, hits: &[SuggestHit]) -> String {
    let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    let forms = written_forms(term, &titles);
    match forms.iter().find(|f| is_clean(f)) {
        Some(clean) => clean.to_string(),
        None => forms
            .first()
            .map_or_else(|| term.to_string(), |f| crate::analysis::fold(f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_word_is_the_partial_one() {
        assert_eq!(split_partial("پارک علم فنا"), ("پارک علم ", "فنا"));
        assert_eq!(split_partial("فنا"), ("", "فنا"));
        assert_eq!(split_partial("فناوری "), ("فناوری ", ""));
        assert_eq!(folded_prefix("تفاهم‌نا"), "تفاهمنا");
        assert_eq!(folded_prefix("فناوري"), "فناوری");
    }
}
