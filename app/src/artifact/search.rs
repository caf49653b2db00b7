//! Full-text search behind one interface: SQLite's FTS5 on the default database and
//! PostgreSQL's text search (Dutch, English and unstemmed words) on PostgreSQL. The
//! query that lists the knowledge base without search words goes through the same
//! visibility predicate, so lists and search can never show different things.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain::{MARK_END, MARK_START, Standing};
use crate::error::AppError;

/// What one viewer may see: the communities they are an active member of, and the
/// board whose organisation-wide artifacts they read (none for guests).
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    pub community_ids: Vec<Uuid>,
    pub board_id: Option<Uuid>,
}

impl Visibility {
    /// The rule, for one artifact (the detail page uses this; lists use [`Sql::visible`]).
    pub fn allows(&self, community_id: Uuid, scope_is_organisation: bool, organisation_id: Uuid) -> bool {
        self.community_ids.contains(&community_id) || (scope_is_organisation && self.board_id == Some(organisation_id))
    }
}

/// Narrowing a search or list.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    pub terms: Vec<String>,
    pub kind: Option<String>,
    pub tag: Option<String>,
    pub community_id: Option<Uuid>,
    pub phase: Option<String>,
    pub standing: Option<Standing>,
}

/// A statement built for one backend, with `?` or `$n` placeholders as it needs.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Self { backend, text: String::new(), values: Vec::new() }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            self.text.push_str(&format!("${}", self.values.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    /// `AND (<visible to the viewer>)` for the artifact aliased `a`.
    fn visible(&mut self, visibility: &Visibility) -> &mut Self {
        self.push(" AND (");
        if visibility.community_ids.is_empty() {
            self.push("1 = 0");
        } else {
            self.push("a.community_id IN (");
            for (i, id) in visibility.community_ids.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.bind(*id);
            }
            self.push(")");
        }
        if let Some(board) = visibility.board_id {
            self.push(" OR (a.scope = 'organisation' AND a.organisation_id = ").bind(board).push(")");
        }
        self.push(")")
    }

    fn filters(&mut self, criteria: &Criteria, now: OffsetDateTime) -> &mut Self {
        if let Some(kind) = &criteria.kind {
            self.push(" AND a.kind = ").bind(kind.clone());
        }
        if let Some(phase) = &criteria.phase {
            self.push(" AND a.seci_phase = ").bind(phase.clone());
        }
        if let Some(community) = criteria.community_id {
            self.push(" AND a.community_id = ").bind(community);
        }
        if let Some(tag) = &criteria.tag {
            self.push(" AND EXISTS (SELECT 1 FROM artifact_tags t WHERE t.artifact_id = a.id AND t.tag = ")
                .bind(tag.clone())
                .push(")");
        }
        match criteria.standing {
            None => {}
            Some(Standing::Current) => {
                self.push(" AND a.status = 'current' AND a.review_due_at > ").bind(now);
            }
            Some(Standing::ReviewDue) => {
                self.push(" AND a.status = 'current' AND a.review_due_at <= ").bind(now);
            }
            Some(Standing::Outdated) => {
                self.push(" AND a.status = 'outdated'");
            }
            Some(Standing::Archived) => {
                self.push(" AND a.status = 'archived'");
            }
        }
        self
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// An SQL sort key on an artifact's status column: outdated and archived artifacts
/// sink below current ones.
macro_rules! standing_penalty {
    ($status:literal) => {
        concat!("CASE ", $status, " WHEN 'archived' THEN 2 WHEN 'outdated' THEN 1 ELSE 0 END")
    };
}
pub(crate) use standing_penalty;

const STANDING_PENALTY: &str = standing_penalty!("a.status");

#[derive(Debug, Clone, FromQueryResult)]
pub struct Hit {
    pub id: Uuid,
    pub snippet: Option<String>,
}

/// The artifacts the viewer may see that match, best first, at most `limit`.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    visibility: &Visibility,
    criteria: &Criteria,
    now: OffsetDateTime,
    limit: u64,
) -> Result<Vec<Hit>, AppError> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    if criteria.terms.is_empty() {
        sql.push("SELECT a.id AS id, NULL AS snippet FROM artifacts a WHERE 1 = 1");
        sql.visible(visibility).filters(criteria, now);
        sql.push(&format!(" ORDER BY {STANDING_PENALTY}, a.updated_at DESC LIMIT {limit}"));
    } else if backend == DbBackend::Postgres {
        let prefix = criteria.terms.iter().map(|t| format!("'{t}':*")).collect::<Vec<_>>().join(" & ");
        let words = criteria.terms.join(" ");
        let options = format!("StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=10, MaxFragments=1");
        // The snippet comes from the body when it matches there, else from title and tags.
        sql.push("SELECT id, ts_headline('simple', CASE WHEN to_tsvector('simple', body) @@ to_tsquery('simple', ")
            .bind(prefix.clone())
            .push(") THEN body ELSE title || ' · ' || tags END, to_tsquery('simple', ")
            .bind(prefix.clone())
            .push("), ")
            .bind(options)
            .push(") AS snippet FROM (SELECT a.id AS id, s.body AS body, s.title AS title, s.tags AS tags, ");
        sql.push(&format!("{STANDING_PENALTY} AS penalty, ts_rank_cd(s.document, q.query) AS rank "));
        sql.push("FROM artifact_search s JOIN artifacts a ON a.id = s.artifact_id, (SELECT to_tsquery('simple', ")
            .bind(prefix)
            .push(") || plainto_tsquery('dutch', ")
            .bind(words.clone())
            .push(") || plainto_tsquery('english', ")
            .bind(words)
            .push(") AS query) q WHERE s.document @@ q.query");
        sql.visible(visibility).filters(criteria, now);
        sql.push(&format!(" ORDER BY penalty, rank DESC LIMIT {limit}) hits ORDER BY penalty, rank DESC"));
    } else {
        // Each word as a quoted prefix; the words are letters and digits only. The
        // snippet comes from the column that matches best.
        let matching = criteria.terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ");
        sql.push(&format!(
            "SELECT a.id AS id, snippet(artifact_search, -1, char({}), char({}), '…', 16) AS snippet \
             FROM artifact_search JOIN artifacts a ON a.id = artifact_search.artifact_id \
             WHERE artifact_search MATCH ",
            MARK_START as u32, MARK_END as u32
        ))
        .bind(matching);
        sql.visible(visibility).filters(criteria, now);
        sql.push(&format!(
            " ORDER BY {STANDING_PENALTY}, bm25(artifact_search, 0.0, 10.0, 1.0, 6.0, 2.0) LIMIT {limit}"
        ));
    }
    Ok(Hit::find_by_statement(sql.statement()).all(db).await?)
}

/// Replaces the artifact's entry in the search index.
pub async fn index<C: ConnectionTrait>(
    db: &C,
    artifact_id: Uuid,
    title: &str,
    body_text: &str,
    tags: &[String],
    file_names: &[String],
) -> Result<(), AppError> {
    remove(db, artifact_id).await?;
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("INSERT INTO artifact_search (artifact_id, title, body, tags, files) VALUES (")
        .bind(artifact_id)
        .push(", ")
        .bind(title.to_string())
        .push(", ")
        .bind(body_text.to_string())
        .push(", ")
        .bind(tags.join(", "))
        .push(", ")
        .bind(file_names.join(", "))
        .push(")");
    db.execute_raw(sql.statement()).await?;
    Ok(())
}

pub async fn remove<C: ConnectionTrait>(db: &C, artifact_id: Uuid) -> Result<(), AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("DELETE FROM artifact_search WHERE artifact_id = ").bind(artifact_id);
    db.execute_raw(sql.statement()).await?;
    Ok(())
}
