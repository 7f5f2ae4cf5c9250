//! Config: `feeds.toml` parsed, defaulted, overridden from `TONLAGE_…` env and validated once at start-up.
//!
//! Every problem names the file, the line and the key, because the operator fixing it has only the
//! message and an editor.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::model::District;

mod settings;

pub use settings::{BackfillConfig, DigestConfig, MetricsConfig, RetentionConfig, SmtpConfig, WebConfig, WorkerConfig};

/// A configuration problem; the CLI maps it to exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub feeds: Vec<FeedConfig>,
    pub districts: Vec<District>,
    pub worker: WorkerConfig,
    pub web: WebConfig,
    pub metrics: MetricsConfig,
    pub digest: DigestConfig,
    pub smtp: SmtpConfig,
    pub retention: RetentionConfig,
    pub backfill: BackfillConfig,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    pub id: String,
    pub name: String,
    pub url: Url,
    pub full_text: bool,
    pub content_selector: Option<String>,
    pub poll_minutes: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    feed: Vec<RawFeed>,
    #[serde(default)]
    district: Vec<RawDistrict>,
    #[serde(default)]
    worker: WorkerConfig,
    #[serde(default)]
    web: WebConfig,
    #[serde(default)]
    metrics: MetricsConfig,
    #[serde(default)]
    digest: DigestConfig,
    #[serde(default)]
    smtp: SmtpConfig,
    #[serde(default)]
    retention: RetentionConfig,
    #[serde(default)]
    backfill: BackfillConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    id: Spanned<String>,
    name: Option<String>,
    url: Spanned<String>,
    full_text: Option<bool>,
    content_selector: Option<Spanned<String>>,
    poll_minutes: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDistrict {
    id: Spanned<String>,
    name: Option<String>,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
}

