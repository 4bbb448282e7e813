//! Compression: gzip when the client takes both gzip and brotli, and both made here, bounded.
//!
//! A brotli encoder holds a window of several MiB for each answer it compresses, so thirty-odd
//! clients that accept it (every browser, `curl --compressed`, most HTTP libraries) pushed the
//! resident memory of one replica past 400 MB under load, and cut its throughput on a list page
//! to about 800 answers a second, against about 18,000 with gzip (`BENCHMARKS.md`). RFC 9110
//! (12.5.3) lets the server choose among the codings a client accepts equally, so when gzip is
//! acceptable brotli is taken out of `Accept-Encoding` before `Compress` reads it. A client that
//! asks for brotli alone still gets it, from an encoder whose window fits the body (256 KiB at
//! most, against actix's fixed 4 MiB), run once per answer on the worker ([`compress_answers`]),
//! or not at all for a cached answer, which keeps its compressed forms ([`crate::api::cache`]).
//! A compressed answer has its own strong `ETag`: the identity tag with `-gzip` or `-br` before
//! the closing quote.

use std::borrow::Cow;
use std::io::Write as _;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCEPT_ENCODING, AcceptEncoding, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE,
    ContentEncoding, ETAG, Encoding, HeaderMap, HeaderValue, IF_NONE_MATCH, VARY,
};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage as _, HttpResponse};

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

/// A content coding this service applies itself: gzip, or brotli with a bounded window.
/// `deflate`, the other coding actix's `Compress` offers, is left to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `br` (RFC 7932).
    Brotli,
}

/// The codings [`Coding`] takes part in negotiating, as actix's `Compress` offers them: the same
/// set, so that both reach the same answer for the same `Accept-Encoding`.
static OFFERED: [Encoding; 4] = [
    Encoding::identity(),
    Encoding::brotli(),
    Encoding::gzip(),
    Encoding::deflate(),
];

/// Bodies larger than this are compressed at the lowest effort: a multi-megabyte export must not
/// hold a worker for long.
const LARGE_BODY: usize = 1 << 20;

/// The largest brotli window, 256 KiB (2^18). actix's encoder takes 4 MiB for every answer,
/// whatever its size; a body smaller than the window is compressed the same with a window of its
/// own size, which is what [`Coding::compress`] takes.
const MAX_BROTLI_WINDOW_BITS: u32 = 18;

impl Coding {
    /// Its name in `Accept-Encoding` and `Content-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Brotli => "br",
        }
    }

    /// Its index among the codings, for the forms a cache entry keeps.
    pub fn index(self) -> usize {
        match self {
            Self::Gzip => 0,
            Self::Brotli => 1,
        }
    }

    /// What ends the strong entity tag of a representation in this coding: `"<tag>-gzip"`,
    /// `"<tag>-br"` (RFC 9110 8.8.3: a strong tag differs between content codings).
    fn tag_suffix(self) -> &'static str {
        match self {
            Self::Gzip => "-gzip\"",
            Self::Brotli => "-br\"",
        }
    }

    /// `body` in this coding, at the effort actix's `Compress` used (gzip's fastest level,
    /// brotli quality 3; quality 1 past a megabyte): a cache miss compresses too, and quality 5
    /// halved the rate of brotli misses. Done on the calling thread, as one call with no await:
    /// at most one encoder per worker exists at a time, and a brotli encoder's memory is bounded
    /// by its window, at most 256 KiB.
    pub fn compress(self, body: &[u8]) -> Bytes {
        let large = body.len() > LARGE_BODY;
        let mut out = Vec::with_capacity(body.len() / 4 + 64);
        match self {
            Self::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
                // Writing into a Vec cannot fail.
                let _ = encoder.write_all(body).and_then(|()| encoder.try_finish());
            }
            Self::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: if large { 1 } else { 3 },
                    lgwin: brotli_window_bits(body.len()),
                    size_hint: body.len(),
                    ..Default::default()
                };
                let _ = brotli::BrotliCompress(&mut &body[..], &mut out, &params);
            }
        }
        Bytes::from(out)
    }

    /// The tag of the representation in this coding, given the identity one: a strong tag gets
    /// the coding's suffix; a weak tag may be shared by codings and stays as it is.
    pub fn tag(self, identity: &str) -> Option<String> {
        let inner = identity.strip_prefix('"')?.strip_suffix('"')?;
        Some(format!("\"{inner}{}", self.tag_suffix()))
    }
}

/// The smallest window (10 to 18 bits) that holds a body of `len` bytes; brotli keeps 16 bytes
/// of the window for itself.
fn brotli_window_bits(len: usize) -> i32 {
    let mut bits = 10;
    while bits < MAX_BROTLI_WINDOW_BITS && (1usize << bits) - 16 < len {
        bits += 1;
    }
    bits as i32
}

