#!/usr/bin/env bash
# Measures the limiter: memory store, then Redis (a private redis-server on a free port).
# Usage: bench/limits/run.sh   (from the repository root; needs redis-server on PATH)
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p rampart-limits --example limits_bench

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null; rm -rf "$dir"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done

"$CARGO_TARGET_DIR/release/examples/limits_bench" "redis://127.0.0.1:$port/"

echo "redis-server time per script call (all scenarios):"
redis-cli -p "$port" info commandstats | grep -E "cmdstat_(evalsha|eval):" || true
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
