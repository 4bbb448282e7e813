//! SQL the query builder has no words for (text search, trigram operators, `unnest`), written as
//! static text with bound values.
//!
//! `diesel::dsl::sql` would do, but diesel cannot vouch for the text of a literal, so a statement
//! holding one is never kept in the connection's statement cache: PostgreSQL parses and plans it
//! again on every request, a round trip of its own. A [`Fragment`] is only ever built from
//! `&'static str` pieces and bound parameters, so the same shape of statement always has the same
//! text, and diesel keeps it, keyed by that text.

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::expression::{TypedExpressionType, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, SqlType, Text};

/// One piece of a [`Fragment`].
#[derive(Clone, Debug)]
enum Piece {
    Sql(&'static str),
    Text(String),
    Texts(Vec<String>),
}

/// An SQL expression of type `ST`: static text and bound values, in order.
#[derive(Clone, Debug)]
pub struct Fragment<ST> {
    pieces: Vec<Piece>,
    sql_type: PhantomData<fn() -> ST>,
}

impl<ST> Fragment<ST> {
    /// The expression that starts with `sql`.
    pub fn new(sql: &'static str) -> Self {
        Self {
            pieces: vec![Piece::Sql(sql)],
            sql_type: PhantomData,
        }
    }

    /// Continues with more text.
    pub fn sql(mut self, sql: &'static str) -> Self {
        self.pieces.push(Piece::Sql(sql));
        self
    }

    /// Continues with a bound `text` value.
    pub fn text(mut self, value: impl Into<String>) -> Self {
        self.pieces.push(Piece::Text(value.into()));
        self
    }

    /// Continues with a bound `text[]` value.
    pub fn texts(mut self, values: &[String]) -> Self {
        self.pieces.push(Piece::Texts(values.to_vec()));
        self
    }
}

impl<ST> Expression for Fragment<ST>
where
    ST: SqlType + TypedExpressionType,
{
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for Fragment<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Sql(sql) => out.push_sql(sql),
                Piece::Text(value) => out.push_bind_param::<Text, _>(value)?,
                Piece::Texts(values) => out.push_bind_param::<Array<Text>, _>(values)?,
            }
        }
        Ok(())
    }
}

impl<ST> QueryId for Fragment<ST> {
    type QueryId = ();
    // The text varies with the pieces: the statement cache keys such a statement by its SQL.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for Fragment<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for Fragment<ST> where Self: Expression {}

impl<ST, GroupBy> ValidGrouping<GroupBy> for Fragment<ST> {
    type IsAggregate = is_aggregate::Never;
}

#[cfg(test)]
mod tests {
    use diesel::debug_query;
    use diesel::sql_types::Bool;

    use super::*;

    fn cacheable(query: &impl QueryFragment<Pg>) -> bool {
        query.is_safe_to_cache_prepared(&Pg).unwrap_or(false)
    }

    #[test]
    fn a_fragment_binds_its_values_and_may_be_cached() {
        let f = Fragment::<Bool>::new("strpos(x, ")
            .text("dan cu")
            .sql(") > 0 AND y = ANY(")
            .texts(&["a".to_owned(), "b".to_owned()])
            .sql(")");
        let select = diesel::select(f);
        assert_eq!(
            debug_query::<Pg, _>(&select).to_string(),
            "SELECT strpos(x, $1) > 0 AND y = ANY($2) -- binds: [\"dan cu\", [\"a\", \"b\"]]"
        );
        assert!(
            cacheable(&select),
            "a statement built of fragments can be kept in the statement cache"
        );
        assert!(
            !cacheable(&diesel::select(diesel::dsl::sql::<Bool>("true"))),
            "unlike one holding an sql() literal"
        );
    }
}
