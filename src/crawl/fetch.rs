//! HTTP for the crawler: one client (rustls, gzip) with a timeout per request, no automatic
//! redirects (the crawler follows them itself, so robots.txt and the scope apply to each hop),
//! conditional requests, and bodies read up to a limit.

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

/// How long connecting to a host may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the crawler knew of a page, to ask whether it changed.
#[derive(Clone, Debug, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The answer to one request.
#[derive(Debug)]
pub enum Fetched {
    /// 2xx with its body.
    Body {
        content_type: Option<String>,
        validators: Validators,
        body: Vec<u8>,
    },
    /// 304: unchanged since the validators sent.
    NotModified,
    /// 3xx with a `Location`.
    Redirect { status: u16, location: String },
    /// A page was asked for and something else came (`application/pdf`…): its body is not read.
    NotHtml { content_type: String },
    /// Any other status.
    Status { status: u16 },
    /// No answer: the connection failed, it timed out, or the body was over the limit.
    Failed(String),
}

/// The crawler's HTTP client.
pub struct Fetcher {
    client: reqwest::Client,
}

impl Fetcher {
    pub fn new(user_agent: &str, timeout: Duration) -> Result<Fetcher, String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"),
        );
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fa,en;q=0.5"),
        );
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Fetcher { client })
    }

    /// GETs `url`, conditionally when `validators` has any. With `html_only`, a 2xx answer that
    /// is not HTML (by its `Content-Type`) is [`Fetched::NotHtml`] and its body is not read.
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
        html_only: bool,
        max_body_bytes: usize,
    ) -> Fetched {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Fetched::Failed(describe(&e)),
        };
        let status = response.status();
        let text_header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Fetched::NotModified;
        }
        if status.is_redirection() {
            return match text_header(header::LOCATION) {
                Some(location) => Fetched::Redirect {
                    status: status.as_u16(),
                    location,
                },
                None => Fetched::Status {
                    status: status.as_u16(),
                },
            };
        }
        if !status.is_success() {
            return Fetched::Status {
                status: status.as_u16(),
            };
        }
        let content_type = text_header(header::CONTENT_TYPE);
        if html_only
            && let Some(ct) = &content_type
            && !is_html(ct)
        {
            return Fetched::NotHtml {
                content_type: ct.clone(),
            };
        }
        let validators = Validators {
            etag: text_header(header::ETAG),
            last_modified: text_header(header::LAST_MODIFIED),
        };
        if response
            .content_length()
            .is_some_and(|n| n > max_body_bytes as u64)
        {
            return Fetched::Failed(format!("body over the limit of {max_body_bytes} bytes"));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > max_body_bytes {
                        return Fetched::Failed(format!(
                            "body over the limit of {max_body_bytes} bytes"
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Fetched::Failed(describe(&e)),
            }
        }
        Fetched::Body {
            content_type,
            validators,
            body,
        }
    }
}

/// HTML (or a type a server gives HTML by mistake, `text/plain`).
pub fn is_html(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        mime.as_str(),
        "text/html" | "application/xhtml+xml" | "text/plain" | ""
    )
}

/// A request error in a few words.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        format!("cannot connect: {}", root_cause(e))
    } else {
        root_cause(e)
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
