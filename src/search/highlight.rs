//! Highlights: the original text, HTML-escaped, with `<mark>…</mark>` around every word a query
//! matched — stemmed, exact, compound (`هم افزایی` marked whole) and typo matches alike — cut to
//! about [`SNIPPET_CHARS`] characters around the passage with the most matches.
//!
//! The text is analyzed again with the same tokenizers as the index, so a mark always covers
//! exactly the source characters its term came from, whatever their spelling.

use tantivy::tokenizer::Token;

use super::query::MatchedTerms;
use crate::analysis::stemmer::{may_stem_to, stem};
use crate::analysis::with_exact_tokens;

/// Target snippet length, in characters.
pub const SNIPPET_CHARS: usize = 160;
/// Characters of context kept before the first match of a snippet.
const LEAD_CHARS: usize = 30;

/// Byte ranges of the original text that the query matched, sorted and merged.
///
/// One analysis serves both term sets: a stemmed term is the stem of the exact one, so the
/// exact tokens are stemmed, and only those that [`may_stem_to`] a wanted stem.
pub fn matched_spans(text: &str, terms: &MatchedTerms) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    if terms.stemmed.is_empty() && terms.exact.is_empty() && terms.exact_runs.is_empty() {
        return spans;
    }
    with_exact_tokens(text, |tokens| {
        for (i, t) in tokens.iter().enumerate() {
            let stem_matches = || {
                terms.stemmed.iter().any(|s| may_stem_to(&t.text, s))
                    && terms.stemmed.contains(&*stem(&t.text))
            };
            if terms.exact.contains(&t.text) || stem_matches() {
                spans.push((t.offset_from, t.offset_to));
            }
            for run in terms
                .exact_runs
                .iter()
                .filter(|r| r.first() == Some(&t.text))
            {
                spans.extend(run_span(tokens, i, run));
            }
        }
    });
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The span of `run` when its terms stand at consecutive positions from `tokens[start]`
/// (tokens are in position order).
fn run_span(tokens: &[Token], start: usize, run: &[String]) -> Option<(usize, usize)> {
    let first = &tokens[start];
    let mut at = start;
    for (k, term) in run.iter().enumerate().skip(1) {
        let position = first.position + k;
        at += tokens[at..]
            .iter()
            .take_while(|t| t.position <= position)
            .position(|t| t.position == position && t.text == *term)?;
    }
    Some((first.offset_from, tokens[at].offset_to))
}

/// The whole text, escaped, with its matches marked (titles).
pub fn highlight_all(text: &str, terms: &MatchedTerms) -> String {
    let spans = matched_spans(text, terms);
    render(text, 0, text.len(), &spans)
}

/// About [`SNIPPET_CHARS`] characters of the text around its best passage, escaped and marked,
/// with `…` where it was cut.
pub fn snippet(text: &str, terms: &MatchedTerms) -> String {
    let spans = matched_spans(text, terms);
    let (start, end) = best_window(text, &spans);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&render(text, start, end, &spans));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// The window of about SNIPPET_CHARS characters holding the most matches, snapped to spaces.
fn best_window(text: &str, spans: &[(usize, usize)]) -> (usize, usize) {
    let mut best = (0, window_end(text, 0), 0usize);
    for (i, &(from, _)) in spans.iter().enumerate().take(200) {
        let start = back_chars(text, from, LEAD_CHARS);
        let end = window_end(text, start);
        let count = spans[i..].iter().take_while(|s| s.1 <= end).count();
        if count > best.2 {
            best = (start, end, count);
        }
    }
    let (mut start, mut end, _) = best;
    // A match is never cut: the window grows to hold a match crossing its edge; otherwise the
    // edges move to the nearest space inside the window.
    let crossing = |at: usize| spans.iter().find(|s| s.0 < at && at < s.1).copied();
    if let Some((from, _)) = crossing(start) {
        start = from;
    } else if start > 0
        && let Some((space, c)) = text[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
        && space < 40
        && spans.iter().all(|s| s.0 >= start + space || s.1 <= start)
    {
        start += space + c.len_utf8();
    }
    if let Some((_, to)) = crossing(end) {
        end = to;
    } else if end < text.len()
        && let Some(space) = text[..end].rfind(char::is_whitespace)
        && space > start
        && end - space < 40
        && spans.iter().all(|s| s.1 <= space || s.0 >= end)
    {
        end = space;
    }
    (start, end)
}

fn window_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start + i)
}

/// The byte offset `n` characters before `offset` (or 0).
fn back_chars(text: &str, offset: usize, n: usize) -> usize {
    text[..offset]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// `text[start..end]` escaped, with the spans inside it marked (spans crossing the window
/// edges are clipped).
fn render(text: &str, start: usize, end: usize, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(end - start + 32);
    let mut at = start;
    for &(from, to) in spans {
        let (from, to) = (from.max(start), to.min(end));
        if from >= to || from < at {
            continue;
        }
        escape_into(&text[at..from], &mut out);
        out.push_str("<mark>");
        escape_into(&text[from..to], &mut out);
        out.push_str("</mark>");
        at = to;
    }
    escape_into(&text[at..end], &mut out);
    out
}

/// HTML-escapes text.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(stemmed: &[&str], exact: &[&str]) -> MatchedTerms {
        MatchedTerms {
            stemmed: stemmed.iter().map(|s| s.to_string()).collect(),
            exact: exact.iter().map(|s| s.to_string()).collect(),
            exact_runs: Default::default(),
        }
    }

    #[test]
    fn marks_the_original_spelling() {
        let mut t = terms(&["فناوری"], &["همافزایی"]);
        t.exact_runs.insert(vec!["هم".into(), "افزایی".into()]);
        let html = highlight_all("توسعه فناوريهای <نو> و هم افزایی، هم‌افزایی و هم", &t);
        assert_eq!(
            html,
            "توسعه <mark>فناوريهای</mark> &lt;نو&gt; و <mark>هم افزایی</mark>، \
             <mark>هم‌افزایی</mark> و هم"
        );
    }

    #[test]
    fn snippets_are_cut_by_characters_around_matches() {
        let filler = "کلمه ".repeat(100);
        let text = format!("{filler}پارک علم و فناوری مازندران {filler}");
        let s = snippet(&text, &terms(&["مازندران"], &[]));
        assert!(s.contains("<mark>مازندران</mark>"));
        assert!(s.starts_with('…') && s.ends_with('…'));
        let visible = s.replace("<mark>", "").replace("</mark>", "");
        let n = visible.chars().count();
        assert!(
            (100..=SNIPPET_CHARS + 2).contains(&n),
            "{n} chars: {visible}"
        );
    }

    #[test]
    fn a_match_at_the_window_edge_is_not_cut() {
        // The best window (two matches) ends inside the third occurrence's long word.
        let text = format!(
            "پارک {} پارک {} فناوریهای {}",
            "ا".repeat(60),
            "ب".repeat(86),
            "پ ".repeat(100)
        );
        let s = snippet(&text, &terms(&["پارک", "فناوری"], &[]));
        assert!(s.contains("<mark>فناوریهای</mark>"), "{s}");
        assert_eq!(s.matches("<mark>").count(), s.matches("</mark>").count());
        for mark in s.split("<mark>").skip(1) {
            let word = mark.split("</mark>").next().unwrap();
            assert!(
                ["پارک", "فناوریهای"].contains(&word),
                "cut mark {word:?} in {s}"
            );
        }
    }

    #[test]
    fn no_match_gives_the_opening() {
        let s = snippet("متن کوتاه", &terms(&[], &[]));
        assert_eq!(s, "متن کوتاه");
    }
}
