//! What each live event carries: the type of its `data` for every [`EventKind`]
//! (the exhaustive match below cannot miss a kind), and the small payloads that are
//! not views of their own. The AsyncAPI document of `GET /ws` takes its schemas from
//! here, and tests check the events the use-cases announce against them.

use std::collections::BTreeMap;

use maigie_domain::EventKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Ref, RefOr};
use uuid::Uuid;

use crate::accounts::UserView;
use crate::billing::SubscriptionView;
use crate::chat::events::{
    ActionUndone, ChatConfirmationRequired, ChatDelta, ChatDone, ChatToolCall,
};
use crate::courses::{CourseItemDeleted, CourseView, ModuleView, TopicView};
use crate::goals::GoalView;
use crate::notes::NoteView;
use crate::notifications::{MarkedRead, NotificationSettings, NotificationView};
use crate::plans::{DailyPlanDetail, PlanItemView, WeeklyPlanDetail};
use crate::resources::{ResourceView, SavedResourceView};
use crate::schedule::drafts::{DraftReady, GenerationProgress};
use crate::schedule::{BlockView, OccurrenceView};
use crate::tasks::TaskView;
use crate::voice::events::{VoiceAudio, VoiceFailed, VoicePending, VoiceTranscript};

/// The data of a `*.deleted` event: the id of what is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deleted {
    pub id: Uuid,
}

/// The data of `saved_resource.deleted`: the resource no longer saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SavedResourceDeleted {
    pub resource_id: Uuid,
}

/// The data of `welcome` (built by the `user_onboarding` workflow).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Welcome {
    #[schema(example = "ada@example.com")]
    pub email: String,
    pub name: Option<String>,
}

/// The schema of an event's `data`: a reference to a named schema, and every named
/// schema it needs.
#[derive(Clone)]
pub struct DataSchema {
    /// `#/components/schemas/<name>`.
    pub schema: RefOr<Schema>,
    /// The name of the data's own schema.
    pub name: String,
    /// Named schemas, the data's own included.
    pub components: Vec<(String, RefOr<Schema>)>,
}

fn of<T: ToSchema>() -> DataSchema {
    let name = T::name().into_owned();
    let mut components = vec![(name.clone(), T::schema())];
    T::schemas(&mut components);
    DataSchema {
        schema: RefOr::Ref(Ref::from_schema_name(name.clone())),
        name,
        components,
    }
}

/// The schema of the `data` of `kind`'s events: the type its publisher serialises.
#[must_use]
pub fn data_schema(kind: EventKind) -> DataSchema {
    use EventKind as K;
    match kind {
        K::Welcome => of::<Welcome>(),
        K::UserUpdated => of::<UserView>(),
        K::CourseCreated | K::CourseUpdated => of::<CourseView>(),
        K::ModuleCreated | K::ModuleUpdated => of::<ModuleView>(),
        K::TopicCreated | K::TopicUpdated => of::<TopicView>(),
        K::CourseDeleted | K::ModuleDeleted | K::TopicDeleted => of::<CourseItemDeleted>(),
        K::GoalCreated | K::GoalUpdated => of::<GoalView>(),
        K::TaskCreated | K::TaskUpdated => of::<TaskView>(),
        K::ScheduleBlockCreated | K::ScheduleBlockUpdated => of::<BlockView>(),
        K::ScheduleOccurrenceUpdated => of::<OccurrenceView>(),
        K::ScheduleGenerationProgress => of::<GenerationProgress>(),
        K::ScheduleDraftReady => of::<DraftReady>(),
        K::WeeklyPlanCreated | K::WeeklyPlanUpdated => of::<WeeklyPlanDetail>(),
        K::DailyPlanCreated | K::DailyPlanUpdated => of::<DailyPlanDetail>(),
        K::PlanItemCreated | K::PlanItemUpdated => of::<PlanItemView>(),
        K::NoteCreated | K::NoteUpdated => of::<NoteView>(),
        K::ResourceCreated | K::ResourceUpdated => of::<ResourceView>(),
        K::SavedResourceCreated | K::SavedResourceUpdated => of::<SavedResourceView>(),
        K::SavedResourceDeleted => of::<SavedResourceDeleted>(),
        K::NotificationCreated | K::NotificationUpdated => of::<NotificationView>(),
        K::NotificationAllRead => of::<MarkedRead>(),
        K::NotificationPreferencesUpdated => of::<NotificationSettings>(),
        K::SubscriptionUpdated => of::<SubscriptionView>(),
        K::ChatDelta => of::<ChatDelta>(),
        K::ChatToolCall => of::<ChatToolCall>(),
        K::ChatConfirmationRequired => of::<ChatConfirmationRequired>(),
        K::ChatDone => of::<ChatDone>(),
        K::AiActionUndone => of::<ActionUndone>(),
        K::VoicePending => of::<VoicePending>(),
        K::VoiceTranscript => of::<VoiceTranscript>(),
        K::VoiceAudio => of::<VoiceAudio>(),
        K::VoiceFailed => of::<VoiceFailed>(),
        K::GoalDeleted
        | K::TaskDeleted
        | K::ScheduleBlockDeleted
        | K::WeeklyPlanDeleted
        | K::DailyPlanDeleted
        | K::PlanItemDeleted
        | K::NoteDeleted
        | K::ResourceDeleted
        | K::NotificationDeleted => of::<Deleted>(),
    }
}

/// A self-contained JSON Schema of `kind`'s `data` (its named schemas under
/// `components/schemas`, where its `$ref`s point), to check an event with.
#[must_use]
pub fn json_schema(kind: EventKind) -> Value {
    let data = data_schema(kind);
    let schemas: BTreeMap<String, RefOr<Schema>> = data.components.into_iter().collect();
    serde_json::json!({
        "allOf": [{ "$ref": format!("#/components/schemas/{}", data.name) }],
        "components": { "schemas": schemas },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_named_data_schema_with_its_references() {
        for kind in EventKind::ALL {
            let data = data_schema(*kind);
            let names: Vec<&str> = data.components.iter().map(|(n, _)| n.as_str()).collect();
            assert!(names.contains(&data.name.as_str()), "{kind}: {names:?}");
            let text = serde_json::to_string(&json_schema(*kind)).expect("json");
            let mut rest = text.as_str();
            while let Some(at) = rest.find("#/components/schemas/") {
                rest = &rest[at + "#/components/schemas/".len()..];
                let name: String = rest.chars().take_while(|c| *c != '"').collect();
                assert!(
                    names.contains(&name.as_str()),
                    "{kind}: {name} is not included"
                );
            }
        }
    }
}
