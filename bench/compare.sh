#!/usr/bin/env bash
# Cross-language comparison: the same workloads, N requests at concurrency C, through
#   - this crate's client (target/release/loadgen),
#   - the Node SDK wechatpay-axios-plugin 0.9.6 (npm; driver bench/node/load.js),
#   - the Python SDK wechatpayv3 2.0.4 (PyPI; driver bench/python/load.py, C threads),
#   - and, for scale, the floor: loadgen --transport raw, the same signing, verification and
#     JSON check over hand-written HTTP/1.1 with no HTTP library (not a client: no retries,
#     timeouts, TLS, proxies or chunked bodies), a practical lower bound for a client here,
# all against ONE `wechatpay mock serve --reuse-signatures` process (cheap mode: the client
# is what is measured), with the keys it exported. Each driver measures its own process's
# CPU (user+sys), requests/s and peak RSS, and prints one JSON line; this script prints one
# table. Before the load, each SDK is run once against a second mock started with
# `--fault bad-signature`: it must reject every answer (proof that it verifies them).
#
#   bash bench/compare.sh [N] [C] [W]    # defaults: N=5000 C=50 W=3000 (about 40 s once built)
#
# W requests at concurrency C run first, unmeasured, in every driver (BENCH_WARMUP): the
# figures describe warmed-up processes (V8's JIT settles over the first few thousand
# requests; with W=0 Node's CPU per request read 1.3-1.4x higher at N=5000, 2x at N=2000).
#
# The SDKs install under target/sdks/ (npm install --prefix; python3 -m venv + pip), by
# install_sdks in bench/lib.sh, which scripts/interop/run.sh shares; nothing is installed
# globally. Needs cargo, node/npm, python3 (with venv) and the package registries. An SDK
# that cannot be installed is reported and skipped.
set -uo pipefail
unset BENCH_WARMUP # set per run below: the tampered-answer check counts exactly 5 errors

N=${1:-5000}
C=${2:-50}
W=${3:-3000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/target/bench-compare
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
trap stop_mocks EXIT
mkdir -p "$OUT"
started=$(date +%s)

build_release || { echo "the release build failed" >&2; exit 1; }

# --- install the SDKs into target/sdks (shared with scripts/interop/run.sh) -------------
install_sdks

# run IMPL URL KEYS WORKLOAD N C: one driver run; its JSON line on stdout, the rest to OUT/IMPL.log.
run() {
    local impl=$1
    shift
    case $impl in
        rust) "$TARGET_DIR/release/loadgen" "$@" ;;
        floor) "$TARGET_DIR/release/loadgen" "$@" --transport raw ;;
        node) node "$ROOT/bench/node/load.js" "$@" ;;
        python) "$PY_SDK_PYTHON" "$ROOT/bench/python/load.py" "$@" ;;
    esac 2>>"$OUT/$impl.log" | tee -a "$OUT/$impl.log" | grep '^{' | tail -1
}

IMPLS=(rust floor node python)
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
: >"$OUT/rust.log"
: >"$OUT/floor.log"
: >"$OUT/node.log"
: >"$OUT/python.log"

# --- does each SDK verify answers? A mock whose answers carry a bad signature -------------
start_mock "$OUT/mock-bad.log" "$OUT/sandbox-bad" --fault bad-signature || exit 1
BAD_URL=$MOCK_URL
declare -A VERIFIES=()
for impl in "${IMPLS[@]}"; do
    [ -n "${SKIP[$impl]:-}" ] && continue
    [ "$impl" = floor ] && continue # it calls the same auth::verify::verify as ours
    line=$(run "$impl" "$BAD_URL" "$OUT/sandbox-bad" get 5 1)
    if [ "$impl" = rust ]; then
        # loadgen stops at its first failed warm-up request, with the reason on stderr.
        if grep -q 'signature verification failed' "$OUT/rust.log"; then VERIFIES[$impl]=yes; else VERIFIES[$impl]=NO; fi
    else
        VERIFIES[$impl]=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1] or "{}"); print("yes" if d.get("ok")==0 and d.get("errors")==5 and d.get("warmup_errors")==20 else "NO: " + str(d))' "$line")
    fi
    echo "tampered-answer check ($impl): rejects a bad signature: ${VERIFIES[$impl]}" >&2
done
stop_mocks

# --- the load, all against one cheap-mode mock ---------------------------------------------
start_mock "$OUT/mock.log" "$OUT/sandbox" --reuse-signatures || exit 1
URL=$MOCK_URL
echo "mock: $URL (--reuse-signatures), N=$N C=$C W=$W" >&2
expected=0
for workload in seed get; do
    for impl in "${IMPLS[@]}"; do
        [ -n "${SKIP[$impl]:-}" ] && continue
        echo "running $impl $workload ..." >&2
        line=$(BENCH_WARMUP=$W run "$impl" "$URL" "$OUT/sandbox" "$workload" "$N" "$C")
        if [ -n "$line" ]; then echo "$line" >>"$RESULTS"; else SKIP[$impl]="no result: see $OUT/$impl.log"; fi
        expected=$((expected + W + N + 20))
    done
