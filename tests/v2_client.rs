//! The client's APIv2 against a server written apart from the crate
//! (`tests/fixtures/v2/server.py`: Python's hashlib, hmac and xml.etree), started on
//! 127.0.0.1 by each test: signing (MD5 and HMAC-SHA256), verified answers, the unsigned
//! endpoints, the three kinds of failure, GET as a query string, bill downloads, and what is
//! refused before anything is sent.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use wechatpay::error::{ApiV2Error, ConfigError, RequestError, VerificationError};
use wechatpay::mock::{MCHID, MERCHANT_SERIAL, PLATFORM_PUBLIC_KEY_ID, keys};
use wechatpay::{Client, Error};

const APIV2_KEY: &str = "wechatpayRsMockApiV2Key000000032";

/// The Python server, killed when dropped.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    fn start() -> Server {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v2/server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the independent APIv2 server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base_url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the server's first line")
            .to_owned();
        Server { child, base_url }
    }

    fn client(&self) -> Client {
        self.builder_without_apiv2_key().apiv2_key(APIV2_KEY).build().unwrap()
    }

    fn builder_without_apiv2_key(&self) -> wechatpay::ClientBuilder {
        Client::builder()
            .mchid(MCHID)
            .merchant_serial(MERCHANT_SERIAL)
            .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
            .unwrap()
            .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
            .unwrap()
            .base_url(&self.base_url)
            .unwrap()
    }

    /// How many API requests the server received.
    async fn received(&self) -> u64 {
        let text = reqwest::get(format!("{}_count", self.base_url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn order(attach: &str) -> Value {
    json!({
        "appid": "wxd930ea5d5a258f4f",
        "mch_id": MCHID,
        "body": "测试 <商品> & ]]> 结束",
        "out_trade_no": "TRADE202407041530001",
        "total_fee": 1,
        "auth_code": "120061098828009406",
        "attach": attach,
    })
}

#[tokio::test]
async fn an_md5_and_an_hmac_sha256_request_are_verified_and_read_as_json() {
    let server = Server::start();
    let client = server.client();
    let answer: Value = client
        .chain("v2/pay/micropay")
        .post(order("ok"))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["result_code"], "SUCCESS");
    assert_eq!(
        answer["body"], "测试 <商品> & ]]> 结束",
        "XML specials and ]]> round-trip"
    );
    assert_eq!(answer["total_fee"], "1", "every field comes back as a string");

    let mut hmac = order("ok");
    hmac["sign_type"] = json!("HMAC-SHA256");
    let res = client
        .chain("V2")
        .chain("pay")
        .chain("micropay")
        .post(hmac)
        .await
        .unwrap();
    assert_eq!(res.verified_by(), Some("APIv2 key (HMAC-SHA256)"));
    assert_eq!(res.json::<Value>().unwrap()["out_trade_no"], "TRADE202407041530001");
}

#[tokio::test]
async fn the_three_kinds_of_failure_are_distinct() {
    let server = Server::start();
    let client = server.client();
    match client.chain("v2/pay/micropay").post(order("return-fail")).await {
        Err(Error::ApiV2(e)) => match *e {
            ApiV2Error::Refused { return_msg, .. } => assert_eq!(return_msg.as_deref(), Some("签名错误")),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    match client.chain("v2/pay/micropay").post(order("declined")).await {
        Err(Error::ApiV2(e)) => match *e {
            ApiV2Error::Declined { err_code, answer, .. } => {
                assert_eq!(err_code.as_deref(), Some("ORDERPAID"));
                assert_eq!(answer["out_trade_no"], "TRADE202407041530001");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let err = client
        .chain("v2/pay/micropay")
        .post(order("bad-sign"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerificationError::BadV2Signature { .. })),
        "{err:?}"
    );
    assert!(err.is_verification_failure());
}

#[tokio::test]
async fn an_unsigned_endpoint_is_read_without_a_sign_and_a_get_sends_a_query() {
    let server = Server::start();
    let client = server.client();
    let red_packet = json!({"mch_id": MCHID, "mch_billno": "RP1", "re_openid": "o1", "total_amount": 100});
    // Red packets need the client certificate; this server does not ask for one, so the
    // request says not to present it (the catalogue's flag is overridable).
    let res = client
        .chain("v2/mmpaymkttransfers/sendredpack")
        .post(red_packet)
        .client_certificate(false)
        .await
        .unwrap();
    assert_eq!(res.verified_by(), None, "answered unsigned by design");
    assert_eq!(res.json::<Value>().unwrap()["mch_billno"], "RP1");

    let answer: Value = client
        .chain("v2/pay/orderquery")
        .get()
        .query("appid", "wxd930ea5d5a258f4f")
        .query("mch_id", MCHID)
        .query("out_trade_no", "TRADE 2024/07?")
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["out_trade_no"], "TRADE 2024/07?");
}

#[tokio::test]
async fn a_bill_downloads_as_a_file_and_a_missing_bill_is_an_error() {
    let server = Server::start();
    let client = server.client();
    let bill =
        |date: &str| json!({"appid": "wxd930ea5d5a258f4f", "mch_id": MCHID, "bill_date": date, "bill_type": "ALL"});
    let res = client
        .chain("v2/pay/downloadbill")
        .post(bill("20240704"))
        .await
        .unwrap();
    assert!(res.text().unwrap().starts_with("交易时间"));
    let mut file = Vec::new();
    let download = client
        .chain("v2/pay/downloadbill")
        .post(bill("20240704"))
        .download(&mut file)
        .await
        .unwrap();
    assert_eq!(download.bytes(), file.len() as u64);
    let err = client
        .chain("v2/pay/downloadbill")
        .post(bill("19700101"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ApiV2(e) if matches!(**e, ApiV2Error::Refused { .. })),
        "{err:?}"
    );
    let err = client
        .chain("v2/pay/downloadbill")
        .post(bill("19700101"))
        .download(&mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::ApiV2(_)), "{err:?}");
}

#[tokio::test]
async fn what_cannot_be_right_is_refused_before_anything_is_sent() {
    let server = Server::start();
    let client = server.client();
    let mut other = order("ok");
    other["mch_id"] = json!("1900000002");
    let err = client.chain("v2/pay/micropay").post(other).await.unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::MerchantMismatch { .. })),
        "{err:?}"
    );

    let err = client
        .chain("v2/pay/micropay")
        .post(json!({"detail": {"a": 1}}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::InvalidBody { .. })),
        "{err:?}"
    );

    // A refund needs the merchant certificate on the TLS connection: none is configured.
    let refund = json!({"mch_id": MCHID, "out_trade_no": "T1", "out_refund_no": "R1", "total_fee": 1, "refund_fee": 1});
    let err = client.chain("v2/secapi/pay/refund").post(refund).await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::MissingClientCertificate { .. })),
        "{err:?}"
    );

    let no_key = server.builder_without_apiv2_key().build().unwrap();
    let err = no_key.chain("v2/pay/micropay").post(order("ok")).await.unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::MissingApiV2Key)), "{err:?}");

    assert_eq!(server.received().await, 0, "nothing reached the server");
}

