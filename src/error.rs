//! The one error type and its one body: RFC 9457 `application/problem+json`.
//!
//! Every problem the service can answer is a [`ProblemCode`]: its stable snake_case code, its
//! HTTP status, its English and Vietnamese titles and the Vietnamese explanation are stated here
//! once, and the OpenAPI document enumerates the codes. Client errors carry, for invalid input,
//! field-level `errors`. Server-side causes are logged with their whole chain and never sent to
//! the client. This module knows no HTTP framework: `api::problem` turns an [`ApiError`] into a
//! response.

use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One invalid input: which field or parameter, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter or JSON path at fault (`per_page`, `contacts[0].email`).
    #[schema(example = "per_page")]
    pub field: String,
    /// What is wrong, in plain English.
    #[schema(example = "must be between 1 and 100")]
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem: the body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ndp-registry:problem:invalid_parameter",
    "title": "Invalid query parameter",
    "status": 400,
    "detail": "The query string has 1 invalid parameter.",
    "code": "invalid_parameter",
    "errors": [{"field": "per_page", "message": "must be between 1 and 100"}]
}))]
pub struct Problem {
    /// A URI naming the problem type: `urn:ndp-registry:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:ndp-registry:problem:not_found")]
    pub problem_type: String,
    /// A short summary of the problem type; the same for every occurrence of a `code`.
    #[schema(example = "Resource not found")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong on this request, in plain English.
    #[schema(example = "No platform has the code \"vneid2\".")]
    pub detail: String,
    /// A stable, machine-readable snake_case code: clients branch on this.
    #[schema(example = "not_found")]
    pub code: ProblemCode,
    /// For invalid input: each field or parameter at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request's id (also in the `X-Request-Id` header and the server's log): quote it when
    /// reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "6f1c2a0e-5b7d-4c1e-9a51-2f0c3b8d9e47")]
    pub request_id: Option<String>,
}

