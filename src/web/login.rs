//! The login page and logout. Failed logins are counted per client address and per account name
//! in the store, so guessing is slow however many processes or restarts there are.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::auth::{check_csrf, Auth, SESSION_COOKIE};
use super::error::WebError;
use super::i18n::Tr;
use super::page::{cookie, render, same_secret, set_cookie, Ctx};
use super::AppState;
use crate::store::random_token;

/// Failed logins tolerated in `WINDOW` per account and per client address.
const PER_USER: u32 = 5;
const PER_IP: u32 = 20;
const WINDOW_MINUTES: i64 = 15;
const LOGIN_COOKIE: &str = "tonlage_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: &'static Tr,
    lang: &'static str,
    error: Option<&'static str>,
    next: &'a str,
    token: &'a str,
    username: &'a str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NextParam {
    next: String,
}

/// Only our own paths: `//evil.example` or `/\evil` would leave the site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/search"
    }
}

/// The form carries a fresh token also set as a cookie, so a foreign site cannot log a browser
/// into an account of its choosing (login CSRF).
fn show(ctx: &Ctx, status: StatusCode, error: Option<&'static str>, next: &str, username: &str) -> Response {
    let token = random_token();
    let page =
        LoginPage { t: ctx.lang.tr(), lang: ctx.lang.code(), error, next: safe_next(next), token: &token, username };
    let mut res = match render(&page) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    *res.status_mut() = status;
    res.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, None, ctx.secure, true));
    res
}

pub(crate) async fn form(Extension(ctx): Extension<Ctx>, Query(p): Query<NextParam>) -> Response {
    show(&ctx, StatusCode::OK, None, &p.next, "")
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    next: String,
}

pub(crate) async fn submit(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let t = ctx.lang.tr();
    let username = f.username.trim().to_string();
    if !cookie(&headers, LOGIN_COOKIE).is_some_and(|c| !f.token.is_empty() && same_secret(&c, &f.token)) {
        return Ok(show(&ctx, StatusCode::FORBIDDEN, Some(t.form_expired), &f.next, &username));
    }
    let (store, ip) = (s.store.clone(), ctx.ip);
    let ttl = Duration::hours(s.config.web.session_hours as i64);
    let name = username.clone();
    let outcome = tokio::task::spawn_blocking(move || -> Result<Result<String, bool>, WebError> {
        let now = Utc::now();
        let since = now - Duration::minutes(WINDOW_MINUTES);
        let (ip_key, user_key) = (format!("ip:{ip}"), format!("user:{}", name.to_lowercase()));
        if store.login_failures(&ip_key, since)? >= PER_IP || store.login_failures(&user_key, since)? >= PER_USER {
            tracing::warn!(user = %name, ip = %ip, "login refused: too many failures");
            return Ok(Err(true));
        }
        match store.check_password(&name, &f.password)? {
            Some((name, _role)) => {
                store.clear_login_failures(&user_key)?;
                Ok(Ok(store.create_session(&name, now, ttl)?))
            }
            None => {
                tracing::info!(user = %name, ip = %ip, "login failed");
                store.record_login_failure(&[ip_key, user_key], now)?;
                Ok(Err(false))
            }
        }
    })
    .await??;
    match outcome {
        Ok(session) => {
            let mut res = Redirect::to(safe_next(&f.next)).into_response();
            let age = Some(s.config.web.session_hours as i64 * 3600);
            let h = res.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &session, age, ctx.secure, true));
            h.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", Some(0), ctx.secure, true));
            Ok(res)
        }
        Err(true) => Ok(show(&ctx, StatusCode::TOO_MANY_REQUESTS, Some(t.too_many), &f.next, &username)),
        Err(false) => Ok(show(&ctx, StatusCode::UNAUTHORIZED, Some(t.login_failed), &f.next, &username)),
    }
}

#[derive(Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn logout(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    headers: HeaderMap,
    Form(f): Form<LogoutForm>,
) -> Result<Response, WebError> {
    check_csrf(&who, Some(&f.csrf))?;
    if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        let store = s.store.clone();
        tokio::task::spawn_blocking(move || store.delete_session(&c)).await??;
    }
    let mut res = Redirect::to("/login").into_response();
    let gone: HeaderValue = set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure, true);
    res.headers_mut().append(header::SET_COOKIE, gone);
    Ok(res)
}
