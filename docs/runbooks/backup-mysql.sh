#!/usr/bin/env bash
# backup-mysql.sh: dump one MySQL/MariaDB database, zip it as <PACKAGE_ID>.<PACKAGE_VERSION>.zip and push it
# to a BackupFeed server, which then verifies it by restoring it into a throwaway database.
#
# Configuration is through environment variables only:
#
#   BACKUPFEED_SERVER     required  the feed's base URL, e.g. https://backups.example.com
#   BACKUPFEED_API_KEY    required  an API key with the push scope (sent in a header read from a private file,
#                                   so it never appears in the process list)
#   PACKAGE_ID            required  the package to push to, e.g. PetClinicDB (letters, digits, _ . -)
#   MYSQL_DATABASE        required  the database to dump
#   PACKAGE_VERSION       optional  default: UTC date and time as YYYY.MM.DD.HHMM, e.g. 2026.11.24.0315
#   MYSQL_HOST            optional  server host; unset: the client's default (the local unix socket)
#   MYSQL_PORT            optional  TCP port (with MYSQL_HOST)
#   MYSQL_SOCKET          optional  unix socket path, e.g. /run/mysqld/mysqld.sock
#   MYSQL_USER            optional  default: the client's default (user= in an option file, else your login)
#   MYSQL_PASSWORD        optional  handed to the client in a private option file, never on its command line
#                                   (a password in ~/.my.cnf wins over it: the client reads that file last)
#   MYSQL_DEFAULTS_FILE   optional  an option file ([client] host=, user=, password=, ssl-…) read after the
#                                   system ones; the variables above win over it
#   MYSQLDUMP_EXTRA_ARGS  optional  more dump options, split on spaces, e.g. --set-gtid-purged=OFF (MySQL 8)
#   AGE_RECIPIENT         optional  encrypt the backup: one or more age recipients (age1…), separated by spaces.
#                                   The dump is streamed through gzip and `age -r` and pushed as
#                                   <PACKAGE_ID>.<PACKAGE_VERSION>.sql.gz.age; no plaintext touches this host's
#                                   disk. The feed verifies it with the matching identity stored on the server
#                                   (docs/encryption.md); without one the verdict is `error`.
#   TMPDIR                optional  where the dump and the zip are written (room for both); default /tmp
#
# Needs: mariadb-dump or mysqldump, zip (or gzip and age with AGE_RECIPIENT), curl (7.76+), sha256sum.
# Exits non-zero, with the reason on stderr, when anything fails; always removes its temporary directory.
# Prints "pushed <id> <version> …" on stdout when the feed stored the version.
set -euo pipefail
umask 077

die() { echo "backup-mysql: $*" >&2; exit 1; }
note() { echo "backup-mysql: $*" >&2; }

: "${BACKUPFEED_SERVER:?set BACKUPFEED_SERVER to the feed URL, e.g. https://backups.example.com}"
: "${BACKUPFEED_API_KEY:?set BACKUPFEED_API_KEY to a key with the push scope}"
: "${PACKAGE_ID:?set PACKAGE_ID to the package name, e.g. PetClinicDB}"
: "${MYSQL_DATABASE:?set MYSQL_DATABASE to the database to dump}"
server=${BACKUPFEED_SERVER%/}
version=${PACKAGE_VERSION:-$(date -u +%Y.%m.%d.%H%M)}

[[ $PACKAGE_ID =~ ^[A-Za-z0-9_]+([._-][A-Za-z0-9_]+)*$ ]] \
    || die "PACKAGE_ID '$PACKAGE_ID' is not a package ID: letters, digits and _, separated by single . _ or -"
[[ $version =~ ^[0-9]+(\.[0-9]+){0,3}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]] \
    || die "PACKAGE_VERSION '$version' is not a version: 1 to 4 numbers separated by dots, e.g. 2026.11.24.0315"

dump_tool=$(command -v mariadb-dump || command -v mysqldump) \
    || die "neither mariadb-dump nor mysqldump is installed (apt-get install mariadb-client)"
tools=(zip curl sha256sum)
recipients=()
if [[ -n ${AGE_RECIPIENT:-} ]]; then
    tools=(gzip age curl sha256sum)
    read -r -a listed <<< "$AGE_RECIPIENT"
    for recipient in "${listed[@]}"; do
        [[ $recipient =~ ^age1[a-z0-9]+$ ]] || die "AGE_RECIPIENT '$recipient' is not an age recipient (age1…, from age-keygen -y)"
        recipients+=(-r "$recipient")
    done
