//! The bodies that create and change courses, modules and topics, checked whole
//! (every bad field at once) before the store sees them.

use maigie_domain::courses::{
    COURSE_HOURS_MAX, CourseInputError, DESCRIPTION_MAX, Difficulty, TOPIC_HOURS_MAX, TargetDate,
    content, estimated_hours,
};
use maigie_domain::planning::optional_text;
use maigie_domain::validation::ParseError;
use maigie_domain::{InputError, Title, Validation};
use maigie_store::courses::{
    CourseChanges, ModuleChanges, NewCourse, NewModule, NewTopic, TopicChanges,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ServiceResult;
use crate::input::nullable;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourse {
    /// 1–200 characters.
    #[schema(example = "Linear algebra")]
    pub title: Option<String>,
    /// At most 10 000 characters.
    pub description: Option<String>,
    /// `beginner`, `intermediate` or `advanced`.
    #[schema(value_type = Option<maigie_domain::courses::Difficulty>, example = "beginner")]
    pub difficulty: Option<String>,
    /// More than 0, at most 10 000.
    #[schema(example = 40.0)]
    pub estimated_hours: Option<f64>,
    /// YYYY-MM-DD.
    #[schema(value_type = Option<String>, example = "2026-06-30")]
    pub target_date: Option<String>,
}

/// Fields to change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourse {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<maigie_domain::courses::Difficulty>, example = "advanced")]
    pub difficulty: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub estimated_hours: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, example = "2026-06-30")]
    pub target_date: Option<Option<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateModule {
    /// 1–200 characters.
    #[schema(example = "Vector spaces")]
    pub title: Option<String>,
    /// At most 10 000 characters.
    pub description: Option<String>,
}

/// Fields to change; `null` clears the description.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateModule {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `true` completes the module and all its topics; `false` reopens it and all its
    /// topics (a module with topics is completed exactly when all of them are).
    pub completed: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTopic {
    /// 1–200 characters.
    #[schema(example = "Linear independence")]
    pub title: Option<String>,
    /// Markdown, at most 100 000 characters.
    pub content: Option<String>,
    /// More than 0, at most 1 000.
    #[schema(example = 1.5)]
    pub estimated_hours: Option<f64>,
}

/// Fields to change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTopic {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub content: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub estimated_hours: Option<Option<f64>>,
    /// Completes (`true`) or reopens (`false`, clearing `completed_at`) the topic.
    pub completed: Option<bool>,
}

/// Body of the `move` routes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveTo {
    /// The new 0-based position, at most the number of siblings minus one.
    #[schema(example = 0)]
    pub position: i64,
}

/// A title: required on create (`required`), optional on update.
fn title(v: &mut Validation, raw: Option<&str>, required: bool) -> Option<String> {
    match raw {
        Some(raw) => v.check("title", Title::parse(raw)).map(Title::into_string),
        None if required => {
            v.push("title", "required", "must be given");
            None
        }
        None => None,
    }
}

/// Free text of at most `max` characters; blank means none.
fn text(v: &mut Validation, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    v.check(field, optional_text(raw, max)).flatten()
}

/// A PATCH field: absent stays absent, `null` clears, a value is parsed.
fn patch<T, U, E: ParseError>(
    v: &mut Validation,
    field: &str,
    raw: Option<Option<T>>,
    parse: impl FnOnce(T) -> Result<U, E>,
) -> Option<Option<U>> {
    match raw {
        None => None,
        Some(None) => Some(None),
        Some(Some(value)) => v.check(field, parse(value)).map(Some),
    }
}

/// A PATCH description: `null` or blank clears it.
fn description(v: &mut Validation, raw: Option<Option<String>>) -> Option<Option<String>> {
    patch(v, "description", raw, |d: String| {
        optional_text(Some(&d), DESCRIPTION_MAX)
    })
    .map(Option::flatten)
}

fn difficulty(raw: String) -> Result<&'static str, InputError> {
    raw.parse::<Difficulty>().map(Difficulty::as_str)
}

fn course_hours(raw: f64) -> Result<f32, CourseInputError> {
    estimated_hours(raw, COURSE_HOURS_MAX)
}

fn topic_hours(raw: f64) -> Result<f32, CourseInputError> {
    estimated_hours(raw, TOPIC_HOURS_MAX)
}

impl CreateCourse {
    pub(crate) fn parse(self) -> ServiceResult<NewCourse> {
        let mut v = Validation::new();
        let title = title(&mut v, self.title.as_deref(), true);
        let description = text(
            &mut v,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        let difficulty = self
            .difficulty
            .and_then(|d| v.check("difficulty", difficulty(d)));
        let estimated_hours = self
            .estimated_hours
            .and_then(|h| v.check("estimated_hours", course_hours(h)));
        let target_date = self
            .target_date
            .and_then(|d| v.check("target_date", TargetDate::parse(&d)));
        v.finish()?;
        Ok(NewCourse {
            title: title.unwrap_or_default(),
            description,
            difficulty,
            estimated_hours,
            target_date,
        })
    }
}

impl UpdateCourse {
    pub(crate) fn parse(self) -> ServiceResult<CourseChanges> {
        let mut v = Validation::new();
        let changes = CourseChanges {
            title: title(&mut v, self.title.as_deref(), false),
            description: description(&mut v, self.description),
            difficulty: patch(&mut v, "difficulty", self.difficulty, difficulty),
            estimated_hours: patch(
                &mut v,
                "estimated_hours",
                self.estimated_hours,
                course_hours,
            ),
            target_date: patch(&mut v, "target_date", self.target_date, |d: String| {
                TargetDate::parse(&d)
            }),
        };
        v.finish()?;
        Ok(changes)
    }
}

impl CreateModule {
    pub(crate) fn parse(self) -> ServiceResult<NewModule> {
        let mut v = Validation::new();
        let title = title(&mut v, self.title.as_deref(), true);
        let description = text(
            &mut v,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        v.finish()?;
        Ok(NewModule {
            title: title.unwrap_or_default(),
            description,
        })
    }
}

impl UpdateModule {
    pub(crate) fn parse(self) -> ServiceResult<ModuleChanges> {
        let mut v = Validation::new();
        let changes = ModuleChanges {
            title: title(&mut v, self.title.as_deref(), false),
            description: description(&mut v, self.description),
            completed: self.completed,
        };
        v.finish()?;
        Ok(changes)
    }
}

impl CreateTopic {
    pub(crate) fn parse(self) -> ServiceResult<NewTopic> {
        let mut v = Validation::new();
        let title = title(&mut v, self.title.as_deref(), true);
        let content = v
            .check("content", content(self.content.as_deref()))
            .flatten();
        let estimated_hours = self
            .estimated_hours
            .and_then(|h| v.check("estimated_hours", topic_hours(h)));
        v.finish()?;
        Ok(NewTopic {
            title: title.unwrap_or_default(),
            content,
            estimated_hours,
        })
    }
}

impl UpdateTopic {
    pub(crate) fn parse(self) -> ServiceResult<TopicChanges> {
        let mut v = Validation::new();
        let changes = TopicChanges {
            title: title(&mut v, self.title.as_deref(), false),
            content: patch(&mut v, "content", self.content, |c: String| {
                content(Some(&c))
            })
            .map(Option::flatten),
            estimated_hours: patch(&mut v, "estimated_hours", self.estimated_hours, topic_hours),
            completed: self.completed,
        };
        v.finish()?;
        Ok(changes)
    }
}
