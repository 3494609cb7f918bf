//! What a crawl leaves for the next one, kept as the index setting `crawl`: for each site, each
//! page reached (its canonical URL) with the validators it was served with (for conditional
//! requests), the hash of what was read, the id of the document made from it, and its links
//! within the crawl's scope (so a page that answers 304 still leads to the pages it links to).
//!
//! Links are stored as numbers into one table of URLs per site: a site's menus link every page
//! to the same few dozen URLs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::index::{IndexError, IndexSettings};

/// The setting's name.
pub const SETTING: &str = "crawl";

/// What the crawler knows of one page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the article read from it; `None` for pages that are no article.
    pub content_hash: Option<String>,
    /// The document made from it.
    pub doc_id: Option<String>,
    /// Its links within the crawl's scope, as they are requested (without fragment and
    /// tracking parameters).
    pub links: Vec<String>,
}

/// Every site's pages, by canonical URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrawlState {
    pub sites: BTreeMap<String, BTreeMap<String, PageState>>,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    sites: BTreeMap<String, SavedSite>,
}

#[derive(Serialize, Deserialize, Default)]
struct SavedSite {
    urls: Vec<String>,
    pages: Vec<SavedPage>,
}

#[derive(Serialize, Deserialize)]
struct SavedPage {
    url: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    doc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    links: Vec<u32>,
}

impl CrawlState {
    /// The state the last crawl saved in the index's settings (empty before the first).
    pub fn load(settings: &IndexSettings) -> Result<CrawlState, IndexError> {
        let Some(saved) = settings.get::<Saved>(SETTING)? else {
            return Ok(CrawlState::default());
        };
        let mut state = CrawlState::default();
        for (site, saved) in saved.sites {
            let url = |i: u32| saved.urls.get(i as usize).cloned().unwrap_or_default();
            let pages = saved
                .pages
                .into_iter()
                .map(|p| {
                    let page = PageState {
                        etag: p.etag,
                        last_modified: p.last_modified,
                        content_hash: p.content_hash,
                        doc_id: p.doc_id,
                        links: p.links.into_iter().map(url).collect(),
                    };
                    (url(p.url), page)
                })
                .collect();
            state.sites.insert(site, pages);
        }
        Ok(state)
    }

    /// Saves the state, replacing the last one.
    pub fn save(&self, settings: &IndexSettings) -> Result<(), IndexError> {
        let mut saved = Saved {
            version: 1,
            sites: BTreeMap::new(),
        };
        for (site, pages) in &self.sites {
            let mut table = SavedSite::default();
            let mut numbers: HashMap<&str, u32> = HashMap::new();
            for (url, page) in pages {
                let url = number(url, &mut numbers, &mut table.urls);
                let links = page
                    .links
                    .iter()
                    .map(|l| number(l, &mut numbers, &mut table.urls))
                    .collect();
                table.pages.push(SavedPage {
                    url,
                    etag: page.etag.clone(),
                    last_modified: page.last_modified.clone(),
                    content_hash: page.content_hash.clone(),
                    doc_id: page.doc_id.clone(),
                    links,
                });
            }
            saved.sites.insert(site.clone(), table);
        }
        settings.put(SETTING, &saved)
    }
}

/// The number of `url` in the table, added when new.
fn number<'a>(url: &'a str, numbers: &mut HashMap<&'a str, u32>, urls: &mut Vec<String>) -> u32 {
    *numbers.entry(url).or_insert_with(|| {
        urls.push(url.to_string());
        urls.len() as u32 - 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_round_trips_through_the_settings() {
        let settings = IndexSettings::in_memory();
        assert_eq!(CrawlState::load(&settings).unwrap(), CrawlState::default());
        let mut state = CrawlState::default();
        let site = state.sites.entry("mstp.ir".into()).or_default();
        site.insert(
            "https://mstp.ir/".into(),
            PageState {
                links: vec![
                    "https://mstp.ir/fa/news/1".into(),
                    "https://mstp.ir/fa/news/2".into(),
                ],
                ..PageState::default()
            },
        );
        site.insert(
            "https://mstp.ir/fa/news/1".into(),
            PageState {
                etag: Some("\"a1\"".into()),
                content_hash: Some("00ff".into()),
                doc_id: Some("web-1".into()),
                links: vec!["https://mstp.ir/".into()],
                ..PageState::default()
            },
        );
        state.save(&settings).unwrap();
        assert_eq!(CrawlState::load(&settings).unwrap(), state);
        let json = settings.get::<serde_json::Value>(SETTING).unwrap().unwrap();
        assert_eq!(
            json["sites"]["mstp.ir"]["urls"].as_array().unwrap().len(),
            3
        );
    }
}
