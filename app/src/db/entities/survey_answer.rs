use sea_orm::entity::prelude::*;

/// One answer to one statement: no person, no time, no link to the other answers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_answers")]
pub struct Model {
    /// Random (v4), so it does not tell when it was given.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub survey_id: Uuid,
    pub item_id: Uuid,
    /// 1 (strongly disagree) to 4 (strongly agree).
    pub value: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
