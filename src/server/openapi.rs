//! The OpenAPI description of the OGC API endpoints and the JSON API, built from the same layer
//! catalogue the handlers serve. QGIS reads the page size's default and maximum from
//! `components.parameters.limit.schema`.

use super::catalogue::{GEOJSON, LAYERS, OGC_LIMIT};
use utoipa::openapi::path::{OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HttpMethod, InfoBuilder, ObjectBuilder, OpenApiBuilder,
    PathItem, PathsBuilder, Ref, ResponseBuilder, ServerBuilder, Type,
};
use utoipa::openapi::{
    Required,
    security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

fn query(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema.build()))
        .build()
}

fn path(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
        .build()
}

fn limit() -> Parameter {
    query(
        "limit",
        "The most features in one page; larger values are cut to the maximum.",
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(OGC_LIMIT.1 as i64))
            .default(Some(serde_json::json!(OGC_LIMIT.0))),
    )
}

fn bbox() -> Parameter {
    query(
        "bbox",
        "west,south,east,north in CRS84 degrees: only features whose extent meets the box.",
        ObjectBuilder::new().schema_type(Type::String),
    )
}

fn offset() -> Parameter {
    query(
        "offset",
        "Features to skip (the `next` link sets it).",
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0)),
    )
}

fn kind() -> Parameter {
    query(
        "kind",
        "Comma-separated values of the layer's kind property (venues: kind; lamps: status; areas: level).",
        ObjectBuilder::new().schema_type(Type::String),
    )
}

fn json_response(description: &str, media: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            media,
            ContentBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Object).build()))
                .build(),
        )
        .build()
}

fn get(summary: &str, media: &str, params: Vec<ParamUse>) -> PathItem {
    let mut op = OperationBuilder::new()
        .summary(Some(summary))
        .response("200", json_response(summary, media))
        .response(
            "400",
            json_response(
                "a parameter is wrong; the body names it",
                "application/json",
            ),
        )
        .response("401", json_response("sign in first", "application/json"));
    for p in params {
        op = match p {
            ParamUse::Ref(name) => {
                op.parameter_ref(Ref::new(format!("#/components/parameters/{name}")))
            }
            ParamUse::Inline(p) => op.parameter(*p),
        };
    }
    PathItem::new(HttpMethod::Get, op.build())
}

enum ParamUse {
    Ref(&'static str),
    Inline(Box<Parameter>),
}

/// The document, with absolute server URL `base` (the OGC API root).
pub fn document(base: &str) -> String {
    let layer_ids = LAYERS.iter().map(|l| l.id).collect::<Vec<_>>().join(", ");
    let paths = PathsBuilder::new()
        .path("/", get("Landing page", "application/json", vec![]))
        .path(
            "/conformance",
            get("Conformance classes", "application/json", vec![]),
        )
        .path(
            "/api",
            get(
                "This API definition",
                "application/vnd.oai.openapi+json;version=3.0",
                vec![],
            ),
        )
        .path(
            "/collections",
            get("The layers", "application/json", vec![]),
        )
        .path(
            "/collections/{collectionId}",
            get(
                "One layer",
                "application/json",
                vec![ParamUse::Inline(Box::new(path(
                    "collectionId",
                    &format!("one of {layer_ids}"),
                )))],
            ),
        )
        .path(
            "/collections/{collectionId}/items",
            get(
                "A page of a layer's features",
                GEOJSON,
                vec![
                    ParamUse::Inline(Box::new(path(
                        "collectionId",
                        &format!("one of {layer_ids}"),
                    ))),
                    ParamUse::Ref("limit"),
                    ParamUse::Ref("bbox"),
                    ParamUse::Ref("offset"),
                    ParamUse::Ref("kind"),
                ],
            ),
        )
        .path(
            "/collections/{collectionId}/items/{featureId}",
            get(
                "One feature",
                GEOJSON,
                vec![
                    ParamUse::Inline(Box::new(path(
                        "collectionId",
                        &format!("one of {layer_ids}"),
                    ))),
                    ParamUse::Inline(Box::new(path("featureId", "the feature's id"))),
                ],
            ),
        );
    let components = ComponentsBuilder::new()
        .parameter("limit", limit())
        .parameter("bbox", bbox())
        .parameter("offset", offset())
        .parameter("kind", kind())
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    let api = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("patrolmap")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Key places, lighting blind spots, patrol routes and coverage as OGC API – Features. \
                     Sign in at /api/login and send `Authorization: Bearer <token>`.",
                ))
                .build(),
        )
        .servers(Some([ServerBuilder::new().url(base).build()]))
        .paths(paths)
        .components(Some(components.build()))
        .build();
    api.to_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

mod operations;
mod queries;
use operations::API;

/// The JSON API's document (server `root`, e.g. `http://127.0.0.1:8080`).
pub fn api_document(root: &str) -> String {
    let mut paths = PathsBuilder::new();
    for op in API {
        let mut b = OperationBuilder::new()
            .summary(Some(op.summary))
            .description(Some(format!("Who: {}.", op.who)));
        for (code, text) in op.statuses {
            b = b.response(*code, json_response(text, "application/json"));
        }
        for name in op
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            b = b.parameter(path(name, name));
        }
        for q in queries::QUERIES
            .iter()
            .filter(|(path, _)| *path == op.path)
            .flat_map(|(_, params)| params.iter())
        {
            let schema = match (q.integer, q.values) {
                (true, _) => ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
                (false, []) => ObjectBuilder::new().schema_type(Type::String),
                (false, values) => ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(values.iter().copied())),
            };
            b = b.parameter(query(q.name, q.description, schema));
        }
        if !op.body.is_empty() {
            let mut body = utoipa::openapi::request_body::RequestBodyBuilder::new()
                .required(Some(Required::True));
            for media in op.body {
                body = body.content(
                    *media,
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::Object).build()))
                        .build(),
                );
            }
            b = b.request_body(Some(body.build()));
        }
        if op.who != "anyone" {
            b = b.security(utoipa::openapi::security::SecurityRequirement::new(
                "bearer",
                Vec::<String>::new(),
            ));
        }
        paths = paths.path(op.path, PathItem::new(op.method.clone(), b.build()));
    }
    let components = ComponentsBuilder::new().security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("patrolmap API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("Sign-in, map layers, inspection capture, plans, tiles and the audit trail. The OGC API – Features description is at /ogc/api."))
                .build(),
        )
        .servers(Some([ServerBuilder::new().url(root).build()]))
        .paths(paths)
        .components(Some(components.build()))
        .build()
        .to_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

