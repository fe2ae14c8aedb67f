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

#[cfg(test)]
mod tests {
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
