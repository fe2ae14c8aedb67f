//! The layers as GeoJSON (`/api/layers/{id}`) and as OGC API – Features Part 1 collections
//! (`/ogc/…`, what QGIS reads). Both answer from the same layer catalogue and R-trees.

use super::auth::Signed;
use super::catalogue::{API_LIMIT, GEOJSON, OGC_LIMIT, Query};
use super::error::ApiError;
use super::http_cache::{json_response, layer_answer, layer_etag};
use super::layer_index::Layer;
use super::layer_set::Layers;
use super::origin::Origin;
use super::query::from_query;
use super::{Shared, openapi};
use crate::model::BBox;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/layers", get(layer_list))
        .route("/api/layers/{id}", get(layer_geojson))
        .route("/ogc", get(landing))
        .route("/ogc/", get(landing))
        .route("/ogc/conformance", get(conformance))
        .route("/ogc/api", get(openapi_document))
        .route("/ogc/collections", get(collections))
        .route("/ogc/collections/{id}", get(collection))
        .route(
            "/ogc/collections/{id}/items",
            get(items).options(read_only_options),
        )
        .route("/ogc/collections/{id}/items/{fid}", get(item))
}

/// The parsed query string of a layer request.
#[derive(Debug, Default)]
struct LayerParams {
    query: Query,
    limit: usize,
    offset: usize,
}

impl LayerParams {
    /// What a request asked, for its ETag: the query string and the viewer's scope.
    fn asked(&self, raw: Option<&str>) -> String {
        format!(
            "{}|{:?}|{:?}",
            raw.unwrap_or_default(),
            self.query.team,
            self.query.areas
        )
    }
}

/// A layer request's query string as sent; `parse_params` checks and reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerQueryString {
    bbox: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    kind: Option<String>,
    f: Option<String>,
}

fn parse_params(raw: Option<&str>, limits: (usize, usize)) -> Result<LayerParams, ApiError> {
    let q: LayerQueryString = from_query(raw)?;
    if q.limit == Some(0) {
        return Err(ApiError::bad_request("limit", "must be at least 1"));
    }
    if let Some(f) = q.f.as_deref().filter(|f| !matches!(*f, "json" | "geojson")) {
        return Err(ApiError::bad_request(
            "f",
            format!("{f:?}: only json is served"),
        ));
    }
    let mut p = LayerParams {
        limit: q.limit.map_or(limits.0, |n| n.min(limits.1)),
        offset: q.offset.unwrap_or(0),
        ..Default::default()
    };
    p.query.bbox = q.bbox.as_deref().map(parse_bbox).transpose()?;
    p.query.kinds = q.kind.map(|kinds| {
        kinds
            .split(',')
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect()
    });
    Ok(p)
}

/// `west,south,east,north` in CRS84 degrees.
pub fn parse_bbox(text: &str) -> Result<BBox, ApiError> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 4 {
        return Err(ApiError::bad_request(
            "bbox",
            format!(
                "expected west,south,east,north (4 numbers), got {} values",
                parts.len()
            ),
        ));
    }
    let mut v = [0.0f64; 4];
    for (i, part) in parts.iter().enumerate() {
        v[i] = part
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                ApiError::bad_request("bbox", format!("{part:?} is not a finite number"))
            })?;
    }
    let [w, s, e, n] = v;
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
        return Err(ApiError::bad_request(
            "bbox",
            "longitudes must be within -180..180",
        ));
    }
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) {
        return Err(ApiError::bad_request(
            "bbox",
            "latitudes must be within -90..90",
        ));
    }
    if s > n {
        return Err(ApiError::bad_request("bbox", "south is above north"));
    }
    if w > e {
        return Err(ApiError::bad_request(
            "bbox",
            "west is east of east (boxes across the antimeridian are not supported)",
        ));
    }
    Ok(BBox::new(w, s, e, n))
}

/// The layer, or 404; and the team an inspector is limited to on team-scoped layers.
fn layer_for<'a>(
    layers: &'a Layers,
    id: &str,
    who: &Signed,
) -> Result<(&'a Layer, Query), ApiError> {
    let layer = layers
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no layer `{id}`")))?;
    Ok((layer, layer.def.viewer(&who.0)))
}

/// A layer request resolved: the layer, its parsed query with the caller's team scope, every
/// match, and the page of them to send.
struct Selection<'a> {
    layer: &'a Layer,
    params: LayerParams,
    hits: Vec<usize>,
    shown: Vec<usize>,
}

fn select<'a>(
    layers: &'a Layers,
    id: &str,
    who: &Signed,
    raw: Option<&str>,
    limits: (usize, usize),
) -> Result<Selection<'a>, ApiError> {
    let mut params = parse_params(raw, limits)?;
    let (layer, viewer) = layer_for(layers, id, who)?;
    params.query.team = viewer.team;
    params.query.areas = viewer.areas;
    let hits = layer.select(&params.query);
    let shown = page(&hits, &params);
    Ok(Selection {
        layer,
        params,
        hits,
        shown,
    })
}

