//! `user add` and `token add`: web accounts and API tokens, made on the server by the operator.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use chrono::Utc;

use super::{open_store, UsageError};
use crate::store::Role;

fn role(s: &str) -> Result<Role, UsageError> {
    Role::parse(s).ok_or_else(|| UsageError(format!("--role {s:?}: expected viewer, editor or admin")))
}

fn name(s: &str) -> Result<&str, UsageError> {
    let n = s.trim();
    if n.is_empty() || n.len() > 64 || n.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(UsageError(format!("{s:?} is not a usable name: 1–64 characters, no spaces")));
    }
    Ok(n)
}

/// One line from stdin; on a terminal the typing is hidden (`stty -echo`) when stty is there.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty").arg(arg).stdin(std::process::Stdio::inherit()).status();
    };
    if tty {
        eprint!("Lösenord: ");
        let _ = std::io::stderr().flush();
        stty("-echo");
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if tty {
        stty("echo");
        eprintln!();
    }
    read.context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub(super) fn user_add(data: &Path, user: &str, role_name: &str) -> anyhow::Result<()> {
    let (user, role) = (name(user)?, role(role_name)?);
    let password = read_password()?;
    if password.chars().count() < 10 {
        return Err(UsageError("the password (read from stdin) must have at least 10 characters".into()).into());
    }
    let store = open_store(data)?;
    let created = store.upsert_user(user, role, &password, Utc::now())?;
    let what = if created { "skapat" } else { "uppdaterat (nytt lösenord och roll; gamla inloggningar avslutade)" };
    println!("Kontot {user} ({}) är {what}.", role.as_str());
    Ok(())
}

pub(super) fn token_add(data: &Path, label: &str, role_name: &str) -> anyhow::Result<()> {
    let (label, role) = (name(label)?, role(role_name)?);
    let store = open_store(data)?;
    let token = store.add_token(label, role, Utc::now())?;
    println!(
        "API-nyckel {label} ({}) skapad. Den visas bara nu; skicka den som Authorization: Bearer …",
        role.as_str()
    );
    println!("{token}");
    Ok(())
}