impl Config {
    /// Reads and validates the config file, then applies `TONLAGE_…` overrides.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.display().to_string(),
            message: format!("cannot read config: {e}"),
        })?;
        let mut config = Config::parse(&text, path)?;
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let err = |line: usize, key: &str, msg: String| ConfigError {
            path: shown.clone(),
            message: format!("line {line}, key `{key}`: {msg}"),
        };
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| ConfigError { path: shown.clone(), message: describe_toml_error(text, &e) })?;
        let line_of = |span: std::ops::Range<usize>| line_at(text, span.start);

        let mut feeds = Vec::new();
        let mut seen = HashSet::new();
        let worker = raw.worker;
        for f in raw.feed {
            let id = f.id.get_ref().clone();
            if !valid_id(&id) {
                return Err(err(line_of(f.id.span()), "feed.id", format!("{id:?} must match [a-z0-9-]+")));
            }
            if !seen.insert(id.clone()) {
                return Err(err(line_of(f.id.span()), "feed.id", format!("duplicate feed id {id:?}")));
            }
            let url = match Url::parse(f.url.get_ref()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
                Ok(_) => {
                    return Err(err(
                        line_of(f.url.span()),
                        "feed.url",
                        format!("{:?} is not an http(s) URL", f.url.get_ref()),
                    ))
                }
                Err(e) => {
                    return Err(err(
                        line_of(f.url.span()),
                        "feed.url",
                        format!("{:?} is not a valid URL: {e}", f.url.get_ref()),
                    ))
                }
            };
            let content_selector = match f.content_selector {
                Some(sel) => {
                    crate::extract::check_selector(sel.get_ref())
                        .map_err(|e| err(line_of(sel.span()), "feed.content_selector", e.to_string()))?;
                    Some(sel.into_inner())
                }
                None => None,
            };
            let poll_minutes = match f.poll_minutes {
                Some(p) if *p.get_ref() == 0 => {
                    return Err(err(line_of(p.span()), "feed.poll_minutes", "must be at least 1".into()))
                }
                Some(p) => p.into_inner(),
                None => worker.poll_minutes,
            };
            feeds.push(FeedConfig {
                name: f.name.unwrap_or_else(|| id.clone()),
                id,
                url,
                full_text: f.full_text.unwrap_or(true),
                content_selector,
                poll_minutes,
            });
        }

        let mut districts = Vec::new();
        let mut seen = HashSet::new();
        for d in raw.district {
            let id = d.id.get_ref().clone();
            let line = line_of(d.id.span());
            if !valid_id(&id) {
                return Err(err(line, "district.id", format!("{id:?} must match [a-z0-9-]+")));
            }
            if !seen.insert(id.clone()) {
                return Err(err(line, "district.id", format!("duplicate district id {id:?}")));
            }
            let name = d.name.unwrap_or_default();
            let mut aliases: Vec<String> = d.aliases.into_iter().filter(|a| !a.trim().is_empty()).collect();
            if aliases.is_empty() {
                if name.trim().is_empty() {
                    return Err(err(
                        line,
                        "district.aliases",
                        format!("district {id:?} has neither a name nor aliases"),
                    ));
                }
                aliases.push(name.clone());
            }
            districts.push(District {
                name: if name.is_empty() { aliases[0].clone() } else { name },
                id,
                municipality: d.municipality,
                aliases,
                exclude: d.exclude,
                context: d.context,
            });
        }

        let config = Config {
            path: path.to_path_buf(),
            feeds,
            districts,
            worker,
            web: raw.web,
            metrics: raw.metrics,
            digest: raw.digest,
            smtp: raw.smtp,
            retention: raw.retention,
            backfill: raw.backfill,
        };
        config.validate_settings(text).map_err(|(key, msg)| {
            let line = find_key_line(text, &key).unwrap_or(0);
            err(line, &key, msg)
        })?;
        Ok(config)
    }

    /// `TONLAGE_WEB_LISTEN`, `TONLAGE_METRICS_LISTEN` and `TONLAGE_HOST_GAP_MS` win over the file,
    /// so a container can move ports without editing the mounted config.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = get("TONLAGE_WEB_LISTEN") {
            self.web.listen = v;
        }
        if let Some(v) = get("TONLAGE_METRICS_LISTEN") {
            self.metrics.listen = v;
        }
        if let Some(v) = get("TONLAGE_HOST_GAP_MS") {
            self.worker.host_gap_ms = v.parse().map_err(|_| ConfigError {
                path: "environment".into(),
                message: format!("TONLAGE_HOST_GAP_MS={v:?} is not a whole number of milliseconds"),
            })?;
        }
        self.validate_settings("").map_err(|(key, message)| ConfigError {
            path: "environment".into(),
            message: format!("key `{key}`: {message}"),
        })
    }

    fn validate_settings(&self, _text: &str) -> Result<(), (String, String)> {
        let addr = |key: &str, v: &str| {
            v.parse::<SocketAddr>()
                .map(|_| ())
                .map_err(|_| (key.to_string(), format!("{v:?} is not an address like 127.0.0.1:8080")))
        };
        addr("web.listen", &self.web.listen)?;
        addr("metrics.listen", &self.metrics.listen)?;
        if self.web.session_hours == 0 {
            return Err(("web.session_hours".into(), "must be at least 1".into()));
        }
        let w = &self.worker;
        if w.concurrency == 0 {
            return Err(("worker.concurrency".into(), "must be at least 1".into()));
        }
        if w.timeout_secs == 0 {
            return Err(("worker.timeout_secs".into(), "must be at least 1".into()));
        }
        if w.max_body_bytes < 1024 {
            return Err(("worker.max_body_bytes".into(), "must be at least 1024".into()));
        }
        if w.user_agent.trim().is_empty() {
            return Err(("worker.user_agent".into(), "must not be empty".into()));
        }
        for (key, lang) in [("web.language", &self.web.language), ("digest.language", &self.digest.language)] {
            if lang != "sv" && lang != "en" {
                return Err((key.into(), format!("{lang:?} is not \"sv\" or \"en\"")));
            }
        }
        if crate::model::weekday_from_name(&self.digest.weekday).is_none() {
            return Err(("digest.weekday".into(), format!("{:?} is not a day of the week", self.digest.weekday)));
        }
        if chrono::NaiveTime::parse_from_str(&self.digest.time, "%H:%M").is_err() {
            return Err(("digest.time".into(), format!("{:?} is not a time like 07:00", self.digest.time)));
        }
        if self.digest.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                "digest.time_zone".into(),
                format!("{:?} is not a time zone like Europe/Stockholm", self.digest.time_zone),
            ));
        }
        if !matches!(self.smtp.security.as_str(), "starttls" | "tls" | "none") {
            return Err(("smtp.security".into(), format!("{:?} is not starttls, tls or none", self.smtp.security)));
        }
        if self.backfill.daily_budget_per_host == 0 {
            return Err(("backfill.daily_budget_per_host".into(), "must be at least 1".into()));
        }
        if self.backfill.max_sitemaps == 0 {
            return Err(("backfill.max_sitemaps".into(), "must be at least 1".into()));
        }
        Ok(())
    }

    pub fn feed(&self, id: &str) -> Option<&FeedConfig> {
        self.feeds.iter().find(|f| f.id == id)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of `table.key` (or the table header) in the file, for settings checked after parsing.
fn find_key_line(text: &str, dotted: &str) -> Option<usize> {
    let (table, key) = dotted.split_once('.')?;
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_table = t.trim_matches(|c| c == '[' || c == ']').trim() == table;
            continue;
        }
        if in_table && t.split('=').next().map(str::trim) == Some(key) {
            return Some(i + 1);
        }
    }
    None
}

/// toml's message already quotes the offending line; we lead with "line N, key `k`" like our own errors.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    let Some(span) = e.span() else { return msg };
    let line = line_at(text, span.start);
    let quoted = msg
        .split('`')
        .nth(1)
        .filter(|_| msg.contains("unknown field") || msg.contains("missing field") || msg.contains("duplicate key"));
    // Otherwise the key is whatever stands left of `=` on the offending line ("invalid type" errors).
    let key = quoted.map(String::from).or_else(|| {
        let l = text.lines().nth(line - 1)?;
        let (k, _) = l.split_once('=')?;
        Some(k.trim().to_string()).filter(|k| !k.is_empty() && !k.starts_with('['))
    });
    match key {
        Some(k) => format!("line {line}, key `{k}`: {msg}"),
        None => format!("line {line}: {msg}"),
    }
}
