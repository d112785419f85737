//! Uploads and downloads against the mock: signed multipart meta, streamed files, digests,
//! bills, statements, foreign hosts, and every file endpoint of the catalogue.

use serde_json::{Value, json};
use wechatpay::Method;
use wechatpay::auth::signing::Signer;
use wechatpay::error::{BodyError, RequestError, VerificationError};
use wechatpay::mock::{MCHID, MERCHANT_SERIAL, MockFile, MockReply, MockServer, keys};
use wechatpay::{Digest, Error};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/upload/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wechatpay-media-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn media_route(mock: &MockServer, template: &str) {
    mock.route_fn(Method::POST, template, |req| {
        let upload = req.upload.as_ref().expect("a multipart upload");
        MockReply::json(
            200,
            &json!({"media_id": format!("MEDIA-{}", &upload.meta["sha256"].as_str().unwrap()[..16])}),
        )
    });
}

#[test]
fn upload_meta_and_authorization_match_the_independent_fixture() {
    let png = fixture("logo.png");
    let meta =
        wechatpay::protocol::multipart::meta_json("logo.png", &wechatpay::crypto::sha256_hex(&png), None).unwrap();
    assert_eq!(meta.as_ref(), fixture("meta.json").as_slice());
    let signer = Signer::new(MCHID, MERCHANT_SERIAL, keys::MERCHANT_PRIVATE_KEY).unwrap();
    let header = signer
        .authorize_with(
            "POST",
            "/v3/merchant/media/upload",
            &meta,
            1719128975,
            "593BEC0C930BF1AFEB40B4A08C8FB242",
        )
        .unwrap();
    let signature = String::from_utf8(fixture("signature.b64")).unwrap();
    assert!(
        header.contains(&format!("signature=\"{}\"", signature.trim())),
        "{header}"
    );
}

#[tokio::test]
async fn a_png_upload_is_signed_over_its_meta_and_answers_a_media_id() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/upload");
    let png = fixture("logo.png");
    let res = mock
        .client()
        .chain("v3/merchant/media/upload")
        .upload("logo.png", png.clone())
        .await
        .unwrap();
    assert!(
        res.json::<Value>().unwrap()["media_id"]
            .as_str()
            .unwrap()
            .starts_with("MEDIA-43739c566e26")
    );
    let req = mock.requests().pop().unwrap();
    assert!(req.verified);
    let upload = req.upload.unwrap();
    assert_eq!(upload.meta_text.as_ref(), fixture("meta.json").as_slice());
    assert_eq!(upload.filename, "logo.png");
    assert_eq!(upload.media_type, "image/png");
    assert_eq!(upload.content.as_ref(), png.as_slice());
}

#[tokio::test]
async fn a_video_is_uploaded_from_a_path() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/video_upload");
    let dir = scratch_dir("video");
    let path = dir.join("intro.mp4");
    let video: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &video).unwrap();
    let res = mock
        .client()
        .chain("v3/merchant/media/video_upload")
        .upload_file(&path)
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let req = mock.requests().pop().unwrap();
    assert!(req.verified);
    let upload = req.upload.unwrap();
    assert_eq!(upload.filename, "intro.mp4");
    assert_eq!(upload.media_type, "video/mp4");
    assert_eq!(upload.content.len(), video.len());
    assert_eq!(upload.meta["sha256"], wechatpay::crypto::sha256_hex(&video));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn extra_meta_fields_are_sent_and_signed() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/marketing/favor/media/image-upload");
    mock.client()
        .chain("v3/marketing/favor/media/image-upload")
        .upload("logo.png", fixture("logo.png"))
        .meta(json!({"bank_type": "ICBC_DEBIT"}))
        .await
        .unwrap();
    let req = mock.requests().pop().unwrap();
    assert!(req.verified);
    assert_eq!(req.upload.unwrap().meta["bank_type"], "ICBC_DEBIT");
}

