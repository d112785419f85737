# shellcheck shell=bash
# shellcheck disable=SC2034 # SKIP, MOCK_URL, PY_SDK_PYTHON, ...: set here for the scripts that source this file
# Helpers shared by bench/compare.sh, bench/load.sh and scripts/interop/run.sh (sourced, not
# run).
#
# ROOT must be set (the repository root). Builds go to $CARGO_TARGET_DIR when it is set,
# else to $ROOT/target (TARGET_DIR below). Mocks started with start_mock are stopped by
# stop_mocks (by process id), which the scripts run on exit.

MOCK_PIDS=()
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
WECHATPAY_BIN=$TARGET_DIR/release/wechatpay

# The other SDKs the scripts drive, and where they are installed: under target/, never
# globally. Their versions, and every dependency's, are pinned in bench/sdks/
# (package-lock.json, requirements.txt), so a new release of a dependency changes nothing
# until the pins do.
NODE_SDK_NAME=wechatpay-axios-plugin
NODE_SDK_VERSION=0.9.6
PY_SDK_NAME=wechatpayv3
PY_SDK_VERSION=2.0.4
SDK_PINS=$ROOT/bench/sdks
SDK_DIR=$ROOT/target/sdks
# Why an SDK is not run, by driver name (node, python); set by install_sdks.
declare -A SKIP=()

# Builds the release sandbox (`wechatpay`, feature cli): a few minutes the first time on 2
# cores, seconds when nothing changed.
build_cli() {
    echo "building: cargo build --release --features cli --bin wechatpay" >&2
    (cd "$ROOT" && cargo build --quiet --release --features cli --bin wechatpay) >&2
}

# Builds the debug sandbox exactly as `cargo test --all-features` builds it for the tests (a
# no-op right after them: `cargo build` would compile the crate again, for another
# profile), and makes start_mock run it.
build_cli_debug() {
    echo "building: cargo test --all-features --no-run --test cli (the binary the tests run)" >&2
    (cd "$ROOT" && cargo test --quiet --all-features --no-run --test cli) >&2 || return 1
    WECHATPAY_BIN=$TARGET_DIR/debug/wechatpay
}

# Builds the release mock and load generator.
build_release() {
    build_cli || return 1
    echo "building: cargo build --release -p wechatpay-perf --bin loadgen" >&2
    (cd "$ROOT" && cargo build --quiet --release -p wechatpay-perf --bin loadgen) >&2
}

# Installs the Node and Python SDKs into $SDK_DIR as bench/sdks pins them (npm ci; a venv
# and pip install -r), unless that exact install is already there; sets NODE_PATH and
# PY_SDK_PYTHON, and records in SKIP[node] / SKIP[python] why an SDK cannot be had (no node
# or npm, no venv, no registry, ...): callers report that and go on.
install_sdks() {
    mkdir -p "$SDK_DIR/node"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        SKIP[node]="node or npm is not installed"
    elif ! cmp -s "$SDK_PINS/package-lock.json" "$SDK_DIR/node/.installed-lock.json"; then
        echo "installing $NODE_SDK_NAME@$NODE_SDK_VERSION into $SDK_DIR/node (npm ci)" >&2
        cp "$SDK_PINS/package.json" "$SDK_PINS/package-lock.json" "$SDK_DIR/node/"
        if npm ci --prefix "$SDK_DIR/node" --no-audit --no-fund --loglevel=error >"$SDK_DIR/npm.log" 2>&1; then
            cp "$SDK_PINS/package-lock.json" "$SDK_DIR/node/.installed-lock.json"
        else
            SKIP[node]="npm ci ($NODE_SDK_NAME@$NODE_SDK_VERSION) failed: $(tail -3 "$SDK_DIR/npm.log" | tr '\n' ' ')"
        fi
    fi
    PY_SDK_PYTHON=$SDK_DIR/py/bin/python
    if ! cmp -s "$SDK_PINS/requirements.txt" "$SDK_DIR/py/.installed-requirements.txt"; then
        echo "installing $PY_SDK_NAME==$PY_SDK_VERSION into $SDK_DIR/py (pip install -r)" >&2
        if ! python3 -m venv "$SDK_DIR/py" >"$SDK_DIR/pip.log" 2>&1; then
            SKIP[python]="python3 -m venv failed: $(tail -3 "$SDK_DIR/pip.log" | tr '\n' ' ')"
        elif "$SDK_DIR/py/bin/pip" install --quiet --disable-pip-version-check \
            -r "$SDK_PINS/requirements.txt" >>"$SDK_DIR/pip.log" 2>&1; then
            cp "$SDK_PINS/requirements.txt" "$SDK_DIR/py/.installed-requirements.txt"
        else
            SKIP[python]="pip install $PY_SDK_NAME==$PY_SDK_VERSION failed: $(tail -3 "$SDK_DIR/pip.log" | tr '\n' ' ')"
        fi
    fi
    export NODE_PATH=$SDK_DIR/node/node_modules
}

# start_mock LOG KEYS_DIR [ARGS...]: starts `wechatpay mock serve` in its own process,
# waits for its first line, and sets MOCK_URL to its base URL. Call it directly, not in
# $(...): the process id must be recorded in this shell.
start_mock() {
    local log=$1 keys=$2
    shift 2
    # Emptied here, not only by the redirection below: that one happens in the new process,
    # maybe after the loop has read a previous run's first line from the same file.
    : >"$log"
    "$WECHATPAY_BIN" mock serve --keys-dir "$keys" "$@" >>"$log" 2>&1 &
    MOCK_PIDS+=("$!")
    local _
    for _ in $(seq 1 100); do
        MOCK_URL=$(sed -n 's/^listening on \(https\{0,1\}:\/\/.*\/\)$/\1/p' "$log" 2>/dev/null | head -1)
        [ -n "$MOCK_URL" ] && return 0
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
