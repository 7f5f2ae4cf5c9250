//! Delivery: the digest as a multipart mail (plain text + HTML) through the configured SMTP
//! server with lettre. The password is read from the environment variable `[smtp] password_env`
//! names and is never logged or put in an error message.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::DigestError;
use crate::config::SmtpConfig;

/// One mail to send.
pub struct Mail<'a> {
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub recipients: &'a [String],
}

/// Sends `mail`; `password` is the value of the variable `smtp.password_env` names, if set.
pub async fn send(smtp: &SmtpConfig, password: Option<String>, mail: &Mail<'_>) -> Result<(), DigestError> {
    let err = |m: String| DigestError::Send(m);
    if smtp.host.trim().is_empty() {
        return Err(err("[smtp] host is not set".into()));
    }
    if mail.recipients.is_empty() {
        return Err(err("[digest] recipients is empty".into()));
    }
    let from: Mailbox = smtp.from.parse().map_err(|e| err(format!("[smtp] from {:?}: {e}", smtp.from)))?;
    let mut builder = Message::builder().from(from).subject(mail.subject);
    for r in mail.recipients {
        builder = builder.to(r.parse().map_err(|e| err(format!("[digest] recipient {r:?}: {e}")))?);
    }
    let message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.to_string()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html.to_string())),
        )
        .map_err(|e| err(format!("cannot build the mail: {e}")))?;
    // The same ring provider the HTTP client installs; lettre's rustls then needs no aws-lc.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let host = smtp.host.trim();
    let builder = match smtp.security.as_str() {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
        "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
        _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
    }
    .map_err(|e| err(format!("SMTP {host}: {e}")))?;
    let mut builder = builder.port(smtp.port).timeout(Some(std::time::Duration::from_secs(30)));
    if !smtp.user.is_empty() {
        let password = password.ok_or_else(|| {
            err(format!("[smtp] user is set but the environment variable {} is not", smtp.password_env))
        })?;
        builder = builder.credentials(Credentials::new(smtp.user.clone(), password));
    }
    builder.build().send(message).await.map_err(|e| err(format!("SMTP {host}:{}: {e}", smtp.port)))?;
    crate::metrics::METRICS.digest_sent();
    tracing::info!(host = %host, port = smtp.port, recipients = mail.recipients.len(), subject = mail.subject, "digest mailed");
    Ok(())
}

/// The SMTP password from the environment variable the config names.
pub fn password(smtp: &SmtpConfig) -> Option<String> {
    std::env::var(&smtp.password_env).ok().filter(|p| !p.is_empty())
}
