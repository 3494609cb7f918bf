//! Writes: a batch (`POST /documents`: one object, an array or NDJSON), one document put at
//! its id (`PUT /documents/{id}`), a delete. Every document is validated and settled (partners
//! and domains extracted when the source gave none) like an ingested one, and every write
//! returns only once it is committed, so the next search sees it.
//!
//! A batch keeps its valid documents and reports the others by item (1-based array index or
//! NDJSON line). A batch with nothing to index is a 400 carrying the same report.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ErrorDetail};
use crate::document::{Document, StoredDocument};
use crate::index::SearchIndex;
use crate::ingest;

/// Why one item of a batch was not indexed.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemError {
    /// 1-based: the array index or NDJSON line.
    pub item: usize,
    pub reason: String,
}

/// The reply to `POST /documents`.
#[derive(Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BatchReport {
    /// Present only when nothing was indexed (the reply is then a 400).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    /// Documents indexed and committed.
    pub indexed: usize,
    /// Their ids, in the order given.
    pub ids: Vec<String>,
    /// The items that were not indexed.
    pub errors: Vec<ItemError>,
}

impl IntoResponse for BatchReport {
    fn into_response(self) -> Response {
        let status = if self.error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        (status, Json(self)).into_response()
    }
}

/// Indexes the valid documents of a request body and commits them.
pub fn post_batch(index: &SearchIndex, body: &str) -> Result<BatchReport, ApiError> {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for item in ingest::parse_body(body) {
        match item {
            Ok(doc) => docs.push(ingest::settle(doc)),
            Err(e) => errors.push(ItemError {
                item: e.item,
                reason: e.reason,
            }),
        }
    }
    let error = if docs.is_empty() {
        let message = match errors.first() {
            None => "the body holds no document".to_string(),
            Some(first) => format!(
                "no document was indexed; item {}: {}",
                first.item, first.reason
            ),
        };
        Some(ApiError::bad_request(message).detail)
    } else {
        index.upsert(&docs)?;
        None
    };
    Ok(BatchReport {
        error,
        indexed: docs.len(),
        ids: docs.into_iter().map(|d| d.id).collect(),
        errors,
    })
}

/// Puts one document at `id`; the body's `id`, if any, must be the same. Returns whether the id
/// is new, and the document as stored.
pub fn put_one(
    index: &SearchIndex,
    id: &str,
    body: &[u8],
) -> Result<(bool, StoredDocument), ApiError> {
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the body must be one JSON object (POST /documents takes batches)",
        ));
    };
    if object.get("id").is_none_or(Value::is_null) {
        object.insert("id".into(), Value::String(id.to_string()));
    }
    let doc = Document::from_json(value).map_err(ApiError::bad_request)?;
    if doc.id != id {
        return Err(ApiError::bad_request(format!(
            "the body's id {:?} is not the path's {id:?}",
            doc.id
        )));
    }
    let doc = ingest::settle(doc);
    let created = index.get(id)?.is_none();
    index.upsert(std::slice::from_ref(&doc))?;
    let stored = index.get(id)?.ok_or_else(|| {
        ApiError::internal(format!("document {id:?} was written but cannot be read"))
    })?;
    Ok((created, stored))
}

