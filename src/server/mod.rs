//! The HTTP service (`kavosh serve`): the router, its layers and the server's life.
//!
//! - [`routes`] are the handlers, thin: they read the request, run the work (index work on
//!   the blocking pool) and write the reply;
//! - [`params`] reads query strings (repeatable filters, named limits) into requests;
//! - [`documents`] are the writes: batches, single replacements, deletes;
//! - [`auth`] guards the writes with the admin keys, and the reads with read keys when set;
//! - [`limits`] holds each client to a rate; [`listener`] serves connections with header and
//!   idle timeouts and a cap on how many are open;
//! - [`error`] gives every failure the `{"error":{"code","message"}}` shape;
//! - [`metrics`] counts requests for Prometheus; [`openapi`] describes every route;
//! - [`assets`] are the search page's files, compiled into the binary;
//! - [`upgrade`] serves an index of an older version while it is rebuilt;
//! - [`insights`] counts what visitors search for and reports it to the key's holder;
//! - [`crawl`] reports the background crawls of `serve --crawl`;
//! - [`backups`] are dumps and snapshots, written in the background;
//! - [`synonyms`] reads and replaces the synonyms queries expand with;
//! - [`partners`] lists the partners and takes a person's corrections of them.
//!
//! Layers, outermost first: panics become a 500, tracing, metrics, CORS, the rate limit, gzip, JSON errors for
//! what axum and tower answer themselves, the time limit, the body limit.

pub mod assets;
pub mod auth;
pub mod backups;
pub mod crawl;
pub mod documents;
pub mod error;
pub mod insights;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod params;
pub mod partners;
pub mod routes;
pub mod synonyms;
pub mod upgrade;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::crawl::CrawlOptions;
use crate::crawl::schedule::CrawlSchedule;
use crate::index::{SearchIndex, migrate};
use crate::insights::{Insights, InsightsConfig};
use crate::search::SearchRequest;
use crate::search::cache::{DEFAULT_CACHE_BYTES, REFRESHED_REPLIES, SearchCache};
use backups::Backups;
use error::ApiError;
use upgrade::ServedIndex;

/// Largest request body (10 MiB).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Longest a read (search, suggest, …) may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a write may take: a full 10 MiB batch is analyzed, settled and committed in about
/// 11 s on two cores.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(120);
/// How often histogram samples are folded into the Prometheus buckets.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// How often the search cache looks for a new view of the index to refresh its most used
/// replies over (`SearchCache::refresh`), at most.
const CACHE_REFRESH_EVERY: Duration = Duration::from_secs(1);

/// A refresh is followed by a pause of this many times its own time (at least
/// [`CACHE_REFRESH_EVERY`]): under a stream of commits, refreshing takes at most a fifth of the
/// time, and writes and searches the rest.
const CACHE_REFRESH_PAUSE: u32 = 4;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The index to search and write; `index.current()` for each request.
    pub index: Arc<ServedIndex>,
    /// The admin keys writes must present (none: every write is a 403), and the read keys.
    pub keys: auth::Keys,
    /// The server-wide rate limit; `None`: off.
    pub rate_limit: Option<limits::RateLimit>,
    pub metrics: PrometheusHandle,
    /// Origins allowed to call the API from a browser; empty: no CORS headers.
    pub cors_origins: Vec<HeaderValue>,
    /// What visitors search for; [`AppState::new`] counts in memory only, `serve` keeps the
    /// counts in the index settings.
    pub insights: Arc<Insights>,
    /// The background crawls, when the server crawls (`GET /crawl`).
    pub crawl: Option<Arc<CrawlSchedule>>,
    /// Dumps and snapshots: their directories and the ones in progress.
    pub backups: Arc<Backups>,
    /// Replies of repeated searches ([`AppState::new`]: the default budget).
    pub search_cache: Arc<SearchCache>,
}

