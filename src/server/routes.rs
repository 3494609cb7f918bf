//! The handlers: each reads its request, runs the work (index work on the blocking pool, so a
//! long search or commit never stalls the async workers) and writes the reply. The work itself
//! is in [`crate::search`], [`super::documents`] and [`super::params`].

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::documents::{self, BatchReport};
use super::error::{ApiError, ErrorBody};
use super::params::Format;
use super::{AppState, params};
use crate::analysis::QueryTerm;
use crate::calendar::Day;
use crate::document::{Kind, StoredDocument, Taxonomy};
use crate::index::SearchIndex;
use crate::search::stats::StatsResponse;
use crate::search::suggest::SuggestResponse;
use crate::search::{Filters, SearchRequest, SearchResponse, export};

/// Runs index work on the blocking pool.
pub(super) async fn blocking<T, E>(
    state: &AppState,
    work: impl FnOnce(&SearchIndex) -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Send + 'static,
    ApiError: From<E>,
{
    let index = state.index.current();
    match tokio::task::spawn_blocking(move || work(&index)).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::internal(format!("index work failed: {e}"))),
    }
}

/// Full-text search with filters, facets and highlights.
#[utoipa::path(get, path = "/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "The query: words (all must match), \"phrases\", -exclusion, OR, parentheses, title: and body: scoping. At most 512 characters. Malformed input is read leniently and named in `warnings`."),
        ("kind" = Option<Vec<String>>, Query, description = "agreement or news; repeatable (any of them)"),
        ("partner" = Option<Vec<String>>, Query, description = "A partner's name in any spelling; repeatable (any of them)"),
        ("domain" = Option<Vec<String>>, Query, description = "A domain id (GET /taxonomy); a parent matches its children; repeatable"),
        ("year" = Option<Vec<u32>>, Query, description = "A Jalali year, like 1404; repeatable"),
        ("from" = Option<String>, Query, description = "First day: Jalali 1404/01/01 or ISO 2025-03-21, any digits"),
        ("to" = Option<String>, Query, description = "Last day, like from"),
        ("sort" = Option<String>, Query, description = "relevance (default), newest or oldest"),
        ("page" = Option<usize>, Query, description = "1-based; pages reaching past hit 10,000 are refused"),
        ("per_page" = Option<usize>, Query, description = "1 to 100, default 10"),
        ("typos" = Option<String>, Query, description = "0, 1, 2 or auto (default: 0 edits under 5 letters, 1 from 5, 2 from 9)"),
        ("match" = Option<String>, Query, description = "all (default; relaxes to any when all finds nothing) or any"),
        ("format" = Option<String>, Query, description = "json (default) or csv: every hit of the query (page and per_page ignored), at most 100,000 rows, streamed as RFC 4180 UTF-8 with header X-Kavosh-Export-Capped: true when cut"),
        ("analytics" = Option<bool>, Query, description = "false: this search is not counted in the search insights (default true; only first pages of JSON searches with a query count)"),
        ("rewrite" = Option<bool>, Query, description = "true (default): a word typed with the wrong keyboard layout or in Finglish is searched as meant (said in `rewritten`), and synonyms and domain labels also find their documents, ranked below what was typed; false: exactly what was typed"),
    ),
    responses(
        (status = 200, description = "Hits, facets and warnings (or CSV with format=csv)", body = SearchResponse),
        (status = 400, description = "A bad parameter or an exceeded limit, named", body = ErrorBody),
        (status = 408, description = "Longer than the 10 s limit", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (request, options) = params::search_request(query.as_deref())?;
    match options.format {
        Format::Json => {
            let cache = state.search_cache.clone();
            let reply = blocking(&state, move |index| cache.search(index, &request)).await?;
            if options.analytics {
                super::insights::count_search(&state.insights, &reply);
            }
            Ok(Json(reply).into_response())
        }
        Format::Csv { bom } => export_csv(&state, request, bom).await,
    }
}

/// Rows sent to the client per chunk of a streamed export.
const EXPORT_CHUNK_ROWS: usize = 500;

/// Streams every hit of a search as CSV (after a byte order mark when `bom`): the hits are
/// found first (errors are still a JSON reply), then rows are written on the blocking pool as
/// the client reads them.
async fn export_csv(
    state: &AppState,
    request: SearchRequest,
    bom: bool,
) -> Result<Response, ApiError> {
    let export = blocking(state, move |index| export::export_hits(index, &request)).await?;
    let capped = export.capped;
    let index = state.index.current();
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    tokio::task::spawn_blocking(move || {
        let mut chunk = export::with_bom(String::new(), bom);
        for (i, record) in export.records(&index).enumerate() {
            match record {
                Ok(r) => chunk.push_str(&r),
                Err(e) => {
                    tracing::error!("export stopped: {e:?}");
                    return;
                }
            }
            if (i + 1) % EXPORT_CHUNK_ROWS == 0
                && tx
                    .blocking_send(Bytes::from(std::mem::take(&mut chunk)))
                    .is_err()
            {
                return; // The client went away.
            }
        }
        let _ = tx.blocking_send(Bytes::from(chunk));
    });
    // Fused: the gzip layer polls once more after the end, which a bare `unfold` forbids.
    let body =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|bytes| (Ok::<_, std::convert::Infallible>(bytes), rx))
        }));
    Ok(csv_response(
        Body::from_stream(body),
        "kavosh-search.csv",
        capped,
    ))
}

