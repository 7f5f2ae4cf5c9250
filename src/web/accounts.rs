//! Accounts for admins: who may sign in with which role, adding or changing an account (name,
//! role, password), removing one, and revoking API tokens. Everything else about accounts stays
//! on the command line (`user add`, `token add`), where a new token can be shown once.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Utc;
use chrono_tz::Europe::Stockholm;
use serde::Deserialize;

use super::auth::{check_csrf, require_role, Auth};
use super::error::WebError;
use super::page::{render, Chrome, Ctx};
use super::AppState;
use crate::store::{Principal, Role};

struct AccountRow {
    name: String,
    role: &'static str,
    created: String,
    changed: String,
    me: bool,
}

struct TokenRow {
    digest: String,
    name: String,
    role: &'static str,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    accounts: Vec<AccountRow>,
    tokens: Vec<TokenRow>,
    roles: Vec<(&'static str, &'static str)>,
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Done {
    done: String,
}

fn day(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()
}

pub(crate) async fn page(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Auth(who): Auth,
    Query(d): Query<Done>,
    uri: Uri,
) -> Result<Response, WebError> {
    require_role(&who, Role::Admin)?;
    let st = s.clone();
    let (accounts, tokens) =
        tokio::task::spawn_blocking(move || -> Result<_, WebError> { Ok((st.store.users()?, st.store.tokens()?)) })
            .await??;
    let t = ctx.lang.tr();
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let view = AccountsPage {
        c: Chrome::new(&ctx, &who, "accounts", t.accounts_title, &here),
        accounts: accounts
            .into_iter()
            .map(|a| AccountRow {
                me: a.name == who.name,
                role: t.role(a.role),
                created: day(a.created_at),
                changed: day(a.updated_at),
                name: a.name,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|k| TokenRow {
                digest: k.digest,
                name: k.name,
                role: t.role(k.role),
                created: day(k.created_at),
                last_used: k.last_used_at.map(day).unwrap_or_else(|| t.never.to_string()),
            })
            .collect(),
        roles: [Role::Viewer, Role::Editor, Role::Admin].into_iter().map(|r| (r.as_str(), t.role(r))).collect(),
        done: ["saved", "deleted", "revoked"].into_iter().find(|x| *x == d.done).unwrap_or_default().to_string(),
    };
    render(&view)
}

#[derive(Deserialize)]
pub(crate) struct AccountForm {
    csrf: Option<String>,
    name: String,
    role: String,
    password: String,
}

/// The same rules as `tonlage user add`.
fn checked(f: &AccountForm) -> Result<(String, Role), WebError> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(WebError::BadRequest(format!("{name:?} is not a usable name: 1–64 characters, no spaces")));
    }
    let role = Role::parse(&f.role).ok_or_else(|| WebError::BadRequest(format!("unknown role {:?}", f.role)))?;
    if f.password.chars().count() < 10 {
        return Err(WebError::BadRequest("the password must have at least 10 characters".into()));
    }
    Ok((name.to_string(), role))
}

fn admin(who: &Principal, csrf: Option<&str>) -> Result<(), WebError> {
    check_csrf(who, csrf)?;
    require_role(who, Role::Admin)
}

pub(crate) async fn save(
    State(s): State<AppState>,
    Auth(who): Auth,
    Form(f): Form<AccountForm>,
) -> Result<Response, WebError> {
    admin(&who, f.csrf.as_deref())?;
    let (name, role) = checked(&f)?;
    if name == who.name && role != Role::Admin {
        return Err(WebError::BadRequest("an admin cannot take away their own admin role".into()));
    }
    let by = who.name.clone();
    tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        let new = s.store.upsert_user(&name, role, &f.password, Utc::now())?;
        tracing::info!(user = %name, role = role.as_str(), by = %by, new, "account saved");
        Ok(())
    })
    .await??;
    Ok(Redirect::to("/admin/accounts?done=saved").into_response())
}

#[derive(Deserialize)]
pub(crate) struct NameForm {
    csrf: Option<String>,
    name: String,
}

pub(crate) async fn delete(
    State(s): State<AppState>,
    Auth(who): Auth,
    Form(f): Form<NameForm>,
) -> Result<Response, WebError> {
    admin(&who, f.csrf.as_deref())?;
    if f.name == who.name {
        return Err(WebError::BadRequest("an admin cannot delete their own account".into()));
    }
    let by = who.name.clone();
    let gone = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        let gone = s.store.delete_user(&f.name)?;
        tracing::info!(user = %f.name, by = %by, gone, "account deleted");
        Ok(gone)
    })
    .await??;
    if !gone {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/accounts?done=deleted").into_response())
}

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    csrf: Option<String>,
    digest: String,
}

pub(crate) async fn revoke(
    State(s): State<AppState>,
    Auth(who): Auth,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    admin(&who, f.csrf.as_deref())?;
    let by = who.name.clone();
    let gone = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        let gone = s.store.revoke_token(&f.digest)?;
        tracing::info!(by = %by, gone, "API token revoked");
        Ok(gone)
    })
    .await??;
    if !gone {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/accounts?done=revoked").into_response())
}
