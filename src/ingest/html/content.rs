//! The article in a page's text blocks: the element holding its text, and its body, title,
//! date, kind and MoU number.
//!
//! - **Container**: each paragraph of 25 letters or more that is not mostly links scores
//!   `1 + commas + min(letters / 100, 3)` for the element holding it, half that for the next one
//!   up and a third for the one above (paragraph elements themselves are skipped); an element's
//!   score is discounted by its share of link text, and the best one holds the article
//!   (Readability's idea, on blocks that template noise has already left).
//! - **Title**: the heading (or short bold line) that best matches the `og:title` or the
//!   `<title>` less the site's name; else the heading just before the text; else the `<title>`.
//! - **Body**: the blocks from the title to the container's end, less link lists, the title's
//!   repetitions and the date and counter lines before the text.
//! - **Date**: `article:published_time` and other metadata, a `<time>` near the title, then the
//!   dates written nearest the title (`۲۵ آذر ۱۴۰۴`, `1404/09/25`, …): a sidebar's or the
//!   header's "today" are far from it.
//! - **Kind and number**: the park's labels (`جزئیات تفاهم نامه`, `شماره تفاهم نامه: 54`), a
//!   title about a تفاهم‌نامه, or a URL under `/mou/`; otherwise news.

use std::collections::HashMap;

use ego_tree::NodeId;
use url::Url;

use super::blocks::{Block, PageText};
use super::classify::{NotArticle, PageClass, is_agreement_url};
use super::rules::HtmlRules;
use crate::analysis::{fold, name_key};
use crate::calendar::{Day, dates_in};
use crate::document::Kind;
use crate::ingest::page::{kind_label, number_after};
use crate::ingest::partners::organisation_named;

/// Paragraphs shorter than this do not score.
const MIN_PARAGRAPH_CHARS: usize = 25;
/// An article has at least this many letters of text.
const MIN_BODY_CHARS: usize = 120;
/// A container with this many links of a title's length is a listing…
const LISTING_LINKS: usize = 4;
/// …when its link text is at least this share of its text.
const LISTING_LINK_SHARE: f32 = 0.2;
/// How many blocks before the text a title may stand.
const TITLE_REACH: usize = 12;
/// How far from the title (in blocks) a date is looked for.
const DATE_REACH: usize = 6;

/// What the page's `<head>` says.
#[derive(Default)]
pub struct HeadMeta {
    pub title: Option<String>,
    pub og_title: Option<String>,
    /// `og:site_name`, `application-name`.
    pub site_names: Vec<String>,
    /// Publication times from metadata: `article:published_time`, `datePublished`, …
    pub published: Vec<String>,
}

/// An article read from a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub date: Day,
    pub number: Option<u64>,
    /// The organisation the site's name names (`og:site_name`, then the text of links to the
    /// home page), when it names one: on another park's site, that park, never a partner.
    pub publisher: Option<String>,
}

/// Reads the article in `text`; `selected` is the element `--selector` named.
pub fn read_article(
    text: &PageText,
    head: &HeadMeta,
    selected: Option<NodeId>,
    url: &Url,
) -> Result<Article, NotArticle> {
    let blocks = &text.blocks;
    // A page that has no article but many titles of other pages is a listing.
    let long_links: usize = blocks.iter().map(|b| b.long_links).sum();
    let no_article = |reason: String| {
        if long_links >= LISTING_LINKS {
            NotArticle::new(
                PageClass::Listing,
                format!("a listing ({long_links} links to other pages)"),
            )
        } else {
            NotArticle::new(PageClass::NoArticle, reason)
        }
    };
    let container = match selected {
        Some(id) => id,
        None => best_container(text).ok_or_else(|| no_article("no text".into()))?,
    };
    let inside: Vec<usize> = (0..blocks.len())
        .filter(|&i| blocks[i].is_inside(container))
        .collect();
    let (Some(&first), Some(&last)) = (inside.first(), inside.last()) else {
        return Err(no_article("no text in the selected element".into()));
    };
    if selected.is_none() {
        listing_check(&blocks[first..=last])?;
    }
    let site_names = site_names(text, head);
    let (title_at, title) =
        title(blocks, head, &site_names, first).ok_or_else(|| no_article("no title".into()))?;
    let body = body(blocks, title_at, &title, &site_names, first, last);
    let letters = body.chars().filter(|c| !c.is_whitespace()).count();
    if letters < MIN_BODY_CHARS {
        return Err(no_article(format!(
            "too little text for an article ({letters} letters)"
        )));
    }
    let anchor = title_at.unwrap_or(first);
    let date = date(text, head, anchor, first, last).ok_or_else(|| no_article("no date".into()))?;
    let kind = kind(blocks, anchor, first, &title, url);
    let number = match kind {
        Kind::Agreement => number(blocks, anchor, first),
        Kind::News => None,
    };
    Ok(Article {
        kind,
        title,
        body,
        date,
        number,
        publisher: head
            .site_names
            .iter()
            .chain(&text.root_link_texts)
            .find_map(|name| organisation_named(name)),
    })
}

