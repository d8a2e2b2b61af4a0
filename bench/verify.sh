#!/usr/bin/env bash
# Verification speed (issue 3, point 11).
#
#   bench/verify.sh                   build release, then measure and print both tables
#   SKIP_BUILD=1 bench/verify.sh      reuse .build/release/backupfeed as it is
#   RUNS=5 BIG_MB=200 BIG_RUNS=3      petclinic pushes per engine, size of the generated dumps, big restores per side
#   ONLY=feed | ONLY=restore | ONLY=compressed   run one part only
#
# Part 1, push-to-verdict: a `backupfeed serve` of our own; one untimed push per server engine (the first
# MariaDB/PostgreSQL run builds a template data directory), then RUNS pushes of each petclinic dump, timed
# from the start of the upload to the first poll (every 20 ms) that sees passed/failed/error.
#
# Part 2, a ~BIG_MB MB generated dump per server engine, restored (a) bare: a throwaway server started the
# way DESIGN.md §5 says, then `mariadb db < dump.sql` / `psql -f dump.sql`, and (b) through
# `backupfeed verify dump.zip --json`, whose `restore` timing is compared with (a).
#
# Part 3, the same generated dumps compressed as backup scripts do (`mysqldump | gzip`, `pg_dump | zstd`),
# restored (a) bare: `zcat dump.sql.gz | mariadb db` / `zstd -dc dump.sql.zst | psql`, and (b) through
# `backupfeed verify dump.sql.gz` (the bare compressed file, peeled by content), in the same run.
#
# Everything lives in one temp dir removed on exit; servers listen on 127.0.0.1 (BackupFeed) or unix
# sockets only (databases). The system mariadb/postgresql services are never started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
BIG_MB=${BIG_MB:-200}
BIG_RUNS=${BIG_RUNS:-3}
ONLY=${ONLY:-}
FIXTURES=${FIXTURES:-$ROOT/../shared/fixtures/petclinic/dumps}
KEY="API-BENCH$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Every server or client this script starts gets at most this long, so a hang cannot pin the machine.
LIMIT=${LIMIT:-900}

for tool in curl jq zip awk ss timeout mariadbd mariadb mariadb-install-db gzip zstd; do
    command -v "$tool" >/dev/null || { echo "verify.sh: $tool is missing" >&2; exit 1; }
done
# PostgreSQL's programs live in a versioned directory on Debian; take the highest, as the product does.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$PGBIN/postgres" ]] || { echo "verify.sh: PostgreSQL is missing (apt-get install postgresql)" >&2; exit 1; }

# --- build ------------------------------------------------------------------------------------------
if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building release…" >&2
    (cd "$ROOT" && swift build -c release --product backupfeed >&2)
fi
BIN="$ROOT/.build/release/backupfeed"
[[ -x "$BIN" ]] || { echo "verify.sh: $BIN not built" >&2; exit 1; }

# --- unprivileged user ------------------------------------------------------------------------------
# The product runs database servers and clients as `nobody` when it is root; the bare restores must too,
# or they would be measured under different conditions (and postgres refuses root anyway).
AS=()
if [[ $(id -u) == 0 ]]; then
    SANDBOX_USER=${BACKUPFEED_SANDBOX_USER:-nobody}
    AS=(setpriv --reuid="$SANDBOX_USER" --regid="$(id -g "$SANDBOX_USER")" --clear-groups)
fi

