//! Platform rows and their queries.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Float4, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::contacts::{Contact, ContactFields};
use super::fragment::Fragment;
use super::schema::{platform_ownerships, platforms};

/// A platform as stored.
#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = platforms, check_for_backend(Pg))]
pub struct Platform {
    pub id: i64,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub short_name: Option<String>,
    pub description: String,
    pub ministry_code: String,
    pub operator: Option<String>,
    pub domains: Vec<String>,
    pub audiences: Vec<String>,
    pub status: String,
    pub url: Option<String>,
    pub ndxp_status: String,
    pub legal_basis_number: Option<String>,
    pub legal_basis_date: Option<NaiveDate>,
    pub source: Option<String>,
    pub confidence: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub profile: serde_json::Value,
}

impl Platform {
    /// The writable state, as a client would send it: the base of a merge patch and of the
    /// history's field-level diffs.
    pub fn snapshot(&self) -> serde_json::Value {
        let mut snapshot = serde_json::json!({
            "code": self.code,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "short_name": self.short_name,
            "description": if self.description.is_empty() { None } else { Some(&self.description) },
            "ministry": self.ministry_code,
            "operator": self.operator,
            "domains": self.domains,
            "audiences": self.audiences,
            "status": self.status,
            "url": self.url,
            "ndxp_status": self.ndxp_status,
            "legal_basis": self.legal_basis_number.as_ref()
                .map(|n| serde_json::json!({"number": n, "date": self.legal_basis_date})),
            "source": self.source,
        });
        // A platform without a profile is written as before profiles existed.
        if self.profile.as_object().is_some_and(|o| !o.is_empty())
            && let Some(object) = snapshot.as_object_mut()
        {
            object.insert("profile".to_owned(), self.profile.clone());
        }
        snapshot
    }
}

/// A platform to insert.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = platforms)]
pub struct NewPlatform<'a> {
    pub code: &'a str,
    pub ministry_code: &'a str,
    pub confidence: &'a str,
    #[diesel(embed)]
    pub changes: PlatformChangeset<'a>,
}

/// An ownership period of a platform.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = platform_ownerships, check_for_backend(Pg))]
pub struct Ownership {
    pub platform_id: i64,
    pub ministry_code: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// An ownership period to insert.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = platform_ownerships)]
pub struct NewOwnership<'a> {
    pub platform_id: i64,
    pub ministry_code: &'a str,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub reason: Option<&'a str>,
}

/// The filters of the platform list. Values are already validated.
#[derive(Clone, Debug, Default)]
pub struct PlatformFilter {
    pub ministry: Option<String>,
    pub domain: Option<String>,
    pub audience: Option<String>,
    pub status: Option<String>,
    pub ndxp_status: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
}

fn filtered(filter: &PlatformFilter) -> platforms::BoxedQuery<'_, Pg> {
    let mut query = platforms::table.into_boxed();
    if let Some(ministry) = &filter.ministry {
        query = query.filter(platforms::ministry_code.eq(ministry));
    }
    if let Some(domain) = &filter.domain {
        query = query.filter(platforms::domains.contains(vec![domain.as_str()]));
    }
    if let Some(audience) = &filter.audience {
        query = query.filter(platforms::audiences.contains(vec![audience.as_str()]));
    }
    if let Some(status) = &filter.status {
        query = query.filter(platforms::status.eq(status));
    }
    if let Some(ndxp) = &filter.ndxp_status {
        query = query.filter(platforms::ndxp_status.eq(ndxp));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(platforms::updated_at.ge(since));
    }
    query
}

