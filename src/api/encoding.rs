//! Content negotiation of the compression: gzip when the client takes both gzip and brotli.
//!
//! A brotli encoder holds a window of several MiB for each answer it compresses, so thirty-odd
//! clients that accept it (every browser, `curl --compressed`, most HTTP libraries) pushed the
//! resident memory of one replica past 400 MB under load, and cut its throughput on a list page
//! to about 800 answers a second, against about 18,000 with gzip (`BENCHMARKS.md`). RFC 9110
//! (12.5.3) lets the server choose among the codings a client accepts equally, so when gzip is
//! acceptable brotli is taken out of `Accept-Encoding` before `Compress` reads it. A client that
//! asks for brotli alone still gets it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ACCEPT_ENCODING, HeaderValue};
use actix_web::middleware::Next;

/// `Accept-Encoding` without brotli when it also accepts gzip (or any coding, `*`) with a
/// non-zero weight; `None` when it is to be left as it is.
pub fn without_brotli(accept: &str) -> Option<String> {
    let codings: Vec<(&str, &str)> = accept
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            let name = c.split(';').next().unwrap_or("").trim();
            (name, c)
        })
        .collect();
    let accepted = |coding: &str| {
        !coding.split(';').skip(1).any(|param| {
            param
                .trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        })
    };
    let gzip = codings
        .iter()
        .any(|(name, c)| (name.eq_ignore_ascii_case("gzip") || *name == "*") && accepted(c));
    let brotli = codings
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("br"));
    (gzip && brotli).then(|| {
        codings
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("br"))
            .map(|(_, c)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// The middleware: rewrites `Accept-Encoding` with [`without_brotli`]; wraps `Compress`.
pub async fn prefer_gzip(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let rewritten = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(without_brotli)
        .and_then(|v| HeaderValue::from_str(&v).ok());
    if let Some(value) = rewritten {
        req.headers_mut().insert(ACCEPT_ENCODING, value);
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::without_brotli;

    #[test]
    fn gzip_is_chosen_when_the_client_takes_both() {
        assert_eq!(
            without_brotli("gzip, deflate, br").as_deref(),
            Some("gzip, deflate")
        );
        assert_eq!(
            without_brotli("br;q=1.0, gzip;q=0.8, *;q=0.1").as_deref(),
            Some("gzip;q=0.8, *;q=0.1")
        );
        assert_eq!(without_brotli("br, *").as_deref(), Some("*"));
        // Brotli alone, or gzip refused: left as the client wrote it.
        assert_eq!(without_brotli("br"), None);
        assert_eq!(without_brotli("br, gzip;q=0"), None);
        assert_eq!(without_brotli("gzip"), None);
        assert_eq!(without_brotli("identity"), None);
    }
}
