//! Builds the application from `Settings`: the one place where routes and middleware are wired.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header::ContentType;
use actix_web::middleware::{Compress, Condition, ErrorHandlers, Logger, from_fn};
use actix_web::{App, HttpResponse, HttpServer, guard, web};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::body::MAX_BODY_BYTES;
use crate::api::cache::{ResponseCache, cache_layer};
use crate::api::encoding::{compress_answers, prefer_gzip};
use crate::api::language::localise_problems;
use crate::api::observe::observe;
use crate::api::problem::ensure_problem_body;
use crate::api::rate_limit::{ProxyTrust, RateLimiter, client_address};
use crate::api::routes::{
    KnownRoutes, head_as_get, list_format_to_export, no_route, reject_nul_in_path,
};
use crate::api::state::AppState;
use crate::api::{health, v1};
use crate::auth::JwtKeys;
use crate::config::Settings;
use crate::db::notify::FeedWatch;
use crate::db::{self, DbPool};
use crate::metrics::Metrics;
use crate::openapi::ApiDoc;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Registers every documented route. The OpenAPI document is collected from this same call.
fn register(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(crate::api::observe::prometheus_metrics)
        .service(scope::scope("/api/v1").configure(v1::routes));
}

/// The full OpenAPI document, as served and as `ndp-registry openapi` prints it.
pub fn openapi() -> OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    crate::openapi::expand_patterns(&mut api);
    crate::openapi::conventions::apply(api)
}

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Builds the pool and binds the listener. The database is not contacted here: the service
    /// starts while PostgreSQL is down and `/readyz` says when it can answer.
    pub fn build(settings: &Settings) -> Result<Self, std::io::Error> {
        let pool = db::build_pool(
            settings.database_url(),
            settings.pool_size,
            settings.database_timeout,
        )
        .map_err(std::io::Error::other)?;
        let jwt = JwtKeys::from_settings(settings).map_err(std::io::Error::other)?;
        if !jwt.can_verify() {
            log::warn!(
                "neither JWT_SECRET nor JWT_PUBLIC_KEY_FILE is set: every write will be refused"
            );
        }
        let listener = TcpListener::bind(settings.bind_addr)?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            pool,
            jwt,
            anonymous_limiter: RateLimiter::new(settings.anonymous_requests_per_minute),
            overlap_limiter: RateLimiter::new(settings.overlap_checks_per_minute),
            write_limiter: RateLimiter::new(settings.writes_per_minute_per_token),
            database_timeout: settings.database_timeout,
            body_timeout: settings.body_timeout,
            proxies: proxy_trust(settings),
            retention: settings.retention,
            webhook_allow_private_targets: settings.webhook_allow_private_targets,
            documents: Default::default(),
            judgements: crate::registry::overlap::memo::Judgements::new()
                .map_err(std::io::Error::other)?,
            export_max_rows: settings.export_max_rows,
            // Two per worker: one scores while the other waits on PostgreSQL.
            searches: tokio::sync::Semaphore::new(2 * settings.workers.max(1)),
        };
        let metrics = web::Data::new(Metrics::new().map_err(std::io::Error::other)?);
        for collector in state.judgements.collectors() {
            metrics.register(collector).map_err(std::io::Error::other)?;
        }
        crate::webhooks::spawn_worker(
            state.pool.clone(),
            settings.webhook_allow_private_targets,
            settings.webhook_poll,
            metrics.clone().into_inner(),
        );
        crate::retention::spawn_purger(state.pool.clone(), settings.retention);
        let cache = representation_cache(settings, &state.pool, &metrics, port)?;
        let server = run(listener, state, metrics, cache, settings)?;
        Ok(Self { server, port })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (gracefully: in-flight requests are answered first).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; SIGINT and SIGTERM drain in-flight requests first.
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        self.server.await
    }
}

/// The representation cache and, when it is on, the feed listener that validates it. The
/// listener's `application_name` names the port, so an operator can tell replicas apart in
/// `pg_stat_activity`.
fn representation_cache(
    settings: &Settings,
    pool: &DbPool,
    metrics: &Metrics,
    port: u16,
) -> Result<web::Data<ResponseCache>, std::io::Error> {
    let feed = std::sync::Arc::new(FeedWatch::new().map_err(std::io::Error::other)?);
    let cache = ResponseCache::new(settings.cache_max_bytes, feed.clone(), pool.clone())
        .map_err(std::io::Error::other)?;
    for collector in cache.collectors() {
        metrics.register(collector).map_err(std::io::Error::other)?;
    }
    if cache.enabled() {
        crate::db::notify::spawn_listener(
            feed,
            settings.database_url(),
            format!("ndp-registry feed listener :{port}"),
            settings.database_timeout,
        );
    }
    Ok(web::Data::new(cache))
}

