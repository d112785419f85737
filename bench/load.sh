#!/usr/bin/env bash
# End-to-end load benchmark of this crate's client alone: builds the release mock and
# perf/src/bin/loadgen, starts `wechatpay mock serve --reuse-signatures` in its own process,
# runs the load generator against it, and stops the mock.
#
#   bash bench/load.sh [WORKLOAD] [N] [C] [loadgen options...]
#   bash bench/load.sh get 5000 50                  # defaults: get 5000 50
#   bash bench/load.sh seed 10000 1000              # peak RSS at 1,000 concurrent requests
#   bash bench/load.sh get 20000 50 --probe         # + lateness of a 1 ms ticker on the executor
set -uo pipefail

WORKLOAD=${1:-get}
N=${2:-5000}
C=${3:-50}
shift $(($# < 3 ? $# : 3))
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/target/bench-load
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
trap stop_mocks EXIT
mkdir -p "$OUT"

build_release || { echo "the release build failed" >&2; exit 1; }
start_mock "$OUT/mock.log" "$OUT/sandbox" --reuse-signatures || exit 1
machine_line
echo "command: bash bench/load.sh $WORKLOAD $N $C $*"
"$ROOT/target/release/loadgen" "$MOCK_URL" "$OUT/sandbox" "$WORKLOAD" "$N" "$C" "$@"
status=$?
sleep 0.3
stop_mocks
echo "mock request log: $(grep -c ' verified: yes$' "$OUT/mock.log") request signatures verified, $(grep -c ' verified: no$' "$OUT/mock.log") failed"
exit $status