# --- temp dir and cleanup ---------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/bf-verify-bench.XXXXXX)
# The sandbox user must be able to reach the sandboxes and read the dumps below it.
chmod 755 "$WORK"
SERVER_PID=""
# Bare servers are started inside command substitutions (subshells), so their pids go through a file.
BARE_PIDS="$WORK/bare.pids"
cleanup() {
    set +e
    if [[ -n "$SERVER_PID" ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        # BackupFeed stops its own sandboxes on TERM; give it a moment, then insist.
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    local pid
    [[ -f $BARE_PIDS ]] && while read -r pid; do kill -KILL "$pid" 2>/dev/null; done < "$BARE_PIDS"
    # A `backupfeed verify` killed by its timeout cannot stop its sandbox server: find what still runs
    # from our temp dir, by pid, and stop it.
    for pid in $(grep -lsa -- "$WORK" /proc/[0-9]*/cmdline | cut -d/ -f3); do
        [[ $pid != "$$" && $pid != "$BASHPID" ]] && kill -KILL "$pid" 2>/dev/null
    done
    # Let the killed servers go before their directories are removed.
    sleep 0.2
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# Median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Zips FILE as entry dump.sql into ZIP (the usual shape of a pushed backup).
zip_as_dump() {  # zip_as_dump FILE ZIP
    local dir; dir=$(mktemp -d "$WORK/zip.XXXXXX")
    ln -s "$(realpath "$1")" "$dir/dump.sql"
    (cd "$dir" && zip -q "$2" dump.sql)   # zip follows the link and stores the content
    rm -rf "$dir"
}

# ====================================================================================================
# Part 1: petclinic push-to-verdict through the server
# ====================================================================================================
if [[ $ONLY != restore ]]; then
echo "part 1: petclinic push-to-verdict…" >&2
mkdir -p "$WORK/data" "$WORK/sandbox"
chmod 755 "$WORK/sandbox"
PORT=$(free_port)
BACKUPFEED_ADMIN_KEY="$KEY" "$BIN" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" \
    --sandbox-dir "$WORK/sandbox" --log-level warning > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
FEED="http://127.0.0.1:$PORT"
for _ in $(seq 200); do
    curl -fsS -o /dev/null --max-time 1 "$FEED/health" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "verify.sh: server died:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done

declare -A ZIPS=([mariadb]=petclinic.mariadb.sql [postgres]=petclinic.pg.sql [sqlite]=petclinic.sqlite.sql)
for engine in "${!ZIPS[@]}"; do zip_as_dump "$FIXTURES/${ZIPS[$engine]}" "$WORK/pet-$engine.zip"; done

# Pushes one version and waits for its verdict; prints "SECONDS STATUS SERVER_SECONDS".
push_and_wait() {  # push_and_wait ENGINE VERSION
    local id="Pet-$1" version=$2 start code status="" body deadline
    start=$(now)
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Octopus-ApiKey: $KEY" \
        -F "file=@$WORK/pet-$1.zip;filename=$id.$version.zip" "$FEED/api/packages/raw")
    [[ $code == 201 ]] || { echo "verify.sh: push of $id $version answered $code" >&2; tail -5 "$WORK/server.log" >&2; return 1; }
    deadline=$(( SECONDS + 120 ))
    while (( SECONDS < deadline )); do
        status=$(curl -fsS "$FEED/api/packages/$id/$version" | jq -r '.verification.status // empty')
        case $status in passed|failed|error) break ;; esac
        sleep 0.02
    done
    local took; took=$(elapsed "$start" "$(now)")
    # The server's own total for the run (excludes upload, queueing and polling).
    body=$(curl -fsS "$FEED/api/packages/$id/$version/verifications")
    echo "$took $status $(jq -r '.[0].timings.total' <<< "$body")"
}

declare -A P2V SRV VERDICTS
for engine in mariadb postgres sqlite; do
    # Untimed: builds the template on the server engines, warms caches on all.
    read -r _ status _ < <(push_and_wait "$engine" 1.0.0)
    [[ $status == passed ]] || { echo "verify.sh: warm-up on $engine: $status" >&2; exit 1; }
    times=(); servers=(); verdicts=""
    for n in $(seq "$RUNS"); do
        read -r t status server < <(push_and_wait "$engine" "1.0.$n")
        times+=("$t"); servers+=("$server"); verdicts+="$status "
    done
    P2V[$engine]=$(median "${times[@]}")
    SRV[$engine]=$(median "${servers[@]}")
    VERDICTS[$engine]=$verdicts
    echo "  $engine: ${times[*]} (server totals ${servers[*]}; ${verdicts% })" >&2
done
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
fi

# ====================================================================================================
# Part 2: a big generated dump, bare restore vs BackupFeed's
# ====================================================================================================
if [[ $ONLY != feed ]]; then
declare -A BARE FEED_RESTORE FEED_WALL FEED_VERDICT RATIOS
ROWS=$(( BIG_MB * 1000000 / 100 ))   # the generators below write about 100 bytes per row
echo "part 2: generating ~$BIG_MB MB dumps ($ROWS rows each)…" >&2
mkdir -p "$WORK/big"
chmod 755 "$WORK/big"

# A mysqldump-shaped dump: header, CREATE TABLE with its primary key, extended INSERTs of 2000 rows
# (mysqldump's default net_buffer_length gives lines of this order), footer. awk keeps it fast.
awk -v rows="$ROWS" 'BEGIN {
    srand(42)
    print "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)"
    print "--"
    print "-- Host: localhost    Database: bench"
    print "-- ------------------------------------------------------"
    print "/*!40101 SET NAMES utf8mb4 */;"
    print "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;"
    print "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;"
    print "DROP TABLE IF EXISTS `visits`;"
    print "CREATE TABLE `visits` (\n  `id` int(11) NOT NULL,\n  `pet_id` int(11) NOT NULL,\n  `visit_date` datetime NOT NULL,\n  `amount` decimal(10,2) NOT NULL,\n  `description` varchar(255) NOT NULL,\n  PRIMARY KEY (`id`),\n  KEY `pet_id` (`pet_id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;"
    print "LOCK TABLES `visits` WRITE;"
    print "/*!40000 ALTER TABLE `visits` DISABLE KEYS */;"
    for (i = 1; i <= rows; i++) {
        row = sprintf("(%d,%d,\x272023-%02d-%02d %02d:%02d:00\x27,%d.%02d,\x27visit %d: routine check, vaccination and a short talk\x27)",
                      i, int(rand() * 100000), 1 + i % 12, 1 + i % 28, i % 24, i % 60, int(rand() * 900), i % 100, i)
        if (i % 2000 == 1) printf "INSERT INTO `visits` VALUES %s", row; else printf ",%s", row
        if (i % 2000 == 0 || i == rows) print ";"
    }
    print "/*!40000 ALTER TABLE `visits` ENABLE KEYS */;"
    print "UNLOCK TABLES;"
    print "/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;"
    print "/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;"
    print ""
    print "-- Dump completed on 2026-11-24 20:00:00"
}' > "$WORK/big/mariadb.sql"

# A pg_dump-shaped plain dump: settings, CREATE TABLE, OWNER TO, COPY data, the primary key and an index
# added after the data (as pg_dump orders them), footer.
awk -v rows="$ROWS" 'BEGIN {
    srand(42)
    print "--\n-- PostgreSQL database dump\n--\n"
    print "SET statement_timeout = 0;\nSET client_encoding = \x27UTF8\x27;\nSET standard_conforming_strings = on;"
    print "SELECT pg_catalog.set_config(\x27search_path\x27, \x27\x27, false);\nSET client_min_messages = warning;\n"
    print "CREATE TABLE public.visits (\n    id integer NOT NULL,\n    pet_id integer NOT NULL,\n    visit_date timestamp without time zone NOT NULL,\n    amount numeric(10,2) NOT NULL,\n    description character varying(255) NOT NULL\n);\n"
    print "ALTER TABLE public.visits OWNER TO postgres;\n"
    print "COPY public.visits (id, pet_id, visit_date, amount, description) FROM stdin;"
    for (i = 1; i <= rows; i++)
        printf "%d\t%d\t2023-%02d-%02d %02d:%02d:00\t%d.%02d\tvisit %d: routine check, vaccination and a short talk\n",
               i, int(rand() * 100000), 1 + i % 12, 1 + i % 28, i % 24, i % 60, int(rand() * 900), i % 100, i
    print "\\.\n"
    print "ALTER TABLE ONLY public.visits\n    ADD CONSTRAINT visits_pkey PRIMARY KEY (id);\n"
    print "CREATE INDEX visits_pet_id ON public.visits USING btree (pet_id);\n"
    print "--\n-- PostgreSQL database dump complete\n--"
}' > "$WORK/big/postgres.sql"
chmod 644 "$WORK/big"/*.sql
for engine in mariadb postgres; do zip_as_dump "$WORK/big/$engine.sql" "$WORK/big/$engine.zip"; done
MB_MARIADB=$(( $(stat -c %s "$WORK/big/mariadb.sql") / 1000000 ))
MB_POSTGRES=$(( $(stat -c %s "$WORK/big/postgres.sql") / 1000000 ))

# --- bare servers, as DESIGN.md §5 starts them --------------------------------------------------------
# A private directory owned by the sandbox user (the servers write there as that user).
bare_dir() {  # bare_dir NAME -> path
    local dir="$WORK/bare-$1"
    mkdir -p "$dir"
    [[ ${#AS[@]} -gt 0 ]] && chown "$SANDBOX_USER" "$dir"
    echo "$dir"
}
wait_socket() {  # wait_socket PATH PID
    for _ in $(seq 600); do
        [[ -S $1 ]] && return 0
        kill -0 "$2" 2>/dev/null || { echo "verify.sh: server $2 died before its socket appeared" >&2; return 1; }
        sleep 0.05
    done
    echo "verify.sh: $1 did not appear" >&2; return 1
}
stop_bare() {  # stop_bare PID: the data is thrown away, like the product's teardown
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Prints the seconds `mariadb bench < dump.sql` takes against a fresh server (setup untimed).
bare_mariadb() {
    local dir; dir=$(bare_dir "mariadb-$1")
    "${AS[@]}" mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve > "$dir/install.log" 2>&1
    "${AS[@]}" mkdir "$dir/files" "$dir/tmp"
    # setpriv execs, so $! is mariadbd itself and a kill reaches it.
    "${AS[@]}" mariadbd --no-defaults --datadir="$dir/data" --skip-networking \
        --socket="$dir/s.sock" --pid-file="$dir/m.pid" --tmpdir="$dir/tmp" --secure-file-priv="$dir/files" \
        --local-infile=0 --skip-log-bin --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
        > "$dir/server.log" 2>&1 &
    local pid=$!
    echo "$pid" >> "$BARE_PIDS"
    wait_socket "$dir/s.sock" "$pid"
    "${AS[@]}" mariadb --no-defaults --socket="$dir/s.sock" -u root -e 'CREATE DATABASE bench'
    local start; start=$(now)
    if [[ -n ${2:-} ]]; then
        # Part 3: the decompressor piped into the client, as a restore script would.
        $2 "$WORK/big/mariadb.sql.gz" | "${AS[@]}" timeout -s KILL "$LIMIT" mariadb --no-defaults --socket="$dir/s.sock" -u root bench
    else
        "${AS[@]}" timeout -s KILL "$LIMIT" mariadb --no-defaults --socket="$dir/s.sock" -u root bench < "$WORK/big/mariadb.sql"
    fi
    elapsed "$start" "$(now)"
    stop_bare "$pid"
    rm -rf "$dir"
}

# Prints the seconds `psql -f dump.sql` takes against a fresh cluster (setup untimed).
bare_postgres() {
    local dir; dir=$(bare_dir "postgres-$1")
    "${AS[@]}" "$PGBIN/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$dir/data" > "$dir/initdb.log" 2>&1
    "${AS[@]}" "$PGBIN/postgres" -D "$dir/data" -c listen_addresses= -k "$dir" \
        -c fsync=off -c full_page_writes=off > "$dir/server.log" 2>&1 &
    local pid=$!
    echo "$pid" >> "$BARE_PIDS"
    wait_socket "$dir/.s.PGSQL.5432" "$pid"
    # The socket appears a moment before connections are accepted.
    for _ in $(seq 100); do "${AS[@]}" "$PGBIN/pg_isready" -q -h "$dir" && break; sleep 0.05; done
    "${AS[@]}" "$PGBIN/createdb" -h "$dir" -U postgres bench
    local start; start=$(now)
    if [[ -n ${2:-} ]]; then
        $2 "$WORK/big/postgres.sql.zst" | "${AS[@]}" timeout -s KILL "$LIMIT" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
            -h "$dir" -U postgres -d bench > /dev/null
    else
        "${AS[@]}" timeout -s KILL "$LIMIT" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U postgres -d bench \
            -f "$WORK/big/postgres.sql" > /dev/null
    fi
    elapsed "$start" "$(now)"
    stop_bare "$pid"
    rm -rf "$dir"
}

# Prints "RESTORE_SECONDS TOTAL_WALL_SECONDS VERDICT" for `backupfeed verify` on the big zip (or FILE).
feed_verify() {  # feed_verify ENGINE [FILE]
    local start out wall
    start=$(now)
    out=$(timeout -s KILL "$LIMIT" "$BIN" verify "${2:-$WORK/big/$1.zip}" --engine "$1" --json --work-dir "$WORK/verify") || true
    wall=$(elapsed "$start" "$(now)")
    echo "$(jq -r '[.timings[] | select(.stage == "restore") | .seconds][0] // "nan"' <<< "$out") $wall $(jq -r .verdict <<< "$out")"
}

mkdir -p "$WORK/verify"
chmod 755 "$WORK/verify"
# Untimed: builds the CLI's own templates (its work dir is separate from the server's).
for engine in mariadb postgres; do
    short=$([[ $engine == postgres ]] && echo pg || echo mariadb)
    zip_as_dump "$FIXTURES/petclinic.$short.sql" "$WORK/warm-$engine.zip"
    "$BIN" verify "$WORK/warm-$engine.zip" --engine "$engine" --json --work-dir "$WORK/verify" > /dev/null \
        || { echo "verify.sh: warm-up verify on $engine failed" >&2; exit 1; }
done

for engine in mariadb postgres; do
    [[ $ONLY == compressed ]] && break
    bares=(); restores=(); walls=(); verdicts=""
    # Alternate the two sides so that neither always runs on a warmer page cache.
    for n in $(seq "$BIG_RUNS"); do
        echo "  $engine run $n: bare restore…" >&2
        bares+=("$("bare_$engine" "$n")")
        echo "  $engine run $n: backupfeed verify…" >&2
        read -r restore wall verdict < <(feed_verify "$engine")
        restores+=("$restore"); walls+=("$wall"); verdicts+="$verdict "
        RATIOS[$engine]+="$(ratio "$restore" "${bares[-1]}")x "
        echo "  $engine run $n: bare ${bares[-1]} s, backupfeed restore $restore s (wall $wall s, $verdict)" >&2
    done
    BARE[$engine]=$(median "${bares[@]}")
    FEED_RESTORE[$engine]=$(median "${restores[@]}")
    FEED_WALL[$engine]=$(median "${walls[@]}")
    FEED_VERDICT[$engine]=${verdicts% }
done

# ----------------------------------------------------------------------------------------------------
# Part 3: compressed dumps, bare decompressor | client vs BackupFeed verify of the compressed file
# ----------------------------------------------------------------------------------------------------
if [[ $ONLY == compressed || -z $ONLY ]]; then
echo "part 3: compressing the dumps (gzip -6, zstd -3, the tools' defaults)…" >&2
gzip -6 -c "$WORK/big/mariadb.sql" > "$WORK/big/mariadb.sql.gz"
zstd -q -3 -c "$WORK/big/postgres.sql" > "$WORK/big/postgres.sql.zst"
chmod 644 "$WORK/big"/*.gz "$WORK/big"/*.zst
declare -A CBARE CFEED CWALL CVERDICT CRATIOS CREADER=([mariadb]=zcat [postgres]="zstd -q -dc") CFILE=([mariadb]=mariadb.sql.gz [postgres]=postgres.sql.zst)
for engine in mariadb postgres; do
    bares=(); restores=(); walls=(); verdicts=""
    for n in $(seq "$BIG_RUNS"); do
        echo "  $engine run $n: bare ${CREADER[$engine]} | client…" >&2
        bares+=("$("bare_$engine" "c$n" "${CREADER[$engine]}")")
        echo "  $engine run $n: backupfeed verify ${CFILE[$engine]}…" >&2
        read -r restore wall verdict < <(feed_verify "$engine" "$WORK/big/${CFILE[$engine]}")
        restores+=("$restore"); walls+=("$wall"); verdicts+="$verdict "
        CRATIOS[$engine]+="$(ratio "$restore" "${bares[-1]}")x "
        echo "  $engine run $n: bare ${bares[-1]} s, backupfeed restore $restore s (wall $wall s, $verdict)" >&2
    done
    CBARE[$engine]=$(median "${bares[@]}")
    CFEED[$engine]=$(median "${restores[@]}")
    CWALL[$engine]=$(median "${walls[@]}")
    CVERDICT[$engine]=${verdicts% }
done
fi
fi

# ====================================================================================================
# Report
# ====================================================================================================
target() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "met" : "MISSED" }'; }
echo
echo "machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -sr)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC'), $(mariadbd --version | awk '{ print $3 }'), PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }')"
# Other work on the machine skews every figure; say how busy it was.
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end of the run"
if [[ $ONLY != restore ]]; then
echo
echo "petclinic push-to-verdict, median of $RUNS (server's own run total in brackets)"
printf '  %-9s %8s  %10s  %-7s  %s\n' engine seconds "(server)" target verdicts
for engine in mariadb postgres sqlite; do
    limit=$([[ $engine == sqlite ]] && echo 0.5 || echo 2)
    printf '  %-9s %8s  %10s  %-7s  %s\n' "$engine" "${P2V[$engine]}" "(${SRV[$engine]})" \
        "< $limit $(target "${P2V[$engine]}" "$limit")" "${VERDICTS[$engine]}"
done
fi
if [[ $ONLY != feed && $ONLY != compressed ]]; then
echo
echo "big dump restore (median of $BIG_RUNS): bare client vs BackupFeed's restore stage"
printf '  %-9s %6s  %8s  %10s  %6s  %12s  %s\n' engine MB bare backupfeed ratio "verify wall" "target < 1.2x"
for engine in mariadb postgres; do
    mb=$([[ $engine == mariadb ]] && echo "$MB_MARIADB" || echo "$MB_POSTGRES")
    r=$(ratio "${FEED_RESTORE[$engine]}" "${BARE[$engine]}")
    printf '  %-9s %6s  %8s  %10s  %6s  %12s  %s (%s)\n' "$engine" "$mb" "${BARE[$engine]}" "${FEED_RESTORE[$engine]}" \
        "${r}x" "${FEED_WALL[$engine]}" "$(target "$r" 1.2)" "${FEED_VERDICT[$engine]}"
done
echo "  ratio of each run (BackupFeed / bare, same run): mariadb ${RATIOS[mariadb]% }; postgres ${RATIOS[postgres]% }"
fi
if [[ $ONLY == compressed || -z $ONLY ]]; then
echo
echo "compressed big dump restore (median of $BIG_RUNS): bare decompressor | client vs BackupFeed's restore stage"
printf '  %-9s %-18s %8s  %10s  %6s  %12s  %s\n' engine file bare backupfeed ratio "verify wall" "target < 1.2x"
for engine in mariadb postgres; do
    r=$(ratio "${CFEED[$engine]}" "${CBARE[$engine]}")
    printf '  %-9s %-18s %8s  %10s  %6s  %12s  %s (%s)\n' "$engine" "${CFILE[$engine]}" "${CBARE[$engine]}" "${CFEED[$engine]}" \
        "${r}x" "${CWALL[$engine]}" "$(target "$r" 1.2)" "${CVERDICT[$engine]}"
done
echo "  bare: ${CREADER[mariadb]} | mariadb, ${CREADER[postgres]} | psql; ratio of each run: mariadb ${CRATIOS[mariadb]% }; postgres ${CRATIOS[postgres]% }"
fi
