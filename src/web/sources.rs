//! Sources: each configured feed's health (last success, last error, failures in a row, next
//! poll, articles this week), as a page and as `/api/feeds`.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;
use serde::Serialize;

use super::auth::Auth;
use super::error::{Api, WebError};
use super::page::{render, safe_link, Chrome, Ctx};
use super::AppState;
use crate::fetch::FailureKind;
use crate::search::local_day;
use crate::store::iso_week;

#[derive(Serialize)]
pub(crate) struct FeedHealth {
    id: String,
    name: String,
    url: String,
    last_success: Option<DateTime<Utc>>,
    last_attempt: Option<DateTime<Utc>>,
    last_error: Option<String>,
    /// The class of the last error (`timeout`, `http:503`, `network`, `not_a_feed`, …).
    last_error_kind: Option<String>,
    last_warning: Option<String>,
    consecutive_failures: u32,
    next_due: Option<DateTime<Utc>>,
    articles: u64,
    articles_this_week: u32,
}

fn health(s: &AppState) -> Result<Vec<FeedHealth>, WebError> {
    let monday = iso_week(Utc::now()).0.format("%Y-%m-%d").to_string();
    let since = local_day(&monday, false)?;
    let states = s.store.feed_states()?;
    let week = s.store.feed_articles_since(since)?;
    Ok(s.config
        .feeds
        .iter()
        .map(|f| {
            let st = states.iter().find(|x| x.id == f.id).cloned().unwrap_or_default();
            FeedHealth {
                id: f.id.clone(),
                name: f.name.clone(),
                url: f.url.to_string(),
                last_success: st.last_success,
                last_attempt: st.last_attempt,
                last_error: st.last_error,
                last_error_kind: st.last_error_kind,
                last_warning: st.last_warning,
                consecutive_failures: st.consecutive_failures,
                next_due: st.next_due,
                articles: st.articles,
                articles_this_week: week.iter().find(|(id, _)| *id == f.id).map(|x| x.1).unwrap_or(0),
            }
        })
        .collect())
}

struct Row {
    name: String,
    link: Option<String>,
    status: &'static str,
    class: &'static str,
    last_success: String,
    /// The failure in the reader's words; empty for an error stored without its kind.
    error_summary: String,
    last_error: String,
    failures: u32,
    next_due: String,
    this_week: u32,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    c: Chrome,
    rows: Vec<Row>,
}

pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    uri: Uri,
) -> Result<Response, WebError> {
    let st = s.clone();
    let feeds = tokio::task::spawn_blocking(move || health(&st)).await??;
    let t = ctx.lang.tr();
    let when = |d: Option<DateTime<Utc>>| {
        d.map(|d| d.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| t.never.into())
    };
    let rows = feeds
        .into_iter()
        .map(|f| {
            let (status, class) = match (f.last_attempt, f.consecutive_failures) {
                (None, _) => (t.status_new, "new"),
                (_, 0) => (t.status_ok, "ok"),
                _ => (t.status_failing, "failing"),
            };
            Row {
                link: safe_link(&f.url),
                name: f.name,
                status,
                class,
                last_success: when(f.last_success),
                error_summary: f
                    .last_error
                    .as_ref()
                    .and(f.last_error_kind.as_deref())
                    .and_then(FailureKind::parse)
                    .map(|k| t.failure(k))
                    .unwrap_or_default(),
                last_error: f.last_error.unwrap_or_default(),
                failures: f.consecutive_failures,
                next_due: when(f.next_due),
                this_week: f.articles_this_week,
            }
        })
        .collect();
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    render(&SourcesPage { c: Chrome::new(&ctx, &who, "sources", t.sources_title, &here), rows })
}

pub(crate) async fn api(State(s): State<AppState>) -> Result<Json<Vec<FeedHealth>>, Api> {
    Ok(Json(tokio::task::spawn_blocking(move || health(&s)).await??))
}
