//! Settings, read once from the environment (and a `.env` file) into a value that is passed down.
//! Nothing reads the environment after start-up, so the app can be built twice in one process.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::domain::{Scope, Vocabulary};

/// The database used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres:postgres@localhost:5432/ndp_registry";
/// The address served when `BIND_ADDR` is not set.
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";

/// A setting that is missing or malformed; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// Every setting of the service. Each variable is documented once, here and in the README.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`: the PostgreSQL connection string.
    pub database_url: SecretString,
    /// `BIND_ADDR`: the socket address the HTTP server listens on (port 0 picks a free port).
    pub bind_addr: SocketAddr,
    /// `JWT_SECRET`: the HS256 key for bearer tokens, at least 32 bytes.
    pub jwt_secret: Option<SecretString>,
    /// `JWT_PUBLIC_KEY_FILE`: a PEM Ed25519 public key; tokens signed with EdDSA by the matching
    /// private key are accepted (a ministry SSO can mint tokens without sharing a secret).
    pub jwt_public_key_pem: Option<String>,
    /// `JWT_PRIVATE_KEY_FILE`: a PEM Ed25519 private key; `token issue` signs with it when set.
    pub jwt_private_key_pem: Option<SecretString>,
    /// `JWT_ISSUER`: the `iss` every token must carry (default `ndp-registry`).
    pub jwt_issuer: String,
    /// `JWT_AUDIENCE`: the `aud` every token must carry (default `ndp-registry-api`).
    pub jwt_audience: String,
    /// `DATABASE_POOL_SIZE`: the most connections held open (default 10).
    pub pool_size: usize,
    /// `DATABASE_TIMEOUT_MS`: how long a request waits for a connection or a statement before it is
    /// answered 503 (default 5000).
    pub database_timeout: Duration,
    /// `HTTP_WORKERS`: HTTP worker threads (default: one per CPU).
    pub workers: usize,
    /// `OVERLAP_CHECKS_PER_MINUTE`: anonymous overlap checks allowed per client address and
    /// minute, per replica (default 30; 0 disables the limit).
    pub overlap_checks_per_minute: u32,
    /// `ANONYMOUS_REQUESTS_PER_MINUTE`: requests without a valid bearer token allowed per client
    /// address and minute, per replica, in bursts of as many (default 6000; 0 disables the limit).
    /// Health probes and metrics are not counted.
    pub anonymous_requests_per_minute: u32,
    /// `WRITES_PER_MINUTE_PER_TOKEN`: writes allowed per bearer token and minute, per replica, in
    /// bursts of as many (default 120; 0 disables the limit). A bulk sync counts as one write.
    pub writes_per_minute_per_token: u32,
    /// `REQUEST_BODY_TIMEOUT_MS`: how long a client may take to send a request's headers, and
    /// then its body, before it is answered 408 (default 10000).
    pub body_timeout: Duration,
    /// `TRUST_PROXY_HEADERS`: take the client address from `Forwarded`/`X-Forwarded-For` (set it
    /// only behind a proxy that overwrites them; default false).
    pub trust_proxy_headers: bool,
    /// `TRUSTED_PROXY_HOPS`: how many proxies in front of the service append to the forwarding
    /// header; the client is the address the outermost of them added, counted from the right
    /// (default 1).
    pub trusted_proxy_hops: usize,
    /// `TRUSTED_PROXY_HEADER`: which header the proxies append to, `x-forwarded-for` (default) or
    /// `forwarded` (RFC 7239). The other one is ignored: a client could have written it.
    pub trusted_proxy_header: ProxyHeader,
    /// `JWT_SECRET_SCOPES`: the scopes a token signed with `JWT_SECRET` may carry (default all:
    /// `admin platforms:write contacts:write adoptions:write decisions:write`).
    pub jwt_secret_scopes: Vec<Scope>,
    /// `JWT_PUBLIC_KEY_SCOPES`: the scopes a token verified by `JWT_PUBLIC_KEY_FILE` may carry
    /// (default every scope but `admin`: an external issuer cannot make operators; with
    /// `JWT_PRIVATE_KEY_FILE` set the key pair is the registry's own and `admin` is included).
    pub jwt_public_key_scopes: Vec<Scope>,
    /// How long stored records are kept.
    pub retention: Retention,
    /// `WEBHOOK_ALLOW_PRIVATE_TARGETS`: accept webhook targets on private, loopback and
    /// link-local addresses (tests and local setups; default false).
    pub webhook_allow_private_targets: bool,
    /// `WEBHOOK_POLL_MS`: how often the delivery worker looks for due deliveries (default 1000).
    pub webhook_poll: Duration,
    /// `EXPORT_MAX_ROWS`: the most platforms one spreadsheet export may hold (default 50000);
    /// a larger selection is a 400 that asks for filters.
    pub export_max_rows: usize,
    /// `CACHE_MAX_BYTES`: the most memory the representation cache holds (0 turns it off).
    pub cache_max_bytes: usize,
    /// `CORS_ALLOWED_ORIGINS`: the browser origins (`https://host[:port]`, comma-separated) that
    /// may call the API from their pages; none by default.
    pub cors_allowed_origins: Vec<String>,
    /// `LOCAL_POSTGRES_DIR`: where a private PostgreSQL cluster keeps its data and log when no
    /// server answers at a local `DATABASE_URL`; `None` for the default,
    /// `/var/lib/ndp-registry/postgres` as root, else `~/.local/share/ndp-registry/postgres`.
    pub local_postgres_dir: Option<std::path::PathBuf>,
}