impl AppState {
    /// State over `index` with one admin key (an empty one counts as none), open reads and no
    /// rate limit. Dumps and snapshots go beside the index.
    pub fn new(index: Arc<SearchIndex>, api_key: Option<&str>) -> AppState {
        let backups = Arc::new(Backups::beside(index.path()));
        AppState {
            backups,
            index: Arc::new(ServedIndex::new(index)),
            keys: auth::Keys::new(api_key, None),
            rate_limit: None,
            metrics: metrics::handle(),
            cors_origins: Vec::new(),
            insights: Arc::new(Insights::new(InsightsConfig::default())),
            crawl: None,
            search_cache: Arc::new(SearchCache::new(DEFAULT_CACHE_BYTES)),
        }
    }
}

/// The whole service: API routes, the page's files and every layer.
pub fn router(state: AppState) -> Router {
    let cors = (!state.cors_origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(state.cors_origins.clone()))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
    });
    // woff2 fonts are compressed already.
    let compress = SizeAbove::default().and(NotForContentType::const_new("font/"));
    let writes = axum::middleware::from_fn_with_state(state.clone(), auth::require_key);
    let upgrading =
        axum::middleware::from_fn_with_state(state.clone(), upgrade::refuse_while_upgrading);
    let insights_key = axum::middleware::from_fn_with_state(state.clone(), insights::require_key);
    let reads = axum::middleware::from_fn_with_state(state.clone(), auth::require_read_key);
    let rate_limit = state
        .rate_limit
        .clone()
        .map(|limit| axum::middleware::from_fn_with_state(limit, limits::rate_limit));
    let api = Router::new()
        .route("/search", get(routes::search))
        .route("/suggest", get(routes::suggest))
        .route("/stats", get(routes::stats))
        .route("/aggregate", axum::routing::post(routes::aggregate))
        .route("/partners", get(partners::get_partners))
        .route(
            "/partners/{key}",
            axum::routing::put(partners::put_partner)
                .route_layer(upgrading.clone())
                .route_layer(writes.clone()),
        )
        .route(
            "/documents",
            axum::routing::post(routes::post_documents)
                .route_layer(upgrading.clone())
                .route_layer(writes.clone()),
        )
        .route(
            "/documents/{id}",
            axum::routing::put(routes::put_document)
                .delete(routes::delete_document)
                .route_layer(upgrading.clone())
                .route_layer(writes.clone())
                .get(routes::get_document),
        )
        .route(
            "/synonyms",
            axum::routing::put(synonyms::put_synonyms)
                .route_layer(upgrading.clone())
                .route_layer(writes.clone())
                .get(synonyms::get_synonyms),
        )
        .route(
            "/dumps",
            post(backups::post_dump)
                .route_layer(upgrading.clone())
                .get(backups::list_dumps)
                .route_layer(writes.clone()),
        )
        .route(
            "/snapshots",
            post(backups::post_snapshot)
                .route_layer(upgrading)
                .get(backups::list_snapshots)
                .route_layer(writes),
        )
        .route("/health", get(routes::health))
        .route("/metrics", get(routes::metrics))
        .route("/openapi.json", get(routes::openapi))
        .route("/analyze", get(routes::analyze))
        .route("/taxonomy", get(routes::taxonomy))
        .route(
            "/insights",
            get(insights::overview).route_layer(insights_key.clone()),
        )
        .route(
            "/insights/queries",
            get(insights::queries).route_layer(insights_key),
        )
        .route(
            "/insights/click",
            axum::routing::post(insights::click)
                .route_layer(DefaultBodyLimit::max(insights::MAX_CLICK_BYTES))
                .route_layer(tower::util::option_layer(state.rate_limit.as_ref().map(
                    |limit| {
                        axum::middleware::from_fn_with_state(
                            limit.with_quota(insights::CLICK_QUOTA),
                            limits::rate_limit,
                        )
                    },
                ))),
        )
        .route("/crawl", get(crawl::status));
    // The page's own files need no key (the API calls it makes do).
    assets::routes(api.route_layer(reads))
        .fallback(routes::no_route)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // The layer above is the limit; axum's own default (2 MB) would be a second one.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(limit_time))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(CompressionLayer::new().compress_when(compress))
        .layer(tower::util::option_layer(rate_limit))
        .layer(tower::util::option_layer(cors))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(CatchPanicLayer::custom(error::panic_response))
}

