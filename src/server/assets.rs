//! The search page's files (`web/`), compiled into the binary and served at fixed paths with
//! their content types. `/analytics` is the same page showing its dashboard (`analytics.js`,
//! drawn with the vendored Chart.js). Each carries an ETag so browsers revalidate cheaply; the fonts, which
//! do not change, are cached for a week and may be loaded by pages on other sites (the
//! embeddable widget).

use std::hash::{DefaultHasher, Hash, Hasher};

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

/// A file of the page.
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// Every file served, by path.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../web/index.html"),
    },
    Asset {
        path: "/app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/app.js"),
    },
    Asset {
        path: "/analytics",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../web/index.html"),
    },
    Asset {
        path: "/analytics.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/analytics.js"),
    },
    Asset {
        path: "/vendor/chart.umd.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/vendor/chart.umd.min.js"),
    },
    Asset {
        path: "/vendor/chart.js-LICENSE.md",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../web/vendor/chart.js-LICENSE.md"),
    },
    Asset {
        path: "/style.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../web/style.css"),
    },
    Asset {
        path: "/widget.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/widget.js"),
    },
    Asset {
        path: "/fonts/Vazirmatn-Regular.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../../web/fonts/Vazirmatn-Regular.woff2"),
    },
    Asset {
        path: "/fonts/Vazirmatn-Bold.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../../web/fonts/Vazirmatn-Bold.woff2"),
    },
    Asset {
        path: "/fonts/OFL.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../web/fonts/OFL.txt"),
    },
];

/// Adds a route for every asset.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    ASSETS.iter().fold(router, |router, asset| {
        let etag = etag(asset.bytes);
        router.route(
            asset.path,
            get(move |headers: HeaderMap| async move { asset.respond(&etag, &headers) }),
        )
    })
}

impl Asset {
    fn is_font(&self) -> bool {
        self.path.starts_with("/fonts/")
    }

    fn respond(&self, etag: &HeaderValue, request: &HeaderMap) -> Response {
        let cache = if self.is_font() {
            "public, max-age=604800"
        } else {
            "no-cache"
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::ETAG, etag.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if self.is_font() {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
        let fresh = request.get(header::IF_NONE_MATCH).is_some_and(|v| {
            v.as_bytes()
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii() == etag.as_bytes())
        });
        if fresh {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        (headers, self.bytes).into_response()
    }
}

fn etag(bytes: &[u8]) -> HeaderValue {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
        .expect("hex in quotes is a valid header value")
}
