//! The HTTP servers: the app listener (`/healthz`, `/readyz` so far) and the separate metrics
//! listener (`/metrics`). Each takes a bound listener and a shutdown future, so tests bind port 0.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::index::SearchIndex;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub index: Arc<SearchIndex>,
    pub worker_running: Arc<AtomicBool>,
}

pub fn router(state: AppState) -> Router {
    Router::new().route("/healthz", get(|| async { "ok\n" })).route("/readyz", get(readyz)).with_state(state)
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
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
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
