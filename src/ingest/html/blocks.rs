//! A page's DOM as a list of text blocks, with template noise left out.
//!
//! A block is a run of text between block-level boundaries (`<p>`, `<div>`, `<li>`, `<td>`,
//! headings, `<br>`…), with what the reader needs to judge it: its length, how much of it is
//! link text or emphasis, whether it is a heading, and the block-level elements holding it.
//!
//! Left out: elements that are noise by tag (`script`, `nav`, `aside`, `footer`…), by `role`,
//! by being hidden, by the words of their class and id (`sidebar`, `share`, `comments`…, see
//! `data/html.toml`; an element holding most of the page's text is kept whatever its class says,
//! like WordPress's `site-content has-sidebar`), and sections opened by a Persian heading of
//! noise (`نظرات`, `آخرین اخبار`, `اخبار مرتبط`…) — which is how templates whose class names are
//! in Finglish or meaningless are read.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

use super::rules::HtmlRules;

/// An element holding more than this share of the page's text is never noise by its class.
const MOST_OF_THE_PAGE: f32 = 0.4;
/// Links with at least this many letters are titles of other pages (a listing has many).
pub const LONG_LINK_CHARS: usize = 20;

/// A run of text between block-level boundaries.
#[derive(Clone, Debug)]
pub struct Block {
    /// The text, whitespace collapsed.
    pub text: String,
    /// Letters and other non-space characters.
    pub chars: usize,
    /// Of which inside links.
    pub link_chars: usize,
    /// Of which in bold, strong, large fonts or headings.
    pub emphasized_chars: usize,
    /// The level of the heading (`h1` → 1) it is in.
    pub heading: Option<u8>,
    /// Links of [`LONG_LINK_CHARS`] or more in it.
    pub long_links: usize,
    /// The block-level elements holding it, outermost first; the last is its container.
    pub path: Vec<NodeId>,
}

impl Block {
    pub fn container(&self) -> NodeId {
        *self.path.last().expect("every block is inside <html>")
    }

    pub fn link_density(&self) -> f32 {
        self.link_chars as f32 / self.chars.max(1) as f32
    }

    /// A heading, or a short line all in bold or a large font (how older pages write titles).
    pub fn is_heading_like(&self) -> bool {
        self.heading.is_some() || (self.emphasized_chars == self.chars && self.chars <= 250)
    }

    pub fn is_inside(&self, element: NodeId) -> bool {
        self.path.contains(&element)
    }
}

/// The text of a page.
pub struct PageText {
    pub blocks: Vec<Block>,
    /// Block-level elements that are paragraphs rather than containers (`p`, `li`, `h2`…).
    pub paragraphs: HashSet<NodeId>,
    /// The `datetime` of each `<time>` outside the noise, with the index of the block it is in
    /// or before.
    pub times: Vec<(usize, String)>,
    /// Texts and image descriptions of links to the site's root (the logo, «صفحه اصلی»): the
    /// site's name, when a title repeats it.
    pub root_link_texts: Vec<String>,
    /// Non-space characters under each element, noise included.
    pub text_under: HashMap<NodeId, usize>,
}

/// Reads the text blocks of `html`. Elements in `keep` (the one `--selector` names and its
/// ancestors) are never noise.
pub fn page_text(html: &Html, keep: &HashSet<NodeId>) -> PageText {
    let rules = HtmlRules::get();
    let text_under = text_under(html);
    let total = text_under
        .get(&html.root_element().id())
        .copied()
        .unwrap_or(0);
    let mut walk = Walk {
        rules,
        keep,
        text_under: &text_under,
        total,
        blocks: Vec::new(),
        paragraphs: HashSet::new(),
        times: Vec::new(),
        root_link_texts: Vec::new(),
        current: Current::default(),
        path: Vec::new(),
        links: Vec::new(),
        emphasis: 0,
        headings: Vec::new(),
        skip: None,
        in_article: 0,
    };
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => walk.open(node),
            Edge::Close(node) => walk.close(node),
        }
    }
    walk.flush();
    let mut text = PageText {
        blocks: walk.blocks,
        paragraphs: walk.paragraphs,
        times: walk.times,
        root_link_texts: walk.root_link_texts,
        text_under,
    };
    drop_noise_sections(&mut text, total, keep);
    text
}

/// Non-space characters of text under each element (scripts and styles not counted).
fn text_under(html: &Html) -> HashMap<NodeId, usize> {
    let mut counts: HashMap<NodeId, usize> = HashMap::new();
    let mut stack: Vec<(NodeId, usize)> = Vec::new();
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(_) => stack.push((node.id(), 0)),
                Node::Text(t) => {
                    let raw = matches!(
                        node.parent()
                            .and_then(|p| p.value().as_element().map(|e| e.name())),
                        Some("script" | "style" | "noscript" | "template")
                    );
                    if !raw && let Some(top) = stack.last_mut() {
                        top.1 += t.chars().filter(|c| !c.is_whitespace()).count();
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if matches!(node.value(), Node::Element(_))
                    && let Some((id, n)) = stack.pop()
                {
                    counts.insert(id, n);
                    if let Some(parent) = stack.last_mut() {
                        parent.1 += n;
                    }
                }
            }
        }
    }
    counts
}

