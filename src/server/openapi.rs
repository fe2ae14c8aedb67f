//! The OpenAPI description of the OGC API endpoints and the JSON API, built from the same layer
//! catalogue the handlers serve. QGIS reads the page size's default and maximum from
//! `components.parameters.limit.schema`.

use super::catalogue::LAYERS;
use super::features::{GEOJSON, OGC_LIMIT};
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

/// One operation of the JSON API: method, path, summary, who may call it, statuses, and the
/// media types its request body may come in.
struct ApiOp {
    method: HttpMethod,
    path: &'static str,
    summary: &'static str,
    who: &'static str,
    statuses: &'static [(&'static str, &'static str)],
    body: &'static [&'static str],
}

const SIGNED_IN: &[(&str, &str)] = &[
    ("200", "ok"),
    ("400", "a parameter is wrong; the body names it"),
    ("401", "sign in first"),
    ("403", "the role may not"),
];

/// The answers of a dispatch step.
const DISPATCH: &[(&str, &str)] = &[
    ("200", "done; the plan as it is now"),
    ("201", "a new draft"),
    ("400", "a field is wrong; the body names it"),
    ("401", "sign in first"),
    ("403", "the role may not"),
    ("404", "no such plan, venue, team or action"),
    (
        "409",
        "a locked route, or the store has no teams or streets yet",
    ),
];