/// The log line's span of a request: its method and path, never its query string. What visitors
/// search for is not logged: the insights keep only per-day aggregates of it (or nothing).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
}

/// Middleware: answers 408 when a request runs past its limit ([`WRITE_TIMEOUT`] for writes,
/// [`REQUEST_TIMEOUT`] for the rest). Index work already on the blocking pool runs to its end.
async fn limit_time(request: Request, next: Next) -> Response {
    let write = [Method::POST, Method::PUT, Method::DELETE].contains(request.method());
    let limit = if write {
        WRITE_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout(limit, write).into_response(),
    }
}

/// How `kavosh serve` runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub index: PathBuf,
    pub listen: String,
    pub api_key: Option<String>,
    /// More admin keys (rotation without downtime).
    pub api_keys: Vec<String>,
    /// Keys reads need; none: reads are open.
    pub read_keys: Vec<String>,
    pub limits: limits::LimitArgs,
    /// Documents to ingest when the index is empty.
    pub corpus: PathBuf,
    pub cors_origins: Vec<String>,
    pub insights: InsightsConfig,
    /// Sites to crawl at start and every `crawl_every` (the corpus is then not ingested).
    pub crawl: Option<CrawlOptions>,
    pub crawl_every: Duration,
    /// Where dumps and snapshots go (default: beside the index, `DIR.dumps`, `DIR.snapshots`).
    pub dumps: Option<PathBuf>,
    pub snapshots: Option<PathBuf>,
    /// Bytes of search replies kept for repeated requests (0: none).
    pub search_cache_bytes: usize,
}

