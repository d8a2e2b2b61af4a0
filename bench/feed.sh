#!/usr/bin/env bash
# BackupFeed against nginx on the same machine (issue 2, point 9).
#
#   bench/feed.sh            build release, then measure and print the table
#   SKIP_BUILD=1 bench/feed.sh   reuse .build/release/backupfeed as it is
#   SIZE_MIB=256 bench/feed.sh   a smaller file for a quick try (the targets are about 1 GiB)
#
# One run: push the same file of random bytes to nginx (WebDAV PUT) and to BackupFeed (Octopus multipart
# push and raw PUT), download it back from both, hammer `latest` and a static file with wrk, and record
# the server's peak RSS through the uploads. Everything lives in one temp dir, listens on 127.0.0.1 only
# and is removed on exit. The system nginx service is never touched: we start our own master process
# with its own prefix, config, pid file and logs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
WRK_SECONDS=${WRK_SECONDS:-10}
# Any key of 16+ characters; the server installs it with admin scope.
KEY="API-BENCH$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

for tool in nginx curl wrk sha256sum awk ss; do
    command -v "$tool" >/dev/null || { echo "feed.sh: $tool is missing (apt-get install nginx-extras wrk curl)" >&2; exit 1; }
done

# --- build ------------------------------------------------------------------------------------------
if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building release…" >&2
    (cd "$ROOT" && swift build -c release --product backupfeed >&2)
fi
BIN="$ROOT/.build/release/backupfeed"
[[ -x "$BIN" ]] || { echo "feed.sh: $BIN not built" >&2; exit 1; }

