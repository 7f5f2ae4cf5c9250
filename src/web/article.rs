//! One article with its evidence: the text with the deciding sentences marked, each district's
//! label, score and frames, staff corrections (editors correct, everyone sees who and when), the
//! same as JSON, and every correction exported as labelled data (`classify`/`eval` gold lines).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use chrono::Utc;
use chrono_tz::Europe::Stockholm;
use serde::Deserialize;

use super::auth::{check_csrf, require_role, Auth};
use super::error::{Api, WebError};
use super::page::{escape, render, safe_link, Chrome, Ctx};
use super::search::{district_name, feed_name};
use super::AppState;
use crate::model::Label;
use crate::store::{Correction, Principal, Role, StoredArticle, StoredLabel};

struct DistrictView {
    id: String,
    name: String,
    class: &'static str,
    label: &'static str,
    machine: Option<&'static str>,
    score: String,
    frames: String,
    evidence: Vec<(String, String)>,
    options: Vec<(&'static str, &'static str, bool)>,
}

struct CorrectionView {
    district: String,
    from: &'static str,
    to: &'static str,
    user: String,
    when: String,
    note: String,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    c: Chrome,
    id: String,
    title: String,
    link: Option<String>,
    date: String,
    sources: String,
    districts: Vec<DistrictView>,
    corrections: Vec<CorrectionView>,
    text_html: String,
    can_edit: bool,
    saved: bool,
}

/// Escaped paragraphs of `text` with every occurrence of an evidence sentence in `<mark>`.
pub(crate) fn highlight(text: &str, sentences: &[&str]) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for s in sentences.iter().map(|s| s.trim()).filter(|s| s.len() > 3) {
        ranges.extend(text.match_indices(s).map(|(i, m)| (i, i + m.len())));
    }
    ranges.sort();
    let mut out = String::from("<p>");
    let mut pos = 0;
    let push = |out: &mut String, piece: &str| {
        out.push_str(&escape(piece).replace("\n\n", "</p><p>").replace('\n', "<br>"));
    };
    for (a, b) in ranges {
        if a < pos {
            continue;
        }
        push(&mut out, &text[pos..a]);
        out.push_str("<mark>");
        push(&mut out, &text[a..b]);
        out.push_str("</mark>");
        pos = b;
    }
    push(&mut out, &text[pos..]);
    out.push_str("</p>");
    out
}

fn load(s: &AppState, uid: &str) -> Result<(StoredArticle, Vec<StoredLabel>, Vec<Correction>), WebError> {
    let a = s.store.article_by_uid(uid)?.ok_or(WebError::NotFound)?;
    let labels = s.store.labels_for(a.id)?;
    let corrections = s.store.corrections_for(a.id)?;
    Ok((a, labels, corrections))
}

fn local(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()
}

pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    Path(uid): Path<String>,
    uri: Uri,
) -> Result<Response, WebError> {
    let st = s.clone();
    let (a, labels, corrections) = tokio::task::spawn_blocking(move || load(&st, &uid)).await??;
    let t = ctx.lang.tr();
    let sentences: Vec<&str> = labels.iter().flat_map(|l| l.evidence.iter().map(|e| e.text.as_str())).collect();
    let text_html = highlight(&a.text, &sentences);
    let districts = labels
        .iter()
        .map(|l| {
            let eff = l.effective();
            DistrictView {
                id: l.district_id.clone(),
                name: district_name(&s, &l.district_id),
                class: eff.as_str(),
                label: t.label(eff),
                machine: l.corrected.map(|_| t.label(l.label)),
                score: format!("{:+.2}", l.score),
                frames: l
                    .frames
                    .iter()
                    .map(|f| crate::digest::frame_name(ctx.lang.code(), f))
                    .collect::<Vec<_>>()
                    .join(", "),
                evidence: l.evidence.iter().map(|e| (e.text.clone(), e.terms.join(", "))).collect(),
                options: Label::ALL.iter().map(|x| (x.as_str(), t.label(*x), *x == eff)).collect(),
            }
        })
        .collect();
    let corrections = corrections
        .iter()
        .map(|c| CorrectionView {
            district: district_name(&s, &c.district_id),
            from: c.machine_label.map(|l| t.label(l)).unwrap_or("–"),
            to: t.label(c.label),
            user: c.user.clone(),
            when: local(c.created_at),
            note: c.note.clone().unwrap_or_default(),
        })
        .collect();
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let view = ArticlePage {
        c: Chrome::new(&ctx, &who, "search", a.title.clone(), &here),
        id: a.uid.clone(),
        link: safe_link(&a.url),
        date: local(a.published.unwrap_or(a.seen)),
        sources: a.sources.iter().map(|f| feed_name(&s, f)).collect::<Vec<_>>().join(", "),
        title: a.title,
        districts,
        corrections,
        text_html,
        can_edit: who.role >= Role::Editor,
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
    };
    render(&view)
}

#[derive(Deserialize)]
pub(crate) struct CorrectionForm {
    #[serde(default)]
    csrf: Option<String>,
    district: String,
    label: String,
    #[serde(default)]
    note: Option<String>,
}