fi
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

workdir=$(mktemp -d "${TMPDIR:-/tmp}/backup-mysql.XXXXXXXX")
trap 'rm -rf "$workdir"' EXIT

# Connection options. An option file must come first on the command line; it carries the password (so that
# it is not visible in the process list) and pulls in MYSQL_DEFAULTS_FILE. Host, port, socket and user go on
# the command line, where they win over every option file.
connection=()
if [[ -n ${MYSQL_PASSWORD:-} ]]; then
    {
        if [[ -n ${MYSQL_DEFAULTS_FILE:-} ]]; then printf '!include %s\n' "$MYSQL_DEFAULTS_FILE"; fi
        password=${MYSQL_PASSWORD//\\/\\\\}
        printf '[client]\npassword="%s"\n' "${password//\"/\\\"}"
    } > "$workdir/client.cnf"
    connection+=("--defaults-extra-file=$workdir/client.cnf")
elif [[ -n ${MYSQL_DEFAULTS_FILE:-} ]]; then
    connection+=("--defaults-extra-file=$MYSQL_DEFAULTS_FILE")
fi
if [[ -n ${MYSQL_DEFAULTS_FILE:-} && ! -r $MYSQL_DEFAULTS_FILE ]]; then
    die "MYSQL_DEFAULTS_FILE $MYSQL_DEFAULTS_FILE cannot be read"
fi
if [[ -n ${MYSQL_HOST:-} ]]; then connection+=("--host=$MYSQL_HOST"); fi
if [[ -n ${MYSQL_PORT:-} ]]; then connection+=("--port=$MYSQL_PORT"); fi
if [[ -n ${MYSQL_SOCKET:-} ]]; then connection+=("--socket=$MYSQL_SOCKET"); fi
if [[ -n ${MYSQL_USER:-} ]]; then connection+=("--user=$MYSQL_USER"); fi

# --single-transaction: a consistent snapshot of InnoDB tables without locking writers.
# --routines --triggers --events: the database's code too, not only its tables.
# --hex-blob: binary columns survive any client character set.
# No --databases: the dump carries no CREATE DATABASE/USE, so it restores into a database of any name.
read -r -a extra <<< "${MYSQLDUMP_EXTRA_ARGS:-}"
note "dumping $MYSQL_DATABASE with $(basename "$dump_tool")"
if (( ${#recipients[@]} > 0 )); then
    # Encrypted: dump | gzip | age, streamed (pipefail makes any stage's failure the pipeline's).
    archive="$workdir/$PACKAGE_ID.$version.sql.gz.age"
    "$dump_tool" "${connection[@]}" --single-transaction --routines --triggers --events --hex-blob \
        "${extra[@]}" -- "$MYSQL_DATABASE" | gzip -c | age "${recipients[@]}" -o "$archive" \
        || die "$(basename "$dump_tool"), gzip or age failed (the message is above); nothing was pushed"
else
    dump="$workdir/$MYSQL_DATABASE.sql"
    "$dump_tool" "${connection[@]}" --single-transaction --routines --triggers --events --hex-blob \
        "${extra[@]}" --result-file="$dump" -- "$MYSQL_DATABASE" \
        || die "$(basename "$dump_tool") failed (its message is above); nothing was pushed"
    archive="$workdir/$PACKAGE_ID.$version.zip"
    (cd "$workdir" && zip -q -X -m "$archive" "$(basename "$dump")")
fi
sha256=$(sha256sum "$archive" | cut -d' ' -f1)
size=$(wc -c < "$archive")

# The key goes in a header file (curl -H @file), not on curl's command line.
printf 'X-Octopus-ApiKey: %s\n' "$BACKUPFEED_API_KEY" > "$workdir/headers"
note "pushing $(basename "$archive") ($size bytes) to $server"
# The server checks X-Checksum-Sha256 against what arrived (422 and nothing kept when they differ).
# A retried push whose first attempt did land is harmless: the same bytes again are a 200.
response=$(curl --silent --show-error --fail-with-body --retry 3 --retry-delay 5 \
    -H @"$workdir/headers" -H "X-Checksum-Sha256: $sha256" \
    -F "file=@$archive" "$server/api/packages/raw") \
    || die "the push failed: ${response:-no response} (the version was not stored)"
echo "pushed $PACKAGE_ID $version ($size bytes, sha256 $sha256)"
note "server said: $response"