#[derive(Default)]
struct Current {
    text: String,
    chars: usize,
    link_chars: usize,
    emphasized_chars: usize,
    heading: Option<u8>,
    long_links: usize,
}

struct Walk<'a> {
    rules: &'static HtmlRules,
    keep: &'a HashSet<NodeId>,
    text_under: &'a HashMap<NodeId, usize>,
    total: usize,
    blocks: Vec<Block>,
    paragraphs: HashSet<NodeId>,
    times: Vec<(usize, String)>,
    root_link_texts: Vec<String>,
    current: Current,
    /// Block-level elements open.
    path: Vec<NodeId>,
    /// Links open: the letters of each so far, and whether it goes to the site's root.
    links: Vec<(usize, bool, String)>,
    emphasis: usize,
    headings: Vec<u8>,
    /// The noise element being skipped.
    skip: Option<NodeId>,
    /// `<article>` and `<main>` elements open.
    in_article: usize,
}

/// Elements that end a block of text: paragraphs and the elements that hold them.
fn is_block_level(tag: &str) -> bool {
    is_paragraph(tag)
        || matches!(
            tag,
            "article"
                | "aside"
                | "body"
                | "center"
                | "details"
                | "dialog"
                | "div"
                | "dl"
                | "fieldset"
                | "figure"
                | "footer"
                | "form"
                | "header"
                | "hr"
                | "html"
                | "main"
                | "nav"
                | "ol"
                | "section"
                | "table"
                | "tbody"
                | "td"
                | "tfoot"
                | "thead"
                | "tr"
                | "ul"
        )
}

/// Block-level elements that are paragraphs rather than containers of paragraphs.
fn is_paragraph(tag: &str) -> bool {
    heading_level(tag).is_some()
        || matches!(
            tag,
            "p" | "li"
                | "pre"
                | "blockquote"
                | "dd"
                | "dt"
                | "figcaption"
                | "caption"
                | "th"
                | "address"
                | "summary"
        )
}

fn is_emphasis(element: &scraper::node::Element) -> bool {
    match element.name() {
        "b" | "strong" => true,
        "font" => element.attr("size").is_some_and(|s| {
            let s = s.trim();
            s.starts_with('+') || s.parse::<u8>().is_ok_and(|n| n >= 4)
        }),
        _ => false,
    }
}

/// `href` values that lead to the site's root.
fn is_root_href(href: &str) -> bool {
    let href = href.trim();
    if matches!(
        href,
        "/" | "./" | "index.html" | "/index.html" | "default.aspx" | "/default.aspx"
    ) {
        return true;
    }
    url::Url::parse(href).is_ok_and(|u| u.path() == "/" && u.query().is_none())
}