pub(super) fn csv_response(body: Body, file_name: &str, capped: bool) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (
                header::HeaderName::from_static("x-kavosh-export-capped"),
                capped.to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

/// Exact document counts by partner, domain, kind, Jalali year or month (two `by` for a
/// two-level breakdown), for the same query and filters as `/search`.
#[utoipa::path(get, path = "/stats", tag = "analytics",
    params(
        ("by" = Vec<String>, Query, description = "partner, domain, kind, year or month; give one or two (e.g. by=year&by=domain)"),
        ("top" = Option<usize>, Query, description = "Keep the N largest buckets of each level (year and month: the latest N)"),
        ("q" = Option<String>, Query, description = "A query, as for /search (none: every document)"),
        ("kind" = Option<Vec<String>>, Query, description = "As for /search"),
        ("partner" = Option<Vec<String>>, Query, description = "As for /search"),
        ("domain" = Option<Vec<String>>, Query, description = "As for /search"),
        ("year" = Option<Vec<u32>>, Query, description = "As for /search"),
        ("from" = Option<String>, Query, description = "As for /search"),
        ("to" = Option<String>, Query, description = "As for /search"),
        ("typos" = Option<String>, Query, description = "As for /search"),
        ("format" = Option<String>, Query, description = "json (default) or csv (RFC 4180, UTF-8: by1,by1_label[,by2,by2_label],count)"),
    ),
    responses(
        (status = 200, description = "Counts; domains roll up to parents; months as 1404/09 with Persian names", body = StatsResponse),
        (status = 400, description = "A bad parameter or an exceeded limit, named", body = ErrorBody),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (request, format) = params::stats_request(query.as_deref())?;
    let reply = blocking(&state, move |index| {
        crate::search::stats::stats(index, &request)
    })
    .await?;
    Ok(match format {
        Format::Json => Json(reply).into_response(),
        Format::Csv { bom } => csv_response(
            Body::from(export::with_bom(export::stats_csv(&reply), bom)),
            "kavosh-stats.csv",
            false,
        ),
    })
}

/// An `/aggregate` request body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateRequest {
    /// A query, as for /search (none: every document).
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub filters: AggregateFilters,
    /// Elasticsearch-style aggregations (terms, histogram, date_histogram, range, stats,
    /// cardinality, …) on the fields kind, partner, domain, date, year (Jalali), month (Jalali
    /// 140409), number.
    #[schema(value_type = Object)]
    pub aggs: serde_json::Value,
}

