#!/usr/bin/env bash
# End-to-end requests/s of a validated route against the same plain route, in one run: wrk
# POSTs a 1 KB JSON body (the seed experiment reading, valid) to /plain and /validated on one
# rampart (release build) in front of its built-in demo API. ROUNDS interleaved rounds; the
# report gives the medians and the ratio validated/plain.
#
# Usage: bench/validate/e2e.sh   (builds rampart in release mode first unless RAMPART_BIN is set)
# Environment: THREADS [2] CONNECTIONS [32] DURATION [10s] ROUNDS [3] RAMPART_BIN
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-32} DURATION=${DURATION:-10s} ROUNDS=${ROUNDS:-3}
work=$(mktemp -d /tmp/rampart-validate-bench.XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
gw=$(port) demo=$(port) admin=$(port)

bin=${RAMPART_BIN:-}
if [[ -z $bin ]]; then
  (cd "$repo" && nice -n 10 cargo build --release -q -p rampart)
  bin=${CARGO_TARGET_DIR:-$repo/target}/release/rampart
fi

cat >"$work/gateway.yaml" <<YAML
listeners: [{name: main, address: "127.0.0.1:$gw"}]
admin: {address: "127.0.0.1:$admin"}
demo: {address: "127.0.0.1:$demo"}
upstreams: {demo: {targets: ["127.0.0.1:$demo"]}}
routes:
  - name: validated
    match: {path: /validated, methods: [POST]}
    upstream: demo
    validate: {body: {schema_file: "$repo/examples/validation/experiment.schema.yaml"}}
  - name: plain
    match: {path: /plain, methods: [POST]}
    upstream: demo
YAML

python3 - "$work/body.json" <<'PY'
import json, sys
body = {"experiment_id": "exp-1", "temperature": 21.5, "pressure": 101.3,
        "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "ada_lovelace",
        "notes": ""}
body["notes"] = "n" * (1024 - len(json.dumps(body)))
open(sys.argv[1], "w").write(json.dumps(body))
PY
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json"); wrk.body = f:read("*a"); f:close()
LUA

"$bin" serve --config "$work/gateway.yaml" >"$work/rampart.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$gw/plain" -d '{}' -H 'content-type: application/json' && break; sleep 0.2; done
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  --data-binary @"$work/body.json" "http://127.0.0.1:$gw/validated")
[[ $code == 200 ]] || { echo "validated route answered $code" >&2; exit 1; }

for round in $(seq "$ROUNDS"); do
  for route in plain validated; do
    rps=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" \
      "http://127.0.0.1:$gw/$route" | awk '/Requests\/sec/ {print $2}')
    echo "$route $round $rps" | tee -a "$work/results.txt"
  done
done

python3 - "$work/results.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {r: statistics.median(float(x[2]) for x in rows if x[0] == r) for r in ("plain", "validated")}
print(f"plain median {med['plain']:.0f} req/s, validated median {med['validated']:.0f} req/s, "
      f"ratio {med['validated'] / med['plain']:.3f}")
PY
