//! Micro-benchmarks of the per-request cryptography, for comparing the two backends:
//!
//! ```sh
//! cargo bench -p wechatpay-perf --bench crypto                                             # aws-lc-rs
//! cargo bench -p wechatpay-perf --bench crypto --no-default-features --features rust-crypto # pure Rust
//! bash scripts/bench-crypto.sh                                                 # both, one table
//! ```
//!
//! Every benchmark id is backend-neutral, so criterion's baselines of the two runs line up.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use wechatpay::auth::PlatformKeys;
use wechatpay::auth::signing::Signer;
use wechatpay::crypto::aes_gcm;
use wechatpay::mock::{self, MockServer};

/// A realistic request body (the README's parking example).
const BODY: &[u8] = br#"{"out_trade_no":"TRADE202407041530001","fee_items":[{"fee_type":"EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY","amount":5000}],"pay_time":1719128975,"wx_parking_lot_id":"21232735744117624001123604298240","wx_trade_no":"4200001999202407041234567890"}"#;

fn sign_request(c: &mut Criterion) {
    let signer = Signer::new(mock::MCHID, mock::MERCHANT_SERIAL, mock::keys::MERCHANT_PRIVATE_KEY).unwrap();
    c.bench_function("sign_request", |b| {
        b.iter(|| {
            signer
                .authorize_with(
                    black_box("POST"),
                    black_box("/v3/parking/reminders/ext-payment"),
                    black_box(BODY),
                    black_box(1_719_128_975),
                    black_box("593BEC0C930BF1AFEB40B4A08C8FB242"),
                )
                .unwrap()
        })
    });
}

fn verify_response(c: &mut Criterion) {
    let server = MockServer::start();
    let (headers, body) = server.signed_body(BODY);
    drop(server);
    let mut keys = PlatformKeys::default();
    keys.add_public_key(mock::PLATFORM_PUBLIC_KEY_ID, mock::keys::PLATFORM_PUBLIC_KEY)
        .unwrap();
    let now: i64 = headers[wechatpay::auth::verify::TIMESTAMP]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    c.bench_function("verify_response", |b| {
        b.iter(|| wechatpay::auth::verify::verify(black_box(&headers), black_box(&body), now, &keys).unwrap())
    });
}

fn chain_and_expand(c: &mut Criterion) {
    let server = MockServer::start();
    let client = server.client();
    c.bench_function("chain_expand_6_segments", |b| {
        b.iter(|| {
            let chain = client
                .chain(black_box("v3/ecommerce/profitSharing"))
                .chain(black_box("returnOrders"))
                .chain(black_box("_out_return_no_"))
                .chain(black_box("details"));
            wechatpay::path::expand(chain.template(), &[("out_return_no", black_box("R20240704153000123"))]).unwrap()
        })
    });
}

fn oaep_encrypt(c: &mut Criterion) {
    let server = MockServer::start();
    let client = server.client();
    c.bench_function("oaep_encrypt_field", |b| {
        b.iter(|| client.encrypt(black_box("张三")).unwrap())
    });
}

fn aes_gcm_decrypt(c: &mut Criterion) {
    let key = mock::APIV3_KEY.as_bytes();
    let nonce = b"a1B2c3D4e5F6";
    let resource: Vec<u8> =
        br#"{"mchid":"1900000001","out_trade_no":"TRADE202407041530001","trade_state":"SUCCESS","note":""#
            .iter()
            .copied()
            .chain(std::iter::repeat_n(b'x', 1024))
            .take(1024 - 2)
            .chain(*b"\"}")
            .collect();
    assert_eq!(resource.len(), 1024);
    let sealed = aes_gcm::encrypt(key, nonce, b"transaction", &resource).unwrap();
    c.bench_function("aes_gcm_decrypt_1KiB", |b| {
        b.iter(|| aes_gcm::decrypt(key, nonce, b"transaction", black_box(&sealed)).unwrap())
    });
}

fn backend_name(_: &mut Criterion) {
    eprintln!("crypto backend: {}", wechatpay::crypto::backend());
}

criterion_group!(
    benches,
    backend_name,
    sign_request,
    verify_response,
    chain_and_expand,
    oaep_encrypt,
    aes_gcm_decrypt
);
criterion_main!(benches);
