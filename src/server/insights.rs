//! Search insights over HTTP: `GET /insights` (each day's totals) and `GET /insights/queries`
//! (the queries) for the holder of the API key, `POST /insights/click` for the search page and
//! the widget (no key; a small, validated body), the counting of `GET /search`, and the upkeep
//! that counts the queued searches every second and saves the counts into the index settings
//! every minute and at shutdown. The counting itself is [`crate::insights`].

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::params::{self, Format, InsightsRequest};
use crate::document::MAX_ID_BYTES;
use crate::index::SearchIndex;
use crate::insights::{Insights, Overview, QueriesReport, QueryRow, Range, SearchOutcome};
use crate::search::export::csv_record;
use crate::search::{MAX_HIT_DEPTH, MAX_QUERY_CHARS, SearchResponse};

/// Largest body of a click report.
pub const MAX_CLICK_BYTES: usize = 1024;
/// How often one client may report clicks: a person opens a result every few seconds at most;
/// anything faster is a script inflating counts.
pub const CLICK_QUOTA: super::limits::Quota = super::limits::Quota {
    per_second: 0.5,
    burst: 20,
};
/// Rows of each list of `/insights/queries` unless `top` says otherwise, and the most it may.
pub const DEFAULT_TOP: usize = 20;
pub const MAX_TOP: usize = 1000;
/// How often queued searches are counted.
const COUNT_EVERY: Duration = Duration::from_secs(1);
/// How often (in counts) the counts are saved into the index settings: every minute.
const SAVE_EVERY_COUNTS: u32 = 60;

/// Counts a search a visitor made: called for `GET /search` replies in JSON unless the request
/// said `analytics=false`. Only the first page counts (the next pages are the same search).
pub fn count_search(insights: &Insights, reply: &SearchResponse) {
    if reply.page == 1 {
        insights.record_search(&reply.query, SearchOutcome::of(reply));
    }
}

/// Middleware for the insights reports: they need the API key.
pub async fn require_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    state
        .keys
        .check_admin("search insights", request.headers())?;
    Ok(next.run(request).await)
}

/// Counts queued searches every second and saves the counts every minute into the settings of
/// the index `served` gives at that moment (an upgraded index takes the old one's place), for
/// as long as the server runs, on the blocking pool (folding a busy second's queries would hold
/// up an async worker).
pub async fn upkeep(
    served: impl Fn() -> Arc<SearchIndex> + Send + 'static,
    insights: Arc<Insights>,
) {
    let mut tick = tokio::time::interval(COUNT_EVERY);
    let mut counts = 0u32;
    loop {
        tick.tick().await;
        counts += 1;
        if counts.is_multiple_of(SAVE_EVERY_COUNTS) {
            save(served(), &insights).await;
        } else {
            let insights = insights.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || insights.count_queued()).await {
                tracing::error!("counting the queued searches failed: {e}");
            }
        }
    }
}

/// Saves the counts into the index's settings (on the blocking pool: it writes a file). A
/// failure is logged; what was not saved is saved next time.
pub async fn save(index: Arc<SearchIndex>, insights: &Arc<Insights>) {
    let insights = insights.clone();
    match tokio::task::spawn_blocking(move || insights.save(index.settings())).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!("the search insights were not saved: {e}"),
        Err(e) => tracing::error!("saving the search insights failed: {e}"),
    }
}

/// The range a request asks for, or a 400 saying why not.
fn range(request: &InsightsRequest) -> Result<Range, ApiError> {
    Range::asked(request.from, request.to, crate::insights::today()).map_err(ApiError::bad_request)
}

/// Runs a report on the blocking pool (summing a long range of busy days takes a while).
async fn report<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Insights) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let insights = state.insights.clone();
    tokio::task::spawn_blocking(move || work(&insights))
        .await
        .map_err(|e| ApiError::internal(format!("an insights report failed: {e}")))
}

/// Each day's searches, searches that found nothing, rewritten searches and clicks.
#[utoipa::path(get, path = "/insights", tag = "insights",
    security(("api_key" = [])),
    params(
        ("from" = Option<String>, Query, description = "First day: Jalali 1404/09/01 or ISO 2025-11-22, any digits (default: 30 days before `to`)"),
        ("to" = Option<String>, Query, description = "Last day, like from (default: today, Iran time)"),
        ("format" = Option<String>, Query, description = "json (default) or csv (UTF-8 with BOM, for Excel: day,searches,no_results,rewritten,clicks)"),
    ),
    responses(
        (status = 200, description = "The totals of the range and of each of its days", body = Overview),
        (status = 400, description = "A bad parameter, from after to, or a range over 3,660 days", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: insights are disabled", body = ErrorBody),
    ))]
