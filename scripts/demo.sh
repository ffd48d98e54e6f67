#!/usr/bin/env bash
# `make demo`: the main job — issue a code, look at it, verify it — first on the
# embedded default (SQLite only, no Redis), then against a throwaway
# redis-server that this script starts and stops. Everything happens in a
# temporary HOME, so nothing of the user's is touched.
set -euo pipefail
closeup=$(realpath "$1")
work=$(mktemp -d)
trap 'kill "$(cat "$work/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" CLOSEUP_OTP_SECRET="demo-secret-shared-with-the-backend"
unset REDIS_URL REDIS_HOST REDIS_PORT REDIS_PASSWORD REDIS_DB CLOSEUP_SMS_COMMAND
mkdir -p "$HOME" && cd "$HOME"

# A Redis already on 127.0.0.1:6379 would be used, as it should; a private network hides it for part 1.
isolate=()
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && unshare --net true 2>/dev/null; then isolate=(unshare --net); fi

show() { printf '\n$ closeup %s\n' "$*" >&2; }
# The main job for one user: send (the code is printed: --via stdout), ttl, inspect,
# a wrong code, the right code, and the same code again (refused: used once).
main_job() {
  local user=$1; shift
  show "$@" otp send "$user" --mobile '+91 98765 43210'
  local out
  out=$("${run[@]}" "$@" --color never otp send "$user" --mobile '+91 98765 43210')
  echo "$out"
  local code=${out#*: }; code=${code%%$'\n'*}
  local wrong=000000; [ "$code" = 000000 ] && wrong=111111
  for command in "otp ttl $user" "inspect $user" "otp verify $user $wrong" "otp verify $user $code" "otp verify $user $code"; do
    show "$@" $command
    "${run[@]}" "$@" $command || printf '(exit %d)\n' "$?"
  done
}

echo "== 1. The embedded default: no Redis anywhere, SQLite alone"
run=("${isolate[@]}" "$closeup")
show doctor; "${run[@]}" doctor
main_job demo-user

echo
echo "== 2. A throwaway redis-server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
run=("$closeup")
show --port "$port" doctor; "${run[@]}" --port "$port" doctor
main_job redis-user --port "$port"
printf '\n$ redis-cli GET otp:redis-user2   # what the backend sees after a send\n'
"${run[@]}" --port "$port" --color never otp send redis-user2 --mobile 9876543210 >/dev/null
redis-cli -p "$port" GET otp:redis-user2

echo
echo "== 3. Redis goes away: closeup says so, and SQLite still knows the code issued above"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
show --port "$port" otp ttl redis-user2
"${run[@]}" --port "$port" otp ttl redis-user2 || printf '(exit %d)\n' "$?"
