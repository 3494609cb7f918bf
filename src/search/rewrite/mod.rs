//! Query rewriting: queries as Persians really type them.
//!
//! Two kinds of help, both at query time on the index as it is:
//!
//! - **Rewrites** search something else instead of what was typed, and say so in the reply
//!   ([`Rewritten`]; `rewrite=false` searches exactly what was typed): a word typed with the
//!   wrong keyboard layout ([`layout`]: `tkh,vd` → `فناوری`, `هزف` → `ict`) or in Finglish
//!   ([`finglish`]: `fanavari` → `فناوری`). A word is rewritten only when the index holds far
//!   more of the rewritten word than of the word as typed; Persian words the index holds, and
//!   Latin words in capitals it holds (`ICT`, `MoU`), are never rewritten.
//! - **Expansions** also find other words, ranked below what was typed: [`synonyms`] and
//!   abbreviations (`فاوا` ↔ `ICT`), and [`domains`] named by their labels. `search::query`
//!   adds them to the query it builds (with number words, Arabic plurals and clitics, which the
//!   analyzer's modules give).

pub mod domains;
pub mod finglish;
pub mod layout;
pub mod synonyms;

use serde::Serialize;

use super::parse::{Node, Parsed};
use super::vocabulary::Vocabulary;
use crate::analysis::compounds::word_term;
use crate::analysis::{fold, is_clean, written_forms};
use finglish::{FinglishAutomaton, is_finglish_word};
use synonyms::entry_words;

/// A word is rewritten only when the rewritten word is in this many times more documents than
/// the word as typed (which is mostly in none).
pub const FAR_LESS_RATIO: u64 = 20;
/// Most distinct words of one query considered for a rewrite.
pub const MAX_REWRITE_WORDS: usize = 16;
/// Most distinct Persian terms one Finglish word is read as (the most frequent wins).
pub const MAX_FINGLISH_TERMS: usize = 256;

/// Why a word was rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RewriteReason {
    /// Typed with the other keyboard layout on.
    KeyboardLayout,
    /// Persian written in Latin letters.
    Finglish,
    /// Several words, rewritten for different reasons (see `words`).
    Mixed,
}

/// One rewritten word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WordRewrite {
    pub from: String,
    pub to: String,
    pub reason: RewriteReason,
}

/// What was searched instead of the query as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Rewritten {
    /// The query as typed.
    pub from: String,
    /// The query searched: the typed one with each rewritten word replaced.
    pub to: String,
    /// `keyboard_layout` or `finglish`, or `mixed` when words were rewritten for different
    /// reasons.
    pub reason: RewriteReason,
    /// Each rewritten word, in the order of the query.
    pub words: Vec<WordRewrite>,
}

/// The query with its mistyped words rewritten, and what was rewritten; `None` when every word
/// is searched as typed.
pub fn rewrite(q: &str, parsed: &Parsed, vocab: &Vocabulary) -> Option<(Parsed, Rewritten)> {
    let mut tokens: Vec<&str> = Vec::new();
    if let Some(root) = &parsed.root {
        collect_tokens(root, &mut tokens);
    }
    let mut words: Vec<WordRewrite> = Vec::new();
    let mut finglish_left = MAX_REWRITE_WORDS / 2;
    // Words of one letter (`o` for و) only beside others that were rewritten.
    for pass in [Pass::Words, Pass::Letters] {
        if pass == Pass::Letters && words.is_empty() {
            break;
        }
        for &token in tokens.iter().take(MAX_REWRITE_WORDS) {
            let letters = token.chars().filter(|c| c.is_alphabetic()).count();
            if (letters <= 1) != (pass == Pass::Letters) || words.iter().any(|w| w.from == token) {
                continue;
            }
            if let Some((to, reason)) = decide(token, vocab, &mut finglish_left, pass) {
                words.push(WordRewrite {
                    from: token.to_string(),
                    to,
                    reason,
                });
            }
        }
    }
    if words.is_empty() {
        return None;
    }
    let order = |w: &WordRewrite| tokens.iter().position(|t| *t == w.from);
    words.sort_by_key(order);
    let replace = |token: &str| -> String {
        words
            .iter()
            .find(|w| w.from == token)
            .map_or_else(|| token.to_string(), |w| w.to.clone())
    };
    let rewritten = Parsed {
        root: parsed.root.as_ref().map(|n| rewrite_node(n, &replace)),
        warnings: parsed.warnings.clone(),
        over_limit: parsed.over_limit.clone(),
    };
    let reason = if words.iter().all(|w| w.reason == words[0].reason) {
        words[0].reason
    } else {
        RewriteReason::Mixed
    };
    Some((
        rewritten,
        Rewritten {
            from: q.to_string(),
            to: replace_in_text(q, &replace),
            reason,
            words,
        },
    ))
}

