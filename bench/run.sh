#!/usr/bin/env bash
# `make bench`: closeup against redis-cli and a redis-py script doing the same
# work, measured in one run on this machine against one redis-server started
# here. Prints a Markdown table (medians, ratios closeup/redis-cli) and writes
# it to bench/results.md for the README.
#   1. one command, start to exit: closeup otp ttl vs redis-cli TTL vs redis-py
#   2. bulk: attempts clear - with 100,000 ids vs redis-cli --pipe vs a redis-py pipeline
#   3. scan: keys scan --kind attempts over 1,000,000 keys vs redis-cli --scan, with peak RSS
#   4. otp verify on the common path: writes to the socket (round trips) and commands the
#      server ran, and wall time vs a redis-py version of the seed's verify
# Usage: bench/run.sh [path/to/closeup]   (default: the release build)
set -euo pipefail
closeup=$(realpath "${1:-.build/release/closeup}")
out=$(realpath "$(dirname "$0")")/results.md
for tool in hyperfine strace /usr/bin/time redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (make deps)" >&2; exit 3; }
done
python3 -c 'import redis' 2>/dev/null || { echo "bench: redis-py is needed (python3 -m pip install redis)" >&2; exit 3; }
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work" XDG_DATA_HOME="$work/data" CLOSEUP_OTP_SECRET=bench-secret
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export REDIS_PORT=$port
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --enable-debug-command yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$closeup" doctor >/dev/null  # creates the SQLite file outside the timings
median() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$@"; }
rows=()

echo "bench: 1/4 start-up" >&2
"$closeup" otp send u1 --mobile 9876543210 --ttl 3600 >/dev/null
hyperfine -N --warmup 20 --runs 300 --export-json startup.json \
  "$closeup otp ttl u1" "redis-cli -p $port TTL otp:u1" \
  "python3 -c \"import redis; redis.Redis(port=$port).ttl('otp:u1')\"" >/dev/null
ours=$(median startup.json 0); cli=$(median startup.json 1); py=$(median startup.json 2)
rows+=("$(python3 -c "import sys; o,c,p=map(float,sys.argv[1:]); print(f'| one command: \`closeup otp ttl u1\` / \`redis-cli TTL otp:u1\` / redis-py | {o*1000:.2f} ms | {c*1000:.2f} ms | {p*1000:.2f} ms | {o/c:.2f}x the time (target <= 1.2x) |')" "$ours" "$cli" "$py")")

echo "bench: 2/4 bulk clear" >&2
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
def resp(*args):
    return "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)
with open(f"{work}/ids.txt", "w") as f:
    f.writelines(f"user{i}\n" for i in range(100000))
with open(f"{work}/seed.resp", "w") as f:
    f.writelines(resp("SET", f"otp:attempts:user{i}", "3", "EX", "3600") for i in range(100000))
with open(f"{work}/del.resp", "w") as f:
    f.writelines(resp("DEL", f"otp:attempts:user{i}") for i in range(100000))
PY
cat > clear.py <<'PY'
import os, sys, redis
r = redis.Redis(port=int(os.environ["REDIS_PORT"]))
p = r.pipeline(transaction=False)
for line in open(sys.argv[1]):
    p.delete("otp:attempts:" + line.strip())
p.execute()
PY
seed="redis-cli -p $port --pipe < $work/seed.resp > /dev/null"
hyperfine --warmup 1 --runs 10 --export-json bulk.json --prepare "$seed" \
  "$closeup attempts clear - < $work/ids.txt" "redis-cli -p $port --pipe < $work/del.resp" \
  "python3 $work/clear.py $work/ids.txt" >/dev/null
bash -c "$seed"
"$closeup" attempts clear - < ids.txt | grep -q "cleared 100000 attempt counters" || { echo "bench: bulk clear missed keys" >&2; exit 1; }
ours=$(median bulk.json 0); cli=$(median bulk.json 1); py=$(median bulk.json 2)
rows+=("$(python3 -c "import sys; o,c,p=map(float,sys.argv[1:]); print(f'| bulk: \`attempts clear -\` with 100,000 ids / \`redis-cli --pipe\` with the same DELs / redis-py pipeline | {o*1000:.0f} ms | {c*1000:.0f} ms | {p*1000:.0f} ms | {c/o:.2f}x the rate (target >= 0.8x) |')" "$ours" "$cli" "$py")")

echo "bench: 3/4 scan (seeding 1,000,000 keys)" >&2
redis-cli -p "$port" DEBUG POPULATE 800000 foreign >/dev/null
python3 - "$work" <<'PY'
import sys
def resp(*args):
    return "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)
with open(sys.argv[1] + "/scan-seed.resp", "w") as f:
    for i in range(100000):
        f.write(resp("SET", f"otp:attempts:user{i}", "1", "EX", "3600"))
        f.write(resp("SET", f"user:verification:user{i}", "true", "EX", "3600"))