#[test]
fn the_apiv2_key_is_checked_at_build_and_never_shown() {
    let builder = || {
        Client::builder()
            .mchid(MCHID)
            .merchant_serial(MERCHANT_SERIAL)
            .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
            .unwrap()
            .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
            .unwrap()
    };
    let err = builder().apiv2_key("short").build().unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::InvalidApiV2Key { .. })),
        "{err:?}"
    );
    let with_key = builder().apiv2_key(APIV2_KEY);
    assert!(!format!("{with_key:?}").contains(APIV2_KEY));
    let client = with_key.build().unwrap();
    assert!(!format!("{client:?}").contains(APIV2_KEY));
}

/// A client with this APIv2 key.
fn client_with_key(key: &str) -> Client {
    wechatpay::mock::MockServer::start()
        .client_builder()
        .apiv2_key(key)
        .build()
        .unwrap()
}

#[test]
fn v2_callbacks_are_verified_and_refunds_decrypted_as_python_made_them() {
    let vectors: Value = serde_json::from_str(include_str!("fixtures/v2/vectors.json")).expect("the committed vectors");
    // Answers signed MD5 read as payment callbacks do (a callback without sign_type is MD5).
    let md5 = vectors["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["sign_type"] == "MD5");
    for answer in md5 {
        let client = client_with_key(answer["key"].as_str().unwrap());
        let xml = answer["xml"].as_str().unwrap().as_bytes();
        let fields = client.notifications().parse_v2(xml).unwrap();
        assert_eq!(fields, answer["fields"], "{xml:?}");
        // One byte changed: refused.
        let tampered = String::from_utf8_lossy(xml).replacen("SUCCESS", "SUCCES5", 1);
        assert!(client.notifications().parse_v2(tampered.as_bytes()).is_err());
    }
    for refund in vectors["refunds"].as_array().unwrap() {
        let client = client_with_key(refund["key"].as_str().unwrap());
        let read = client
            .notifications()
            .parse_v2_refund(refund["xml"].as_str().unwrap().as_bytes())
            .unwrap();
        assert_eq!(read.refund, refund["refund"]);
        let wrong_key = client_with_key("0123456789abcdef0123456789abcdef");
        assert!(
            wrong_key
                .notifications()
                .parse_v2_refund(refund["xml"].as_str().unwrap().as_bytes())
                .is_err()
        );
    }
    assert!(wechatpay::notify::V2_SUCCESS_REPLY.contains("SUCCESS"));
}
