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

# The other SDKs the scripts drive, pinned, and where they are installed (npm install
# --prefix, python3 -m venv): under target/, never globally. Shared by every script.
NODE_SDK_NAME=wechatpay-axios-plugin
NODE_SDK_VERSION=0.9.6
PY_SDK_NAME=wechatpayv3
PY_SDK_VERSION=2.0.4
SDK_DIR=$ROOT/target/sdks
# Why an SDK is not run, by driver name (node, python); set by install_sdks.
declare -A SKIP=()

# Builds the release sandbox (`wechatpay`, feature cli): a few minutes the first time on 2
# cores, seconds when nothing changed.
build_cli() {
    echo "building: cargo build --release --features cli --bin wechatpay" >&2
    (cd "$ROOT" && cargo build --quiet --release --features cli --bin wechatpay) >&2
}

# Builds the release mock and load generator.
build_release() {
    build_cli || return 1
    echo "building: cargo build --release -p wechatpay-perf --bin loadgen" >&2
    (cd "$ROOT" && cargo build --quiet --release -p wechatpay-perf --bin loadgen) >&2
}

# Installs the Node and Python SDKs into $SDK_DIR unless the pinned versions are already
# there, sets NODE_PATH and PY_SDK_PYTHON, and records in SKIP[node] / SKIP[python] why an
# SDK cannot be had (no node or npm, no venv, no registry, ...): callers report that and go on.
install_sdks() {
    mkdir -p "$SDK_DIR"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        SKIP[node]="node or npm is not installed"
    elif [ "$(node -p "require('$SDK_DIR/node/node_modules/$NODE_SDK_NAME/package.json').version" 2>/dev/null)" != "$NODE_SDK_VERSION" ]; then
        echo "installing $NODE_SDK_NAME@$NODE_SDK_VERSION into $SDK_DIR/node" >&2
        if ! npm install --prefix "$SDK_DIR/node" --no-audit --no-fund --loglevel=error \
            "$NODE_SDK_NAME@$NODE_SDK_VERSION" >"$SDK_DIR/npm.log" 2>&1; then
            SKIP[node]="npm install $NODE_SDK_NAME@$NODE_SDK_VERSION failed: $(tail -3 "$SDK_DIR/npm.log" | tr '\n' ' ')"
        fi
    fi
    PY_SDK_PYTHON=$SDK_DIR/py/bin/python
    if ! "$PY_SDK_PYTHON" -c "import $PY_SDK_NAME, sys; sys.exit($PY_SDK_NAME.__version__ != '$PY_SDK_VERSION')" 2>/dev/null; then
        echo "installing $PY_SDK_NAME==$PY_SDK_VERSION into $SDK_DIR/py" >&2
        if ! python3 -m venv "$SDK_DIR/py" >"$SDK_DIR/pip.log" 2>&1; then
            SKIP[python]="python3 -m venv failed: $(tail -3 "$SDK_DIR/pip.log" | tr '\n' ' ')"
        elif ! "$SDK_DIR/py/bin/pip" install --quiet --disable-pip-version-check \
            "$PY_SDK_NAME==$PY_SDK_VERSION" >>"$SDK_DIR/pip.log" 2>&1; then
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
    "$WECHATPAY_BIN" mock serve --keys-dir "$keys" "$@" >"$log" 2>&1 &
    MOCK_PIDS+=("$!")
    local _
    for _ in $(seq 1 100); do
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