/// The header a trusted proxy appends the client's address to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, ...`.
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

/// How long stored records are kept before the hourly purge removes them.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// `OVERLAP_CHECK_RETENTION_DAYS`: overlap-check receipts, which provinces cite in their
    /// procurement files (default 3650 days; 0 keeps them for ever).
    pub overlap_check_days: u32,
    /// `WEBHOOK_DELIVERY_RETENTION_DAYS`: delivered and failed webhook deliveries (default 30;
    /// pending ones are never purged).
    pub webhook_delivery_days: u32,
    /// `IDEMPOTENCY_KEY_RETENTION_HOURS`: stored answers to POSTs with an `Idempotency-Key`
    /// (default 24).
    pub idempotency_key_hours: u32,
}

impl Settings {
    /// Reads the settings from the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is not, but it must not stop a service whose
        // real settings come from the environment, so it is only logged.
        if let Err(error) = dotenvy::dotenv()
            && !error.not_found()
        {
            log::warn!("ignoring .env: {error}");
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = lookup("DATABASE_URL")
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                message: "must be a postgres:// or postgresql:// URL".into(),
            });
        }
        let bind_raw = lookup("BIND_ADDR").unwrap_or_else(|| DEFAULT_BIND_ADDR.to_owned());
        let bind_addr = bind_raw.trim().parse().map_err(|_| ConfigError {
            variable: "BIND_ADDR",
            message: format!("{bind_raw:?} is not a socket address such as 127.0.0.1:8080"),
        })?;
        let jwt_secret = match lookup("JWT_SECRET") {
            None => None,
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError {
                    variable: "JWT_SECRET",
                    message: format!("must be at least 32 bytes long, got {}", secret.len()),
                });
            }
            Some(secret) => Some(SecretString::from(secret)),
        };
        let jwt_public_key_pem = read_file(&lookup, "JWT_PUBLIC_KEY_FILE")?;
        let jwt_private_key_pem =
            read_file(&lookup, "JWT_PRIVATE_KEY_FILE")?.map(SecretString::from);
        let jwt_issuer = lookup("JWT_ISSUER").unwrap_or_else(|| "ndp-registry".to_owned());
        let jwt_audience = lookup("JWT_AUDIENCE").unwrap_or_else(|| "ndp-registry-api".to_owned());
        let pool_size = parse_number(&lookup, "DATABASE_POOL_SIZE", 10, 1, 200)?;
        let timeout_ms = parse_number(&lookup, "DATABASE_TIMEOUT_MS", 5000, 100, 120_000)?;
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let workers = parse_number(&lookup, "HTTP_WORKERS", cpus, 1, 256)?;
        let overlap_checks_per_minute =
            parse_number(&lookup, "OVERLAP_CHECKS_PER_MINUTE", 30, 0, 100_000)? as u32;
        let anonymous_requests_per_minute = parse_number(
            &lookup,
            "ANONYMOUS_REQUESTS_PER_MINUTE",
            6000,
            0,
            10_000_000,
        )? as u32;
        let writes_per_minute_per_token =
            parse_number(&lookup, "WRITES_PER_MINUTE_PER_TOKEN", 120, 0, 100_000)? as u32;
        let body_timeout_ms =
            parse_number(&lookup, "REQUEST_BODY_TIMEOUT_MS", 10_000, 100, 600_000)?;
        let trust_proxy_headers = parse_bool(&lookup, "TRUST_PROXY_HEADERS")?;
        let trusted_proxy_hops = parse_number(&lookup, "TRUSTED_PROXY_HOPS", 1, 1, 10)?;
        let trusted_proxy_header = match lookup("TRUSTED_PROXY_HEADER")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("" | "x-forwarded-for") => ProxyHeader::XForwardedFor,
            Some("forwarded") => ProxyHeader::Forwarded,
            Some(other) => {
                return Err(ConfigError {
                    variable: "TRUSTED_PROXY_HEADER",
                    message: format!("{other:?} is not x-forwarded-for or forwarded"),
                });
            }
        };
        let all_scopes = "admin platforms:write contacts:write adoptions:write decisions:write";
        let jwt_secret_scopes = parse_scopes(&lookup, "JWT_SECRET_SCOPES", all_scopes)?;
        let public_default = if jwt_private_key_pem.is_some() {
            all_scopes
        } else {
            "platforms:write contacts:write adoptions:write decisions:write"
        };
        let jwt_public_key_scopes = parse_scopes(&lookup, "JWT_PUBLIC_KEY_SCOPES", public_default)?;
        let retention = Retention {
            overlap_check_days: parse_number(
                &lookup,
                "OVERLAP_CHECK_RETENTION_DAYS",
                3650,
                0,
                100_000,
            )? as u32,
            webhook_delivery_days: parse_number(
                &lookup,
                "WEBHOOK_DELIVERY_RETENTION_DAYS",
                30,
                1,
                100_000,
            )? as u32,
            idempotency_key_hours: parse_number(
                &lookup,
                "IDEMPOTENCY_KEY_RETENTION_HOURS",
                24,
                1,
                100_000,
            )? as u32,
        };
        let webhook_allow_private_targets = parse_bool(&lookup, "WEBHOOK_ALLOW_PRIVATE_TARGETS")?;
        let webhook_poll_ms = parse_number(&lookup, "WEBHOOK_POLL_MS", 1000, 10, 600_000)?;
        let export_max_rows = parse_number(&lookup, "EXPORT_MAX_ROWS", 50_000, 1, 1_000_000)?;
        let cache_max_bytes = parse_number(&lookup, "CACHE_MAX_BYTES", 16 << 20, 0, 1 << 40)?;
        let cors_allowed_origins = parse_origins(&lookup)?;
        let local_postgres_dir = lookup("LOCAL_POSTGRES_DIR")
            .filter(|d| !d.trim().is_empty())
            .map(|d| std::path::PathBuf::from(d.trim()));
        Ok(Self {
            local_postgres_dir,
            export_max_rows,
            cache_max_bytes,
            cors_allowed_origins,
            database_url: SecretString::from(database_url),
            workers,
            overlap_checks_per_minute,
            writes_per_minute_per_token,
            anonymous_requests_per_minute,
            body_timeout: Duration::from_millis(body_timeout_ms as u64),
            trust_proxy_headers,
            trusted_proxy_hops,
            trusted_proxy_header,
            jwt_secret_scopes,
            jwt_public_key_scopes,
            retention,
            webhook_allow_private_targets,
            webhook_poll: Duration::from_millis(webhook_poll_ms as u64),
            bind_addr,
            jwt_secret,
            jwt_public_key_pem,
            jwt_private_key_pem,
            jwt_issuer,
            jwt_audience,
            pool_size,
            database_timeout: Duration::from_millis(timeout_ms as u64),
        })
    }

    /// The database URL, for the few places that must open a connection.
    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }
}

