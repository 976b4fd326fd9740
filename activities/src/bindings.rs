//! The Temporal bindings of every activity declared in `maigie_workflows::contracts`:
//! each method checks its input and calls the module that does the work (mail,
//! reminders, billing, analytics). [`CoreActivities`] holds their dependencies.

use std::sync::Arc;

use maigie_domain::{EventKind, UserEvent};
use maigie_store::{EventBus, PgPool};
use maigie_workflows::account_mail::AccountMailInput;
use maigie_workflows::analytics::{DispatchInput, ZoneDay};
use maigie_workflows::billing::{ApplyEventInput, DunningInput, ExpireInput, Snapshot};
use maigie_workflows::contracts::{
    AggregateInput, AggregatePage, DeliverReminderInput, NextReminderInput, PublishEventInput,
    WelcomeEmailInput, markers,
};
use maigie_workflows::reminder::ReminderPlan;
use temporalio_macros::activities;
use temporalio_sdk::ApplicationFailure;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::info;

use crate::account_mail::{self, AccountMailSettings};
use crate::mail::{Email, MailError, Mailer};
use crate::reminders::{self, Channels, Delivered, DeliveryError};
use crate::templates::{self, Fields, Mail, Rendered};

/// Activities shared by every workflow: mail, real-time events, reminder delivery.
pub struct CoreActivities {
    db: PgPool,
    mailer: Mailer,
    events: EventBus,
    public_base_url: String,
    late_after: chrono::Duration,
    billing: crate::billing::BillingRules,
    account_mail: AccountMailSettings,
}

impl CoreActivities {
    /// `late_after`: a reminder delivered later than this after its time says so.
    #[must_use]
    pub fn new(
        db: PgPool,
        mailer: Mailer,
        events: EventBus,
        public_base_url: String,
        late_after: std::time::Duration,
    ) -> Self {
        Self {
            db,
            mailer,
            events,
            public_base_url,
            late_after: chrono::Duration::from_std(late_after).unwrap_or(chrono::Duration::MAX),
            billing: crate::billing::BillingRules::default(),
            account_mail: AccountMailSettings::default(),
        }
    }

    fn channels(&self) -> Channels<'_> {
        Channels {
            db: &self.db,
            events: &self.events,
            mailer: &self.mailer,
            public_base_url: &self.public_base_url,
            late_after: self.late_after,
        }
    }

    /// Where account mails link to and how long their links work.
    #[must_use]
    pub fn with_account_mail(mut self, settings: AccountMailSettings) -> Self {
        self.account_mail = settings;
        self
    }

    /// The subscription lifecycle's rules (grace period, dunning, prices).
    #[must_use]
    pub fn with_billing(mut self, rules: crate::billing::BillingRules) -> Self {
        self.billing = rules;
        self
    }
}

fn mail_failure(err: MailError) -> ActivityError {
    if err.is_permanent() {
        ActivityError::application(ApplicationFailure::non_retryable(err))
    } else {
        err.into()
    }
}

#[activities]
impl CoreActivities {
    #[activity(definition = markers::SendWelcomeEmail)]
    pub async fn send_welcome_email(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: WelcomeEmailInput,
    ) -> Result<(), ActivityError> {
        let greeting = input.name.as_deref().unwrap_or("there");
        let link = format!("{}/", self.public_base_url.trim_end_matches('/'));
        let subject = "Welcome to Maigie";
        let fields = Fields {
            subject,
            greeting,
            link: &link,
            ..Fields::default()
        };
        let Rendered { text, html } = templates::render(Mail::Welcome, &fields)
            .map_err(|e| ActivityError::application(ApplicationFailure::non_retryable(e)))?;
        self.mailer
            .send(Email {
                to: &input.email,
                to_name: input.name.as_deref(),
                subject,
                text,
                html,
                message_id: format!("<welcome-{}@maigie>", input.user_id),
            })
            .await
            .map_err(mail_failure)?;
        info!(user_id = %input.user_id, "welcome e-mail sent");
        Ok(())
    }

    #[activity(definition = markers::SendAccountMail)]
    pub async fn send_account_mail(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: AccountMailInput,
    ) -> Result<(), ActivityError> {
        let outcome = account_mail::send(&self.db, &self.mailer, &self.account_mail, &input)
            .await
            .map_err(|err| {
                if err.is_permanent() {
                    ActivityError::application(ApplicationFailure::non_retryable(err))
                } else {
                    err.into()
                }
            })?;
        info!(kind = input.mail.kind(), request = %input.request_key, ?outcome, "account mail");
        Ok(())
    }

    #[activity(definition = markers::PublishEvent)]
    pub async fn publish_event(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: PublishEventInput,
    ) -> Result<(), ActivityError> {
        // A workflow names the event by its wire name; one that is not an
        // `EventKind` is a bug, not worth retrying.
        let kind: EventKind = input
            .kind
            .parse()
            .map_err(|err| ActivityError::application(ApplicationFailure::non_retryable(err)))?;
        let event = UserEvent {
            user_id: input.user_id,
            kind,
            data: input.data,
        };
        let envelope = self.events.publish(&event).await?;
        info!(user_id = %event.user_id, kind = %envelope.kind, id = %envelope.id, "event published");
        Ok(())
    }