/// The words of a folded spelling: its runs of letters and digits.
fn words_of(spelling: &str) -> Vec<&str> {
    spelling
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether the pair index holds the words of a spelling: two or more, each of plain letters and
/// digits (the pair index splits the folded text on anything else).
fn is_pairable(words: &[&str]) -> bool {
    words.len() >= 2
        && words.iter().all(|w| {
            w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Whether a word of a spelling is looked up as the beginning of a word of the row rather than as a
/// whole word: any word but a Vietnamese syllable, unless the spelling is asked for `whole`.
fn word_is_prefix(word: &str, whole: bool) -> bool {
    !whole && !crate::domain::search::is_syllable(word)
}

/// The text-search query finding the rows that contain every word of one of `spellings` (folded,
/// space-separated): `(hoa & don & dien & tu) | hddt:*`, or of every spelling when `every`. A
/// Vietnamese syllable must be a word of the row; any other word (an abbreviation, an English word
/// without its ending) may begin one, as "csdl" begins "csdlqg" and "invoic" begins "invoicing",
/// unless its spelling is in `whole`. Matching every syllable as a prefix made the lookup slow
/// ("tu" begins thousands of words).
fn words_query(spellings: &[String], whole: &[String], every: bool) -> Option<String> {
    let groups: Vec<String> = spellings
        .iter()
        .filter_map(|spelling| {
            let whole = whole.contains(spelling);
            let words: Vec<String> = words_of(spelling)
                .into_iter()
                .map(|w| {
                    let prefix = if word_is_prefix(w, whole) { ":*" } else { "" };
                    // Only letters and digits are left: nothing to escape.
                    format!("'{w}'{prefix}")
                })
                .collect();
            (!words.is_empty()).then(|| format!("({})", words.join(" & ")))
        })
        .collect();
    (!groups.is_empty()).then(|| groups.join(if every { " & " } else { " | " }))
}

/// The pairs of neighbouring words a row holding `words` (a phrase of plain words found as text)
/// holds, each with whether it is looked up as a prefix. The spelling is found as text, so its first
/// word may end a longer word of the row ("khe thong" holds "he thong") and its last may begin one
/// ("he thong hoat dong" holds "he thong hoa"): the last pair is a prefix, unless the spelling is
/// asked for `whole`, and the first is left out when others remain. The row then holds every pair
/// asked for wherever it holds the text.
fn pairs_of(words: &[&str], whole: bool) -> Vec<(String, bool)> {
    let last = words.len() - 2;
    let first = usize::from(last > 0);
    words
        .windows(2)
        .enumerate()
        .skip(first)
        .map(|(i, pair)| (format!("{}_{}", pair[0], pair[1]), i == last && !whole))
        .collect()
}

/// The spellings of two words or more, each a run of plain letters and digits, as a query of the
/// pair index (`ndp_word_pairs`): `('don_dien' & 'dien_tu':*)`; and the other spellings,
/// left to the word index. A row holding a phrase holds each pair of its neighbouring words, and
/// a pair is far rarer than either of its words: "he thong hoa" is looked up as two pairs, not as
/// three words each in a third of a large registry. The groups are joined by `&` when `every`
/// spelling is wanted, by `|` when one is.
fn pairs_query(
    spellings: &[String],
    whole: &[String],
    every: bool,
) -> (Option<String>, Vec<String>) {
    let mut groups: Vec<String> = Vec::new();
    let mut rest = Vec::new();
    for spelling in spellings {
        let words = words_of(spelling);
        if is_pairable(&words) {
            let pairs: Vec<String> = pairs_of(&words, whole.contains(spelling))
                .into_iter()
                .map(|(pair, prefix)| format!("'{pair}'{}", if prefix { ":*" } else { "" }))
                .collect();
            let group = format!("({})", pairs.join(" & "));
            if !groups.contains(&group) {
                groups.push(group);
            }
        } else {
            rest.push(spelling.clone());
        }
    }
    let joiner = if every { " & " } else { " | " };
    ((!groups.is_empty()).then(|| groups.join(joiner)), rest)
}

/// About how many platforms hold each common word and each common pair of neighbouring words:
/// what PostgreSQL's statistics of the word and pair indexes say (the most common elements that
/// `ANALYZE`, or autovacuum, keeps of a text-search column, up to 1,000 each, with the share of
/// rows holding each). A word or pair not listed is rarer than every one listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WordStatistics {
    /// About how many platforms there are.
    pub rows: f64,
    /// The share of platforms holding each listed word.
    words: std::collections::BTreeMap<String, f64>,
    /// The share of platforms holding each listed pair (`hoa_don`).
    pairs: std::collections::BTreeMap<String, f64>,
}

impl WordStatistics {
    /// Statistics of `rows` platforms, from (word or pair, share of rows) lists.
    pub fn new(rows: f64, words: &[(&str, f64)], pairs: &[(&str, f64)]) -> Self {
        let owned =
            |list: &[(&str, f64)]| list.iter().map(|(w, f)| ((*w).to_owned(), *f)).collect();
        Self {
            rows,
            words: owned(words),
            pairs: owned(pairs),
        }
    }

    /// About how many platforms the indexes find for `spelling` (folded), as the candidate look-up
    /// asks for it: its last word whole or as a prefix (`whole`). The least of its pairs' or
    /// words' counts (a row holding the spelling holds each of them); a prefix counts every listed
    /// lexeme it begins. Nothing listed counts as none.
    pub fn estimate(&self, spelling: &str, whole: bool) -> f64 {
        fn share(
            list: &std::collections::BTreeMap<String, f64>,
            lexeme: &str,
            prefix: bool,
        ) -> f64 {
            if prefix {
                let sum: f64 = list
                    .range(lexeme.to_owned()..)
                    .take_while(|(k, _)| k.starts_with(lexeme))
                    .map(|(_, f)| f)
                    .sum();
                sum.min(1.0)
            } else {
                list.get(lexeme).copied().unwrap_or(0.0)
            }
        }
        let words = words_of(spelling);
        let least = if is_pairable(&words) {
            pairs_of(&words, whole)
                .iter()
                .map(|(pair, prefix)| share(&self.pairs, pair, *prefix))
                .fold(f64::INFINITY, f64::min)
        } else {
            words
                .iter()
                .map(|w| share(&self.words, w, word_is_prefix(w, whole)))
                .fold(f64::INFINITY, f64::min)
        };
        if least.is_finite() {
            least * self.rows
        } else {
            0.0
        }
    }
}

/// One listed lexeme of an index's statistics.
#[derive(Debug, QueryableByName)]
struct ListedLexeme {
    #[diesel(sql_type = Text)]
    index: String,
    #[diesel(sql_type = Text)]
    lexeme: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    share: f64,
}

/// The statistics of the word and pair indexes (empty lists while the table has never been
/// analysed): one read of `pg_stats`, and the platform count.
pub async fn word_statistics(conn: &mut AsyncPgConnection) -> QueryResult<WordStatistics> {
    let listed: Vec<ListedLexeme> = diesel::sql_query(
        "SELECT s.tablename::text AS index, e.lexeme, e.share::float8 AS share
           FROM pg_stats s
          CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
                AS e(lexeme, share)
          WHERE s.schemaname = current_schema()
            AND s.tablename IN ('platforms_search_words_idx', 'platforms_search_pairs_idx')
            AND e.lexeme IS NOT NULL",
    )
    .load(conn)
    .await?;
    let rows = approximate_count(conn).await? as f64;
    let mut stats = WordStatistics {
        rows,
        ..WordStatistics::default()
    };
    for l in listed {
        let list = if l.index == "platforms_search_pairs_idx" {
            &mut stats.pairs
        } else {
            &mut stats.words
        };
        list.insert(l.lexeme, l.share);
    }
    Ok(stats)
}

/// What the candidate look-up asks the word, pair and trigram indexes for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lookup {
    /// The spellings (folded) a candidate holds: one of them, or all with `every`.
    pub spellings: Vec<String>,
    /// Those of `spellings` whose last word must be a whole word of the row, not the beginning of
    /// a longer one ("dan cu" and not "huong dan cua").
    pub whole: Vec<String>,
    /// Whether a candidate must hold every spelling rather than one.
    pub every: bool,
    /// Words a candidate may hold with a typo (pg_trgm word similarity).
    pub fuzzy: Vec<String>,
}

impl Lookup {
    /// Rows holding any of `spellings`, or a word within a typo of one of `fuzzy`.
    pub fn any(spellings: Vec<String>, fuzzy: Vec<String>) -> Self {
        Self {
            spellings,
            fuzzy,
            ..Self::default()
        }
    }
}

/// What a platform's representation embeds besides its own row: its contacts (by id), its
/// ownership periods (oldest first) and the keys of the list editions it belongs to.
#[derive(Clone, Debug, Default)]
pub struct Parts {
    pub contacts: Vec<Contact>,
    pub ownerships: Vec<Ownership>,
    pub lists: Vec<String>,
}

/// The parts of the platform of the enclosing query (`"platforms"."id"`), as one JSON array
/// `[contacts, ownerships, lists]` of arrays, so that a platform and everything its
/// representation embeds come from one statement, one snapshot. Times are written in UTC without
/// an offset: what the session's time zone would print (historic offsets carry seconds) must not
/// matter.
const PARTS_SQL: &str = "(SELECT json_build_array(
    (SELECT coalesce(json_agg(json_build_array(c.id, c.role, c.name, c.unit, c.email, c.phone,
            c.url, c.notes, c.source, c.version, c.created_at AT TIME ZONE 'UTC',
            c.updated_at AT TIME ZONE 'UTC') ORDER BY c.id), '[]')
       FROM contacts c WHERE c.platform_id = platforms.id),
    (SELECT coalesce(json_agg(json_build_array(o.ministry_code, o.valid_from, o.valid_to, o.reason)
            ORDER BY o.valid_from ASC NULLS FIRST, o.id), '[]')
       FROM platform_ownerships o WHERE o.platform_id = platforms.id),
    (SELECT coalesce(json_agg(m.list_key ORDER BY m.list_key), '[]')
       FROM list_memberships m WHERE m.platform_id = platforms.id))::text)";

