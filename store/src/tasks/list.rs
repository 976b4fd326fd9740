//! Filtered, searched, sorted pages of tasks (keyset pagination on any sort).

#[allow(clippy::wildcard_imports)]
use super::*;

/// Filters of a task list; the sort and cursor come separately.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// `Some(true)` completed only, `Some(false)` pending only, `None` all.
    pub completed: Option<bool>,
    pub priority: Option<String>,
    pub tag: Option<String>,
    pub goal_id: Option<Uuid>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub search: Option<String>,
}

/// The sort of a list: which key, which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Created,
    Due,
    Priority,
    Title,
}

/// A row of a list with its sort key, as text, for the next cursor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedTask {
    #[sqlx(flatten)]
    pub task: TaskRow,
    pub sort_key: String,
}

fn push_sort_expr(q: &mut QueryBuilder<Postgres>, key: SortKey, ascending: bool, tz: &str) {
    match key {
        SortKey::Created => {
            q.push("created_at");
        }
        SortKey::Due => {
            // Tasks without a due date come last either way.
            q.push("COALESCE(due_at, due_date::timestamp AT TIME ZONE ")
                .push_bind(tz.to_owned())
                .push(if ascending {
                    ", 'infinity'::timestamptz)"
                } else {
                    ", '-infinity'::timestamptz)"
                });
        }
        SortKey::Priority => {
            q.push("(CASE priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END)");
        }
        SortKey::Title => {
            q.push("lower(title)");
        }
    }
}

fn sort_type(key: SortKey) -> &'static str {
    match key {
        SortKey::Created | SortKey::Due => "timestamptz",
        SortKey::Priority => "integer",
        SortKey::Title => "text",
    }
}

/// One page of the user's tasks. `after` is the `(sort key, id)` of the last row of
/// the previous page; `tz` is the user's zone (all-day dues and overdue).
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: &PgPool,
    user_id: Uuid,
    tz: &str,
    filter: &TaskFilter,
    key: SortKey,
    ascending: bool,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<ListedTask>, StoreError> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(concat!("SELECT ", columns!(), ", ("));
    push_sort_expr(&mut q, key, ascending, tz);
    q.push(")::text AS sort_key FROM tasks WHERE user_id = ")
        .push_bind(user_id);
    if let Some(done) = filter.completed {
        q.push(" AND completed = ").push_bind(done);
    }
    if let Some(p) = &filter.priority {
        q.push(" AND priority = ").push_bind(p.clone());
    }
    if let Some(tag) = &filter.tag {
        q.push(" AND ").push_bind(tag.clone()).push(" = ANY(tags)");
    }
    if let Some(goal) = filter.goal_id {
        q.push(" AND goal_id = ").push_bind(goal);
    }
    for (bound, op) in [(filter.due_before, " < "), (filter.due_after, " >= ")] {
        if let Some(at) = bound {
            q.push(" AND COALESCE(due_at, due_date::timestamp AT TIME ZONE ")
                .push_bind(tz.to_owned())
                .push(")")
                .push(op)
                .push_bind(at);
        }
    }
    if filter.overdue {
        q.push(" AND NOT completed AND COALESCE(due_at, (due_date + 1)::timestamp AT TIME ZONE ")
            .push_bind(tz.to_owned())
            .push(") < now()");
    }
    if let Some(search) = &filter.search {
        q.push(" AND search @@ websearch_to_tsquery('english', ")
            .push_bind(search.clone())
            .push(")");
    }
    if let Some((sort_key, id)) = after {
        q.push(" AND ((");
        push_sort_expr(&mut q, key, ascending, tz);
        q.push(", id)")
            .push(if ascending { " > " } else { " < " })
            .push("(CAST(");
        q.push_bind(sort_key)
            .push(" AS ")
            .push(sort_type(key))
            .push("), ")
            .push_bind(id)
            .push("))");
    }
    q.push(" ORDER BY ");
    push_sort_expr(&mut q, key, ascending, tz);
    let dir = if ascending { " ASC" } else { " DESC" };
    q.push(dir)
        .push(", id")
        .push(dir)
        .push(" LIMIT ")
        .push_bind(limit);
    Ok(q.build_query_as().fetch_all(db).await?)
}
