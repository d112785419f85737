//! Micro-benchmarks of the operation catalogue (feature `catalog`):
//!
//! ```sh
//! cargo bench -p wechatpay-perf --bench catalog
//! ```
//!
//! The catalogue is loaded before the timings (its load is measured once, as `load`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use wechatpay::catalog::{Catalog, Request};

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    group.sample_size(20);
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/catalog/catalog.json.gz")).unwrap();
    group.bench_function("load", |b| b.iter(|| Catalog::from_slice(black_box(&bytes)).unwrap()));
    group.finish();
}

fn lookup(c: &mut Criterion) {
    let catalog = Catalog::get();
    c.bench_function("lookup_concrete_path", |b| {
        b.iter(|| {
            catalog
                .lookup(
                    black_box("GET"),
                    black_box("/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109"),
                )
                .unwrap()
        })
    });
    c.bench_function("lookup_template", |b| {
        b.iter(|| {
            catalog
                .lookup(black_box("POST"), black_box("v3/parking/reminders/ext-payment"))
                .unwrap()
        })
    });
    c.bench_function("lookup_unknown", |b| {
        b.iter(|| catalog.lookup(black_box("GET"), black_box("/v3/pay/transactions/nowhere/x/y")))
    });
}

fn validate(c: &mut Criterion) {
    let op = Catalog::get()
        .lookup("POST", "/v3/parking/reminders/ext-payment")
        .unwrap();
    let body = json!({
        "out_trade_no": "TRADE202407041530001",
        "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
        "pay_time": 1719128975,
        "wx_parking_lot_id": "21232735744117624001123604298240",
        "wx_trade_no": "4200001999202407041234567890"
    });
    c.bench_function("validate_seed_body", |b| {
        b.iter(|| {
            let violations = op.validate(black_box(&Request {
                body: Some(&body),
                ..Request::default()
            }));
            assert!(violations.is_empty());
        })
    });
    let broken = json!({ "out_trade_no": "T1", "fee_items": [{ "fee_type": "X", "amount": "1" }] });
    c.bench_function("validate_seed_body_3_violations", |b| {
        b.iter(|| {
            op.validate(black_box(&Request {
                body: Some(&broken),
                ..Request::default()
            }))
        })
    });
}

fn search(c: &mut Criterion) {
    let catalog = Catalog::get();
    catalog.search("warm up");
    c.bench_function("search_two_words", |b| {
        b.iter(|| catalog.search(black_box("refunds 查询")))
    });
    c.bench_function("closest_typo", |b| {
        b.iter(|| catalog.closest(black_box("POST"), black_box("/v3/pay/transaction/native")))
    });
}

criterion_group!(benches, load, lookup, validate, search);
criterion_main!(benches);