/// Shows each word read as Finglish as the documents write it (`نوآوری` rather than the term
/// `نواوری` it was found as), when one of `texts` (of the documents found) writes it cleanly.
pub fn respell(rewritten: &mut Rewritten, texts: &[&str]) {
    let mut changed = false;
    for word in rewritten
        .words
        .iter_mut()
        .filter(|w| w.reason == RewriteReason::Finglish)
    {
        if let Some(form) = written_forms(&word.to, texts)
            .into_iter()
            .find(|f| is_clean(f) && *f != word.to)
        {
            word.to = form.to_string();
            changed = true;
        }
    }
    if changed {
        let words = &rewritten.words;
        let replace = |token: &str| {
            words
                .iter()
                .find(|w| w.from == token)
                .map_or_else(|| token.to_string(), |w| w.to.clone())
        };
        rewritten.to = replace_in_text(&rewritten.from, &replace);
    }
}

/// True for a word of Latin letters (with or without accents: `fanâvari`) and the ASCII
/// punctuation of the keys: what a wrong layout or Finglish gives.
pub fn is_latin(token: &str) -> bool {
    token
        .chars()
        .all(|c| c.is_ascii_graphic() || ('\u{00C0}'..='\u{017F}').contains(&c))
        && token.chars().any(|c| c.is_ascii_alphabetic())
}

/// Finglish spells most vowels: a word of three or more letters with fewer than one vowel in
/// five (`shvd`, `svlhdi`) is keys typed with the wrong layout, not Finglish.
pub fn has_finglish_vowels(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let vowels = word
        .chars()
        .filter(|c| "aeiouâáāéíóú".contains(c.to_ascii_lowercase()))
        .count();
    letters < 3 || (vowels > 0 && vowels * 5 >= letters)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Words,
    Letters,
}

fn collect_tokens<'p>(node: &'p Node, out: &mut Vec<&'p str>) {
    match node {
        Node::Words { text, .. } | Node::Phrase { text, .. } => {
            for token in text.split_whitespace() {
                if !out.contains(&token) {
                    out.push(token);
                }
            }
        }
        Node::Not(inner) => collect_tokens(inner, out),
        Node::Or(children) | Node::And(children) => {
            for child in children {
                collect_tokens(child, out);
            }
        }
    }
}

fn rewrite_node(node: &Node, replace: &dyn Fn(&str) -> String) -> Node {
    let words = |text: &str| {
        text.split_whitespace()
            .map(replace)
            .collect::<Vec<_>>()
            .join(" ")
    };
    match node {
        Node::Words { text, scope } => Node::Words {
            text: words(text),
            scope: *scope,
        },
        Node::Phrase { text, scope } => Node::Phrase {
            text: words(text),
            scope: *scope,
        },
        Node::Not(inner) => Node::Not(Box::new(rewrite_node(inner, replace))),
        Node::Or(children) => Node::Or(children.iter().map(|c| rewrite_node(c, replace)).collect()),
        Node::And(children) => {
            Node::And(children.iter().map(|c| rewrite_node(c, replace)).collect())
        }
    }
}

/// `q` with each word replaced, keeping the query's syntax around it (quotes, parentheses,
/// `-`, `title:`) and its spacing. Words are cut where `search::parse` cuts them.
fn replace_in_text(q: &str, replace: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(q.len());
    let mut word = String::new();
    // The quote that closes the phrase being read, if any.
    let mut phrase: Option<char> = None;
    let flush = |word: &mut String, out: &mut String, in_phrase: bool| {
        if in_phrase {
            out.push_str(&replace(word));
        } else {
            // `-word`, `title:word`: the lexer reads the sign and a word ending in `:` apart.
            let mut rest = word.trim_start_matches('-');
            out.push_str(&word[..word.len() - rest.len()]);
            while let Some(i) = rest.find(':') {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
            }
            out.push_str(&replace(rest));
        }
        word.clear();
    };
    for c in q.chars() {
        let ends_word = match phrase {
            Some(close) => c.is_whitespace() || c == close || c == '"',
            None => c.is_whitespace() || matches!(c, '"' | '«' | '“' | '(' | ')'),
        };
        if !ends_word {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out, phrase.is_some());
        out.push(c);
        phrase = match (phrase, c) {
            (Some(close), c) if c == close || c == '"' => None,
            (None, '"') => Some('"'),
            (None, '«') => Some('»'),
            (None, '“') => Some('”'),
            (p, _) => p,
        };
    }
    flush(&mut word, &mut out, phrase.is_some());
    out
}

/// What a token is rewritten to, and why.
fn decide(
    token: &str,
    vocab: &Vocabulary,
    finglish_left: &mut usize,
    pass: Pass,
) -> Option<(String, RewriteReason)> {
    if is_latin(token) {
        return decide_latin(token, vocab, finglish_left, pass);
    }
    let persian = token
        .chars()
        .any(|c| ('\u{0620}'..='\u{06FF}').contains(&c))
        && !token.chars().any(|c| c.is_ascii_alphabetic());
    if !persian || known(token, vocab) {
        return None;
    }
    best_of(
        layout::layouts()
            .iter()
            .filter_map(|l| l.to_latin(token))
            .map(|c| (fold(&c), RewriteReason::KeyboardLayout)),
        0,
        vocab,
    )
}