    #[activity(definition = markers::DeliverReminder)]
    pub async fn deliver_reminder(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DeliverReminderInput,
    ) -> Result<Option<i64>, ActivityError> {
        let channels = self.channels();
        match reminders::deliver(&channels, &input).await {
            Ok(Delivered::Sent { email_held_until }) => {
                info!(user_id = %input.user_id, source = %input.source_id,
                    held_until = ?email_held_until, "reminder delivered");
                Ok(email_held_until.map(|t| t.timestamp_millis()))
            }
            Ok(Delivered::Skipped) => {
                info!(user_id = %input.user_id, source = %input.source_id, "reminder no longer wanted");
                Ok(None)
            }
            Err(DeliveryError::Time) => Err(ActivityError::application(
                ApplicationFailure::non_retryable(DeliveryError::Time),
            )),
            Err(err) => Err(err.into()),
        }
    }

    #[activity(definition = markers::NextReminder)]
    pub async fn next_reminder(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: NextReminderInput,
    ) -> Result<Option<ReminderPlan>, ActivityError> {
        if input.source_type != "schedule_block" {
            return Ok(None);
        }
        let after = chrono::DateTime::from_timestamp_millis(input.after_ms).ok_or_else(|| {
            ActivityError::application(ApplicationFailure::non_retryable(DeliveryError::Time))
        })?;
        // Occurrences whose reminder time passed more than a minute ago (the worker
        // was down) are not reminded of any more; the one pending then was, late.
        let not_before = chrono::Utc::now() - chrono::Duration::minutes(1);
        let mut conn = self
            .db
            .acquire()
            .await
            .map_err(maigie_store::StoreError::from)?;
        let next = maigie_store::schedule::next_reminder(
            &mut conn,
            input.user_id,
            input.source_id,
            Some(after),
            not_before,
        )
        .await?;
        Ok(next.map(|r| ReminderPlan {
            version: r.version.timestamp_micros(),
            fire_at_ms: Some(r.fire_at.timestamp_millis()),
            occurrence_at_ms: r.occurrence_at.timestamp_millis(),
            title: r.title,
        }))
    }

    #[activity(definition = markers::DueDays)]
    pub async fn due_days(
        self: Arc<Self>,
        _ctx: ActivityContext,
        _input: DispatchInput,
    ) -> Result<Vec<ZoneDay>, ActivityError> {
        Ok(crate::analytics::due_days(&self.db).await?)
    }

    #[activity(definition = markers::AggregateDay)]
    pub async fn aggregate_day(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: AggregateInput,
    ) -> Result<AggregatePage, ActivityError> {
        use crate::analytics::AnalyticsError;
        match crate::analytics::aggregate(&self.db, &input).await {
            Ok(page) => {
                info!(zone = %input.timezone, day = %input.day, users = page.computed, "analytics computed");
                Ok(page)
            }
            Err(err @ (AnalyticsError::Zone(_) | AnalyticsError::Day(_))) => Err(
                ActivityError::application(ApplicationFailure::non_retryable(err)),
            ),
            Err(err) => Err(err.into()),
        }
    }

    #[activity(definition = markers::ApplyBillingEvent)]
    pub async fn apply_billing_event(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ApplyEventInput,
    ) -> Result<Snapshot, ActivityError> {
        let snap = crate::billing::apply_event(
            &self.db,
            &self.events,
            &self.billing,
            &input.customer,
            &input.event_id,
        )
        .await?;
        info!(customer = %input.customer, event = %input.event_id, status = %snap.status, "billing event applied");
        Ok(snap)
    }

    #[activity(definition = markers::SendDunning)]
    pub async fn send_dunning(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DunningInput,
    ) -> Result<(), ActivityError> {
        let channels = self.channels();
        crate::billing::dunning(
            &channels,
            &self.billing,
            &input.customer,
            input.grace_until_ms,
            input.index,
        )
        .await?;
        info!(customer = %input.customer, index = input.index, "dunning e-mail handled");
        Ok(())
    }

    #[activity(definition = markers::ExpireSubscription)]
    pub async fn expire_subscription(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ExpireInput,
    ) -> Result<Snapshot, ActivityError> {
        let deadline = if input.deadline == "grace" {
            maigie_billing::lifecycle::Deadline::GraceOver
        } else {
            maigie_billing::lifecycle::Deadline::PeriodOver
        };
        let snap = crate::billing::expire(
            &self.db,
            &self.events,
            &self.billing,
            &input.customer,
            deadline,
        )
        .await?;
        info!(customer = %input.customer, deadline = %input.deadline, status = %snap.status, "subscription deadline checked");
        Ok(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_the_onboarding_workflow_publishes_is_listed() {
        let kind = maigie_workflows::onboarding::WELCOME_EVENT.parse::<EventKind>();
        assert_eq!(kind, Ok(EventKind::Welcome));
    }
}
