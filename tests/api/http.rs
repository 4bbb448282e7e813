//! HTTP conventions: HEAD, compression by Accept-Encoding, CORS for configured origins.

use std::io::Read;

use reqwest::Method;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn head_answers_as_get_does_without_a_body() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/platforms/vneid",
        "/api/v1/platforms?per_page=5",
        "/healthz",
    ] {
        let get = app.get(path).await;
        let head = app
            .client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        for name in ["etag", "link", "content-type"] {
            assert_eq!(
                head.headers().get(name),
                get.headers().get(name),
                "{name} of {path}"
            );
        }
        assert!(!get.bytes().await.unwrap().is_empty());
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    let etag = app.etag("/api/v1/platforms/vneid").await;
    let conditional = app
        .client
        .head(format!("{}/api/v1/platforms/vneid", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(conditional.status(), 304);
    let missing = app
        .client
        .head(format!("{}/api/v1/platforms/no-such-platform", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_method_not_allowed_names_head_beside_get() {
    let app = spawn_app().await;
    let response = app
        .send(Method::DELETE, "/api/v1/vocabularies", None, None)
        .await;
    let allow = response
        .headers()
        .get("allow")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(allow, "GET, HEAD");
    assert_problem(response, 405, "method_not_allowed").await;
}

async fn encoded(app: &crate::helpers::TestApp, encoding: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/api/v1/platforms?per_page=100", app.address))
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_are_compressed_with_gzip_or_brotli_as_the_client_accepts() {
    let app = spawn_app().await;
    let plain = encoded(&app, "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers().get("etag").unwrap().clone();
    let plain = plain.bytes().await.unwrap();

    let gzip = encoded(&app, "gzip").await;
    assert_eq!(gzip.headers().get("content-encoding").unwrap(), "gzip");
    // Its own strong tag (RFC 9110 8.8.3): the identity tag with the coding before the quote.
    let gzip_tag = format!("{}-gzip\"", etag.to_str().unwrap().trim_end_matches('"'));
    assert_eq!(gzip.headers().get("etag").unwrap(), gzip_tag.as_str());
    let vary = gzip.headers().get("vary").unwrap().to_str().unwrap();
    assert!(
        vary.to_ascii_lowercase().contains("accept-encoding"),
        "{vary}"
    );
    let compressed = gzip.bytes().await.unwrap();
    assert!(
        compressed.len() * 2 < plain.len(),
        "{} of {}",
        compressed.len(),
        plain.len()
    );
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, plain);

    let br = encoded(&app, "br").await;
    assert_eq!(br.headers().get("content-encoding").unwrap(), "br");
    let compressed = br.bytes().await.unwrap();
    let mut inflated = Vec::new();
    brotli::Decompressor::new(&compressed[..], 4096)
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, plain);

    // A client that takes both gets gzip: a brotli encoder per answer costs megabytes.
    let both = encoded(&app, "gzip, deflate, br").await;
    assert_eq!(both.headers().get("content-encoding").unwrap(), "gzip");
}

async fn decoded(response: reqwest::Response) -> (String, Vec<u8>) {
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let coding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap();
    let mut inflated = Vec::new();
    match coding.as_deref() {
        None => inflated.extend_from_slice(&body),
        Some("gzip") => {
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut inflated)
                .unwrap();
        }
        Some("br") => {
            brotli::Decompressor::new(&body[..], 4096)
                .read_to_end(&mut inflated)
                .unwrap();
        }
        Some(other) => panic!("unexpected coding {other}"),
    }
    (etag, inflated)
}

/// With the cache on (answers kept, and their compressed forms with them) and off (compressed
/// on the way out), for a page and one platform: read twice in each coding, every answer decodes
/// to the identity body, and each coding has its own strong tag.
#[tokio::test]
async fn every_coding_decodes_to_the_identity_body_and_has_its_own_tag_cached_or_not() {
    for cache in ["16777216", "0"] {
        let app = spawn_app_with(&[("CACHE_MAX_BYTES", cache)]).await;
        for path in ["/api/v1/platforms?per_page=100", "/api/v1/platforms/vneid"] {
            let get = |coding: &'static str| {
                app.client
                    .get(format!("{}{path}", app.address))
                    .header("accept-encoding", coding)
                    .send()
            };
            let (tag, plain) = decoded(get("identity").await.unwrap()).await;
            let bare = tag.trim_matches('"');
            for (coding, suffix) in [("gzip", "gzip"), ("br", "br"), ("identity", "")] {
                for round in 0..2 {
                    let response = get(coding).await.unwrap();
                    assert_eq!(response.status(), 200);
                    if !suffix.is_empty() {
                        assert_eq!(response.headers()["content-encoding"], coding);
                        let vary = response.headers().get_all("vary").iter();
                        assert!(
                            vary.map(|v| v.to_str().unwrap().to_ascii_lowercase())
                                .any(|v| v.contains("accept-encoding")),
                            "{cache} {path} {coding}"
                        );
                    }
                    let (etag, body) = decoded(response).await;
                    let expected = if suffix.is_empty() {
                        tag.clone()
                    } else {
                        format!("\"{bare}-{suffix}\"")
                    };
                    assert_eq!(
                        etag, expected,
                        "cache {cache}, {path}, {coding}, read {round}"
                    );
                    assert_eq!(body, plain, "cache {cache}, {path}, {coding}, read {round}");
                }
            }
        }
    }
}

/// `If-None-Match` names one representation: a client's gzip tag revalidates its gzip copy, and
/// the identity tag does not stand for the gzip answer (nor the gzip tag for brotli).
#[tokio::test]
async fn a_conditional_read_matches_the_tag_of_the_coding_it_would_be_sent_in() {
    for cache in ["16777216", "0"] {
        let app = spawn_app_with(&[("CACHE_MAX_BYTES", cache)]).await;
        let url = format!("{}/api/v1/platforms?per_page=50", app.address);
        let read = |coding: &'static str, tag: Option<String>| {
            let mut request = app.client.get(&url).header("accept-encoding", coding);
            if let Some(tag) = tag {
                request = request.header("if-none-match", tag);
            }
            request.send()
        };
        let identity = read("identity", None).await.unwrap().headers()["etag"]
            .to_str()
            .unwrap()
            .to_owned();
        let gzip = read("gzip", None).await.unwrap().headers()["etag"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(identity, gzip);
        let revalidated = read("gzip", Some(gzip.clone())).await.unwrap();
        assert_eq!(revalidated.status(), 304, "cache {cache}");
        assert_eq!(revalidated.headers()["etag"].to_str().unwrap(), gzip);
        assert_eq!(
            read("identity", Some(identity.clone()))
                .await
                .unwrap()
                .status(),
            304
        );
        for (coding, tag) in [("gzip", identity.clone()), ("br", gzip.clone())] {
            let full = read(coding, Some(tag)).await.unwrap();
            assert_eq!(full.status(), 200, "cache {cache}, {coding}");
            assert_eq!(full.headers()["content-encoding"], coding);
        }
        // A list with the right one among others matches.
        let listed = format!("\"nope\", {gzip}");
        assert_eq!(read("gzip", Some(listed)).await.unwrap().status(), 304);
    }
}

/// A client that read a platform compressed writes with the tag it was given.
#[tokio::test]
async fn a_write_conditional_on_the_tag_of_a_compressed_read_succeeds() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let url = format!("{}/api/v1/platforms/tabmis", app.address);
    let read = app
        .client
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    assert!(tag.ends_with("-br\""), "{tag}");
    let patch = |status: &str| {
        app.client
            .patch(&url)
            .bearer_auth(&token)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", &tag)
            .body(format!(r#"{{"status":"{status}"}}"#))
            .send()
    };
    assert_eq!(patch("suspended").await.unwrap().status(), 200);
    // The tag is now stale, whatever its coding.
    let again = patch("operational").await.unwrap();
    assert_problem(again, 412, "precondition_failed").await;
}

const ORIGIN: &str = "https://tinh.example.gov.vn";

#[tokio::test]
async fn a_configured_origin_gets_its_preflight_answered_and_the_headers_exposed() {
    let app = spawn_app_with(&[("CORS_ALLOWED_ORIGINS", ORIGIN)]).await;
    let preflight = app
        .client
        .request(
            Method::OPTIONS,
            format!("{}/api/v1/platforms/vneid", app.address),
        )
        .header("origin", ORIGIN)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, content-type, if-match",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .unwrap_or_default()
    };
    assert_eq!(header(&preflight, "access-control-allow-origin"), ORIGIN);
    assert!(header(&preflight, "access-control-allow-methods").contains("patch"));
    for name in ["authorization", "content-type", "if-match"] {
        assert!(
            header(&preflight, "access-control-allow-headers").contains(name),
            "{name}"
        );
    }

    let read = app
        .client
        .get(format!("{}/api/v1/platforms?per_page=1", app.address))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(header(&read, "access-control-allow-origin"), ORIGIN);
    let exposed = header(&read, "access-control-expose-headers");
    for name in ["etag", "link", "location", "x-request-id"] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
    assert!(header(&read, "vary").contains("origin"));

    let problem = app
        .client
        .get(format!("{}/api/v1/platforms?status=bogus", app.address))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&problem, "access-control-allow-origin"),
        ORIGIN,
        "a page can read the problem"
    );
    assert_problem(problem, 400, "invalid_parameter").await;
}

#[tokio::test]
async fn other_origins_get_no_cors_headers_and_none_are_allowed_by_default() {
    let configured = spawn_app_with(&[("CORS_ALLOWED_ORIGINS", ORIGIN)]).await;
    let default = spawn_app().await;
    for app in [&configured, &default] {
        let read = app
            .client
            .get(format!("{}/api/v1/platforms/vneid", app.address))
            .header("origin", "https://elsewhere.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), 200, "served: the API itself is public");
        assert!(read.headers().get("access-control-allow-origin").is_none());
    }
    let read = default
        .client
        .get(format!("{}/api/v1/platforms/vneid", default.address))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert!(read.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn problems_come_in_vietnamese_when_asked_and_in_english_by_default() {
    let app = spawn_app().await;
    let ask = |language: Option<&'static str>| {
        let mut request = app
            .client
            .get(format!("{}/api/v1/platforms?status=bogus", app.address));
        if let Some(language) = language {
            request = request.header("accept-language", language);
        }
        request.send()
    };
    let vietnamese = ask(Some("vi-VN,vi;q=0.9,en;q=0.5")).await.unwrap();
    assert_eq!(vietnamese.headers().get("content-language").unwrap(), "vi");
    let vary = vietnamese.headers().get_all("vary");
    assert!(vary.iter().any(|v| v == "Accept-Language"));
    let body = assert_problem(vietnamese, 400, "invalid_parameter").await;
    assert_eq!(body["title"], "Tham số truy vấn không hợp lệ");
    assert!(
        body["detail"].as_str().unwrap().contains("tham số"),
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["field"], "status",
        "the fields at fault stay named"
    );

    for language in [None, Some("en-US,en;q=0.9,vi;q=0.8")] {
        let english = ask(language).await.unwrap();
        assert!(english.headers().get("content-language").is_none());
        let body = assert_problem(english, 400, "invalid_parameter").await;
        assert_eq!(body["title"], "Invalid query parameter");
    }

    let missing = app
        .client
        .get(format!("{}/api/v1/platforms/khong-co", app.address))
        .header("accept-language", "vi")
        .send()
        .await
        .unwrap();
    let body = assert_problem(missing, 404, "not_found").await;
    assert_eq!(body["title"], "Không tìm thấy tài nguyên");
}