/// Deletes the document at `id`; a 404 when there is none.
pub fn delete_one(index: &SearchIndex, id: &str) -> Result<(), ApiError> {
    if index.delete(id)? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

/// The stored document at `id`; a 404 when there is none.
pub fn get_one(index: &SearchIndex, id: &str) -> Result<StoredDocument, ApiError> {
    index.get(id)?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no document with id {id:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> String {
        format!(
            r#"{{"id": "{id}", "kind": "news", "title": "نشست پارک", "date": "1404/09/25", "partners": [], "domains": []}}"#
        )
    }

    #[test]
    fn a_batch_keeps_the_valid_documents() {
        let index = SearchIndex::in_memory().unwrap();
        let body = format!("[{}, {{\"id\": \"b\"}}, {}]", doc("a"), doc("c"));
        let report = post_batch(&index, &body).unwrap();
        assert_eq!(report.error, None);
        assert_eq!(
            (report.indexed, report.ids.clone()),
            (2, vec!["a".into(), "c".into()])
        );
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].item, 2);
        assert_eq!(index.num_docs(), 2);
        assert_eq!(report.into_response().status(), StatusCode::OK);
    }

    #[test]
    fn a_batch_with_nothing_valid_is_an_error_with_every_reason() {
        let index = SearchIndex::in_memory().unwrap();
        let report = post_batch(&index, "{\"id\": \"x\"}\n{\"id\": \"y\"}").unwrap();
        assert_eq!(report.indexed, 0);
        assert_eq!(report.errors.len(), 2);
        let error = report.error.clone().expect("an error");
        assert!(error.message.contains("item 1"), "{}", error.message);
        assert_eq!(report.into_response().status(), StatusCode::BAD_REQUEST);
        let empty = post_batch(&index, "  ").unwrap();
        assert!(empty.error.unwrap().message.contains("no document"));
        assert_eq!(index.num_docs(), 0);
    }

    #[test]
    fn put_creates_then_replaces_and_checks_the_id() {
        let index = SearchIndex::in_memory().unwrap();
        let body = doc("p");
        let (created, stored) = put_one(&index, "p", body.as_bytes()).unwrap();
        assert!(created);
        assert_eq!(stored.date_jalali, "1404/09/25");
        let without_id = r#"{"kind": "agreement", "title": "تفاهم", "date": "2025-01-01"}"#;
        let (created, stored) = put_one(&index, "p", without_id.as_bytes()).unwrap();
        assert!(!created);
        assert_eq!(stored.kind, crate::document::Kind::Agreement);
        assert_eq!(index.num_docs(), 1);
        let other = put_one(&index, "q", body.as_bytes()).unwrap_err();
        assert!(
            other.detail.message.contains("\"p\""),
            "{}",
            other.detail.message
        );
        let array = put_one(&index, "p", b"[]").unwrap_err();
        assert!(array.detail.message.contains("one JSON object"));
        let broken = put_one(&index, "p", b"{").unwrap_err();
        assert!(broken.detail.message.contains("not JSON"));
    }

    /// Over HTTP, on an index whose disk refuses writes: 507 when full, 503 when read-only,
    /// searches go on, nothing acknowledged is lost, and writes work again once it has room.
    #[tokio::test]
    async fn a_disk_that_refuses_writes_answers_507_or_503_and_recovers() {
        use crate::index::StorageFailure;
        let dir = tempfile::tempdir().unwrap();
        let (index, switch) = SearchIndex::open_with_faults(dir.path()).unwrap();
        let state = super::super::AppState::new(std::sync::Arc::new(index), Some("k"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = super::super::router(state);
        tokio::spawn(super::super::listener::serve(
            listener,
            app,
            Default::default(),
            std::future::pending(),
        ));
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{base}{path}");
        let put = |id: &'static str| {
            client
                .put(url(&format!("/documents/{id}")))
                .bearer_auth("k")
                .body(doc(id))
                .send()
        };
        let code = |r: reqwest::Response| async move {
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (
                status,
                body["error"]["code"].as_str().unwrap_or("").to_string(),
            )
        };
        let total = || async {
            let r = client
                .get(url("/search?q=%D9%86%D8%B4%D8%B3%D8%AA"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["total"].as_u64().unwrap()
        };
        assert_eq!(put("a").await.unwrap().status(), 201);
        switch.set(Some(StorageFailure::Full));
        assert_eq!(
            code(put("b").await.unwrap()).await,
            (507, "insufficient_storage".into())
        );
        let batch = client
            .post(url("/documents"))
            .bearer_auth("k")
            .body(doc("c"));
        assert_eq!(
            code(batch.send().await.unwrap()).await,
            (507, "insufficient_storage".into())
        );
        let delete = client.delete(url("/documents/a")).bearer_auth("k").send();
        assert_eq!(
            code(delete.await.unwrap()).await,
            (507, "insufficient_storage".into())
        );
        switch.set(Some(StorageFailure::ReadOnly));
        assert_eq!(
            code(put("b").await.unwrap()).await,
            (503, "read_only".into())
        );
        assert_eq!(
            total().await,
            1,
            "searches go on and see what was acknowledged"
        );
        let a = client.get(url("/documents/a")).send().await.unwrap();
        assert_eq!(a.status(), 200);
        switch.set(None);
        assert_eq!(put("b").await.unwrap().status(), 201);
        assert_eq!(total().await, 2);
    }

    #[test]
    fn get_and_delete_say_when_there_is_nothing() {
        let index = SearchIndex::in_memory().unwrap();
        assert_eq!(
            get_one(&index, "none").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            delete_one(&index, "none").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
        put_one(&index, "d", doc("d").as_bytes()).unwrap();
        assert_eq!(get_one(&index, "d").unwrap().id, "d");
        delete_one(&index, "d").unwrap();
        assert_eq!(index.num_docs(), 0);
    }
}