/// The coding an answer to this request gets from this service: gzip or brotli, negotiated
/// exactly as `Compress` would (after [`prefer_gzip`]); `None` for identity, `deflate`, or no
/// acceptable coding (which `Compress` answers).
pub fn negotiated(req: &ServiceRequest) -> Option<Coding> {
    let accept = req.get_header::<AcceptEncoding>()?;
    match accept.negotiate(OFFERED.iter())? {
        Encoding::Known(ContentEncoding::Gzip) => Some(Coding::Gzip),
        Encoding::Known(ContentEncoding::Brotli) => Some(Coding::Brotli),
        _ => None,
    }
}

/// The identity tag a client's tag stands for, if it names the representation in `coding`: the
/// coding's suffix removed. A weak tag is taken as it is; a strong tag of another coding (or of
/// the identity representation) names nothing that would be sent, and gives `None`.
fn identity_tag(tag: &str, coding: Coding) -> Option<String> {
    if tag == "*" {
        return Some(tag.to_owned());
    }
    let (weak, quoted) = match tag.strip_prefix("W/") {
        Some(rest) => ("W/", rest),
        None => ("", tag),
    };
    if let Some(inner) = quoted.strip_suffix(coding.tag_suffix()) {
        return Some(format!("{weak}{inner}\""));
    }
    (!weak.is_empty()).then(|| tag.to_owned())
}

/// The tag a write's `If-Match` names, without the coding suffix the client may have received
/// it with: a `PATCH` sent with the tag of the gzip representation names the same state.
pub fn without_coding_suffix(tag: &str) -> Cow<'_, str> {
    for coding in [Coding::Gzip, Coding::Brotli] {
        if let Some(inner) = tag.strip_suffix(coding.tag_suffix()) {
            return Cow::Owned(format!("{inner}\""));
        }
    }
    Cow::Borrowed(tag)
}

/// The middleware, just inside `Compress`: compresses answers in gzip or brotli itself, on the
/// worker, in one call (`Compress` keeps a brotli encoder with a 4 MiB window alive for every
/// answer it streams, which 32 brotli-only clients took past 450 MB), and gives a compressed
/// answer its own strong tag. `If-None-Match` is translated on the way in, so that the cache and
/// the handlers compare identity tags. An answer already encoded (by the cache, which keeps its
/// compressed forms) is only marked. `deflate`, and a body of unknown size, are left to `Compress`.
pub async fn compress_answers(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(coding) = negotiated(&req) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if req.headers().contains_key(IF_NONE_MATCH) {
        let tags: Vec<String> = req
            .headers()
            .get_all(IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter_map(|tag| identity_tag(tag, coding))
            .collect();
        req.headers_mut().remove(IF_NONE_MATCH);
        if let Ok(value) = HeaderValue::from_str(&tags.join(", "))
            && !tags.is_empty()
        {
            req.headers_mut().insert(IF_NONE_MATCH, value);
        }
    }
    let (request, response) = next.call(req).await?.map_into_boxed_body().into_parts();
    Ok(ServiceResponse::new(
        request,
        encode(response, coding).await?,
    ))
}

async fn encode(
    mut response: HttpResponse<BoxBody>,
    coding: Coding,
) -> Result<HttpResponse<BoxBody>, actix_web::Error> {
    if response.status() == StatusCode::NOT_MODIFIED {
        mark(response.headers_mut(), coding);
        return Ok(response);
    }
    if let Some(encoded) = response.headers().get(CONTENT_ENCODING) {
        if encoded.as_bytes() == coding.name().as_bytes() {
            mark(response.headers_mut(), coding);
        }
        return Ok(response);
    }
    if !compressible(&response) {
        return Ok(response);
    }
    let (mut head, body) = response.into_parts();
    let body = match body.try_into_bytes() {
        Ok(body) => body,
        Err(body) => actix_web::body::to_bytes(body)
            .await
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?,
    };
    let compressed = coding.compress(&body);
    drop(body);
    let headers = head.headers_mut();
    headers.remove(CONTENT_LENGTH);
    headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
    mark(headers, coding);
    Ok(head.set_body(BoxBody::new(compressed)))
}

/// `Vary` and the coding's `ETag` on an answer in `coding`.
fn mark(headers: &mut HeaderMap, coding: Coding) {
    headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    let tag = headers
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(|tag| coding.tag(tag))
        .and_then(|tag| HeaderValue::from_str(&tag).ok());
    if let Some(tag) = tag {
        headers.insert(ETAG, tag);
    }
}

/// What `Compress` would compress, of a known size: not an image (but SVG) or a video, not an
/// empty body, not a 101, 204 or 206.
fn compressible(response: &HttpResponse<BoxBody>) -> bool {
    let status = response.status();
    if matches!(
        status,
        StatusCode::SWITCHING_PROTOCOLS | StatusCode::NO_CONTENT | StatusCode::PARTIAL_CONTENT
    ) {
        return false;
    }
    if !matches!(response.body().size(), BodySize::Sized(n) if n > 0) {
        return false;
    }
    let mime = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<actix_web::mime::Mime>().ok());
    match mime {
        Some(mime) if mime.type_() == actix_web::mime::IMAGE => {
            mime.subtype() == actix_web::mime::SVG
        }
        Some(mime) => mime.type_() != actix_web::mime::VIDEO,
        None => true,
    }
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
