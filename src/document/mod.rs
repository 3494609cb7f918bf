//! The document model: what kavosh indexes and returns, and the validation every document passes
//! whatever its source (a park page, an NDJSON line, an HTTP request).

pub mod partners;
pub mod places;
pub mod taxonomy;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::Day;
pub use partners::PartnerRegistry;
pub use taxonomy::Taxonomy;

/// Longest accepted id, in bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Longest accepted title, in bytes.
pub const MAX_TITLE_BYTES: usize = 4 * 1024;
/// Longest accepted body, in bytes (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most partners or domains on one document.
pub const MAX_LIST_ITEMS: usize = 50;

/// Agreement (تفاهم‌نامه) or news item (خبر).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Agreement,
    News,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Agreement => "agreement",
            Kind::News => "news",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "agreement" => Some(Kind::Agreement),
            "news" => Some(Kind::News),
            _ => None,
        }
    }
}

/// A validated document. `partners`/`domains` are `None` when the source did not give them
/// (ingest then extracts them).
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub date: Day,
    pub number: Option<u64>,
    pub partners: Option<Vec<String>>,
    pub domains: Option<Vec<String>>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Who published it (a park page's first line): extraction never makes the publisher a
    /// partner. `None`: the park itself.
    pub publisher: Option<String>,
    /// Where and when the crawler read it; `None` for documents from files and the API.
    pub crawl: Option<CrawlRecord>,
}

/// The provenance of a crawled document: what the crawler needs to recognise it as its own
/// and to ask the site whether it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CrawlRecord {
    /// The page's canonical URL, from which the document's id is derived.
    pub canonical_url: String,
    /// The site it was crawled for: the host (and port) of the crawl's start URL.
    pub site: String,
    /// The `ETag` the page was served with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the page was served with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// SHA-256 (hex) of what was read from the page: kind, title, date, number and body.
    pub content_hash: String,
    /// When the page was last fetched, UTC, `2026-12-06T07:06:43Z`.
    pub fetched_at: String,
}

/// A document as stored in the index and returned by the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredDocument {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    /// ISO day, `2025-12-16`.
    pub date: String,
    /// Jalali day, `1404/09/25`.
    pub date_jalali: String,
    pub number: Option<u64>,
    /// Partners by the names facets and stats show (one per organisation).
    pub partners: Vec<String>,
    /// The partners as the source wrote them, when that differs from `partners`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners_as_written: Vec<String>,
    pub domains: Vec<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Who published it, when not the park.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Present on crawled documents only; documents stored before crawling existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crawl: Option<CrawlRecord>,
}

impl Document {
    /// The stored form; partners/domains must have been settled.
    pub fn to_stored(&self) -> StoredDocument {
        StoredDocument {
            id: self.id.clone(),
            kind: self.kind,
            title: self.title.clone(),
            body: self.body.clone(),
            date: self.date.iso_string(),
            date_jalali: self.date.jalali_string(),
            number: self.number,
            partners: self.partners.clone().unwrap_or_default(),
            partners_as_written: Vec::new(),
            domains: self.domains.clone().unwrap_or_default(),
            url: self.url.clone(),
            source: self.source.clone(),
            publisher: self.publisher.clone(),
            crawl: self.crawl.clone(),
        }
    }

