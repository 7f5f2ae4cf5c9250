//! The HTTP server. For now the operator's endpoints: `/healthz` (alive) and `/readyz` (store and
//! index open, worker running). It takes a listener and a shutdown future so tests bind port 0.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub worker_running: Arc<AtomicBool>,
}

pub fn router(state: AppState) -> Router {
    Router::new().route("/healthz", get(|| async { "ok\n" })).route("/readyz", get(readyz)).with_state(state)
}

async fn readyz(State(s): State<AppState>) -> (StatusCode, String) {
    let store_ok = s.store.schema_version().is_ok();
    let worker = s.worker_running.load(Ordering::SeqCst);
    if store_ok && worker {
        (StatusCode::OK, "ready\n".into())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, format!("store_ok={store_ok} worker_running={worker}\n"))
    }
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
