//! Web pages in: a page of a real Persian site, read with no configuration into a [`Document`]
//! (or the reason it is not an article), with the links and the canonical URL the crawler
//! follows.
//!
//! - [`decode`]: bytes → text (a declared charset, or detected: windows-1256 pages);
//! - [`blocks`]: the DOM → text blocks, template noise (menus, sidebars, footers, comments,
//!   share buttons, scripts) left out;
//! - [`content`]: the article in the blocks: body, title, date, kind, MoU number;
//! - [`classify`]: pages whose URL says they are no article (print views, search, tags,
//!   pagination);
//! - [`rules`]: the words and headings of noise, from `data/html.toml`.
//!
//! Partners and domains are extracted later, from the document, as for every source
//! ([`crate::ingest::settle`]).

pub mod blocks;
pub mod classify;
pub mod content;
pub mod decode;
pub mod rules;

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use sha2::{Digest, Sha256};
use url::Url;

pub use classify::{NotArticle, PageClass};
pub use content::{Article, HeadMeta};

use crate::document::Document;

/// How pages are read.
#[derive(Clone, Debug, Default)]
pub struct HtmlOptions {
    /// The element that holds the article (`--selector`), for a site where automatic reading
    /// fails.
    pub selector: Option<Selector>,
}

/// Parses a CSS selector for `--selector`.
pub fn parse_selector(css: &str) -> Result<Selector, String> {
    Selector::parse(css).map_err(|e| format!("bad CSS selector {css:?}: {e}"))
}

/// What reading a page found.
#[derive(Clone, Debug)]
pub struct PageReading {
    /// `<link rel="canonical">`, resolved.
    pub canonical: Option<Url>,
    /// Every http(s) link of the page (menus and sidebars too), resolved, in order, once each.
    pub links: Vec<Url>,
    /// `<meta name="robots" content="nofollow">`: its links are not to be followed.
    pub nofollow: bool,
    pub article: Result<Article, NotArticle>,
}

/// Reads a page fetched from `url` (its links are resolved against it) served with
/// `content_type`.
pub fn read_html(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &Url,
    options: &HtmlOptions,
) -> PageReading {
    let (text, _) = decode::decode(bytes, content_type);
    let html = Html::parse_document(&text);
    let head = Head::read(&html);
    let base = head
        .base
        .as_deref()
        .and_then(|b| url.join(b).ok())
        .unwrap_or_else(|| url.clone());
    let links = links(&html, &base);
    let canonical = head.canonical.as_deref().and_then(|c| base.join(c).ok());
    let robots = head.robots.to_ascii_lowercase();
    let article = if robots.contains("noindex") || robots.contains("none") {
        Err(NotArticle::new(PageClass::NoIndex, "marked noindex"))
    } else if let Some(not) = classify::class_of_url(url) {
        Err(not)
    } else {
        read_article(&html, &head.meta, options, url)
    };
    PageReading {
        canonical,
        links,
        nofollow: robots.contains("nofollow") || robots.contains("none"),
        article,
    }
}

fn read_article(
    html: &Html,
    head: &HeadMeta,
    options: &HtmlOptions,
    url: &Url,
) -> Result<Article, NotArticle> {
    let selected: Option<ElementRef<'_>> =
        match &options.selector {
            Some(selector) => Some(html.select(selector).next().ok_or_else(|| {
                NotArticle::new(PageClass::NoArticle, "nothing matches --selector")
            })?),
            None => None,
        };
    let keep = selected.map(blocks::with_ancestors).unwrap_or_default();
    let text = blocks::page_text(html, &keep);
    content::read_article(&text, head, selected.map(|e| e.id()), url)
}

impl Article {
    /// SHA-256 (hex) of what was read: a page whose template changed but whose article did not
    /// has the same hash.
    pub fn content_hash(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.kind.as_str(),
            &self.title,
            &self.date.iso_string(),
            &self.number.map(|n| n.to_string()).unwrap_or_default(),
            &self.body,
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hex(&hash.finalize())
    }

