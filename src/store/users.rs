//! Web accounts, browser sessions, API tokens and failed logins. Secrets never rest in clear:
//! passwords are Argon2id hashes, session ids and tokens are stored as SHA-256 digests only.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{from_ts, ts, Store, StoreError};

/// What an account or token may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Viewer, Role::Editor, Role::Admin].into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// Someone signed in, by password (with a session) or by API token.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    /// The session's CSRF token; `None` for API tokens, which carry no ambient credentials.
    pub csrf: Option<String>,
}

/// A web account as the admin page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An API token as the admin page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub digest: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Hex of 32 random bytes from the OS: session ids, CSRF tokens, API tokens.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::getrandom(&mut buf).expect("the OS random source is available");
    hex(&buf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("the OS random source is available");
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("password hash: {e}")))
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default())
}

impl Store {
    /// Creates the account or sets its role and password. Returns true when it was new.
    pub fn upsert_user(&self, name: &str, role: Role, password: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let hash = hash_password(password)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let existed: bool = tx.query_row("SELECT COUNT(*) FROM users WHERE name = ?1", [name], |r| r.get(0))?;
        tx.execute(
            "INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                 updated_at = excluded.updated_at",
            params![name, role.as_str(), hash, ts(now)],
        )?;
        // A new password ends every session opened with the old one.
        tx.execute("DELETE FROM sessions WHERE user_name = ?1", [name])?;
        tx.commit()?;
        Ok(!existed)
    }

