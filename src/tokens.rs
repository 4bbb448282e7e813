//! The `token` commands: issue, revoke and list bearer tokens. Issued tokens are recorded (never
//! the token itself) so that an operator can list and revoke them.

use chrono::{DateTime, TimeDelta, Utc};
use diesel_async::AsyncPgConnection;

use crate::auth::{Claims, JwtKeys, PROVINCE_SCOPES};
use crate::db::tokens::{self, TokenRecord};
use crate::domain::{MinistryCode, Scope, Vocabulary};

/// The longest lifetime a token may have.
pub const MAX_TTL_DAYS: i64 = 366;

/// What to issue: the arguments of `ndp-registry token issue`.
#[derive(Clone, Debug, clap::Args)]
pub struct IssueRequest {
    /// The ministry the token writes for (its ASCII code, e.g. BTC).
    #[arg(long)]
    pub ministry: Option<String>,
    /// The province the token writes for: its code (e.g. HCM), its name, or the name of a
    /// province it absorbed in 2025 (e.g. "Bình Dương").
    #[arg(long, conflicts_with = "ministry")]
    pub province: Option<String>,
    /// Space-separated scopes. Ministry tokens: platforms:write and/or contacts:write (default
    /// both); province tokens: adoptions:write and/or decisions:write (default both).
    #[arg(long)]
    pub scope: Option<String>,
    /// Issue an operator token (scope admin, no ministry).
    #[arg(long, conflicts_with_all = ["ministry", "province"])]
    pub admin: bool,
    /// Lifetime: a number and a unit (d, h, m, s), at most 366d.
    #[arg(long, default_value = "90d")]
    pub ttl: String,
    /// A label shown by `token list`.
    #[arg(long)]
    pub label: Option<String>,
    /// The `sub` claim recorded in the history of every change (default: ministry:<CODE>,
    /// province:<CODE> or operator).
    #[arg(long)]
    pub subject: Option<String>,
}

/// Parses a lifetime such as `90d`, `12h`, `30m` or `3600s`.
pub fn parse_ttl(raw: &str) -> Result<TimeDelta, String> {
    let raw = raw.trim();
    // The unit is the last character, which may be several bytes long (a typo such as `90ngày`).
    let split = raw.char_indices().last().map_or(0, |(i, _)| i);
    let (number, unit) = raw.split_at(split);
    let amount: i64 = number.parse().map_err(|_| {
        format!("--ttl {raw:?}: use a number and a unit, like 90d, 12h, 30m or 3600s")
    })?;
    let ttl = match unit {
        "d" => TimeDelta::try_days(amount),
        "h" => TimeDelta::try_hours(amount),
        "m" => TimeDelta::try_minutes(amount),
        "s" => TimeDelta::try_seconds(amount),
        _ => None,
    }
    .ok_or_else(|| {
        format!("--ttl {raw:?}: use a number and a unit, like 90d, 12h, 30m or 3600s")
    })?;
    if ttl <= TimeDelta::zero() || ttl > TimeDelta::days(MAX_TTL_DAYS) {
        return Err(format!(
            "--ttl {raw:?}: must be more than 0 and at most {MAX_TTL_DAYS}d"
        ));
    }
    Ok(ttl)
}