done
sleep 0.3 # the mock prints its request log every 100 ms
stop_mocks
verified_yes=$(grep -c ' verified: yes$' "$OUT/mock.log")
verified_no=$(grep -c ' verified: no$' "$OUT/mock.log")

# --- one table -------------------------------------------------------------------------------
echo
machine_line
echo "command: bash bench/compare.sh $N $C $W   (N measured requests after W unmeasured ones, concurrency C; mock: wechatpay mock serve --reuse-signatures, separate process)"
skips=""
for impl in "${!SKIP[@]}"; do skips+="$impl=${SKIP[$impl]}"$'\n'; done
verifies=""
for impl in "${!VERIFIES[@]}"; do verifies+="$impl=${VERIFIES[$impl]}"$'\n'; done
python3 - "$RESULTS" "$skips" "$verifies" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
skips = dict(l.split("=", 1) for l in sys.argv[2].splitlines() if l)
verifies = dict(l.split("=", 1) for l in sys.argv[3].splitlines() if l)
names = {"rust-wechatpay": "rust", "rust-raw-floor": "floor", "node-wechatpay-axios-plugin": "node",
         "python-wechatpayv3": "python"}
labels = {"rust": "wechatpay (Rust, this crate)", "node": "wechatpay-axios-plugin 0.9.6 (Node)",
          "python": "wechatpayv3 2.0.4 (Python)",
          "floor": "floor: raw HTTP/1.1 + this crate's sign/verify (not a client)"}
verifies.setdefault("floor", "same verify as ours")
ours = {r["workload"]: r["cpu_ms_per_req"] for r in rows if r["impl"] == "rust-wechatpay"}
print()
overhead = lambda r: r["cpu_ms_per_req"] * 1000 - r["sign_us"] - r["verify_us"]
ours_overhead = {r["workload"]: overhead(r) for r in rows if r["impl"] == "rust-wechatpay"}
print("| implementation | workload | client CPU ms/request | requests/s | peak RSS MiB | CPU/request vs ours | own sign+verify µs | CPU/request ÷ own sign+verify | overhead beyond sign+verify µs | overhead vs ours | p50 / p99 ms | errors | verifies answers |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for workload in ("seed", "get"):
    for r in rows:
        if r["workload"] != workload:
            continue
        impl = names.get(r["impl"], r["impl"])
        base = ours.get(workload)
        ratio = "%.2fx" % (r["cpu_ms_per_req"] / base) if base else "n/a"
        crypto = r["sign_us"] + r["verify_us"]
        base_overhead = ours_overhead.get(workload)
        overhead_ratio = "%.1fx" % (overhead(r) / base_overhead) if base_overhead and base_overhead > 0 else "n/a"
        print("| %s | %s | %.3f | %.0f | %.1f | %s | %.0f + %.0f | %.2fx | %.0f | %s | %.1f / %.1f | %d | %s |" % (
            labels.get(impl, impl), workload, r["cpu_ms_per_req"], r["rps"], r["peak_rss_mib"], ratio,
            r["sign_us"], r["verify_us"], r["cpu_ms_per_req"] * 1000 / crypto, overhead(r), overhead_ratio,
            r["p50_ms"], r["p99_ms"], r["errors"], verifies.get(impl, "?")))
for impl, why in sorted(skips.items()):
    print("| %s | - | not run: %s | | | | | | | | | | |" % (labels.get(impl, impl), why))
print()
for workload in ("seed", "get"):
    others = [r["cpu_ms_per_req"] for r in rows if r["workload"] == workload and not r["impl"].startswith("rust-")]
    floor = [r["cpu_ms_per_req"] for r in rows if r["workload"] == workload and r["impl"] == "rust-raw-floor"]
    if ours.get(workload) and others:
        ratio = min(others) / ours[workload]
        print("%s: the faster other SDK uses %.2fx our client CPU per request (target >= 3x: %s)" % (
            workload, ratio, "met" if ratio >= 3 else "NOT met"))
        if floor:
            print("%s: ... and %.2fx the floor's (the same work with no HTTP library)" % (
                workload, min(others) / floor[0]))
EOF
echo "mock request log: $verified_yes request signatures verified, $verified_no failed (expected $expected and 0)"
echo "raw JSON lines: $RESULTS; driver output: $OUT/{rust,floor,node,python}.log"
echo "compare.sh took $(( $(date +%s) - started )) s"
