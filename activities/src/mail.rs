//! Outgoing e-mail over SMTP (lettre), with HTML and plain-text parts.

pub use lettre::message::Mailbox;
use lettre::message::MultiPart;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MailError {
    /// The configuration or the message is wrong: retrying cannot help.
    #[error("invalid e-mail: {0}")]
    Invalid(String),
    /// The server refused or could not be reached: worth retrying.
    #[error("SMTP delivery failed: {0}")]
    Transport(#[from] lettre::transport::smtp::Error),
}

impl MailError {
    #[must_use]
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Invalid(_) => true,
            Self::Transport(e) => e.is_permanent(),
        }
    }
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Email<'a> {
    pub to: &'a str,
    pub to_name: Option<&'a str>,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
    /// A stable Message-ID lets mail clients drop the duplicate if an activity retry
    /// re-sends a message the server had already accepted.
    pub message_id: String,
}

/// An SMTP client with a connection pool. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp_url` as lettre reads it: `smtp://host:port` (plain, or `?tls=required`),
    /// `smtps://user:pass@host:465`.
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let from = from
            .parse()
            .map_err(|e| MailError::Invalid(format!("MAIL_FROM: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?.build();
        Ok(Self { transport, from })
    }

    pub async fn send(&self, email: Email<'_>) -> Result<(), MailError> {
        let to = Mailbox::new(
            email.to_name.map(str::to_owned),
            email
                .to
                .parse()
                .map_err(|e| MailError::Invalid(format!("recipient: {e}")))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .message_id(Some(email.message_id))
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        self.transport.send(message).await?;
        Ok(())
    }

    /// Checks that the SMTP server answers.
    pub async fn ping(&self) -> Result<bool, MailError> {
        Ok(self.transport.test_connection().await?)
    }
}

/// Escapes text for an HTML body.
pub use maigie_domain::html::escape as html_escape;
