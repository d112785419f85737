//! The APIv2 XML reader on hostile shapes, at two sizes: a reader that rescans would take
//! quadratic time, so each shape is timed at 100 KiB and at 1 MiB (10 times as much), and
//! the ratio of the two times, read from one run, says whether the cost is linear (about
//! 10) or worse (about 100):
//!
//! ```sh
//! cargo bench -p wechatpay-perf --bench xml
//! ```

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wechatpay::protocol::v2::{MAX_DOCUMENT_BYTES, parse};

/// Documents of about `size` bytes: a value of one repeated filler, and many small fields.
fn shapes(size: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut shapes: Vec<(&'static str, Vec<u8>)> = [
        ("ampersands", "&"),
        ("brackets", "]]"),
        ("comment_openers", "<!--"),
        ("cdata_openers", "<![CDATA["),
        ("cdata_closers", "]]]]>"),
    ]
    .into_iter()
    .map(|(name, filler)| {
        let document = format!("<xml><a>{}</a></xml>", filler.repeat((size - 32) / filler.len()));
        (name, document.into_bytes())
    })
    .collect();
    let mut many = String::from("<xml>");
    let mut n = 0;
    while many.len() < size - 64 {
        many.push_str(&format!("<f{n}>&amp;&#x4E2D;<![CDATA[v]]></f{n}>"));
        n += 1;
    }
    many.push_str("</xml>");
    shapes.push(("many_fields", many.into_bytes()));
    shapes
}

fn hostile_shapes(c: &mut Criterion) {
    let mut group = c.benchmark_group("v2_xml_parse");
    group.sample_size(20);
    for size in [MAX_DOCUMENT_BYTES / 10, MAX_DOCUMENT_BYTES] {
        for (name, document) in shapes(size) {
            group.throughput(Throughput::Bytes(document.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, size), &document, |b, document| {
                b.iter(|| {
                    let _ = parse(black_box(document));
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, hostile_shapes);
criterion_main!(benches);
