//! The HTTP servers: the app listener (staff web UI, JSON API, `/healthz`, `/readyz`) and the
//! separate metrics listener (`/metrics`). Each takes a bound listener and a shutdown future, so
//! tests bind port 0. Every page and API route but health, login and static assets needs a login.

mod accounts;
mod article;
mod assets;
mod auth;
mod chart;
mod csv;
mod digests;
mod districts;
mod error;
mod i18n;
mod login;
mod openapi;
mod page;
mod search;
mod sources;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;

use crate::config::Config;
use crate::index::SearchIndex;
use crate::store::Store;

pub use error::WebError;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub index: Arc<SearchIndex>,
    pub worker_running: Arc<AtomicBool>,
    pub config: Arc<Config>,
}

pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/", get(|| async { Redirect::to("/search") }))
        .route("/search", get(search::page))
        .route("/search.csv", get(search::export_csv))
        .route("/articles/{id}", get(article::page))
        .route("/articles/{id}/corrections", post(article::correct_form))
        .route("/corrections.jsonl", get(article::export_jsonl))
        .route("/corrections.csv", get(article::export_csv))
        .route("/districts", get(districts::index))
        .route("/districts/compare", get(districts::compare))
        .route("/districts/{id}", get(districts::page))
        .route("/districts/{id}/chart.svg", get(districts::chart_svg))
        .route("/districts/{id}/series.csv", get(districts::series_csv))
        .route("/sources", get(sources::page))
        .route("/digests", get(digests::index))
        .route("/digests.atom", get(digests::atom))
        .route("/digests/{week}", get(digests::view))
        .route("/admin/accounts", get(accounts::page).post(accounts::save))
        .route("/admin/accounts/delete", post(accounts::delete))
        .route("/admin/tokens/revoke", post(accounts::revoke))
        .route("/logout", post(login::logout))
        .route("/api/search", get(search::api))
        .route("/api/districts/{id}/series", get(districts::api_series))
        .route("/api/articles/{id}", get(article::api_get))
        .route("/api/articles/{id}/corrections", get(article::api_corrections).post(article::api_correct))
        .route("/api/feeds", get(sources::api))
        .route("/api/digests/{week}", get(digests::api))
        .route("/api/openapi.json", get(openapi::document))
        .layer(from_fn_with_state(state.clone(), auth::require_login));
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/login", get(login::form).post(login::submit))
        .route("/static/{file}", get(assets::serve))
        .merge(protected)
        .fallback(|| async { WebError::NotFound })
        .layer(from_fn_with_state(state.clone(), page::context))
        .layer(from_fn(page::security_headers))
        .with_state(state)
}

/// Ready when the store answers, the index can be searched and the worker loop is alive.
async fn readyz(State(s): State<AppState>) -> (StatusCode, String) {
    let store_ok = s.store.schema_version().is_ok();
    let index_ok = s.index.refresh().is_ok();
    let worker = s.worker_running.load(Ordering::SeqCst);
    let body = format!("store_ok={store_ok} index_ok={index_ok} worker_running={worker}\n");
    if store_ok && index_ok && worker {
        (StatusCode::OK, body)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, body)
    }
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address feeds the per-IP login limit.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// `/metrics` in the Prometheus text format, on its own listener so it can stay off the public proxy.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new().route(
        "/metrics",
        get(|| async {
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], crate::metrics::METRICS.render())
                .into_response()
        }),
    );
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
