#!/usr/bin/env bash
# Start-up cost, closeup vs redis-cli, measured in one run on this machine:
# `closeup --version` vs `redis-cli --version`, `closeup doctor` vs `redis-cli PING`.
# Starts its own redis-server; prints a Markdown table of medians and ratios.
# Usage: bench/startup.sh [path/to/closeup]   (default: the release build)
set -euo pipefail
closeup=$(realpath "${1:-.build/release/closeup}")
runs=${RUNS:-300}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 3; }
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work" XDG_DATA_HOME="$work/data"
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$closeup" --port "$port" doctor >/dev/null  # creates the SQLite file outside the timing

hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/startup.json" \
  "$closeup --version" "redis-cli --version" \
  "$closeup --port $port doctor" "redis-cli -p $port PING" >/dev/null

python3 - "$work/startup.json" <<'PY'
import json, sys
results = {r["command"].split()[0].rsplit("/", 1)[-1] + " " + " ".join(w for w in r["command"].split()[1:] if not w.isdigit() and w not in ("--port", "-p")): r["median"] * 1000
           for r in json.load(open(sys.argv[1]))["results"]}
pairs = [("closeup --version", "redis-cli --version"), ("closeup doctor", "redis-cli PING")]
print("| closeup | median | redis-cli | median | ratio |")
print("|---|---:|---|---:|---:|")
for ours, theirs in pairs:
    print(f"| `{ours}` | {results[ours]:.2f} ms | `{theirs}` | {results[theirs]:.2f} ms | {results[ours] / results[theirs]:.2f}x |")
PY