pub async fn api_document_response(
    origin: super::origin::Origin,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let root = origin.root;
    super::http_cache::json_response(
        &headers,
        "application/vnd.oai.openapi+json;version=3.0",
        api_document(&root),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tables_document_the_sort_columns_the_server_takes() {
        use crate::store::FollowUpSort;
        use crate::workflow::tables::{CoverageSort, OverdueSort};
        use serde_json::json;
        for v in super::queries::OVERDUE_SORTS {
            assert!(
                serde_json::from_value::<OverdueSort>(json!(v)).is_ok(),
                "{v}"
            );
        }
        for v in super::queries::FOLLOW_UP_SORTS {
            assert!(
                serde_json::from_value::<FollowUpSort>(json!(v)).is_ok(),
                "{v}"
            );
        }
        for v in super::queries::COVERAGE_SORTS {
            assert!(
                serde_json::from_value::<CoverageSort>(json!(v)).is_ok(),
                "{v}"
            );
        }
        let doc: serde_json::Value =
            serde_json::from_str(&super::api_document("http://127.0.0.1:1")).unwrap();
        let params = doc["paths"]["/api/overdue"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let sort = params.iter().find(|p| p["name"] == "sort").unwrap();
        assert_eq!(sort["schema"]["enum"][0], "days_overdue");
        assert!(doc["paths"]["/api/coverage"]["get"]["parameters"].is_array());
    }

    #[test]
    fn the_api_document_lists_every_write_with_its_statuses() {
        let doc: serde_json::Value =
            serde_json::from_str(&super::api_document("http://127.0.0.1:1")).unwrap();
        let capture = &doc["paths"]["/api/inspections"]["post"];
        for code in ["201", "200", "409", "413"] {
            assert!(capture["responses"].get(code).is_some(), "{code}");
        }
        assert!(
            capture["requestBody"]["content"]
                .get("multipart/form-data")
                .is_some()
        );
        assert_eq!(
            doc["paths"]["/api/lamps/{id}/status"]["put"]["parameters"][0]["name"],
            "id"
        );
        // A path read and written keeps both operations.
        assert!(doc["paths"]["/api/inspections"]["get"].is_object());
        assert!(doc["paths"]["/api/plans/{date}/actions/{id}"]["delete"].is_object());
    }

    use super::*;

    #[test]
    fn limit_carries_its_default_and_maximum_where_qgis_reads_them() {
        let doc: serde_json::Value =
            serde_json::from_str(&document("http://127.0.0.1:1/ogc")).unwrap();
        let schema = &doc["components"]["parameters"]["limit"]["schema"];
        assert_eq!(schema["default"], OGC_LIMIT.0);
        assert_eq!(schema["maximum"], OGC_LIMIT.1);
        let items = &doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"];
        assert!(
            items
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["$ref"] == "#/components/parameters/limit")
        );
    }

    /// Every route path written in the server's sources (`.route` with a literal path),
    /// placeholders as `{}`.
    fn routes_in_the_sources() -> std::collections::BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server");
        let mut files = vec![dir];
        let mut routes = std::collections::BTreeSet::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let needle = concat!(".rou", "te(");
            for (_, rest) in text
                .match_indices(needle)
                .map(|(i, _)| text.split_at(i + needle.len()))
            {
                let rest = rest.trim_start();
                if let Some(quoted) = rest.strip_prefix('"') {
                    routes.insert(placeholders(&quoted[..quoted.find('"').unwrap()]));
                }
            }
        }
        routes
    }

    fn placeholders(path: &str) -> String {
        let mut out = String::new();
        let mut inside = false;
        for c in path.chars() {
            match c {
                '{' => inside = true,
                '}' => {
                    inside = false;
                    out.push_str("{}");
                }
                _ if !inside => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn the_documents_and_the_router_name_the_same_paths() {
        let api: serde_json::Value = serde_json::from_str(&super::api_document("")).unwrap();
        let ogc: serde_json::Value = serde_json::from_str(&super::document("")).unwrap();
        let mut documented: std::collections::BTreeSet<String> = api["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(|p| placeholders(p))
            .collect();
        documented.extend(
            ogc["paths"]
                .as_object()
                .unwrap()
                .keys()
                .map(|p| placeholders(&format!("/ogc{}", p.trim_end_matches('/')))),
        );
        let mut routed = routes_in_the_sources();
        // The web map's files, its offline list, the landing page's trailing-slash twin and the
        // Prometheus scrape are not part of the API.
        for outside in ["/", "/{}", "/offline-files.json", "/ogc/", "/metrics"] {
            assert!(routed.remove(outside), "{outside} is no longer routed");
        }
        assert_eq!(
            routed.difference(&documented).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "routed but not documented"
        );
        assert_eq!(
            documented.difference(&routed).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "documented but not routed"
        );
    }
}
