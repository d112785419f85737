#!/usr/bin/env bash
# Runs perf/benches/crypto.rs once per cryptography backend, with criterion's quick settings,
# and prints one table: operation | aws-lc-rs | rsa | ratio (median times; ratio = rsa / aws-lc-rs).
#
#   bash scripts/bench-crypto.sh            # both backends: seconds once built (the first
#                                           # release build of the dependencies takes minutes)
#   QUICK=0 bash scripts/bench-crypto.sh    # criterion's full statistics instead of --quick
#
# Extra arguments go to criterion (e.g. a benchmark name filter such as `sign`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${QUICK:-1}" = 0 ]; then
    quick=(--warm-up-time 1 --measurement-time 3 --noplot)
else
    quick=(--quick --noplot)
fi

echo "== aws-lc-rs backend (default features)" >&2
cargo bench -p wechatpay-perf --bench crypto -- "${quick[@]}" --save-baseline aws-lc "$@" >&2
echo "== rsa backend (-p wechatpay-perf --no-default-features --features rust-crypto)" >&2
cargo bench -p wechatpay-perf --bench crypto --no-default-features --features rust-crypto -- \
    "${quick[@]}" --save-baseline rust-crypto "$@" >&2

target_dir="${CARGO_TARGET_DIR:-target}"
criterion_dir="$target_dir/criterion"

# The median point estimate, in nanoseconds, from a criterion estimates.json.
median_ns() {
    sed -E 's/.*"median":\{"confidence_interval":\{[^}]*\},"point_estimate":([-0-9.eE+]+).*/\1/' "$1"
}

echo
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); $(rustc --version)"
echo
printf '| %-24s | %12s | %12s | %7s |\n' operation aws-lc-rs rsa ratio
echo '|--------------------------|--------------|--------------|---------|'
for operation in sign_request verify_response chain_expand_6_segments oaep_encrypt_field aes_gcm_decrypt_1KiB; do
    a="$criterion_dir/$operation/aws-lc/estimates.json"
    r="$criterion_dir/$operation/rust-crypto/estimates.json"
    if [ ! -f "$a" ] || [ ! -f "$r" ]; then
        continue
    fi
    awk -v op="$operation" -v a="$(median_ns "$a")" -v r="$(median_ns "$r")" '
        # Every unit is two characters wide on screen (µ is two bytes), so pad the number only.
        function human(ns) {
            if (ns >= 1e6) return sprintf("%9.3f ms", ns / 1e6)
            if (ns >= 1e3) return sprintf("%9.2f µs", ns / 1e3)
            return sprintf("%9.1f ns", ns)
        }
        BEGIN { printf "| %-24s | %s | %s | %6.2fx |\n", op, human(a), human(r), r / a }'
done