    /// Validates a JSON object in the NDJSON/API document format.
    pub fn from_json(value: Value) -> Result<Document, String> {
        let Value::Object(mut obj) = value else {
            return Err("a document must be a JSON object".into());
        };
        let mut take_str = |name: &str, required: bool| -> Result<Option<String>, String> {
            match obj.remove(name) {
                None | Some(Value::Null) if required => Err(format!("missing field \"{name}\"")),
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(Value::Number(n)) if name == "id" => Ok(Some(n.to_string())),
                Some(_) => Err(format!("field \"{name}\" must be a string")),
            }
        };
        let id = take_str("id", true)?.unwrap_or_default();
        let kind_text = take_str("kind", true)?.unwrap_or_default();
        let title = take_str("title", true)?.unwrap_or_default();
        let body = take_str("body", false)?.unwrap_or_default();
        let date_text = take_str("date", true)?.unwrap_or_default();
        let url = take_str("url", false)?;
        let source = take_str("source", false)?;
        let publisher = take_str("publisher", false)?;
        let number = match obj.remove("number") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                n.as_u64()
                    .ok_or("field \"number\" must be a non-negative integer")?,
            ),
            Some(Value::String(s)) => Some(
                crate::analysis::fold(s.trim())
                    .parse::<u64>()
                    .map_err(|_| "field \"number\" must be a non-negative integer")?,
            ),
            Some(_) => return Err("field \"number\" must be a non-negative integer".into()),
        };
        // A dump or a restore carries a crawled document's provenance.
        let crawl = match obj.remove("crawl") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                serde_json::from_value::<CrawlRecord>(v)
                    .map_err(|e| format!("bad field \"crawl\": {e}"))?,
            ),
        };
        let partners = string_list(obj.remove("partners"), "partners")?;
        let domains = string_list(obj.remove("domains"), "domains")?;
        let kind = Kind::parse(&kind_text).ok_or_else(|| {
            format!("unknown kind {kind_text:?}: expected \"agreement\" or \"news\"")
        })?;
        let date = Day::parse(&date_text).map_err(|e| e.0)?;
        Document {
            id,
            kind,
            title,
            body,
            date,
            number,
            partners,
            domains,
            url,
            source,
            publisher,
            crawl,
        }
        .validated()
    }

    /// Checks sizes, ids and domain ids; trims names.
    pub fn validated(mut self) -> Result<Document, String> {
        self.id = self.id.trim().to_string();
        if self.id.is_empty() {
            return Err("empty id".into());
        }
        if self.id.len() > MAX_ID_BYTES {
            return Err(format!("id longer than {MAX_ID_BYTES} bytes"));
        }
        if self
            .id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(format!(
                "id {:?} contains whitespace, a control character or '/'",
                self.id
            ));
        }
        if self.title.trim().is_empty() {
            return Err("empty title".into());
        }
        if self.title.len() > MAX_TITLE_BYTES {
            return Err(format!("title longer than {MAX_TITLE_BYTES} bytes"));
        }
        if self.body.len() > MAX_BODY_BYTES {
            return Err(format!(
                "body of {} bytes is over the limit of {MAX_BODY_BYTES} bytes",
                self.body.len()
            ));
        }
        if let Some(domains) = &mut self.domains {
            let taxonomy = Taxonomy::get();
            for d in domains.iter_mut() {
                *d = d.trim().to_string();
                if !taxonomy.contains(d) {
                    return Err(format!(
                        "unknown domain {d:?} (see data/taxonomy.toml for the ids)"
                    ));
                }
            }
            domains.dedup();
        }
        if let Some(partners) = &mut self.partners {
            let registry = PartnerRegistry::get();
            let mut canonical: Vec<String> = Vec::new();
            for p in partners.iter() {
                let name = registry.canonical(p).to_string();
                if !name.is_empty() && !canonical.contains(&name) {
                    canonical.push(name);
                }
            }
            *partners = canonical;
        }
        Ok(self)
    }
}

/// A stored document's partners as the source wrote them: `partners_as_written`, or
/// `partners` when they were written as shown.
pub fn written_partners<'a>(
    partners: &'a [String],
    partners_as_written: &'a [String],
) -> &'a [String] {
    if partners_as_written.is_empty() {
        partners
    } else {
        partners_as_written
    }
}

impl StoredDocument {
    /// The partners as the source wrote them.
    pub fn written_partners(&self) -> &[String] {
        written_partners(&self.partners, &self.partners_as_written)
    }

