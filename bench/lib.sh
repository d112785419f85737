# Helpers shared by bench/compare.sh and bench/load.sh (sourced, not run).
#
# ROOT must be set (the repository root). Mocks started with start_mock are stopped by
# stop_mocks (by process id), which the scripts run on exit.

MOCK_PIDS=()

# Builds the release mock and load generator (a few minutes the first time on 2 cores).
build_release() {
    echo "building: cargo build --release --features cli --bin wechatpay; cargo build --release -p wechatpay-perf --bin loadgen" >&2
    (cd "$ROOT" && cargo build --quiet --release --features cli --bin wechatpay \
        && cargo build --quiet --release -p wechatpay-perf --bin loadgen) >&2
}

# start_mock LOG KEYS_DIR [ARGS...]: starts `wechatpay mock serve` in its own process,
# waits for its first line, and sets MOCK_URL to its base URL. Call it directly, not in
# $(...): the process id must be recorded in this shell.
start_mock() {
    local log=$1 keys=$2
    shift 2
    "$ROOT/target/release/wechatpay" mock serve --keys-dir "$keys" "$@" >"$log" 2>&1 &
    MOCK_PIDS+=("$!")
    local i
    for i in $(seq 1 100); do
        if grep -q '^listening on ' "$log" 2>/dev/null; then
            MOCK_URL=$(sed -n 's/^listening on //p' "$log" | head -1)
            return 0
        fi
        sleep 0.1
    done
    echo "the mock did not start; its output:" >&2
    cat "$log" >&2
    return 1
}

stop_mocks() {
    local pid
    for pid in "${MOCK_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    MOCK_PIDS=()
}

# The machine, for the record.
machine_line() {
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    echo "machine: $(nproc) cores (nproc), CPU \"$cpu\", $mem RAM, $(uname -sr), $(date -u '+%Y-%m-%d %H:%M UTC')"
}
