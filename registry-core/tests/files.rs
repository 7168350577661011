//! The files behind signed links, served by the registry itself (stores that cannot presign):
//! whole or by `Range` (206, 416), `If-None-Match` (304), `If-Range`, and `HEAD`, with the same
//! bytes whatever way they are asked for.

use bytes::Bytes;
use http::{header, Request, Response, StatusCode};
use tfreg_testkit::{error_message, send, tar_gz, TestRegistry};

async fn get(h: &TestRegistry, link: &str, headers: &[(header::HeaderName, &str)]) -> Response<Bytes> {
    let mut request = Request::get(link);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    send(&h.registry, request.body(Bytes::new()).unwrap()).await
}

#[tokio::test]
async fn archives_answer_ranges_conditional_requests_and_head() {
    let h = TestRegistry::new().await;
    let archive = tar_gz(&[("main.tf", &"# padding\n".repeat(500))]);
    assert_eq!(h.publish_module("acme/vpc/aws", "1.0.0", archive).await.status(), StatusCode::CREATED);
    let download = h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await;
    let link = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();

    let whole = get(&h, &link, &[]).await;
    assert_eq!(whole.status(), StatusCode::OK);
    let body = whole.body().clone();
    let len = body.len();
    assert!(len > 40, "a real archive");
    assert_eq!(whole.headers()[header::CONTENT_LENGTH], len.to_string().as_str());
    assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
    assert_eq!(whole.headers()[header::CONTENT_TYPE], "application/gzip");
    let etag = whole.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() == 66, "the SHA-256 as a strong ETag: {etag}");

    // A resumed download: the middle, the end, and the last bytes.
    for (range, expected) in [
        ("bytes=10-19", 10..20),
        (&format!("bytes={}-", len - 7), len - 7..len),
        ("bytes=-5", len - 5..len),
        (&format!("bytes=5-{}", len + 100), 5..len),
    ] {
        let part = get(&h, &link, &[(header::RANGE, range)]).await;
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(part.body(), &body.slice(expected.clone()), "{range}");
        let content_range = format!("bytes {}-{}/{len}", expected.start, expected.end - 1);
        assert_eq!(part.headers()[header::CONTENT_RANGE], content_range.as_str());
        assert_eq!(part.headers()[header::CONTENT_LENGTH], expected.len().to_string().as_str());
    }
    // Past the end: 416 naming the size, and the usual error body.
    let past = get(&h, &link, &[(header::RANGE, &format!("bytes={len}-"))]).await;
    assert_eq!(past.headers()[header::CONTENT_RANGE], format!("bytes */{len}").as_str());
    assert!(error_message(&past, StatusCode::RANGE_NOT_SATISFIABLE).contains("not satisfiable"));
    // Several ranges, or a malformed one: the whole file, as RFC 9110 allows.
    for ignored in ["bytes=0-1,4-5", "bytes=x-y", "lines=1-2"] {
        let answer = get(&h, &link, &[(header::RANGE, ignored)]).await;
        assert_eq!((answer.status(), answer.body()), (StatusCode::OK, &body), "{ignored}");
    }
    // If-Range with another ETag: the whole file; with this one, the range.
    let stale = get(&h, &link, &[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, "\"other\"")]).await;
    assert_eq!(stale.status(), StatusCode::OK);
    let fresh = get(&h, &link, &[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, &etag)]).await;
    assert_eq!(fresh.status(), StatusCode::PARTIAL_CONTENT);
    // A cached copy is still good.
    let cached = get(&h, &link, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert!(cached.body().is_empty());
    assert_eq!(cached.headers()[header::ETAG], etag.as_str());
    // HEAD: the length, no body.
    let head = send(&h.registry, Request::head(&link).body(Bytes::new()).unwrap()).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[header::CONTENT_LENGTH], len.to_string().as_str());
    assert!(head.body().is_empty());
    // Every form still needs the signature.
    let unsigned = link.split('?').next().unwrap();
    let refused = get(&h, unsigned, &[(header::RANGE, "bytes=0-9")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_archive_from_a_store_that_cannot_presign_is_streamed() {
    let h = TestRegistry::new().await;
    h.publish_module("acme/vpc/aws", "1.0.0", tar_gz(&[("main.tf", "# x")])).await;
    let download = h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await;
    let link = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    let answer = h.registry.handle(Request::get(&link).body(Bytes::new()).unwrap()).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.body().is_stream(), "the archive is not read into memory before it is sent");
    assert_eq!(answer.body().len(), answer.headers()[header::CONTENT_LENGTH].to_str().unwrap().parse().ok());
}
