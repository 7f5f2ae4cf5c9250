//! `/api/openapi.json`: the hand-written OpenAPI 3 document of every API route. A test checks that
//! each `/api/` route of the router is in it, so the two cannot drift apart unnoticed.

use axum::http::header;
use axum::response::IntoResponse;

pub(crate) const DOCUMENT: &str = include_str!("openapi.json");

pub(crate) async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn documents_every_api_route() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).expect("valid JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
        let routes = include_str!("mod.rs");
        for line in routes.lines().filter(|l| l.contains(".route(\"/api/")) {
            let path = line.split('"').nth(1).expect("a quoted path");
            assert!(doc["paths"].get(path).is_some(), "{path} is missing from openapi.json");
        }
    }
}
