#!/usr/bin/env bash
# primary.sh — a real libSQL/Turso primary for tests: the Turso sync server
# (`tursodb DB --sync-server`, pinned by package-lock.json in this directory),
# on a free loopback port, plain HTTP, no authentication.
#
#   primary.sh start DIR      start DIR/primary.db; prints "PORT PID" and
#                             writes DIR/primary.port, DIR/primary.pid
#   primary.sh stop DIR       stop the server started in DIR
#   primary.sh sql DIR 'SQL'  run one statement via POST /v2/pipeline (Hrana
#                             JSON); prints the JSON answer, fails on an error
#   primary.sh url DIR        prints http://127.0.0.1:PORT
#
# Nothing is downloaded here: a missing node_modules is an error naming the
# command that installs it.
set -euo pipefail
# Under LSQ_SANITIZE, run.sh preloads ASan/UBSan into every child; tursodb,
# curl and python are not ours and curl hangs with that preload, so drop it.
unset LD_PRELOAD

here=$(cd "$(dirname "$0")" && pwd)
tursodb="$here/node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb"

die() { echo "primary.sh: $*" >&2; exit 1; }

need_tursodb() {
  [ -x "$tursodb" ] ||
    die "tursodb not found at $tursodb; install the pinned test tools with: scripts/deps.sh (npm install --no-save in $here)"
}

# A port the kernel just handed out and released is free for the moment.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# POST a Hrana pipeline with one execute request; prints the response body.
pipeline() {
  local port=$1 sql=$2 body
  body=$(SQL="$sql" /usr/bin/python3 -c 'import json,os; print(json.dumps({"baton":None,"requests":[{"type":"execute","stmt":{"sql":os.environ["SQL"]}}]}))')
  curl -sS --max-time 30 -H 'Content-Type: application/json' --data-binary "$body" \
       "http://127.0.0.1:$port/v2/pipeline"
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: primary.sh start|stop|sql|url DIR ['SQL']"

case "$cmd" in
start)
  need_tursodb
  mkdir -p "$dir"
  if [ -f "$dir/primary.pid" ] && kill -0 "$(cat "$dir/primary.pid")" 2>/dev/null; then
    die "a primary is already running for $dir (pid $(cat "$dir/primary.pid"))"
  fi
  for attempt in 1 2 3; do
    port=$(free_port)
    # tursodb opens an interactive shell unless stdin is closed off.
    "$tursodb" -q "$dir/primary.db" --sync-server "127.0.0.1:$port" \
        </dev/null >"$dir/primary.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if out=$(pipeline "$port" 'SELECT 1' 2>/dev/null) && [[ "$out" == *'"type":"ok"'* ]]; then
        echo "$port" > "$dir/primary.port"
        echo "$pid" > "$dir/primary.pid"
        echo "$port $pid"
        exit 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "primary.sh: attempt $attempt on port $port failed:" >&2
    tail -n 5 "$dir/primary.log" >&2 || true
  done
  die "could not start tursodb for $dir/primary.db"
  ;;
stop)
  [ -f "$dir/primary.pid" ] || exit 0
  pid=$(cat "$dir/primary.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/primary.pid" "$dir/primary.port"
  ;;
sql)
  sql=${3:?usage: primary.sh sql DIR 'SQL'}
  [ -f "$dir/primary.port" ] || die "no primary running for $dir"
  out=$(pipeline "$(cat "$dir/primary.port")" "$sql")
  echo "$out"
  [[ "$out" == *'"type":"ok"'* ]] || die "statement failed: $sql"
  ;;
url)
  [ -f "$dir/primary.port" ] || die "no primary running for $dir"
  echo "http://127.0.0.1:$(cat "$dir/primary.port")"
  ;;
*)
  die "unknown command '$cmd' (start|stop|sql|url)"
  ;;
esac