/// How client addresses are taken from proxy headers, when they are trusted.
fn proxy_trust(settings: &Settings) -> Option<ProxyTrust> {
    settings.trust_proxy_headers.then_some(ProxyTrust {
        hops: settings.trusted_proxy_hops,
        header: settings.trusted_proxy_header,
    })
}

/// The access log line: client address (the peer's unless proxies are trusted), request line,
/// status, bytes, milliseconds, request id. Everything the client wrote is escaped, so that a
/// client cannot forge a line or a field.
fn access_log(proxies: Option<ProxyTrust>) -> Logger {
    Logger::new("%{client}xi \"%{request}xi\" %s %b %Dms request_id=%{x-request-id}o")
        .custom_request_replace("client", move |req| {
            client_address(req.request(), proxies)
                .map_or_else(|| "-".to_owned(), |ip| ip.to_string())
        })
        .custom_request_replace("request", |req| {
            let target = req
                .uri()
                .path_and_query()
                .map_or_else(|| req.path(), |p| p.as_str());
            crate::error::escape(&format!("{} {target} {:?}", req.method(), req.version()))
        })
}

fn run(
    listener: TcpListener,
    state: AppState,
    metrics: web::Data<Metrics>,
    cache: web::Data<ResponseCache>,
    settings: &Settings,
) -> Result<Server, std::io::Error> {
    let api = openapi();
    let routes = web::Data::new(KnownRoutes::from_openapi(&api));
    // The document is serialised once and shared by the workers. Handed to Swagger UI as a
    // value, it was cloned into every worker (the factory closure, then the UI's own copy), a few
    // MiB each that stayed in the worker's malloc arena.
    let document = web::Data::new(OpenApiDocument(web::Bytes::from(
        serde_json::to_vec(&api).map_err(std::io::Error::other)?,
    )));
    drop(api);
    let proxies = state.proxies;
    let state = web::Data::new(state);
    let origins = settings.cors_allowed_origins.clone();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(head_as_get))
            .wrap(from_fn(list_format_to_export))
            .wrap(from_fn(reject_nul_in_path))
            .wrap(ErrorHandlers::new().default_handler(ensure_problem_body))
            // Inside `observe`: a cached answer gets its own request id, deadline, rate limit and
            // metrics; outside the handlers, which stay unaware of it.
            .wrap(from_fn(cache_layer))
            .wrap(from_fn(observe))
            .wrap(from_fn(localise_problems))
            // Outside the rate limit, so that a 429 is readable by the page that caused it.
            .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
            // Outermost but the log: every answer, problems included, is compressed when the
            // client accepts gzip or brotli (`Vary: Accept-Encoding`); gzip when it takes both.
            // Both are made by `compress_answers`, in one bounded call per answer (or taken from
            // the cache entry); `Compress` is left `deflate` and the 406 for no acceptable coding.
            .wrap(from_fn(compress_answers))
            .wrap(Compress::default())
            .wrap(from_fn(prefer_gzip))
            .wrap(access_log(proxies))
            .app_data(metrics.clone())
            .app_data(cache.clone())
            .app_data(state.clone())
            .app_data(routes.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            // Served first: `/api/v1/openapi.json` lies inside the `/api/v1` scope below.
            .service(
                web::resource(OPENAPI_PATH)
                    .guard(guard::Get())
                    .app_data(document.clone())
                    .to(openapi_document),
            )
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(Config::new([OPENAPI_PATH])))
            .into_utoipa_app()
            .configure(register)
            .into_app()
            .default_service(web::to(no_route))
    })
    .workers(settings.workers)
    // An answer goes out as soon as it is written. With Nagle's algorithm on, the tail of an
    // answer written in two pieces (head, then a large body) waited for the client's delayed ACK:
    // about 40 ms for each request of a client that sends one at a time on a kept-alive
    // connection.
    .tcp_nodelay(true)
    // A client that takes longer than this to send its request head is answered 408 by actix;
    // the body has the same allowance, enforced where it is read (`api::body`).
    .client_request_timeout(settings.body_timeout)
    .listen(listener)?
    .shutdown_timeout(30)
    .run();
    Ok(server)
}