pub async fn overview(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let request = params::insights_request(query.as_deref(), false)?;
    let range = range(&request)?;
    let overview = report(&state, move |insights| insights.overview(range)).await?;
    Ok(match request.format {
        Format::Json => Json(overview).into_response(),
        Format::Csv { bom } => {
            let mut csv = excel_csv(
                &["day", "searches", "no_results", "rewritten", "clicks"],
                bom,
            );
            for d in &overview.days {
                csv.push_str(&csv_record(&[
                    d.day.clone(),
                    d.searches.to_string(),
                    d.no_results.to_string(),
                    d.rewritten.to_string(),
                    d.clicks.to_string(),
                ]));
            }
            super::routes::csv_response(Body::from(csv), "kavosh-insights-days.csv", false)
        }
    })
}

/// What visitors searched for in a range of days: the most searched queries and those that
/// most often found nothing, each searched at least `KAVOSH_INSIGHTS_MIN_COUNT` times in it.
#[utoipa::path(get, path = "/insights/queries", tag = "insights",
    security(("api_key" = [])),
    params(
        ("from" = Option<String>, Query, description = "First day: Jalali 1404/09/01 or ISO 2025-11-22, any digits (default: 30 days before `to`)"),
        ("to" = Option<String>, Query, description = "Last day, like from (default: today, Iran time)"),
        ("top" = Option<usize>, Query, description = "Rows of each list, 1 to 1000 (default 20)"),
        ("format" = Option<String>, Query, description = "json (default) or csv (UTF-8 with BOM, for Excel): one row per query of either list, query,searches,no_results,rewritten,clicks,average_click_position"),
    ),
    responses(
        (status = 200, description = "Queries as the analyzer folds them, with their counts", body = QueriesReport),
        (status = 400, description = "A bad parameter, from after to, or a range over 3,660 days", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: insights are disabled", body = ErrorBody),
    ))]
pub async fn queries(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let request = params::insights_request(query.as_deref(), true)?;
    let range = range(&request)?;
    let top = request.top.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(ApiError::bad_request(format!(
            "top must be between 1 and {MAX_TOP}"
        )));
    }
    Ok(match request.format {
        Format::Json => Json(report(&state, move |insights| insights.queries(range, top)).await?)
            .into_response(),
        Format::Csv { bom } => {
            let (most, nothing) =
                report(&state, move |insights| insights.ranked_queries(range, top)).await?;
            super::routes::csv_response(
                Body::from(queries_csv(most, nothing, bom)),
                "kavosh-insights-queries.csv",
                false,
            )
        }
    })
}

/// CSV that Excel opens as UTF-8 (a byte order mark first, unless `bom` is false), starting
/// with its header.
fn excel_csv(header: &[&str], bom: bool) -> String {
    crate::search::export::with_bom(csv_record(header), bom)
}

/// The rows of both lists, each query once: the most searched first, then those only the
/// list of searches without results holds.
fn queries_csv(most: Vec<QueryRow>, nothing: Vec<QueryRow>, bom: bool) -> String {
    let mut csv = excel_csv(
        &[
            "query",
            "searches",
            "no_results",
            "rewritten",
            "clicks",
            "average_click_position",
        ],
        bom,
    );
    let extra: Vec<QueryRow> = nothing
        .into_iter()
        .filter(|n| !most.iter().any(|m| m.query == n.query))
        .collect();
    for q in most.iter().chain(&extra) {
        csv.push_str(&csv_record(&[
            q.query.clone(),
            q.searches.to_string(),
            q.no_results.to_string(),
            q.rewritten.to_string(),
            q.clicks.to_string(),
            q.average_click_position
                .map(|p| format!("{p:.2}"))
                .unwrap_or_default(),
        ]));
    }
    csv
}

/// A click on a result, as the search page and the widget report it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClickReport {
    /// The query whose results were shown, as typed.
    pub query: String,
    /// The clicked document's id.
    pub id: String,
    /// The result's position in the list, 1-based.
    pub position: u32,
}

