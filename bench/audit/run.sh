#!/usr/bin/env bash
# Times `rampart audit` and checkov on the same generated corpus; prints resources/second
# and the ratio. Not part of CI.
#
# usage: bench/audit/run.sh [RAMPART_BIN] [CHECKOV_SUBSET]
#   RAMPART_BIN     default target/release/rampart (falls back to the crate's example
#                   binary target/release/examples/audit when the main binary is absent)
#   CHECKOV_SUBSET  workloads given to checkov (default 1000; checkov is slow, so its
#                   rate is measured on a subset and normalised per resource)
# needs: python3; checkov in /tmp/checkov-venv (python3 -m venv /tmp/checkov-venv &&
#        /tmp/checkov-venv/bin/pip install checkov)
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNT=10000
SUBSET=${2:-1000}
CORPUS=/tmp/rampart-audit-corpus
SUBSET_DIR=/tmp/rampart-audit-corpus-subset
BIN=${1:-target/release/rampart}
ARGS=(audit)
if [ ! -x "$BIN" ]; then
  BIN=target/release/examples/audit
  ARGS=()
fi

rm -rf "$CORPUS" "$SUBSET_DIR"
python3 bench/audit/gen_corpus.py "$CORPUS" "$COUNT" 50
python3 bench/audit/gen_corpus.py "$SUBSET_DIR" "$SUBSET" 50

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / ($3 - $2):.0f}')"; }

runs=()
for i in 1 2 3 4 5; do
  t0=$(now)
  "$BIN" "${ARGS[@]}" --format json --fail-on critical "$CORPUS" > /tmp/rampart-audit-out.json || true
  t1=$(now)
  runs+=("$(rate "$COUNT" "$t0" "$t1")")
done
median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)
findings=$(python3 -c "import json; print(json.load(open('/tmp/rampart-audit-out.json'))['summary']['findings'])")
echo "rampart: $COUNT workloads, runs (resources/s): ${runs[*]}; median $median; findings $findings"
/usr/bin/time -f "rampart: max RSS %M KiB, %e s" "$BIN" "${ARGS[@]}" --format json "$CORPUS" > /dev/null || true

if [ -x /tmp/checkov-venv/bin/checkov ]; then
  t0=$(now)
  /tmp/checkov-venv/bin/checkov -d "$SUBSET_DIR" --framework kubernetes --quiet --compact \
    -o json > /tmp/checkov-out.json 2>/dev/null || true
  t1=$(now)
  ck=$(rate "$SUBSET" "$t0" "$t1")
  echo "checkov: $SUBSET workloads in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s: $ck resources/s"
  python3 -c "print(f'ratio (rampart median / checkov): {$median / $ck:.0f}x')"
else
  echo "checkov not installed in /tmp/checkov-venv; skipped"
fi
