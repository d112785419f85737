#!/usr/bin/env bash
# The figures of src/catalog/README.md: the catalogue's size raw and gzip-compressed, the
# compile time it adds to the crate, the growth of a release binary that uses it, and its
# first-use load time; for the committed gzip form and, with --json, for plain JSON too.
#
#   bash scripts/catalog/measure.sh          # the committed form (gzip)
#   bash scripts/catalog/measure.sh --json   # and plain JSON embedded instead, for comparison
#
# Builds in release mode (the first run compiles every dependency: several minutes on two
# cores). A throwaway example, examples/catalog_measure.rs, is written for the binary and
# removed on exit; with --json, src/catalog/catalog.json is generated and data.rs edited for the
# time of the run, then both are put back.
set -euo pipefail
cd "$(dirname "$0")/../.."

example=examples/catalog_measure.rs
backup=$(mktemp -d)
cp src/catalog/data.rs "$backup/data.rs"
cleanup() {
    rm -f "$example" src/catalog/catalog.json
    cp "$backup/data.rs" src/catalog/data.rs
    rm -rf "$backup"
}
trap cleanup EXIT

cat >"$example" <<'EOF'
//! Throwaway binary of scripts/catalog/measure.sh. It links what an application of this crate
//! links anyway (the client, serde_json, flate2), so that its growth with the feature is the
//! catalogue's own.
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() > 3 {
        // Never run, but linked: the client, JSON parsing and gzip decoding.
        let client = wechatpay::Client::builder().mchid(&args[1]).build();
        let json: serde_json::Value = serde_json::from_str(&args[2]).unwrap_or_default();
        let mut text = String::new();
        let _ = flate2::read::GzDecoder::new(args[3].as_bytes()).read_to_string(&mut text);
        println!("{} {json} {text}", client.is_ok());
    }
    #[cfg(feature = "catalog")]
    {
        let start = std::time::Instant::now();
        let catalog = wechatpay::catalog::Catalog::get();
        let elapsed = start.elapsed();
        println!("load {:.1} ms, {} operations", elapsed.as_secs_f64() * 1e3, catalog.len());
    }
}
EOF

seconds() { date +%s.%N; }

# Compile time of the crate itself (dependencies built), without and with the feature, the two
# interleaved, best of three each: the machine is shared, so the least is the least disturbed.
compile_times() {
    local without=() with=()
    for _ in 1 2 3; do
        for features in "" "--features catalog"; do
            touch src/lib.rs
            local t0 t1
            t0=$(seconds)
            # shellcheck disable=SC2086 # $features is one flag and its value, or nothing
            cargo build --release --quiet $features
            t1=$(seconds)
            if [ -z "$features" ]; then without+=("$t1 - $t0"); else with+=("$t1 - $t0"); fi
        done
    done
    python3 -c "print(f'{min([${without[*]/%/,}]):.1f} {min([${with[*]/%/,}]):.1f}')"
}

binary() {
    cargo build --release --quiet --example catalog_measure "$@"
    local bin=target/release/examples/catalog_measure
    strip -o target/release/examples/catalog_measure.stripped "$bin"
    echo "$(stat -c %s "$bin") $(stat -c %s target/release/examples/catalog_measure.stripped)"
}

load() {
    local runs=()
    for _ in 1 2 3 4 5; do
        runs+=("$(target/release/examples/catalog_measure | sed -n 's/^load \([0-9.]*\) ms.*/\1/p')")
    done
    python3 -c "import statistics; r=[${runs[*]/%/,}]; print(f'median {statistics.median(r):.1f} ms (runs: {r})')"
}

report() {
    local form=$1 file=$2
    echo "== embedded form: $form ($file, $(stat -c %s "$file") bytes)"
    cargo build --release --quiet --features catalog # dependencies first
    local without with
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    read -r without with < <(compile_times)
    echo "compile time of the crate (cargo build --release, touch src/lib.rs): without $without s, with catalog $with s"
    read -r size_without stripped_without < <(binary)
    read -r size_with stripped_with < <(binary --features catalog)
    echo "release binary: without $size_without bytes ($stripped_without stripped)," \
        "with $size_with ($stripped_with stripped): +$((size_with - size_without))" \
        "(+$((stripped_with - stripped_without)) stripped)"
    echo "first-use load time (Catalog::get): $(load)"
}

gz=src/catalog/catalog.json.gz
echo "catalogue: $(gzip -dc "$gz" | wc -c) bytes of JSON, $(stat -c %s "$gz") gzip-compressed"
report gzip "$gz"

if [ "${1:-}" = "--json" ]; then
    python3 scripts/catalog/generate.py ../shared/data/wechatpay-openapi src/catalog/catalog.json 2>/dev/null
    sed -i 's/include_bytes!("catalog.json.gz")/include_bytes!("catalog.json")/' src/catalog/data.rs
    grep -q 'include_bytes!("catalog.json")' src/catalog/data.rs
    report json src/catalog/catalog.json
fi