#[tokio::test]
async fn the_mock_rejects_a_meta_sha256_that_does_not_match_the_file() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/upload");
    let err = mock
        .client()
        .chain("v3/merchant/media/upload")
        .upload("logo.png", fixture("logo.png"))
        .meta(json!({"sha256": "00"}))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status == 400), "{err:?}");
    assert!(!mock.requests()[0].handled);
}

#[tokio::test]
async fn a_missing_upload_file_is_an_error_before_sending() {
    let mock = MockServer::start();
    let err = mock
        .client()
        .chain("v3/merchant/media/upload")
        .upload_file("/nonexistent/x.png")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::InvalidUpload { .. })),
        "{err:?}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_bill_is_applied_for_downloaded_and_its_digest_checked() {
    let mock = MockServer::start();
    let file = MockFile::generated(1 << 20);
    let (sha1, sha256) = file.digests();
    mock.serve_bill(file);
    let client = mock.client();
    let apply: Value = client
        .chain("v3/bill/tradebill")
        .get()
        .query("bill_date", "2026-11-25")
        .await
        .unwrap()
        .json()
        .unwrap();
    let dir = scratch_dir("bill");
    let target = dir.join("tradebill.csv");
    let download = client.bill(&apply).unwrap().download_to_file(&target).await.unwrap();
    assert_eq!(download.bytes(), 1 << 20);
    assert_eq!((download.sha1(), download.sha256()), (sha1.as_str(), sha256.as_str()));
    assert_eq!(download.verified_by(), None);
    assert_eq!(std::fs::metadata(&target).unwrap().len(), 1 << 20);
    let req = mock.requests().pop().unwrap();
    assert!(req.verified, "the download request itself is signed");
    assert!(req.target.starts_with("/v3/billdownload/file?token=6XIv5TUPto7p"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_corrupted_byte_fails_the_digest_and_leaves_no_file() {
    let mock = MockServer::start();
    let apply = mock.serve_bill(MockFile::generated(300_000).corrupt_byte(123_456));
    let dir = scratch_dir("corrupt");
    let target = dir.join("tradebill.csv");
    let err = mock
        .client()
        .bill(&apply)
        .unwrap()
        .download_to_file(&target)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Body(BodyError::DigestMismatch { algorithm: "SHA1", .. })),
        "{err:?}"
    );
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "the partial file is removed too"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_gzip_bill_is_checked_over_the_compressed_bytes_and_inflated_on_the_fly() {
    let mock = MockServer::start();
    let csv: Vec<u8> = "交易时间,公众账号ID,商户号\n".repeat(5000).into_bytes();
    let apply = mock.serve_bill(MockFile::gzip(&csv));
    let mut inflated = Vec::new();
    let download = mock
        .client()
        .bill(&apply)
        .unwrap()
        .gunzip()
        .download(&mut inflated)
        .await
        .unwrap();
    assert_eq!(inflated, csv);
    assert!(
        download.bytes() < csv.len() as u64 / 10,
        "the digest was over {} compressed bytes",
        download.bytes()
    );
    let mut raw = Vec::new();
    mock.client().bill(&apply).unwrap().download(&mut raw).await.unwrap();
    assert_eq!(&raw[..2], b"\x1f\x8b", "without gunzip() the file is kept compressed");
}

#[tokio::test]
async fn a_download_url_on_another_host_is_refused_unless_allowed() {
    let mock = MockServer::start();
    mock.serve_file("/v3/billdownload/file", MockFile::generated(1000));
    let foreign = format!("http://localhost:{}/v3/billdownload/file?token=x", mock.addr().port());
    let apply =
        json!({"hash_type": "SHA1", "hash_value": MockFile::generated(1000).digests().0, "download_url": foreign});
    assert!(
        matches!(mock.client().bill(&apply), Err(Error::Request(RequestError::ForeignHost { host })) if host == "localhost")
    );
    assert!(matches!(
        mock.client().download_url("https://evil.example/v3/billdownload/file"),
        Err(Error::Request(RequestError::ForeignHost { .. }))
    ));
    assert!(mock.requests().is_empty(), "no signed request went anywhere");
    let allowed = mock.client_builder().allow_download_host("localhost").build().unwrap();
    let mut sink = Vec::new();
    allowed.bill(&apply).unwrap().download(&mut sink).await.unwrap();
    assert_eq!(sink.len(), 1000);
}

#[tokio::test]
async fn an_overseas_statement_verifies_its_sha1_header_and_content() {
    let mock = MockServer::start();
    mock.serve_statement("/hk/v3/statements", MockFile::generated(50_000));
    let mut out = Vec::new();
    let download = mock
        .client()
        .chain("hk/v3/statements")
        .get()
        .query("date", "20261125")
        .download(&mut out)
        .await
        .unwrap();
    assert_eq!(download.verified_by(), Some(wechatpay::mock::PLATFORM_PUBLIC_KEY_ID));
    assert_eq!(out.len(), 50_000);

    let corrupted = MockServer::start();
    corrupted.serve_statement("/v3/global/statements", MockFile::generated(50_000).corrupt_byte(10));
    let err = corrupted
        .client()
        .chain("v3/global/statements")
        .get()
        .download(&mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Body(BodyError::DigestMismatch { .. })), "{err:?}");
}