const API: &[ApiOp] = &[
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/login",
        summary: "Sign in: {username, password} → {token, expires_at, account}",
        who: "anyone",
        statuses: &[
            ("200", "signed in"),
            ("401", "wrong name or password"),
            ("429", "too many failures; see Retry-After"),
        ],
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/logout",
        summary: "End the session",
        who: "signed in",
        statuses: &[("204", "signed out"), ("401", "sign in first")],
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/me",
        summary: "The signed-in account",
        who: "signed in",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/layers",
        summary: "The map layers with titles, feature counts and extents",
        who: "signed in",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/layers/{id}",
        summary: "A layer as a GeoJSON FeatureCollection (bbox, kind, limit, offset)",
        who: "signed in; inspectors see their team's venues and route",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/inspections",
        summary: "Inspections newest first: from, to (YYYY-MM-DD), area (township or community id), team, inspector, kind, outcome, has_follow_up, off_plan; limit (50, at most 500), offset; answers {items, total, limit, offset, next_offset}",
        who: "manager, admin; inspectors their own team's",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/inspections",
        summary: "Record an inspection (JSON, or multipart with an `inspection` part and `photo` parts); idempotent by client_uuid",
        who: "inspector (own team's planned venues), manager, admin",
        statuses: &[
            ("201", "recorded"),
            ("200", "the same record again (a retry)"),
            ("400", "invalid; the body names the field"),
            ("401", "sign in first"),
            ("403", "not yours to record"),
            ("409", "the UUID was used with other contents"),
            ("413", "photo or request too large"),
        ],
        body: &["application/json", "multipart/form-data"],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/follow-ups",
        summary: "Follow-ups with deadlines and responsible units (status=open|done|cancelled)",
        who: "planner, manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/venues/{id}/clear-suspension",
        summary: "Lift a venue's suspension",
        who: "manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Put,
        path: "/api/lamps/{id}/status",
        summary: "Set a lamp's status: {status: working|broken|unknown}",
        who: "planner, admin",
        statuses: SIGNED_IN,
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/accounts",
        summary: "Make an account: {username, password, role, team_id}",
        who: "admin",
        statuses: &[
            ("201", "made"),
            ("400", "invalid; the body names the field"),
            ("401", "sign in first"),
            ("403", "admins only"),
        ],
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/audit",
        summary: "The audit trail, newest first (limit, before)",
        who: "manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/plans/current",
        summary: "The plan whose shift is now (a night shift's stays current past midnight), else the next one today; as /api/plans/{date} plus `current` {date, shift_start, shift_end, state: on_shift|upcoming|fixed, recorded}; managers get the plan day's plan",
        who: "signed in; inspectors their own team (404 when the team has no plan for this shift)",
        statuses: &[
            ("200", "the plan"),
            ("400", "duty is not inspection or lighting"),
            ("401", "sign in first"),
            ("404", "no plan for your shift now"),
        ],
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/plans/{date}",
        summary: "A day's plan (date YYYY-MM-DD or `today`; duty=inspection|lighting)",
        who: "signed in; inspectors see their own route",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/plans/{date}/draft",
        summary: "Make a draft of the day's inspection plan now, with the day's dispatcher actions ({\"seconds\"} optional)",
        who: "manager, admin",
        statuses: DISPATCH,
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/plans/{date}/actions",
        summary: "A dispatcher's change (pin, exclude, move, absent, team, adhoc, lock, unlock), audited, then the routes it touches re-optimised; answers {action, plan}",
        who: "manager, admin",
        statuses: DISPATCH,
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Delete,
        path: "/api/plans/{date}/actions/{id}",
        summary: "Revoke a dispatcher's change and re-optimise",
        who: "manager, admin",
        statuses: DISPATCH,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/plans/{date}/publish",
        summary: "Publish the newest revision: the teams see it (a no-op when it is published)",
        who: "manager, admin",
        statuses: DISPATCH,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/plans/{date}/routes/{file}/replan",
        summary: "Plan the rest of team {file}'s shift again from {\"at\": [lon, lat], \"time\"}; recorded and skipped stops stay",
        who: "the team's inspector, manager, admin",
        statuses: DISPATCH,
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Post,
        path: "/api/stops",
        summary: "A stop arrived at or skipped with a reason; once per client_uuid (201, then 200; 409 with other contents)",
        who: "inspector (own team's published stops), manager, admin",
        statuses: DISPATCH,
        body: &["application/json"],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/venues/nearby",
        summary: "Registered venues near lon, lat (radius_m, at most 2000), nearest first: for off-plan inspections",
        who: "inspector, manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/inspections/{uuid}",
        summary: "One inspection whole: checklist, notes, GPS fix and its distance from the venue, photos, follow-ups",
        who: "manager, admin; inspectors their own team's (404 otherwise)",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/photos/{sha256}",
        summary: "A photo's bytes, for a caller who may read a record with it",
        who: "manager, admin; inspectors their own team's",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/plans/{date}/routes/{file}",
        summary: "One team's route as TEAM.gpx (GPX 1.1) or TEAM.geojson",
        who: "signed in; inspectors their own team",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/app",
        summary: "What the web map boots with: plan date, UTC offset, attribution, basemap archive and bounds (or null), venue kinds, outcomes, checklists per kind, GPS warning thresholds",
        who: "anyone",
        statuses: &[("200", "ok")],
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/lighting/at",
        summary: "Illuminance at lon, lat (WGS-84) lamp by lamp, as `patrolmap lighting --at --json` prints it, and the nearest judged street's standard (or null)",
        who: "planner, manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/findings",
        summary: "Inspections and outcomes per week, the last week ending on the plan date, oldest first (weeks: 1–52, default 8)",
        who: "planner, manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/api/overdue",
        summary: "Active venues past their kind's inspection frequency on the plan date (or never inspected), most overdue first",
        who: "manager, admin",
        statuses: SIGNED_IN,
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/tiles/{file}",
        summary: "NAME.pmtiles by HTTP Range, or NAME.json (TileJSON 3.0.0)",
        who: "anyone",
        statuses: &[
            ("200", "ok"),
            ("206", "a byte range"),
            ("416", "range past the end"),
        ],
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/tiles/{name}/{z}/{x}/{y}",
        summary: "A basemap vector tile (MVT)",
        who: "anyone",
        statuses: &[("200", "a tile"), ("204", "nothing to draw here")],
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/layers/{layer}/tiles/{z}/{x}/{y}",
        summary: "A dense layer's vector tile, cut on the fly",
        who: "signed in",
        statuses: &[("200", "a tile"), ("401", "sign in first")],
        body: &[],
    },
    ApiOp {
        method: HttpMethod::Get,
        path: "/healthz",
        summary: "Health check",
        who: "anyone",
        statuses: &[("200", "ok")],
        body: &[],
    },
];

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
    super::features::json_response(
        &headers,
        "application/vnd.oai.openapi+json;version=3.0",
        api_document(&root),
    )
}

#[cfg(test)]
mod tests {
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
}