/// [`PARTS_SQL`] as a select expression (a [`Fragment`], so that the statement is prepared once
/// per connection and reused).
fn parts_of_platform() -> Fragment<Text> {
    Fragment::new(PARTS_SQL)
}

/// PostgreSQL's estimate of the number of platforms.
const PLATFORMS_ESTIMATE_SQL: &str =
    "(SELECT reltuples FROM pg_class WHERE oid = 'platforms'::regclass)";

/// A contact as [`PARTS_SQL`] writes it.
type ContactTuple = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
    NaiveDateTime,
    NaiveDateTime,
);
/// An ownership period as [`PARTS_SQL`] writes it.
type OwnershipTuple = (String, Option<NaiveDate>, Option<NaiveDate>, Option<String>);

/// Reads what [`PARTS_SQL`] wrote for the platform `id`.
fn parse_parts(id: i64, json: &str) -> QueryResult<Parts> {
    let (contacts, ownerships, lists): (Vec<ContactTuple>, Vec<OwnershipTuple>, Vec<String>) =
        serde_json::from_str(json)
            .map_err(|error| diesel::result::Error::DeserializationError(Box::new(error)))?;
    Ok(Parts {
        contacts: contacts
            .into_iter()
            .map(|c| Contact {
                id: c.0,
                platform_id: id,
                fields: ContactFields {
                    role: c.1,
                    name: c.2,
                    unit: c.3,
                    email: c.4,
                    phone: c.5,
                    url: c.6,
                    notes: c.7,
                    source: c.8,
                },
                version: c.9,
                created_at: c.10.and_utc(),
                updated_at: c.11.and_utc(),
            })
            .collect(),
        ownerships: ownerships
            .into_iter()
            .map(|(ministry_code, valid_from, valid_to, reason)| Ownership {
                platform_id: id,
                ministry_code,
                valid_from,
                valid_to,
                reason,
            })
            .collect(),
        lists,
    })
}

/// Rows read with [`PARTS_SQL`] as their second column, parsed.
fn with_parts(rows: Vec<(Platform, String)>) -> QueryResult<Vec<(Platform, Parts)>> {
    rows.into_iter()
        .map(|(p, json)| {
            let parts = parse_parts(p.id, &json)?;
            Ok((p, parts))
        })
        .collect()
}

/// One page of platforms matching `filter`, ordered by code, with their parts, and the total
/// number that match: one statement (the count is a subquery evaluated once). The page's ids are
/// chosen first, so that the parts are read for the page only: a projection under `OFFSET` is
/// computed for every row skipped too.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<(Platform, Parts)>, i64)> {
    let page = filtered(filter)
        .select(platforms::id)
        .order(platforms::code.asc())
        .limit(limit)
        .offset(offset);
    let total = filtered(filter).select(count_star()).single_value();
    let rows: Vec<(Platform, String, Option<i64>)> = platforms::table
        .filter(platforms::id.eq_any(page))
        .select((Platform::as_select(), parts_of_platform(), total))
        .order(platforms::code.asc())
        .load(conn)
        .await?;
    let total = match rows.as_slice().first() {
        Some((_, _, total)) => total.unwrap_or(0),
        // A page past the end carries no count; an empty first page means there is nothing.
        None if offset > 0 => {
            filtered(filter)
                .select(count_star())
                .get_result(conn)
                .await?
        }
        None => 0,
    };
    let rows = with_parts(rows.into_iter().map(|(p, json, _)| (p, json)).collect())?;
    Ok((rows, total))
}

/// Counts per value of each facet of the platforms matching `filter`, aggregated by the database.
/// Multi-valued fields are grouped by their whole array (few distinct combinations), which the
/// caller spreads over the values.
#[derive(Debug, Default)]
pub struct FacetRows {
    pub ministry: Vec<(String, i64)>,
    pub status: Vec<(String, i64)>,
    pub ndxp_status: Vec<(String, i64)>,
    pub domains: Vec<(Vec<String>, i64)>,
    pub audiences: Vec<(Vec<String>, i64)>,
}

