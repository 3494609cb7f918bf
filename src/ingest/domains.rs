//! Domain assignment from the taxonomy's weighted keywords, matched through the analyzer (so
//! `زیست‌فناوری`, `زیستفناوری` and `زیست فناوری`, plurals and Arabic letters all count).
//!
//! A keyword scores its weight for each place it occurs (at most [`MAX_COUNTED`] times), times
//! [`TITLE_WEIGHT`] in the title and [`FOCUS_WEIGHT`] in the bullet lines under a
//! «محورهای همکاری» heading. The 1–3 domains kept are those scoring at least [`MIN_SCORE`] and
//! [`MIN_SHARE`] of the best; a parent gives way to its children.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

use crate::analysis::compounds::{concatenation, spaced_runs, word_term};
use crate::analysis::name_key;
use crate::analysis::segment::Segments;
use crate::document::Taxonomy;
use crate::document::taxonomy::parent_of;
use crate::ingest::partners::{Gap, Words, name_spans};

pub const TITLE_WEIGHT: f32 = 3.0;
pub const FOCUS_WEIGHT: f32 = 2.0;
/// What a keyword in a party's name weighs, against one in the text.
pub const NAME_WEIGHT: f32 = 0.5;
pub const MAX_COUNTED: usize = 3;
pub const MIN_SCORE: f32 = 8.0;
/// Bodies shorter than this many words need a proportionally lower score…
pub const SHORT_BODY_WORDS: usize = 100;
/// … down to this share of [`MIN_SCORE`].
pub const MIN_SHORT_FACTOR: f32 = 0.5;
pub const MIN_SHARE: f32 = 0.3;
pub const MAX_DOMAINS: usize = 3;
/// A list of this many sectors or more names them in passing.
pub const MIN_LIST_ITEMS: usize = 3;
/// Most words of one item of a list.
pub const MAX_LIST_ITEM_WORDS: usize = 3;

/// A keyword as terms: its words' stems in order, and its words joined (for documents that
/// write it as one word).
struct Keyword {
    domain: usize,
    weight: f32,
    stems: Vec<String>,
    joined: String,
}

static KEYWORDS: LazyLock<Vec<Keyword>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for (i, d) in Taxonomy::get().domains.iter().enumerate() {
        for (phrase, weight) in &d.keywords {
            let mut seg = Segments::default();
            seg.split(phrase);
            let mut stems = Vec::new();
            for w in &seg.words {
                for p in seg.word_parts(w) {
                    stems.push(word_term(seg.part_text(p), true).into_owned());
                }
            }
            out.push(Keyword {
                domain: i,
                weight: *weight,
                joined: word_term(&name_key(phrase), true).into_owned(),
                stems,
            });
        }
    }
    out
});

/// The terms of a text by position (as the index counts them: one per ZWNJ part): the stem of
/// each part, and the stems of each word joined and of each run of 2–3 spaced words
/// concatenated (a keyword written `زیستفناوری` meets `زیست‌فناوری` and `زیست فناوری`).
struct Positions {
    stems: Vec<String>,
    joined: HashMap<String, Vec<usize>>,
}

impl Positions {
    fn of(text: &str) -> Positions {
        let mut seg = Segments::default();
        seg.split(text);
        let mut stems = Vec::new();
        let mut joined: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, word) in seg.words.iter().enumerate() {
            let position = stems.len();
            let ends = std::iter::once(i + 1).chain(spaced_runs(&seg, i).map(|(_, end)| end));
            for end in ends {
                let written = concatenation(&seg, &seg.words[i..end]);
                let stem = word_term(&written, true).into_owned();
                joined.entry(stem).or_default().push(position);
            }
            for part in seg.word_parts(word) {
                stems.push(word_term(seg.part_text(part), true).into_owned());
            }
        }
        Positions { stems, joined }
    }

    /// How many distinct positions each keyword occurs at, by index into [`KEYWORDS`]: each
    /// position's stem looks up the keywords it starts, each joined form those it is.
    fn counts(&self) -> FxHashMap<usize, usize> {
        let mut at: FxHashMap<usize, FxHashSet<usize>> = FxHashMap::default();
        for (p, stem) in self.stems.iter().enumerate() {
            for &k in KEYWORD_INDEX
                .by_first_stem
                .get(stem.as_str())
                .into_iter()
                .flatten()
            {
                let rest = &KEYWORDS[k].stems[1..];
                if rest
                    .iter()
                    .enumerate()
                    .all(|(j, s)| self.stems.get(p + j + 1) == Some(s))
                {
                    at.entry(k).or_default().insert(p);
                }
            }
        }
        for (joined, positions) in &self.joined {
            for &k in KEYWORD_INDEX
                .by_joined
                .get(joined.as_str())
                .into_iter()
                .flatten()
            {
                at.entry(k).or_default().extend(positions);
            }
        }
        at.into_iter()
            .map(|(k, positions)| (k, positions.len()))
            .collect()
    }
}