#[tokio::test]
async fn a_download_error_answer_is_an_api_error() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/billdownload/file", |_| {
        MockReply::error(400, "INVALID_REQUEST", "token expired")
    });
    let err = mock
        .client()
        .chain("v3/billdownload/file")
        .get()
        .query("token", "t")
        .download(&mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status == 400));
}

#[tokio::test]
async fn expect_digest_accepts_sha256_too() {
    let mock = MockServer::start();
    let (_, sha256) = mock.serve_file("/v3/merchant-service/images/{media_id}", MockFile::generated(4096));
    let ok = mock
        .client()
        .chain("v3/merchant-service/images/{media_id}")
        .get()
        .param("media_id", "M1")
        .expect_digest(Digest::Sha256(sha256.to_uppercase()))
        .download(&mut Vec::new())
        .await;
    assert!(ok.is_ok());
    let bad = mock
        .client()
        .chain("v3/merchant-service/images/{media_id}")
        .get()
        .param("media_id", "M1")
        .expect_digest(Digest::Sha256("00".repeat(32)))
        .download(&mut Vec::new())
        .await;
    assert!(matches!(
        bad,
        Err(Error::Body(BodyError::DigestMismatch {
            algorithm: "SHA256",
            ..
        }))
    ));
}

fn catalogue(kind: &str) -> Vec<(String, String)> {
    let path = format!(
        "{}/tests/fixtures/endpoints/v3-endpoints.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let hk = std::fs::read_to_string(path.replace("v3-endpoints.tsv", "v3-endpoints-hk-global.tsv")).unwrap();
    text.lines()
        .chain(hk.lines())
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() >= 4 && c[3] == kind).then(|| (c[0].to_owned(), c[1].to_owned()))
        })
        .collect()
}

fn with_params(request: wechatpay::RequestBuilder, template: &str) -> wechatpay::RequestBuilder {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .fold(request, |r, name| r.param(name, format!("{name}-1")))
}

#[tokio::test]
async fn every_upload_endpoint_of_the_catalogue_is_reachable() {
    let uploads = catalogue("upload");
    assert_eq!(uploads.len(), 14);
    let mock = MockServer::start();
    for (_, template) in &uploads {
        media_route(&mock, template);
    }
    let client = mock.client();
    for (method, template) in &uploads {
        assert_eq!(method, "POST");
        let request = with_params(client.chain(template).upload("logo.png", fixture("logo.png")), template);
        let res = request.await.unwrap_or_else(|e| panic!("{template}: {e}"));
        assert!(res.json::<Value>().unwrap()["media_id"].is_string(), "{template}");
    }
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.verified && r.handled && r.upload.is_some())
    );
}