fn parse_bool(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<bool, ConfigError> {
    match lookup(variable).as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(other) => Err(ConfigError {
            variable,
            message: format!("{other:?} is not true or false"),
        }),
    }
}

fn parse_origins(lookup: &impl Fn(&str) -> Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = lookup("CORS_ALLOWED_ORIGINS") else {
        return Ok(Vec::new());
    };
    let mut origins = Vec::new();
    for origin in raw.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let parsed = url::Url::parse(origin).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && u.path() == "/"
                && !origin.ends_with('/')
                && u.query().is_none()
                && u.username().is_empty()
        });
        if parsed.is_none() {
            return Err(ConfigError {
                variable: "CORS_ALLOWED_ORIGINS",
                message: format!(
                    "{origin:?} is not an origin such as https://tinh.example.gov.vn or http://localhost:3000"
                ),
            });
        }
        origins.push(origin.to_owned());
    }
    Ok(origins)
}

fn parse_scopes(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
) -> Result<Vec<Scope>, ConfigError> {
    let raw = lookup(variable).unwrap_or_else(|| default.to_owned());
    raw.split_whitespace()
        .map(|word| {
            Scope::parse(word).ok_or_else(|| ConfigError {
                variable,
                message: format!(
                    "{word:?} is not a scope (admin, platforms:write, contacts:write, adoptions:write, decisions:write)"
                ),
            })
        })
        .collect()
}