/// Opens the index (ingesting the corpus into an empty one, unless the server crawls; upgrading
/// one of an older version in the background, see [`upgrade`]), starts the background crawls,
/// serves until SIGINT or SIGTERM, then lets in-flight requests finish. Every write commits
/// before it is answered, so stopping leaves nothing half-written.
pub async fn serve(config: Config) -> Result<(), String> {
    let cors_origins = config
        .cors_origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .map(|o| HeaderValue::from_str(o).map_err(|_| format!("bad CORS origin {o:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    crate::index::warm_every_searcher(crate::search::facets::FacetWarmer::shared);
    let dir = config.index.clone();
    let index = tokio::task::spawn_blocking(move || open_for_serving(&dir))
        .await
        .map_err(|e| format!("opening the index failed: {e}"))??;
    let index = Arc::new(index);
    if index.num_docs() == 0
        && index.version() == crate::index::INDEX_VERSION
        && config.crawl.is_none()
    {
        let (index, corpus) = (index.clone(), config.corpus.clone());
        tokio::task::spawn_blocking(move || ingest_corpus(&index, corpus))
            .await
            .map_err(|e| format!("ingesting the corpus failed: {e}"))??;
    }
    let mut state = AppState::new(index.clone(), None);
    state.cors_origins = cors_origins;
    state.keys = auth::Keys::new(
        config
            .api_key
            .iter()
            .chain(&config.api_keys)
            .map(String::as_str),
        config.read_keys.iter().map(String::as_str),
    );
    state.rate_limit = config.limits.rate_limit(&state.keys)?;
    let beside = Backups::beside(Some(&config.index));
    state.backups = Arc::new(Backups::new(
        config.dumps.clone().or(beside.dumps),
        config.snapshots.clone().or(beside.snapshots),
    ));
    state.search_cache = Arc::new(SearchCache::new(config.search_cache_bytes));
    state.index.upgrade_if_older(config.index.clone());
    state.insights =
        Arc::new(Insights::load(config.insights, index.settings()).map_err(|e| e.to_string())?);
    if config.insights.enabled {
        let served = state.index.clone();
        tokio::spawn(insights::upkeep(
            move || served.current(),
            state.insights.clone(),
        ));
    }
    let (served_at_exit, saved_at_exit) = (state.index.clone(), state.insights.clone());
    if let Some(options) = config.crawl.clone() {
        let served = state.index.clone();
        let schedule = Arc::new(CrawlSchedule::new(
            Box::new(move || served.writable()),
            options,
            config.crawl_every,
        ));
        tokio::spawn(schedule.clone().run_forever());
        state.crawl = Some(schedule);
    }
    if !state.keys.has_admin() {
        tracing::warn!("KAVOSH_API_KEY is not set: writes are refused with 403");
    }
    let upkeep = state.metrics.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(METRICS_UPKEEP);
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    state.search_cache.prepare(
        state
            .insights
            .most_searched(REFRESHED_REPLIES)
            .into_iter()
            .filter_map(|(q, searches)| Some((page_search(&q)?, searches)))
            .collect(),
    );
    let (cache, served) = (state.search_cache.clone(), state.index.clone());
    tokio::spawn(async move {
        loop {
            let started = std::time::Instant::now();
            let (cache, index) = (cache.clone(), served.current());
            let refreshed = tokio::task::spawn_blocking(move || cache.refresh(&index)).await;
            if let Ok(n @ 1..) = refreshed {
                metrics::count_cache_refresh(n);
            }
            let pause = started.elapsed() * CACHE_REFRESH_PAUSE;
            tokio::time::sleep(pause.max(CACHE_REFRESH_EVERY)).await;
        }
    });
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(
        address = %config.listen,
        documents = index.num_docs(),
        index = %config.index.display(),
        "kavosh is serving"
    );
    let limits = config.limits.connection_limits();
    listener::serve(listener, router(state), limits, shutdown_signal()).await;
    insights::save(served_at_exit.current(), &saved_at_exit).await;
    tracing::info!("kavosh stopped");
    Ok(())
}

/// The request the search page makes for `q` alone.
fn page_search(q: &str) -> Option<SearchRequest> {
    let raw = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", q)
        .finish();
    params::search_request(Some(&raw))
        .ok()
        .map(|(request, _)| request)
}

/// Opens the index to serve. One of an older version is served as it is while it is upgraded
/// in the background, unless this kavosh cannot search it: then it is upgraded first.
fn open_for_serving(dir: &std::path::Path) -> Result<SearchIndex, String> {
    match SearchIndex::open_or_create(dir) {
        Ok(index) => Ok(index),
        Err(e) if migrate::is_older(dir).unwrap_or(false) => {
            tracing::warn!("{e}: upgrading it before serving");
            let done =
                migrate::upgrade(dir, &crate::index::Progress::new()).map_err(|e| e.to_string())?;
            if let Some(done) = done {
                tracing::info!("{done}");
            }
            SearchIndex::open_or_create(dir).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Fills an empty index from the corpus directory, or warns when there is none.
fn ingest_corpus(index: &SearchIndex, corpus: PathBuf) -> Result<(), String> {
    if !corpus.is_dir() {
        tracing::warn!(
            corpus = %corpus.display(),
            "the index is empty and the corpus directory is missing: serving no documents"
        );
        return Ok(());
    }
    tracing::info!(corpus = %corpus.display(), "the index is empty: ingesting the corpus");
    let report = crate::ingest::ingest_paths(index, std::slice::from_ref(&corpus))
        .map_err(|e| format!("ingesting {}: {e}", corpus.display()))?;
    for r in &report.rejected {
        tracing::warn!("rejected {r}");
    }
    tracing::info!("corpus ingested: {report}");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
