//! The rules of reading a page (`data/html.toml`): which elements are template noise, which
//! headings open a section of noise, how titles name their site, which URLs are not articles.
//! Loaded once from the data file compiled into the binary.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::analysis::name_key;

const DATA: &str = include_str!("../../../data/html.toml");

#[derive(Deserialize)]
struct File {
    noise: Noise,
    title: Title,
    urls: Urls,
}

#[derive(Deserialize)]
struct Noise {
    tags: Vec<String>,
    roles: Vec<String>,
    words: Vec<String>,
    weak_words: Vec<String>,
    content_words: Vec<String>,
    headings: Vec<String>,
}

#[derive(Deserialize)]
struct Title {
    separators: Vec<String>,
}

#[derive(Deserialize)]
struct Urls {
    print: Vec<String>,
    search_paths: Vec<String>,
    search_params: Vec<String>,
    listing_paths: Vec<String>,
    pagination_params: Vec<String>,
    pagination_paths: Vec<String>,
    agreement_paths: Vec<String>,
}

/// The rules, ready for look-ups.
pub struct HtmlRules {
    pub noise_tags: HashSet<String>,
    pub noise_roles: HashSet<String>,
    pub noise_words: HashSet<String>,
    pub weak_noise_words: HashSet<String>,
    pub content_words: HashSet<String>,
    /// [`name_key`]s of the headings that open a section of noise.
    pub noise_headings: HashSet<String>,
    pub title_separators: Vec<String>,
    pub print: HashSet<String>,
    pub search_paths: HashSet<String>,
    pub search_params: HashSet<String>,
    pub listing_paths: HashSet<String>,
    pub pagination_params: HashSet<String>,
    pub pagination_paths: HashSet<String>,
    pub agreement_paths: HashSet<String>,
}

fn set(words: Vec<String>) -> HashSet<String> {
    words.into_iter().map(|w| w.to_lowercase()).collect()
}

static RULES: LazyLock<HtmlRules> = LazyLock::new(|| {
    let file: File = toml::from_str(DATA).expect("data/html.toml is valid (tested)");
    HtmlRules {
        noise_tags: set(file.noise.tags),
        noise_roles: set(file.noise.roles),
        noise_words: set(file.noise.words),
        weak_noise_words: set(file.noise.weak_words),
        content_words: set(file.noise.content_words),
        noise_headings: file.noise.headings.iter().map(|h| name_key(h)).collect(),
        title_separators: file.title.separators,
        print: set(file.urls.print),
        search_paths: set(file.urls.search_paths),
        search_params: set(file.urls.search_params),
        listing_paths: set(file.urls.listing_paths),
        pagination_params: set(file.urls.pagination_params),
        pagination_paths: set(file.urls.pagination_paths),
        agreement_paths: set(file.urls.agreement_paths),
    }
});

impl HtmlRules {
    /// The rules compiled into the binary.
    pub fn get() -> &'static HtmlRules {
        &RULES
    }

    /// Whether an element with these class and id attributes is template noise.
    pub fn is_noise_name(&self, class_and_id: &str) -> bool {
        let words = attribute_words(class_and_id);
        if words.iter().any(|w| self.noise_words.contains(w)) {
            return true;
        }
        words.iter().any(|w| self.weak_noise_words.contains(w))
            && !words.iter().any(|w| self.content_words.contains(w))
    }

    /// Whether a heading's text opens a section of noise (`نظرات`, `آخرین اخبار`, …).
    pub fn is_noise_heading(&self, text: &str) -> bool {
        let text = text.trim().trim_end_matches([':', '：', '،']);
        text.chars().count() <= 40 && self.noise_headings.contains(&name_key(text))
    }
}

/// The words of class and id attributes: split at non-alphanumerics and at lowercase-to-uppercase
/// changes, lowercased (`ctl00_cph_lblBody` → `ctl00`, `cph`, `lbl`, `body`).
pub fn attribute_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_loads() {
        let rules = HtmlRules::get();
        assert!(rules.noise_tags.contains("script"));
        assert!(rules.title_separators.contains(&" | ".to_string()));
    }

    #[test]
    fn class_words() {
        assert_eq!(
            attribute_words("ctl00_cph_lblBody news-Item"),
            ["ctl00", "cph", "lbl", "body", "news", "item"]
        );
        let rules = HtmlRules::get();
        assert!(rules.is_noise_name("widget latest-news"));
        assert!(rules.is_noise_name("site-header"));
        assert!(!rules.is_noise_name("news-header"));
        assert!(!rules.is_noise_name("news-body"));
        assert!(
            !rules.is_noise_name("akharin-akhbar"),
            "Finglish is not in the lists"
        );
    }

    #[test]
    fn noise_headings_in_any_spelling() {
        let rules = HtmlRules::get();
        for h in [
            "نظرات",
            "آخرين اخبار",
            "اخبار مرتبط",
            "پربازدیدترین‌ها",
            "برچسب‌ها:",
            "دیدگاه ها",
        ] {
            assert!(rules.is_noise_heading(h), "{h}");
        }
        assert!(!rules.is_noise_heading("محورهای اصلی همکاری"));
    }
}
