//! The server walked the way QGIS walks an OGC API – Features service: landing page,
//! conformance, the OpenAPI document's page size, collections, items with `limit=10` and every
//! `next` link, then one item. Plus the GeoJSON layers' filters, ETags and the health check.

mod common;
use common::server::*;
use serde_json::Value;
use std::collections::HashSet;

fn href<'a>(links: &'a Value, rel: &str) -> Option<&'a str> {
    links
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

#[test]
fn qgis_walks_landing_conformance_collections_items_and_pages() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "planner");
    let t = Some(token.as_str());

    let landing = get(&server.url("/ogc/"), None);
    assert_eq!(landing.status, 200);
    let landing = landing.json();
    let links = &landing["links"];
    let desc = links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "service-desc")
        .expect("service-desc link");
    assert_eq!(desc["type"], "application/vnd.oai.openapi+json;version=3.0");
    for rel in ["self", "conformance", "data"] {
        assert!(href(links, rel).is_some(), "landing lacks {rel}");
    }

    let conformance = get(href(links, "conformance").unwrap(), None).json();
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in ["conf/core", "conf/geojson", "conf/oas30"] {
        assert!(classes.iter().any(|k| k.ends_with(c)), "missing {c}");
    }

    let api = get(desc["href"].as_str().unwrap(), None).json();
    let limit = &api["components"]["parameters"]["limit"]["schema"];
    let (default, maximum) = (
        limit["default"].as_u64().unwrap(),
        limit["maximum"].as_u64().unwrap(),
    );
    assert!(default >= 10 && maximum >= default, "{limit}");

    // The data needs a sign-in.
    assert_eq!(get(href(links, "data").unwrap(), None).status, 401);
    let collections = get(href(links, "data").unwrap(), t).json();
    let list = collections["collections"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().filter_map(|c| c["id"].as_str()).collect();
    for layer in [
        "venues",
        "lamps",
        "corners",
        "blind_spots",
        "lamp_proposals",
        "areas",
        "routes",
    ] {
        assert!(ids.contains(&layer), "no collection {layer} in {ids:?}");
    }
    for c in list {
        assert_eq!(c["itemType"], "feature");
        let bbox = c["extent"]["spatial"]["bbox"][0].as_array().unwrap();
        assert_eq!(bbox.len(), 4);
        assert!(href(&c["links"], "items").is_some());
        let items_type = c["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "items")
            .unwrap()["type"]
            .clone();
        assert_eq!(items_type, "application/geo+json");
    }

    let venues = list.iter().find(|c| c["id"] == "venues").unwrap();
    let mut next = Some(format!(
        "{}?limit=10",
        href(&venues["links"], "items").unwrap()
    ));
    let (mut seen, mut pages, mut matched) = (HashSet::new(), 0, 0);
    while let Some(url) = next {
        let page = get(&url, t);
        assert_eq!(page.status, 200, "{url}: {}", page.body);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("application/geo+json")
        );
        let page = page.json();
        assert_eq!(page["type"], "FeatureCollection");
        assert!(page["timeStamp"].is_string());
        let features = page["features"].as_array().unwrap();
        assert!(features.len() <= 10);
        assert_eq!(
            page["numberReturned"].as_u64().unwrap() as usize,
            features.len()
        );
        matched = page["numberMatched"].as_u64().unwrap();
        for f in features {
            assert_eq!(f["type"], "Feature");
            let id = f["id"]
                .as_str()
                .expect("a top-level id on every feature")
                .to_string();
            assert!(seen.insert(id), "a feature came twice across pages");
        }
        assert!(href(&page["links"], "self").is_some());
        next = href(&page["links"], "next").map(str::to_string);
        pages += 1;
    }
    assert_eq!(
        seen.len() as u64,
        matched,
        "the pages hold every feature once"
    );
    assert!(
        pages > 10,
        "a demo district has hundreds of venues ({matched})"
    );

    let one_id = seen.iter().next().unwrap();
    let item = get(
        &format!("{}/{one_id}", href(&venues["links"], "items").unwrap()),
        t,
    );
    assert_eq!(item.status, 200);
    let item = item.json();
    assert_eq!(item["id"].as_str(), Some(one_id.as_str()));
    assert_eq!(item["geometry"]["type"], "Point");
    assert!(href(&item["links"], "self").is_some() && href(&item["links"], "collection").is_some());
    let props = &item["properties"];
    for key in ["name", "kind", "status", "risk_score", "risk_terms"] {
        assert!(props.get(key).is_some(), "venue lacks {key}: {props}");
    }

    // Read-only: OPTIONS on items offers no POST or PUT.
    let options = send(
        "OPTIONS",
        &server.url("/ogc/collections/venues/items"),
        t,
        "text/plain",
        b"",
    );
    let allow = options.header("allow").unwrap_or("");
    assert!(
        allow.contains("GET") && !allow.contains("POST") && !allow.contains("PUT"),
        "{allow}"
    );

    // Bad values are 400 with the field named; unknown layers and features 404.
    for bad in [
        "limit=0",
        "limit=abc",
        "bbox=1,2,3",
        "bbox=NaN,1,2,3",
        "bbox=0,95,1,96",
    ] {
        let r = get(
            &server.url(&format!("/ogc/collections/venues/items?{bad}")),
            t,
        );
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.json()["field"].is_string(), "{bad}");
    }
    assert_eq!(
        get(&server.url("/ogc/collections/nope/items"), t).status,
        404
    );
    assert_eq!(
        get(&server.url("/ogc/collections/venues/items/999999999"), t).status,
        404
    );
}