/// The facet counts of the platforms matching `filter`: five grouped counts, pipelined.
pub async fn facet_counts(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
) -> QueryResult<FacetRows> {
    let shared: &AsyncPgConnection = conn;
    // Each facet counts the filtered platforms by one column; the five run pipelined.
    macro_rules! counted_by {
        ($column:expr) => {
            platforms::table
                .filter(platforms::id.eq_any(filtered(filter).select(platforms::id)))
                .group_by($column)
                .select(($column, count_star()))
                .load(&mut &*shared)
        };
    }
    let ministry = counted_by!(platforms::ministry_code);
    let status = counted_by!(platforms::status);
    let ndxp_status = counted_by!(platforms::ndxp_status);
    let domains = counted_by!(platforms::domains);
    let audiences = counted_by!(platforms::audiences);
    let (ministry, status, ndxp_status, domains, audiences) =
        futures_util::future::try_join5(ministry, status, ndxp_status, domains, audiences).await?;
    Ok(FacetRows {
        ministry,
        status,
        ndxp_status,
        domains,
        audiences,
    })
}

/// How many platforms an agency has in a status, and how many of those list a contact.
#[derive(Debug, QueryableByName)]
pub struct OwnerStatusCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub ministry: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub platforms: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub with_contacts: i64,
}

/// Every platform counted by owner and status, with how many list a contact: the registry's
/// statistics in one grouped query.
pub async fn counts_by_owner_and_status(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<OwnerStatusCount>> {
    diesel::sql_query(
        "SELECT p.ministry_code AS ministry, p.status, count(*) AS platforms,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM contacts c WHERE c.platform_id = p.id)) AS with_contacts
           FROM platforms p
          GROUP BY p.ministry_code, p.status",
    )
    .load(conn)
    .await
}

/// About how many platforms there are, for weighing search words by rarity: PostgreSQL's own
/// estimate (free), or an exact count while the table has never been analysed.
pub async fn approximate_count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    let estimate: f32 = diesel::select(Fragment::<Float4>::new(PLATFORMS_ESTIMATE_SQL))
        .get_result(conn)
        .await?;
    if estimate >= 1.0 {
        return Ok(estimate as i64);
    }
    platforms::table.select(count_star()).get_result(conn).await
}

/// How many platforms match `filter`: an export checks its limit with this before it reads a row.
pub async fn count(conn: &mut AsyncPgConnection, filter: &PlatformFilter) -> QueryResult<i64> {
    filtered(filter).select(count_star()).get_result(conn).await
}

/// Every platform matching `filter`, ordered by code: for exports, `after` is the last code of the
/// previous batch.
pub async fn batch(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Platform>> {
    let mut query = filtered(filter).select(Platform::as_select());
    if let Some(after) = after {
        query = query.filter(platforms::code.gt(after));
    }
    query
        .order(platforms::code.asc())
        .limit(limit)
        .load(conn)
        .await
}

/// The longest the typo look-up of [`candidates`] may take.
pub const TYPO_LOOKUP_LIMIT: std::time::Duration = std::time::Duration::from_millis(300);

/// Up to `limit` platforms matching `filter` whose folded text has every word of one of the
/// `lookup` spellings (or of all of them, with `lookup.every`) or a word within a typo of one of
/// its fuzzy words (pg_trgm word similarity): those containing the most of `ranked` (spellings),
/// earliest, first; then those found through a typo, most similar to `rank_text` first. The word
/// index answers the first and the trigram index the second, so this stays fast on a large
/// registry; the caller scores the candidates precisely.
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    lookup: &Lookup,
    ranked: &[String],
    rank_text: &str,
    limit: i64,
) -> QueryResult<Vec<Platform>> {
    if lookup.spellings.is_empty() {
        return typo_matching(conn, filter, &lookup.fuzzy, ranked, rank_text, limit).await;
    }
    let mut rows = spelled(conn, filter, lookup, ranked, limit).await?;
    // Rows found only through a typo rank after every row containing a spelling, so when the
    // spellings alone fill the limit the typo search (trigram similarity over whole texts, the
    // costly part on a large registry) cannot change the answer and is skipped.
    if lookup.fuzzy.is_empty() || rows.len() as i64 >= limit {
        return Ok(rows);
    }
    // Else the rows found through a typo follow, in a statement of their own: in one with the
    // spellings, every row the trigram index proposed was also tested against the pair index's
    // words, computed again for each (at 100,000 platforms, 2,500 rows for "thcs" took 2 s).
    let found = rows.len();
    // Bounded in time: at 100,000 platforms a few English words that are no Vietnamese syllable
    // ("flood", "warning") made the trigram index propose most rows, and rechecking them all ran
    // into the request's statement timeout (a 503 for a plan that has an answer). The rows found
    // through a spelling are answered without the typo candidates then.
    let Some(more) = super::bounded(conn, TYPO_LOOKUP_LIMIT, async |conn| {
        typo_matching(
            conn,
            filter,
            &lookup.fuzzy,
            ranked,
            rank_text,
            limit + found as i64,
        )
        .await
    })
    .await?
    else {
        log::info!("the typo look-up took longer than {TYPO_LOOKUP_LIMIT:?}; answered without it");
        return Ok(rows);
    };
    let seen: std::collections::HashSet<i64> = rows.iter().map(|p| p.id).collect();
    rows.extend(
        more.into_iter()
            .filter(|p| !seen.contains(&p.id))
            .take(limit as usize - found),
    );
    Ok(rows)
}

/// The most rows [`spelled`] reads to rank. The look-up asks for spellings held by about
/// `LOOKUP_ROWS` (8,000) platforms in all; a registry whose statistics are far behind could match
/// more, and the rows past this bound are then not ranked (logged).
const SPELLED_ROWS_MAX: i64 = 20_000;