macro_rules! problem_codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $code:literal, $status:literal, $title:literal,
            $vi_title:literal, $vi_detail:literal;
    )*) => {
        /// Every problem the service answers with: clients branch on these codes, which are
        /// stable. Each has one HTTP status, one English title and a Vietnamese title and
        /// explanation (sent when `Accept-Language` prefers Vietnamese).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[schema(example = "not_found")]
        #[serde(rename_all = "snake_case")]
        pub enum ProblemCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ProblemCode {
            /// Every code, in the order of the README's error table.
            pub const ALL: &[ProblemCode] = &[$(Self::$variant),*];

            /// The code as sent (`not_found`).
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The HTTP status of every problem with this code.
            pub fn status(self) -> u16 {
                match self { $(Self::$variant => $status,)* }
            }

            /// The English title, the same for every occurrence of the code.
            pub fn title(self) -> &'static str {
                match self { $(Self::$variant => $title,)* }
            }

            /// The Vietnamese title and a Vietnamese explanation of what the code means and
            /// what to do.
            pub fn vietnamese(self) -> (&'static str, &'static str) {
                match self { $(Self::$variant => ($vi_title, $vi_detail),)* }
            }

            /// The code named by `code`, if the service has one.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

problem_codes! {
    /// A query parameter is unknown, repeated or invalid; `errors` names each.
    InvalidParameter = "invalid_parameter", 400, "Invalid query parameter",
        "Tham số truy vấn không hợp lệ",
        "Có tham số truy vấn không hợp lệ, không được hỗ trợ hoặc bị lặp lại; `errors` nêu từng tham số.";
    /// The body is not JSON.
    MalformedJson = "malformed_json", 400, "Malformed JSON",
        "JSON không đúng cú pháp",
        "Nội dung gửi lên không phải là JSON hợp lệ.";
    /// The body could not be read from the connection.
    BodyUnreadable = "body_unreadable", 400, "Request body unreadable",
        "Không đọc được nội dung yêu cầu",
        "Nội dung yêu cầu không đọc được từ kết nối; hãy gửi lại.";
    /// The `Idempotency-Key` header is not 1 to 200 visible ASCII characters.
    InvalidIdempotencyKey = "invalid_idempotency_key", 400, "Malformed Idempotency-Key",
        "Idempotency-Key không đúng định dạng",
        "Khóa `Idempotency-Key` phải gồm từ 1 đến 200 ký tự ASCII hiển thị được.";
    /// The export would exceed `EXPORT_MAX_ROWS`: narrow it with filters.
    ExportTooLarge = "export_too_large", 400, "Export too large",
        "Tệp xuất quá lớn",
        "Tập nền tảng được chọn vượt quá giới hạn của một tệp xuất; hãy thu hẹp bằng bộ lọc (ministry, domain, status, updated_since, q).";
    /// Any other malformed request that the HTTP framework refuses before a handler.
    BadRequest = "bad_request", 400, "Bad Request",
        "Yêu cầu không hợp lệ",
        "Yêu cầu không đúng định dạng HTTP mà hệ thống nhận.";
    /// No bearer token, or one malformed, expired, not yet valid, wrongly signed, for another
    /// audience or issuer, or revoked.
    InvalidToken = "invalid_token", 401, "Missing or invalid bearer token",
        "Mã thông báo (token) bị thiếu hoặc không hợp lệ",
        "Cần tiêu đề `Authorization: Bearer <JWT>` với một mã thông báo còn hiệu lực, đúng chữ ký và chưa bị thu hồi.";
    /// The token lacks the scope this action needs.
    InsufficientScope = "insufficient_scope", 403, "Token lacks the required scope",
        "Mã thông báo không đủ quyền",
        "Mã thông báo này không có phạm vi (scope) cần cho thao tác này.";
    /// The resource belongs to another ministry than the token's.
    WrongMinistry = "wrong_ministry", 403, "Resource of another ministry",
        "Tài nguyên của bộ, ngành khác",
        "Mã thông báo này chỉ được ghi dữ liệu của bộ, ngành cấp nó.";
    /// Only a registry operator token may do this.
    OperatorOnly = "operator_only", 403, "Operator token required",
        "Cần mã thông báo của đơn vị vận hành",
        "Chỉ đơn vị vận hành hệ thống (scope `admin`) được thực hiện thao tác này.";
    /// The token's ministry merged into a successor (named in the detail) or was dissolved.
    MinistryInactive = "ministry_inactive", 403, "Ministry no longer active",
        "Bộ, ngành không còn hoạt động",
        "Bộ, ngành của mã thông báo đã được hợp nhất; hãy dùng mã thông báo của cơ quan kế thừa.";
    /// The token's ministry is not in the registry.
    UnknownMinistry = "unknown_ministry", 403, "Unknown ministry",
        "Không rõ bộ, ngành",
        "Không có bộ, ngành nào có mã này.";
    /// The record or receipt belongs to another province than the token's.
    WrongProvince = "wrong_province", 403, "Record of another province",
        "Hồ sơ của tỉnh, thành phố khác",
        "Mã thông báo này chỉ được ghi hồ sơ của tỉnh, thành phố cấp nó.";
    /// Only a province token (or an operator's) may write a province's records.
    ProvinceOnly = "province_only", 403, "Province token required",
        "Cần mã thông báo của tỉnh, thành phố",
        "Chỉ mã thông báo của tỉnh, thành phố (hoặc của đơn vị vận hành) được ghi hồ sơ của tỉnh.";
    /// The token's province is not in the registry.
    UnknownProvince = "unknown_province", 403, "Unknown province",
        "Không rõ tỉnh, thành phố",
        "Không có tỉnh, thành phố nào có mã này.";
    /// No resource has that code or key.
    NotFound = "not_found", 404, "Resource not found",
        "Không tìm thấy tài nguyên",
        "Không có tài nguyên nào có mã hoặc khóa này.";
    /// No province has that code or name.
    ProvinceNotFound = "province_not_found", 404, "Province not found",
        "Không tìm thấy tỉnh, thành phố",
        "Không có tỉnh, thành phố nào có mã hoặc tên này (kể cả tên cũ trước năm 2025).";
    /// The province has no adoption record for the platform.
    AdoptionNotFound = "adoption_not_found", 404, "Adoption record not found",
        "Không tìm thấy hồ sơ sử dụng",
        "Tỉnh, thành phố này chưa có hồ sơ sử dụng nền tảng này.";
    /// The receipt has no decision yet.
    DecisionNotFound = "decision_not_found", 404, "Decision not found",
        "Chưa có quyết định",
        "Phiếu kiểm tra này chưa được ghi quyết định.";
    /// No endpoint at that path.
    RouteNotFound = "route_not_found", 404, "No such endpoint",
        "Không có điểm cuối này",
        "Không có điểm cuối (endpoint) nào ở đường dẫn này; xem /api/v1/openapi.json.";
    /// The path exists under other methods (see `Allow`).
    MethodNotAllowed = "method_not_allowed", 405, "Method not allowed",
        "Phương thức không được phép",
        "Đường dẫn này không nhận phương thức HTTP này; xem tiêu đề `Allow`.";
    /// The body did not arrive within `REQUEST_BODY_TIMEOUT_MS`; the connection is closed.
    BodyTimeout = "body_timeout", 408, "Request body too slow",
        "Nội dung yêu cầu đến quá chậm",
        "Nội dung yêu cầu không đến kịp thời hạn; kết nối đã được đóng.";
    /// A platform with that code already exists.
    PlatformExists = "platform_exists", 409, "Resource already exists",
        "Tài nguyên đã tồn tại",
        "Mã này đã được dùng cho một nền tảng khác.";
    /// A ministry with that code already exists.
    MinistryExists = "ministry_exists", 409, "Resource already exists",
        "Tài nguyên đã tồn tại",
        "Mã này đã được dùng cho một bộ, ngành khác.";
    /// A bulk set names platforms that belong to another ministry.
    OwnedElsewhere = "owned_elsewhere", 409, "Platform owned by another ministry",
        "Tài nguyên thuộc bộ, ngành khác",
        "Danh sách gửi lên có nền tảng đang thuộc bộ, ngành khác.";
    /// The receipt already has a decision.
    DecisionExists = "decision_exists", 409, "Decision already recorded",
        "Quyết định đã được ghi",
        "Phiếu kiểm tra này đã có quyết định; quyết định không sửa được.";
    /// Another resource has the same key.
    Conflict = "conflict", 409, "Resource already exists",
        "Tài nguyên đã tồn tại",
        "Mã này đã được dùng, hoặc tài nguyên thuộc về bộ, ngành khác.";
    /// The platform already has the most contacts it may have (50).
    TooManyContacts = "too_many_contacts", 409, "Too many contacts on the platform",
        "Nền tảng có quá nhiều đầu mối liên hệ",
        "Nền tảng đã có số đầu mối liên hệ tối đa (50); hãy xóa bớt trước khi thêm.";
    /// `If-Match` names an ETag that is no longer current.
    PreconditionFailed = "precondition_failed", 412, "Resource changed since it was read",
        "Tài nguyên đã thay đổi từ khi được đọc",
        "ETag trong `If-Match` đã cũ; hãy đọc lại tài nguyên rồi gửi lại thay đổi.";
    /// The body is over 64 KiB (4 MiB for a bulk sync).
    PayloadTooLarge = "payload_too_large", 413, "Request body too large",
        "Nội dung yêu cầu quá lớn",
        "Nội dung gửi lên vượt quá giới hạn cho phép (64 KiB, hoặc 4 MiB khi đồng bộ hàng loạt).";
    /// The body is not `application/json` (or `application/merge-patch+json` for PATCH).
    UnsupportedMediaType = "unsupported_media_type", 415, "Unsupported media type",
        "Kiểu nội dung không được hỗ trợ",
        "Hãy gửi nội dung dạng `application/json` (hoặc `application/merge-patch+json` với PATCH).";
    /// A field is unknown, missing, mistyped or invalid; `errors` names each.
    ValidationFailed = "validation_failed", 422, "Invalid request body",
        "Nội dung yêu cầu không hợp lệ",
        "Có trường không hợp lệ, thiếu hoặc không được phép trong nội dung gửi lên; `errors` nêu từng trường.";
    /// The `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused = "idempotency_key_reused", 422, "Idempotency-Key reused with another request",
        "Idempotency-Key đã được dùng cho yêu cầu khác",
        "Khóa `Idempotency-Key` này đã được dùng với một nội dung khác; hãy dùng khóa mới.";
    /// Too many requests from an address or writes with a token (see `Retry-After`).
    RateLimited = "rate_limited", 429, "Too many requests",
        "Quá nhiều yêu cầu",
        "Địa chỉ hoặc mã thông báo này đã gửi quá nhiều yêu cầu; hãy thử lại sau số giây trong `Retry-After`.";
    /// More than 64 header fields or 16 KiB of them.
    HeadersTooLarge = "headers_too_large", 431, "Request header fields too large",
        "Tiêu đề yêu cầu quá lớn",
        "Yêu cầu có quá nhiều trường tiêu đề (tối đa 64) hoặc quá 16 KiB tiêu đề.";
    /// A bug; the cause is logged, never sent.
    InternalError = "internal_error", 500, "Internal server error",
        "Lỗi máy chủ nội bộ",
        "Hệ thống không trả lời được yêu cầu này; lỗi đã được ghi lại.";
    /// Any other server error the HTTP framework answers before a handler.
    ServerError = "server_error", 500, "Server error",
        "Lỗi máy chủ",
        "Máy chủ không trả lời được yêu cầu này.";
    /// The database did not answer in time (see `Retry-After`); a write answered so was not
    /// applied.
    DatabaseUnavailable = "database_unavailable", 503, "Service temporarily unavailable",
        "Dịch vụ tạm thời không khả dụng",
        "Cơ sở dữ liệu của hệ thống chưa trả lời; vui lòng thử lại sau giây lát.";
    /// The database went away while the write committed and did not come back in time to say
    /// whether it did.
    WriteOutcomeUnknown = "write_outcome_unknown", 503, "Outcome of the write unknown",
        "Chưa rõ kết quả ghi",
        "Cơ sở dữ liệu mất kết nối khi đang ghi; hãy đọc lại tài nguyên, hoặc gửi lại với cùng `Idempotency-Key` hoặc `If-Match`.";
}

/// Everything a handler or a registry operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client's request cannot be served as it is.
    #[error("{} {}: {detail}", .code.status(), .code.as_str())]
    Client {
        /// The stable problem code, which fixes the status.
        code: ProblemCode,
        /// The explanation sent to the client.
        detail: String,
        /// Field-level errors, for invalid input.
        errors: Vec<FieldError>,
        /// Extra response headers by name, such as `Allow` on a 405.
        headers: Vec<(&'static str, String)>,
    },
    /// The database cannot be reached or did not answer in time.
    #[error("database unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// A client error with a code and a detail.
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::Client {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// The same error with an extra response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        if let Self::Client { headers, .. } = &mut self {
            headers.push((name, value.into()));
        }
        self
    }

    /// 404: the named resource does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::NotFound, detail)
    }

    /// 400: one or more query parameters are invalid.
    pub fn invalid_parameters(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("Query parameter `{}`: {}.", one.field, one.message),
            many => format!("The query string has {} invalid parameters.", many.len()),
        };
        Self::Client {
            code: ProblemCode::InvalidParameter,
            detail,
            errors,
            headers: Vec::new(),
        }
    }

    /// 422: the body is well-formed JSON but not an acceptable value; `errors` names each field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}` {}.", one.field, one.message),
            many => format!("The request body has {} invalid fields.", many.len()),
        };
        Self::Client {
            code: ProblemCode::ValidationFailed,
            detail,
            errors,
            headers: Vec::new(),
        }
    }

    /// 400: the body is not JSON.
    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::MalformedJson, detail)
    }

    /// 405: the path exists but not with this method.
    pub fn method_not_allowed(method: &str, allowed: &[String]) -> Self {
        let allow = allowed.join(", ");
        Self::new(
            ProblemCode::MethodNotAllowed,
            format!("{method} is not allowed here; allowed: {allow}."),
        )
        .with_header("allow", allow)
    }

    /// 401 with `WWW-Authenticate: Bearer error="invalid_token"`. The detail never echoes the
    /// decoder's error text.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::InvalidToken, detail).with_header(
            "www-authenticate",
            "Bearer realm=\"ndp-registry\", error=\"invalid_token\"",
        )
    }

    /// 429 with a `Retry-After` of `wait`, rounded up to whole seconds.
    pub fn rate_limited(wait: std::time::Duration, detail: &str) -> Self {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        Self::new(
            ProblemCode::RateLimited,
            format!("{detail} Retry in {seconds} s."),
        )
        .with_header("retry-after", seconds.to_string())
    }

    /// 408: the body did not arrive in time; the connection is closed, because the rest of the
    /// body cannot be told from a next request.
    pub fn body_timeout(allowance: std::time::Duration) -> Self {
        Self::new(
            ProblemCode::BodyTimeout,
            format!(
                "The request body did not arrive within {} ms; send it at once.",
                allowance.as_millis()
            ),
        )
        .with_header("connection", "close")
    }

    /// 503: the write may or may not have been applied.
    pub fn write_outcome_unknown() -> Self {
        Self::new(
            ProblemCode::WriteOutcomeUnknown,
            "The database stopped answering while this write was being committed, so whether \
             it was applied is not known. Read the resource to find out; a retry with the same \
             Idempotency-Key or If-Match is safe.",
        )
        .with_header("retry-after", "5")
    }

    /// 500 from any error: the cause is logged, never sent.
    pub fn internal(error: impl Into<BoxError>) -> Self {
        Self::Internal(error.into())
    }

    /// The problem code of this error.
    pub fn code(&self) -> ProblemCode {
        match self {
            Self::Client { code, .. } => *code,
            Self::Unavailable(_) => ProblemCode::DatabaseUnavailable,
            Self::Internal(_) => ProblemCode::InternalError,
        }
    }

    /// The field errors of an invalid input (empty for other errors).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Client { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The code, the detail sent to the client, and the field errors.
    pub fn parts(&self) -> (ProblemCode, String, &[FieldError]) {
        match self {
            Self::Client {
                code,
                detail,
                errors,
                ..
            } => (*code, detail.clone(), errors.as_slice()),
            Self::Unavailable(_) => (
                ProblemCode::DatabaseUnavailable,
                "The registry's database is not answering; retry shortly.".into(),
                &[],
            ),
            Self::Internal(_) => (
                ProblemCode::InternalError,
                "The registry failed to answer this request; the failure has been logged.".into(),
                &[],
            ),
        }
    }
}

