//! The search page (one box, filters, highlighted snippets, tone badges, paging, attention over
//! time), `/search.csv` (the whole result, streamed) and `/api/search` (the `search --json` shape).

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::auth::Auth;
use super::chart;
use super::error::{Api, WebError};
use super::page::{render, safe_link, Chrome, Ctx};
use super::AppState;
use crate::index::SearchQuery;
use crate::model::Label;
use crate::search::{self, SearchHit, SearchOutput, SearchParams};
use crate::store::bucket_weeks;

const PAGE_SIZE: usize = 20;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SearchForm {
    q: String,
    district: String,
    source: String,
    tone: String,
    from: String,
    to: String,
    sort: String,
    page: Option<usize>,
}

impl SearchForm {
    fn params(&self, limit: usize, offset: usize) -> SearchParams {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        SearchParams {
            q: self.q.clone(),
            limit: Some(limit),
            offset: Some(offset),
            district: opt(&self.district),
            source: opt(&self.source),
            tone: opt(&self.tone),
            from: opt(&self.from),
            to: opt(&self.to),
            sort: opt(&self.sort),
        }
    }

    /// This search's query string with `page` replaced, for paging and export links.
    fn link(&self, path: &str, page: Option<usize>) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("district", &self.district),
            ("source", &self.source),
            ("tone", &self.tone),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if let Some(p) = page {
            s.append_pair("page", &p.to_string());
        }
        format!("{path}?{}", s.finish())
    }
}

pub(crate) struct Opt {
    pub value: String,
    pub name: String,
    pub selected: bool,
}

fn options(items: impl Iterator<Item = (String, String)>, current: &str) -> Vec<Opt> {
    items.map(|(value, name)| Opt { selected: value == current, value, name }).collect()
}

pub(crate) struct Badge {
    pub district: String,
    pub class: &'static str,
    pub label: &'static str,
    pub corrected: bool,
}

pub(crate) struct HitView {
    pub id: String,
    pub title: String,
    pub link: Option<String>,
    pub source: String,
    pub date: String,
    pub snippet_html: String,
    pub badges: Vec<Badge>,
}

pub(crate) fn badges(s: &AppState, ctx: &Ctx, hit: &SearchHit) -> Vec<Badge> {
    hit.districts
        .iter()
        .filter_map(|d| {
            let l = Label::parse(&d.label)?;
            Some(Badge {
                district: district_name(s, &d.id),
                class: l.as_str(),
                label: ctx.lang.tr().label(l),
                corrected: d.machine_label.is_some(),
            })
        })
        .collect()
}

pub(crate) fn district_name(s: &AppState, id: &str) -> String {
    s.config.districts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_else(|| id.to_string())
}

pub(crate) fn feed_name(s: &AppState, id: &str) -> String {
    s.config.feed(id).map(|f| f.name.clone()).unwrap_or_else(|| id.to_string())
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    f: SearchForm,
    districts: Vec<Opt>,
    sources: Vec<Opt>,
    tones: Vec<Opt>,
    error: Option<String>,
    total: usize,
    hits: Vec<HitView>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    csv: String,
    chart_svg: String,
    chart_rows: Vec<chart::Row>,
    searched: bool,
}

/// Weekly counts by tone of every match, for the attention chart and its table.
fn attention(s: &AppState, q: &SearchQuery) -> Result<Vec<(String, [u32; 4])>, WebError> {
    let rows: Vec<_> = s
        .index
        .hours_by_tone(q)?
        .into_iter()
        .flat_map(|(l, hours)| hours.into_iter().map(move |(t, n)| (t, l, n)))
        .collect();
    Ok(bucket_weeks(&rows, q.from, q.to)
        .into_iter()
        .map(|b| (b.week, [b.labels.stigmatizing, b.labels.negative, b.labels.neutral, b.labels.positive]))
        .collect())
}

pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    uri: Uri,
    Query(f): Query<SearchForm>,
) -> Result<Response, WebError> {
    let t = ctx.lang.tr();
    let page = f.page.unwrap_or(1).max(1);
    let params = f.params(PAGE_SIZE, (page - 1) * PAGE_SIZE);
    let searched = uri.query().is_some_and(|q| q.contains("q=") || q.contains("district="));
    let st = s.clone();
    let c2 = ctx.clone();
    let query = params.to_query();
    // The attention chart counts every match, which for a very common word is most of the
    // archive: it runs on the other core while the page of hits is fetched.
    let chart = query.as_ref().ok().cloned().map(|q| {
        let st = s.clone();
        tokio::task::spawn_blocking(move || -> Result<_, WebError> {
            st.index.refresh()?;
            attention(&st, &q)
        })
    });
    let result = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        st.index.refresh()?;
        let q = query?;
        let out = search::run(&st.store, &st.index, &q, false)?;
        let hits: Vec<HitView> = out
            .hits
            .iter()
            .map(|h| HitView {
                id: h.id.clone(),
                title: h.title.clone(),
                link: safe_link(&h.url),
                source: feed_name(&st, &h.source),
                date: h.published.get(..10).unwrap_or(&h.published).to_string(),
                snippet_html: h.snippet_html.clone(),
                badges: badges(&st, &c2, h),
            })
            .collect();
        Ok((out.total, hits))
    })
    .await?;
    let chart = match chart {
        Some(task) => task.await?,
        None => Ok(Vec::new()),
    };
    let result = result.and_then(|(total, hits)| Ok((total, hits, chart?)));
    let (total, hits, chart_data, error) = match result {
        Ok((total, hits, chart)) => (total, hits, chart, None),
        Err(WebError::BadRequest(m)) => (0, Vec::new(), Vec::new(), Some(m)),
        Err(e) => return Err(e),
    };
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let names = [t.stigmatizing, t.negative, t.neutral, t.positive];
    let chart_svg = if chart_data.is_empty() {
        String::new()
    } else {
        chart::stacked("attention", t.attention, t.chart_desc, &chart_data, names)
    };
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/search").to_string();
    let view = SearchPage {
        c: Chrome::new(
            &ctx,
            &who,
            "search",
            if f.q.is_empty() { t.search_title.to_string() } else { f.q.clone() },
            &here,
        ),
        districts: options(s.config.districts.iter().map(|d| (d.id.clone(), d.name.clone())), &f.district),
        sources: options(s.config.feeds.iter().map(|d| (d.id.clone(), d.name.clone())), &f.source),
        tones: options(Label::ALL.iter().map(|l| (l.as_str().to_string(), t.label(*l).to_string())), &f.tone),
        error,
        total,
        hits,
        page,
        pages,
        prev: (page > 1).then(|| f.link("/search", Some(page - 1))),
        next: (page < pages).then(|| f.link("/search", Some(page + 1))),
        csv: f.link("/search.csv", None),
        chart_rows: chart::rows(&chart_data),
        chart_svg,
        searched,
        f,
    };
    render(&view)
}

/// `GET /api/search`: exactly what `tonlage search --json` prints for the same parameters.
pub(crate) async fn api(State(s): State<AppState>, Query(p): Query<SearchParams>) -> Result<Json<SearchOutput>, Api> {
    let out = tokio::task::spawn_blocking(move || -> Result<SearchOutput, WebError> {
        s.index.refresh()?;
        Ok(search::run(&s.store, &s.index, &p.to_query()?, false)?)
    })
    .await??;
    Ok(Json(out))
}

/// Rows fetched per index round-trip while exporting.
const EXPORT_BATCH: usize = 500;

/// The whole result as CSV, produced batch by batch while the client reads, so memory stays flat;
/// every batch comes from the same snapshot of the index, so rows are neither repeated nor
/// skipped while the worker commits new articles.
pub(crate) async fn export_csv(State(s): State<AppState>, Query(f): Query<SearchForm>) -> Result<Response, WebError> {
    let q = f.params(EXPORT_BATCH, 0).to_query()?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let header = super::csv::line(&["id", "published", "source", "title", "url", "districts", "labels", "snippet"]);
        if tx.blocking_send(Ok(header)).is_err() {
            return;
        }
        let _ = s.index.refresh();
        let done = search::run_all(&s.store, &s.index, &q, EXPORT_BATCH, |out| {
            let mut chunk = String::new();
            for h in &out.hits {
                let ids: Vec<&str> = h.districts.iter().map(|d| d.id.as_str()).collect();
                let labels: Vec<&str> = h.districts.iter().map(|d| d.label.as_str()).collect();
                chunk.push_str(&super::csv::line(&[
                    &h.id,
                    &h.published,
                    &h.source,
                    &h.title,
                    &h.url,
                    &ids.join(";"),
                    &labels.join(";"),
                    &h.snippet,
                ]));
            }
            // A client that went away ends the export.
            tx.blocking_send(Ok(chunk)).is_ok()
        });
        if let Err(e) = done {
            tracing::error!(error = %e, "CSV export failed");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"tonlage-sok.csv\""),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
