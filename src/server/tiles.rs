//! Vector tiles: the basemap archive raw (HTTP Range, for MapLibre's pmtiles protocol), its tiles
//! by z/x/y with TileJSON, and the map layers cut on the fly from their R-trees
//! (src/server/layer_tiles.rs).

use super::Shared;
use super::auth::Signed;
use super::catalogue::LAYERS;
use super::error::ApiError;
use super::http_cache::{client_has, etag_at, etag_of, json_response};
use super::layer_tiles::cut_layer;
use super::origin::Origin;
use super::tile_cache::TileCache;
use crate::tiles::mercator::{tile_bbox, valid_tile};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use pmtiles::{AsyncPmTilesReader, MmapBackend, NoCache, TileCoord};
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;
use tower::ServiceExt;

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
pub const PMTILES: &str = "application/vnd.pmtiles";

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/tiles/{file}", get(archive))
        .route("/tiles/{name}/{z}/{x}/{y}", get(tile))
        .route("/layers/{layer}/tiles/{z}/{x}/{y}", get(layer_tile))
}

type Reader = AsyncPmTilesReader<MmapBackend, NoCache>;

/// Open archives, reopened when the file on disk changes (a rebuilt basemap).
#[derive(Default)]
pub struct Archives {
    open: tokio::sync::Mutex<HashMap<String, (SystemTime, Arc<Reader>)>>,
    /// Dense-layer tiles already cut.
    pub cut: TileCache,
}

/// `basemap` → `DATA/tiles/basemap.pmtiles`; only plain names, so no path can climb out.
fn archive_path(state: &Shared, name: &str) -> Result<PathBuf, ApiError> {
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(ApiError::bad_request(
            "name",
            "a tile set name is letters, digits, - and _",
        ));
    }
    let path = state.data.join("tiles").join(format!("{name}.pmtiles"));
    if !path.is_file() {
        return Err(ApiError::not_found(format!(
            "no tile set `{name}` (run `patrolmap tiles build`)"
        )));
    }
    Ok(path)
}

pub(super) async fn reader(state: &Shared, name: &str) -> Result<Arc<Reader>, ApiError> {
    let path = archive_path(state, name)?;
    let modified = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .map_err(ApiError::internal)?;
    let mut open = state.archives.open.lock().await;
    if let Some((at, r)) = open.get(name)
        && *at == modified
    {
        return Ok(r.clone());
    }
    let r = Arc::new(
        AsyncPmTilesReader::new_with_path(&path)
            .await
            .map_err(ApiError::internal)?,
    );
    open.insert(name.to_string(), (modified, r.clone()));
    Ok(r)
}

/// The raw archive, by byte ranges: 206 with Content-Range, 416 past the end, never gzipped.
async fn archive(
    State(state): State<Shared>,
    Path(file): Path<String>,
    origin: Origin,
    request: Request,
) -> Result<Response, ApiError> {
    if let Some(json_name) = file.strip_suffix(".json") {
        return tilejson(&state, json_name, &origin, request.headers()).await;
    }
    let name = file.strip_suffix(".pmtiles").ok_or_else(|| {
        ApiError::not_found(
            "archives are served as /tiles/NAME.pmtiles; TileJSON at /tiles/NAME.json",
        )
    })?;
    let path = archive_path(&state, name)?;
    let mut response = tower_http::services::ServeFile::new(path)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PMTILES));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// TileJSON 3.0.0 with absolute tile URLs, zooms, bounds and vector layers.
async fn tilejson(
    state: &Shared,
    name: &str,
    origin: &Origin,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let r = reader(state, name).await?;
    let url = format!("{}/tiles/{name}/{{z}}/{{x}}/{{y}}", origin.root);
    let tj = r
        .parse_tilejson(vec![url])
        .await
        .map_err(ApiError::internal)?;
    let body = serde_json::to_string(&tj).map_err(ApiError::internal)?;
    Ok(json_response(headers, "application/json", body))
}