/// A Latin word: read with each Persian layout and, when no document holds it, as Finglish;
/// rewritten when the best reading is in far more documents than the word as typed. Capitals
/// the index holds (`ICT`, `MoU`) are names and abbreviations, searched as typed.
fn decide_latin(
    token: &str,
    vocab: &Vocabulary,
    finglish_left: &mut usize,
    pass: Pass,
) -> Option<(String, RewriteReason)> {
    let typed = documents_with(token, vocab);
    if typed > 0 && token.chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    // A Latin word the documents hold is not read as Finglish (`park` in an English name), but
    // a letter beside Finglish words is (`o` in `park elm o fanavari`).
    let finglish = typed == 0 || pass == Pass::Letters;
    let mut candidates: Vec<(String, RewriteReason)> = layout::layouts()
        .iter()
        .filter_map(|l| l.to_persian(token))
        .map(|c| (c, RewriteReason::KeyboardLayout))
        .collect();
    let lower = fold(token);
    if finglish
        && is_finglish_word(&lower)
        && has_finglish_vowels(&lower)
        && *finglish_left > 0
        && let Some(automaton) = FinglishAutomaton::new(&lower, false)
    {
        *finglish_left -= 1;
        let fields = vocab.fields();
        let read = vocab
            .matching(
                &[fields.body_exact, fields.title_exact],
                &automaton,
                MAX_FINGLISH_TERMS,
            )
            .ranked();
        if let Some((term, _)) = read.into_iter().next() {
            candidates.push((term, RewriteReason::Finglish));
        }
    }
    best_of(candidates.into_iter(), typed, vocab)
}

/// The candidate in most documents, when that is far more than `typed`.
fn best_of(
    candidates: impl Iterator<Item = (String, RewriteReason)>,
    typed: u64,
    vocab: &Vocabulary,
) -> Option<(String, RewriteReason)> {
    let mut best: Option<(u64, String, RewriteReason)> = None;
    for (text, reason) in candidates {
        let n = documents_with(&text, vocab);
        if best.as_ref().is_none_or(|(m, _, _)| n > *m) {
            best = Some((n, text, reason));
        }
    }
    let (n, text, reason) = best?;
    (n > 0 && n >= typed.saturating_mul(FAR_LESS_RATIO).max(1)).then_some((text, reason))
}

/// About how many documents hold every word of `text` (the fewest of any of its words).
fn documents_with(text: &str, vocab: &Vocabulary) -> u64 {
    let words = entry_words(text);
    if words.is_empty() {
        return 0;
    }
    words.iter().map(|w| vocab.doc_freq(w)).min().unwrap_or(0)
}

/// True when every word of `text` is in some document, as typed or by its stem.
fn known(text: &str, vocab: &Vocabulary) -> bool {
    entry_words(text)
        .iter()
        .all(|w| vocab.contains(w) || vocab.contains_stem(&word_term(w, true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_replaced_inside_the_query_syntax() {
        let replace = |t: &str| match t {
            "tkh,vd" => "فناوری".to_string(),
            "hc" => "از".to_string(),
            other => other.to_string(),
        };
        assert_eq!(
            replace_in_text("tkh,vd  \"hc tkh,vd\" -(hc) title:tkh,vd", &replace),
            "فناوری  \"از فناوری\" -(از) title:فناوری"
        );
        assert_eq!(replace_in_text(" پارک ", &replace), " پارک ");
        assert_eq!(replace_in_text("hc\"tkh,vd", &replace), "از\"فناوری");
        assert_eq!(replace_in_text("«hc(tkh,vd»", &replace), "«hc(tkh,vd»");
        assert_eq!(replace_in_text("x:hc", &replace), "x:از");
    }

    #[test]
    fn latin_words_and_finglish_vowels() {
        assert!(is_latin("tkh,vd") && is_latin("fanâvari") && is_latin("ICT"));
        assert!(!is_latin("فناوری") && !is_latin("1404") && !is_latin("ICTفناوری"));
        assert!(has_finglish_vowels("fanavari") && has_finglish_vowels("roshd"));
        assert!(has_finglish_vowels("o") && has_finglish_vowels("va"));
        assert!(!has_finglish_vowels("shvd") && !has_finglish_vowels("svlhdi"));
    }

    #[test]
    fn finglish_words_are_shown_as_documents_write_them() {
        let mut r = Rewritten {
            from: "noavari dar sari".into(),
            to: "نواوری dar ساری".into(),
            reason: RewriteReason::Finglish,
            words: vec![
                WordRewrite {
                    from: "noavari".into(),
                    to: "نواوری".into(),
                    reason: RewriteReason::Finglish,
                },
                WordRewrite {
                    from: "sari".into(),
                    to: "ساری".into(),
                    reason: RewriteReason::Finglish,
                },
            ],
        };
        respell(&mut r, &["مرکز نوآوری ساری"]);
        assert_eq!(r.to, "نوآوری dar ساری");
        assert_eq!(r.words[0].to, "نوآوری");
    }
}
