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
use crate::digest::figures::{top, WeekTally};
use crate::digest::{Series, Week};
use crate::model::{District, Label};
use crate::search::local_day;
use crate::store::StoryRef;

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

/// Longest range a page charts: twenty years of weeks.
const MAX_WEEKS: i64 = 20 * 53;

impl Range {
    /// `[from, to)` in UTC, either end open.
    fn bounds(&self) -> Result<Bounds, WebError> {
        let parse = |s: &str, end: bool| -> Result<Option<DateTime<Utc>>, WebError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            Ok(Some(local_day(s, end).map_err(|e| WebError::BadRequest(e.to_string()))?))
        };
        Ok((parse(&self.from, false)?, parse(&self.to, true)?))
    }

    /// The ISO weeks the range covers; without `from`, the `default_weeks` up to `to` (this week
    /// when open).
    fn weeks(&self, default_weeks: u32) -> Result<(Week, Week), WebError> {
        let (from, to) = self.bounds()?;
        let to = to.map(|t| Week::of(t - Duration::seconds(1))).unwrap_or_else(|| Week::of(Utc::now()));
        let from = from.map(Week::of).unwrap_or_else(|| to.minus(default_weeks.saturating_sub(1)));
        if from > to {
            return Err(WebError::BadRequest("from is after to".into()));
        }
        if (to.monday() - from.monday()).num_weeks() > MAX_WEEKS {
            return Err(WebError::BadRequest("the range is longer than twenty years".into()));
        }
        Ok((from, to))
    }
}

fn district<'a>(s: &'a AppState, id: &str) -> Result<&'a District, WebError> {
    s.config.districts.iter().find(|d| d.id == id).ok_or(WebError::NotFound)
}

/// Stories per label and week: what the dashboard charts (each story once, as the figures count).
fn weeks_of(series: &Series) -> Vec<(String, [u32; 4])> {
    series.buckets.iter().map(|b| (b.week.clone(), Label::ALL.map(|l| b.labels.get(l)))).collect()
}

/// Whole percent of `part` in `whole`.
fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        (part as f64 * 100.0 / whole as f64).round() as u32
    }
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

fn stories_of(list: Vec<StoryRef>) -> Vec<StoryView> {
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
    articles: u32,
    stories: u32,
    share: u32,
    /// The latest finished week of the range: name, stigmatizing share of stories, its baseline, spike.
    last: Option<(String, u32, u32, bool)>,
    spikes: Vec<String>,
    chart_svg: String,
    chart_rows: Vec<chart::Row>,
    frames: Vec<(String, u32)>,
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
    let (from, to) = r.weeks(26)?;
    let st = s.clone();
    let dd = d.clone();
    let ((series, total), stig, pos) = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        Ok((
            crate::digest::series_and_total(&st.store, &dd, from, to)?,
            st.store.latest_with_label(&dd.id, Label::Stigmatizing, 5)?,
            st.store.latest_with_label(&dd.id, Label::Positive, 5)?,
        ))
    })
    .await??;
    let weeks = weeks_of(&series);
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let WeekTally { articles, stories, labels, .. } = total;
    let view = DistrictPage {
        c: Chrome::new(&ctx, &who, "districts", d.name.clone(), &here),
        chart_svg: chart_for(&ctx, &d, &series),
        chart_rows: chart::rows(&weeks),
        articles,
        stories,
        share: percent(labels.stigmatizing, stories),
        // The headline compares a finished week: the running one is still filling up.
        last: series.buckets.iter().rev().find(|b| Week::parse(&b.week).is_some_and(|w| w.end() <= Utc::now())).map(
            |b| {
                let pct = |x: f64| (x * 100.0).round() as u32;
                (b.week.clone(), pct(b.stigma_share), pct(b.baseline_stigma_share), b.spike)
            },
        ),
        spikes: series.buckets.iter().filter(|b| b.spike).map(|b| b.week.clone()).collect(),
        frames: top(&total.frames)
            .into_iter()
            .map(|c| (crate::digest::frame_name(ctx.lang.code(), &c.id), c.n))
            .collect(),
        outlets: top(&total.sources).into_iter().map(|c| (feed_name(&s, &c.id), c.n)).collect(),
        stigmatizing: stories_of(stig),
        positive: stories_of(pos),
        others: s.config.districts.iter().filter(|o| o.id != id).map(|o| (o.id.clone(), o.name.clone())).collect(),
        query: uri.query().map(|q| format!("?{q}")).unwrap_or_default(),
        from: r.from.clone(),
        to: r.to.clone(),
        id,
        name: d.name,
    };
    render(&view)
}

/// The dashboard's series: the range's weeks, stories per label (the figures' rule).
async fn dashboard_series(s: AppState, d: District, r: &Range) -> Result<Series, WebError> {
    let (from, to) = r.weeks(26)?;
    Ok(tokio::task::spawn_blocking(move || crate::digest::series(&s.store, &d, from, to)).await??)
}

pub(crate) async fn chart_svg(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(r): Query<Range>,
) -> Result<Response, WebError> {
    let d = district(&s, &id)?.clone();
    let series = dashboard_series(s, d.clone(), &r).await?;
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
    let d = district(&s, &id)?.clone();
    let series = dashboard_series(s, d, &r).await?;
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
        "baseline_stigma_share",
        "spike",
        "net_tone",
        "share_of_all_articles",
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
            &b.baseline_stigma_share.to_string(),
            &b.spike.to_string(),
            &b.net_tone.to_string(),
            &b.share_of_all_articles.to_string(),
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
    let (from, to) = r.weeks(12)?;
    let store = s.store.clone();
    let series = tokio::task::spawn_blocking(move || crate::digest::series(&store, &d, from, to)).await??;
    Ok(Json(series).into_response())
}

struct Summary {
    id: String,
    name: String,
    articles: u32,
    stories: u32,
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
    let (from, to) = r.weeks(26)?;
    let st = s.clone();
    let ds = chosen.clone();
    // Every series over the same weeks, so lines line up: the chosen range or the 26 weeks.
    let all: Vec<(Series, WeekTally)> = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        ds.iter().map(|d| Ok(crate::digest::series_and_total(&st.store, d, from, to)?)).collect()
    })
    .await??;
    let t = ctx.lang.tr();
    let summaries = chosen
        .iter()
        .zip(&all)
        .map(|(d, (_, total))| Summary {
            id: d.id.clone(),
            name: d.name.clone(),
            articles: total.articles,
            stories: total.stories,
            stigmatizing: total.labels.stigmatizing,
            positive: total.labels.positive,
            share: percent(total.labels.stigmatizing, total.stories),
        })
        .collect();
    let all: Vec<Series> = all.into_iter().map(|(s, _)| s).collect();
    let weeks: Vec<String> =
        all.first().map(|s| s.buckets.iter().map(|b| b.week.clone()).collect()).unwrap_or_default();
    let lines: Vec<(String, Vec<f64>)> = chosen
        .iter()
        .zip(&all)
        .map(|(d, s)| (d.name.clone(), s.buckets.iter().map(|b| b.stories as f64).collect()))
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