/// Up to `limit` platforms matching `filter` that hold one of `lookup`'s spellings (all, with
/// `lookup.every`), those containing the most of `ranked`, earliest, first; ties by code.
///
/// The indexes find the rows; their folded texts are ranked here rather than in the statement:
/// at 100,000 platforms a plan's spellings are in thousands of rows, and a subquery of `strpos`
/// per row and spelling took PostgreSQL 20 to 40 ms per check, where reading the rows' texts takes
/// 4 to 15 and one pass of an Aho-Corasick automaton over them about one.
async fn spelled(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    lookup: &Lookup,
    ranked: &[String],
    limit: i64,
) -> QueryResult<Vec<Platform>> {
    let Some(indexed) = indexed_condition(lookup) else {
        return Ok(Vec::new());
    };
    let texts: Vec<(i64, String, String)> = filtered(filter)
        .filter(indexed)
        .select((platforms::id, platforms::code, platforms::search_text))
        .limit(SPELLED_ROWS_MAX)
        .load(conn)
        .await?;
    if texts.len() as i64 >= SPELLED_ROWS_MAX {
        log::warn!(
            "a candidate look-up matched {SPELLED_ROWS_MAX} rows or more; only as many were ranked"
        );
    }
    let ranking = SpellingRanking::new(&lookup.spellings, lookup.every, ranked);
    let mut kept: Vec<((usize, usize), &str, i64)> = texts
        .iter()
        .filter_map(|(id, code, text)| ranking.rank(text).map(|key| (key, code.as_str(), *id)))
        .collect();
    kept.sort_unstable();
    kept.truncate(limit.max(0) as usize);
    let ids: Vec<i64> = kept.iter().map(|(_, _, id)| *id).collect();
    in_order(conn, &ids).await
}

/// The platforms `ids`, in that order: one statement.
async fn in_order(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Platform>> {
    let mut rows: Vec<Platform> = platforms::table
        .filter(platforms::id.eq_any(ids))
        .select(Platform::as_select())
        .load(conn)
        .await?;
    let order: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|p| order.get(&p.id).copied());
    Ok(rows)
}

/// Ranks folded texts by the spellings they contain, as `strpos` would find them.
struct SpellingRanking {
    /// Every spelling looked for (non-empty), once.
    automaton: Option<aho_corasick::AhoCorasick>,
    /// For each pattern: whether it is one of the spellings a candidate must hold, and whether it
    /// counts in the rank.
    roles: Vec<(bool, bool)>,
    /// Whether a candidate must hold all of the required patterns, or one.
    every: bool,
    /// How many patterns are required, and how many are ranked.
    required: usize,
    ranked: usize,
}

impl SpellingRanking {
    fn new(required: &[String], every: bool, ranked: &[String]) -> Self {
        let mut patterns: Vec<&str> = Vec::new();
        let mut roles: Vec<(bool, bool)> = Vec::new();
        for (spelling, is_required) in required
            .iter()
            .map(|s| (s, true))
            .chain(ranked.iter().map(|s| (s, false)))
        {
            if spelling.is_empty() {
                continue;
            }
            match patterns.iter().position(|p| *p == spelling.as_str()) {
                Some(i) if is_required => roles[i].0 = true,
                Some(i) => roles[i].1 = true,
                None => {
                    patterns.push(spelling);
                    roles.push((is_required, !is_required));
                }
            }
        }
        let required = roles.iter().filter(|(r, _)| *r).count();
        let ranked = roles.iter().filter(|(_, r)| *r).count();
        Self {
            // Building fails only past the automaton's size limits, far beyond the spellings of a
            // plan of 4,300 characters; without one, no row is a candidate.
            automaton: aho_corasick::AhoCorasick::new(&patterns).ok(),
            roles,
            every,
            required,
            ranked,
        }
    }

    /// `None` when `text` does not hold the required spellings; else its rank, lowest first:
    /// (patterns of the ranked ones it lacks, the character position of its first spelling).
    fn rank(&self, text: &str) -> Option<(usize, usize)> {
        let automaton = self.automaton.as_ref()?;
        let mut found = vec![false; self.roles.len()];
        let mut first: Option<usize> = None;
        for m in automaton.find_overlapping_iter(text) {
            let pattern = m.pattern().as_usize();
            found[pattern] = true;
            if self.roles[pattern].1 {
                first = Some(first.map_or(m.start(), |f| f.min(m.start())));
            }
        }
        let (mut held, mut ranked) = (0, 0);
        for (&(is_required, is_ranked), _) in self.roles.iter().zip(&found).filter(|(_, f)| **f) {
            held += usize::from(is_required);
            ranked += usize::from(is_ranked);
        }
        let holds = if self.every {
            held == self.required
        } else {
            held > 0
        };
        if !holds {
            return None;
        }
        // `strpos` counts characters from 1; only the order matters here.
        let position = first.map_or(usize::MAX, |b| text[..b].chars().count());
        Some((self.ranked - ranked, position))
    }
}

type Condition = Box<dyn BoxableExpression<platforms::table, Pg, SqlType = Bool>>;

// Conditions are joined without a `false` or `true` to start from: bound as a parameter, it kept
// a generic plan of the prepared statement from using the indexes at all.
fn joined(left: Option<Condition>, right: Condition, every: bool) -> Condition {
    match left {
        None => right,
        Some(left) if every => Box::new(left.and(right)),
        Some(left) => Box::new(left.or(right)),
    }
}