/// The element holding the article's text (see the module's documentation).
fn best_container(text: &PageText) -> Option<NodeId> {
    let mut order: Vec<NodeId> = Vec::new();
    let mut scores: HashMap<NodeId, f32> = HashMap::new();
    let mut letters: HashMap<NodeId, (usize, usize)> = HashMap::new();
    for block in &text.blocks {
        for id in &block.path {
            let e = letters.entry(*id).or_default();
            e.0 += block.chars;
            e.1 += block.link_chars;
        }
        if block.chars < MIN_PARAGRAPH_CHARS
            || block.link_density() >= 0.5
            || block.heading.is_some()
        {
            continue;
        }
        let commas = block.text.matches([',', '،']).count() as f32;
        let score = 1.0 + commas + (block.chars as f32 / 100.0).min(3.0);
        let holders = block
            .path
            .iter()
            .rev()
            .filter(|id| !text.paragraphs.contains(id))
            .take(3);
        for (level, id) in holders.enumerate() {
            let entry = scores.entry(*id).or_insert_with(|| {
                order.push(*id);
                0.0
            });
            *entry += score / (level + 1) as f32;
        }
    }
    let mut best: Option<(NodeId, f32)> = None;
    for id in order {
        let (chars, link_chars) = letters.get(&id).copied().unwrap_or_default();
        let score = scores[&id] * (1.0 - link_chars as f32 / chars.max(1) as f32);
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((id, score));
        }
    }
    best.map(|(id, _)| id)
}

/// A container whose text is mostly titles of other pages is a listing.
fn listing_check(blocks: &[Block]) -> Result<(), NotArticle> {
    let long_links: usize = blocks.iter().map(|b| b.long_links).sum();
    let chars: usize = blocks.iter().map(|b| b.chars).sum();
    let link_chars: usize = blocks.iter().map(|b| b.link_chars).sum();
    if long_links >= LISTING_LINKS && link_chars as f32 >= LISTING_LINK_SHARE * chars as f32 {
        return Err(NotArticle::new(
            PageClass::Listing,
            format!("a listing ({long_links} links to other pages)"),
        ));
    }
    Ok(())
}

/// The site's name as the page gives it: `og:site_name`, the text of links to the root.
fn site_names(text: &PageText, head: &HeadMeta) -> Vec<String> {
    head.site_names
        .iter()
        .chain(&text.root_link_texts)
        .map(|n| name_key(n))
        .filter(|k| k.chars().count() >= 3)
        .collect()
}

