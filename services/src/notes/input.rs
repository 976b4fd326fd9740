//! The bodies that create and change a note, checked whole (every bad field at once).

use maigie_domain::notes as rules;
use maigie_domain::{Tags, Title, Validation};
use maigie_store::notes::{NewNote, NoteChanges};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ServiceResult;
use crate::input::nullable;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    /// 1–200 characters.
    #[schema(example = "Photosynthesis")]
    pub title: String,
    /// Markdown, up to 200,000 characters.
    #[serde(default)]
    pub content: String,
    /// One of your courses.
    pub course_id: Option<Uuid>,
    /// One of your topics.
    pub topic_id: Option<Uuid>,
    /// Up to 20 tags of 1–50 characters.
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNote {
    pub title: Option<String>,
    pub content: Option<String>,
    /// `null` unlinks.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub course_id: Option<Option<Uuid>>,
    /// `null` unlinks.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub topic_id: Option<Option<Uuid>>,
    pub tags: Option<Vec<String>>,
}

impl CreateNote {
    pub(crate) fn parse(self) -> ServiceResult<NewNote> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse(&self.title));
        let content = v.check("content", rules::content(&self.content));
        let tags = v.check("tags", Tags::parse(&self.tags));
        v.finish()?;
        // After `finish`, every checked value is present.
        Ok(NewNote {
            title: title.map(Title::into_string).unwrap_or_default(),
            content: content.unwrap_or_default(),
            course_id: self.course_id,
            topic_id: self.topic_id,
            tags: tags.map(Tags::into_vec).unwrap_or_default(),
        })
    }
}

impl UpdateNote {
    pub(crate) fn parse(self) -> ServiceResult<NoteChanges> {
        let mut v = Validation::new();
        let title = self
            .title
            .as_deref()
            .and_then(|t| v.check("title", Title::parse(t)))
            .map(Title::into_string);
        let content = self
            .content
            .as_deref()
            .and_then(|c| v.check("content", rules::content(c)));
        let tags = self
            .tags
            .as_deref()
            .and_then(|t| v.check("tags", Tags::parse(t)))
            .map(Tags::into_vec);
        v.finish()?;
        Ok(NoteChanges {
            title,
            content,
            course_id: self.course_id,
            topic_id: self.topic_id,
            tags,
        })
    }
}
