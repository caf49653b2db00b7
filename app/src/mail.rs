//! Outgoing email. With SMTP configured, mail goes out through it; otherwise every
//! message is written as an `.eml` file to the outbox folder under the data directory
//! (and logged), so people running Kring locally, and the tests, can read it.

use std::path::PathBuf;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;

#[derive(Clone)]
pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Outbox { transport: AsyncFileTransport<Tokio1Executor>, dir: PathBuf, from: Mailbox },
}

/// How to reach an SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `starttls` (default), `tls` or `none` (only for a local relay).
    pub security: String,
}

impl Mailer {
    /// An outbox in `dir`; creates the folder. Fails if it cannot be created.
    pub fn outbox(dir: PathBuf, from: Mailbox) -> std::io::Result<Self> {
        crate::state::create_private_dir(&dir)?;
        Ok(Mailer::Outbox { transport: AsyncFileTransport::new(&dir), dir, from })
    }

    /// An SMTP mailer. Fails with a message naming the setting that is wrong.
    pub fn smtp(settings: &SmtpSettings, from: Mailbox) -> Result<Self, String> {
        let builder = match settings.security.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host),
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)),
            other => return Err(format!("SMTP_SECURITY must be starttls, tls or none (got {other:?})")),
        }
        .map_err(|e| format!("SMTP_HOST {:?} is not usable: {e}", settings.host))?;
        let mut builder = builder;
        if let Some(port) = settings.port {
            builder = builder.port(port);
        }
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer::Smtp { transport: builder.build(), from })
    }

    /// Deletes outbox files written before `cutoff`; returns how many. Mail sent through
    /// SMTP is not kept by Kring at all.
    pub async fn forget_sent_before(&self, cutoff: std::time::SystemTime) -> u64 {
        let Mailer::Outbox { dir, .. } = self else { return 0 };
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let Ok(entries) = std::fs::read_dir(&dir) else { return 0 };
            let mut count = 0;
            for entry in entries.flatten() {
                let path = entry.path();
                let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|modified| modified < cutoff);
                if old && path.extension().is_some_and(|x| x == "eml") && std::fs::remove_file(&path).is_ok() {
                    count += 1;
                }
            }
            count
        })
        .await
        .unwrap_or(0)
    }

    /// Sends a plain-text message. Fails (logged) when the transport fails.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), AppError> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from.clone(),
        };
        let to: Mailbox = to.parse().map_err(|e| {
            tracing::error!(error = %e, "cannot address mail");
            AppError::Internal
        })?;
        // Quoted-printable always fits mail's line limits, whatever the text and links.
        let body = Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable).map_err(|_| {
            tracing::error!("mail body cannot be encoded");
            AppError::Internal
        })?;
        let message = Message::builder()
            .from(from)
            .to(to.clone())
            .subject(subject)
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(body))
            .map_err(|e| {
                tracing::error!(error = %e, "cannot build mail");
                AppError::Internal
            })?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(|e| {
                    tracing::error!(error = %e, "SMTP delivery failed");
                    AppError::Internal
                })?;
            }
            Mailer::Outbox { transport, dir, .. } => {
                let id = transport.send(message).await.map_err(|e| {
                    tracing::error!(error = %e, "writing to outbox failed");
                    AppError::Internal
                })?;
                tracing::info!(to = %to.email, subject, file = %dir.join(format!("{id}.eml")).display(), "mail written to outbox");
            }
        }
        Ok(())
    }
}
