//! The web map from `maps/`, built into the binary so a user runs nothing else and the map needs
//! no internet: the page, its scripts, catalogues and styles, and the vendored MapLibre and
//! PMTiles builds. Also the list of those files the service worker keeps for offline use.

use super::Shared;
use super::http_cache::{json_response, revalidated};
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

#[derive(Embed)]
#[folder = "maps/"]
#[exclude = "node_modules/*"]
#[exclude = "scripts/*"]
#[exclude = "package*.json"]
#[exclude = ".gitignore"]
struct WebMap;

/// Only our own origin: the map must never reach out, and MapLibre's workers start from blobs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     worker-src 'self' blob:; child-src 'self' blob:; img-src 'self' data: blob:; \
     style-src 'self' 'unsafe-inline'; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/", get(index))
        .route("/offline-files.json", get(offline_files))
        .route("/{*path}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    // Embedded names are plain relative paths; nothing here can reach the file system.
    let Some(file) = WebMap::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()));
    // Revalidate every time: after an upgrade the phone must not mix old and new scripts.
    let mut response = revalidated(
        headers,
        &etag,
        file.metadata.mimetype(),
        file.data.into_owned(),
        "no-cache",
    );
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if path == "sw.js" {
        h.insert("service-worker-allowed", HeaderValue::from_static("/"));
    }
    response
}

/// Every file of the web map with a version that changes whenever any file does: the service
/// worker caches exactly these, and replaces its cache when the version moves.
async fn offline_files(headers: HeaderMap) -> Response {
    static LIST: OnceLock<String> = OnceLock::new();
    let body = LIST.get_or_init(|| {
        let mut names: Vec<String> = WebMap::iter().map(|n| n.into_owned()).collect();
        names.sort();
        let mut version = Sha256::new();
        let mut files = vec!["/".to_string()];
        for name in &names {
            if let Some(f) = WebMap::get(name) {
                version.update(name.as_bytes());
                version.update(f.metadata.sha256_hash());
            }
            if name != "index.html" && !name.ends_with(".txt") && !name.ends_with(".md") {
                files.push(format!("/{name}"));
            }
        }
        let version = &hex(&version.finalize())[..16];
        json!({ "version": version, "files": files }).to_string()
    });
    json_response(&headers, "application/json", body.clone())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_vendored_libraries_are_embedded_and_tooling_is_not() {
        for name in [
            "index.html",
            "sw.js",
            "vendor/maplibre-gl.js",
            "vendor/pmtiles.js",
        ] {
            assert!(WebMap::get(name).is_some(), "{name} is not embedded");
        }
        assert!(WebMap::iter().all(|n| !n.starts_with("node_modules/")
            && !n.starts_with("scripts/")
            && !n.starts_with("package")));
    }

    #[test]
    fn vendored_versions_are_the_pinned_ones() {
        let pinned: serde_json::Value =
            serde_json::from_str(include_str!("../../maps/package.json")).unwrap();
        let vendored: serde_json::Value = serde_json::from_slice(
            &WebMap::get("vendor/VERSIONS.json")
                .expect("vendor/VERSIONS.json")
                .data,
        )
        .unwrap();
        let deps = pinned["dependencies"].as_object().unwrap();
        assert_eq!(deps.len(), vendored.as_object().unwrap().len());
        for (name, version) in deps {
            assert_eq!(
                &vendored[name], version,
                "{name}: run `npm ci && npm run vendor` in maps/"
            );
        }
    }

    fn catalogue(lang: &str) -> serde_json::Map<String, serde_json::Value> {
        let file = WebMap::get(&format!("i18n/{lang}.json")).expect("catalogue embedded");
        serde_json::from_slice(&file.data).unwrap()
    }

    #[test]
    fn both_languages_have_every_string_the_scripts_ask_for() {
        let (zh, en) = (catalogue("zh-CN"), catalogue("en"));
        let zh_keys: Vec<&String> = zh.keys().collect();
        let en_keys: Vec<&String> = en.keys().collect();
        assert_eq!(zh_keys, en_keys, "the catalogues hold the same keys");
        let mut asked = Vec::new();
        for name in WebMap::iter().filter(|n| n.ends_with(".js") && !n.starts_with("vendor/")) {
            let text = String::from_utf8(WebMap::get(&name).unwrap().data.into_owned()).unwrap();
            // Literal keys only: `t("group.key")` and `data-i18n="…"` are checked, while keys
            // built from server values (kinds, outcomes, road classes) fall back to the value.
            for piece in text.split("t(\"").skip(1) {
                if let Some(key) = piece.split('"').next()
                    && key.contains('.')
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                {
                    asked.push((name.to_string(), key.to_string()));
                }
            }
        }
        let page = String::from_utf8(WebMap::get("index.html").unwrap().data.into_owned()).unwrap();
        for piece in page.split("data-i18n").skip(1) {
            if let Some(key) = piece.split('"').nth(1) {
                asked.push(("index.html".into(), key.to_string()));
            }
        }
        assert!(asked.len() > 100, "the scan found the scripts' keys");
        for (file, key) in asked {
            assert!(
                zh.contains_key(&key),
                "{file} asks for `{key}`, which zh-CN lacks"
            );
        }
        for (key, value) in &zh {
            let (zh_text, en_text) = (value.as_str().unwrap(), en[key].as_str().unwrap());
            let holes = |s: &str| {
                let mut h: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split('}').next())
                    .map(String::from)
                    .collect();
                h.sort();
                h
            };
            assert_eq!(
                holes(zh_text),
                holes(en_text),
                "`{key}` has the same placeholders in both"
            );
        }
    }
}
