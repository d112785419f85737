#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS seconds each (default 60), one after
# the other, and prints target, duration and executions.
#
#   bash scripts/fuzz.sh        # 60 s per target
#   bash scripts/fuzz.sh 600    # longer
#   TARGETS="path_expand key_loading" bash scripts/fuzz.sh 30
#   BACKEND=rust-crypto bash scripts/fuzz.sh   # the pure-Rust cryptography backend
#                                              # (default: aws-lc, as the crate's default)
#
# Each target starts from its committed seeds in fuzz/corpus/<target>/ (read, never written)
# and keeps what it learns in fuzz/target/corpus/<target>/ (not committed, reused by later
# runs on the same machine). A crash, timeout or out-of-memory input is copied to
# fuzz/regressions/<target>/ with its log beside it, and the script then exits non-zero.
#
# cargo-fuzz needs nightly `-Z` flags (sanitizer, coverage instrumentation); only the stable
# toolchain is to be had here, so RUSTC_BOOTSTRAP=1 lets stable rustc accept them.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-60}
BACKEND=${BACKEND:-aws-lc}
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1

if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -lt 1 ]; then
    echo "usage: $0 [SECONDS per target, default 60]" >&2
    exit 2
fi

case "$BACKEND" in
aws-lc | rust-crypto) features=(--no-default-features --features "$BACKEND") ;;
*)
    echo "BACKEND must be aws-lc or rust-crypto, not $BACKEND" >&2
    exit 2
    ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION (about 1 minute on 2 cores)"
    start=$SECONDS
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
    echo "cargo-fuzz installed in $((SECONDS - start)) s"
fi
echo "== $(cargo fuzz --version), $(rustc --version)"

targets=${TARGETS:-$(cargo fuzz list)}

echo "== cargo fuzz build ${features[*]} (release, debug assertions, AddressSanitizer)"
start=$SECONDS
cargo fuzz build "${features[@]}"
echo "built in $((SECONDS - start)) s"

logs=fuzz/target/logs/$BACKEND
mkdir -p "$logs"
failed=()
rows=()
for target in $targets; do
    work=fuzz/target/corpus/$target
    mkdir -p "$work" "fuzz/corpus/$target"
    echo "== $target: ${DURATION} s"
    status=ok
    # -timeout: an input taking over 10 s is a finding (a denial of service), not a stall.
    if ! cargo fuzz run "${features[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
        -max_total_time="$DURATION" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$logs/$target.log" 2>&1; then
        status=FAILED
        failed+=("$target")
        mkdir -p "fuzz/regressions/$target"
        for artifact in fuzz/artifacts/"$target"/{crash,timeout,oom,leak}-*; do
            [ -e "$artifact" ] || continue
            cp "$artifact" "fuzz/regressions/$target/"
            cp "$logs/$target.log" "fuzz/regressions/$target/$(basename "$artifact").log"
            status="FAILED: fuzz/regressions/$target/$(basename "$artifact")"
        done
        grep -E "^(==[0-9]+==ERROR|thread '.*' panicked|SUMMARY)" -A3 "$logs/$target.log" | head -20 || true
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$logs/$target.log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$logs/$target.log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "$work" -type f | wc -l)
    rows+=("$(printf '%-22s %6s %12s %10s %7s %8s  %s' "$target" "${secs:-$DURATION}" "${runs:-?}" \
        "$([ -n "$runs" ] && [ -n "$secs" ] && [ "$secs" -gt 0 ] && echo $((runs / secs)) || echo '?')" \
        "${cov:-?}" "$corpus" "$status")")
done

echo
echo "== fuzzing summary: backend $BACKEND, $(date -u +%Y-%m-%dT%H:%MZ), logs in $logs/"
printf '%-22s %6s %12s %10s %7s %8s  %s\n' target secs executions exec/s cov corpus result
printf '%s\n' "${rows[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs and logs in fuzz/regressions/)" >&2
    exit 1
fi
