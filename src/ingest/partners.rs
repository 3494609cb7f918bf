//! Partner extraction: the organisations that are parties to an agreement (or that a news item is
//! about), found in the title and the lead paragraph, never the publisher itself.
//!
//! Two sources, merged: names of the [`PartnerRegistry`] (any alias, any spelling) wherever they
//! occur in the title or lead, and unknown organisations in the party patterns
//! `میان X و Y`, `بین X و Y`, `با X`, `X، Y و Z` — split before organisation head words
//! (`شرکت`, `دانشگاه`, …) and cleaned of trailing verbs (`به امضا رسید`). Unknown names keep
//! their written form.

use crate::analysis::name_key;
use crate::analysis::segment::Segments;
use crate::document::PartnerRegistry;

/// The publisher, never a partner.
pub const PUBLISHER: &str = "پارک علم و فناوری مازندران";

/// Words an organisation's name starts with.
const ORGANISATION_HEADS: &[&str] = &[
    "شرکت",
    "دانشگاه",
    "دانشکده",
    "پژوهشگاه",
    "پژوهشکده",
    "موسسه",
    "مؤسسه",
    "سازمان",
    "اداره",
    "اتاق",
    "بانک",
    "صندوق",
    "پارک",
    "شهرداری",
    "استانداری",
    "بنیاد",
    "انجمن",
    "اتحادیه",
    "ستاد",
    "معاونت",
    "مرکز",
    "گروه",
    "هلدینگ",
    "شبکه",
    "فرمانداری",
    "وزارت",
    "جهاد",
];

/// Words that end a party list (`… به امضا رسید`, `… با هدف …`).
const STOPPERS: &[&str] = &[
    "به امضا",
    "امضا شد",
    "امضا کرد",
    "منعقد",
    "در",
    "با",
    "به منظور",
    "برای",
    "جهت",
    "زمینه",
    "روز",
    "امروز",
    "در پی",
    "تفاهم",
    "همکاری",
    "برگزار",
    "که",
    "یکی",
    "فراهم",
    "توسط",
];

/// Words that open a party list.
const OPENERS: &[&str] = &["میان", "بین", "با"];

/// Partners mentioned in the title and lead, canonical names first-seen order.
pub fn extract_partners(title: &str, body: &str) -> Vec<String> {
    let registry = PartnerRegistry::get();
    let lead = lead_paragraph(body);
    let publisher = name_key(PUBLISHER);
    let mut found: Vec<(String, String)> = Vec::new(); // (key, display)
    let mut push = |display: &str| {
        let display = registry.canonical(display).to_string();
        let key = name_key(&display);
        if key.is_empty() || key == publisher || found.iter().any(|(k, _)| *k == key) {
            return;
        }
        found.push((key, display));
    };
    for text in [title, lead] {
        for name in registered_mentions(text, registry) {
            push(&name);
        }
        for name in party_phrases(text) {
            push(&name);
        }
    }
    found.into_iter().map(|(_, d)| d).collect()
}

/// The body's first paragraph with more than a few words (the lead sentence(s)).
fn lead_paragraph(body: &str) -> &str {
    body.split("\n\n")
        .map(str::trim)
        .find(|p| p.split_whitespace().count() > 8)
        .unwrap_or("")
}

/// Registered names and aliases found in `text`, longest first at each word.
fn registered_mentions(text: &str, registry: &PartnerRegistry) -> Vec<String> {
    let mut seg = Segments::default();
    seg.split(text);
    let keys: Vec<String> = seg
        .words
        .iter()
        .map(|w| {
            let mut s = String::new();
            crate::analysis::compounds::push_joined(&seg, w, &mut s);
            s
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        // The longest run of words starting at i that is a registered name.
        let mut best: Option<(usize, &str)> = None;
        let mut joined = String::new();
        for (j, key) in keys.iter().enumerate().skip(i).take(16) {
            joined.push_str(key);
            if let Some(p) = registry.find_by_key(&joined) {
                best = Some((j + 1, p.name.as_str()));
            }
        }
        match best {
            Some((end, name)) => {
                out.push(name.to_string());
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// Organisations named in `میان X و Y` / `بین X و Y` / `با X` phrases, as written.
fn party_phrases(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !OPENERS.contains(&words[i]) {
            i += 1;
            continue;
        }
        // The list runs to the first stopper or sentence end.
        let mut list: Vec<&str> = Vec::new();
        let mut j = i + 1;
        while j < words.len() && !starts_stopper(&words[j..]) {
            let w = words[j];
            let ends = w.ends_with(['.', '؛', ':', '!', '؟']);
            list.push(w.trim_end_matches(['.', '؛', ':', '!', '؟']));
            j += 1;
            if ends {
                break;
            }
        }
        out.extend(split_parties(&list));
        i = j.max(i + 1);
    }
    out
}

fn starts_stopper(words: &[&str]) -> bool {
    STOPPERS.iter().any(|s| {
        let stopper: Vec<&str> = s.split(' ').collect();
        words.len() >= stopper.len()
            && stopper
                .iter()
                .zip(words)
                .all(|(a, b)| name_key(a) == name_key(b))
    })
}

fn is_head(word: &str) -> bool {
    let key = name_key(word.trim_start_matches(['«', '"']));
    ORGANISATION_HEADS.iter().any(|h| name_key(h) == key)
}

/// Splits `X و Y، Z` at `و`/`،` where an organisation head word follows; keeps only pieces
/// that start with a head word.
fn split_parties(list: &[&str]) -> Vec<String> {
    let mut parties: Vec<Vec<&str>> = vec![Vec::new()];
    for (k, w) in list.iter().enumerate() {
        let next_is_head = list.get(k + 1).is_some_and(|n| is_head(n));
        let current = parties.last_mut().expect("never empty");
        if *w == "و" && next_is_head && !current.is_empty() {
            parties.push(Vec::new());
        } else if let Some(stripped) = w.strip_suffix('،') {
            current.push(stripped);
            if next_is_head {
                parties.push(Vec::new());
            }
        } else {
            current.push(w);
        }
    }
    parties
        .into_iter()
        .filter(|p| p.first().is_some_and(|w| is_head(w)) && p.len() >= 2 && p[1] != "و")
        .map(|p| {
            p.join(" ")
                .trim_matches(['«', '»', '"', '،', ' '])
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_one_partner_not_the_publisher() {
        let seed = crate::ingest::page::parse_page(
            "mou-054",
            "x",
            include_str!("../../tests/data/mou-054.txt"),
        )
        .unwrap();
        assert_eq!(
            extract_partners(&seed.title, &seed.body),
            vec!["پارک فناوری و نوآوری صنعت نفت"]
        );
    }

    #[test]
    fn unknown_organisations_keep_their_written_name() {
        let title = "تفاهم‌نامه همکاری پارک علم و فناوری مازندران با شرکت دانش‌بنیان نوآوران طبرستان به امضا رسید";
        assert_eq!(
            extract_partners(title, ""),
            vec!["شرکت دانش‌بنیان نوآوران طبرستان"]
        );
    }

    #[test]
    fn three_parties_and_aliases() {
        let title = "امضای تفاهم‌نامه سه‌جانبه میان پارک علم و فناوری مازندران، دانشگاه صنعتی بابل و بانک ملی";
        assert_eq!(
            extract_partners(title, ""),
            vec!["دانشگاه صنعتی نوشیروانی بابل", "بانک ملی ایران"]
        );
    }
}