#[tokio::test]
async fn every_download_endpoint_of_the_catalogue_is_reachable() {
    let downloads = catalogue("download");
    assert_eq!(downloads.len(), 7);
    let mock = MockServer::start();
    for (_, template) in &downloads {
        if template.ends_with("/statements") {
            mock.serve_statement(template, MockFile::generated(2048));
        } else {
            mock.serve_file(template, MockFile::generated(2048));
        }
    }
    let client = mock.client();
    for (method, template) in &downloads {
        assert_eq!(method, "GET");
        let mut out = Vec::new();
        let download = with_params(client.chain(template).get(), template)
            .download(&mut out)
            .await
            .unwrap_or_else(|e| panic!("{template}: {e}"));
        assert_eq!(out.len(), 2048, "{template}");
        assert_eq!(
            download.verified_by().is_some(),
            template.ends_with("/statements"),
            "{template}"
        );
    }
}

#[tokio::test]
async fn a_large_in_memory_upload_is_hashed_and_verified() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/video_upload");
    let video: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let expected = wechatpay::crypto::sha256_hex(&video);
    mock.client()
        .chain("v3/merchant/media/video_upload")
        .upload("big.mp4", video)
        .await
        .unwrap();
    let req = mock.requests().pop().unwrap();
    assert!(req.verified);
    assert_eq!(req.upload.unwrap().meta["sha256"], expected);
}

#[tokio::test]
async fn awaiting_a_bill_checks_its_digest_too() {
    let mock = MockServer::start();
    let apply = mock.serve_bill(MockFile::generated(10_000).corrupt_byte(7));
    let err = mock.client().bill(&apply).unwrap().await.unwrap_err();
    assert!(matches!(err, Error::Body(BodyError::DigestMismatch { .. })), "{err:?}");
    let good = MockServer::start();
    let apply = good.serve_bill(MockFile::generated(10_000));
    assert_eq!(good.client().bill(&apply).unwrap().await.unwrap().bytes().len(), 10_000);
}

#[tokio::test]
async fn a_statement_without_its_sha1_header_is_refused() {
    let mock = MockServer::start();
    mock.serve_file("/hk/v3/statements", MockFile::generated(1000));
    let client = mock.client();
    for result in [
        client
            .chain("hk/v3/statements")
            .get()
            .download(&mut Vec::new())
            .await
            .map(|_| ()),
        client.chain("hk/v3/statements").get().await.map(|_| ()),
    ] {
        assert!(
            matches!(
                result,
                Err(Error::Verification(VerificationError::MissingHeader {
                    header: "Wechatpay-Statement-Sha1"
                }))
            ),
            "{result:?}"
        );
    }
    let corrupted = MockServer::start();
    corrupted.serve_statement("/hk/v3/statements", MockFile::generated(1000).corrupt_byte(1));
    let awaited = corrupted.client().chain("hk/v3/statements").get().await;
    assert!(
        matches!(awaited, Err(Error::Body(BodyError::DigestMismatch { .. }))),
        "{awaited:?}"
    );
}

#[tokio::test]
async fn an_allowed_download_host_still_needs_the_api_hosts_scheme() {
    let mock = MockServer::start();
    let client = mock.client_builder().allow_download_host("dl.example").build().unwrap();
    assert!(
        client
            .download_url("http://dl.example/v3/billdownload/file?token=t")
            .is_ok()
    );
    assert!(matches!(
        client.download_url("https://dl.example/v3/billdownload/file?token=t"),
        Err(Error::Request(RequestError::ForeignHost { .. }))
    ));
}

