//! What a URL says a page is: print views, search pages, tag and category pages and the
//! second and later pages of a listing are not articles, whatever their text (the words are in
//! `data/html.toml`). The text decides for every other page (see [`super::content`]).

use std::fmt;

use url::Url;

use super::rules::HtmlRules;

/// What kind of page a page that is not an article is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageClass {
    /// A list of other pages: the home page, a section, a tag or category page.
    Listing,
    /// The second or a later page of a listing.
    Pagination,
    Search,
    Print,
    /// `<meta name="robots" content="noindex">`.
    NoIndex,
    /// A page without an article's title, date or text (an "about" page, a form).
    NoArticle,
}

/// Why a page is not indexed as a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotArticle {
    pub class: PageClass,
    pub reason: String,
}

impl NotArticle {
    pub fn new(class: PageClass, reason: impl Into<String>) -> NotArticle {
        NotArticle {
            class,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for NotArticle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// The page's class when its URL alone says it is not an article.
pub fn class_of_url(url: &Url) -> Option<NotArticle> {
    let rules = HtmlRules::get();
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| {
            s.map(|seg| {
                let seg = seg.to_ascii_lowercase();
                match seg.rsplit_once('.') {
                    Some((stem, _)) => stem.to_string(),
                    None => seg,
                }
            })
            .collect()
        })
        .unwrap_or_default();
    let params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase()))
        .collect();
    let not = |class, what: &str| Some(NotArticle::new(class, what));
    if segments.iter().any(|s| rules.print.contains(s))
        || params
            .iter()
            .any(|(k, v)| rules.print.contains(k) || rules.print.contains(v))
    {
        return not(PageClass::Print, "a print view");
    }
    if segments.iter().any(|s| rules.search_paths.contains(s))
        || params
            .iter()
            .any(|(k, v)| rules.search_params.contains(k) && !v.is_empty())
    {
        return not(PageClass::Search, "a search page");
    }
    let page_number = |v: &str| v.parse::<u64>().is_ok_and(|n| n > 1);
    if params
        .iter()
        .any(|(k, v)| rules.pagination_params.contains(k) && page_number(v))
        || segments
            .windows(2)
            .any(|w| rules.pagination_paths.contains(&w[0]) && page_number(&w[1]))
    {
        return not(PageClass::Pagination, "a page of a listing");
    }
    if segments.iter().any(|s| rules.listing_paths.contains(s)) {
        return not(PageClass::Listing, "a tag or category page");
    }
    None
}

/// Whether the URL's path names agreements (`/fa/mou/54`).
pub fn is_agreement_url(url: &Url) -> bool {
    let rules = HtmlRules::get();
    url.path_segments()
        .is_some_and(|mut s| s.any(|seg| rules.agreement_paths.contains(&seg.to_ascii_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(url: &str) -> Option<PageClass> {
        class_of_url(&Url::parse(url).unwrap()).map(|n| n.class)
    }

    #[test]
    fn urls_that_are_not_articles() {
        assert_eq!(
            class("https://mstp.ir/fa/news/12?print=1"),
            Some(PageClass::Print)
        );
        assert_eq!(class("https://mstp.ir/print/12"), Some(PageClass::Print));
        assert_eq!(
            class("https://mstp.ir/news.aspx?id=1&view=print"),
            Some(PageClass::Print)
        );
        assert_eq!(
            class("https://mstp.ir/fa/search?q=فناوری"),
            Some(PageClass::Search)
        );
        assert_eq!(class("https://mstp.ir/?s=park"), Some(PageClass::Search));
        assert_eq!(
            class("https://mstp.ir/fa/news?page=2"),
            Some(PageClass::Pagination)
        );
        assert_eq!(
            class("https://mstp.ir/blog/page/3/"),
            Some(PageClass::Pagination)
        );
        assert_eq!(
            class("https://mstp.ir/fa/tag/انرژی"),
            Some(PageClass::Listing)
        );
        assert_eq!(
            class("https://mstp.ir/category/news/"),
            Some(PageClass::Listing)
        );
    }

    #[test]
    fn articles_pass() {
        for url in [
            "https://mstp.ir/fa/news/12",
            "https://mstp.ir/fa/news?page=1",
            "https://mstp.ir/index.php?page=news&id=4",
            "https://mstp.ir/news_detail.asp?id=1",
            "https://mstp.ir/?p=123",
            "https://mstp.ir/fa/news/12/page-of-history",
        ] {
            assert_eq!(class(url), None, "{url}");
        }
        assert!(is_agreement_url(
            &Url::parse("https://mstp.ir/fa/MoU/54").unwrap()
        ));
        assert!(!is_agreement_url(
            &Url::parse("https://mstp.ir/fa/news/54").unwrap()
        ));
    }
}
