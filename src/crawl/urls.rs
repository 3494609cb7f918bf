//! URLs as the crawler keeps them: canonical (no fragment, no tracking parameters, no trailing
//! slash, escapes in one case), in scope (the start URLs' hosts, the `--allow` prefixes, not a
//! `--deny` pattern), and the document id derived from a canonical URL.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use crate::ingest::html::hex;

const DATA: &str = include_str!("../../data/crawl.toml");

#[derive(Deserialize)]
struct Rules {
    tracking_params: Vec<String>,
    attachment_extensions: Vec<String>,
}

static RULES: LazyLock<Rules> =
    LazyLock::new(|| toml::from_str(DATA).expect("data/crawl.toml is valid (tested)"));

fn is_tracking(param: &str) -> bool {
    let param = param.to_ascii_lowercase();
    RULES
        .tracking_params
        .iter()
        .any(|p| match p.strip_suffix('*') {
            Some(prefix) => param.starts_with(prefix),
            None => param == *p,
        })
}

/// A link as it is requested: without its fragment and tracking parameters (`utm_*`, `fbclid`…,
/// see `data/crawl.toml`). The rest stays as the site wrote it: robots.txt rules and the
/// server see the path the site links to.
pub fn without_tracking(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query_pairs().any(|(k, _)| is_tracking(&k)) {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url
}

/// The canonical form of a URL, which identifies a page: the same page reached by two links is
/// one URL. The `url` crate already lowercases the scheme and host and drops default ports;
/// this also drops what [`without_tracking`] drops and a trailing slash (not the root's), and
/// writes percent escapes in capitals.
pub fn canonical(url: &Url) -> Url {
    let mut url = without_tracking(url);
    let path = url.path().to_string();
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    url.set_path(&upper_escapes(path));
    url
}

/// `%d8%a7` → `%D8%A7`.
fn upper_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut escape = 0;
    for c in text.chars() {
        if c == '%' {
            escape = 2;
            out.push(c);
        } else if escape > 0 {
            escape -= 1;
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the link is to a file that is no page (`.pdf`, `.docx`, images…).
pub fn is_attachment(url: &Url) -> bool {
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    last.rsplit_once('.').is_some_and(|(_, ext)| {
        RULES
            .attachment_extensions
            .iter()
            .any(|a| a.eq_ignore_ascii_case(ext))
    })
}

/// `host` or `host:port` (a port only when it is not the scheme's default): a site.
pub fn site_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => String::new(),
    }
}

/// The id of the document read from a page, from its canonical URL: stable across crawls.
pub fn document_id(canonical: &str) -> String {
    let digest = Sha256::digest(canonical.as_bytes());
    format!("web-{}", &hex(&digest)[..20])
}

/// Which URLs a crawl may visit.
#[derive(Clone, Debug)]
pub struct Scope {
    pub sites: HashSet<String>,
    /// URL prefixes (parsed and written back, so Persian paths are escaped as in links).
    pub allow: Vec<String>,
    pub deny: Vec<Regex>,
}

impl Scope {
    /// The scope of a crawl from these start URLs.
    pub fn new(start: &[Url], allow: &[String], deny: Vec<Regex>) -> Result<Scope, String> {
        let allow = allow
            .iter()
            .map(|prefix| {
                Url::parse(prefix)
                    .map(|u| upper_escapes(u.as_str()))
                    .map_err(|e| format!("bad --allow prefix {prefix:?}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scope {
            sites: start.iter().map(site_of).collect(),
            allow,
            deny,
        })
    }

    /// Whether a (canonical) URL may be visited.
    pub fn contains(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
            && self.sites.contains(&site_of(url))
            && (self.allow.is_empty() || self.allow.iter().any(|p| url.as_str().starts_with(p)))
            && !self.deny.iter().any(|r| r.is_match(url.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn the_same_page_by_any_link() {
        let page = "https://mstp.ir/fa/news/12";
        for link in [
            "https://mstp.ir/fa/news/12",
            "https://MSTP.ir:443/fa/news/12/",
            "https://mstp.ir/fa/news/12#comments",
            "https://mstp.ir/fa/news/12?utm_source=telegram&utm_medium=social",
            "https://mstp.ir/fa/news/12?fbclid=abc",
        ] {
            assert_eq!(canon(link), page, "{link}");
        }
        assert_eq!(
            canon("https://mstp.ir/news.aspx?utm_campaign=x&id=12"),
            "https://mstp.ir/news.aspx?id=12"
        );
        assert_eq!(canon("http://mstp.ir:80/"), "http://mstp.ir/");
        let link = Url::parse("https://mstp.ir/fa/admin/?utm_source=x#top").unwrap();
        assert_eq!(
            without_tracking(&link).as_str(),
            "https://mstp.ir/fa/admin/"
        );
        assert_eq!(
            canon("https://mstp.ir/fa/tag/%d8%a7"),
            canon("https://mstp.ir/fa/tag/ا")
        );
    }

    #[test]
    fn attachments_and_ids() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(is_attachment(&url("https://mstp.ir/files/mou-54.PDF")));
        assert!(!is_attachment(&url("https://mstp.ir/news_detail.asp?id=1")));
        let id = document_id("https://mstp.ir/fa/news/12");
        assert_eq!(id, document_id("https://mstp.ir/fa/news/12"));
        assert_ne!(id, document_id("https://mstp.ir/fa/news/13"));
        assert!(id.starts_with("web-") && id.len() == 24);
    }

    #[test]
    fn scope() {
        let start = [Url::parse("https://mstp.ir/").unwrap()];
        let scope = Scope::new(
            &start,
            &["https://mstp.ir/fa/".to_string()],
            vec![Regex::new("/fa/private/").unwrap()],
        )
        .unwrap();
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(scope.contains(&url("https://mstp.ir/fa/news/1")));
        assert!(!scope.contains(&url("https://mstp.ir/en/news/1")));
        assert!(!scope.contains(&url("https://mstp.ir/fa/private/x")));
        assert!(!scope.contains(&url("https://other.ir/fa/news/1")));
        assert!(!scope.contains(&url("ftp://mstp.ir/fa/news/1")));
        assert!(Scope::new(&start, &["not a url".into()], vec![]).is_err());
    }
}
