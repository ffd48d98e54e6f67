#!/usr/bin/env bash
# `make demo`: closeup on the embedded default (SQLite only, no Redis), then
# against a throwaway redis-server that this script starts and stops.
# Everything happens in a temporary HOME, so nothing of the user's is touched.
set -euo pipefail
closeup=$(realpath "$1")
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work/home" XDG_DATA_HOME="$work/home/data"
unset REDIS_URL REDIS_HOST REDIS_PORT REDIS_PASSWORD REDIS_DB
mkdir -p "$HOME" && cd "$HOME"

run() { printf '\n$ closeup %s\n' "$*"; "$closeup" "$@" || printf '(exit %d)\n' "$?"; }
# A Redis already on 127.0.0.1:6379 would be used, as it should; a private network hides it here.
isolate=()
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && unshare --net true 2>/dev/null; then isolate=(unshare --net); fi
embedded() { printf '\n$ closeup %s\n' "$*"; "${isolate[@]}" "$closeup" "$@" || printf '(exit %d)\n' "$?"; }

echo "== 1. The embedded default: no Redis anywhere, SQLite alone"
embedded doctor

echo
echo "== 2. A throwaway redis-server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
run --port "$port" doctor
run --port "$port" --json doctor

echo
echo "== 3. Redis goes away: closeup says so and falls back to SQLite"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
run --port "$port" doctor