/// [`KEYWORDS`] by the stem of their first part and by their joined form.
struct KeywordIndex {
    by_first_stem: FxHashMap<&'static str, Vec<usize>>,
    by_joined: FxHashMap<&'static str, Vec<usize>>,
}

static KEYWORD_INDEX: LazyLock<KeywordIndex> = LazyLock::new(|| {
    let mut index = KeywordIndex {
        by_first_stem: FxHashMap::default(),
        by_joined: FxHashMap::default(),
    };
    for (i, k) in KEYWORDS.iter().enumerate() {
        if let Some(first) = k.stems.first() {
            index
                .by_first_stem
                .entry(first.as_str())
                .or_default()
                .push(i);
        }
        index
            .by_joined
            .entry(k.joined.as_str())
            .or_default()
            .push(i);
    }
    index
});

/// Scores per domain id, highest first (for inspection and tests).
pub fn domain_scores(title: &str, body: &str) -> Vec<(String, f32)> {
    let taxonomy = Taxonomy::get();
    let (title, title_names) = without_passing(title);
    let (body, body_names) = without_passing(body);
    let parts = [
        (Positions::of(&title), TITLE_WEIGHT),
        (Positions::of(&title_names), TITLE_WEIGHT * NAME_WEIGHT),
        (Positions::of(&focus_lines(&body)), FOCUS_WEIGHT),
        (Positions::of(&body), 1.0),
        (Positions::of(&body_names), NAME_WEIGHT),
    ];
    let mut scores: BTreeMap<usize, f32> = BTreeMap::new();
    for (positions, factor) in &parts {
        for (k, n) in positions.counts() {
            let k = &KEYWORDS[k];
            *scores.entry(k.domain).or_default() += k.weight * factor * n.min(MAX_COUNTED) as f32;
        }
    }
    let mut ranked: Vec<(String, f32)> = scores
        .into_iter()
        .map(|(i, s)| (taxonomy.domains[i].id.clone(), s))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
}

/// The 1–3 confident domains of a document.
pub fn assign_domains(title: &str, body: &str) -> Vec<String> {
    let ranked = domain_scores(title, body);
    let Some(best) = ranked.first().map(|(_, s)| *s) else {
        return Vec::new();
    };
    // A short page (a title and two sentences) says less of everything.
    let length = body.split_whitespace().count() as f32 / SHORT_BODY_WORDS as f32;
    let min_score = MIN_SCORE * length.clamp(MIN_SHORT_FACTOR, 1.0);
    let mut kept: Vec<String> = ranked
        .iter()
        .filter(|(_, s)| *s >= min_score && *s >= best * MIN_SHARE)
        .map(|(id, _)| id.clone())
        .collect();
    // A child says more than its parent: a kept parent gives way to a child scoring at least
    // half as much (`انرژی` in a text about `انرژی خورشیدی`).
    for id in kept.iter_mut() {
        let parent_score = ranked
            .iter()
            .find(|(r, _)| r == id)
            .map_or(0.0, |(_, s)| *s);
        if let Some((child, _)) = ranked
            .iter()
            .find(|(r, s)| parent_of(r) == Some(id.as_str()) && *s >= parent_score * 0.5)
        {
            *id = child.clone();
        }
    }
    kept.dedup();
    let children_parents: Vec<String> = kept
        .iter()
        .filter_map(|id| parent_of(id).map(str::to_string))
        .collect();
    kept.retain(|id| !children_parents.contains(id));
    kept.truncate(MAX_DOMAINS);
    kept
}

/// The spans of the lists of three sectors or more in a text: `شرکت‌هایی از حوزه‌های
/// کشاورزی، صنایع غذایی، گردشگری و انرژی` names domains in passing.
fn lists(words: &Words) -> Vec<std::ops::Range<usize>> {
    let mut lists = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let items = list_items(words, i);
        if items.len() >= MIN_LIST_ITEMS {
            let span =
                words.words[items[0].start].from..words.words[items[items.len() - 1].end - 1].to;
            let mut domains: HashSet<usize> = HashSet::new();
            for item in &items {
                let positions = Positions::of(words.written(item.start, item.end));
                domains.extend(positions.counts().into_keys().map(|k| KEYWORDS[k].domain));
            }
            if domains.len() >= MIN_LIST_ITEMS {
                lists.push(span);
            }
            i = items[items.len() - 1].end;
        } else {
            i += 1;
        }
    }
    lists
}

