//! The OpenAPI 3 description of every route (`GET /openapi.json`): the API's from the
//! handlers' annotations, the page's files from [`super::assets::ASSETS`].

use std::sync::LazyLock;

use utoipa::OpenApi;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ResponseBuilder};

use super::assets::ASSETS;
use super::{backups, insights, partners, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kavosh",
        description = "Persian full-text search over the park's agreements and news. Errors are \
            {\"error\":{\"code\",\"message\"}}; writes and the operator's routes (insights, dumps, snapshots) need Authorization: Bearer <admin key> \
            (KAVOSH_API_KEY, KAVOSH_API_KEYS); when read keys are set (KAVOSH_READ_KEY), every \
            route but /health and the page's files needs a read or an admin key."
    ),
    paths(
        routes::search,
        routes::suggest,
        routes::stats,
        routes::aggregate,
        routes::get_document,
        routes::post_documents,
        routes::put_document,
        routes::delete_document,
        routes::health,
        routes::metrics,
        routes::openapi,
        routes::analyze,
        routes::taxonomy,
        insights::overview,
        insights::queries,
        insights::click,
        super::crawl::status,
        backups::post_dump,
        backups::list_dumps,
        backups::post_snapshot,
        backups::list_snapshots,
        super::synonyms::get_synonyms,
        super::synonyms::put_synonyms,
        partners::get_partners,
        partners::put_partner,
    )
)]
struct ApiDoc;

/// The whole description, built once.
pub fn document() -> utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
        let mut doc = ApiDoc::openapi();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "api_key",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        super::limits::describe(&mut doc);
        for asset in ASSETS {
            let response = ResponseBuilder::new()
                .description("The file")
                .content(asset.content_type, ContentBuilder::new().build())
                .build();
            let operation = OperationBuilder::new()
                .tag("page")
                .summary(Some(format!("The search page's {}", asset.path)))
                .response("200", response)
                .build();
            doc.paths
                .add_path_operation(asset.path, vec![HttpMethod::Get], operation);
        }
        doc
    });
    DOCUMENT.clone()
}
