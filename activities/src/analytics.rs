//! Daily analytics activities: which day just ended in each zone, and computing a
//! day for a page of a zone's users.

use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use maigie_domain::analytics::local_day;
use maigie_store::{PgPool, StoreError, analytics};
use maigie_workflows::analytics::ZoneDay;
use maigie_workflows::contracts::{AggregateInput, AggregatePage};

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("unknown time zone {0:?}")]
    Zone(String),
    #[error("{0:?} is not a YYYY-MM-DD day")]
    Day(String),
}

/// Yesterday, in each zone that has users.
pub async fn due_days(db: &PgPool) -> Result<Vec<ZoneDay>, AnalyticsError> {
    let now = Utc::now();
    Ok(analytics::user_timezones(db)
        .await?
        .into_iter()
        .filter_map(|name| {
            let tz: Tz = name.parse().ok()?;
            let yesterday = local_day(now, tz) - Duration::days(1);
            Some(ZoneDay {
                timezone: name,
                day: yesterday.format("%Y-%m-%d").to_string(),
            })
        })
        .collect())
}

/// Computes and stores `input.day` for the next page of the zone's users.
pub async fn aggregate(
    db: &PgPool,
    input: &AggregateInput,
) -> Result<AggregatePage, AnalyticsError> {
    let tz: Tz = input
        .timezone
        .parse()
        .map_err(|_| AnalyticsError::Zone(input.timezone.clone()))?;
    let day = NaiveDate::parse_from_str(&input.day, "%Y-%m-%d")
        .map_err(|_| AnalyticsError::Day(input.day.clone()))?;
    let users =
        analytics::users_in_zone(db, &input.timezone, input.after, i64::from(input.limit)).await?;
    for user in &users {
        let metrics = analytics::compute_day(db, *user, tz, day).await?;
        analytics::upsert_day(db, *user, day, &metrics).await?;
    }
    Ok(AggregatePage {
        computed: u32::try_from(users.len()).unwrap_or(u32::MAX),
        last: users.last().copied(),
    })
}