# --- temp dir and cleanup ---------------------------------------------------------------------------
# Under /tmp on purpose: nginx's client_body_temp_path and its docroot, and BackupFeed's DATA/tmp and
# blobs, are then all on one filesystem, so both servers finish an upload with a rename, not a copy.
WORK=$(mktemp -d /tmp/backupfeed-bench.XXXXXX)
NGINX_STARTED=""
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    set +e
    [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null
    if [[ -n "$SERVER_PID" ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        # Give it a few seconds to stop cleanly, then insist: a bench must never leave a server behind.
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [[ -n "$NGINX_STARTED" && -s "$WORK/nginx/nginx.pid" ]]; then
        local pid; pid=$(cat "$WORK/nginx/nginx.pid")
        kill -TERM "$pid" 2>/dev/null   # fast shutdown of our master; it takes its workers with it
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Waits (at most 20 s) until a URL answers with any HTTP status (nginx's bare / is a 403, and that is fine).
wait_for() {
    for _ in $(seq 200); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" || true) != 000 ]] && return 0
        sleep 0.1
    done
    echo "feed.sh: $1 did not come up" >&2; return 1
}

# --- the file ---------------------------------------------------------------------------------------
# Random bytes do not compress, so nothing along the way can take a shortcut.
FILE="$WORK/payload.bin"
echo "generating ${SIZE_MIB} MiB of random bytes…" >&2
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$FILE"
BYTES=$(stat -c %s "$FILE")
SHA=$(sha256sum "$FILE" | cut -d' ' -f1)

# --- nginx ------------------------------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/root" "$WORK/nginx/body" "$WORK/nginx/logs" "$WORK/nginx/tmp"
# nginx run as root hands requests to workers running as `nobody`, who could not write to our temp dir;
# the user directive keeps them as whoever runs the bench (it is ignored, with no harm, when not root).
USER_LINE=""
[[ $(id -u) -eq 0 ]] && USER_LINE="user $(id -un) $(id -gn);"
cat > "$WORK/nginx/nginx.conf" <<EOF
$USER_LINE
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    # Every temp path inside our prefix, so nothing touches /var/lib/nginx.
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/nginx/root;
        location / {
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
            # Same filesystem as the docroot: the finished upload is renamed into place, as BackupFeed does.
            client_body_temp_path $WORK/nginx/body;
        }
    }
}
EOF
# -e: the startup error log too goes to our prefix, not /var/log/nginx.
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log"
NGINX_STARTED=1
NGINX="http://127.0.0.1:$NGINX_PORT"

# --- BackupFeed -------------------------------------------------------------------------------------
FEED_PORT=$(free_port)
mkdir -p "$WORK/feed" "$WORK/sandbox"
(cd "$ROOT" && BACKUPFEED_ADMIN_KEY="$KEY" BACKUPFEED_SANDBOX_DIR="$WORK/sandbox" \
    exec "$BIN" serve --host 127.0.0.1 --port "$FEED_PORT" --data-dir "$WORK/feed" --log-level warning \
    > "$WORK/server.log" 2>&1) &
SERVER_PID=$!
FEED="http://127.0.0.1:$FEED_PORT"
wait_for "$NGINX/"
wait_for "$FEED/health"

# Verification runs in the background after each push; on this bench's random bytes it would only
# compete for the two cores with the transfers we time. It is measured separately (docs, "Verification").
curl -fsS -o /dev/null -X PUT -H "X-Octopus-ApiKey: $KEY" -H 'Content-Type: application/json' \
    --data '{"enabled": false}' "$FEED/api/packages/Bench/policy"

# Versions are new in every run because the data dir is new in every run.
VERSION_MULTIPART="1.0.1"
VERSION_PUT="1.0.2"

# --- RSS sampling -----------------------------------------------------------------------------------
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
RSS_IDLE=$(status_kib "$SERVER_PID" VmRSS)
# VmRSS every 50 ms, keeping the maximum: shows what the process held at any moment, next to VmHWM.
( max=0
  while kill -0 "$SERVER_PID" 2>/dev/null; do
      rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
      if (( rss > max )); then max=$rss; echo "$max" > "$WORK/rss.max"; fi
      sleep 0.05
  done ) &
SAMPLER_PID=$!

# --- uploads ----------------------------------------------------------------------------------------
# Throughput = file size / curl's total time: the clock stops when the server answers, so BackupFeed's
# hashing, fsync and catalog commit are inside it, as is nginx's rename.
# CPU seconds (user + system) the server's processes used: shows what each side spends on the same bytes.
TICKS=$(getconf CLK_TCK)
cpu_seconds() {  # cpu_seconds PID...
    local total=0 pid
    for pid in "$@"; do total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") )); done
    awk -v t="$total" -v hz="$TICKS" 'BEGIN { printf "%.2f", t / hz }'
}
NGINX_PIDS=("$(cat "$WORK/nginx/nginx.pid")" $(pgrep -P "$(cat "$WORK/nginx/nginx.pid")"))
cpu_delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mibps() { awk -v b="$BYTES" -v t="$1" 'BEGIN { printf "%.0f", b / 1048576 / t }'; }

expect_status() {  # expect_status WANTED GOT WHAT
    [[ "$2" == "$1" ]] || { echo "feed.sh: $3 answered $2, expected $1" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
}

echo "uploading…" >&2
c0=$(cpu_seconds "${NGINX_PIDS[@]}")
read -r code t < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -T "$FILE" "$NGINX/f.zip")
expect_status 201 "$code" "nginx PUT"
UP_NGINX=$(mibps "$t")
CPU_UP_NGINX=$(cpu_delta "$c0" "$(cpu_seconds "${NGINX_PIDS[@]}")")

c0=$(cpu_seconds "$SERVER_PID")
read -r code t < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H "X-Octopus-ApiKey: $KEY" \
    -F "file=@$FILE;filename=Bench.$VERSION_MULTIPART.zip" "$FEED/api/packages/raw")
expect_status 201 "$code" "BackupFeed multipart push"
UP_MULTIPART=$(mibps "$t")
CPU_UP_MULTIPART=$(cpu_delta "$c0" "$(cpu_seconds "$SERVER_PID")")

c0=$(cpu_seconds "$SERVER_PID")
read -r code t < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H "X-Octopus-ApiKey: $KEY" \
    -T "$FILE" "$FEED/api/packages/Bench/$VERSION_PUT")
expect_status 201 "$code" "BackupFeed raw PUT"
UP_PUT=$(mibps "$t")
CPU_UP_PUT=$(cpu_delta "$c0" "$(cpu_seconds "$SERVER_PID")")

# The peak through both 1 GiB uploads, before downloads can add anything.
sleep 0.2
RSS_HWM=$(status_kib "$SERVER_PID" VmHWM)
RSS_SAMPLED=$(cat "$WORK/rss.max" 2>/dev/null || echo 0)
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""

