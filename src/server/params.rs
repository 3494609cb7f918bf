//! Query strings, read into the requests of `/search`, `/stats`, `/suggest`, `/analyze` and
//! `/insights`.
//!
//! Filters repeat (`partner=a&partner=b`); every other parameter is given at most once. Unknown
//! names are refused, so a misspelt parameter (`per-page`) is a 400, not silently ignored.
//! Empty values count as absent (a form's empty field). Numbers may be written in Persian or
//! Arabic-Indic digits. A name or value whose bytes are not UTF-8 once percent-decoded is a
//! 400 naming the parameter: it is never searched with replacement characters.

use crate::analysis::fold;
use crate::calendar::Day;
use crate::document::Kind;
use crate::search::stats::{StatsBy, StatsRequest};
use crate::search::suggest::MAX_SUGGESTIONS;
use crate::search::{Filters, MatchMode, SearchRequest, Sort, Typos};

use super::error::ApiError;

/// Default number of suggestions.
pub const DEFAULT_SUGGESTIONS: usize = 8;
/// Longest text `/analyze` takes, in characters.
pub const MAX_ANALYZE_CHARS: usize = 10_000;

const SEARCH: &[&str] = &[
    "q",
    "kind",
    "partner",
    "domain",
    "year",
    "from",
    "to",
    "sort",
    "page",
    "per_page",
    "typos",
    "match",
    "format",
    "analytics",
    "bom",
    "rewrite",
];
const STATS: &[&str] = &[
    "q", "kind", "partner", "domain", "year", "from", "to", "typos", "by", "top", "format", "bom",
];
const PARTNERS: &[&str] = &["format", "bom"];
const SUGGEST: &[&str] = &["q", "limit", "rewrite"];
const ANALYZE: &[&str] = &["text", "query"];
const INSIGHTS: &[&str] = &["from", "to", "format", "bom"];
const INSIGHT_QUERIES: &[&str] = &["from", "to", "top", "format", "bom"];

/// The decoded name/value pairs of a query string, in order.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let name = decode(name).map_err(|_| {
                    ApiError::bad_request(format!(
                        "a parameter name is not valid UTF-8: {:?}",
                        truncate(name)
                    ))
                })?;
                let value = decode(value).map_err(|_| {
                    ApiError::bad_request(format!(
                        "parameter {name:?} is not valid UTF-8; percent-encode the UTF-8 bytes of the text"
                    ))
                })?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        if let Some((name, _)) = pairs.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter {name:?}; this route takes {}",
                known.join(", ")
            )));
        }
        Ok(Params(pairs))
    }

    /// Every non-empty value of a repeatable parameter.
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter given at most once.
    fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, ApiError> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::bad_request(format!(
                "parameter {name:?} is given more than once"
            )));
        }
        Ok(first)
    }

    /// A parameter given at most once, read by `read`; `expected` says what it takes.
    fn read<T>(
        &self,
        name: &str,
        read: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, ApiError> {
        self.one(name)?
            .map(|v| {
                read(v.trim()).ok_or_else(|| {
                    ApiError::bad_request(format!("bad {name} {v:?}: expected {expected}"))
                })
            })
            .transpose()
    }
}

/// One percent-encoded name or value of a query string (`+` is a space), if its bytes are
/// UTF-8.
fn decode(encoded: &str) -> Result<String, std::string::FromUtf8Error> {
    let spaced = encoded.replace('+', " ");
    String::from_utf8(percent_encoding::percent_decode_str(&spaced).collect())
}

/// At most the first 40 bytes of a raw (still percent-encoded, so ASCII) name, for a message.
fn truncate(raw: &str) -> &str {
    raw.get(..40).unwrap_or(raw)
}

/// A whole number in any digits.
fn number<T: std::str::FromStr>(v: &str) -> Option<T> {
    fold(v).parse().ok()
}

fn day(name: &str, v: Option<&str>) -> Result<Option<Day>, ApiError> {
    v.map(|v| Day::parse(v).map_err(|e| ApiError::bad_request(format!("{name}: {e}"))))
        .transpose()
}

