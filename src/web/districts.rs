//! District dashboards: weekly coverage and tone mix (chart + table), stigma share, top outlets,
//! latest stigmatizing and positive stories, comparison of districts, SVG/CSV downloads, and
//! `/api/districts/{id}/series` in the `stats --json` shape.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::auth::Auth;
use super::chart;
use super::error::{Api, WebError};
use super::page::{render, Chrome, Ctx};
use super::search::feed_name;
use super::AppState;
use crate::model::{District, Label};
use crate::search::local_day;
use crate::store::{Series, StoryRef};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Range {
    from: String,
    to: String,
    /// Comma-separated district ids, for the comparison.
    ids: String,
}

/// `[from, to)` in UTC, either end open.
type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Range {
    /// `[from, to)` in UTC; without `from`, the dashboard shows the last 26 weeks.
    fn bounds(&self, default_weeks: Option<i64>) -> Result<Bounds, WebError> {
        let parse = |s: &str, end: bool| -> Result<Option<DateTime<Utc>>, WebError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            Ok(Some(local_day(s, end).map_err(|e| WebError::BadRequest(e.to_string()))?))
        };
        let from = parse(&self.from, false)?;
        let to = parse(&self.to, true)?;
        let from = from.or_else(|| default_weeks.map(|w| Utc::now() - Duration::weeks(w)));
        Ok((from, to))
    }
}

fn district<'a>(s: &'a AppState, id: &str) -> Result<&'a District, WebError> {
    s.config.districts.iter().find(|d| d.id == id).ok_or(WebError::NotFound)
}

fn weeks_of(series: &Series) -> Vec<(String, [u32; 4])> {
    series.buckets.iter().map(|b| (b.week.clone(), Label::ALL.map(|l| b.labels.get(l)))).collect()
}

fn chart_for(ctx: &Ctx, d: &District, series: &Series) -> String {
    let t = ctx.lang.tr();
    let title = format!("{}: {}", d.name, t.coverage);
    chart::stacked("district", &title, t.chart_desc, &weeks_of(series), Label::ALL.map(|l| t.label(l)))
}

struct StoryView {
    uid: String,
    title: String,
    date: String,
}

fn stories(list: Vec<StoryRef>) -> Vec<StoryView> {
    list.into_iter()
        .map(|s| StoryView {
            uid: s.uid,
            title: s.title,
            date: s.date.with_timezone(&chrono_tz::Europe::Stockholm).format("%Y-%m-%d").to_string(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "district.html")]
struct DistrictPage {
    c: Chrome,
    id: String,
    name: String,
    from: String,
    to: String,
    total: u32,
    share: u32,
    chart_svg: String,
    chart_rows: Vec<chart::Row>,
    outlets: Vec<(String, u32)>,
    stigmatizing: Vec<StoryView>,
    positive: Vec<StoryView>,
    others: Vec<(String, String)>,
    query: String,
}

pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    Path(id): Path<String>,
    Query(r): Query<Range>,
    uri: Uri,
) -> Result<Response, WebError> {
    let d = district(&s, &id)?.clone();
    let (from, to) = r.bounds(Some(26))?;
    let st = s.clone();
    let did = id.clone();
    let (series, outlets, stig, pos) = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        Ok((
            st.store.weekly_series(&did, from, to)?,
            st.store.top_outlets(&did, from, to, 5)?,
            st.store.latest_with_label(&did, Label::Stigmatizing, 5)?,
            st.store.latest_with_label(&did, Label::Positive, 5)?,
        ))
    })
    .await??;
    let weeks = weeks_of(&series);
    let total: u32 = series.buckets.iter().map(|b| b.articles).sum();
    let stig_total: u32 = series.buckets.iter().map(|b| b.labels.stigmatizing).sum();
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let view = DistrictPage {
        c: Chrome::new(&ctx, &who, "districts", d.name.clone(), &here),
        chart_svg: chart_for(&ctx, &d, &series),
        chart_rows: chart::rows(&weeks),
        total,
        share: if total == 0 { 0 } else { (stig_total as f64 * 100.0 / total as f64).round() as u32 },
        outlets: outlets.into_iter().map(|(f, n)| (feed_name(&s, &f), n)).collect(),
        stigmatizing: stories(stig),
        positive: stories(pos),
        others: s.config.districts.iter().filter(|o| o.id != id).map(|o| (o.id.clone(), o.name.clone())).collect(),
        query: uri.query().map(|q| format!("?{q}")).unwrap_or_default(),
        from: r.from.clone(),
        to: r.to.clone(),
        id,
        name: d.name,
    };
    render(&view)
}

pub(crate) async fn chart_svg(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(r): Query<Range>,
) -> Result<Response, WebError> {
    let d = district(&s, &id)?.clone();
    let (from, to) = r.bounds(Some(26))?;
    let series = tokio::task::spawn_blocking(move || s.store.weekly_series(&id, from, to)).await??;
    let disp = format!("attachment; filename=\"tonlage-{}.svg\"", d.id);
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml".to_string()), (header::CONTENT_DISPOSITION, disp)],
        chart_for(&ctx, &d, &series),
    )
        .into_response())
}