/// Checks and stores one correction, then brings the article's index document up to date so
/// search filters see it at once (the worker's next catch-up re-applies it harmlessly).
fn correct(s: &AppState, who: &Principal, uid: &str, f: &CorrectionForm) -> Result<Vec<Correction>, WebError> {
    require_role(who, Role::Editor)?;
    let label = Label::parse(&f.label).ok_or_else(|| WebError::BadRequest(format!("unknown label {:?}", f.label)))?;
    let a = s.store.article_by_uid(uid)?.ok_or(WebError::NotFound)?;
    if !s.store.labels_for(a.id)?.iter().any(|l| l.district_id == f.district) {
        return Err(WebError::BadRequest(format!("the article has no label for district {:?}", f.district)));
    }
    let note = f.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    s.store.add_correction(a.id, &f.district, label, &who.name, note, Utc::now())?;
    tracing::info!(article = %uid, district = %f.district, label = %label, user = %who.name, "label corrected");
    if let Some(doc) = s.store.index_doc(a.id)? {
        s.index.upsert(&[doc])?;
        s.index.commit(s.index.synced_seq()?)?;
    }
    // The dashboard and digest read the corrected week from the rows until it is settled; settle
    // it now so they are fast again at once.
    if let Err(e) = crate::digest::cache::refresh(&s.store) {
        tracing::warn!(error = %e, "weekly figures cache not settled");
    }
    Ok(s.store.corrections_for(a.id)?)
}

pub(crate) async fn correct_form(
    State(s): State<AppState>,
    Auth(who): Auth,
    Path(uid): Path<String>,
    Form(f): Form<CorrectionForm>,
) -> Result<Response, WebError> {
    check_csrf(&who, f.csrf.as_deref())?;
    let id = uid.clone();
    tokio::task::spawn_blocking(move || correct(&s, &who, &id, &f)).await??;
    let back = url::form_urlencoded::byte_serialize(uid.as_bytes()).collect::<String>();
    Ok(Redirect::to(&format!("/articles/{back}?saved=1#labels")).into_response())
}

pub(crate) async fn api_correct(
    State(s): State<AppState>,
    Auth(who): Auth,
    Path(uid): Path<String>,
    headers: HeaderMap,
    Json(f): Json<CorrectionForm>,
) -> Result<(StatusCode, Json<Vec<Correction>>), Api> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    check_csrf(&who, token.or(f.csrf.as_deref()))?;
    let list = tokio::task::spawn_blocking(move || correct(&s, &who, &uid, &f)).await??;
    Ok((StatusCode::CREATED, Json(list)))
}

pub(crate) async fn api_corrections(
    State(s): State<AppState>,
    Path(uid): Path<String>,
) -> Result<Json<Vec<Correction>>, Api> {
    let (_, _, corrections) = tokio::task::spawn_blocking(move || load(&s, &uid)).await??;
    Ok(Json(corrections))
}

pub(crate) async fn api_get(
    State(s): State<AppState>,
    Path(uid): Path<String>,
) -> Result<Json<serde_json::Value>, Api> {
    let (a, labels, corrections) = tokio::task::spawn_blocking(move || load(&s, &uid)).await??;
    let districts: Vec<serde_json::Value> = labels
        .iter()
        .map(|l| {
            serde_json::json!({
                "id": l.district_id, "label": l.effective(), "machine_label": l.label, "score": l.score,
                "frames": l.frames, "evidence": l.evidence, "classifier_version": l.classifier_version,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "id": a.uid, "url": a.url, "title": a.title,
        "published": a.published.unwrap_or(a.seen).with_timezone(&Stockholm).to_rfc3339(),
        "sources": a.sources, "text": a.text, "districts": districts, "corrections": corrections,
    })))
}

fn gold_lines(s: &AppState, jsonl: bool) -> Result<String, WebError> {
    let mut out = if jsonl {
        String::new()
    } else {
        super::csv::line(&["id", "district", "label", "title", "text", "corrected_by", "corrected_at"])
    };
    s.store.each_corrected(|g| {
        if jsonl {
            out.push_str(&serde_json::to_string(&g).expect("plain data serializes"));
            out.push('\n');
        } else {
            let at = g.corrected_at.to_rfc3339();
            out.push_str(&super::csv::line(&[
                &g.id,
                &g.district,
                g.label.as_str(),
                &g.title,
                &g.text,
                &g.corrected_by,
                &at,
            ]));
        }
    })?;
    Ok(out)
}

pub(crate) async fn export_jsonl(State(s): State<AppState>) -> Result<Response, WebError> {
    let body = tokio::task::spawn_blocking(move || gold_lines(&s, true)).await??;
    let disp = "attachment; filename=\"tonlage-rattningar.jsonl\"";
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"), (header::CONTENT_DISPOSITION, disp)], body)
        .into_response())
}

pub(crate) async fn export_csv(State(s): State<AppState>) -> Result<Response, WebError> {
    let body = tokio::task::spawn_blocking(move || gold_lines(&s, false)).await??;
    let disp = "attachment; filename=\"tonlage-rattningar.csv\"";
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, disp)], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_marked_and_the_rest_escaped() {
        let text = "Skott i Araby i natt.\n\nPolisen <script>x</script> undersöker.";
        let html = highlight(text, &["Skott i Araby i natt."]);
        assert_eq!(
            html,
            "<p><mark>Skott i Araby i natt.</mark></p><p>Polisen &lt;script&gt;x&lt;/script&gt; undersöker.</p>"
        );
    }
}