/// What the word and pair indexes are asked for `lookup`'s spellings: the rows with every
/// neighbouring pair of a phrase's words, or with a lone word. A row found must still contain the
/// spelling itself, its words in order; `None` when there is no spelling.
fn indexed_condition(lookup: &Lookup) -> Option<Condition> {
    let (pairs, single) = pairs_query(&lookup.spellings, &lookup.whole, lookup.every);
    let mut indexed: Option<Condition> = None;
    if let Some(pairs) = pairs {
        indexed = Some(joined(
            indexed,
            Box::new(
                Fragment::<Bool>::new("ndp_word_pairs(search_text) @@ (")
                    .text(pairs)
                    .sql(")::tsquery"),
            ),
            lookup.every,
        ));
    }
    if let Some(words) = words_query(&single, &lookup.whole, lookup.every) {
        indexed = Some(joined(
            indexed,
            Box::new(
                Fragment::<Bool>::new(
                    "to_tsvector('simple'::regconfig, search_text) @@ to_tsquery('simple'::regconfig, ",
                )
                .text(words)
                .sql(")"),
            ),
            lookup.every,
        ));
    }
    indexed
}

/// Up to `limit` platforms matching `filter` with a word within a typo of one of `fuzzy` (pg_trgm
/// word similarity): those containing the most of `ranked`, earliest, first, then the most similar
/// to `rank_text`.
async fn typo_matching(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    fuzzy: &[String],
    ranked: &[String],
    rank_text: &str,
    limit: i64,
) -> QueryResult<Vec<Platform>> {
    let mut condition: Option<Condition> = None;
    for word in fuzzy {
        condition = Some(joined(
            condition,
            Box::new(
                Fragment::<Bool>::new("")
                    .text(word.as_str())
                    .sql(" <% search_text"),
            ),
            false,
        ));
    }
    let Some(condition) = condition else {
        return Ok(Vec::new());
    };
    // A row found through a typo may still hold some of the plan's spellings: those come first
    // (as in [`spelled`]), then similarity orders the rest; ranking every row by trigram
    // similarity over its whole text alone cost seconds when a common word matched half of a
    // 100,000-platform registry. [-(spellings found), first position] ascending, in one pass.
    let present = Fragment::<Nullable<Array<Nullable<BigInt>>>>::new(
        "(SELECT ARRAY[-count(*), min(t.p)] FROM (SELECT strpos(search_text, s) AS p FROM unnest(",
    )
    .texts(ranked)
    .sql("::text[]) AS s) AS t WHERE t.p > 0)");
    let similarity = Fragment::<Float4>::new("word_similarity(")
        .text(rank_text)
        .sql(", search_text)");
    // Byte order, as the scores are sorted: comparing codes by the database's collation was most
    // of the sort when a thousand rows tied.
    let code = || Fragment::<Text>::new("platforms.code COLLATE \"C\"");
    // The ranking sorts ids, not whole rows (descriptions, profiles); the rows kept are read in the
    // same statement, ordered again (at most `limit` of them) the same way.
    let ids = filtered(filter)
        .filter(condition)
        .select(platforms::id)
        .order((
            present.clone().asc(),
            similarity.clone().desc(),
            code().asc(),
        ))
        .limit(limit);
    platforms::table
        .filter(platforms::id.eq_any(ids))
        .select(Platform::as_select())
        .order((present.asc(), similarity.desc(), code().asc()))
        .load(conn)
        .await
}

