#!/usr/bin/env bash
# `make bench`: closeup against redis-cli, a redis-py script and a minimal hiredis
# client (bench/scan_limit.c) doing the same work, measured in one run on this
# machine against one redis-server started here, whose own time per command
# (INFO commandstats) is the limit. Prints a Markdown table (medians, ratios) and
# writes it to bench/results.md for the README.
#   1. one command, start to exit: closeup otp ttl vs redis-cli TTL vs redis-py
#   2. otp verify on the common path: writes to the socket (round trips) and commands the
#      server ran, and wall time vs a redis-py version of the seed's verify
#   3. bulk clear: attempts clear - with 100,000 and 1,000,000 ids whose keys exist vs
#      redis-cli --pipe fed the same DELs (and a redis-py pipeline at 100,000)
#   4. scan: keys scan --kind attempts over 3,000,000 keys that all match vs redis-cli --scan
#      and the minimal client; the server's SCAN time during closeup's scan; write calls;
#      stats over the same keys vs keys scan, and its peak RSS
#   5. peak RSS of scan and of bulk clear at 100,000, 1,000,000 and 10,000,000 keys or ids
#   6. the server limit: its SCAN and UNLINK/DEL time during closeup's runs, and the
#      minimal client's SCAN at closeup's COUNT
# Each workload starts from FLUSHALL, and each checks what closeup printed (lines listed,
# counters cleared). Takes about 7 minutes on 2 cores; the redis-server holds about 1 GB
# at the 10,000,000-key scan.
# Usage: bench/run.sh [path/to/closeup]   (default: the release build)
# BENCH_SCALE=0.01 bench/run.sh scales every key and id count, for a quick trial.
set -euo pipefail
closeup=$(realpath "${1:-.build/release/closeup}")
here=$(realpath "$(dirname "$0")")
out=$here/results.md
for tool in hyperfine strace /usr/bin/time redis-server redis-cli python3 cc awk seq; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (make deps)" >&2; exit 3; }
done
python3 -c 'import redis' 2>/dev/null || { echo "bench: redis-py is needed (python3 -m pip install redis)" >&2; exit 3; }
scale=${BENCH_SCALE:-1}
size() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); print (v < 10 ? 10 : v) }'; }
small=$(size 100000) mid=$(size 1000000) all=$(size 3000000) big=$(size 10000000)
load=$(cut -d' ' -f1 /proc/loadavg)
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work" XDG_DATA_HOME="$work/data" CLOSEUP_OTP_SECRET=bench-secret
cd "$work"
cc -O2 -o scan-limit "$here/scan_limit.c" -lhiredis || { echo "bench: libhiredis-dev is needed (make deps)" >&2; exit 3; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export REDIS_PORT=$port
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --enable-debug-command yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$closeup" doctor >/dev/null  # creates the SQLite file outside the timings

rcli() { redis-cli -p "$port" "$@" </dev/null; }
fail() { echo "bench: $*" >&2; exit 1; }
# Every figure goes in m[...]; the table is drawn from them (and hyperfine's JSON) at the end.
declare -A m
m[small]=$small m[mid]=$mid m[all]=$all m[big]=$big

# The keys: otp:attempts:userN. `DEBUG POPULATE` would name them otp:attempts:user:N, whose
# user part holds a ':', so closeup rightly counts them as not its own; a server-side script
# sets them instead, a million per call (MSETs of 1,000 keys, no expiry).
cat > seed.lua <<'LUA'
local batch = {}
for i = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1 do
  batch[#batch + 1] = 'otp:attempts:user' .. i
  batch[#batch + 1] = '1'
  if #batch == 2000 then redis.call('MSET', unpack(batch)); batch = {} end
end
if #batch > 0 then redis.call('MSET', unpack(batch)) end
return redis.call('DBSIZE')
LUA
cat > seed <<'SH'
#!/bin/sh
# seed FROM TO: sets otp:attempts:userFROM .. otp:attempts:user(TO-1).
set -e
i=$1
while [ "$i" -lt "$2" ]; do
  j=$((i + 1000000)); if [ "$j" -gt "$2" ]; then j=$2; fi
  redis-cli -p "$REDIS_PORT" --eval "$(dirname "$0")/seed.lua" , "$i" "$j" >/dev/null </dev/null
  i=$j
done
SH
chmod +x seed
# The same users as closeup's input (one id a line) and as RESP DELs for redis-cli --pipe.
ids() { seq -f 'user%.0f' 0 $(($1 - 1)); }
dels() {
  awk -v n="$1" 'BEGIN {
    for (i = 0; i < n; i++) { k = "otp:attempts:user" i; printf "*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n", length(k), k }
  }'
}
# A field (calls, usec) of INFO commandstats for a command; 0 when it did not run.
cmdstat() {
  rcli INFO commandstats | tr -d '\r' |
    awk -F'[:,=]' -v c="cmdstat_$1" -v f="$2" '
      $1 == c { for (i = 2; i < NF; i += 2) if ($i == f) v = $(i + 1) }
      END { print v + 0 }'
}
# observe NAME OUT COMMAND...: one run of COMMAND (stdin as given, stdout to OUT) after CONFIG
# RESETSTAT: wall time (usec), peak RSS (KB), and the server's calls and usec in SCAN and in
# UNLINK plus DEL, as m[NAME.wall], m[NAME.rss], m[NAME.scan_calls], m[NAME.scan_usec], ...
observe() {
  local name=$1 to=$2; shift 2
  rcli CONFIG RESETSTAT >/dev/null
  local start=${EPOCHREALTIME/./}
  /usr/bin/time -f %M -o rss.txt "$@" >"$to"
  m[$name.wall]=$((${EPOCHREALTIME/./} - start))
  m[$name.rss]=$(tail -1 rss.txt)
  m[$name.scan_calls]=$(cmdstat scan calls)
  m[$name.scan_usec]=$(cmdstat scan usec)
  m[$name.del_calls]=$(($(cmdstat unlink calls) + $(cmdstat del calls)))
  m[$name.del_usec]=$(($(cmdstat unlink usec) + $(cmdstat del usec)))
}
# The lines closeup printed must be exactly these.
expect() { [ "$(cat "$1")" = "$2" ] || fail "$3: expected '$2', got '$(head -c 200 "$1")'"; }
expect_lines() { [ "$(wc -l <"$1")" = "$2" ] || fail "$3: expected $2 lines, got $(wc -l <"$1")"; }

echo "bench: 1/6 start-up" >&2
"$closeup" otp send u1 --mobile 9876543210 --ttl 3600 >/dev/null
hyperfine -N --warmup 20 --runs 300 --export-json startup.json "$closeup otp ttl u1" "redis-cli -p $port TTL otp:u1" >/dev/null
# redis-py takes half a second to start: 30 runs of it tell its median well enough.
hyperfine -N --warmup 3 --runs 30 --export-json startup-py.json \
  "python3 -c \"import redis; redis.Redis(port=$port).ttl('otp:u1')\"" >/dev/null

echo "bench: 2/6 verify" >&2
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
m[verify.writes]=$(grep -c "sendto(" trace.txt)
bash -c "$prepare"
rcli CONFIG RESETSTAT >/dev/null
"$closeup" otp verify bench-user - < code.txt >/dev/null
m[verify.commands]=$(rcli INFO commandstats | tr -d '\r' | python3 -c "
import sys
calls = {l.split(':')[0][8:]: int(l.split('calls=')[1].split(',')[0]) for l in sys.stdin if l.startswith('cmdstat_')}
print(', '.join(f'{n.upper()} {c}' for n, c in sorted(calls.items()) if n != 'info' and not n.startswith('config')))")
# Through a shell for the redirect (Debian's hyperfine has no --input): the same cost for both.
hyperfine --warmup 3 --runs 50 --export-json verify.json --prepare "$prepare" \
  "$closeup otp verify bench-user - < $work/code.txt" "python3 $work/verify.py bench-user $work/code.txt" >/dev/null

echo "bench: 3/6 bulk clear, $small and $mid ids" >&2
cat > clear.py <<'PY'
import os, sys, redis
r = redis.Redis(port=int(os.environ["REDIS_PORT"]))
p = r.pipeline(transaction=False)
for line in open(sys.argv[1]):
    p.delete("otp:attempts:" + line.strip())
p.execute()
PY
for n in "$small" "$mid"; do
  ids "$n" > "ids-$n.txt"
  dels "$n" > "del-$n.resp"
done
rcli FLUSHALL >/dev/null
# The keys are set again before every timed run (--prepare), so each clear removes all of them.
hyperfine --warmup 1 --runs 10 --export-json bulk-small.json --prepare "$work/seed 0 $small" \
  "$closeup attempts clear - < $work/ids-$small.txt" "redis-cli -p $port --pipe < $work/del-$small.resp" \
  "python3 $work/clear.py $work/ids-$small.txt" >/dev/null
rcli FLUSHALL >/dev/null
hyperfine --runs 3 --export-json bulk-mid.json --prepare "$work/seed 0 $mid" \
  "$closeup attempts clear - < $work/ids-$mid.txt" "redis-cli -p $port --pipe < $work/del-$mid.resp" >/dev/null
# One more run of each, watched by the server, and closeup's summary checked.
for n in "$small" "$mid"; do
  ./seed 0 "$n"
  observe "clear-$n" said.txt "$closeup" attempts clear - < "ids-$n.txt"
  expect said.txt "cleared $n attempt counters" "bulk clear of $n"
  [ "$(rcli DBSIZE)" = 0 ] || fail "bulk clear of $n left $(rcli DBSIZE) keys"
  ./seed 0 "$n"
  observe "pipe-$n" /dev/null redis-cli -p "$port" --pipe < "del-$n.resp"
done

echo "bench: 4/6 scan: $small, $mid, $all and $big keys (seeding as it goes)" >&2
# One keyspace grown in steps, each scan seeing exactly the keys seeded so far (checked by
# counting the lines), spares seeding 14 million keys from nothing.
scan=("$closeup" keys scan --kind attempts)
rcli FLUSHALL >/dev/null
./seed 0 "$small"
observe "scan-$small" listed.txt "${scan[@]}"
expect_lines listed.txt "$small" "scan of $small keys"
./seed "$small" "$mid"
observe "scan-$mid" listed.txt "${scan[@]}"
expect_lines listed.txt "$mid" "scan of $mid keys"
./seed "$mid" "$all"
"${scan[@]}" > listed.txt  # also the warm-up of the timings below
expect_lines listed.txt "$all" "scan of $all keys"
[ "$(sort -u listed.txt | wc -l)" = "$all" ] || fail "scan of $all keys listed a key twice"
./scan-limit "$port" 'otp:attempts:*' > listed.txt
expect_lines listed.txt "$all" "the minimal client's scan"
rm listed.txt
hyperfine --runs 3 --export-json scan.json "${scan[*]}" "redis-cli -p $port --scan --pattern 'otp:attempts:*'" \
  "$work/scan-limit $port 'otp:attempts:*' 1000" >/dev/null
# Single runs, stdout to /dev/null as in hyperfine, each with the server's time during it.
observe "scan-$all" /dev/null "${scan[@]}"
observe limit /dev/null ./scan-limit "$port" 'otp:attempts:*' 1000
observe cli /dev/null redis-cli -p "$port" --scan --pattern 'otp:attempts:*'
strace -f -c -e trace=write -o strace.txt "${scan[@]}" >/dev/null
m[scan.writes]=$(awk '$NF == "write" { print $4 }' strace.txt)
# stats over the same keys: one SCAN pass with a TTL per key and a sample's MEMORY USAGE, against
# keys scan of every namespace (the same keys, no TTLs); its counts must be exact.
"$closeup" --json stats > counted.json
python3 -c "import json,sys; r=json.load(open('counted.json')); sys.exit(r['total_keys'] != $all)" \
  || fail "stats did not count $all keys"
hyperfine --runs 3 --export-json stats.json "$closeup stats" "$closeup keys scan" \
  "$closeup keys scan --kind attempts --ttl" "$closeup keys scan --kind attempts" >/dev/null
observe "stats-$all" /dev/null "$closeup" stats
./seed "$all" "$big"
observe "scan-$big" listed.txt "${scan[@]}"
expect_lines listed.txt "$big" "scan of $big keys"
rm listed.txt

echo "bench: 5/6 bulk clear RSS: $small, $mid and $big ids (no keys)" >&2
rcli FLUSHALL >/dev/null
ids "$big" > "ids-$big.txt"
for n in "$small" "$mid" "$big"; do
  observe "clear-rss-$n" said.txt "$closeup" attempts clear - < "ids-$n.txt"
  expect said.txt "cleared 0 attempt counters ($n of $n users had none)" "bulk clear of $n absent ids"
done

echo "bench: 6/6 table" >&2
m[seconds]=$SECONDS m[load]=$load m[cores]=$(nproc) m[arch]=$(uname -m)
m[server]=$(redis-server --version | cut -d' ' -f3 | cut -d= -f2) m[cli]=$(redis-cli --version | cut -d' ' -f2)
for key in "${!m[@]}"; do printf '%s=%s\n' "$key" "${m[$key]}"; done > measured.txt
python3 - "$work" <<'PY' | tee "$out"
import json, sys
work = sys.argv[1]
m = dict(line.rstrip("\n").split("=", 1) for line in open(f"{work}/measured.txt"))
small, mid, every, big = (int(m[k]) for k in ("small", "mid", "all", "big"))
def n(k): return float(m[k])
def medians(name): return [r["median"] for r in json.load(open(f"{work}/{name}.json"))["results"]]
def ms(seconds, digits=0): return f"{seconds * 1000:.{digits}f} ms"
def usec_ms(usec): return f"{usec / 1000:.0f} ms"
def mb(kb): return f"{kb / 1024:.1f} MB"
def target(ok, text): return f"(target {text}: {'met' if ok else 'MISSED'})"
rows = []

(o, c), (p,) = medians("startup"), medians("startup-py")
rows.append(["one command: `closeup otp ttl u1` / `redis-cli TTL otp:u1` / redis-py (median of 300; redis-py 30)",
             ms(o, 2), ms(c, 2), ms(p, 2), f"{o / c:.2f}x the time {target(o / c <= 1.2, '<= 1.2x')}"])

o, p = medians("verify")
rows.append(["verify, common path: time; socket writes (round trips); commands the server ran, its script included",
             f"{ms(o, 2)}; {m['verify.writes']} write(s); {m['verify.commands']}", "", f"{ms(p, 2)} (the seed's logic)",
             "target: 1 round trip to compare, then 1 to consume and clear the counter "
             "(after a first PING: this server has no password)"])

for count, name in ((small, "bulk-small"), (mid, "bulk-mid")):
    times = medians(name)
    o, c = times[0], times[1]
    rows.append([f"bulk: `attempts clear -` with {count:,} ids, keys present / `redis-cli --pipe` with the same DELs"
                 + (" / redis-py pipeline" if len(times) > 2 else "") + f" (median of {10 if count == small else 3})",
                 ms(o), ms(c), ms(times[2]) if len(times) > 2 else "",
                 f"{c / o:.2f}x the rate {target(c / o >= 1.0, '>= 1.0x')}"])

o, c, lim = medians("scan")
rows.append([f"scan: `keys scan --kind attempts` / `redis-cli --scan --pattern 'otp:attempts:*'` / minimal C client "
             f"(bench/scan_limit.c, COUNT 1000), {every:,} keys that all match, all listed (median of 3)",
             ms(o), ms(c), ms(lim), f"{c / o:.2f}x redis-cli's rate {target(c / o >= 1.5, '>= 1.5x')}"])
wall, server, calls = n(f"scan-{every}.wall"), n(f"scan-{every}.scan_usec"), int(n(f"scan-{every}.scan_calls"))
rows.append([f"scan, one run of the same: closeup's wall time / the server's own SCAN time during it "
             f"(`INFO commandstats`, {calls:,} calls)",
             f"{usec_ms(wall)} / {usec_ms(server)}", "", "",
             f"{wall / server:.2f}x the server's time {target(wall / server <= 1.3, '<= 1.3x')}"])
o, s, ttl, one = medians("stats")
rows.append([f"stats over the same {every:,} keys (median of 3) / `keys scan` (every namespace: a SCAN pass per "
             "namespace) / `keys scan --kind attempts --ttl` (one pass, a TTL per key, as stats) / `keys scan --kind "
             "attempts` (one pass, no TTLs); peak RSS of one stats run",
             f"{ms(o)} / {ms(s)} / {ms(ttl)} / {ms(one)}; RSS {mb(n(f'stats-{every}.rss'))}", "", "",
             f"{o / s:.2f}x `keys scan` {target(o / s <= 1.3, '<= 1.3x')}, {o / ttl:.2f}x with TTLs, "
             f"{o / one:.2f}x the TTL-less single pass"])
writes, most = int(m["scan.writes"]), every // 100
rows.append(["scan: `write` calls during one run of the same (`strace -f -c`, stdout to /dev/null)",
             f"{writes:,}", "", "",
             f"1 per {every / max(writes, 1):,.0f} keys {target(writes <= most, f'<= keys/100 = {most:,}')}"])

for what, prefix, unit in (("scan", "scan", "keys"), ("bulk clear (ids with no key)", "clear-rss", "ids")):
    rss = [n(f"{prefix}-{k}.rss") for k in (small, mid, big)]
    growth = rss[2] - rss[0]
    ok = max(rss) <= 20 * 1024 and abs(growth) <= 2 * 1024
    rows.append([f"peak RSS, {what}: {small:,} / {mid:,} / {big:,} {unit} (`/usr/bin/time -f %M`)",
                 " / ".join(mb(r) for r in rss), "", "",
                 f"{growth / 1024:+.1f} MB from {small:,} to {big:,} {target(ok, '<= 20 MB, within 2 MB')}"])

# The server's own time: what no client can beat.
limit_wall, limit_server = n("limit.wall"), n("limit.scan_usec")
sizes = (small, mid)
def calls_of(k): return f"{int(n(f'clear-{k}.del_calls')):,} call" + ("" if n(f"clear-{k}.del_calls") == 1 else "s")
unlinks = " / ".join(f"{usec_ms(n(f'clear-{k}.del_usec'))} in {calls_of(k)}" for k in sizes)
pipe_dels = " / ".join(usec_ms(n(f"pipe-{k}.del_usec")) for k in sizes)
clear_ratios = " / ".join(f"{n(f'clear-{k}.wall') / n(f'clear-{k}.del_usec'):.2f}x" for k in sizes)
rows.append([f"server limit: the server's own time (`INFO commandstats` usec) in SCAN during closeup's scan of "
             f"{every:,}, in UNLINK during its clears of {small:,} / {mid:,} (in DEL during redis-cli --pipe's); "
             "the minimal C client's SCAN COUNT 1000 MATCH, one run",
             f"SCAN {usec_ms(server)}; UNLINK {unlinks}", f"DEL {pipe_dels}",
             f"{usec_ms(limit_wall)} (server SCAN {usec_ms(limit_server)})",
             f"scan: closeup {wall / server:.2f}x, the C client {limit_wall / limit_server:.2f}x the server's "
             f"SCAN time; clears: closeup {clear_ratios} the server's UNLINK time"])

print("| workload | closeup | redis-cli | redis-py / minimal C client | ratio |")
print("|---|---:|---:|---:|---:|")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
print(f"Measured by `make bench` in {int(m['seconds']) / 60:.1f} minutes on {m['cores']} cores ({m['arch']}), "
      f"load average {m['load']} at the start, redis-server {m['server']}, redis-cli {m['cli']}, "
      f"redis-py {__import__('redis').__version__}; peak RSS and server times from single runs.")
print(f"COUNT: closeup and the C client send `SCAN cursor COUNT 1000 MATCH 'otp:attempts:*'` ({calls:,} calls for "
      f"{every:,} keys); redis-cli {m['cli']} `--scan` sends no COUNT, so the server's default of 10 applies "
      f"({int(n('cli.scan_calls')):,} calls), and it has no option to change it: its rate is partly COUNT's doing, "
      "and the server's SCAN time and the C client are the honest limit.")
PY
