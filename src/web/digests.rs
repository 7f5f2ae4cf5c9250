//! Past weekly digests: a list page, each digest as mailed, an Atom feed of them, and
//! `/api/digests/{YYYY-Www}` with the same JSON as `tonlage digest --format json`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use chrono_tz::Europe::Stockholm;

use super::auth::Auth;
use super::error::{Api, WebError};
use super::page::{escape, render, Chrome, Ctx};
use super::AppState;
use crate::digest::{self, DigestError, Week};
use crate::store::DigestSummary;

impl From<DigestError> for WebError {
    fn from(e: DigestError) -> Self {
        WebError::Internal(e.to_string())
    }
}

/// The digest HTML is a mail: its styles are inline attributes, which the app's CSP forbids.
/// This page alone allows inline styles; scripts stay forbidden as everywhere.
const MAIL_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'none'";

fn week_of(s: &str) -> Result<Week, WebError> {
    Week::parse(s).ok_or_else(|| WebError::BadRequest(format!("{s:?} is not a week like 2026-W47")))
}

async fn prepared(s: &AppState, week: Week) -> Result<digest::Rendered, WebError> {
    let (store, config) = (s.store.clone(), s.config.clone());
    Ok(tokio::task::spawn_blocking(move || digest::prepare(&store, &config, week, Utc::now(), false)).await??)
}

struct Row {
    week: String,
    created: String,
    sent: String,
}

#[derive(Template)]
#[template(path = "digests.html")]
struct DigestsPage {
    c: Chrome,
    rows: Vec<Row>,
    last_complete: String,
}

pub(crate) async fn index(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    uri: Uri,
) -> Result<Response, WebError> {
    let store = s.store.clone();
    let list: Vec<DigestSummary> = tokio::task::spawn_blocking(move || store.list_digests()).await??;
    let t = ctx.lang.tr();
    let when = |d: chrono::DateTime<Utc>| d.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string();
    let rows = list
        .into_iter()
        .map(|d| Row {
            created: when(d.created_at),
            sent: d.sent_at.map(when).unwrap_or_else(|| "–".into()),
            week: d.week,
        })
        .collect();
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    render(&DigestsPage {
        c: Chrome::new(&ctx, &who, "digests", t.digests_title, &here),
        rows,
        last_complete: Week::last_complete(Utc::now()).to_string(),
    })
}

/// One week's digest exactly as mailed (stored weeks read back unchanged).
pub(crate) async fn view(
    State(s): State<AppState>,
    _who: Auth,
    Path(week): Path<String>,
) -> Result<Response, WebError> {
    let r = prepared(&s, week_of(&week)?).await?;
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], r.html).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(MAIL_CSP));
    Ok(res)
}

/// `GET /api/digests/{YYYY-Www}`: the `digest --format json` shape.
pub(crate) async fn api(State(s): State<AppState>, _who: Auth, Path(week): Path<String>) -> Result<Response, Api> {
    let r = prepared(&s, week_of(&week)?).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], r.json).into_response())
}

/// An Atom feed of stored digests, for a feed reader or the intranet.
pub(crate) async fn atom(State(s): State<AppState>, _who: Auth) -> Result<Response, WebError> {
    let store = s.store.clone();
    let list = tokio::task::spawn_blocking(move || store.list_digests()).await??;
    let updated = list.iter().map(|d| d.created_at).max().unwrap_or_else(Utc::now);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>Tonläge – veckobrev</title>\n<id>urn:tonlage:digests</id>\n<updated>{}</updated>\n\
         <link rel=\"self\" href=\"/digests.atom\"/>\n<link rel=\"alternate\" href=\"/digests\"/>\n",
        updated.to_rfc3339()
    );
    for d in &list {
        let week = escape(&d.week);
        xml.push_str(&format!(
            "<entry><title>Tonläge vecka {week}</title><id>urn:tonlage:digest:{week}</id>\
             <updated>{}</updated><link href=\"/digests/{week}\"/><summary>Veckobrev för {week}</summary></entry>\n",
            d.created_at.to_rfc3339()
        ));
    }
    xml.push_str("</feed>\n");
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response())
}
