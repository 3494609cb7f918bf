//! `GET /crawl`: the background crawls of `kavosh serve --crawl URL` (see
//! [`crate::crawl::schedule`]).

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use crate::crawl::schedule::CrawlStatus;

/// The current crawl (if one runs) and the last one: counts, failed pages, start and end.
#[utoipa::path(get, path = "/crawl", tag = "operations",
    responses(
        (status = 200, description = "The start URLs, the schedule, the current run so far and the last run", body = CrawlStatus),
        (status = 404, description = "The server crawls nothing (start it with --crawl URL)", body = ErrorBody),
    ))]
pub async fn status(State(state): State<AppState>) -> Result<Json<CrawlStatus>, ApiError> {
    match &state.crawl {
        Some(schedule) => Ok(Json(schedule.status())),
        None => Err(ApiError::not_found(
            "this server crawls nothing: start it with --crawl URL (or KAVOSH_CRAWL)".to_string(),
        )),
    }
}
