//! What can go wrong serving a request, and how each failure looks: a short HTML page for people,
//! `{"error": …}` JSON for scripts (`Api`). Internal details go to the log, not to the browser.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::index::IndexError;
use crate::search::SearchError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<IndexError> for WebError {
    fn from(e: IndexError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<SearchError> for WebError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Input(m) => WebError::BadRequest(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> Self {
        WebError::Internal(format!("background task: {e}"))
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to the requester; internal errors are logged and shown only as a status.
    fn public_message(&self) -> String {
        if let WebError::Internal(m) = self {
            tracing::error!(error = %m, "request failed");
            return "internal error".into();
        }
        self.to_string()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let msg = super::page::escape(&self.public_message());
        let body = format!(
            "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{status}</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main id=\"main\" class=\"error\">\
             <h1>{status}</h1><p>{msg}</p><p><a href=\"/search\">Tonläge</a></p></main></body></html>"
        );
        (status, [("content-type", "text/html; charset=utf-8")], body).into_response()
    }
}

/// The same failures for the JSON API.
pub struct Api(pub WebError);

impl<E: Into<WebError>> From<E> for Api {
    fn from(e: E) -> Self {
        Api(e.into())
    }
}

impl IntoResponse for Api {
    fn into_response(self) -> Response {
        let status = self.0.status();
        (status, axum::Json(serde_json::json!({ "error": self.0.public_message() }))).into_response()
    }
}
