//! Query strings as typed structs: axum's `Query` does the parsing, and a refusal names the
//! parameter at fault (an unknown one, or the one whose value is wrong), so a client is told
//! `field: "limit"` rather than "failed to deserialize".

use super::error::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::Uri;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// `T` from the query string. `T` should be `#[serde(deny_unknown_fields)]` with every field
/// optional, so a misspelt name is refused rather than read as the default.
pub struct Typed<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Typed<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        from_uri(&parts.uri).map(Typed)
    }
}

/// `T` from a raw query string (what `RawQuery` hands a handler that also keeps the text).
pub fn from_query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    let uri: Uri = format!("/?{}", raw.unwrap_or_default())
        .parse()
        .map_err(|_| ApiError::bad_request("query", "the query string is not valid in a URL"))?;
    from_uri(&uri)
}

fn from_uri<T: DeserializeOwned>(uri: &Uri) -> Result<T, ApiError> {
    match Query::<T>::try_from_uri(uri) {
        Ok(Query(value)) => Ok(value),
        Err(e) => Err(refusal::<T>(uri, &e.body_text())),
    }
}

const PREFIX: &str = "Failed to deserialize query string: ";

/// The refusal of a query string, naming the parameter: serde names an unknown or repeated one
/// in its message; for a bad value, the one parameter that alone fails is the one at fault.
fn refusal<T: DeserializeOwned>(uri: &Uri, text: &str) -> ApiError {
    let message = text.strip_prefix(PREFIX).unwrap_or(text);
    if let Some(name) = message
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name)
    {
        return ApiError::bad_request(name, message);
    }
    let query = uri.query().unwrap_or_default();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let one: String = form_urlencoded::Serializer::new(String::new())
            .append_pair(&key, &value)
            .finish();
        let Ok(alone) = format!("/?{one}").parse::<Uri>() else {
            continue;
        };
        if let Err(e) = Query::<T>::try_from_uri(&alone) {
            let text = e.body_text();
            let why = text.strip_prefix(PREFIX).unwrap_or(&text);
            return ApiError::bad_request(
                key.to_string(),
                format!("{key}={:?}: {why}", crate::model::excerpt(&value, 40)),
            );
        }
    }
    ApiError::bad_request("query", message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        limit: Option<usize>,
        late: Option<bool>,
        order: Option<crate::model::Order>,
    }

    fn field(query: &str) -> Option<String> {
        let uri: Uri = format!("/x?{query}").parse().unwrap();
        match Query::<Q>::try_from_uri(&uri) {
            Ok(_) => None,
            Err(e) => refusal::<Q>(&uri, &e.body_text()).field,
        }
    }

    #[test]
    fn the_parameter_at_fault_is_named() {
        assert_eq!(field("limit=5&late=true&order=desc"), None);
        assert_eq!(field("limit=5&colour=red").as_deref(), Some("colour"));
        assert_eq!(field("late=true&limit=abc").as_deref(), Some("limit"));
        assert_eq!(field("limit=-1").as_deref(), Some("limit"));
        assert_eq!(field("late=maybe&limit=3").as_deref(), Some("late"));
        assert_eq!(field("order=sideways").as_deref(), Some("order"));
        assert_eq!(field("limit=1&limit=2").as_deref(), Some("limit"));
    }
}
