#!/usr/bin/env bash
# proxy.sh — a TLS + bearer-token front (Debian's nginx) for a test primary,
# so tests can exercise https://, TlsCaFile, TlsInsecure and AuthToken
# against the real tursodb sync server, which itself speaks plain HTTP and
# checks no token.
#
#   proxy.sh start DIR UPSTREAM_URL TOKEN
#       makes a test CA and certificates in DIR (ca.pem; server.pem/.key for
#       CN/SAN 127.0.0.1 and localhost, signed by the CA; untrusted.pem/.key,
#       self-signed), starts nginx in the foreground as a child of this script
#       (own prefix, config, pid file and logs in DIR; nothing outside DIR),
#       and prints the https URL. Requests must carry
#       "Authorization: Bearer TOKEN" or get 401; TOKEN "-" turns the check
#       off. Writes DIR/proxy.url (trusted cert), DIR/proxy_untrusted.url
#       (same proxy, self-signed cert: verification must fail), DIR/proxy.pid.
#   proxy.sh stop DIR
#   proxy.sh url DIR          prints the trusted https URL
set -euo pipefail
# run.sh preloads ASan/UBSan under LSQ_SANITIZE; nginx, openssl and curl are
# not built with it and must not inherit the preload.
unset LD_PRELOAD

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "proxy.sh: $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# A test CA, a server certificate it signs, and an unrelated self-signed one.
make_certs() {
  local dir=$1 ext="$1/server.ext"
  [ -f "$dir/server.pem" ] && [ -f "$dir/untrusted.pem" ] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=libsql-odbc test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" > "$ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
      -CAcreateserial -days 30 -extfile "$ext" -out "$dir/server.pem" 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$dir/untrusted.key" -out "$dir/untrusted.pem" 2>/dev/null
  rm -f "$dir/server.csr" "$ext"
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: proxy.sh start DIR UPSTREAM_URL TOKEN | stop DIR | url DIR"

case "$cmd" in
start)
  upstream=${3:?usage: proxy.sh start DIR UPSTREAM_URL TOKEN}
  token=${4:?usage: proxy.sh start DIR UPSTREAM_URL TOKEN (TOKEN - = no check)}
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx not installed (apt-get install nginx-light)"
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  [[ "$upstream" =~ ^https?://[^/[:space:]\"]+/?$ ]] || die "UPSTREAM_URL must be http(s)://host:port, got '$upstream'"
  upstream=${upstream%/}
  # The token is pasted into nginx.conf: allow only characters that cannot
  # break out of a quoted string there (JWTs and test tokens fit).
  [[ "$token" =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "TOKEN has characters this test proxy does not accept"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/proxy.pid" ] && kill -0 "$(cat "$dir/proxy.pid")" 2>/dev/null; then
    die "a proxy is already running for $dir (pid $(cat "$dir/proxy.pid"))"
  fi
  mkdir -p "$dir/tmp"
  make_certs "$dir"
  if [ "$token" = "-" ]; then
    auth_check="            # no token check (TOKEN was -)"
  else
    auth_check="            if (\$http_authorization != \"Bearer $token\") { return 401 \"missing or wrong bearer token\\n\"; }"
  fi
  # nginx drops root privileges to 'nobody' unless told otherwise; keep the
  # workers as the caller so they can read the keys in DIR.
  user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;"
  for attempt in 1 2 3; do
    port=$(free_port); uport=$(free_port)
    [ "$port" != "$uport" ] || continue
    # Plain string replacement (no sed): paths may hold any character.
    DIR="$dir" PORT="$port" UPORT="$uport" UPSTREAM="$upstream" USER_LINE="$user_line" \
    AUTH="$auth_check" /usr/bin/python3 -c '
import os, sys
text = open(sys.argv[1]).read()
for key, env in (("@DIR@", "DIR"), ("@PORT@", "PORT"), ("@UNTRUSTED_PORT@", "UPORT"),
                 ("@UPSTREAM@", "UPSTREAM"), ("@USER_LINE@", "USER_LINE"),
                 ("@AUTH_CHECK@", "AUTH")):
    text = text.replace(key, os.environ[env])
sys.stdout.write(text)' "$here/nginx.conf.in" > "$dir/nginx.conf"
    # -e: the error log before the config is read; -p: the prefix; both
    # keep nginx away from /var/log/nginx and /etc/nginx.
    "$nginx_bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;' \
        </dev/null >"$dir/nginx.out" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      if code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$dir/ca.pem" \
                     "https://127.0.0.1:$port/") && [ "$code" != 000 ]; then
        echo "https://127.0.0.1:$port" > "$dir/proxy.url"
        echo "https://127.0.0.1:$uport" > "$dir/proxy_untrusted.url"
        echo "$pid" > "$dir/proxy.pid"
        echo "https://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "proxy.sh: attempt $attempt on ports $port/$uport failed:" >&2
    tail -n 5 "$dir/error.log" "$dir/nginx.out" >&2 2>/dev/null || true
  done
  die "could not start nginx for $dir"
  ;;
stop)
  [ -f "$dir/proxy.pid" ] || exit 0
  pid=$(cat "$dir/proxy.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/proxy.pid"
  ;;
url)
  [ -f "$dir/proxy.url" ] || die "no proxy started in $dir"
  cat "$dir/proxy.url"
  ;;
*)
  die "unknown command '$cmd' (start|stop|url)"
  ;;
esac