impl Problem {
    /// The problem body of `code`.
    pub fn new(
        code: ProblemCode,
        detail: String,
        errors: Vec<FieldError>,
        request_id: Option<&str>,
    ) -> Self {
        Self {
            problem_type: format!("urn:ndp-registry:problem:{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            detail,
            code,
            errors,
            request_id: request_id.map(str::to_owned),
        }
    }
}

/// The whole cause chain of an error on one line, for the log.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::not_found("The requested resource does not exist."),
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Unavailable(Box::new(error)),
            Error::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if is_transient(info.message()) =>
            {
                Self::Unavailable(Box::new(error))
            }
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::new(
                ProblemCode::Conflict,
                "A resource with the same key already exists.",
            ),
            Error::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::CheckViolation,
                ref info,
            ) => {
                // Validation normally catches this first; the constraint name is safe to show.
                let constraint = info.constraint_name().unwrap_or("a constraint").to_owned();
                Self::new(
                    ProblemCode::ValidationFailed,
                    format!("The database refused the values ({constraint})."),
                )
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::Unavailable(Box::new(error))
            }
            other => Self::Internal(Box::new(other)),
        }
    }
}

/// Text that came from a client, made safe for a log line: control characters, quotes,
/// backslashes and non-ASCII characters are escaped, so a client cannot forge a line or a field.
pub fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let plain = c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ';
            let escaped: Vec<char> = if plain {
                vec![c]
            } else {
                c.escape_default().collect()
            };
            escaped
        })
        .collect()
}