/// Issues a token, records it and returns it.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    keys: &JwtKeys,
    request: IssueRequest,
) -> Result<String, String> {
    let ttl = parse_ttl(&request.ttl)?;
    let province = match (&request.province, request.admin, &request.ministry) {
        (None, _, _) => None,
        (Some(_), true, _) | (Some(_), _, Some(_)) => {
            return Err(
                "--province excludes --admin and --ministry: a token writes for one of them".into(),
            );
        }
        (Some(raw), false, None) => Some(
            crate::db::provinces::resolve(conn, raw)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| {
                    format!(
                        "--province: {raw:?} names no province; use a code such as HCM or a name (see GET /api/v1/provinces)"
                    )
                })?,
        ),
    };
    let (ministry, scopes) = match (request.admin, &request.ministry, &province) {
        (true, Some(_), _) => {
            return Err(
                "--admin and --ministry exclude each other: an operator token names no ministry"
                    .into(),
            );
        }
        (true, None, _) => (None, vec![Scope::Admin]),
        (false, None, Some(_)) => {
            let scope_text = request
                .scope
                .as_deref()
                .unwrap_or("adoptions:write decisions:write");
            (None, parse_scopes(scope_text, &PROVINCE_SCOPES)?)
        }
        (false, None, None) => {
            return Err(
                "--ministry CODE or --province CODE is required (or --admin for an operator token)"
                    .into(),
            );
        }
        (false, Some(raw), _) => {
            let code = MinistryCode::parse(raw).map_err(|e| format!("--ministry: {e}"))?;
            let scope_text = request
                .scope
                .as_deref()
                .unwrap_or("platforms:write contacts:write");
            let scopes = parse_scopes(scope_text, &[Scope::PlatformsWrite, Scope::ContactsWrite])?;
            match tokens::ministry_standing(conn, code.as_str())
                .await
                .map_err(|e| e.to_string())?
            {
                None => return Err(format!("--ministry: {code} is not in the registry")),
                Some(s) if !s.is_active() => {
                    return Err(format!(
                        "--ministry: {code} is no longer active; its successor is {}",
                        s.successor_code.unwrap_or_else(|| "none".into())
                    ));
                }
                Some(_) => {}
            }
            (Some(code.as_str().to_owned()), scopes)
        }
    };
    let now = Utc::now();
    let expires = now + ttl;
    let subject = request
        .subject
        .unwrap_or_else(|| match (&ministry, &province) {
            (Some(code), _) => format!("ministry:{code}"),
            (None, Some(code)) => format!("province:{code}"),
            (None, None) => "operator".into(),
        });
    let jti = uuid::Uuid::new_v4().to_string();
    let scope = scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let claims = Claims {
        sub: subject.clone(),
        ministry: ministry.clone(),
        province: province.clone(),
        scope,
        jti: jti.clone(),
        iat: now.timestamp(),
        exp: expires.timestamp(),
        nbf: None,
        iss: keys.issuer().to_owned(),
        aud: keys.audience().to_owned(),
    };
    let token = keys.sign(&claims).map_err(|e| e.to_string())?;
    let record = TokenRecord {
        jti,
        subject,
        ministry_code: ministry,
        scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        label: request.label,
        issued_at: now,
        expires_at: Some(expires),
        revoked_at: None,
        province_code: province,
    };
    tokens::record(conn, &record)
        .await
        .map_err(|e| format!("cannot record the token: {e}"))?;
    Ok(token)
}

/// Parses `--scope`: each word must be one of `allowed` (a ministry token's or a province's).
fn parse_scopes(text: &str, allowed: &[Scope]) -> Result<Vec<Scope>, String> {
    let names = allowed
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" and/or ");
    let mut scopes = Vec::new();
    for word in text.split_whitespace() {
        match Scope::parse(word) {
            Some(Scope::Admin) => {
                return Err("--scope: `admin` is for operator tokens; use --admin".into());
            }
            Some(scope) if !allowed.contains(&scope) => {
                return Err(format!(
                    "--scope: {word:?} is not for this kind of token; use {names}"
                ));
            }
            Some(scope) if !scopes.contains(&scope) => scopes.push(scope),
            Some(_) => {}
            None => return Err(format!("--scope: unknown scope {word:?}; use {names}")),
        }
    }
    if scopes.is_empty() {
        return Err("--scope: name at least one scope".into());
    }
    Ok(scopes)
}

/// Revokes a token by its jti, at once (running servers check every request).
pub async fn revoke(conn: &mut AsyncPgConnection, jti: &str) -> Result<String, String> {
    let jti = jti.trim();
    if !(8..=100).contains(&jti.len()) {
        return Err("a jti is 8 to 100 characters".into());
    }
    match tokens::revoke(conn, jti).await.map_err(|e| e.to_string())? {
        true => Ok(format!("revoked {jti}")),
        false => Ok(format!("{jti} was already revoked")),
    }
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".into(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// The recorded tokens as a table.
pub async fn list(conn: &mut AsyncPgConnection) -> Result<String, String> {
    let rows = tokens::list(conn).await.map_err(|e| e.to_string())?;
    let mut out = format!(
        "{:<36}  {:<8}  {:<8}  {:<30}  {:<20}  {:<20}  {}\n",
        "jti", "ministry", "province", "scopes", "expires", "revoked", "label"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<36}  {:<8}  {:<8}  {:<30}  {:<20}  {:<20}  {}\n",
            r.jti,
            r.ministry_code.unwrap_or_else(|| "-".into()),
            r.province_code.unwrap_or_else(|| "-".into()),
            r.scopes.join(" "),
            when(r.expires_at),
            when(r.revoked_at),
            r.label.unwrap_or_default()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_take_a_unit_and_are_bounded() {
        assert_eq!(parse_ttl("90d").unwrap(), TimeDelta::days(90));
        assert_eq!(parse_ttl("1h").unwrap(), TimeDelta::hours(1));
        assert!(parse_ttl("0d").is_err());
        assert!(parse_ttl("400d").is_err());
        assert!(parse_ttl("ten").is_err());
        assert!(parse_ttl("").is_err());
        for multi_byte in ["1日", "90ngày", "é", "5µ"] {
            assert!(parse_ttl(multi_byte).is_err(), "{multi_byte}");
        }
    }
}