pub(crate) async fn series_csv(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(r): Query<Range>,
) -> Result<Response, WebError> {
    district(&s, &id)?;
    let (from, to) = r.bounds(Some(26))?;
    let series = tokio::task::spawn_blocking(move || s.store.weekly_series(&id, from, to)).await??;
    let mut body = super::csv::line(&[
        "district",
        "week",
        "articles",
        "stories",
        "stigmatizing",
        "negative",
        "neutral",
        "positive",
        "stigma_share",
    ]);
    for b in &series.buckets {
        let n = |v: u32| v.to_string();
        body.push_str(&super::csv::line(&[
            &series.district,
            &b.week,
            &n(b.articles),
            &n(b.stories),
            &n(b.labels.stigmatizing),
            &n(b.labels.negative),
            &n(b.labels.neutral),
            &n(b.labels.positive),
            &b.stigma_share.to_string(),
        ]));
    }
    let disp = format!("attachment; filename=\"tonlage-{}.csv\"", series.district);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disp)], body)
        .into_response())
}

/// `GET /api/districts/{id}/series?from=&to=`: exactly what `tonlage stats --json` prints for the
/// same range (stories, baseline, spikes included), the last 12 weeks by default as there.
pub(crate) async fn api_series(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(r): Query<Range>,
) -> Result<Response, Api> {
    let d = district(&s, &id)?.clone();
    let (from, to) = r.bounds(None)?;
    let to = to
        .map(|t| crate::digest::Week::of(t - Duration::seconds(1)))
        .unwrap_or_else(|| crate::digest::Week::of(Utc::now()));
    let from = from.map(crate::digest::Week::of).unwrap_or_else(|| to.minus(11));
    if from > to {
        return Err(WebError::BadRequest("from is after to".into()).into());
    }
    let store = s.store.clone();
    let series = tokio::task::spawn_blocking(move || crate::digest::series(&store, &d, from, to)).await??;
    Ok(Json(series).into_response())
}

struct Summary {
    id: String,
    name: String,
    articles: u32,
    stigmatizing: u32,
    positive: u32,
    share: u32,
}

#[derive(Template)]
#[template(path = "districts.html")]
struct DistrictsPage {
    c: Chrome,
    summaries: Vec<Summary>,
    chart_svg: String,
    comparing: bool,
    from: String,
    to: String,
}

async fn overview(
    s: AppState,
    ctx: Ctx,
    who: crate::store::Principal,
    r: Range,
    uri: Uri,
) -> Result<Response, WebError> {
    let wanted: Vec<String> = r.ids.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
    let comparing = !wanted.is_empty();
    let chosen: Vec<District> =
        s.config.districts.iter().filter(|d| !comparing || wanted.contains(&d.id)).cloned().collect();
    let (from, to) = r.bounds(Some(26))?;
    let st = s.clone();
    let ids: Vec<String> = chosen.iter().map(|d| d.id.clone()).collect();
    let all: Vec<Series> = tokio::task::spawn_blocking(move || -> Result<Vec<Series>, WebError> {
        // Every series over the same weeks, so lines line up: the chosen range or the 26 weeks.
        let to = to.or(Some(Utc::now()));
        ids.iter().map(|id| Ok(st.store.weekly_series(id, from, to)?)).collect()
    })
    .await??;
    let t = ctx.lang.tr();
    let summaries = chosen
        .iter()
        .zip(&all)
        .map(|(d, series)| {
            let sum = |f: &dyn Fn(&crate::store::WeekBucket) -> u32| series.buckets.iter().map(f).sum::<u32>();
            let articles = sum(&|b| b.articles);
            let stigmatizing = sum(&|b| b.labels.stigmatizing);
            Summary {
                id: d.id.clone(),
                name: d.name.clone(),
                articles,
                stigmatizing,
                positive: sum(&|b| b.labels.positive),
                share: if articles == 0 { 0 } else { (stigmatizing as f64 * 100.0 / articles as f64).round() as u32 },
            }
        })
        .collect();
    let weeks: Vec<String> =
        all.first().map(|s| s.buckets.iter().map(|b| b.week.clone()).collect()).unwrap_or_default();
    let lines: Vec<(String, Vec<f64>)> = chosen
        .iter()
        .zip(&all)
        .map(|(d, s)| (d.name.clone(), s.buckets.iter().map(|b| b.articles as f64).collect()))
        .collect();
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let title = if comparing { t.compare } else { t.districts_title };
    let view = DistrictsPage {
        c: Chrome::new(&ctx, &who, "districts", title, &here),
        summaries,
        chart_svg: if weeks.is_empty() {
            String::new()
        } else {
            chart::lines("compare", title, t.compare_desc, &weeks, &lines)
        },
        comparing,
        from: r.from,
        to: r.to,
    };
    render(&view)
}

pub(crate) async fn index(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    Query(mut r): Query<Range>,
    uri: Uri,
) -> Result<Response, WebError> {
    r.ids.clear();
    overview(s, ctx, who, r, uri).await
}

pub(crate) async fn compare(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    uri: Uri,
) -> Result<Response, WebError> {
    // Checkboxes send `ids=a&ids=b`; a link may send `ids=a,b`. Both mean the same.
    let mut r = Range::default();
    let mut ids = Vec::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "ids" => ids.push(v.to_string()),
            "from" => r.from = v.to_string(),
            "to" => r.to = v.to_string(),
            _ => {}
        }
    }
    r.ids = ids.join(",");
    overview(s, ctx, who, r, uri).await
}