/// The items of a list starting at word `at`: runs of at most [`MAX_LIST_ITEM_WORDS`] words,
/// separated by commas, the last by «و» (`کشاورزی، صنایع غذایی، گردشگری و انرژی`).
fn list_items(words: &Words, at: usize) -> Vec<std::ops::Range<usize>> {
    let mut items = Vec::new();
    let mut start = at;
    let mut j = at;
    loop {
        // An item: words after spaces, up to a comma, «و» or anything else.
        while j < words.len()
            && j - start < MAX_LIST_ITEM_WORDS
            && (j == start || words.gap(j) == Gap::Space)
            && words.key(j) != "و"
        {
            j += 1;
        }
        if j == start {
            return items;
        }
        items.push(start..j);
        if words.gap(j) == Gap::Comma && words.key(j) != "و" {
            start = j;
        } else if words.key(j) == "و" && words.gap(j) == Gap::Space && items.len() >= 2 {
            // The last item, after «و».
            let last = j + 1;
            let mut end = last;
            while end < words.len()
                && end - last < MAX_LIST_ITEM_WORDS
                && (end == last || words.gap(end) == Gap::Space)
                && words.key(end) != "و"
            {
                end += 1;
            }
            if end > last {
                items.push(last..end);
            }
            return items;
        } else {
            // No «و» closes it: not a list.
            items.clear();
            return items;
        }
    }
}

/// A text split in two: without what names domains only in passing (blanked out), and its
/// parties' names alone. Names say who, not what a page is about (`وزیر نفت`, `پژوهشگاه پلیمر
/// و پتروشیمی ایران`): names in passing count for nothing, parties' names for
/// [`NAME_WEIGHT`], lists of sectors for nothing.
fn without_passing(text: &str) -> (Cow<'_, str>, String) {
    let words = Words::of(text);
    let names = name_spans(&words);
    let lists = lists(&words);
    if names.is_empty() && lists.is_empty() {
        return (Cow::Borrowed(text), String::new());
    }
    let mut rest = text.to_string();
    let mut party_names = String::new();
    for (span, party) in names {
        if party {
            party_names.push_str(&text[span.clone()]);
            party_names.push_str(" . ");
        }
        rest.replace_range(span.clone(), &" ".repeat(span.len()));
    }
    for span in lists {
        rest.replace_range(span.clone(), &" ".repeat(span.len()));
    }
    (Cow::Owned(rest), party_names)
}

/// The bullet lines under a «محورهای همکاری» (or similar «محور») heading.
fn focus_lines(body: &str) -> String {
    let mut out = String::new();
    let mut in_focus = false;
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with('-') || t.starts_with('•') {
            if in_focus {
                out.push_str(t.trim_start_matches(['-', '•']));
                out.push('\n');
            }
        } else if !t.is_empty() {
            in_focus = name_key(t).contains("محور") && t.split_whitespace().count() <= 6;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_is_oil_and_gas() {
        let seed = crate::ingest::page::parse_page(
            "mou-054",
            "x",
            include_str!("../../tests/data/mou-054.txt"),
        )
        .unwrap();
        let domains = assign_domains(&seed.title, &seed.body);
        assert!(
            domains.contains(&"energy/oil-gas".to_string()),
            "{domains:?}"
        );
        assert!(domains.len() <= 3);
    }

    #[test]
    fn sectors_listed_in_passing_and_names_count_for_nothing() {
        let title = "دوره آموزشی بازاریابی دیجیتال برای شرکت‌های فناور برگزار شد";
        let body = "در این دوره، مدیران ۴۵ شرکت از حوزه‌های کشاورزی، صنایع غذایی، گردشگری و \
                    انرژی با تبلیغات در شبکه‌های اجتماعی، فروشگاه اینترنتی و تحلیل داده \
                    مشتریان آشنا شدند. وزیر نفت و رئیس سازمان جهاد کشاورزی نیز حضور داشتند.";
        let domains = assign_domains(title, body);
        assert!(domains.contains(&"ict".to_string()), "{domains:?}");
        for passing in ["agriculture", "food", "tourism", "energy", "energy/oil-gas"] {
            assert!(
                !domains.contains(&passing.to_string()),
                "{passing}: {domains:?}"
            );
        }
    }

    #[test]
    fn a_short_page_gets_its_domain() {
        let title = "بازدید رئیس سازمان مدیریت و برنامه‌ریزی استان از پارک";
        let body = "رئیس سازمان مدیریت و برنامه‌ریزی استان از تخصیص ۲۰۰ میلیارد ریال اعتبار \
                    برای تکمیل ناحیه نوآوری خبر داد. او گفت این اعتبار از محل منابع \
                    سرمایه‌گذاری سال جاری پرداخت می‌شود.";
        assert_eq!(assign_domains(title, body), vec!["finance".to_string()]);
    }

    #[test]
    fn keywords_match_in_any_spelling() {
        for text in ["زیست‌فناوری", "زیستفناوری", "زیست فناوری", "زيست فناوري"]
        {
            let d = assign_domains(&format!("همکاری در {text} و {text}"), "");
            assert_eq!(d, vec!["biotech".to_string()], "{text}");
        }
    }
}
