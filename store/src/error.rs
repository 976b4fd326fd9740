use thiserror::Error;

/// Errors from the persistence layer. Constraint violations keep the constraint's
/// name so the API can map each to a precise client error.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("unique constraint {0} violated")]
    Conflict(String),
    #[error("check or foreign-key constraint {0} violated")]
    Constraint(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("redis error: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("malformed event in the stream: {0}")]
    MalformedEvent(String),
    /// PostgreSQL refused a value (out of range, NUL character, malformed literal).
    #[error("invalid value: {0}")]
    InvalidValue(String),
}

/// SQLSTATEs of data PostgreSQL cannot store or read: a client sent it.
const BAD_DATA: [&str; 7] = [
    "22021", "22P05", "22008", "22007", "22003", "22P02", "22001",
];

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) => {
                let name = db.constraint().unwrap_or("unknown").to_owned();
                if db.code().is_some_and(|c| BAD_DATA.contains(&c.as_ref())) {
                    return Self::InvalidValue(db.message().to_owned());
                }
                match db.kind() {
                    sqlx::error::ErrorKind::UniqueViolation => Self::Conflict(name),
                    sqlx::error::ErrorKind::ForeignKeyViolation
                    | sqlx::error::ErrorKind::CheckViolation
                    | sqlx::error::ErrorKind::NotNullViolation => Self::Constraint(name),
                    _ => Self::Database(err),
                }
            }
            _ => Self::Database(err),
        }
    }
}