/// How a reply is written: JSON, or CSV for researchers' export, UTF-8 with a byte order mark
/// so that spreadsheets read Persian as Persian (`bom=false` for programs that want none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv { bom: bool },
}

fn format(p: &Params) -> Result<Format, ApiError> {
    let bom = p
        .read("bom", |v| v.parse().ok(), "true or false")?
        .unwrap_or(true);
    Ok(p.read(
        "format",
        |v| match v {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv { bom }),
            _ => None,
        },
        "json or csv",
    )?
    .unwrap_or(Format::Json))
}

/// The format of a `/partners` reply.
pub fn partners_request(raw: Option<&str>) -> Result<Format, ApiError> {
    format(&Params::parse(raw, PARTNERS)?)
}

/// The filters shared by `/search` and `/stats`.
fn filters(p: &Params) -> Result<Filters, ApiError> {
    let kinds = p
        .all("kind")
        .map(|k| {
            Kind::parse(k).ok_or_else(|| {
                ApiError::bad_request(format!("bad kind {k:?}: expected agreement or news"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let years = p
        .all("year")
        .map(|y| {
            number(y.trim()).ok_or_else(|| {
                ApiError::bad_request(format!("bad year {y:?}: expected a Jalali year like 1404"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Filters {
        kinds,
        partners: p.all("partner").map(|s| s.trim().to_string()).collect(),
        domains: p.all("domain").map(|s| s.trim().to_string()).collect(),
        years,
        from: day("from", p.one("from")?)?,
        to: day("to", p.one("to")?)?,
    })
}

fn typos(p: &Params) -> Result<Option<Typos>, ApiError> {
    p.read("typos", Typos::parse, "0, 1, 2 or auto")
}

/// `rewrite=false` searches exactly what was typed (default true).
fn rewrite(p: &Params) -> Result<bool, ApiError> {
    Ok(p.read("rewrite", |v| v.parse().ok(), "true or false")?
        .unwrap_or(true))
}

/// How a `/search` reply is given, besides the search itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchOptions {
    pub format: Format,
    /// Whether the search counts in the search insights (`analytics=false`: it does not).
    pub analytics: bool,
}

/// The search a `/search` query string asks for, and how to reply.
pub fn search_request(raw: Option<&str>) -> Result<(SearchRequest, SearchOptions), ApiError> {
    let p = Params::parse(raw, SEARCH)?;
    let defaults = SearchRequest::default();
    let positive = "a whole number from 1";
    let request = SearchRequest {
        q: p.one("q")?.unwrap_or("").to_string(),
        filters: filters(&p)?,
        sort: p
            .read("sort", Sort::parse, "relevance, newest or oldest")?
            .unwrap_or(defaults.sort),
        page: p.read("page", number, positive)?.unwrap_or(defaults.page),
        per_page: p
            .read("per_page", number, positive)?
            .unwrap_or(defaults.per_page),
        typos: typos(&p)?.unwrap_or(defaults.typos),
        mode: p
            .read("match", match_mode, "all or any")?
            .unwrap_or(defaults.mode),
        facets: true,
        rewrite: rewrite(&p)?,
    };
    let options = SearchOptions {
        format: format(&p)?,
        analytics: p
            .read("analytics", |v| v.parse().ok(), "true or false")?
            .unwrap_or(true),
    };
    Ok((request, options))
}

/// The counts a `/stats` query string asks for, and the reply's format.
pub fn stats_request(raw: Option<&str>) -> Result<(StatsRequest, Format), ApiError> {
    let p = Params::parse(raw, STATS)?;
    let by = p
        .all("by")
        .map(|b| {
            StatsBy::parse(b.trim()).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "bad by {b:?}: expected partner, domain, kind, year or month"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let request = StatsRequest {
        q: p.one("q")?.unwrap_or("").to_string(),
        filters: filters(&p)?,
        by,
        top: p.read("top", number, "a whole number from 1")?,
        typos: typos(&p)?.unwrap_or(Typos::Auto),
    };
    Ok((request, format(&p)?))
}

fn match_mode(v: &str) -> Option<MatchMode> {
    match v {
        "all" => Some(MatchMode::All),
        "any" => Some(MatchMode::Any),
        _ => None,
    }
}

/// The text typed so far, the number of suggestions `/suggest` asks for, and whether a prefix
/// typed with the wrong keyboard layout or in Finglish may be completed as meant.
pub fn suggest_request(raw: Option<&str>) -> Result<(String, usize, bool), ApiError> {
    let p = Params::parse(raw, SUGGEST)?;
    let limit = p
        .read(
            "limit",
            number,
            &format!("a whole number from 1 to {MAX_SUGGESTIONS}"),
        )?
        .unwrap_or(DEFAULT_SUGGESTIONS);
    Ok((p.one("q")?.unwrap_or("").to_string(), limit, rewrite(&p)?))
}

/// The text and whether to analyze it as a query, for `/analyze`.
pub fn analyze_request(raw: Option<&str>) -> Result<(String, bool), ApiError> {
    let p = Params::parse(raw, ANALYZE)?;
    let text = p
        .one("text")?
        .ok_or_else(|| ApiError::bad_request("parameter \"text\" is required"))?;
    if text.chars().count() > MAX_ANALYZE_CHARS {
        return Err(ApiError::bad_request(format!(
            "text longer than {MAX_ANALYZE_CHARS} characters"
        )));
    }
    let query = p
        .read("query", |v| v.parse().ok(), "true or false")?
        .unwrap_or(false);
    Ok((text.to_string(), query))
}

/// The days, number of rows and format an `/insights` query string asks for (`top` only for
/// `/insights/queries`, `with_top`).
pub fn insights_request(raw: Option<&str>, with_top: bool) -> Result<InsightsRequest, ApiError> {
    let p = Params::parse(raw, if with_top { INSIGHT_QUERIES } else { INSIGHTS })?;
    Ok(InsightsRequest {
        from: day("from", p.one("from")?)?,
        to: day("to", p.one("to")?)?,
        top: p.read("top", number, "a whole number from 1")?,
        format: format(&p)?,
    })
}

/// An `/insights` request as given (defaults are the insights' to fill).
#[derive(Clone, Debug, PartialEq)]
pub struct InsightsRequest {
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub top: Option<usize>,
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<impl std::fmt::Debug, ApiError>) -> String {
        r.unwrap_err().detail.message
    }

    #[test]
    fn filters_repeat_and_numbers_take_any_digits() {
        let (r, options) = search_request(Some(
            "q=%D9%81%D9%86%D8%A7%D9%88%D8%B1%DB%8C&partner=a&partner=b+c&kind=news&year=%DB%B1%DB%B4%DB%B0%DB%B4\
             &year=1403&from=1404/01/01&to=2025-12-31&sort=newest&page=2&per_page=5&typos=0&match=any&domain=\
             &format=csv&analytics=false",
        ))
        .unwrap();
        assert_eq!(
            options,
            SearchOptions {
                format: Format::Csv { bom: true },
                analytics: false
            }
        );
        assert_eq!(r.q, "فناوری");
        assert_eq!(r.filters.partners, ["a", "b c"]);
        assert_eq!(r.filters.kinds, [Kind::News]);
        assert_eq!(r.filters.years, [1404, 1403]);
        assert!(r.filters.domains.is_empty(), "an empty value is no filter");
        assert_eq!(r.filters.from.unwrap().iso_string(), "2025-03-21");
        assert_eq!(r.filters.to.unwrap().jalali_string(), "1404/10/10");
        assert_eq!(
            (r.sort, r.page, r.per_page, r.typos, r.mode),
            (Sort::Newest, 2, 5, Typos::Exact, MatchMode::Any)
        );
    }

    #[test]
    fn defaults() {
        let (r, options) = search_request(None).unwrap();
        assert_eq!(
            options,
            SearchOptions {
                format: Format::Json,
                analytics: true
            }
        );
        let d = SearchRequest::default();
        assert_eq!(
            (r.q.as_str(), r.sort, r.page, r.per_page, r.typos, r.mode),
            ("", d.sort, 1, 10, Typos::Auto, MatchMode::All)
        );
        assert!(r.rewrite);
        assert_eq!(suggest_request(Some("q=x")).unwrap(), ("x".into(), 8, true));
        assert!(!search_request(Some("rewrite=false")).unwrap().0.rewrite);
        assert!(!suggest_request(Some("q=x&rewrite=false")).unwrap().2);
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        for (query, expected) in [
            ("sort=best", "relevance, newest or oldest"),
            ("typos=3", "0, 1, 2 or auto"),
            ("match=some", "all or any"),
            ("per_page=ten", "whole number"),
            ("page=-1", "whole number"),
            ("page=99999999999999999999999", "whole number"),
            ("kind=memo", "agreement or news"),
            ("year=next", "Jalali year"),
            ("from=1404/13/01", "from:"),
            ("to=yesterday", "to:"),
            ("per-page=5", "unknown parameter \"per-page\""),
            ("q=a&q=b", "more than once"),
            ("format=xml", "json or csv"),
            ("rewrite=no", "true or false"),
            ("analytics=no", "true or false"),
        ] {
            let m = message(search_request(Some(query)));
            assert!(m.contains(expected), "{query}: {m}");
        }
        assert!(message(suggest_request(Some("limit=many"))).contains("1 to 20"));
        assert!(message(stats_request(Some("by=city"))).contains("partner, domain"));
        assert!(message(stats_request(Some("by=year&top=all"))).contains("whole number"));
        let (s, f) = stats_request(Some("by=year&by=domain&top=3&format=csv&kind=news")).unwrap();
        assert_eq!(
            (s.by, s.top, f),
            (
                vec![StatsBy::Year, StatsBy::Domain],
                Some(3),
                Format::Csv { bom: true }
            )
        );
        assert!(message(analyze_request(Some("query=true"))).contains("required"));
        assert!(message(analyze_request(Some("text=a&query=yes"))).contains("true or false"));
        assert!(message(insights_request(Some("top=5"), false)).contains("unknown parameter"));
        assert!(message(insights_request(Some("from=1404/13/01"), true)).contains("from:"));
        let r =
            insights_request(Some("from=۱۴۰۴/۰۹/۰۱&to=2025-12-16&top=۵&format=csv"), true).unwrap();
        assert_eq!(
            (
                r.from.unwrap().jalali_string(),
                r.to.unwrap().jalali_string()
            ),
            ("1404/09/01".into(), "1404/09/25".into())
        );
        assert_eq!((r.top, r.format), (Some(5), Format::Csv { bom: true }));
        assert_eq!(
            partners_request(Some("format=csv&bom=false")).unwrap(),
            Format::Csv { bom: false }
        );
        assert!(message(partners_request(Some("bom=no"))).contains("true or false"));
        let long = format!("text={}", "ا".repeat(MAX_ANALYZE_CHARS + 1));
        assert!(message(analyze_request(Some(&long))).contains("10000 characters"));
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_by_name() {
        // «فن» with its last byte cut, as a client that encodes in another charset sends it.
        for (raw, name) in [("q=%D9%81%D9", "q"), ("partner=%FF&q=x", "partner")] {
            let m = message(search_request(Some(raw)));
            assert!(
                m.contains(&format!("{name:?}")) && m.contains("UTF-8"),
                "{m}"
            );
        }
        assert!(message(suggest_request(Some("q=%C0%AF"))).contains("\"q\""));
        assert!(message(stats_request(Some("by=year&q=%E2%80"))).contains("\"q\""));
        assert!(message(analyze_request(Some("text=%D8"))).contains("\"text\""));
        assert!(message(search_request(Some("%FF=1"))).contains("parameter name"));
        // Windows-1256, the old Arabic-script charset: «فن» is E1 E4 there.
        assert!(message(search_request(Some("q=%E1%E4"))).contains("UTF-8"));
        let (r, _) =
            search_request(Some("q=%D9%81%D9%86+%D9%BE%D8%A7%D8%B1%DA%A9&&kind=")).unwrap();
        assert_eq!(r.q, "فن پارک");
    }
}
