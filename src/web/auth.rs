//! Who is asking: a session cookie (browsers) or `Authorization: Bearer` (scripts). Without either,
//! the API answers 401 and pages redirect to the login page. Also the CSRF and role checks that
//! every state-changing handler makes.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::error::WebError;
use super::page::{cookie, same_secret};
use super::AppState;
use crate::store::{Principal, Role};

pub(crate) const SESSION_COOKIE: &str = "tonlage_session";

/// The signed-in principal, for handlers behind `require_login`.
pub(crate) struct Auth(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().map(Auth).ok_or(StatusCode::UNAUTHORIZED)
    }
}

pub(crate) async fn require_login(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let session = cookie(headers, SESSION_COOKIE);
    let store = s.store.clone();
    let found = tokio::task::spawn_blocking(move || {
        let now = Utc::now();
        match (bearer, session) {
            (Some(t), _) => store.token_user(&t, now),
            (None, Some(c)) => store.session_user(&c, now),
            (None, None) => Ok(None),
        }
    })
    .await;
    let principal = match found {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return WebError::from(e).into_response(),
        Err(e) => return WebError::from(e).into_response(),
    };
    let Some(principal) = principal else {
        if api {
            let body =
                axum::Json(serde_json::json!({"error": "login required: a session or Authorization: Bearer TOKEN"}));
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        let here = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next = url::form_urlencoded::Serializer::new(String::new()).append_pair("next", here).finish();
        return Redirect::to(&format!("/login?{next}")).into_response();
    };
    req.extensions_mut().insert(principal);
    next.run(req).await
}

/// A state-changing request made with a session must carry the session's CSRF token (a form
/// field or the `X-CSRF-Token` header). Token requests carry no ambient credentials: no check.
pub(crate) fn check_csrf(who: &Principal, given: Option<&str>) -> Result<(), WebError> {
    match &who.csrf {
        None => Ok(()),
        Some(expected) if given.is_some_and(|g| same_secret(g, expected)) => Ok(()),
        Some(_) => Err(WebError::Forbidden("missing or wrong CSRF token; reload the page and try again")),
    }
}

pub(crate) fn require_role(who: &Principal, role: Role) -> Result<(), WebError> {
    if who.role >= role {
        Ok(())
    } else {
        Err(WebError::Forbidden("your role may not do this"))
    }
}