impl ClickReport {
    /// Reads and checks a report's body.
    fn parse(body: &[u8]) -> Result<ClickReport, ApiError> {
        let click: ClickReport = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "bad click report: {e}; send {{\"query\", \"id\", \"position\"}}"
            ))
        })?;
        if click.query.trim().is_empty() || click.query.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::bad_request(format!(
                "query must have text and at most {MAX_QUERY_CHARS} characters"
            )));
        }
        if click.id.trim().is_empty() || click.id.len() > MAX_ID_BYTES {
            return Err(ApiError::bad_request(format!(
                "id must be a document id of 1 to {MAX_ID_BYTES} bytes"
            )));
        }
        if !(1..=MAX_HIT_DEPTH as u32).contains(&click.position) {
            return Err(ApiError::bad_request(format!(
                "position must be between 1 and {MAX_HIT_DEPTH}"
            )));
        }
        Ok(click)
    }
}

/// Reports a click on a search result. Only the count of clicks per query and day is kept
/// (nothing about who clicked); a report is accepted alike whether or not the query was
/// searched, so the reply tells nothing about other visitors' searches.
#[utoipa::path(post, path = "/insights/click", tag = "insights",
    request_body(content = ClickReport, description = "{\"query\", \"id\", \"position\"}, at most 1 KiB; any content type (the page sends text/plain, which needs no CORS preflight)", content_type = "application/json"),
    responses(
        (status = 204, description = "Counted (or, with insights off, ignored)"),
        (status = 400, description = "Not a valid click report, named", body = ErrorBody),
        (status = 413, description = "The body is over 1 KiB", body = ErrorBody),
    ))]
pub async fn click(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large_for("a click report", MAX_CLICK_BYTES)
        } else {
            ApiError::from(e)
        }
    })?;
    let click = ClickReport::parse(&body)?;
    state.insights.record_click(&click.query, click.position);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> String {
        ClickReport::parse(body.as_bytes())
            .unwrap_err()
            .detail
            .message
    }

    #[test]
    fn click_reports_are_checked() {
        let ok = ClickReport::parse(r#"{"query":"فناوری","id":"mou-054","position":3}"#.as_bytes())
            .unwrap();
        assert_eq!((ok.query.as_str(), ok.position), ("فناوری", 3));
        for (body, expected) in [
            ("", "bad click report"),
            ("{", "bad click report"),
            (r#"{"query":"a","id":"b"}"#, "position"),
            (
                r#"{"query":"a","id":"b","position":1,"ip":"1.2.3.4"}"#,
                "unknown field",
            ),
            (
                r#"{"query":" ","id":"b","position":1}"#,
                "query must have text",
            ),
            (r#"{"query":"a","id":"","position":1}"#, "id must be"),
            (
                r#"{"query":"a","id":"b","position":0}"#,
                "between 1 and 10000",
            ),
            (
                r#"{"query":"a","id":"b","position":10001}"#,
                "between 1 and 10000",
            ),
            (
                r#"{"query":"a","id":"b","position":-1}"#,
                "bad click report",
            ),
        ] {
            let m = message(body);
            assert!(m.contains(expected), "{body}: {m}");
        }
        let long = format!(r#"{{"query":"{}","id":"b","position":1}}"#, "ا".repeat(513));
        assert!(message(&long).contains("512"));
    }

    #[test]
    fn the_queries_csv_lists_each_query_once_and_opens_in_excel() {
        let row = |q: &str, searches, no_results| QueryRow {
            query: q.into(),
            searches,
            no_results,
            rewritten: 0,
            clicks: 1,
            average_click_position: Some(1.5),
        };
        let csv = queries_csv(
            vec![row("فناوری", 9, 1), row("شیلات, مازندران", 5, 0)],
            vec![row("پژوهش", 3, 3), row("فناوری", 9, 1)],
            true,
        );
        assert!(csv.starts_with('\u{FEFF}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').lines().collect();
        assert_eq!(
            lines,
            [
                "query,searches,no_results,rewritten,clicks,average_click_position",
                "فناوری,9,1,0,1,1.50",
                "\"شیلات, مازندران\",5,0,0,1,1.50",
                "پژوهش,3,3,0,1,1.50",
            ]
        );
    }
}