impl Walk<'_> {
    fn is_noise(&self, id: NodeId, element: &scraper::node::Element) -> bool {
        let tag = element.name();
        if matches!(tag, "html" | "body" | "main") || self.keep.contains(&id) {
            return false;
        }
        if self.rules.noise_tags.contains(tag) || (tag == "header" && self.in_article == 0) {
            return true;
        }
        if element.attr("role").is_some_and(|r| {
            self.rules
                .noise_roles
                .contains(&r.trim().to_ascii_lowercase())
        }) || element.attr("hidden").is_some()
            || element
                .attr("aria-hidden")
                .is_some_and(|v| v.trim() == "true")
            || element.attr("style").is_some_and(|s| {
                let s = s.to_ascii_lowercase().replace(' ', "");
                s.contains("display:none") || s.contains("visibility:hidden")
            })
        {
            return true;
        }
        if tag == "article" {
            // WordPress marks an article with its tags and categories (`tag-energy`).
            return false;
        }
        let names = format!(
            "{} {}",
            element.attr("class").unwrap_or(""),
            element.attr("id").unwrap_or("")
        );
        if names.trim().is_empty() || !self.rules.is_noise_name(&names) {
            return false;
        }
        let share =
            self.text_under.get(&id).copied().unwrap_or(0) as f32 / self.total.max(1) as f32;
        share <= MOST_OF_THE_PAGE || !has_content_word(self.rules, &names)
    }

    fn open(&mut self, node: ego_tree::NodeRef<'_, Node>) {
        if self.skip.is_some() {
            return;
        }
        match node.value() {
            Node::Element(element) => {
                if self.is_noise(node.id(), element) {
                    self.skip = Some(node.id());
                    return;
                }
                let tag = element.name();
                if tag == "br" {
                    self.flush();
                    return;
                }
                if is_block_level(tag) {
                    self.flush();
                    self.path.push(node.id());
                    if is_paragraph(tag) {
                        self.paragraphs.insert(node.id());
                    }
                }
                if matches!(tag, "article" | "main") {
                    self.in_article += 1;
                }
                if let Some(level) = heading_level(tag) {
                    self.headings.push(level);
                }
                if is_emphasis(element) {
                    self.emphasis += 1;
                }
                match tag {
                    "a" | "area" => {
                        let root = element.attr("href").is_some_and(is_root_href);
                        self.links.push((0, root, String::new()));
                    }
                    "img" if self.links.last().is_some_and(|l| l.1) => {
                        if let Some(alt) = element.attr("alt") {
                            self.root_link_texts.push(alt.trim().to_string());
                        }
                    }
                    "time" => {
                        if let Some(datetime) = element.attr("datetime") {
                            self.times.push((self.blocks.len(), datetime.to_string()));
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(text) => self.text(text),
            _ => {}
        }
    }

    fn close(&mut self, node: ego_tree::NodeRef<'_, Node>) {
        if let Some(skipped) = self.skip {
            if skipped == node.id() {
                self.skip = None;
            }
            return;
        }
        let Node::Element(element) = node.value() else {
            return;
        };
        let tag = element.name();
        if is_block_level(tag) {
            self.flush();
            self.path.pop();
        }
        if matches!(tag, "article" | "main") {
            self.in_article -= 1;
        }
        if heading_level(tag).is_some() {
            self.headings.pop();
        }
        if is_emphasis(element) {
            self.emphasis -= 1;
        }
        if matches!(tag, "a" | "area")
            && let Some((letters, root, text)) = self.links.pop()
        {
            if letters >= LONG_LINK_CHARS {
                self.current.long_links += 1;
            }
            if root && !text.trim().is_empty() {
                self.root_link_texts.push(collapse(&text));
            }
        }
    }

    fn text(&mut self, text: &str) {
        let letters = text.chars().filter(|c| !c.is_whitespace()).count();
        if letters == 0 {
            if !self.current.text.is_empty() {
                self.current.text.push(' ');
            }
            return;
        }
        let c = &mut self.current;
        c.text.push_str(text);
        c.chars += letters;
        if let Some(link) = self.links.last_mut() {
            c.link_chars += letters;
            link.0 += letters;
            if link.1 {
                link.2.push_str(text);
            }
        }
        if self.emphasis > 0 || !self.headings.is_empty() {
            c.emphasized_chars += letters;
        }
        if let Some(&level) = self.headings.last() {
            c.heading = Some(c.heading.map_or(level, |l| l.min(level)));
        }
    }

    /// Ends the current block.
    fn flush(&mut self) {
        let current = std::mem::take(&mut self.current);
        if current.chars == 0 {
            return;
        }
        self.blocks.push(Block {
            text: collapse(&current.text),
            chars: current.chars,
            link_chars: current.link_chars,
            emphasized_chars: current.emphasized_chars,
            heading: current.heading,
            long_links: current.long_links,
            path: self.path.clone(),
        });
    }
}

fn has_content_word(rules: &HtmlRules, names: &str) -> bool {
    super::rules::attribute_words(names)
        .iter()
        .any(|w| rules.content_words.contains(w))
}

fn heading_level(tag: &str) -> Option<u8> {
    match tag {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Runs of whitespace (no-break spaces too) as one space, trimmed.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops the sections that a heading of noise opens: the smallest element holding the heading
/// and something more, unless it holds most of the page.
fn drop_noise_sections(text: &mut PageText, total: usize, keep: &HashSet<NodeId>) {
    let rules = HtmlRules::get();
    let mut sections: Vec<NodeId> = Vec::new();
    let mut headings: Vec<usize> = Vec::new();
    for (i, block) in text.blocks.iter().enumerate() {
        if !block.is_heading_like() || !rules.is_noise_heading(&block.text) {
            continue;
        }
        headings.push(i);
        let section = block
            .path
            .iter()
            .rev()
            .find(|id| text.text_under.get(id).copied().unwrap_or(0) > block.chars);
        if let Some(&section) = section {
            let share =
                text.text_under.get(&section).copied().unwrap_or(0) as f32 / total.max(1) as f32;
            if share <= MOST_OF_THE_PAGE && !keep.contains(&section) {
                sections.push(section);
            }
        }
    }
    if headings.is_empty() {
        return;
    }
    let kept: Vec<bool> = text
        .blocks
        .iter()
        .enumerate()
        .map(|(i, block)| !headings.contains(&i) && !sections.iter().any(|s| block.is_inside(*s)))
        .collect();
    // Each <time> keeps its place: the index of the first kept block at or after it.
    for (at, _) in &mut text.times {
        *at = kept[..(*at).min(kept.len())].iter().filter(|k| **k).count();
    }
    let mut i = 0;
    text.blocks.retain(|_| {
        i += 1;
        kept[i - 1]
    });
}

/// The element ids of `element` and its ancestors.
pub fn with_ancestors(element: ElementRef<'_>) -> HashSet<NodeId> {
    let mut ids: HashSet<NodeId> = element.ancestors().map(|n| n.id()).collect();
    ids.insert(element.id());
    ids
}
