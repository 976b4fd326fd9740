//! Readable, unique operation ids derived from the method and the path: generated
//! clients name their methods after them, so they must not follow Rust function names.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// What the verb of an operation id is inferred from.
pub struct Shape<'a> {
    /// The methods on the same path.
    pub methods_here: &'a BTreeSet<String>,
    /// Every path of the document.
    pub templates: &'a [String],
    /// The success answer is an array or a page (`items`).
    pub lists: bool,
    /// The success answer is 201 Created.
    pub creates: bool,
}

/// `tasks_list`, `tasks_create`, `tasks_get`, `tasks_update`, `tasks_delete`, and the
/// bare resource name for an action (`auth_login`, `tasks_complete`).
pub fn operation_id(path: &str, method: &str, shape: &Shape<'_>) -> String {
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let resource = segments
        .iter()
        .filter(|s| !s.starts_with('{') && **s != "api")
        .map(|s| s.replace(['-', '.'], "_"))
        .collect::<Vec<_>>()
        .join("_");
    let last = segments.last().copied().unwrap_or_default();
    let ends_in_param = last.starts_with('{');
    let prefix = format!("{path}/{{");
    let collection = !ends_in_param
        && (shape.lists
            || shape
                .templates
                .iter()
                .any(|t| t.starts_with(&prefix) && !t[prefix.len()..].contains('/')));
    let plural = last.ends_with('s');
    let verb = match method {
        "get" if collection => "list",
        "get" => "get",
        "post" if collection || shape.methods_here.contains("get") => "create",
        "post" if shape.creates && plural => "create",
        "post" => return resource,
        "put" => "replace",
        "patch" => "update",
        _ => "delete",
    };
    format!("{resource}_{verb}")
}

/// Whether the 200 answer is a list: an array, or a page object with `items`.
pub(super) fn answers_a_list(op: &Map<String, Value>) -> bool {
    let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
    schema["type"] == "array"
        || schema["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("Page") || r.ends_with("List"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &str, method: &str, here: &[&str], all: &[&str]) -> String {
        let here = here.iter().map(|m| (*m).to_owned()).collect();
        let all: Vec<String> = all.iter().map(|p| (*p).to_owned()).collect();
        let shape = Shape {
            methods_here: &here,
            templates: &all,
            lists: false,
            creates: false,
        };
        operation_id(path, method, &shape)
    }

    #[test]
    fn collections_list_and_create_items_get_update_delete_and_actions_keep_their_name() {
        let all = ["/api/tasks", "/api/tasks/{id}", "/api/tasks/{id}/complete"];
        assert_eq!(
            id("/api/tasks", "get", &["get", "post"], &all),
            "tasks_list"
        );
        assert_eq!(
            id("/api/tasks", "post", &["get", "post"], &all),
            "tasks_create"
        );
        assert_eq!(id("/api/tasks/{id}", "get", &["get"], &all), "tasks_get");
        assert_eq!(
            id("/api/tasks/{id}", "patch", &["patch"], &all),
            "tasks_update"
        );
        assert_eq!(
            id("/api/tasks/{id}", "delete", &["delete"], &all),
            "tasks_delete"
        );
        assert_eq!(
            id("/api/tasks/{id}/complete", "post", &["post"], &all),
            "tasks_complete"
        );
        assert_eq!(id("/api/auth/login", "post", &["post"], &all), "auth_login");
        assert_eq!(id("/api/users/me", "get", &["get"], &all), "users_me_get");
    }

    #[test]
    fn a_page_is_listed_and_a_201_on_a_plural_creates() {
        let here = BTreeSet::from(["get".to_owned()]);
        let shape = Shape {
            methods_here: &here,
            templates: &[],
            lists: true,
            creates: false,
        };
        assert_eq!(
            operation_id("/api/goals/{id}/tasks", "get", &shape),
            "goals_tasks_list"
        );
        let here = BTreeSet::from(["post".to_owned()]);
        let shape = Shape {
            methods_here: &here,
            templates: &[],
            lists: false,
            creates: true,
        };
        assert_eq!(
            operation_id("/api/plans/daily/{id}/items", "post", &shape),
            "plans_daily_items_create"
        );
        assert_eq!(
            operation_id("/api/auth/register", "post", &shape),
            "auth_register"
        );
    }
}
