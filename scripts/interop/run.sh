#!/usr/bin/env bash
# Interoperability: is `wechatpay mock serve` a faithful stand-in for the platform, so that
# a user's own SDK works against it? Two independent SDKs from the package registries,
#   - Node: wechatpay-axios-plugin 0.9.6 (npm; driver scripts/interop/node/interop.js),
#   - Python: wechatpayv3 2.0.4 (PyPI; driver scripts/interop/python/interop.py),
# are configured with the keys the sandbox exports (--keys-dir) and check, each on its own:
#   v3:*             the catalogued APIv3 operations of scripts/interop/cases.json (GET with
#                    a query, POST, PATCH, PUT, DELETE, path variables): the SDK signs, the
#                    sandbox verifies and answers the documented status, the SDK verifies the
#                    answer's signature, and the answer has the documented required fields
#                    and echoes what the request named;
#   v3:media-upload  a multipart upload (meta JSON + file) with the SDK's own helper gets a
#                    media_id;
#   v3:missing-field a body without a required field gets 400 PARAM_ERROR naming it,
#                    through the SDK's error;
#   bad-signature:*  a sandbox started with --fault bad-signature: the SDK refuses every
#                    answer (its verification is on);
#   cert:*           a sandbox started with --mode certificate: the SDK configured with the
#                    platform certificate instead of the public key downloads
#                    /v3/certificates, decrypts it with the APIv3 key (it must be the
#                    exported certificate) and verifies an operation's answer with it;
#   v2:*             (Node only: wechatpayv3 has no APIv2 client) orderquery signed with MD5
#                    and with HMAC-SHA256, the answer's sign verified by the SDK; an answer
#                    signed with another key (--fault v2-bad-sign) refused; a refund over
#                    `--tls` with the merchant certificate as the client certificate and the
#                    sandbox CA trusted, and the same refund refused (CA_ERROR) without it;
#   requests:*       (as SDK `sandbox`) the sandboxes' request logs: every request verified,
#                    bar the refund sent without a client certificate.
# Each check prints `ok|FAIL|skip SDK CHECK DETAIL`; the last line is `N passed, N failed,
# N skipped`, and the script exits 1 on any FAIL. An SDK that cannot be installed (no node,
# no registry, ...) is reported as skipped, not failed.
#
#   bash scripts/interop/run.sh            # the release sandbox
#   bash scripts/interop/run.sh --debug    # the debug one `cargo test --all-features` built (CI)
#
# It builds the sandbox (cargo build --release --features cli --bin wechatpay, a few minutes
# the first time; with --debug, cargo test --all-features --no-run --test cli, a no-op after
# the tests; into $CARGO_TARGET_DIR when set), installs the SDKs under target/sdks/ as
# bench/sdks pins them (bench/lib.sh, shared with bench/compare.sh; nothing global), and
# starts five sandboxes on 127.0.0.1 (plain, bad-signature, v2-bad-sign, TLS, certificate
# mode) that it stops on exit. Logs and the sandboxes' files are in target/interop/.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/target/interop
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
trap stop_mocks EXIT
mkdir -p "$OUT"
started=$(date +%s)

case ${1:-} in
    --debug) build_cli_debug || { echo "the build failed" >&2; exit 1; } ;;
    "") build_cli || { echo "the release build failed" >&2; exit 1; } ;;
    *) echo "usage: bash scripts/interop/run.sh [--debug]" >&2; exit 2 ;;
esac
built=$(date +%s)
install_sdks
installed=$(date +%s)

RESULTS=$OUT/results.txt
: >"$RESULTS"
: >"$OUT/node.log"
: >"$OUT/python.log"
line() { echo "$*" | tee -a "$RESULTS"; }

start_mock "$OUT/mock.log" "$OUT/sandbox" || exit 1
URL=$MOCK_URL
start_mock "$OUT/mock-bad.log" "$OUT/sandbox-bad" --fault bad-signature || exit 1
BAD_URL=$MOCK_URL
start_mock "$OUT/mock-v2-bad.log" "$OUT/sandbox-v2-bad" --fault v2-bad-sign || exit 1
V2_BAD_URL=$MOCK_URL
start_mock "$OUT/mock-tls.log" "$OUT/sandbox-tls" --tls || exit 1
TLS_URL=$MOCK_URL
start_mock "$OUT/mock-cert.log" "$OUT/sandbox-cert" --mode certificate || exit 1
CERT_URL=$MOCK_URL
echo "sandboxes: $URL (plain), $BAD_URL (--fault bad-signature), $V2_BAD_URL (--fault v2-bad-sign)," \
    "$TLS_URL (--tls), $CERT_URL (--mode certificate)" >&2

# drive SDK PART URL KEYS: one driver run; its check lines to stdout and RESULTS, the rest to
# OUT/SDK.log. A driver that dies without saying why is a FAIL of its own.
drive() {
    local sdk=$1 part=$2 url=$3 keys=$4 status output
    case $sdk in
        node) output=$(node "$ROOT/scripts/interop/node/interop.js" "$part" "$url" "$keys" 2>>"$OUT/$sdk.log") ;;
        python) output=$("$PY_SDK_PYTHON" "$ROOT/scripts/interop/python/interop.py" "$part" "$url" "$keys" 2>>"$OUT/$sdk.log") ;;
    esac
    status=$?
    [ -n "$output" ] && line "$output"
    if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' <<<"$output"; then
        line "FAIL $sdk $part the driver exited $status without a result: see $OUT/$sdk.log"
    fi
}

for sdk in node python; do
    if [ -n "${SKIP[$sdk]:-}" ]; then
        line "skip $sdk install ${SKIP[$sdk]}"
        continue
    fi
    drive "$sdk" v3 "$URL" "$OUT/sandbox"
    drive "$sdk" bad "$BAD_URL" "$OUT/sandbox-bad"
    drive "$sdk" cert "$CERT_URL" "$OUT/sandbox-cert"
    if [ "$sdk" = node ]; then
        drive node v2 "$URL" "$OUT/sandbox"
        drive node v2-bad "$V2_BAD_URL" "$OUT/sandbox-v2-bad"
        drive node v2-tls "$TLS_URL" "$OUT/sandbox-tls"
    else
        line "skip python v2:* $PY_SDK_NAME $PY_SDK_VERSION has no APIv2 (XML) client: it signs and verifies APIv3 only"
    fi
done

# The sandboxes' own view: every request they got passed their checks (signature, merchant,
# client certificate), except the refund sent on purpose without a client certificate.
sleep 0.3 # the sandbox prints its request log every 100 ms
stop_mocks
for log in mock mock-bad mock-v2-bad mock-tls mock-cert; do
    # `... verified: yes`, maybe followed by more fields (`  fault: NAME`).
    yes=$(grep -cE ' verified: yes( |$)' "$OUT/$log.log")
    no=$(grep -cE ' verified: no( |$)' "$OUT/$log.log")
    expected_no=0
    if [ "$log" = mock-tls ] && [ -z "${SKIP[node]:-}" ]; then expected_no=1; fi
    if [ "$yes" -gt 0 ] && [ "$no" -eq "$expected_no" ]; then verdict=ok; else verdict=FAIL; fi
    line "$verdict sandbox requests:$log $yes request(s) verified, $no refused (expected $expected_no) ($OUT/$log.log)"
done

passed=$(grep -c '^ok ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
skipped=$(grep -c '^skip ' "$RESULTS")
finished=$(date +%s)
echo "took $((finished - started)) s: build $((built - started)) s, SDK installs $((installed - built)) s, checks $((finished - installed)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