PY
redis-cli -p "$port" --pipe < scan-seed.resp >/dev/null
[ "$("$closeup" keys scan --kind attempts | wc -l)" = 100000 ] || { echo "bench: wrong scan listing" >&2; exit 1; }
hyperfine --warmup 1 --runs 3 --export-json scan.json \
  "$closeup keys scan --kind attempts" "redis-cli -p $port --scan --pattern 'otp:attempts:*'" >/dev/null
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
ours_rss=$(rss "$closeup" keys scan --kind attempts)
cli_rss=$(rss redis-cli -p "$port" --scan --pattern 'otp:attempts:*')
ours=$(median scan.json 0); cli=$(median scan.json 1)
rows+=("$(python3 -c "import sys; o,c,orss,crss=map(float,sys.argv[1:]); print(f'| scan: \`keys scan --kind attempts\` / \`redis-cli --scan --pattern\`, 1,000,000 keys, 100,000 listed (peak RSS) | {o*1000:.0f} ms ({orss/1024:.1f} MB) | {c*1000:.0f} ms ({crss/1024:.1f} MB) | | {c/o:.2f}x the rate (target >= 0.9x, RSS < 30 MB) |')" "$ours" "$cli" "$ours_rss" "$cli_rss")")

echo "bench: 4/4 verify" >&2
cat > verify.py <<'PY'
import hashlib, hmac, json, os, sys, redis
user, code = sys.argv[1], open(sys.argv[2]).read().strip()
r = redis.Redis(port=int(os.environ["REDIS_PORT"]))
# The seed's verify_otp: read the code, compare, delete it and the attempt counter, or count a failure.
raw = r.get("otp:" + user)
expected = hmac.new(os.environ["CLOSEUP_OTP_SECRET"].encode(), f"{user}:{code}".encode(), hashlib.sha256).hexdigest()
if raw and hmac.compare_digest(json.loads(raw)["otp_hash"], expected):
    r.delete("otp:" + user)
    r.delete("otp:attempts:" + user)
    sys.exit(0)
r.incr("otp:attempts:" + user)
r.expire("otp:attempts:" + user, 3600)
sys.exit(1)
PY
prepare="$closeup --json otp send bench-user --mobile 9876543211 --force | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"otp\"])' > $work/code.txt; redis-cli -p $port DEL rate_limit:otp_request:9876543211 >/dev/null"
# The server learns the scripts outside the count: a wrong code (attempt, compare), then a right one (consume).
bash -c "$prepare"
"$closeup" otp verify bench-user 000001 >/dev/null || true
"$closeup" otp verify bench-user - < code.txt >/dev/null
bash -c "$prepare"
# Round trips: writes to the Redis socket during one verify, counted by strace.
strace -f -e trace=sendto -o trace.txt "$closeup" otp verify bench-user - < code.txt >/dev/null
writes=$(grep -c "sendto(" trace.txt)
bash -c "$prepare"
redis-cli -p "$port" CONFIG RESETSTAT >/dev/null
"$closeup" otp verify bench-user - < code.txt >/dev/null
commands=$(redis-cli -p "$port" INFO commandstats | tr -d '\r' | python3 -c "
import sys
calls = {l.split(':')[0][8:]: int(l.split('calls=')[1].split(',')[0]) for l in sys.stdin if l.startswith('cmdstat_')}
print(', '.join(f'{n.upper()} {c}' for n, c in sorted(calls.items()) if n != 'info' and not n.startswith('config')))")
# Through a shell for the redirect (Debian's hyperfine has no --input): the same cost for both.
hyperfine --warmup 3 --runs 50 --export-json verify.json --prepare "$prepare" \
  "$closeup otp verify bench-user - < $work/code.txt" "python3 $work/verify.py bench-user $work/code.txt" >/dev/null
ours=$(median verify.json 0); py=$(median verify.json 1)
rows+=("$(python3 -c "import sys; o,p=map(float,sys.argv[1:3]); print(f'| verify, common path: time; socket writes (round trips); commands the server ran, its script included | {o*1000:.2f} ms; {sys.argv[3]} write(s); {sys.argv[4]} | | {p*1000:.2f} ms (the seed\'s logic) | target: 1 round trip to compare, then 1 to consume and clear the counter (after a first PING: this server has no password) |')" "$ours" "$py" "$writes" "$commands")")

{
  echo "| workload | closeup | redis-cli | redis-py | ratio |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by \`make bench\` on $(nproc) cores ($(uname -m)), redis-server $(redis-server --version | cut -d' ' -f3 | cut -d= -f2), redis-cli, $(python3 -c 'import redis; print("redis-py", redis.__version__)')."
} | tee "$out"
