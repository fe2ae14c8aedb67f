//! HTTP caching of what the server answers: ETags (from the bytes, or from a layer's content
//! revision so a revalidation builds nothing), `If-None-Match`, and the cache headers.

use super::catalogue::GEOJSON;
use super::layer_index::Layer;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A strong ETag from the bytes themselves.
pub fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:x}\"", Sha256::digest(bytes))
}

/// A layer answer's ETag: the layer's revision and what was asked of it (the query, the tile,
/// the viewer), so that a client revalidates without the answer being built again.
pub fn layer_etag(date: chrono::NaiveDate, layer: &Layer, asked: &str) -> String {
    etag_at(date, layer, layer.revision, asked)
}

/// The ETag of what was asked of `layer` as of `revision` (a tile's own revision: the last at
/// which anything in it changed).
pub fn etag_at(date: chrono::NaiveDate, layer: &Layer, revision: i64, asked: &str) -> String {
    format!(
        "W/\"{}-{}-{date}-{revision}-{}\"",
        env!("CARGO_PKG_VERSION"),
        layer.def.id,
        &etag_of(asked.as_bytes())[1..17]
    )
}

/// A layer answer under its revision ETag: 304 when the client has it, else the body `make`s.
pub fn layer_answer(headers: &HeaderMap, etag: &str, make: impl FnOnce() -> String) -> Response {
    if client_has(headers, etag) {
        return revalidated(headers, etag, GEOJSON, Body::empty(), "private, no-cache");
    }
    revalidated(headers, etag, GEOJSON, make(), "private, no-cache")
}

/// Whether the client's `If-None-Match` already names this ETag.
pub fn client_has(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// A JSON response with a strong ETag from its bytes; 304 when the client has it already.
pub fn json_response(headers: &HeaderMap, content_type: &'static str, body: String) -> Response {
    let etag = etag_of(body.as_bytes());
    // The data changes as inspections arrive: revalidate every time, cheaply, by ETag.
    revalidated(headers, &etag, content_type, body, "private, no-cache")
}

/// A body under a known strong ETag, to be revalidated on every use: 304 when the client has
/// it already, else the body.
pub fn revalidated(
    headers: &HeaderMap,
    etag: &str,
    content_type: &str,
    body: impl Into<Body>,
    cache_control: &'static str,
) -> Response {
    let mut response = if client_has(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(body.into());
        if let Ok(v) = HeaderValue::from_str(content_type) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    response
}
