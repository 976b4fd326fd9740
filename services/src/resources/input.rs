//! The bodies that create and change a catalogue entry, checked whole (every bad
//! field at once).

use maigie_domain::planning::optional_text;
use maigie_domain::resources::{
    self as rules, Difficulty, ResourceType, SOURCE_MAX, TEXT_MAX, TITLE_MAX, URL_MAX,
};
use maigie_domain::{InputError, Title, Validation};
use maigie_store::resources::{ResourceChanges, ResourceFields};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ServiceResult;
use crate::input::{nullable, parse_enum};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResource {
    /// 1–300 characters.
    #[schema(example = "The Rust Book")]
    pub title: String,
    /// article, video, course, book, podcast, exercise, documentation or other.
    #[schema(value_type = maigie_domain::resources::ResourceType, example = "book")]
    pub resource_type: String,
    /// http:// or https://, at most 2048 characters.
    #[schema(example = "https://doc.rust-lang.org/book/")]
    pub url: String,
    /// 1–200 characters, e.g. "YouTube".
    pub source: Option<String>,
    /// beginner, intermediate or advanced.
    #[schema(value_type = Option<maigie_domain::resources::Difficulty>)]
    pub difficulty: Option<String>,
    /// 0–100,000.
    pub duration_minutes: Option<i64>,
    /// http:// or https://.
    pub thumbnail_url: Option<String>,
    /// Up to 10,000 characters.
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResource {
    pub title: Option<String>,
    #[schema(value_type = Option<maigie_domain::resources::ResourceType>)]
    pub resource_type: Option<String>,
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<maigie_domain::resources::Difficulty>)]
    pub difficulty: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub thumbnail_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

/// An absolute `http`/`https` URL with a host, at most 2048 characters, parsed
/// with the WHATWG parser (`url` crate) and stored in its normalised form.
pub fn web_url(raw: &str) -> Result<String, InputError> {
    let invalid = || InputError::UnknownVariant("an http(s) URL".to_owned());
    let trimmed = raw.trim();
    if trimmed.chars().count() > URL_MAX {
        return Err(InputError::TooLong { max: URL_MAX });
    }
    let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid());
    }
    let out = url.as_str().to_owned();
    if out.chars().count() > URL_MAX {
        return Err(InputError::TooLong { max: URL_MAX });
    }
    Ok(out)
}

/// Records a URL error under `field` with its own code (`invalid_url`).
fn check_url(v: &mut Validation, field: &str, raw: &str) -> Option<String> {
    match web_url(raw) {
        Ok(url) => Some(url),
        Err(InputError::TooLong { max }) => {
            v.push(
                field,
                "too_long",
                format!("must be at most {max} characters"),
            );
            None
        }
        Err(_) => {
            v.push(
                field,
                "invalid_url",
                "must be an absolute http:// or https:// URL",
            );
            None
        }
    }
}

fn check_minutes(v: &mut Validation, raw: Option<i64>) -> Option<Option<i32>> {
    match raw {
        None => Some(None),
        Some(m) => v
            .check("duration_minutes", rules::duration_minutes(m))
            .map(Some),
    }
}

impl CreateResource {
    pub(crate) fn parse(&self) -> ServiceResult<ResourceFields> {
        let mut v = Validation::new();
        let title = v.check("title", Title::parse_max(&self.title, TITLE_MAX));
        let kind: Option<ResourceType> = v.check("resource_type", self.resource_type.parse());
        let url = check_url(&mut v, "url", &self.url);
        let source = v.check("source", optional_text(self.source.as_deref(), SOURCE_MAX));
        let difficulty: Option<Difficulty> =
            parse_enum(&mut v, "difficulty", self.difficulty.as_deref());
        let minutes = check_minutes(&mut v, self.duration_minutes);
        let thumbnail = match self.thumbnail_url.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => check_url(&mut v, "thumbnail_url", raw).map(Some),
        };
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), TEXT_MAX),
        );
        v.finish()?;
        // Every field passed, so each `Option` above is `Some`.
        Ok(ResourceFields {
            title: title.map(Title::into_string).unwrap_or_default(),
            resource_type: kind.map(ResourceType::as_str).unwrap_or_default(),
            url: url.unwrap_or_default(),
            source: source.flatten(),
            difficulty: difficulty.map(Difficulty::as_str),
            duration_minutes: minutes.flatten(),
            thumbnail_url: thumbnail.flatten(),
            description: description.flatten(),
        })
    }
}

impl UpdateResource {
    pub(crate) fn parse(&self) -> ServiceResult<ResourceChanges> {
        let mut v = Validation::new();
        let title = self
            .title
            .as_deref()
            .and_then(|t| v.check("title", Title::parse_max(t, TITLE_MAX)))
            .map(Title::into_string);
        let kind: Option<ResourceType> =
            parse_enum(&mut v, "resource_type", self.resource_type.as_deref());
        let url = self
            .url
            .as_deref()
            .and_then(|u| check_url(&mut v, "url", u));
        let source = self.source.as_ref().map(|s| {
            v.check("source", optional_text(s.as_deref(), SOURCE_MAX))
                .flatten()
        });
        let difficulty = self.difficulty.as_ref().map(|d| {
            parse_enum::<Difficulty>(&mut v, "difficulty", d.as_deref()).map(Difficulty::as_str)
        });
        let minutes = self
            .duration_minutes
            .map(|m| check_minutes(&mut v, m).flatten());
        let thumbnail = self.thumbnail_url.as_ref().map(|t| match t.as_deref() {
            None => None,
            Some(raw) => check_url(&mut v, "thumbnail_url", raw),
        });
        let description = self.description.as_ref().map(|d| {
            v.check("description", optional_text(d.as_deref(), TEXT_MAX))
                .flatten()
        });
        v.finish()?;
        Ok(ResourceChanges {
            title,
            resource_type: kind.map(ResourceType::as_str),
            url,
            source,
            difficulty,
            duration_minutes: minutes,
            thumbnail_url: thumbnail,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_accepted() {
        assert_eq!(
            web_url(" https://Example.com/a b ").as_deref(),
            Ok("https://example.com/a%20b")
        );
        assert!(web_url("http://example.com").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com/x",
            "example.com",
            "https://",
            "data:text/html,hi",
            "",
        ] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX));
        assert_eq!(web_url(&long), Err(InputError::TooLong { max: URL_MAX }));
    }
}
