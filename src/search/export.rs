//! CSV export (RFC 4180, UTF-8): every hit of a query, up to [`MAX_EXPORT_ROWS`], stats tables
//! and the list of partners. Rows are produced one at a time so a server can stream them. What
//! kavosh writes out starts with [`BOM`], unless asked not to: Excel and LibreOffice read a CSV
//! without one in the locale's code page, and Persian turns to mojibake.

use tantivy::{DocAddress, Searcher};

use super::stats::{StatsBucket, StatsResponse};
use super::{Pass, SearchError, SearchRequest, filtered_query, main_pass};
use crate::document::StoredDocument;
use crate::index::SearchIndex;
use crate::index::partners::PartnerSummary;

/// The UTF-8 byte order mark: what tells spreadsheets a CSV is UTF-8.
pub const BOM: &str = "\u{FEFF}";

/// `csv`, after a [`BOM`] when `bom`.
pub fn with_bom(csv: String, bom: bool) -> String {
    if bom { format!("{BOM}{csv}") } else { csv }
}

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
        (Pass::Query(&*query), &built.proximity),
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

/// The header of the list of partners.
pub const PARTNERS_HEADER: &[&str] = &[
    "key",
    "name",
    "documents",
    "registered",
    "forms",
    "edit",
    "likely_duplicates",
];

/// The list of partners as CSV: forms as `name (documents)` and likely duplicates as
/// `name [reason]`, separated by ` | `.
pub fn partners_csv(partners: &[PartnerSummary]) -> String {
    let mut out = csv_record(PARTNERS_HEADER);
    for p in partners {
        let forms: Vec<String> = p
            .forms
            .iter()
            .map(|f| format!("{} ({})", f.name, f.documents))
            .collect();
        let edit = match &p.edit {
            Some(e) => match (&e.name, &e.merge_into) {
                (Some(name), _) => format!("name: {name}"),
                (_, Some(into)) => format!("merge_into: {into}"),
                _ => String::new(),
            },
            None => String::new(),
        };
        let duplicates: Vec<String> = p
            .likely_duplicates
            .iter()
            .map(|d| format!("{} [{}]", d.name, d.reason))
            .collect();
        out.push_str(&csv_record(&[
            p.key.clone(),
            p.name.clone(),
            p.documents.to_string(),
            p.registered.to_string(),
            forms.join(" | "),
            edit,
            duplicates.join(" | "),
        ]));
    }
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