fn parse_zxy(z: &str, x: &str, y: &str) -> Result<(u8, u32, u32), ApiError> {
    let y = y.trim_end_matches(".mvt").trim_end_matches(".pbf");
    let (Ok(z), Ok(x), Ok(y)) = (z.parse::<u8>(), x.parse::<u32>(), y.parse::<u32>()) else {
        return Err(ApiError::bad_request(
            "z/x/y",
            "tile coordinates are whole numbers",
        ));
    };
    if !valid_tile(z, x, y) {
        return Err(ApiError::bad_request(
            "z/x/y",
            format!("{z}/{x}/{y} is not a tile"),
        ));
    }
    Ok((z, x, y))
}

/// Sends gzip bytes as they are to clients that take gzip, unpacked to the rest; 204 if empty.
/// The ETag is `etag` when given (a layer tile's revision), else a digest of the bytes.
fn tile_response(
    headers: &HeaderMap,
    gzipped: Option<&[u8]>,
    cache: &'static str,
    etag: Option<String>,
) -> Result<Response, ApiError> {
    let Some(bytes) = gzipped.filter(|b| !b.is_empty()) else {
        let mut r = StatusCode::NO_CONTENT.into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        return Ok(r);
    };
    let etag = etag.unwrap_or_else(|| etag_of(bytes));
    if client_has(headers, &etag) {
        return not_modified(&etag);
    }
    let takes_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut response = if takes_gzip {
        let mut r = Response::new(Body::from(bytes.to_vec()));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut plain)
            .map_err(ApiError::internal)?;
        Response::new(Body::from(plain))
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(ApiError::internal)?,
    );
    Ok(response)
}

fn not_modified(etag: &str) -> Result<Response, ApiError> {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    r.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(etag).map_err(ApiError::internal)?,
    );
    Ok(r)
}

async fn tile(
    State(state): State<Shared>,
    Path((name, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (z, x, y) = parse_zxy(&z, &x, &y)?;
    let r = reader(&state, &name).await?;
    let coord =
        TileCoord::new(z, x, y).map_err(|e| ApiError::bad_request("z/x/y", e.to_string()))?;
    let bytes = r.get_tile(coord).await.map_err(ApiError::internal)?;
    if r.get_header().tile_compression != pmtiles::Compression::Gzip {
        return Err(ApiError::internal(format!(
            "tile set {name} is not gzip-compressed"
        )));
    }
    tile_response(&headers, bytes.as_deref(), "public, max-age=3600", None)
}

/// A tiled layer's tile, cut from its R-tree as its definition says (inspectors: their team's
/// venues only).
async fn layer_tile(
    State(state): State<Shared>,
    who: Signed,
    Path((layer_id, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (z, x, y) = parse_zxy(&z, &x, &y)?;
    let layers = state.layers_for(&who.0).await?;
    let layer = layers
        .get(&layer_id)
        .ok_or_else(|| ApiError::not_found(format!("no layer `{layer_id}`")))?;
    let def = layer.def;
    if def.tiles.is_none() {
        let tiled: Vec<&str> = LAYERS
            .iter()
            .filter(|l| l.tiles.is_some())
            .map(|l| l.id)
            .collect();
        return Err(ApiError::not_found(format!(
            "layer `{layer_id}` has no tiles (tiled: {})",
            tiled.join(", ")
        )));
    }
    let viewer = def.viewer(&who.0);
    // Tiles are cut per viewer: a team's or an area's tile is never served to another.
    let viewer_key = viewer.viewer_key();
    // The last revision that changed anything in the tile names its content: a client holding
    // it revalidates without the tile being cut again, and a write across the city leaves it be.
    let revision = layer.revision_within(&tile_bbox(z, x, y));
    let etag = etag_at(
        layers.date,
        layer,
        revision,
        &format!("{z}/{x}/{y}|{viewer_key}"),
    );
    if client_has(&headers, &etag) {
        return not_modified(&etag);
    }
    let key = (
        layer.def.id,
        revision,
        format!("{}:{viewer_key}", layers.date),
        z,
        x,
        y,
    );
    let bytes = match state.archives.cut.get(&key) {
        Some(b) => b,
        None => {
            let layers2 = layers.clone();
            let id = layer_id.clone();
            let b = tokio::task::spawn_blocking(move || cut_layer(&layers2, &id, &viewer, z, x, y))
                .await
                .map_err(ApiError::internal)??;
            let b = Arc::new(b);
            state.archives.cut.put(key, b.clone());
            b
        }
    };
    tile_response(&headers, Some(&bytes), "private, no-cache", Some(etag))
}