    /// The account when `password` is right. Slow on purpose (Argon2): call off the async threads.
    pub fn check_password(&self, name: &str, password: &str) -> Result<Option<(String, Role)>, StoreError> {
        let row: Option<(String, String, String)> = self
            .conn()
            .query_row("SELECT name, role, password_hash FROM users WHERE name = ?1", [name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((name, role, hash)) = row else {
            verify_password(password, dummy_hash());
            return Ok(None);
        };
        if !verify_password(password, &hash) {
            return Ok(None);
        }
        let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
        Ok(Some((name, role)))
    }

    /// Opens a session; returns the cookie value (shown once, stored only as a digest).
    pub fn create_session(&self, user: &str, now: DateTime<Utc>, ttl: Duration) -> Result<String, StoreError> {
        let id = random_token();
        let conn = self.conn();
        conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [ts(now)])?;
        conn.execute(
            "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![digest(&id), user, random_token(), ts(now), ts(now + ttl)],
        )?;
        Ok(id)
    }

    pub fn session_user(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Principal>, StoreError> {
        let row: Option<(String, String, String)> = self
            .conn()
            .query_row(
                "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.name = s.user_name
                 WHERE s.id_hash = ?1 AND s.expires_at > ?2",
                params![digest(id), ts(now)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(name, role, csrf)| {
            let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
            Ok(Principal { name, role, csrf: Some(csrf) })
        })
        .transpose()
    }

    pub fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM sessions WHERE id_hash = ?1", [digest(id)])?;
        Ok(())
    }

    /// A new API token named `name`; returns the token, which is not stored and cannot be shown again.
    pub fn add_token(&self, name: &str, role: Role, now: DateTime<Utc>) -> Result<String, StoreError> {
        let token = format!("tlg_{}", random_token());
        self.conn().execute(
            "INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![digest(&token), name, role.as_str(), ts(now)],
        )?;
        Ok(token)
    }

    pub fn token_user(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Principal>, StoreError> {
        let conn = self.conn();
        let row: Option<(String, String)> = conn
            .query_row("SELECT name, role FROM api_tokens WHERE token_hash = ?1", [digest(token)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((name, role)) = row else { return Ok(None) };
        conn.execute("UPDATE api_tokens SET last_used_at = ?1 WHERE token_hash = ?2", params![ts(now), digest(token)])?;
        let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
        Ok(Some(Principal { name, role, csrf: None }))
    }

    /// Every account, by name: (name, role, created, last changed).
    pub fn users(&self) -> Result<Vec<Account>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT name, role, created_at, updated_at FROM users ORDER BY name")?;
        let rows: Vec<(String, String, i64, i64)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(name, role, c, u)| {
                let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
                Ok(Account { name, role, created_at: from_ts(c), updated_at: from_ts(u) })
            })
            .collect()
    }

    /// Removes an account and its sessions; false when there was none.
    pub fn delete_user(&self, name: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM sessions WHERE user_name = ?1", [name])?;
        let n = tx.execute("DELETE FROM users WHERE name = ?1", [name])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// Every API token (never the token itself: its SHA-256 digest identifies it).
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT token_hash, name, role, created_at, last_used_at FROM api_tokens ORDER BY created_at, name",
        )?;
        let rows: Vec<(String, String, String, i64, Option<i64>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(digest, name, role, c, used)| {
                let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
                Ok(TokenInfo { digest, name, role, created_at: from_ts(c), last_used_at: used.map(from_ts) })
            })
            .collect()
    }

    /// Revokes the token with this digest; false when there was none.
    pub fn revoke_token(&self, digest: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("DELETE FROM api_tokens WHERE token_hash = ?1", [digest])? > 0)
    }

    /// Records a failed login under each key (`ip:…`, `user:…`).
    pub fn record_login_failure(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute("DELETE FROM login_attempts WHERE at < ?1", [ts(now - Duration::days(1))])?;
        for k in keys {
            conn.execute("INSERT INTO login_attempts (key, at) VALUES (?1, ?2)", params![k, ts(now)])?;
        }
        Ok(())
    }

    /// Failed logins under `key` since `since`.
    pub fn login_failures(&self, key: &str, since: DateTime<Utc>) -> Result<u32, StoreError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM login_attempts WHERE key = ?1 AND at >= ?2",
            params![key, ts(since)],
            |r| r.get(0),
        )?)
    }

    pub fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM login_attempts WHERE key = ?1", [key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_sessions_and_tokens() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc::now();
        assert!(s.upsert_user("anna", Role::Editor, "hemligt ord", now).unwrap());
        assert_eq!(s.check_password("anna", "fel").unwrap(), None);
        assert_eq!(s.check_password("okänd", "hemligt ord").unwrap(), None);
        assert_eq!(s.check_password("anna", "hemligt ord").unwrap(), Some(("anna".into(), Role::Editor)));
        let sid = s.create_session("anna", now, Duration::hours(1)).unwrap();
        let p = s.session_user(&sid, now).unwrap().expect("session is live");
        assert_eq!((p.name.as_str(), p.role), ("anna", Role::Editor));
        assert!(p.csrf.is_some_and(|c| c.len() == 64));
        assert_eq!(s.session_user(&sid, now + Duration::hours(2)).unwrap(), None, "expired");
        // A new password ends old sessions.
        s.upsert_user("anna", Role::Viewer, "nytt", now).unwrap();
        assert_eq!(s.session_user(&sid, now).unwrap(), None);
        let token = s.add_token("skript", Role::Viewer, now).unwrap();
        assert_eq!(s.token_user(&token, now).unwrap().map(|p| p.role), Some(Role::Viewer));
        assert_eq!(s.token_user("tlg_fel", now).unwrap(), None);
        let stored: String = s.conn().query_row("SELECT token_hash FROM api_tokens", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, token, "only the digest is stored");
    }

    #[test]
    fn login_failures_count_per_key_and_window() {
        let s = Store::open_in_memory().unwrap();
        let now = Utc::now();
        s.record_login_failure(&["ip:1".into(), "user:anna".into()], now - Duration::hours(1)).unwrap();
        s.record_login_failure(&["ip:1".into()], now).unwrap();
        assert_eq!(s.login_failures("ip:1", now - Duration::minutes(15)).unwrap(), 1);
        assert_eq!(s.login_failures("ip:1", now - Duration::hours(2)).unwrap(), 2);
        s.clear_login_failures("ip:1").unwrap();
        assert_eq!(s.login_failures("ip:1", now - Duration::hours(2)).unwrap(), 0);
    }
}