fn read_file(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    let Some(path) = lookup(variable).filter(|p| !p.trim().is_empty()) else {
        return Ok(None);
    };
    std::fs::read_to_string(path.trim())
        .map(Some)
        .map_err(|error| ConfigError {
            variable,
            message: format!("cannot read {path:?}: {error}"),
        })
}

fn parse_number(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: usize,
    min: usize,
    max: usize,
) -> Result<usize, ConfigError> {
    let Some(raw) = lookup(variable) else {
        return Ok(default);
    };
    match raw.trim().parse::<usize>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(ConfigError {
            variable,
            message: format!("{raw:?} is not a whole number from {min} to {max}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_follow_the_api_contract() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database_url(), DEFAULT_DATABASE_URL);
        assert_eq!(s.bind_addr.to_string(), DEFAULT_BIND_ADDR);
        assert!(s.jwt_secret.is_none());
    }

    #[test]
    fn a_short_jwt_secret_is_rejected_naming_the_variable() {
        let err = settings(&[("JWT_SECRET", "too-short")]).unwrap_err();
        assert_eq!(err.variable, "JWT_SECRET");
        assert!(err.to_string().starts_with("JWT_SECRET: "));
    }

    #[test]
    fn a_malformed_bind_address_is_rejected_naming_the_variable() {
        let err = settings(&[("BIND_ADDR", "localhost")]).unwrap_err();
        assert_eq!(err.variable, "BIND_ADDR");
    }

    #[test]
    fn a_non_postgres_database_url_is_rejected() {
        let err = settings(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
    }

    #[test]
    fn cors_origins_are_a_comma_separated_list_of_origins() {
        let s = settings(&[(
            "CORS_ALLOWED_ORIGINS",
            "https://a.example.vn, http://localhost:3000",
        )])
        .unwrap();
        assert_eq!(
            s.cors_allowed_origins,
            ["https://a.example.vn", "http://localhost:3000"]
        );
        assert!(settings(&[]).unwrap().cors_allowed_origins.is_empty());
        for bad in ["*", "https://a.example.vn/", "a.example.vn", "ftp://x.vn"] {
            let err = settings(&[("CORS_ALLOWED_ORIGINS", bad)]).unwrap_err();
            assert_eq!(err.variable, "CORS_ALLOWED_ORIGINS", "{bad}");
        }
    }

    #[test]
    fn an_external_issuer_may_not_grant_admin_unless_configured() {
        let s = settings(&[]).unwrap();
        assert!(!s.jwt_public_key_scopes.contains(&Scope::Admin));
        assert!(s.jwt_secret_scopes.contains(&Scope::Admin));
        let s = settings(&[("JWT_PUBLIC_KEY_SCOPES", "admin")]).unwrap();
        assert_eq!(s.jwt_public_key_scopes, vec![Scope::Admin]);
        let err = settings(&[("JWT_PUBLIC_KEY_SCOPES", "root")]).unwrap_err();
        assert_eq!(err.variable, "JWT_PUBLIC_KEY_SCOPES");
        let err = settings(&[("TRUSTED_PROXY_HEADER", "x-real-ip")]).unwrap_err();
        assert_eq!(err.variable, "TRUSTED_PROXY_HEADER");
    }

    #[test]
    fn an_out_of_range_pool_size_is_rejected() {
        let err = settings(&[("DATABASE_POOL_SIZE", "0")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_POOL_SIZE");
    }
}
