#!/usr/bin/env bash
# Times `rampart audit` and checkov on the same generated corpus; prints resources per
# second (wall clock and CPU time) and the ratio. Not part of CI.
#
# usage: bench/audit/run.sh [RAMPART_BIN] [CHECKOV_SUBSET]
#   RAMPART_BIN     default target/release/rampart (run as `rampart audit`); when absent,
#                   the crate's example binary target/release/examples/audit
#   CHECKOV_SUBSET  workloads given to checkov (default 1000): checkov is slow, so its
#                   rate is measured on a subset of the same generator and normalised per
#                   workload
# needs: python3, /usr/bin/time; checkov in /tmp/checkov-venv
#   (python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov)
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNT=10000
SUBSET=${2:-1000}
CORPUS=/tmp/rampart-audit-corpus
SUBSET_DIR=/tmp/rampart-audit-corpus-subset
BIN=${1:-target/release/rampart}
ARGS=(audit)
if [ ! -x "$BIN" ]; then
  BIN=${CARGO_TARGET_DIR:-target}/release/examples/audit
  ARGS=()
fi

rm -rf "$CORPUS" "$SUBSET_DIR"
python3 bench/audit/gen_corpus.py "$CORPUS" "$COUNT" 50
python3 bench/audit/gen_corpus.py "$SUBSET_DIR" "$SUBSET" 50

# timed N CMD...: prints "wall cpu" seconds of one run
timed() {
  local n=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o /tmp/bench-time "$@" > /tmp/bench-out.json 2>/dev/null || true
  # GNU time adds a "Command exited with non-zero status" line: keep the numbers only.
  awk -v n="$n" 'NF == 4 && $1 ~ /^[0-9.]+$/ {
    printf "%.0f %.0f %d\n", n / ($1 + 0.0001), n / ($2 + $3 + 0.0001), $4 }' /tmp/bench-time
}

echo "rampart ($BIN), $COUNT workloads, 5 runs: wall/s cpu/s maxRSS(KiB)"
: > /tmp/bench-rampart
for _ in 1 2 3 4 5; do
  timed "$COUNT" "$BIN" "${ARGS[@]}" --format json "$CORPUS" | tee -a /tmp/bench-rampart
done
r_wall=$(sort -n -k1 /tmp/bench-rampart | sed -n 3p | cut -d' ' -f1)
r_cpu=$(sort -n -k2 /tmp/bench-rampart | sed -n 3p | cut -d' ' -f2)
python3 -c "import json; s=json.load(open('/tmp/bench-out.json'))['summary']; \
print('rampart findings:', s['findings'], 'resources:', s['resources'])"
echo "rampart median: $r_wall workloads/s (wall), $r_cpu workloads/CPU-s"

if [ -x /tmp/checkov-venv/bin/checkov ]; then
  read -r c_wall c_cpu c_rss < <(timed "$SUBSET" /tmp/checkov-venv/bin/checkov -d "$SUBSET_DIR" \
    --framework kubernetes --quiet --compact --skip-download -o json)
  echo "checkov, $SUBSET workloads, 1 run: $c_wall workloads/s (wall), $c_cpu workloads/CPU-s, maxRSS $c_rss KiB"
  python3 -c "print(f'ratio rampart/checkov: {$r_wall / max($c_wall, 1):.0f}x wall, {$r_cpu / max($c_cpu, 1):.0f}x CPU')"
else
  echo "checkov not installed in /tmp/checkov-venv; skipped"
fi
