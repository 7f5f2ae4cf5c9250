//! The optional settings tables of `feeds.toml` (`[worker]`, `[web]`, `[metrics]`, `[digest]`,
//! `[smtp]`, `[retention]`, `[backfill]`): every key with its default, unknown keys rejected.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerConfig {
    /// Least time between two requests to one host.
    pub host_gap_ms: u64,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Whole-request timeout for feeds and pages.
    pub timeout_secs: u64,
    /// Bodies larger than this are refused rather than buffered.
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    /// Poll interval of feeds that set no `poll_minutes`.
    pub poll_minutes: u32,
    /// Upper bound of the back-off after repeated failures.
    pub max_backoff_minutes: u32,
    /// Attempts at an article page before the feed's own text is kept for good.
    pub page_attempts: u32,
    pub user_agent: String,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            host_gap_ms: 1000,
            concurrency: 4,
            timeout_secs: 20,
            max_body_bytes: 8 * 1024 * 1024,
            max_redirects: 5,
            poll_minutes: 30,
            max_backoff_minutes: 6 * 60,
            page_attempts: 3,
            user_agent: format!(
                "tonlage/{} (news coverage monitor; +https://github.com/tonlage/tonlage)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    pub listen: String,
    /// Language of the interface: "sv" (default) or "en".
    pub language: String,
    /// Mark session cookies `Secure` even when no proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// How long a browser login lasts.
    pub session_hours: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig { listen: "127.0.0.1:8080".into(), language: "sv".into(), secure_cookies: false, session_hours: 12 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub listen: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { listen: "127.0.0.1:9184".into() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// Day the weekly digest goes out (English or Swedish day name).
    pub weekday: String,
    /// Local time of day, "HH:MM".
    pub time: String,
    pub time_zone: String,
    pub recipients: Vec<String>,
    /// Send a digest even for a week with no coverage.
    pub send_empty: bool,
    pub language: String,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            weekday: "monday".into(),
            time: "07:00".into(),
            time_zone: "Europe/Stockholm".into(),
            recipients: Vec::new(),
            send_empty: true,
            language: "sv".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// "starttls", "tls" or "none".
    pub security: String,
    pub user: String,
    /// Name of the environment variable holding the password; never the password itself.
    pub password_env: String,
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 587,
            security: "starttls".into(),
            user: String::new(),
            password_env: "TONLAGE_SMTP_PASSWORD".into(),
            from: String::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Days to keep each article's fetched page (for re-extraction); 0 keeps them forever.
    /// Text, labels and evidence are always kept.
    pub page_html_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig { page_html_days: 365 }
    }
}

/// `tonlage backfill` and `tonlage import`: how much of an outlet's archive one day may take.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackfillConfig {
    /// Requests (robots.txt, sitemaps, pages) to one host per day, Europe/Stockholm; a run stops
    /// at it and the next day's run continues.
    pub daily_budget_per_host: u32,
    /// Sitemaps read per site and run: a bound on a sitemap index that never ends.
    pub max_sitemaps: usize,
    /// Largest sitemap accepted, after inflating a gzipped one (the protocol allows 50 MB).
    pub max_sitemap_bytes: usize,
}

impl Default for BackfillConfig {
    fn default() -> Self {
        BackfillConfig { daily_budget_per_host: 5000, max_sitemaps: 1000, max_sitemap_bytes: 50 * 1024 * 1024 }
    }
}