/// The platform with `code` and its parts, if any: one statement.
pub async fn find_with_parts(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<(Platform, Parts)>> {
    let row: Option<(Platform, String)> = platforms::table
        .filter(platforms::code.eq(code))
        .select((Platform::as_select(), parts_of_platform()))
        .first(conn)
        .await
        .optional()?;
    Ok(with_parts(row.into_iter().collect())?.pop())
}

/// The parts of the platforms `ids`, by id: one statement.
pub async fn parts(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, Parts>> {
    let rows: Vec<(i64, String)> = platforms::table
        .filter(platforms::id.eq_any(ids))
        .select((platforms::id, parts_of_platform()))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(id, json)| Ok((id, parse_parts(id, &json)?)))
        .collect()
}

/// The platform with `code`, if any.
pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Platform>> {
    platforms::table
        .filter(platforms::code.eq(code))
        .select(Platform::as_select())
        .first(conn)
        .await
        .optional()
}

/// The id of the platform with `code`, if any.
pub async fn find_id(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<i64>> {
    platforms::table
        .filter(platforms::code.eq(code))
        .select(platforms::id)
        .first(conn)
        .await
        .optional()
}

#[cfg(test)]
mod tests {
    use super::{SpellingRanking, pairs_query, parse_parts, words_query};

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_text_ranks_by_the_spellings_it_holds_then_where_the_first_stands() {
        let ranking = SpellingRanking::new(
            &strings(&["hoa don"]),
            false,
            &strings(&["hoa don", "dien tu", "thue"]),
        );
        let all = ranking
            .rank("he thong hoa don dien tu cua co quan thue")
            .unwrap();
        let two = ranking.rank("hoa don dien tu").unwrap();
        let two_later = ranking.rank("phan mem hoa don dien tu").unwrap();
        assert_eq!(all, (0, 9));
        assert_eq!(two, (1, 0));
        assert_eq!(two_later, (1, 9));
        assert!(all < two && two < two_later);
        // Held only as ranked, not as required: not a candidate.
        assert_eq!(ranking.rank("dien tu va thue"), None);
    }

    #[test]
    fn every_required_spelling_must_be_held_when_asked() {
        let spellings = strings(&["dan cu", "cu tru"]);
        let ranking = SpellingRanking::new(&spellings, true, &spellings);
        assert_eq!(ranking.rank("du lieu dan cu va cu tru"), Some((0, 8)));
        assert_eq!(ranking.rank("du lieu dan cu"), None);
        let any = SpellingRanking::new(&spellings, false, &spellings);
        assert_eq!(any.rank("du lieu dan cu"), Some((1, 8)));
    }

    #[test]
    fn positions_count_characters_as_strpos_does() {
        let ranking = SpellingRanking::new(&strings(&["abc"]), false, &strings(&["abc"]));
        // "é" is two bytes: four characters, five bytes, stand before the spelling.
        assert_eq!(ranking.rank("xéy abc"), Some((0, 4)));
        // Overlapping spellings are both found.
        let overlapping = SpellingRanking::new(&strings(&["ab"]), false, &strings(&["ab", "bc"]));
        assert_eq!(overlapping.rank("abc"), Some((0, 0)));
    }

    #[test]
    fn phrases_of_plain_words_become_a_pairs_query() {
        let spellings = [
            "hoa don dien tu".to_owned(),
            "hddt".to_owned(),
            "thue dat".to_owned(),
            "ca phe \u{e9}t\u{e9}".to_owned(),
        ];
        let (pairs, rest) = pairs_query(&spellings, &[], false);
        assert_eq!(
            pairs.as_deref(),
            Some("('don_dien' & 'dien_tu':*) | ('thue_dat':*)")
        );
        // One word, or a word of letters the pair index does not split on, goes to the word index.
        assert_eq!(rest, ["hddt", "ca phe \u{e9}t\u{e9}"]);
        assert_eq!(pairs_query(&["hddt".to_owned()], &[], false).0, None);
    }

    #[test]
    fn the_parts_written_by_the_database_are_read_back_whole() {
        let json = r#"[[[7, "technical", "Trung tâm CNTT", null, "a@b.vn", null, null, null, "s", 3,
            "2026-11-30T06:34:56.500363", "2026-11-30T07:00:00"]],
            [["BGTVT", null, "2025-02-28", null], ["BXD", "2025-03-01", null, "Merger"]],
            ["qd-2618-2025"]]"#;
        let parts = parse_parts(42, json).unwrap();
        let contact = &parts.contacts[0];
        assert_eq!((contact.id, contact.platform_id), (7, 42));
        assert_eq!(contact.fields.role, "technical");
        assert_eq!(contact.fields.email.as_deref(), Some("a@b.vn"));
        assert_eq!(contact.version, 3);
        assert_eq!(
            contact.created_at.to_rfc3339(),
            "2026-11-30T06:34:56.500363+00:00"
        );
        let owners: Vec<_> = parts
            .ownerships
            .iter()
            .map(|o| (o.ministry_code.as_str(), o.valid_from, o.valid_to))
            .collect();
        assert_eq!(owners[0].0, "BGTVT");
        assert_eq!(
            owners[0].2.map(|d| d.to_string()).as_deref(),
            Some("2025-02-28")
        );
        assert_eq!(
            owners[1].1.map(|d| d.to_string()).as_deref(),
            Some("2025-03-01")
        );
        assert_eq!(parts.ownerships[1].reason.as_deref(), Some("Merger"));
        assert_eq!(parts.lists, ["qd-2618-2025"]);
        assert!(parse_parts(1, "[[], [], []]").unwrap().contacts.is_empty());
        assert!(parse_parts(1, "[[1]]").is_err());
    }

    #[test]
    fn spellings_become_a_words_query() {
        let spellings = ["hoa don dien tu".to_owned(), "hddt".to_owned()];
        assert_eq!(
            words_query(&spellings, &[], false).as_deref(),
            Some("('hoa' & 'don' & 'dien' & 'tu') | ('hddt':*)")
        );
        // Quotes and backslashes separate words: they cannot end a quoted word early.
        let odd = ["hddt'|\\tu".to_owned()];
        assert_eq!(
            words_query(&odd, &[], false).as_deref(),
            Some("('hddt':* & 'tu')")
        );
        assert_eq!(words_query(&["%_ ".to_owned()], &[], false), None);
    }
}

/// The writable fields of a platform, replacing the stored ones (a `None` clears the column).
#[derive(Clone, Debug, AsChangeset, Insertable)]
#[diesel(table_name = platforms, treat_none_as_null = true)]
pub struct PlatformChangeset<'a> {
    pub name_vi: &'a str,
    pub name_en: &'a str,
    pub short_name: Option<&'a str>,
    pub description: &'a str,
    pub operator: Option<&'a str>,
    pub domains: Vec<&'a str>,
    pub audiences: Vec<&'a str>,
    pub status: &'a str,
    pub url: Option<&'a str>,
    pub ndxp_status: &'a str,
    pub legal_basis_number: Option<&'a str>,
    pub legal_basis_date: Option<NaiveDate>,
    pub source: Option<&'a str>,
    pub profile: &'a serde_json::Value,
}

/// Rows per multi-row INSERT: PostgreSQL takes at most 65,535 bound values per statement.
const INSERT_CHUNK: usize = 1000;

/// Inserts many platforms in a few multi-row statements; returns them in the order given.
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    new: &[NewPlatform<'_>],
) -> QueryResult<Vec<Platform>> {
    let mut rows = Vec::with_capacity(new.len());
    for chunk in new.chunks(INSERT_CHUNK) {
        let mut inserted: Vec<Platform> = diesel::insert_into(platforms::table)
            .values(chunk)
            .returning(Platform::as_returning())
            .get_results(conn)
            .await?;
        // RETURNING follows the VALUES order in practice; sorting by code makes it certain.
        let order: std::collections::HashMap<&str, usize> =
            chunk.iter().enumerate().map(|(i, n)| (n.code, i)).collect();
        inserted.sort_by_key(|p| order.get(p.code.as_str()).copied());
        rows.extend(inserted);
    }
    Ok(rows)
}

