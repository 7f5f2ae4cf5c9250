//! The digest schedule inside `tonlage run`: once the configured moment for the last complete
//! week has passed and the store records no send for that week, build (or load) the week's digest,
//! mail it and record the send. The record in the store makes it once per week across restarts.
//! A crash between the mail leaving and the record being written sends it again: at least once.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::digest::{self, schedule, DigestError, Week};
use crate::store::Store;

/// After a failed attempt, wait this long before the next.
const RETRY_MINUTES: i64 = 10;

#[derive(Default)]
pub(super) struct Mailing {
    next_try: Option<DateTime<Utc>>,
    told_off: bool,
    /// The week last reported as already sent, so the log says it once, not every 30 s.
    reported: Option<Week>,
}

impl Mailing {
    /// Sends the due digest if it has not gone out; failures are logged and retried later.
    pub(super) async fn tick(&mut self, store: &Store, config: &Config) {
        if config.digest.recipients.is_empty() || config.smtp.host.trim().is_empty() {
            if !self.told_off {
                tracing::info!("digest schedule off: [digest] recipients or [smtp] host not set");
                self.told_off = true;
            }
            return;
        }
        let now = Utc::now();
        if self.next_try.is_some_and(|t| now < t) {
            return;
        }
        let Some(week) = schedule::due(now, &config.digest) else { return };
        match store.stored_digest(&week.to_string()) {
            Ok(Some(s)) if s.sent_at.is_some() => {
                if self.reported != Some(week) {
                    let at = s.sent_at.map(|t| t.to_rfc3339()).unwrap_or_default();
                    tracing::info!(week = %week, sent_at = %at, "digest already sent");
                    self.reported = Some(week);
                }
                return;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(week = %week, error = %e, "cannot read the digest record");
                self.next_try = Some(now + chrono::Duration::minutes(RETRY_MINUTES));
                return;
            }
        }
        match send_week(store, config, week, now).await {
            Ok(()) => self.next_try = None,
            Err(e) => {
                tracing::error!(week = %week, error = %e, "digest not sent; will retry");
                self.next_try = Some(now + chrono::Duration::minutes(RETRY_MINUTES));
            }
        }
    }
}

async fn send_week(store: &Store, config: &Config, week: Week, now: DateTime<Utc>) -> Result<(), DigestError> {
    let r = digest::prepare(store, config, week, now, false)?;
    let w = week.to_string();
    if r.digest.quiet && !config.digest.send_empty {
        store.mark_digest_sent(&w, now, "", Some("quiet week; [digest] send_empty = false"))?;
        tracing::info!(week = %w, "quiet week: digest not mailed (send_empty = false)");
        return Ok(());
    }
    let subject = digest::subject(&r.digest);
    let mail =
        digest::Mail { subject: &subject, text: &r.markdown, html: &r.html, recipients: &config.digest.recipients };
    digest::send(&config.smtp, digest::smtp_password(&config.smtp), &mail).await?;
    store.mark_digest_sent(&w, Utc::now(), &config.digest.recipients.join(", "), None)?;
    tracing::info!(week = %w, "scheduled digest sent");
    Ok(())
}