#[tokio::test]
async fn a_media_type_with_a_line_break_is_refused() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/upload");
    let err = mock
        .client()
        .chain("v3/merchant/media/upload")
        .upload("a.png", fixture("logo.png"))
        .media_type("image/png\r\nX-Injected: 1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::InvalidUpload { .. })),
        "{err:?}"
    );
    let err = mock
        .client()
        .chain("v3/merchant/media/upload")
        .upload("a.png", fixture("logo.png"))
        .header("Content-Type", "text/plain")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::InvalidHeader { .. })),
        "{err:?}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_file_that_changes_after_its_meta_was_signed_is_not_sent_whole() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/video_upload");
    let dir = scratch_dir("changing");
    let path = dir.join("clip.mp4");
    std::fs::write(&path, vec![1u8; 200_000]).unwrap();
    let rewrite = path.clone();
    let err = mock
        .client()
        .chain("v3/merchant/media/video_upload")
        .upload_file(&path)
        // Runs after the meta (and its sha256) was signed, before the body is streamed.
        .on_signed(move |_| std::fs::write(&rewrite, vec![2u8; 200_000]).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(
        mock.requests().iter().all(|r| !r.handled),
        "the platform never got a whole body"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_download_is_bounded_by_the_deadline() {
    use wechatpay::mock::Fault;
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/slow-report", 200, json!({"rows": []}));
    mock.set_fault(Some(Fault::Delay(std::time::Duration::from_secs(10))));
    let err = mock
        .client()
        .chain("v3/slow-report")
        .get()
        .deadline(std::time::Duration::from_millis(300))
        .download(&mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err:?}");
}

/// An upload as wechatpayv3 (Python, requests) sends it: its `Content-Type` is the bare
/// `multipart/form-data` the platform's documentation names, without the boundary (the SDK
/// sets the header itself, and requests then keeps it), and the `meta` part has no
/// `Content-Type`. The platform reads the boundary from the body's first line; so must the
/// sandbox.
fn upload_without_boundary_parameter(mock: &MockServer, body: Vec<u8>, meta: &[u8]) -> reqwest::RequestBuilder {
    let signer = wechatpay::auth::signing::Signer::new(MCHID, MERCHANT_SERIAL, keys::MERCHANT_PRIVATE_KEY).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let authorization = signer
        .authorize_with(
            "POST",
            "/v3/merchant/media/upload",
            meta,
            now,
            "0E4D06B1F64A4A0E9B4C3A7F8E2D1C0B",
        )
        .unwrap();
    reqwest::Client::new()
        .post(format!("{}v3/merchant/media/upload", mock.base_url()))
        .header("Content-Type", "multipart/form-data")
        .header("Accept", "application/json")
        .header("Authorization", authorization)
        .body(body)
}

#[tokio::test]
async fn an_upload_without_a_boundary_parameter_is_read_from_its_first_line() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/upload");
    let png = fixture("logo.png");
    let meta = format!(
        r#"{{"filename":"logo.png","sha256":"{}"}}"#,
        wechatpay::crypto::sha256_hex(&png)
    );
    let boundary = "4f1b1f2a3c5d6e7f8a9b0c1d2e3f4a5b";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{meta}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = upload_without_boundary_parameter(&mock, body, meta.as_bytes())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(status, 200, "{}", response.text().await.unwrap());
    let req = mock.requests().pop().unwrap();
    assert!(req.verified);
    let upload = req.upload.unwrap();
    assert_eq!(upload.meta_text.as_ref(), meta.as_bytes());
    assert_eq!(
        (upload.filename.as_str(), upload.media_type.as_str()),
        ("logo.png", "image/png")
    );
    assert_eq!(upload.content.as_ref(), png.as_slice());
}

#[tokio::test]
async fn a_body_that_names_no_boundary_anywhere_is_refused() {
    let mock = MockServer::start();
    media_route(&mock, "/v3/merchant/media/upload");
    let meta = br#"{"filename":"a.png","sha256":"00"}"#;
    // Not a delimiter line: nothing to read the boundary from.
    for body in [
        &b"meta=1&file=2"[..],
        b"--\r\nrest",
        b"--bad boundary with spaces at the end \r\n",
    ] {
        let response = upload_without_boundary_parameter(&mock, body.to_vec(), meta)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(answer["code"], "PARAM_ERROR", "{answer}");
    }
}