/// The served OpenAPI document, serialised.
struct OpenApiDocument(web::Bytes);

/// `GET /api/v1/openapi.json`: the document as Swagger UI served it (compact JSON).
async fn openapi_document(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(document.0.clone())
}

/// Cross-origin access for the configured origins: preflights are answered, and the headers a
/// page needs to follow pages, revalidate, find what it created and report a problem are exposed.
/// Credentials are not allowed: writes carry a bearer token, never a cookie.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "x-request-id",
            "accept-language",
        ])
        .expose_headers(["etag", "link", "location", "x-request-id", "retry-after"])
        .max_age(600)
        // A request from another origin is served without CORS headers (the browser then keeps
        // the answer from the page) rather than refused: the API itself is public.
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use actix_web::{App, HttpResponse, test as actix_test, web};

    use super::*;

    static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            LINES.lock().unwrap().push(record.args().to_string());
        }
        fn flush(&self) {}
    }

    #[actix_web::test]
    async fn the_access_log_names_the_peer_and_not_an_untrusted_forwarded_address() {
        if log::set_boxed_logger(Box::new(Capture)).is_ok() {
            log::set_max_level(log::LevelFilter::Info);
        }
        let app = actix_test::init_service(
            App::new()
                .wrap(access_log(None))
                .route("/logged", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let request = actix_test::TestRequest::get()
            .uri("/logged?q=%22x%0A")
            .insert_header(("x-forwarded-for", "6.6.6.6"))
            .insert_header(("forwarded", "for=6.6.6.7"))
            .peer_addr("192.0.2.9:4711".parse().unwrap())
            .to_request();
        actix_test::call_and_read_body(&app, request).await;
        let lines = LINES.lock().unwrap();
        let line = lines.iter().find(|l| l.contains("/logged")).unwrap();
        assert!(line.starts_with("192.0.2.9 \"GET /logged"), "{line}");
        assert!(!line.contains("6.6.6."), "{line}");
    }
}

#[cfg(test)]
mod route_tests {
    use actix_web::dev::{ServiceRequest, ServiceResponse};
    use actix_web::middleware::Next;
    use actix_web::test::{TestRequest, call_service, init_service, read_body};

    use super::*;
    use crate::api::routes::RouteTemplate;

    /// Answers every request, before any handler, with whether the documented template found for
    /// its path is what actix itself matches.
    async fn compare(
        req: ServiceRequest,
        _: Next<impl actix_web::body::MessageBody + 'static>,
    ) -> Result<ServiceResponse, actix_web::Error> {
        let ours = RouteTemplate::of(&req);
        let actix = req.match_pattern();
        let verdict = format!("{ours:?} {actix:?}");
        let status = if ours == actix { 200 } else { 500 };
        let (request, _) = req.into_parts();
        let response =
            HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
                .body(verdict);
        Ok(ServiceResponse::new(request, response))
    }

    #[actix_web::test]
    async fn the_documented_templates_are_the_routes_actix_matches() {
        let api = openapi();
        let routes = web::Data::new(KnownRoutes::from_openapi(&api));
        let app = init_service(
            App::new()
                .app_data(routes)
                .wrap(from_fn(compare))
                .into_utoipa_app()
                .configure(register)
                .into_app(),
        )
        .await;
        let mut paths: Vec<String> = api
            .paths
            .paths
            .keys()
            .map(|template| {
                template
                    .split('/')
                    .map(|s| if s.starts_with('{') { "x-1" } else { s })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        assert!(paths.len() > 30, "{paths:?}");
        for tricky in [
            "/api/v1/platforms/facets",
            "/api/v1/platforms/export",
            "/api/v1/platforms/",
            "/api/v1/platforms/vneid/",
            "/api/v1/platforms/vneid/contacts/extra",
            "/api/v1//platforms",
            "/api/v1/platforms/v%2Fneid",
            "/nothing/here",
            "/api/v1/platforms/a/b/c/d/e/f/g/h/i",
            "/",
        ] {
            paths.push(tricky.to_owned());
        }
        for path in paths {
            let response = call_service(&app, TestRequest::get().uri(&path).to_request()).await;
            let status = response.status();
            let body = read_body(response).await;
            assert_eq!(status, 200, "{path}: ours, actix's: {body:?}");
        }
    }
}
