//! Vector tiles from the server: the basemap archive by HTTP Range (206, 416, never gzipped),
//! TileJSON, z/x/y tiles that decode as MVT with the basemap's layers, 204 for an empty tile,
//! and a dense layer cut on the fly.

mod common;
use common::server::*;
use geozero::mvt::{Message, Tile};
use std::io::Read;

fn decode(bytes: &[u8], gzipped: bool) -> Tile {
    let mut plain = Vec::new();
    if gzipped {
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut plain)
            .unwrap();
    } else {
        plain = bytes.to_vec();
    }
    Tile::decode(plain.as_slice()).expect("valid MVT")
}

fn layer_names(t: &Tile) -> Vec<String> {
    t.layers.iter().map(|l| l.name.clone()).collect()
}

#[test]
fn basemap_archive_by_range_tilejson_and_tiles_that_decode() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let size = std::fs::metadata(data.path().join("tiles/basemap.pmtiles"))
        .unwrap()
        .len();

    let (status, h, body) = raw_get(
        &server,
        "/tiles/basemap.pmtiles",
        &[("Range", "bytes=0-126"), ("Accept-Encoding", "gzip")],
    );
    assert_eq!(status, 206);
    assert_eq!(
        header(&h, "content-range"),
        Some(format!("bytes 0-126/{size}").as_str())
    );
    assert_eq!(header(&h, "content-length"), Some("127"));
    assert_eq!(body.len(), 127);
    assert_eq!(&body[..7], b"PMTiles", "the archive's own header");
    assert!(
        header(&h, "content-encoding").is_none(),
        "never gzip the archive"
    );
    assert!(
        header(&h, "etag").is_some_and(|e| !e.starts_with("W/")),
        "a strong ETag"
    );
    let (status, h, _) = raw_get(
        &server,
        "/tiles/basemap.pmtiles",
        &[("Range", &format!("bytes={size}-"))],
    );
    assert_eq!(status, 416);
    assert_eq!(
        header(&h, "content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    let (status, _, body) = raw_get(&server, "/tiles/basemap.json", &[]);
    assert_eq!(status, 200);
    let tj: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(tj["tilejson"], "3.0.0");
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.starts_with("http://") && url.ends_with("/{z}/{x}/{y}"),
        "{url}"
    );
    assert!(tj["minzoom"].as_u64().unwrap() <= tj["maxzoom"].as_u64().unwrap());
    assert_eq!(tj["bounds"].as_array().unwrap().len(), 4);
    let layers: Vec<&str> = tj["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert!(
        layers.contains(&"roads") && layers.contains(&"buildings"),
        "{layers:?}"
    );
    assert!(
        tj["attribution"]
            .as_str()
            .unwrap()
            .contains("OpenStreetMap")
    );

    // The tile under Helsinki's Senate Square at z15, with and without gzip.
    let (lon, lat) = (24.9525, 60.1695);
    let (x, y) = patrolmap::tiles::mercator::tile_of(lon, lat, 15);
    let path = format!("/tiles/basemap/15/{x}/{y}");
    let (status, h, body) = raw_get(&server, &path, &[("Accept-Encoding", "gzip")]);
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "content-type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    assert_eq!(header(&h, "content-encoding"), Some("gzip"));
    assert!(header(&h, "vary").is_some_and(|v| v.contains("Accept-Encoding")));
    assert!(header(&h, "cache-control").is_some() && header(&h, "etag").is_some());
    let tile = decode(&body, true);
    let names = layer_names(&tile);
    for l in ["roads", "buildings"] {
        assert!(names.contains(&l.to_string()), "no {l} in {names:?}");
    }
    let roads = tile.layers.iter().find(|l| l.name == "roads").unwrap();
    assert_eq!(roads.extent, Some(4096));
    assert!(roads.keys.contains(&"name".to_string()) && roads.keys.contains(&"class".to_string()));
    let (status, h, plain) = raw_get(&server, &path, &[]);
    assert_eq!(status, 200);
    assert!(header(&h, "content-encoding").is_none());
    assert_eq!(layer_names(&decode(&plain, false)), names);

    // Far from the city: nothing to draw.
    let (status, _, body) = raw_get(&server, "/tiles/basemap/15/0/0", &[]);
    assert_eq!(status, 204);
    assert!(body.is_empty());
    for bad in [
        "/tiles/basemap/15/99999999/0",
        "/tiles/basemap/x/1/2",
        "/tiles/..%2Fpatrolmap.sqlite",
        "/tiles/nothing.pmtiles",
    ] {
        let (status, _, _) = raw_get(&server, bad, &[]);
        assert!((400..500).contains(&status), "{bad}: {status}");
    }
}