/// The words of a text, folded, for comparing titles.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// How alike two titles are: 1 for the same words in any spelling, else the Jaccard index of
/// their words.
fn similarity(a: &str, b: &str) -> f32 {
    if name_key(a) == name_key(b) {
        return 1.0;
    }
    let (a, b) = (words(a), words(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|w| b.contains(w)).count();
    common as f32 / (a.len() + b.len() - common) as f32
}

/// The titles the head proposes: `og:title` and `<title>`, split at separators, without the
/// site's name and the park's section labels.
fn head_titles(head: &HeadMeta, site_names: &[String]) -> Vec<String> {
    let rules = HtmlRules::get();
    let mut titles = Vec::new();
    for whole in head.og_title.iter().chain(&head.title) {
        let mut parts = vec![whole.clone()];
        for sep in &rules.title_separators {
            parts = parts
                .iter()
                .flat_map(|p| p.split(sep.as_str()).map(str::to_string))
                .collect();
        }
        for part in parts {
            let part = part.trim().to_string();
            let key = name_key(&part);
            if !key.is_empty()
                && !site_names.contains(&key)
                && kind_label(&part).is_none()
                && !titles.contains(&part)
            {
                titles.push(part);
            }
        }
    }
    titles
}

fn is_title_candidate(block: &Block, site_names: &[String]) -> bool {
    let rules = HtmlRules::get();
    block.is_heading_like()
        && block.chars >= 6
        && kind_label(&block.text).is_none()
        && !rules.is_noise_heading(&block.text)
        && !site_names.contains(&name_key(&block.text))
}

/// The title and the index of its block, if it is one.
fn title(
    blocks: &[Block],
    head: &HeadMeta,
    site_names: &[String],
    first: usize,
) -> Option<(Option<usize>, String)> {
    let proposed = head_titles(head, site_names);
    let mut best: Option<(usize, f32)> = None;
    for (i, block) in blocks.iter().enumerate() {
        if !is_title_candidate(block, site_names) {
            continue;
        }
        let likeness = proposed
            .iter()
            .map(|t| similarity(&block.text, t))
            .fold(0.0, f32::max);
        // Between equal matches, the one nearest the text.
        let score = likeness - i.abs_diff(first) as f32 * 1e-4;
        if likeness >= 0.6 && best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    if let Some((i, _)) = best {
        return Some((Some(i), blocks[i].text.clone()));
    }
    let nearest = (first.saturating_sub(TITLE_REACH)..=first)
        .rev()
        .find(|&i| is_title_candidate(&blocks[i], site_names));
    if let Some(i) = nearest {
        return Some((Some(i), blocks[i].text.clone()));
    }
    proposed
        .into_iter()
        .max_by_key(|t| t.chars().count())
        .map(|t| (None, t))
}

/// A short line of metadata: a date, or counters (`کد خبر: ۱۲۳ تعداد بازدید: ۴۵`).
fn is_metadata(block: &Block) -> bool {
    if block.chars >= 150 {
        return false;
    }
    let digits = block.text.chars().filter(|c| c.is_numeric()).count();
    dates_in(&block.text).iter().any(Result::is_ok)
        || (block.text.contains(':') && digits * 8 >= block.chars)
}

/// The article's text: the blocks from the title to the container's end.
fn body(
    blocks: &[Block],
    title_at: Option<usize>,
    title: &str,
    site_names: &[String],
    first: usize,
    last: usize,
) -> String {
    let rules = HtmlRules::get();
    let start = match title_at {
        Some(t) if t < first && first - t <= TITLE_REACH => t + 1,
        _ => first,
    };
    let title_key = name_key(title);
    let mut lines: Vec<&str> = Vec::new();
    for (i, block) in blocks.iter().enumerate().take(last + 1).skip(start) {
        let key = name_key(&block.text);
        let leading = lines.iter().all(|l| l.chars().count() < 150);
        if Some(i) == title_at
            || key == title_key
            || block.link_density() > 0.5
            || kind_label(&block.text).is_some()
            || rules.is_noise_heading(&block.text)
            || site_names.contains(&key)
            || (leading && is_metadata(block))
        {
            continue;
        }
        lines.push(&block.text);
    }
    lines.join("\n")
}

/// The publication day: from metadata, a `<time>` near the title, or the date written nearest
/// the title.
fn date(text: &PageText, head: &HeadMeta, anchor: usize, first: usize, last: usize) -> Option<Day> {
    if let Some(day) = head
        .published
        .iter()
        .find_map(|t| Day::parse_timestamp(t).ok())
    {
        return Some(day);
    }
    let near = anchor.saturating_sub(3)..=last + 1;
    if let Some(day) = text
        .times
        .iter()
        .filter(|(at, _)| near.contains(at))
        .find_map(|(_, t)| Day::parse_timestamp(t).ok())
    {
        return Some(day);
    }
    let blocks = &text.blocks;
    let from = anchor.saturating_sub(DATE_REACH);
    let to = last.min(first.max(anchor) + 2 * DATE_REACH);
    let mut order: Vec<usize> = (from..=to.min(blocks.len().saturating_sub(1))).collect();
    // Nearest the title first; short lines (a date line, a byline) before paragraphs that
    // mention dates.
    order.sort_by_key(|&i| (blocks[i].chars >= 150, i.abs_diff(anchor), i < anchor));
    order.into_iter().find_map(|i| {
        if blocks[i].link_density() > 0.5 {
            return None;
        }
        dates_in(&blocks[i].text).into_iter().find_map(Result::ok)
    })
}

/// The blocks around the title where labels stand.
fn label_blocks(blocks: &[Block], anchor: usize, first: usize) -> &[Block] {
    let from = anchor.saturating_sub(DATE_REACH);
    let to = (first.max(anchor) + 3).min(blocks.len());
    &blocks[from..to]
}

fn kind(blocks: &[Block], anchor: usize, first: usize, title: &str, url: &Url) -> Kind {
    let near = label_blocks(blocks, anchor, first);
    if let Some(kind) = near.iter().find_map(|b| kind_label(&b.text)) {
        return kind;
    }
    let agreement = name_key("تفاهم نامه");
    let labelled = |b: &Block| {
        let key = name_key(&b.text);
        key.contains(&(name_key("شماره") + &agreement))
            || key.contains(&(name_key("تاریخ ایجاد") + &agreement))
    };
    if near.iter().any(labelled) || name_key(title).contains(&agreement) || is_agreement_url(url) {
        Kind::Agreement
    } else {
        Kind::News
    }
}

/// The MoU number from a `شماره تفاهم نامه: 54` label near the title.
fn number(blocks: &[Block], anchor: usize, first: usize) -> Option<u64> {
    let label = name_key("شماره تفاهم نامه");
    label_blocks(blocks, anchor, first)
        .iter()
        .filter(|b| name_key(&b.text).contains(&label))
        .find_map(|b| number_after(&b.text, "شماره"))
}
