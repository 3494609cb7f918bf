//! Partner extraction: the organisations that are parties to an agreement (or that a news item
//! is about), found in the title and the lead paragraph, never the publisher itself.
//!
//! - [`words`]: a text as words with their keys and the punctuation between them;
//! - [`shapes`]: the shapes of organisation names (`data/organisations.toml`);
//! - [`names`]: finding names by their shapes and ending each at the right word, officials
//!   standing for their organisations, names of the registry in any spelling;
//! - [`roles`]: telling parties from organisations named in passing.
//!
//! A name is reported once per organisation ([`PartnerRegistry::key`], and a short form of a
//! longer name on the same page), in its registry's canonical form, else in the fullest form
//! the page writes it.

mod names;
mod roles;
mod shapes;
mod words;

use crate::analysis::{name_key, word_keys};
use crate::document::PartnerRegistry;
use crate::document::places::Places;
pub use names::{Found, find_names};
use roles::Role;
pub use words::{Gap, Words};

/// The publisher of the park's own pages, never a partner of them.
pub const PUBLISHER: &str = "پارک علم و فناوری مازندران";

/// Partners in the title and lead of a page the park published, first-seen order.
pub fn extract_partners(title: &str, body: &str) -> Vec<String> {
    extract_partners_published_by(PUBLISHER, title, body)
}

/// The organisation a short text such as a site's name names (the first one, as written):
/// `پارک علم و فناوری گلستان` in «پارک علم و فناوری گلستان | اخبار», none in «خبرهای روز».
pub fn organisation_named(text: &str) -> Option<String> {
    find_names(&Words::of(text))
        .into_iter()
        .next()
        .map(|f| f.name)
}

/// Partners in the title and lead of a page `publisher` published (on another park's page,
/// or an agency's, the Mazandaran park may be a partner), first-seen order. Attendees count only
/// when no party is named.
pub fn extract_partners_published_by(publisher: &str, title: &str, body: &str) -> Vec<String> {
    let registry = PartnerRegistry::get();
    let publisher = registry.key(publisher);
    let mut parties: Vec<Candidate> = Vec::new();
    let mut attendees: Vec<Candidate> = Vec::new();
    for text in [title, lead_paragraph(body)] {
        let words = Words::of(text);
        for found in find_names(&words) {
            let role = roles::role(&words, &found);
            if role == Role::Mention {
                continue;
            }
            for name in around_publisher(&found.name, &publisher) {
                let candidate = Candidate::new(name);
                if candidate.key.is_empty() || candidate.key == publisher {
                    continue;
                }
                match role {
                    Role::Party => parties.push(candidate),
                    _ => attendees.push(candidate),
                }
            }
        }
    }
    let chosen = if parties.is_empty() {
        attendees
    } else {
        parties
    };
    one_per_organisation(chosen)
}

/// The byte spans of the organisation names in a text (officials with their titles), each
/// with whether it names a party (not an organisation named in passing).
pub fn name_spans(words: &Words) -> Vec<(std::ops::Range<usize>, bool)> {
    find_names(words)
        .into_iter()
        .map(|found| {
            let party = roles::role(words, &found) == Role::Party;
            let span = words.words[found.start].from..words.words[found.end - 1].to;
            (span, party)
        })
        .collect()
}

/// A name found on a page, with what comparing it takes.
struct Candidate {
    name: String,
    key: String,
    words: Vec<String>,
    registered: bool,
    ends_at_place: bool,
}

impl Candidate {
    fn new(written: String) -> Candidate {
        let registry = PartnerRegistry::get();
        let registered = registry.find(&written).map(|p| p.name.clone());
        let words = word_keys(&written);
        let keys: Vec<&str> = words.iter().map(String::as_str).collect();
        let places = Places::get();
        let ends_at_place = (keys.len().saturating_sub(3)..keys.len()).any(|k| {
            places
                .at(&keys, k, true)
                .is_some_and(|(_, n)| k + n == keys.len())
        });
        Candidate {
            key: registry.key(&written),
            registered: registered.is_some(),
            name: registered.unwrap_or(written),
            words,
            ends_at_place,
        }
    }
}

/// One name per organisation: one per key (the fullest written form of an unregistered name),
/// and a short form of a longer name on the same page is that name (`شرکت گاز` and `شرکت گاز
/// استان مازندران`; `شرکت X` and `شرکت X برگزیده جشنواره …` in a title that runs on): the one
/// ending at a place is kept, else the shorter.
fn one_per_organisation(candidates: Vec<Candidate>) -> Vec<String> {
    let mut kept: Vec<Candidate> = Vec::new();
    for c in candidates {
        let same = kept.iter().position(|k| {
            k.key == c.key
                || (!k.registered || !c.registered)
                    && (k.words.starts_with(&c.words) || c.words.starts_with(&k.words))
        });
        match same {
            None => kept.push(c),
            Some(i) => {
                let k = &kept[i];
                let better = if k.key == c.key {
                    !k.registered && c.name.chars().count() > k.name.chars().count()
                } else if k.ends_at_place != c.ends_at_place {
                    c.ends_at_place
                } else {
                    c.words.len() < k.words.len()
                };
                if better {
                    kept[i] = c;
                }
            }
        }
    }
    kept.into_iter().map(|c| c.name).collect()
}

/// A name of two places (`پارک علم و فناوری گیلان و مازندران`) is two organisations when one
/// of them is the publisher or a registered partner; otherwise one organisation of two places
/// (`شرکت برق منطقه‌ای مازندران و گلستان`).
fn around_publisher(name: &str, publisher: &str) -> Vec<String> {
    let tokens: Vec<&str> = name.split_whitespace().collect();
    let Some(and) = tokens.iter().rposition(|t| name_key(t) == "و") else {
        return vec![name.to_string()];
    };
    let keys: Vec<String> = tokens.iter().map(|t| name_key(t)).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let places = Places::get();
    let second = places
        .at(&keys, and + 1, true)
        .is_some_and(|(_, n)| and + 1 + n == keys.len());
    let first = (and.saturating_sub(3)..and)
        .find(|&k| places.at(&keys, k, true).is_some_and(|(_, n)| k + n == and));
    let (Some(first), true) = (first, second) else {
        return vec![name.to_string()];
    };
    let stem = tokens[..first].join(" ");
    let split = [
        format!("{stem} {}", tokens[first..and].join(" ")),
        format!("{stem} {}", tokens[and + 1..].join(" ")),
    ];
    let registry = PartnerRegistry::get();
    if split
        .iter()
        .any(|n| registry.key(n) == publisher || registry.find(n).is_some())
    {
        split.to_vec()
    } else {
        vec![name.to_string()]
    }
}

/// The body's first paragraph with more than a few words that is a sentence (a subtitle is
/// not: it has no full stop).
fn lead_paragraph(body: &str) -> &str {
    body.split("\n\n")
        .map(str::trim)
        .find(|p| p.split_whitespace().count() > 8 && p.contains(['.', '؟', '!', ':', '،']))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_one_partner_not_the_publisher() {
        let seed = crate::ingest::page::parse_page(
            "mou-054",
            "x",
            include_str!("../../../tests/data/mou-054.txt"),
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

    #[test]
    fn the_publisher_is_whoever_published_the_page() {
        let title = "تفاهم‌نامه همکاری پارک‌های علم و فناوری سمنان و مازندران امضا شد";
        assert_eq!(
            extract_partners_published_by("پـارک علم و فناوری استان سمنان", title, ""),
            vec!["پارک علم و فناوری مازندران"]
        );
        assert_eq!(extract_partners(title, ""), vec!["پارک علم و فناوری سمنان"]);
    }
}