/// Whether a database error message says the server is restarting, overloaded, cancelled the
/// statement or lost the connection (SQLSTATE classes 08, 53, 57 and deadlocks): the request may
/// succeed when retried, so it is answered 503, never 500. diesel-async keeps only the message of
/// errors it does not classify, so the message is what can be matched.
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 9] = [
        "terminating connection",
        "the database system is",
        "canceling statement",
        "sorry, too many clients",
        "remaining connection slots",
        "deadlock detected",
        "could not serialize",
        "connection",
        "server closed",
    ];
    TRANSIENT.iter().any(|prefix| message.starts_with(prefix))
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's error table: each row's codes with the status it states (the leading number).
    fn readme_table() -> Vec<(String, u16)> {
        let readme = include_str!("../README.md");
        let start = readme
            .find("| code | status | when |")
            .unwrap_or_else(|| panic!("the README has no error table"));
        let mut rows = Vec::new();
        for line in readme[start..].lines().skip(2) {
            if !line.starts_with('|') {
                break;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status: u16 = cells[2]
                .trim_end_matches("xx")
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no status in {line}"));
            for code in cells[1].split(',') {
                rows.push((code.trim().trim_matches('`').to_owned(), status));
            }
        }
        rows
    }

    #[test]
    fn the_readme_error_table_is_the_enum() {
        let table = readme_table();
        let mut documented: Vec<&str> = table.iter().map(|(c, _)| c.as_str()).collect();
        documented.sort_unstable();
        let mut enumerated: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
        enumerated.sort_unstable();
        assert_eq!(documented, enumerated);
        for (code, status) in &table {
            let code = ProblemCode::from_code(code).unwrap_or(ProblemCode::InternalError);
            // `server_error` is written 5xx: its status is whatever the HTTP layer chose.
            let expected = if *status == 5 { 500 } else { *status };
            assert_eq!(code.status(), expected, "{}", code.as_str());
        }
    }

    #[test]
    fn codes_read_back_and_serialise_as_themselves() {
        for code in ProblemCode::ALL {
            assert_eq!(ProblemCode::from_code(code.as_str()), Some(*code));
            let json = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(json, code.as_str());
            assert!(!code.title().is_empty() && !code.vietnamese().0.is_empty());
        }
    }
}