#[test]
fn dense_layers_are_cut_from_the_index_for_signed_in_users() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "planner");
    let (x, y) = patrolmap::tiles::mercator::tile_of(24.9525, 60.1695, 14);
    let path = format!("/layers/lamps/tiles/14/{x}/{y}");
    let (status, _, _) = raw_get(&server, &path, &[]);
    assert_eq!(status, 401);
    let auth = format!("Bearer {token}");
    let (status, h, body) = raw_get(
        &server,
        &path,
        &[("Authorization", &auth), ("Accept-Encoding", "gzip")],
    );
    assert_eq!(status, 200);
    let tile = decode(&body, header(&h, "content-encoding") == Some("gzip"));
    let lamps = tile
        .layers
        .iter()
        .find(|l| l.name == "lamps")
        .expect("a lamps layer");
    assert!(!lamps.features.is_empty());
    assert!(lamps.keys.contains(&"status".to_string()));
    let (status, _, _) = raw_get(
        &server,
        "/layers/routes/tiles/14/0/0",
        &[("Authorization", &auth)],
    );
    assert_eq!(status, 404, "routes come from the plans, not tiles");
}

/// Sums a thinned point layer's `count`s and lists its keys.
fn counted(layer: &geozero::mvt::tile::Layer) -> u64 {
    let count = layer.keys.iter().position(|k| k == "count").unwrap() as u32;
    layer
        .features
        .iter()
        .map(|f| {
            let v = f.tags.chunks(2).find(|kv| kv[0] == count).unwrap()[1];
            layer.values[v as usize].uint_value.unwrap()
        })
        .sum()
}

#[test]
fn a_low_zoom_tile_stays_bounded_counts_every_point_and_carries_the_definitions_properties() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "planner");
    let auth = format!("Bearer {token}");
    let catalogue = get(&server.url("/api/layers"), Some(&token)).json();
    let entry = |id: &str| {
        catalogue["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()
            .clone()
    };
    let lamps = entry("lamps");
    let template = lamps["tiles"].as_str().unwrap();
    assert!(
        template.starts_with("http://") && template.ends_with("/layers/lamps/tiles/{z}/{x}/{y}"),
        "{template}"
    );
    let severity = entry("blind_spots")["quantiles"]["severity"].clone();
    let breaks: Vec<f64> = severity
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        breaks.len() == 3 && breaks.windows(2).all(|w| w[0] <= w[1]),
        "{breaks:?}"
    );
    assert!(
        entry("routes").get("tiles").is_none(),
        "routes are not tiled"
    );

    // The whole demo district sits in one z10 tile: every lamp is in it, thinned and counted.
    let (x, y) = patrolmap::tiles::mercator::tile_of(24.9525, 60.1695, 10);
    let b = patrolmap::tiles::mercator::tile_bbox(10, x, y);
    let in_tile = get(
        &server.url(&format!(
            "/api/layers/lamps?bbox={},{},{},{}&limit=100000",
            b.west, b.south, b.east, b.north
        )),
        Some(&token),
    )
    .json()["numberMatched"]
        .as_u64()
        .unwrap();
    assert!(in_tile > 100, "{in_tile} lamps in the tile");
    let url = template
        .replace("{z}", "10")
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string());
    let path = url
        .split_once("/layers/")
        .map(|(_, p)| format!("/layers/{p}"))
        .unwrap();
    let (status, h, body) = raw_get(
        &server,
        &path,
        &[("Authorization", &auth), ("Accept-Encoding", "gzip")],
    );
    assert_eq!(status, 200);
    let tile = decode(&body, header(&h, "content-encoding") == Some("gzip"));
    let layer = &tile.layers[0];
    assert_eq!(layer.name, "lamps");
    assert!(layer.features.len() <= 128 * 128);
    assert!((layer.features.len() as u64) < in_tile, "thinned at z10");
    assert_eq!(counted(layer), in_tile, "each lamp counted once");
    let mut keys = layer.keys.clone();
    keys.sort();
    assert_eq!(
        keys,
        ["count", "status"],
        "the definition's properties only"
    );
    assert!(layer.features.iter().all(|f| f.id.is_some()));

    // Coverage areas carry what the choropleth colours by; a close-up lamp tile has no counts.
    let (status, h, body) = raw_get(
        &server,
        &format!("/layers/areas/tiles/10/{x}/{y}"),
        &[("Authorization", &auth)],
    );
    assert_eq!(status, 200);
    let areas = &decode(&body, header(&h, "content-encoding") == Some("gzip")).layers[0];
    for key in ["level", "covered_share", "name"] {
        assert!(
            areas.keys.iter().any(|k| k == key),
            "{key} in {:?}",
            areas.keys
        );
    }
    let (x, y) = patrolmap::tiles::mercator::tile_of(24.9525, 60.1695, 17);
    let (status, h, body) = raw_get(
        &server,
        &format!("/layers/lamps/tiles/17/{x}/{y}"),
        &[("Authorization", &auth)],
    );
    if status == 200 {
        let close = &decode(&body, header(&h, "content-encoding") == Some("gzip")).layers[0];
        assert!(!close.keys.iter().any(|k| k == "count"));
    } else {
        assert_eq!(status, 204);
    }
}
