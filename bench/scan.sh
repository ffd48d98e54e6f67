#!/usr/bin/env bash
# keys scan, closeup vs redis-cli, in one run on this machine: 1,000,000 keys of
# which 200,000 are closeup's (100,000 attempt counters). Times
# `closeup keys scan --kind attempts` and `redis-cli --scan --pattern 'otp:attempts:*'`,
# and reports each one's peak RSS.
# Usage: bench/scan.sh [path/to/closeup]   (default: the release build)
set -euo pipefail
closeup=$(realpath "${1:-.build/release/closeup}")
runs=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2; exit 3; }
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work" XDG_DATA_HOME="$work/data"
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --enable-debug-command yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" DEBUG POPULATE 800000 foreign >/dev/null
python3 - "$work" <<'PY'
import sys
def resp(*args):
    return "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)
with open(sys.argv[1] + "/seed.resp", "w") as f:
    for i in range(100000):
        f.write(resp("SET", f"otp:attempts:user{i}", "1", "EX", "3600"))
        f.write(resp("SET", f"user:verification:user{i}", "true", "EX", "3600"))
PY
redis-cli -p "$port" --pipe < seed.resp >/dev/null
"$closeup" --port "$port" keys scan --kind attempts | wc -l | grep -qx 100000 || { echo "bench: wrong listing" >&2; exit 1; }

hyperfine --warmup 1 --runs "$runs" --export-json "$work/scan.json" \
  "$closeup --port $port keys scan --kind attempts" \
  "redis-cli -p $port --scan --pattern 'otp:attempts:*'" >/dev/null
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
ours=$(rss "$closeup" --port "$port" keys scan --kind attempts)
theirs=$(rss redis-cli -p "$port" --scan --pattern 'otp:attempts:*')

python3 - "$work/scan.json" "$ours" "$theirs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, theirs = (x["median"] for x in r)
print("| workload (1,000,000 keys, 100,000 listed) | median | peak RSS | rate vs redis-cli |")
print("|---|---:|---:|---:|")
print(f"| `closeup keys scan --kind attempts` | {ours*1000:.0f} ms | {int(sys.argv[2])/1024:.1f} MB | {theirs/ours:.2f}x |")
print(f"| `redis-cli --scan --pattern 'otp:attempts:*'` | {theirs*1000:.0f} ms | {int(sys.argv[3])/1024:.1f} MB | 1.00x |")
PY
