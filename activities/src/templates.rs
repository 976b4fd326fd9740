//! The mails' text, from the templates in `activities/templates/mail/`: an HTML and a
//! plain-text part for each. Askama checks every template against its fields at
//! compile time and escapes every value in the `.html` ones (a name such as
//! `<script>` arrives as text); the `.txt` ones are plain text and need none.

use std::ops::Deref;

use askama::Template;

/// Everything a mail may show; each template uses what it needs.
#[derive(Debug, Clone, Default)]
pub struct Fields<'a> {
    pub subject: &'a str,
    /// The user's name, or a neutral greeting.
    pub greeting: &'a str,
    /// The link the mail is about.
    pub link: &'a str,
    /// The button's label.
    pub action: &'a str,
    /// How long the link works ("30 minutes").
    pub valid_for: &'a str,
    /// The address the mail is about (verification, change).
    pub email: &'a str,
    pub old_email: &'a str,
    pub new_email: &'a str,
}

/// One mail, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub html: String,
}

/// Which mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mail {
    Welcome,
    PasswordReset,
    PasswordResetDone,
    VerifyEmail,
    ConfirmEmailChange,
    EmailChanged,
}

macro_rules! template {
    ($name:ident, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path)]
        struct $name<'a> {
            fields: &'a Fields<'a>,
        }

        impl<'a> Deref for $name<'a> {
            type Target = Fields<'a>;

            fn deref(&self) -> &Fields<'a> {
                self.fields
            }
        }
    };
}

template!(WelcomeHtml, "mail/welcome.html");
template!(WelcomeText, "mail/welcome.txt");
template!(PasswordResetHtml, "mail/password_reset.html");
template!(PasswordResetText, "mail/password_reset.txt");
template!(PasswordResetDoneHtml, "mail/password_reset_done.html");
template!(PasswordResetDoneText, "mail/password_reset_done.txt");
template!(VerifyEmailHtml, "mail/verify_email.html");
template!(VerifyEmailText, "mail/verify_email.txt");
template!(ConfirmEmailChangeHtml, "mail/confirm_email_change.html");
template!(ConfirmEmailChangeText, "mail/confirm_email_change.txt");
template!(EmailChangedHtml, "mail/email_changed.html");
template!(EmailChangedText, "mail/email_changed.txt");

/// Renders both parts of `mail` with `fields`.
pub fn render(mail: Mail, fields: &Fields<'_>) -> Result<Rendered, askama::Error> {
    let (text, html) = match mail {
        Mail::Welcome => (
            WelcomeText { fields }.render()?,
            WelcomeHtml { fields }.render()?,
        ),
        Mail::PasswordReset => (
            PasswordResetText { fields }.render()?,
            PasswordResetHtml { fields }.render()?,
        ),
        Mail::PasswordResetDone => (
            PasswordResetDoneText { fields }.render()?,
            PasswordResetDoneHtml { fields }.render()?,
        ),
        Mail::VerifyEmail => (
            VerifyEmailText { fields }.render()?,
            VerifyEmailHtml { fields }.render()?,
        ),
        Mail::ConfirmEmailChange => (
            ConfirmEmailChangeText { fields }.render()?,
            ConfirmEmailChangeHtml { fields }.render()?,
        ),
        Mail::EmailChanged => (
            EmailChangedText { fields }.render()?,
            EmailChangedHtml { fields }.render()?,
        ),
    };
    Ok(Rendered { text, html })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields<'static> {
        Fields {
            subject: "Reset your password",
            greeting: "<script>alert(1)</script>",
            link: "https://app.example/reset-password?token=abc&x=\"y\"",
            action: "Choose a new password",
            valid_for: "30 minutes",
            email: "a&b@example.com",
            old_email: "old@example.com",
            new_email: "new@example.com",
        }
    }

    #[test]
    fn html_parts_escape_every_value_and_text_parts_keep_them() {
        for mail in [
            Mail::Welcome,
            Mail::PasswordReset,
            Mail::PasswordResetDone,
            Mail::VerifyEmail,
            Mail::ConfirmEmailChange,
            Mail::EmailChanged,
        ] {
            let out = render(mail, &fields()).expect("renders");
            assert!(!out.html.contains("<script>"), "{mail:?}: {}", out.html);
            assert!(out.html.contains("&#60;script&#62;alert(1)"), "{mail:?}");
            assert!(
                out.text.contains("Hi <script>alert(1)</script>,"),
                "{mail:?}"
            );
            assert!(out.text.contains("Maigie"), "{mail:?}");
        }
    }

    #[test]
    fn link_mails_carry_the_link_and_its_lifetime() {
        for mail in [
            Mail::PasswordReset,
            Mail::VerifyEmail,
            Mail::ConfirmEmailChange,
            Mail::EmailChanged,
        ] {
            let out = render(mail, &fields()).expect("renders");
            assert!(
                out.text
                    .contains("https://app.example/reset-password?token=abc&x=\"y\""),
                "{mail:?}"
            );
            assert!(out.html.contains("token=abc&#38;x=&#34;y&#34;"), "{mail:?}");
            assert!(out.text.contains("30 minutes"), "{mail:?}");
        }
        let changed = render(Mail::EmailChanged, &fields()).expect("renders");
        assert!(
            changed
                .text
                .contains("from old@example.com to new@example.com")
        );
    }
}
