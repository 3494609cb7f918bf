//! `GET /synonyms` and `PUT /synonyms`: the abbreviations and synonyms queries expand with,
//! kept in the index's settings and used from the next query on, without reindexing (the rules
//! themselves: `search::rewrite::synonyms`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde::Serialize;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::routes::blocking;
use crate::index::SearchIndex;
use crate::search::rewrite::synonyms::{SetError, SynonymRule, SynonymRules, Synonyms};

/// The rules queries expand with, and where they come from.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SynonymsReply {
    pub rules: Vec<SynonymRule>,
    /// `index`: set with PUT /synonyms; `shipped`: kavosh's own (data/synonyms.toml), used
    /// until an index is given its own.
    pub source: &'static str,
}

fn reply(index: &SearchIndex) -> Result<SynonymsReply, ApiError> {
    let synonyms = Synonyms::of_index(index)?;
    Ok(SynonymsReply {
        rules: synonyms.rules().rules.clone(),
        source: if Synonyms::index_has_own(index)? {
            "index"
        } else {
            "shipped"
        },
    })
}

/// The abbreviations and synonyms queries expand with.
#[utoipa::path(get, path = "/synonyms", tag = "search",
    responses((status = 200, description = "The rules and their source", body = SynonymsReply)))]
pub async fn get_synonyms(State(state): State<AppState>) -> Result<Json<SynonymsReply>, ApiError> {
    blocking(&state, reply).await.map(Json)
}

/// Replaces the abbreviations and synonyms, for the next query on (no reindexing).
#[utoipa::path(put, path = "/synonyms", tag = "search",
    security(("api_key" = [])),
    request_body(content = SynonymRules, description = "{\"rules\": [{\"synonyms\": [...]} (two-way: each finds every other) or {\"root\": \"...\", \"synonyms\": [...]} (one-way)]}, or Meilisearch's {\"word\": [\"synonym\", ...]} (one-way each); at most 5,000 rules, 20 entries a rule, 8 words and 200 characters an entry", content_type = "application/json"),
    responses(
        (status = 200, description = "Saved with the index; the rules now in use", body = SynonymsReply),
        (status = 400, description = "Not JSON or an invalid rule, named", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: writes are disabled", body = ErrorBody),
    ))]
pub async fn put_synonyms(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SynonymsReply>, ApiError> {
    let body = body?;
    let rules = serde_json::from_slice(&body)
        .map_err(|e| e.to_string())
        .and_then(SynonymRules::from_json)
        .map_err(|e| ApiError::bad_request(format!("bad synonyms: {e}")))?;
    blocking(&state, move |index| {
        Synonyms::set_for_index(index, rules).map_err(|e| match e {
            SetError::Invalid(message) => ApiError::bad_request(format!("bad synonyms: {message}")),
            SetError::Index(e) => ApiError::from(e),
        })?;
        reply(index)
    })
    .await
    .map(Json)
}