    /// The document (validated; partners and domains not yet extracted).
    pub fn into_document(
        self,
        id: String,
        url: Option<String>,
        source: String,
    ) -> Result<Document, String> {
        Document {
            id,
            kind: self.kind,
            title: self.title,
            body: self.body,
            date: self.date,
            number: self.number,
            partners: None,
            domains: None,
            url,
            source: Some(source),
            publisher: self.publisher,
            crawl: None,
        }
        .validated()
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the head says, and the base, canonical and robots directives.
#[derive(Default)]
struct Head {
    meta: HeadMeta,
    base: Option<String>,
    canonical: Option<String>,
    robots: String,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

impl Head {
    fn read(html: &Html) -> Head {
        static META: LazyLock<Selector> = LazyLock::new(|| selector("meta"));
        static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
        static LINK: LazyLock<Selector> = LazyLock::new(|| selector("link[rel][href]"));
        static BASE: LazyLock<Selector> = LazyLock::new(|| selector("base[href]"));
        static PUBLISHED: LazyLock<Selector> =
            LazyLock::new(|| selector("[itemprop=datePublished]"));
        static JSON_LD: LazyLock<Selector> =
            LazyLock::new(|| selector(r#"script[type="application/ld+json"]"#));
        static JSON_LD_DATE: LazyLock<regex::Regex> = LazyLock::new(|| {
            regex::Regex::new(r#""datePublished"\s*:\s*"([^"]+)""#).expect("a valid pattern")
        });
        let mut head = Head::default();
        head.meta.title = html
            .select(&TITLE)
            .next()
            .map(|t| blocks::collapse(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty());
        for meta in html.select(&META) {
            let e = meta.value();
            let Some(content) = e.attr("content").map(str::trim) else {
                continue;
            };
            let name = e
                .attr("property")
                .or_else(|| e.attr("name"))
                .or_else(|| e.attr("itemprop"))
                .unwrap_or("")
                .to_ascii_lowercase();
            match name.as_str() {
                "og:title" | "twitter:title" if head.meta.og_title.is_none() => {
                    head.meta.og_title = Some(blocks::collapse(content));
                }
                "og:site_name" | "application-name" => {
                    head.meta.site_names.push(content.to_string());
                }
                "article:published_time"
                | "og:published_time"
                | "datepublished"
                | "date"
                | "dc.date"
                | "dc.date.issued"
                | "pubdate"
                | "publishdate" => {
                    head.meta.published.push(content.to_string());
                }
                "robots" => {
                    head.robots.push_str(content);
                    head.robots.push(',');
                }
                _ => {}
            }
        }
        for e in html.select(&PUBLISHED) {
            if let Some(t) = e.attr("datetime").or_else(|| e.attr("content")) {
                head.meta.published.push(t.to_string());
            }
        }
        for script in html.select(&JSON_LD) {
            let text: String = script.text().collect();
            if let Some(c) = JSON_LD_DATE.captures(&text) {
                head.meta.published.push(c[1].to_string());
            }
        }
        head.canonical = html
            .select(&LINK)
            .find(|l| has_rel(l, "canonical"))
            .and_then(|l| l.value().attr("href"))
            .map(|h| h.trim().to_string());
        head.base = html
            .select(&BASE)
            .next()
            .and_then(|b| b.value().attr("href"))
            .map(|h| h.trim().to_string());
        head
    }
}

fn has_rel(element: &ElementRef<'_>, rel: &str) -> bool {
    element
        .value()
        .attr("rel")
        .is_some_and(|r| r.split_whitespace().any(|w| w.eq_ignore_ascii_case(rel)))
}

/// The page's http(s) links: `<a>`, `<area>`, `<link rel=next|prev>` and a `<meta>` refresh.
fn links(html: &Html, base: &Url) -> Vec<Url> {
    static ANCHORS: LazyLock<Selector> = LazyLock::new(|| {
        selector("a[href], area[href], link[rel][href], meta[http-equiv][content]")
    });
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for element in html.select(&ANCHORS) {
        let e = element.value();
        let href = match e.name() {
            "link" if !has_rel(&element, "next") && !has_rel(&element, "prev") => continue,
            "meta"
                if !e
                    .attr("http-equiv")
                    .is_some_and(|h| h.eq_ignore_ascii_case("refresh")) =>
            {
                continue;
            }
            // `<meta http-equiv="refresh" content="0; url=/fa/news">`
            "meta" => e
                .attr("content")
                .and_then(|c| {
                    let at = c.to_ascii_lowercase().find("url=")?;
                    Some(c[at + 4..].trim().trim_matches(['"', '\'']))
                })
                .unwrap_or(""),
            _ => e.attr("href").unwrap_or("").trim(),
        };
        if href.is_empty() || href.starts_with('#') {
            continue;
        }
        let Ok(url) = base.join(href) else {
            continue;
        };
        if matches!(url.scheme(), "http" | "https") && seen.insert(url.clone()) {
            out.push(url);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(html: &str) -> PageReading {
        let url = Url::parse("https://mstp.ir/fa/news/12").unwrap();
        read_html(html.as_bytes(), None, &url, &HtmlOptions::default())
    }

    #[test]
    fn links_resolve_against_the_base_and_refresh_leads_on() {
        let page = read(
            r##"<html><head><base href="https://mstp.ir/fa/">
            <meta http-equiv="refresh" content="5; URL='archive/1'">
            <link rel="next" href="news?page=2"><link rel="stylesheet" href="site.css">
            <link rel="canonical" href="news/12"></head>
            <body><a href="about">درباره</a><a href="mailto:x@y.ir">x</a><a href="#top">بالا</a>
            <a href="about">again</a></body></html>"##,
        );
        let links: Vec<&str> = page.links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "https://mstp.ir/fa/archive/1",
                "https://mstp.ir/fa/news?page=2",
                "https://mstp.ir/fa/about",
            ]
        );
        assert_eq!(
            page.canonical.unwrap().as_str(),
            "https://mstp.ir/fa/news/12"
        );
        assert!(!page.nofollow);
    }

    #[test]
    fn robots_meta() {
        let page = read(r#"<meta name="robots" content="noindex, nofollow"><p>متن</p>"#);
        assert!(page.nofollow);
        assert_eq!(page.article.unwrap_err().class, PageClass::NoIndex);
    }

    #[test]
    fn the_selector_names_the_article() {
        let body = "این متن بلند خبر است که در یک جدول بی‌نام نوشته شده و خواننده خودکار باید آن را بیابد. ".repeat(4);
        let html = format!(
            r#"<html><head><title>خبر آزمایشی | پارک</title></head><body>
            <table><tr><td class="x1">تاریخ: ۱۴۰۴/۰۹/۲۵</td></tr>
            <tr><td class="x2"><b>خبر آزمایشی</b><br>{body}</td></tr>
            <tr><td class="x3">{}</td></tr></table></body></html>"#,
            "متن دیگری که خبر نیست ولی بلند است و بند دارد، و باز هم بلند است. ".repeat(8)
        );
        let url = Url::parse("https://mstp.ir/n?id=1").unwrap();
        let options = HtmlOptions {
            selector: Some(parse_selector("td.x2").unwrap()),
        };
        let article = read_html(html.as_bytes(), None, &url, &options)
            .article
            .unwrap();
        assert_eq!(article.title, "خبر آزمایشی");
        assert_eq!(article.body, body.trim());
        assert_eq!(article.date.jalali_string(), "1404/09/25");
        let none = HtmlOptions {
            selector: Some(parse_selector("article.missing").unwrap()),
        };
        let not = read_html(html.as_bytes(), None, &url, &none)
            .article
            .unwrap_err();
        assert!(not.reason.contains("--selector"), "{not}");
        assert!(parse_selector("div[").is_err());
    }

    #[test]
    fn the_site_names_the_publisher_and_the_publisher_is_no_partner() {
        let page = |site: &str| {
            let html = format!(
                r#"<html><head><title>امضای تفاهم‌نامه همکاری</title>
                <meta property="og:site_name" content="{site}"></head><body><article>
                <h1>امضای تفاهم‌نامه همکاری</h1><time>۲۵ آذر ۱۴۰۴</time>
                <p>تفاهم‌نامه همکاری میان پارک علم و فناوری گلستان و پارک علم و فناوری مازندران
                برای توسعه شرکت‌های دانش‌بنیان و تجاری‌سازی فناوری‌های کشاورزی امضا شد. دو طرف در
                برگزاری رویدادهای مشترک و پشتیبانی از هسته‌های فناور همکاری خواهند کرد.</p>
                </article></body></html>"#
            );
            let url = Url::parse("https://example.ir/news/1").unwrap();
            let article = read_html(html.as_bytes(), None, &url, &HtmlOptions::default())
                .article
                .unwrap();
            let publisher = article.publisher.clone();
            let doc = article
                .into_document("n1".into(), Some(url.to_string()), "crawl".into())
                .unwrap();
            (
                publisher,
                crate::ingest::settle(doc).partners.unwrap_or_default(),
            )
        };
        // On the Golestan park's site, the Mazandaran park is the partner.
        let (publisher, partners) = page("پارک علم و فناوری گلستان");
        assert_eq!(publisher.as_deref(), Some("پارک علم و فناوری گلستان"));
        assert_eq!(partners, ["پارک علم و فناوری مازندران"]);
        // On the Mazandaran park's own site, Golestan is.
        let (_, partners) = page("پارک علم و فناوری مازندران");
        assert_eq!(partners, ["پارک علم و فناوری گلستان"]);
        // A site whose name names no organisation is read as the park's own (the default).
        let (publisher, partners) = page("اخبار روز");
        assert_eq!(publisher, None);
        assert_eq!(partners, ["پارک علم و فناوری گلستان"]);
    }
}
