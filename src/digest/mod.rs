//! The weekly figures and the tone digest: per district and ISO week, how much coverage, in which
//! tone, with which frames and outlets, against the district's own recent past, and the stories
//! behind the numbers. Pure figures (`weeks`, `figures`), assembly from the store (`build`),
//! rendering (`html`, `markdown`, JSON via serde), the schedule (`schedule`) and delivery (`send`).

mod build;
pub mod cache;
pub mod figures;
mod html;
mod markdown;
pub mod schedule;
mod send;
mod text;
pub mod weeks;

use chrono::{DateTime, Utc};

pub use build::{build, series, series_and_total, Digest, DistrictDigest, Series, SeriesBucket, StoryLine, Totals};
pub(crate) use html::esc as escape_html;
pub use send::{password as smtp_password, send, Mail};
pub use weeks::Week;

use crate::config::Config;
use crate::store::{Store, StoreError, StoredDigest};

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored digest for {week} is unreadable: {reason}")]
    Stored { week: String, reason: String },
    #[error("cannot send the digest: {0}")]
    Send(String),
}

/// A digest in its three renderings.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub digest: Digest,
    pub json: String,
    pub html: String,
    pub markdown: String,
    /// True when it was read back from the store rather than built now.
    pub stored: bool,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Builds a digest and renders it in every format.
pub fn render(digest: Digest) -> Rendered {
    let json = serde_json::to_string(&digest).expect("plain data serializes");
    let html = html::render(&digest);
    let markdown = markdown::render(&digest);
    Rendered { digest, json, html, markdown, stored: false, sent_at: None }
}

/// The digest of `week`: the stored one when there is one (unless `rebuild`), else built from the
/// store now. A finished week's digest is stored as built, so it reads the same next year; an
/// unfinished week's is not, since its figures are still moving.
pub fn prepare(
    store: &Store,
    config: &Config,
    week: Week,
    now: DateTime<Utc>,
    rebuild: bool,
) -> Result<Rendered, DigestError> {
    let stored = store.stored_digest(&week.to_string())?;
    if let (Some(s), false) = (&stored, rebuild) {
        return from_stored(s);
    }
    let mut r = render(build(store, config, week, now)?);
    r.sent_at = stored.and_then(|s| s.sent_at);
    if week.end() <= now {
        store.save_digest(&week.to_string(), &config.digest.language, &r.json, &r.html, &r.markdown, now)?;
    }
    Ok(r)
}

fn from_stored(s: &StoredDigest) -> Result<Rendered, DigestError> {
    let digest: Digest = serde_json::from_str(&s.json)
        .map_err(|e| DigestError::Stored { week: s.week.clone(), reason: e.to_string() })?;
    Ok(Rendered {
        digest,
        json: s.json.clone(),
        html: s.html.clone(),
        markdown: s.markdown.clone(),
        stored: true,
        sent_at: s.sent_at,
    })
}

/// A codebook frame id in words of `lang` (`sv` or `en`).
pub fn frame_name(lang: &str, id: &str) -> String {
    text::texts(lang).frame(id)
}

/// The subject line of the digest's mail.
pub fn subject(d: &Digest) -> String {
    text::subject(d)
}