/// Replaces the writable fields of many platforms and bumps their versions, in one statement per
/// thousand (the changesets travel as one JSON array); returns them in the order given.
pub async fn update_many(
    conn: &mut AsyncPgConnection,
    changes: &[(i64, PlatformChangeset<'_>)],
) -> QueryResult<Vec<Platform>> {
    for chunk in changes.chunks(INSERT_CHUNK) {
        let batch: Vec<serde_json::Value> = chunk
            .iter()
            .map(|(id, c)| {
                serde_json::json!({
                    "id": id, "name_vi": c.name_vi, "name_en": c.name_en,
                    "short_name": c.short_name, "description": c.description,
                    "operator": c.operator, "domains": c.domains, "audiences": c.audiences,
                    "status": c.status, "url": c.url, "ndxp_status": c.ndxp_status,
                    "legal_basis_number": c.legal_basis_number,
                    "legal_basis_date": c.legal_basis_date, "source": c.source,
                    "profile": c.profile,
                })
            })
            .collect();
        diesel::sql_query(
            "UPDATE platforms p
                SET name_vi = v.name_vi, name_en = v.name_en, short_name = v.short_name,
                    description = v.description, operator = v.operator, domains = v.domains,
                    audiences = v.audiences, status = v.status, url = v.url,
                    ndxp_status = v.ndxp_status, legal_basis_number = v.legal_basis_number,
                    legal_basis_date = v.legal_basis_date, source = v.source,
                    profile = v.profile, version = p.version + 1, updated_at = now()
               FROM jsonb_to_recordset($1) AS v(
                    id bigint, name_vi text, name_en text, short_name text, description text,
                    operator text, domains text[], audiences text[], status text, url text,
                    ndxp_status text, legal_basis_number text, legal_basis_date date, source text,
                    profile jsonb)
              WHERE p.id = v.id",
        )
        .bind::<diesel::sql_types::Jsonb, _>(serde_json::Value::Array(batch))
        .execute(conn)
        .await?;
    }
    let ids: Vec<i64> = changes.iter().map(|(id, _)| *id).collect();
    in_order(conn, &ids).await
}

/// Which of `codes` are taken, by any platform.
pub async fn existing_codes(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<String>> {
    platforms::table
        .filter(platforms::code.eq_any(codes))
        .select(platforms::code)
        .load(conn)
        .await
}

/// The platform with `code`, locked until the end of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Platform>> {
    platforms::table
        .filter(platforms::code.eq(code))
        .select(Platform::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The platform with `id`, locked until the end of the transaction.
pub async fn lock_by_id(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Platform> {
    platforms::table
        .find(id)
        .select(Platform::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Replaces the writable fields, bumps the version and returns the new row.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: i64,
    changes: &PlatformChangeset<'_>,
) -> QueryResult<Platform> {
    diesel::update(platforms::table.find(id))
        .set((
            changes,
            platforms::version.eq(platforms::version + 1),
            platforms::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Platform::as_returning())
        .get_result(conn)
        .await
}

/// Bumps the version of a platform whose representation changed through a related row (a
/// contact, a list membership, its owner).
pub async fn touch(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Platform> {
    diesel::update(platforms::table.find(id))
        .set((
            platforms::version.eq(platforms::version + 1),
            platforms::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Platform::as_returning())
        .get_result(conn)
        .await
}

/// Moves a platform to another owner on `effective_on`: closes the current ownership period the
/// day before and opens a new one.
pub async fn transfer(
    conn: &mut AsyncPgConnection,
    id: i64,
    to: &str,
    effective_on: NaiveDate,
    reason: &str,
) -> QueryResult<Platform> {
    diesel::update(
        platform_ownerships::table
            .filter(platform_ownerships::platform_id.eq(id))
            .filter(platform_ownerships::valid_to.is_null()),
    )
    .set(platform_ownerships::valid_to.eq(effective_on.pred_opt()))
    .execute(conn)
    .await?;
    diesel::insert_into(platform_ownerships::table)
        .values(NewOwnership {
            platform_id: id,
            ministry_code: to,
            valid_from: Some(effective_on),
            valid_to: None,
            reason: Some(reason),
        })
        .execute(conn)
        .await?;
    set_owner(conn, id, to).await
}

/// Records `to` as the platform's owner and bumps its version.
async fn set_owner(conn: &mut AsyncPgConnection, id: i64, to: &str) -> QueryResult<Platform> {
    diesel::update(platforms::table.find(id))
        .set(platforms::ministry_code.eq(to))
        .execute(conn)
        .await?;
    touch(conn, id).await
}

/// The start of the current ownership period, if known.
pub async fn current_ownership_start(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<NaiveDate>> {
    platform_ownerships::table
        .filter(platform_ownerships::platform_id.eq(id))
        .filter(platform_ownerships::valid_to.is_null())
        .select(platform_ownerships::valid_from)
        .first(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Records ownership periods of new platforms, in multi-row statements.
pub async fn insert_ownerships(
    conn: &mut AsyncPgConnection,
    periods: &[NewOwnership<'_>],
) -> QueryResult<()> {
    for chunk in periods.chunks(INSERT_CHUNK) {
        diesel::insert_into(platform_ownerships::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Gives the current ownership period (and the platform) to another owner: for a period that
/// began after a succession took effect, or a transfer effective the day the period began (which
/// corrects it).
pub async fn reassign_current(
    conn: &mut AsyncPgConnection,
    id: i64,
    to: &str,
    reason: &str,
) -> QueryResult<Platform> {
    diesel::update(
        platform_ownerships::table
            .filter(platform_ownerships::platform_id.eq(id))
            .filter(platform_ownerships::valid_to.is_null()),
    )
    .set((
        platform_ownerships::ministry_code.eq(to),
        platform_ownerships::reason.eq(reason),
    ))
    .execute(conn)
    .await?;
    set_owner(conn, id, to).await
}

/// The platforms an agency owns, by code: retired ones too when `with_retired`, locked until the
/// end of the transaction when `lock`.
pub async fn owned_by(
    conn: &mut AsyncPgConnection,
    ministry: &str,
    with_retired: bool,
    lock: bool,
) -> QueryResult<Vec<Platform>> {
    let query = platforms::table
        .filter(platforms::ministry_code.eq(ministry))
        .filter(
            platforms::status
                .ne("retired")
                .or(with_retired.into_sql::<Bool>()),
        )
        .select(Platform::as_select())
        .order(platforms::code);
    if lock {
        query.for_update().load(conn).await
    } else {
        query.load(conn).await
    }
}