#[test]
fn geojson_layers_filter_by_bbox_and_kind_and_revalidate_by_etag() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let t = Some(token.as_str());
    assert_eq!(get(&server.url("/healthz"), None).json()["status"], "ok");

    let all = get(&server.url("/api/layers/venues"), t);
    assert_eq!(all.status, 200);
    let etag = all.header("etag").unwrap().to_string();
    let all = all.json();
    let features = all["features"].as_array().unwrap();
    assert!(features.len() > 100);

    // A bbox around the first venue holds it, and every returned venue lies inside the box.
    let c = features[0]["geometry"]["coordinates"].as_array().unwrap();
    let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
    let bbox = format!(
        "{},{},{},{}",
        lon - 0.003,
        lat - 0.002,
        lon + 0.003,
        lat + 0.002
    );
    let near = get(&server.url(&format!("/api/layers/venues?bbox={bbox}")), t).json();
    let near = near["features"].as_array().unwrap();
    assert!(near.iter().any(|f| f["id"] == features[0]["id"]));
    assert!(near.len() < features.len());
    for f in near {
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        assert!((c[0].as_f64().unwrap() - lon).abs() <= 0.003 + 1e-9);
        assert!((c[1].as_f64().unwrap() - lat).abs() <= 0.002 + 1e-9);
    }
    let bars = get(
        &server.url("/api/layers/venues?kind=entertainment&limit=5"),
        t,
    )
    .json();
    let bars = bars["features"].as_array().unwrap();
    assert!(!bars.is_empty() && bars.len() <= 5);
    assert!(
        bars.iter()
            .all(|f| f["properties"]["kind"] == "entertainment")
    );

    let again = send_with(
        &server.url("/api/layers/venues"),
        t,
        ("If-None-Match", &etag),
    );
    assert_eq!(again.status, 304);

    // Areas carry coverage figures; routes carry today's stops.
    let areas = get(&server.url("/api/layers/areas?kind=township"), t).json();
    let township = &areas["features"][0]["properties"];
    for key in ["active", "covered", "overdue", "findings", "level"] {
        assert!(township.get(key).is_some(), "area lacks {key}: {township}");
    }
    let routes = get(&server.url("/api/layers/routes?kind=stop"), t).json();
    assert!(!routes["features"].as_array().unwrap().is_empty());

    // Inspectors see their own team's route and planned venues only.
    let inspector = login(&server, "inspector1");
    let i = Some(inspector.as_str());
    let mine = get(&server.url("/api/layers/routes"), i).json();
    let teams: HashSet<i64> = mine["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["team_id"].as_i64())
        .collect();
    assert_eq!(teams.len(), 1, "{teams:?}");
    let visible = get(&server.url("/api/layers/venues"), i).json();
    let visible = visible["features"].as_array().unwrap().len();
    assert!(visible > 0 && visible < features.len());

    // Their route for the phone: GPX 1.1 that a GPX reader opens; not another team's.
    let team = *teams.iter().next().unwrap();
    let gpx = get(
        &server.url(&format!("/api/plans/{DEMO_DATE}/routes/{team}.gpx")),
        i,
    );
    assert_eq!(gpx.status, 200);
    assert_eq!(gpx.header("content-type"), Some("application/gpx+xml"));
    let parsed = gpx::read(gpx.body.as_bytes()).expect("valid GPX");
    assert_eq!(parsed.version, gpx::GpxVersion::Gpx11);
    assert!(!parsed.waypoints.is_empty() && !parsed.tracks.is_empty());
    let plan = get(&server.url("/api/plans/today"), i).json();
    assert_eq!(plan["routes"].as_array().unwrap().len(), 1);
    let other = get(
        &server.url(&format!("/api/plans/{DEMO_DATE}/routes/{}.gpx", team + 1)),
        i,
    );
    assert_eq!(other.status, 403);
    let api = get(&server.url("/api/openapi.json"), None).json();
    assert!(api["paths"]["/api/inspections"]["post"].is_object());
}

fn send_with(url: &str, token: Option<&str>, header: (&str, &str)) -> Reply {
    let mut req = agent().get(url).header(header.0, header.1);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut r = req.call().unwrap();
    Reply {
        status: r.status().as_u16(),
        headers: vec![],
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}
