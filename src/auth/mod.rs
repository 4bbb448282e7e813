//! Bearer tokens: their claims, the keys that sign and verify them, the checks of a token's
//! standing (not revoked; its ministry or province still in the registry and active), and the
//! `Actor` with what it may do (`Actor::require*`). The HTTP extractor that makes a protected
//! handler impossible to write without these checks is `api::extract`.

mod keys;

use serde::{Deserialize, Serialize};

pub use keys::{JwtKeys, TokenError};

use crate::db::tokens;
use crate::domain::{Scope, Vocabulary};
use crate::error::{ApiError, ProblemCode};

/// The scopes a province token may hold: it never writes platforms, contacts, lists or agencies.
pub const PROVINCE_SCOPES: [Scope; 2] = [Scope::AdoptionsWrite, Scope::DecisionsWrite];

/// The claims of a registry token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Who acts: a system or person name chosen at issue time.
    pub sub: String,
    /// The ministry the token writes for; absent on operator tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ministry: Option<String>,
    /// The province the token writes for (a province code such as `HCM`); absent on ministry and
    /// operator tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Space-separated scopes.
    pub scope: String,
    /// The token's unique id, used to revoke it.
    pub jti: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Not valid before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The issuer.
    pub iss: String,
    /// The audience.
    pub aud: String,
}

/// Who is making an authenticated request.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The token's subject.
    pub sub: String,
    /// The ministry the token writes for; `None` for operators.
    pub ministry: Option<String>,
    /// The province the token writes for; `None` for ministries and operators.
    pub province: Option<String>,
    /// What the token allows.
    pub scopes: Vec<Scope>,
    /// The token's id.
    pub jti: String,
}

impl Actor {
    /// The registry itself acting without a token (the seed loader): an operator, named `sub` in
    /// the history, with no token id.
    pub fn system(sub: &str) -> Actor {
        Actor {
            sub: sub.to_owned(),
            ministry: None,
            province: None,
            scopes: vec![Scope::Admin],
            jti: String::new(),
        }
    }

    /// Whether this is a registry operator.
    pub fn is_operator(&self) -> bool {
        self.scopes.contains(&Scope::Admin)
    }

    /// Fails with 403 unless the token has `scope` (operators have every scope).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.is_operator() || self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                ProblemCode::InsufficientScope,
                format!("This token lacks the `{scope}` scope."),
            ))
        }
    }

    /// Fails with 403 unless the token is an operator's.
    pub fn require_operator(&self) -> Result<(), ApiError> {
        if self.is_operator() {
            Ok(())
        } else {
            Err(ApiError::new(
                ProblemCode::OperatorOnly,
                "Only a registry operator token (scope `admin`) may do this.",
            ))
        }
    }

    /// Fails with 403 unless the token may write the records of `province` (a canonical code):
    /// a province token of that province, or an operator.
    pub fn require_province(&self, province: &str) -> Result<(), ApiError> {
        match &self.province {
            _ if self.is_operator() => Ok(()),
            Some(own) if own == province => Ok(()),
            Some(own) => Err(ApiError::new(
                ProblemCode::WrongProvince,
                format!("This token writes for {own}; the record belongs to {province}."),
            )),
            None => Err(ApiError::new(
                ProblemCode::ProvinceOnly,
                "Only a province token (or an operator's) may write a province's records.",
            )),
        }
    }

    /// Fails with 403 unless the token may write data owned by `ministry`.
    pub fn require_owner(&self, ministry: &str) -> Result<(), ApiError> {
        match &self.ministry {
            _ if self.is_operator() => Ok(()),
            Some(own) if own == ministry => Ok(()),
            Some(own) => Err(ApiError::new(
                ProblemCode::WrongMinistry,
                format!("This token writes for {own}; the resource belongs to {ministry}."),
            )),
            None => Err(ApiError::new(
                ProblemCode::WrongMinistry,
                "This token names no ministry and is not an operator's.",
            )),
        }
    }
}

/// Verifies a token's signature and claims; the decoder's text is logged, escaped, never sent.
pub fn verified_claims(keys: &JwtKeys, token: &str) -> Result<Claims, ApiError> {
    keys.verify(token).map_err(|error| {
        log::info!(
            "rejected bearer token: {}",
            crate::error::escape(&error.to_string())
        );
        ApiError::unauthorized(error.public_message())
    })
}

/// Checks against the database that a verified token still writes: not revoked, and its
/// ministry (if any) an active agency. The same check runs again, under a lock, inside every
/// write's transaction (`api::write::transaction`).
pub async fn check_standing(
    conn: &mut diesel_async::AsyncPgConnection,
    claims: &Claims,
) -> Result<(), ApiError> {
    if claims.ministry.is_some() && claims.province.is_some() {
        return Err(ApiError::unauthorized(
            "A token writes for a ministry or for a province, not both.",
        ));
    }
    if tokens::is_revoked(conn, &claims.jti).await? {
        return Err(ApiError::unauthorized("This token has been revoked."));
    }
    if let Some(code) = &claims.province
        && !crate::db::provinces::exists(conn, code).await?
    {
        return Err(ApiError::new(
            ProblemCode::UnknownProvince,
            format!("The token's province {code:?} is not in the registry."),
        ));
    }
    if let Some(code) = &claims.ministry {
        require_active(tokens::ministry_standing(conn, code).await?, code)?;
    }
    Ok(())
}

/// Fails with 403 unless `standing` is an active agency's: `unknown_ministry` when there is none,
/// `ministry_inactive` naming the successor when it merged or was dissolved.
pub fn require_active(
    standing: Option<tokens::MinistryStanding>,
    code: &str,
) -> Result<(), ApiError> {
    match standing {
        None => Err(ApiError::new(
            ProblemCode::UnknownMinistry,
            format!("The token's ministry {code:?} is not in the registry."),
        )),
        Some(standing) if !standing.is_active() => {
            let merged = standing.status() == crate::domain::MinistryStatus::Merged;
            let successor = standing
                .successor_code
                .unwrap_or_else(|| "no successor".into());
            let since = standing
                .succeeded_on
                .map(|d| d.to_string())
                .unwrap_or_default();
            Err(ApiError::new(
                ProblemCode::MinistryInactive,
                format!(
                    "{code} is no longer an active agency: it was {} into {successor} on {since}. \
                     Ask for a token of {successor}.",
                    if merged {
                        "merged"
                    } else {
                        "dissolved, its functions moved"
                    }
                ),
            ))
        }
        Some(_) => Ok(()),
    }
}

impl Actor {
    /// The actor of verified claims. A province token writes only its adoptions and decisions,
    /// whatever else it claims.
    pub fn from_claims(claims: Claims) -> Self {
        let scopes: Vec<Scope> = claims
            .scope
            .split_whitespace()
            .filter_map(Scope::parse)
            .filter(|s| claims.province.is_none() || PROVINCE_SCOPES.contains(s))
            .collect();
        Self {
            sub: claims.sub,
            ministry: claims.ministry,
            province: claims.province,
            scopes,
            jti: claims.jti,
        }
    }
}
