//! Signing and verification keys. HS256 with `JWT_SECRET`, and EdDSA (Ed25519) with a key pair so
//! that a separate issuer can mint tokens the API accepts without sharing a secret.
//!
//! The algorithm is chosen by which key verifies, never by the token alone: an HS256 token is
//! checked only against the secret and an EdDSA token only against the public key, so neither
//! `alg: none` nor algorithm confusion (an HMAC made with the public key) can pass.

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use secrecy::ExposeSecret;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::Claims;
use crate::config::{ConfigError, Settings};
use crate::domain::{Scope, Vocabulary};
use crate::tokens::MAX_TTL_DAYS;

/// Tolerated clock skew between the issuer and this service, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// Why a token was refused. The decoder's own text is logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token is not a well-formed JWT.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The token's algorithm is not one this service accepts.
    #[error("unaccepted algorithm {0}")]
    Algorithm(String),
    /// The signature or a claim is invalid.
    #[error("invalid token: {0}")]
    Invalid(jsonwebtoken::errors::Error),
    /// No key to sign with.
    #[error("no signing key: set JWT_SECRET or JWT_PRIVATE_KEY_FILE")]
    NoSigningKey,
    /// The token carries a scope its issuer's key may not grant.
    #[error("scope {0} is not accepted from this issuer")]
    Scope(String),
    /// The token lives longer than a token may.
    #[error("lifetime of {0} s is over the cap")]
    Lifetime(i64),
}

impl TokenError {
    /// What the client is told.
    pub fn public_message(&self) -> &'static str {
        use jsonwebtoken::errors::ErrorKind;
        match self {
            Self::Malformed(_) => "The bearer token is not a well-formed JWT.",
            Self::Algorithm(_) => "The bearer token's algorithm is not accepted.",
            Self::Invalid(error) => match error.kind() {
                ErrorKind::ExpiredSignature => "The bearer token has expired.",
                ErrorKind::ImmatureSignature => "The bearer token is not valid yet.",
                ErrorKind::InvalidAudience => "The bearer token is not meant for this API.",
                ErrorKind::InvalidIssuer => "The bearer token's issuer is not trusted.",
                ErrorKind::InvalidSignature => "The bearer token's signature is invalid.",
                ErrorKind::MissingRequiredClaim(_) => "The bearer token lacks a required claim.",
                _ => "The bearer token is invalid.",
            },
            Self::NoSigningKey => "The bearer token cannot be verified.",
            Self::Scope(_) => "The bearer token carries a scope its issuer may not grant.",
            Self::Lifetime(_) => {
                "The bearer token lives longer than 366 days, the longest a token may live."
            }
        }
    }
}

/// The configured keys and the claims every token must carry.
pub struct JwtKeys {
    hmac: Option<(EncodingKey, DecodingKey)>,
    ed_public: Option<DecodingKey>,
    ed_private: Option<EncodingKey>,
    issuer: String,
    audience: String,
    /// The scopes a token verified by the secret may carry.
    hmac_scopes: Vec<Scope>,
    /// The scopes a token verified by the public key may carry.
    ed_scopes: Vec<Scope>,
    /// The key of the writers' public pseudonyms, derived from the configured keys.
    pseudonym_key: Vec<u8>,
}