/// Filters of an `/aggregate` request, as in /search.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateFilters {
    #[serde(default)]
    pub kind: Vec<String>,
    #[serde(default)]
    pub partner: Vec<String>,
    #[serde(default)]
    pub domain: Vec<String>,
    #[serde(default)]
    pub year: Vec<u64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AggregateFilters {
    fn into_filters(self) -> Result<Filters, ApiError> {
        let day = |name: &str, v: Option<String>| {
            v.map(|v| Day::parse(&v).map_err(|e| ApiError::bad_request(format!("{name}: {e}"))))
                .transpose()
        };
        Ok(Filters {
            kinds: self
                .kind
                .iter()
                .map(|k| {
                    Kind::parse(k).ok_or_else(|| {
                        ApiError::bad_request(format!("bad kind {k:?}: expected agreement or news"))
                    })
                })
                .collect::<Result<_, _>>()?,
            partners: self.partner,
            domains: self.domain,
            years: self.year,
            from: day("from", self.from)?,
            to: day("to", self.to)?,
        })
    }
}

/// Runs Elasticsearch-style aggregations with tantivy's aggregation engine, within a limit of
/// 10,000 buckets and 64 MiB.
#[utoipa::path(post, path = "/aggregate", tag = "analytics",
    request_body(content = AggregateRequest, description = "{\"q\", \"filters\", \"aggs\"}", content_type = "application/json"),
    responses(
        (status = 200, description = "The aggregation results, shaped as Elasticsearch's", body = Object),
        (status = 400, description = "Bad JSON, a field that cannot be aggregated, or an exceeded limit, named", body = ErrorBody),
    ))]
pub async fn aggregate(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = body?;
    let request: AggregateRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("bad aggregation request: {e}")))?;
    let filters = request.filters.into_filters()?;
    blocking(&state, move |index| {
        crate::search::stats::aggregate(index, &request.q, &filters, request.aggs)
    })
    .await
    .map(Json)
}

/// Search-as-you-type: completions of the last word and the best matching titles.
#[utoipa::path(get, path = "/suggest", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "The text typed so far; its last word may be partial"),
        ("limit" = Option<usize>, Query, description = "1 to 20, default 8"),
        ("rewrite" = Option<bool>, Query, description = "true (default): a prefix typed with the wrong keyboard layout or in Finglish is completed as meant (said in `rewritten`); false: as typed"),
    ),
    responses(
        (status = 200, description = "Completions and titles", body = SuggestResponse),
        (status = 400, description = "A bad parameter or an exceeded limit, named", body = ErrorBody),
        (status = 408, description = "Longer than the 10 s limit", body = ErrorBody),
    ))]
pub async fn suggest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SuggestResponse>, ApiError> {
    let (q, limit, rewrite) = params::suggest_request(query.as_deref())?;
    let cache = state.search_cache.clone();
    blocking(&state, move |index| {
        cache.suggest(index, &q, limit, rewrite)
    })
    .await
    .map(Json)
}

/// One stored document, with its extracted partners and domains and both dates.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The document", body = StoredDocument),
        (status = 404, description = "No document has this id", body = ErrorBody),
    ))]
pub async fn get_document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<StoredDocument>, ApiError> {
    let Path(id) = id?;
    blocking(&state, move |index| documents::get_one(index, &id))
        .await
        .map(Json)
}

/// Adds or replaces documents: one JSON object, a JSON array of them, or NDJSON.
#[utoipa::path(post, path = "/documents", tag = "documents",
    security(("api_key" = [])),
    request_body(content = String, description = "One document object, an array of them, or one per line (NDJSON); at most 10 MiB", content_type = "application/json"),
    responses(
        (status = 200, description = "At least one document was indexed and committed; `errors` lists the items that were not", body = BatchReport),
        (status = 400, description = "Nothing was indexed: `error` says why, `errors` lists every item's reason", body = BatchReport),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: writes are disabled", body = ErrorBody),
        (status = 413, description = "The body is over 10 MiB", body = ErrorBody),
        (status = 408, description = "Longer than the 120 s limit for writes; the documents may still be committed", body = ErrorBody),
    ))]
