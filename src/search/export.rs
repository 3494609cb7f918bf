//! CSV export (RFC 4180, UTF-8): every hit of a query, up to [`MAX_EXPORT_ROWS`], and stats
//! tables. Rows are produced one at a time so a server can stream them.

use tantivy::{DocAddress, Searcher};

use super::stats::{StatsBucket, StatsResponse};
use super::{SearchError, SearchRequest, filtered_query, main_pass};
use crate::document::StoredDocument;
use crate::index::SearchIndex;

/// Most rows one export returns.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// The header of a hits export.
pub const HITS_HEADER: &[&str] = &[
    "id",
    "kind",
    "date",
    "date_jalali",
    "number",
    "title",
    "partners",
    "domains",
    "url",
    "source",
];

/// One CSV record (with CRLF, as RFC 4180 has it).
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let f = f.as_ref();
        if f.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
    out
}

/// The CSV record of a document.
pub fn hit_record(doc: &StoredDocument) -> String {
    csv_record(&[
        doc.id.as_str(),
        doc.kind.as_str(),
        &doc.date,
        &doc.date_jalali,
        &doc.number.map(|n| n.to_string()).unwrap_or_default(),
        &doc.title,
        &doc.partners.join(" | "),
        &doc.domains.join(" | "),
        doc.url.as_deref().unwrap_or(""),
        doc.source.as_deref().unwrap_or(""),
    ])
}

/// Every hit of a query, ready to be written out row by row.
pub struct Export {
    /// The searcher the addresses belong to (a later commit must not shift them).
    pub searcher: Searcher,
    pub addresses: Vec<DocAddress>,
    /// True when the query had more than [`MAX_EXPORT_ROWS`] hits.
    pub capped: bool,
}

impl Export {
    /// The CSV records of the hits, header first.
    pub fn records<'a>(
        &'a self,
        index: &'a SearchIndex,
    ) -> impl Iterator<Item = Result<String, SearchError>> + 'a {
        std::iter::once(Ok(csv_record(HITS_HEADER))).chain(self.addresses.iter().map(|a| {
            index
                .stored(&self.searcher, *a)
                .map(|doc| hit_record(&doc))
                .map_err(SearchError::from)
        }))
    }
}

/// Every hit of `req` (its page and per_page are ignored), in its order, at most
/// [`MAX_EXPORT_ROWS`].
pub fn export_hits(index: &SearchIndex, req: &SearchRequest) -> Result<Export, SearchError> {
    let (searcher, built, query) = filtered_query(
        index,
        &req.q,
        &req.filters,
        (req.typos, req.mode),
        req.rewrite,
    )?;
    let pass = main_pass(
        &searcher,
        (&*query, &built.proximity),
        req.sort,
        (0, MAX_EXPORT_ROWS + 1),
        &[],
    )?;
    let mut addresses: Vec<DocAddress> = pass.hits.into_iter().map(|(_, a)| a).collect();
    let capped = addresses.len() > MAX_EXPORT_ROWS;
    addresses.truncate(MAX_EXPORT_ROWS);
    Ok(Export {
        searcher,
        addresses,
        capped,
    })
}

/// A stats table as CSV: `by1,label1,[by2,label2,]count`.
pub fn stats_csv(stats: &StatsResponse) -> String {
    let mut header: Vec<String> = Vec::new();
    for by in &stats.by {
        header.push(by.clone());
        header.push(format!("{by}_label"));
    }
    header.push("count".into());
    let mut out = csv_record(&header);
    fn rows(buckets: &[StatsBucket], prefix: &mut Vec<String>, out: &mut String) {
        for b in buckets {
            prefix.push(b.key.clone());
            prefix.push(b.label.clone().unwrap_or_default());
            match &b.buckets {
                Some(inner) => rows(inner, prefix, out),
                None => {
                    let mut record = prefix.clone();
                    record.push(b.count.to_string());
                    out.push_str(&csv_record(&record));
                }
            }
            prefix.truncate(prefix.len() - 2);
        }
    }
    rows(&stats.buckets, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(
            csv_record(&["a", "b,c", "say \"hi\"", "x\ny"]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
        assert_eq!(csv_record(&["پارک علم و فناوری"]), "پارک علم و فناوری\r\n");
    }
}