impl JwtKeys {
    /// Builds the keys from the settings; a malformed key names its variable.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let hmac = settings.jwt_secret.as_ref().map(|secret| {
            let bytes = secret.expose_secret().as_bytes();
            (
                EncodingKey::from_secret(bytes),
                DecodingKey::from_secret(bytes),
            )
        });
        let ed_public = match &settings.jwt_public_key_pem {
            None => None,
            Some(pem) => {
                Some(
                    DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| ConfigError {
                        variable: "JWT_PUBLIC_KEY_FILE",
                        message: format!("not a PEM Ed25519 public key: {e}"),
                    })?,
                )
            }
        };
        let ed_private = match &settings.jwt_private_key_pem {
            None => None,
            Some(pem) => Some(
                EncodingKey::from_ed_pem(pem.expose_secret().as_bytes()).map_err(|e| {
                    ConfigError {
                        variable: "JWT_PRIVATE_KEY_FILE",
                        message: format!("not a PEM Ed25519 private key: {e}"),
                    }
                })?,
            ),
        };
        // Derived, never the secret itself: a pseudonym reveals nothing about the key.
        let mut hasher = Sha256::new();
        hasher.update(b"ndp-registry writer pseudonyms\0");
        match (&settings.jwt_secret, &settings.jwt_public_key_pem) {
            (Some(secret), _) => hasher.update(secret.expose_secret().as_bytes()),
            (None, Some(pem)) => hasher.update(pem.as_bytes()),
            (None, None) => {}
        }
        Ok(Self {
            hmac,
            ed_public,
            ed_private,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            hmac_scopes: settings.jwt_secret_scopes.clone(),
            ed_scopes: settings.jwt_public_key_scopes.clone(),
            pseudonym_key: hasher.finalize().to_vec(),
        })
    }

    /// Whether any key can verify tokens.
    pub fn can_verify(&self) -> bool {
        self.hmac.is_some() || self.ed_public.is_some()
    }

    /// The issuer every token carries.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience every token carries.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Signs `claims`: with the Ed25519 private key when one is configured, else with HS256.
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        let (algorithm, key) = match (&self.ed_private, &self.hmac) {
            (Some(key), _) => (Algorithm::EdDSA, key),
            (None, Some((key, _))) => (Algorithm::HS256, key),
            (None, None) => return Err(TokenError::NoSigningKey),
        };
        encode(&Header::new(algorithm), claims, key).map_err(TokenError::Invalid)
    }

    /// A stable pseudonym for a writer (a token subject and its ministry), shown to the public
    /// instead of the subject: the same writer always gets the same one, and it cannot be turned
    /// back into the subject without the service's keys.
    pub fn writer_pseudonym(&self, sub: &str, ministry: Option<&str>) -> String {
        // HMAC accepts a key of any length, so this cannot fail.
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.pseudonym_key).unwrap_or_else(|_| unreachable!());
        mac.update(ministry.unwrap_or("-").as_bytes());
        mac.update(b"\0");
        mac.update(sub.as_bytes());
        let hex: String = mac.finalize().into_bytes()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("w-{hex}")
    }

    /// Verifies a token's signature and its `exp`, `nbf`, `iss`, `aud`, `sub` and `jti`; that its
    /// scopes are ones its key may grant (`JWT_SECRET_SCOPES`, `JWT_PUBLIC_KEY_SCOPES`); and that
    /// it lives at most 366 days, whoever issued it.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        let (key, scopes) = match header.alg {
            Algorithm::HS256 => self.hmac.as_ref().map(|(_, key)| (key, &self.hmac_scopes)),
            Algorithm::EdDSA => self.ed_public.as_ref().map(|key| (key, &self.ed_scopes)),
            _ => None,
        }
        .ok_or_else(|| TokenError::Algorithm(format!("{:?}", header.alg)))?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = decode::<Claims>(token, key, &validation)
            .map_err(TokenError::Invalid)?
            .claims;
        if claims.sub.trim().is_empty() || claims.jti.trim().is_empty() {
            return Err(TokenError::Malformed("empty sub or jti".into()));
        }
        if let Some(refused) = claims
            .scope
            .split_whitespace()
            .find(|word| Scope::parse(word).is_some_and(|scope| !scopes.contains(&scope)))
        {
            return Err(TokenError::Scope(refused.to_owned()));
        }
        // The cap holds from issue and from now: a token cannot claim an early `iat` or a far `exp`.
        let cap = MAX_TTL_DAYS * 86_400 + LEEWAY_SECONDS as i64;
        let now = chrono::Utc::now().timestamp();
        let lifetime = claims.exp.saturating_sub(claims.iat.min(now));
        if lifetime > cap {
            return Err(TokenError::Lifetime(lifetime));
        }
        Ok(claims)
    }
}