# --- downloads --------------------------------------------------------------------------------------
echo "downloading…" >&2
# The bytes, once from each: what we pushed is what comes back.
got=$(curl -fsS "$NGINX/f.zip" | sha256sum | cut -d' ' -f1)
[[ "$got" == "$SHA" ]] || { echo "feed.sh: nginx returned other bytes" >&2; exit 1; }
got=$(curl -fsS -H "X-Octopus-ApiKey: $KEY" "$FEED/api/packages/Bench/$VERSION_PUT/download" | sha256sum | cut -d' ' -f1)
[[ "$got" == "$SHA" ]] || { echo "feed.sh: BackupFeed returned other bytes" >&2; exit 1; }

# Timed to /dev/null, so that only the servers and the loopback are measured. Both files were just
# written and read, so both come from the page cache: a like-for-like comparison of serving, not of disk.
read -r code t < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' "$NGINX/f.zip")
expect_status 200 "$code" "nginx GET"
DOWN_NGINX=$(mibps "$t")
read -r code t < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H "X-Octopus-ApiKey: $KEY" \
    "$FEED/api/packages/Bench/$VERSION_PUT/download")
expect_status 200 "$code" "BackupFeed download"
DOWN_FEED=$(mibps "$t")

# --- latest -----------------------------------------------------------------------------------------
echo "latest lookups with wrk (${WRK_SECONDS}s each)…" >&2
# nginx serves the very bytes `latest` answers, as a static file: same size on the wire.
curl -fsS "$FEED/api/packages/Bench/latest" > "$WORK/nginx/root/latest.json"
LATEST_BYTES=$(stat -c %s "$WORK/nginx/root/latest.json")
grep -q "\"$VERSION_PUT\"" "$WORK/nginx/root/latest.json" || { echo "feed.sh: latest is not $VERSION_PUT" >&2; exit 1; }

rps() {  # rps URL: requests/s over WRK_SECONDS, after a 2 s warm-up; fails on any non-2xx answer
    wrk -t2 -c32 -d2s "$1" > /dev/null
    local out; out=$(wrk -t2 -c32 -d"${WRK_SECONDS}s" "$1")
    if grep -q "Non-2xx" <<<"$out"; then echo "feed.sh: wrk saw errors on $1:" >&2; echo "$out" >&2; exit 1; fi
    awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out"
}
RPS_NGINX=$(rps "$NGINX/latest.json")
RPS_FEED=$(rps "$FEED/api/packages/Bench/latest")

# --- report -----------------------------------------------------------------------------------------
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "MISSED") }'; }
MIB=$(( BYTES / 1048576 ))
rss_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo
echo "BackupFeed vs nginx $(nginx -v 2>&1 | sed 's|.*/||') — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, file ${MIB} MiB"
printf '%-36s %12s %12s %7s  %s\n' "figure" "BackupFeed" "nginx" "ratio" "target"
line() {  # line NAME FEED NGINX TARGET_RATIO
    local r; r=$(ratio "$2" "$3")
    printf '%-36s %12s %12s %7s  >= %sx %s\n' "$1" "$2" "$3" "${r}x" "$4" "$(verdict "$r" "$4")"
}
line "upload, Octopus multipart (MiB/s)" "$UP_MULTIPART" "$UP_NGINX" 0.8
line "upload, raw PUT (MiB/s)" "$UP_PUT" "$UP_NGINX" 0.8
line "download (MiB/s)" "$DOWN_FEED" "$DOWN_NGINX" 0.8
line "latest, wrk -c32 (req/s)" "$RPS_FEED" "$RPS_NGINX" 0.3
printf '%-36s %12s %12s %7s  < 100 MiB %s\n' "server peak RSS, VmHWM (MiB)" "$(rss_mib "$RSS_HWM")" "-" "" \
    "$(awk -v k="$RSS_HWM" 'BEGIN { print (k < 102400 ? "met" : "MISSED") }')"
echo "  (server CPU seconds for the upload: multipart $CPU_UP_MULTIPART, raw PUT $CPU_UP_PUT, nginx $CPU_UP_NGINX)"
echo "  (RSS idle before uploads $(rss_mib "$RSS_IDLE") MiB; VmRSS max sampled every 50 ms $(rss_mib "$RSS_SAMPLED") MiB; latest body ${LATEST_BYTES} bytes)"
