#!/usr/bin/env bash
# Bulk clear, closeup vs redis-cli, in one run on this machine:
# `closeup attempts clear -` with 100,000 ids on stdin vs `redis-cli --pipe`
# with the same 100,000 DELs. The counters are re-created before every run.
# Prints a Markdown table of medians and the rate ratio.
# Usage: bench/bulk-clear.sh [path/to/closeup]   (default: the release build)
set -euo pipefail
closeup=$(realpath "${1:-.build/release/closeup}")
count=${COUNT:-100000}
runs=${RUNS:-10}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 3; }
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work" XDG_DATA_HOME="$work/data"
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$count" "$work" <<'PY'
import sys
count, work = int(sys.argv[1]), sys.argv[2]
def resp(*args):
    return "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)
with open(f"{work}/ids.txt", "w") as f:
    f.writelines(f"user{i}\n" for i in range(count))
with open(f"{work}/seed.resp", "w") as f:
    f.writelines(resp("SET", f"otp:attempts:user{i}", "3", "EX", "3600") for i in range(count))
with open(f"{work}/del.resp", "w") as f:
    f.writelines(resp("DEL", f"otp:attempts:user{i}") for i in range(count))
PY
"$closeup" --port "$port" doctor >/dev/null  # creates the SQLite file outside the timing
seed="redis-cli -p $port --pipe < $work/seed.resp > /dev/null"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/bulk.json" --prepare "$seed" \
  "$closeup --port $port attempts clear - < $work/ids.txt" \
  "redis-cli -p $port --pipe < $work/del.resp" >/dev/null
# The last closeup run must really have cleared them all.
bash -c "$seed"
"$closeup" --port "$port" attempts clear - < "$work/ids.txt" | grep -q "cleared $count attempt counters" \
  || { echo "bench: closeup did not clear $count counters" >&2; exit 1; }

python3 - "$work/bulk.json" "$count" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
count = int(sys.argv[2])
ours, theirs = results[0]["median"], results[1]["median"]
print("| workload | closeup | redis-cli --pipe | rate ratio |")
print("|---|---:|---:|---:|")
print(f"| clear {count:,} attempt counters | {ours*1000:.0f} ms ({count/ours:,.0f}/s) | {theirs*1000:.0f} ms ({count/theirs:,.0f}/s) | {theirs/ours:.2f}x |")
PY