/// A FeatureCollection of the selected features, with `extra` top-level members.
fn collection_body(layer: &Layer, page: &[usize], extra: Value) -> String {
    let mut body = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    for (n, &i) in page.iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(layer.feature_json(i));
    }
    body.push(']');
    if let Value::Object(map) = extra {
        for (k, v) in map {
            body.push(',');
            body.push_str(&Value::String(k).to_string());
            body.push(':');
            body.push_str(&v.to_string());
        }
    }
    body.push('}');
    body
}

fn page(hits: &[usize], p: &LayerParams) -> Vec<usize> {
    hits.iter().skip(p.offset).take(p.limit).copied().collect()
}

async fn layer_list(
    State(state): State<Shared>,
    who: Signed,
    origin: Origin,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layers = state.layers_for(&who.0).await?;
    let account = who.0.clone();
    // Counting a city's 600,000 blind spots by kind and quantile takes a while: off the async
    // threads, and once per layer revision and viewer.
    let list = tokio::task::spawn_blocking(move || {
        let list = layers
            .all()
            .map(|l| {
                let viewer = l.def.viewer(&account);
                let key = format!(
                    "{}|{}|{}|{}|{}",
                    l.def.id,
                    l.revision,
                    layers.date,
                    origin.root,
                    viewer.viewer_key()
                );
                state
                    .catalogue
                    .get_or_make(key, || catalogue_entry(l, &viewer, &origin.root))
            })
            .collect::<Vec<Value>>();
        json!({ "date": layers.date, "loaded_at": layers.loaded_at, "layers": list })
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(json_response(
        &headers,
        "application/json",
        list.to_string(),
    ))
}

/// A layer's entry in `/api/layers`: what it is, how many features the viewer sees, where, and
/// its tiles with their legend.
fn catalogue_entry(l: &Layer, viewer: &Query, root: &str) -> Value {
    let mut entry = json!({
        "id": l.def.id,
        "title": l.def.title,
        "title_zh": l.def.title_zh,
        "description": l.def.description,
        "geometry": l.def.geometry,
        "kind_property": l.def.kind_property,
        "features": l.select(viewer).len(),
        "extent": l.extent,
    });
    if let Value::Object(m) = &mut entry {
        m.extend(super::layer_tiles::catalogue_entry(l, viewer, root));
    }
    entry
}

async fn layer_geojson(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layers = state.layers_for(&who.0).await?;
    let Selection {
        layer,
        params,
        hits,
        shown,
    } = select(&layers, &id, &who, raw.as_deref(), API_LIMIT)?;
    let etag = layer_etag(layers.date, layer, &params.asked(raw.as_deref()));
    Ok(layer_answer(&headers, &etag, || {
        let extra = json!({
            "name": layer.def.id,
            "numberMatched": hits.len(),
            "numberReturned": shown.len(),
            "timeStamp": layers.loaded_at,
        });
        collection_body(layer, &shown, extra)
    }))
}

fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": kind, "title": title })
}

async fn landing(origin: Origin, headers: HeaderMap) -> Response {
    let b = origin.ogc();
    let body = json!({
        "title": "patrolmap",
        "description": "Key places, street lighting, patrol routes and inspection coverage of the district (重点场所、照明盲区、巡查路线与覆盖率).",
        "links": [
            link(format!("{b}/"), "self", "application/json", "this document"),
            link(format!("{b}/api"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
            link(format!("{b}/conformance"), "conformance", "application/json", "conformance classes"),
            link(format!("{b}/collections"), "data", "application/json", "the layers"),
        ]
    });
    json_response(&headers, "application/json", body.to_string())
}

async fn conformance(headers: HeaderMap) -> Response {
    let body = json!({ "conformsTo": [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]});
    json_response(&headers, "application/json", body.to_string())
}

async fn openapi_document(origin: Origin, headers: HeaderMap) -> Response {
    json_response(
        &headers,
        "application/vnd.oai.openapi+json;version=3.0",
        openapi::document(&origin.ogc()),
    )
}

fn collection_json(b: &str, layer: &Layer) -> Value {
    let id = layer.def.id;
    let extent = layer
        .extent
        .unwrap_or(BBox::new(-180.0, -90.0, 180.0, 90.0));
    json!({
        "id": id,
        "title": format!("{} / {}", layer.def.title_zh, layer.def.title),
        "description": layer.def.description,
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": { "spatial": {
            "bbox": [[extent.west, extent.south, extent.east, extent.north]],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        }},
        "links": [
            link(format!("{b}/collections/{id}"), "self", "application/json", layer.def.title),
            link(format!("{b}/collections/{id}/items"), "items", GEOJSON, "the features"),
        ]
    })
}

async fn collections(
    State(state): State<Shared>,
    who: Signed,
    origin: Origin,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layers = state.layers_for(&who.0).await?;
    let b = origin.ogc();
    let body = json!({
        "links": [link(format!("{b}/collections"), "self", "application/json", "the layers")],
        "collections": layers.all().map(|l| collection_json(&b, l)).collect::<Vec<_>>(),
    });
    Ok(json_response(
        &headers,
        "application/json",
        body.to_string(),
    ))
}

async fn collection(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<String>,
    origin: Origin,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layers = state.layers_for(&who.0).await?;
    let (layer, _) = layer_for(&layers, &id, &who)?;
    Ok(json_response(
        &headers,
        "application/json",
        collection_json(&origin.ogc(), layer).to_string(),
    ))
}

async fn items(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    origin: Origin,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layers = state.layers_for(&who.0).await?;
    let Selection {
        layer,
        params,
        hits,
        shown,
    } = select(&layers, &id, &who, raw.as_deref(), OGC_LIMIT)?;
    let b = origin.ogc();
    let here = |offset: usize| {
        let mut q = format!("limit={}&offset={offset}", params.limit);
        if let Some(bb) = params.query.bbox {
            q.push_str(&format!(
                "&bbox={},{},{},{}",
                bb.west, bb.south, bb.east, bb.north
            ));
        }
        if let Some(k) = &params.query.kinds {
            q.push_str(&format!("&kind={}", k.join(",")));
        }
        format!("{b}/collections/{id}/items?{q}")
    };
    let mut links = vec![
        link(here(params.offset), "self", GEOJSON, "this page"),
        link(
            format!("{b}/collections/{id}"),
            "collection",
            "application/json",
            layer.def.title,
        ),
    ];
    let next = params.offset + shown.len();
    if next < hits.len() {
        links.push(link(here(next), "next", GEOJSON, "the next page"));
    }
    let etag = layer_etag(
        layers.date,
        layer,
        &format!("ogc|{b}|{}", params.asked(raw.as_deref())),
    );
    Ok(layer_answer(&headers, &etag, || {
        let extra = json!({
            "numberMatched": hits.len(),
            "numberReturned": shown.len(),
            "timeStamp": layers.loaded_at,
            "links": links,
        });
        collection_body(layer, &shown, extra)
    }))
}

async fn item(
    State(state): State<Shared>,
    who: Signed,
    Path((id, fid)): Path<(String, String)>,
    origin: Origin,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layers = state.layers_for(&who.0).await?;
    let (layer, viewer) = layer_for(&layers, &id, &who)?;
    let i = layer
        .find(&fid)
        .filter(|&i| layer.visible_to(i, &viewer))
        .ok_or_else(|| ApiError::not_found(format!("no feature `{fid}` in `{id}`")))?;
    let mut feature: Value =
        serde_json::from_str(layer.feature_json(i)).map_err(ApiError::internal)?;
    let b = origin.ogc();
    feature["links"] = json!([
        link(
            format!("{b}/collections/{id}/items/{fid}"),
            "self",
            GEOJSON,
            "this feature"
        ),
        link(
            format!("{b}/collections/{id}"),
            "collection",
            "application/json",
            layer.def.title
        ),
    ]);
    Ok(json_response(&headers, GEOJSON, feature.to_string()))
}

/// The layers are read-only over OGC API: OPTIONS says so (QGIS checks before offering edits).
async fn read_only_options() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::ALLOW,
        HeaderValue::from_static("GET, HEAD, OPTIONS"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_and_limits_are_checked() {
        assert_eq!(
            parse_bbox("24.9,60.1,25,60.2").unwrap(),
            BBox::new(24.9, 60.1, 25.0, 60.2)
        );
        for bad in [
            "1,2,3",
            "a,1,2,3",
            "NaN,1,2,3",
            "1,95,2,96",
            "10,1,5,2",
            "-200,1,2,3",
        ] {
            assert_eq!(
                parse_bbox(bad).unwrap_err().field.as_deref(),
                Some("bbox"),
                "{bad}"
            );
        }
        let p = parse_params(Some("limit=50000&offset=20&kind=bar,pub"), OGC_LIMIT).unwrap();
        assert_eq!((p.limit, p.offset), (OGC_LIMIT.1, 20));
        assert_eq!(
            p.query.kinds,
            Some(vec!["bar".to_string(), "pub".to_string()])
        );
        for bad in ["limit=0", "limit=-1", "limit=ten", "offset=x", "color=red"] {
            assert!(parse_params(Some(bad), OGC_LIMIT).is_err(), "{bad}");
        }
        let bbox = parse_params(Some("bbox=24.9%2C60.1%2C25.0%2C60.2"), OGC_LIMIT).unwrap();
        assert!(
            bbox.query.bbox.is_some(),
            "percent-escaped commas are decoded"
        );
    }
}