    /// The document this was stored from, with its partners as written: what a document is
    /// written again from when it is re-labelled in place.
    pub fn to_document(&self) -> Result<Document, String> {
        Ok(Document {
            id: self.id.clone(),
            kind: self.kind,
            title: self.title.clone(),
            body: self.body.clone(),
            date: Day::parse(&self.date).map_err(|e| e.0)?,
            number: self.number,
            partners: Some(self.written_partners().to_vec()),
            domains: Some(self.domains.clone()),
            url: self.url.clone(),
            source: self.source.clone(),
            publisher: self.publisher.clone(),
            crawl: self.crawl.clone(),
        })
    }
}

fn string_list(value: Option<Value>, name: &str) -> Result<Option<Vec<String>>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(format!("more than {MAX_LIST_ITEMS} {name}"));
            }
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(format!("\"{name}\" must be a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        }
        Some(_) => Err(format!("\"{name}\" must be a list of strings")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_complete_json_document_validates() {
        let d = Document::from_json(json!({
            "id": "mou-054", "kind": "agreement", "title": "امضای تفاهمنامه", "body": "متن",
            "date": "۱۴۰۴/۰۹/۲۵", "number": 54, "partners": ["بانک ملی"],
            "domains": ["energy/oil-gas"]
        }))
        .unwrap();
        assert_eq!(d.date.iso_string(), "2025-12-16");
        assert_eq!(d.partners, Some(vec!["بانک ملی ایران".to_string()]));
        let stored = d.to_stored();
        assert_eq!(stored.date_jalali, "1404/09/25");
        assert_eq!(stored.crawl, None);
        assert!(!serde_json::to_string(&stored).unwrap().contains("crawl"));
    }

    #[test]
    fn the_crawl_record_round_trips_and_old_json_still_reads() {
        let record = json!({
            "canonical_url": "https://mstp.ir/fa/news/12", "site": "mstp.ir",
            "etag": "\"abc\"", "content_hash": "00ff", "fetched_at": "2026-12-06T07:06:43Z"
        });
        let d = Document::from_json(json!({
            "id": "web-1", "kind": "news", "title": "خبر", "date": "1404/09/25",
            "url": "https://mstp.ir/fa/news/12", "source": "crawl", "crawl": record
        }))
        .unwrap();
        let crawl = d.crawl.clone().unwrap();
        assert_eq!(crawl.etag.as_deref(), Some("\"abc\""));
        assert_eq!(crawl.last_modified, None);
        let stored = serde_json::to_string(&d.to_stored()).unwrap();
        let back: StoredDocument = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.crawl, Some(crawl));
        let old = r#"{"id":"a","kind":"news","title":"t","body":"","date":"2025-12-16",
            "date_jalali":"1404/09/25","number":null,"partners":[],"domains":[],"url":null,
            "source":null}"#;
        assert_eq!(
            serde_json::from_str::<StoredDocument>(old).unwrap().crawl,
            None
        );
        let bad = Document::from_json(json!({
            "id": "x", "kind": "news", "title": "t", "date": "1404/01/01", "crawl": {"site": 1}
        }));
        assert!(bad.unwrap_err().contains("crawl"));
    }

    #[test]
    fn each_defect_has_its_reason() {
        let base = json!({"id": "x", "kind": "news", "title": "t", "date": "2025-01-01"});
        let with = |k: &str, v: Value| {
            let mut o = base.clone();
            o[k] = v;
            Document::from_json(o).unwrap_err()
        };
        assert!(with("kind", json!("memo")).contains("unknown kind"));
        assert!(with("date", json!("1404/13/01")).contains("1404/13/01"));
        assert!(with("domains", json!(["space"])).contains("unknown domain"));
        assert!(with("title", json!("  ")).contains("empty title"));
        assert!(with("id", json!("a b")).contains("whitespace"));
        assert!(with("body", json!("x".repeat(MAX_BODY_BYTES + 1))).contains("limit"));
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("date");
        assert!(
            Document::from_json(missing)
                .unwrap_err()
                .contains("\"date\"")
        );
        assert!(Document::from_json(json!([1])).is_err());
    }
}
