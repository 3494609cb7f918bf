//! `GET /partners` (every partner with its documents, written forms and likely duplicates) and
//! `PUT /partners/{key}` (a person renames a partner, merges it into another, or returns it to
//! its automatic name). The work is in [`crate::index::partners`].

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::params::{self, Format};
use super::routes::{blocking, csv_response};
use crate::index::partners::{EditError, EditReport, PartnerEdit, PartnerSummary, list};
use crate::search::export::{partners_csv, with_bom};

/// The reply to `GET /partners`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PartnersReply {
    /// Partners of the index.
    pub total: usize,
    /// Most documents first.
    pub partners: Vec<PartnerSummary>,
}

impl From<EditError> for ApiError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::UnknownPartner(key) => ApiError::not_found(format!(
                "no partner has the key {key:?}; GET /partners lists them"
            )),
            EditError::Invalid(message) => ApiError::bad_request(message),
            EditError::Conflict(message) => ApiError::conflict(message),
            EditError::Write(e) => ApiError::from(e),
        }
    }
}

/// Every partner of the index: its key, the name facets and stats show, its documents, the
/// forms sources wrote for it, a person's edit, and the partners that may be the same
/// organisation, for a person to confirm (and merge with `PUT /partners/{key}`).
#[utoipa::path(get, path = "/partners", tag = "partners",
    params(
        ("format" = Option<String>, Query, description = "json (default) or csv (UTF-8 with a byte order mark: key,name,documents,registered,forms,edit,likely_duplicates)"),
        ("bom" = Option<bool>, Query, description = "false: CSV without the byte order mark (default true)"),
    ),
    responses(
        (status = 200, description = "The partners, most documents first", body = PartnersReply),
        (status = 400, description = "A bad parameter, named", body = ErrorBody),
    ))]
pub async fn get_partners(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let format = params::partners_request(query.as_deref())?;
    let partners = blocking(&state, list).await?;
    Ok(match format {
        Format::Json => Json(PartnersReply {
            total: partners.len(),
            partners,
        })
        .into_response(),
        Format::Csv { bom } => csv_response(
            Body::from(with_bom(partners_csv(&partners), bom)),
            "kavosh-partners.csv",
            false,
        ),
    })
}

/// Corrects a partner: `{"name": "…"}` renames it, `{"merge_into": "KEY or name"}` makes it
/// the same organisation as another, `{}` returns it to its automatic name. The edit is
/// remembered by the index (later ingests and crawls apply it; dumps carry it), and the
/// documents concerned are re-labelled from their stored JSON and committed before the reply.
#[utoipa::path(put, path = "/partners/{key}", tag = "partners",
    security(("api_key" = [])),
    params(("key" = String, Path, description = "The partner's key, as GET /partners gives it")),
    request_body(content = PartnerEdit, description = "{\"name\"}, {\"merge_into\"}, or {} to undo", content_type = "application/json"),
    responses(
        (status = 200, description = "Remembered and applied; the documents re-labelled", body = EditReport),
        (status = 400, description = "Not JSON, an unknown field, an empty or too long name, both a name and a merge, or a merge into itself or into no partner", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 403, description = "The server has no API key: writes are disabled", body = ErrorBody),
        (status = 404, description = "No partner has this key", body = ErrorBody),
        (status = 409, description = "The new name is another partner's: merge instead", body = ErrorBody),
    ))]
pub async fn put_partner(
    State(state): State<AppState>,
    key: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EditReport>, ApiError> {
    let (Path(key), body) = (key?, body?);
    let edit: PartnerEdit = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("bad partner edit: {e}")))?;
    blocking(&state, move |index| index.edit_partner(&key, edit))
        .await
        .map(Json)
}