pub async fn post_documents(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<BatchReport, ApiError> {
    let body = body?;
    blocking(&state, move |index| {
        let text = std::str::from_utf8(&body)
            .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8: {e}")))?;
        documents::post_batch(index, text)
    })
    .await
}

/// Puts one document at its id (created or replaced).
#[utoipa::path(put, path = "/documents/{id}", tag = "documents",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The document's id; the body's id, if given, must be the same")),
    request_body(content = Object, description = "One document object", content_type = "application/json"),
    responses(
        (status = 201, description = "Created and committed; the document as stored", body = StoredDocument),
        (status = 200, description = "Replaced and committed; the document as stored", body = StoredDocument),
        (status = 400, description = "Not JSON, not a valid document, or another id", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: writes are disabled", body = ErrorBody),
        (status = 413, description = "The body is over 10 MiB", body = ErrorBody),
        (status = 408, description = "Longer than the 120 s limit for writes; the documents may still be committed", body = ErrorBody),
    ))]
pub async fn put_document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let (Path(id), body) = (id?, body?);
    let (created, doc) =
        blocking(&state, move |index| documents::put_one(index, &id, &body)).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(doc)))
}

/// Deletes a document.
#[utoipa::path(delete, path = "/documents/{id}", tag = "documents",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The document's id")),
    responses(
        (status = 204, description = "Deleted and committed"),
        (status = 404, description = "No document has this id", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: writes are disabled", body = ErrorBody),
        (status = 408, description = "Longer than the 120 s limit for writes; the documents may still be committed", body = ErrorBody),
    ))]
pub async fn delete_document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id?;
    blocking(&state, move |index| documents::delete_one(index, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    /// Documents visible to searches.
    pub documents: u64,
    /// Present while the index is being upgraded, or when its upgrade failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<super::upgrade::UpgradeStatus>,
}

/// Liveness, with the number of documents.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        documents: state.index.current().num_docs(),
        upgrade: state.index.upgrade_status(),
    })
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Request counts and latencies by route and status, documents, index size", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let handle = state.metrics.clone();
    let text = blocking(&state, move |index| {
        Ok::<_, ApiError>(super::metrics::render(&handle, index))
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    ))
}

/// This API's OpenAPI 3 description.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3 document", body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(super::openapi::document())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Analysis {
    pub text: String,
    /// Whether the text was analyzed as a query.
    pub query: bool,
    pub terms: Vec<QueryTerm>,
}

/// The analyzer's terms for a text, as `kavosh analyze` prints them.
#[utoipa::path(get, path = "/analyze", tag = "operations",
    params(
        ("text" = String, Query, description = "The text, at most 10,000 characters"),
        ("query" = Option<bool>, Query, description = "Analyze as a query (true) or as a document (false, default)"),
    ),
    responses(
        (status = 200, description = "Field, position, term and byte offsets of every term", body = Analysis),
        (status = 400, description = "No text, or an exceeded limit, named", body = ErrorBody),
    ))]
pub async fn analyze(RawQuery(query): RawQuery) -> Result<Json<Analysis>, ApiError> {
    let (text, query) = params::analyze_request(query.as_deref())?;
    let terms = if query {
        crate::analysis::query_terms(&text)
    } else {
        crate::analysis::document_terms(&text)
    };
    Ok(Json(Analysis { text, query, terms }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaxonomyDomain {
    /// `energy/oil-gas`
    pub id: String,
    /// Persian label.
    pub label: String,
    /// The parent's id, `null` at the top.
    pub parent: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaxonomyReply {
    /// Every domain, parents before their children.
    pub domains: Vec<TaxonomyDomain>,
}

/// The domains documents are classified in.
#[utoipa::path(get, path = "/taxonomy", tag = "search",
    responses((status = 200, description = "Domain ids, labels and parents", body = TaxonomyReply)))]
pub async fn taxonomy() -> Json<TaxonomyReply> {
    let domains = Taxonomy::get()
        .domains
        .iter()
        .map(|d| TaxonomyDomain {
            id: d.id.clone(),
            label: d.label.clone(),
            parent: d.parent().map(str::to_string),
        })
        .collect();
    Json(TaxonomyReply { domains })
}

/// The reply for a path no route serves.
pub async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "no route for {method} {}; GET /openapi.json lists the routes",
        uri.path()
    ))
}
