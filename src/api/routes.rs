//! Answers for requests that match no handler: 405 with `Allow` when the path exists under another
//! method, 404 otherwise. The known paths come from the OpenAPI document, which is generated from
//! the handlers themselves, so this table cannot drift from the routes.

use actix_web::HttpMessage as _;
use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi;

use crate::error::{ApiError, ProblemCode};

/// Every documented path with the methods it accepts, matched segment by segment.
///
/// Every request's route template is needed twice before routing (metrics labels, the
/// representation cache), and actix's `match_pattern` finds it by running a regular expression
/// for each dynamic route in turn: in a profile of conditional GETs those searches were a tenth of
/// the server's CPU. A documented template is made of literal segments and `{name}` segments, each
/// matching one non-empty segment, as actix's default does; where two templates match (the literal
/// `/platforms/facets` and `/platforms/{code}`), the one with more literal segments wins, as it must
/// for actix to route it at all. A test checks the two agree on every documented path.
pub struct KnownRoutes(Vec<Route>);

struct Route {
    template: String,
    /// Each segment after the leading `/`: `None` for a `{name}`.
    segments: Vec<Option<String>>,
    literals: usize,
    methods: Vec<String>,
}

impl KnownRoutes {
    /// Builds the table from the OpenAPI document.
    pub fn from_openapi(api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<String> = Vec::new();
                let ops = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                for (name, present) in ops {
                    if present {
                        methods.push(name.to_owned());
                    }
                    if name == "GET" && present {
                        methods.push("HEAD".to_owned());
                    }
                }
                let segments: Vec<Option<String>> = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|segment| {
                        (!(segment.starts_with('{') && segment.ends_with('}')))
                            .then(|| segment.to_owned())
                    })
                    .collect();
                Route {
                    template: path.clone(),
                    literals: segments.iter().flatten().count(),
                    segments,
                    methods,
                }
            })
            .collect();
        Self(routes)
    }

    fn route(&self, path: &str) -> Option<&Route> {
        // The segments, split once (no documented path has more than eight).
        let mut parts = [""; 8];
        let mut count = 0;
        for part in path.strip_prefix('/')?.split('/') {
            *parts.get_mut(count)? = part;
            count += 1;
        }
        let parts = &parts[..count];
        let mut best: Option<&Route> = None;
        for route in &self.0 {
            let matched = route.segments.len() == count
                && route
                    .segments
                    .iter()
                    .zip(parts)
                    .all(|(segment, part)| match segment {
                        Some(literal) => part == literal,
                        None => !part.is_empty(),
                    });
            if matched && best.is_none_or(|b| route.literals > b.literals) {
                best = Some(route);
            }
        }
        best
    }

    /// The documented template `path` matches, if any (`/api/v1/platforms/{code}`).
    pub fn template(&self, path: &str) -> Option<&str> {
        self.route(path).map(|r| r.template.as_str())
    }

    fn allowed(&self, path: &str) -> Option<&[String]> {
        self.route(path).map(|r| r.methods.as_slice())
    }
}

/// The route template of a request, found once by the outermost layer that needs it and kept
/// with the request for the others: a documented template, else actix's own match (Swagger UI,
/// the OpenAPI document), else `None`.
#[derive(Clone)]
pub struct RouteTemplate(pub Option<String>);

impl RouteTemplate {
    /// The template of `req`, kept in its extensions after the first call.
    pub fn of(req: &actix_web::dev::ServiceRequest) -> Option<String> {
        if let Some(kept) = req.extensions().get::<RouteTemplate>() {
            return kept.0.clone();
        }
        let template = req
            .app_data::<web::Data<KnownRoutes>>()
            .and_then(|routes| routes.template(req.path()).map(str::to_owned))
            .or_else(|| req.match_pattern());
        req.extensions_mut().insert(RouteTemplate(template.clone()));
        template
    }
}

/// The default service: 405 or 404 as problem+json.
pub async fn no_route(
    req: HttpRequest,
    routes: web::Data<KnownRoutes>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(methods) => ApiError::method_not_allowed(req.method().as_str(), methods),
        None => ApiError::new(
            ProblemCode::RouteNotFound,
            format!(
                "There is no endpoint at {}; see /api/v1/openapi.json.",
                req.path()
            ),
        ),
    })
}

/// No code, key or id of this API contains a NUL character, and PostgreSQL text cannot hold one:
/// a path with an encoded NUL (`%00`) names no resource, so it is a 404 before any handler runs
/// (a query with it would be refused by the database and surface as a 500).
pub async fn reject_nul_in_path(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.path().contains("%00") {
        return Err(
            ApiError::not_found("No resource has an identifier with a NUL character.").into(),
        );
    }
    next.call(req).await
}

/// Scripts written before the export had its own operation ask the list for a spreadsheet
/// (`GET /api/v1/platforms?format=csv`); they are served the export, `GET /api/v1/platforms/export`
/// with the same query, so that a name that shipped keeps working. The OpenAPI document describes
/// only the export, so generated clients keep a JSON-only list.
pub async fn list_format_to_export(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let asks_for_sheet = req.path() == "/api/v1/platforms"
        && form_urlencoded::parse(req.query_string().as_bytes()).any(|(k, _)| k == "format");
    if asks_for_sheet
        && let Ok(uri) = format!("/api/v1/platforms/export?{}", req.query_string())
            .parse::<actix_web::http::Uri>()
    {
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    next.call(req).await
}

/// `HEAD` is answered as `GET` is, headers included, without the body (RFC 9110 9.3.2): the
/// request is routed as a GET, and actix's HTTP/1 encoder sends no body in answer to a HEAD.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}
