#!/usr/bin/env bash
# restore-latest-verified.sh: download the newest version of a package whose latest verification passed (the
# feed proved it restores), check its SHA-256 against the one the feed recorded at upload, and restore it
# into a target database: MySQL/MariaDB dumps with the mariadb (or mysql) client, pg_dump custom-format
# archives with pg_restore, plain pg_dump scripts with psql. The format is read from the dump itself.
#
# It refuses, exits non-zero and leaves the target database untouched when the package has no verified
# version, the download does not match its checksum, the dump is not one it can restore, or the target
# database already holds tables (unless RESTORE_INTO_NONEMPTY=yes).
#
# Configuration is through environment variables only:
#
#   BACKUPFEED_SERVER      required  the feed's base URL, e.g. https://backups.example.com
#   BACKUPFEED_API_KEY     required  an API key with the read scope (sent in a header read from a private file,
#                                    so it never appears in the process list)
#   PACKAGE_ID             required  the package, e.g. PetClinicDB
#   RESTORE_ENTRY          optional  for a zip holding several dump-like files: the entry to restore
#   RESTORE_INTO_NONEMPTY  optional  "yes" restores into a database that already has tables: a MySQL dump
#                                    drops and recreates its own tables, pg_restore runs with --clean --if-exists
#   AGE_IDENTITY           optional  an age identity file (age-keygen) of a recipient the backup was encrypted to:
#                                    needed for versions pushed encrypted (backup-mysql.sh with AGE_RECIPIENT,
#                                    .sql.gz.age); the plaintext goes only to TMPDIR, removed on exit
#   TMPDIR                 optional  where the download and the unzipped dump go (room for both); default /tmp
#
#   Target for a MySQL/MariaDB dump (the same variables as backup-mysql.sh):
#   MYSQL_DATABASE         required  the target database; it must exist
#   MYSQL_HOST, MYSQL_PORT, MYSQL_SOCKET, MYSQL_USER
#                          optional  unset: the client's defaults (the local unix socket, your login name)
#   MYSQL_PASSWORD         optional  handed to the client in a private option file, never on its command line
#   MYSQL_DEFAULTS_FILE    optional  an option file ([client] host=, user=, password=, …); the variables above win
#
#   Target for a PostgreSQL dump:
#   PGDATABASE             required  the target database (a name or a postgresql:// URI); it must exist
#   PGHOST, PGPORT, PGUSER, PGPASSWORD, PGPASSFILE, PGSSLMODE, PGSERVICE …
#                          optional  read by pg_restore and psql themselves, as by every libpq program
#   PG_RESTORE_OPTIONS     optional  pg_restore options for custom-format archives, split on spaces;
#                                    default "--no-owner --no-acl": objects belong to the restoring role and the
#                                    source's roles need not exist. Set it to "" to keep owners and grants.
#
# Needs: curl, sha256sum, unzip (for zipped versions), age (for encrypted ones), gzip, and the client of the
# target database.
# Prints "restored <id> <version> …" on stdout when done.
set -euo pipefail
umask 077

die() { echo "restore-latest-verified: $*" >&2; exit 1; }
note() { echo "restore-latest-verified: $*" >&2; }

: "${BACKUPFEED_SERVER:?set BACKUPFEED_SERVER to the feed URL, e.g. https://backups.example.com}"
: "${BACKUPFEED_API_KEY:?set BACKUPFEED_API_KEY to a key with the read scope}"
: "${PACKAGE_ID:?set PACKAGE_ID to the package to restore, e.g. PetClinicDB}"
server=${BACKUPFEED_SERVER%/}
[[ $PACKAGE_ID =~ ^[A-Za-z0-9_]+([._-][A-Za-z0-9_]+)*$ ]] \
    || die "PACKAGE_ID '$PACKAGE_ID' is not a package ID: letters, digits and _, separated by single . _ or -"
for tool in curl sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

workdir=$(mktemp -d "${TMPDIR:-/tmp}/restore-latest-verified.XXXXXXXX")
trap 'rm -rf "$workdir"' EXIT

# --- 1. Download the latest verified version -------------------------------------------------------------

# The key goes in a header file (curl -H @file), not on curl's command line.
printf 'X-Octopus-ApiKey: %s\n' "$BACKUPFEED_API_KEY" > "$workdir/request-headers"
download="$workdir/download"
url="$server/api/packages/$PACKAGE_ID/latest/download?verified=true"
note "downloading the latest verified version of $PACKAGE_ID from $server"
# A download that stalls (nothing for two minutes) fails instead of hanging the job forever.
status=$(curl --silent --show-error --retry 3 --retry-delay 5 --speed-limit 1 --speed-time 120 \
    -H @"$workdir/request-headers" -D "$workdir/response-headers" -o "$download" -w '%{http_code}' "$url") \
    || die "cannot download from $url (curl's message is above); nothing was restored"

# The server's own words for a refusal: {"error": "..."} (or the raw body if it is not that shape).
server_message() {
    local body
    body=$(head -c 2000 "$download" 2>/dev/null || true)
    sed -n 's/.*"error" *: *"\([^"]*\)".*/\1/p' <<< "$body" | grep . || echo "$body"
}
case $status in
    200) ;;
    404) die "refusing to restore: the feed has no verified version of $PACKAGE_ID ($(server_message)); nothing was restored" ;;
    401|403) die "the feed refused the API key (HTTP $status; it needs the read scope): $(server_message)" ;;
    *) die "download failed with HTTP $status: $(server_message); nothing was restored" ;;
esac

header() { awk -v name="$1" 'tolower($1) == tolower(name) ":" { print $2 }' "$workdir/response-headers" | tr -d '\r' | tail -n 1; }
version=$(header X-Package-Version)
expected=$(header X-Checksum-Sha256 | tr 'A-F' 'a-f')
[[ $expected =~ ^[0-9a-f]{64}$ ]] \
    || die "the feed sent no X-Checksum-Sha256 header for $PACKAGE_ID ${version:-?}: refusing to restore an unchecked download"

# --- 2. Check it against the SHA-256 recorded at upload --------------------------------------------------

actual=$(sha256sum "$download" | cut -d' ' -f1)
[[ $actual == "$expected" ]] \
    || die "checksum mismatch for $PACKAGE_ID $version: the feed recorded sha256 $expected but the download has $actual (damaged in storage or in transit); refusing to restore, the target database was not touched"
note "$PACKAGE_ID $version: sha256 $actual matches"

# Encrypted (age) and gzip-compressed versions, as backup-mysql.sh pushes them with AGE_RECIPIENT: decrypted with
# the restore identity, then decompressed, by content rather than by name.
first_bytes() { head -c "$1" "$download" | tr -d '\0'; }
if [[ $(first_bytes 21) == "age-encryption.org/v1" || $(first_bytes 34) == "-----BEGIN AGE ENCRYPTED FILE-----" ]]; then
    [[ -n ${AGE_IDENTITY:-} ]] \
        || die "$PACKAGE_ID $version is age-encrypted: set AGE_IDENTITY to the identity file of a recipient it was encrypted to; nothing was restored"
    command -v age >/dev/null || die "age is not installed (apt-get install age)"
    age --decrypt --identity "$AGE_IDENTITY" --output "$workdir/decrypted" "$download" \
        || die "age could not decrypt $PACKAGE_ID $version with $AGE_IDENTITY (its message is above); nothing was restored"
    mv "$workdir/decrypted" "$download"
    note "decrypted with $AGE_IDENTITY"
fi
if [[ $(head -c 2 "$download" | od -An -tx1 | tr -d ' \n') == 1f8b ]]; then
    gzip -dc < "$download" > "$workdir/decompressed" || die "cannot decompress $PACKAGE_ID $version (gzip's message is above)"
    mv "$workdir/decompressed" "$download"
    note "decompressed gzip"
fi

# --- 3. Unzip if needed and recognise the dump -----------------------------------------------------------

# Files that travel with dumps but never are one (as the feed's own dump locator sees them).
is_clutter() {
    local lower=${1,,}
    local base=${lower##*/}
    [[ $lower == __macosx/* || $base == ._* || $base == .ds_store || $base == readme* || $base == license* \
        || $base == changelog* || $base =~ \.(txt|md|json|log|sha256|sha1|md5|sig|asc|xml|yml|yaml)$ ]]
}

dump=$download
if [[ $(head -c 4 "$download" | od -An -tx1 | tr -d ' \n') == 504b0304 ]]; then
    command -v unzip >/dev/null || die "unzip is not installed (apt-get install unzip)"
    if [[ -n ${RESTORE_ENTRY:-} ]]; then
        entry=$RESTORE_ENTRY
        unzip -Z1 "$download" | grep -qxF -- "$entry" || die "RESTORE_ENTRY '$entry' is not in the archive: $(unzip -Z1 "$download" | head -n 10 | paste -sd ' ')"
    else
        candidates=()
        while IFS= read -r name; do
            [[ $name == */ ]] || is_clutter "$name" || candidates+=("$name")
        done < <(unzip -Z1 "$download")
        if (( ${#candidates[@]} > 1 )); then
            by_extension=()
            for name in "${candidates[@]}"; do
                [[ ${name,,} =~ \.(sql|dump|sqlite|sqlite3|db|pgdump|backup)$ ]] && by_extension+=("$name")
            done
            (( ${#by_extension[@]} == 1 )) && candidates=("${by_extension[@]}")
        fi
        (( ${#candidates[@]} == 1 )) \
            || die "cannot tell which entry of the archive is the dump (${candidates[*]:-none}): set RESTORE_ENTRY"
        entry=${candidates[0]}
    fi
    # Extracted under a name of our own (an entry name is never used as a path); [ * ? are unzip wildcards.
    dump="$workdir/dump"
    pattern=${entry//\[/[[]}
    pattern=${pattern//\*/[*]}
    unzip -p "$download" "${pattern//\?/[?]}" > "$dump" || die "cannot unzip entry $entry"
    rm -f "$download"
    note "unzipped $entry"
fi

# grep reads all of head's output (no -q): under pipefail an early exit would fail the pipeline whenever head
# had not finished writing (EPIPE where SIGPIPE is ignored), calling a dump unrecognised at random.
contains() { head -c 65536 "$dump" | grep -a -F -e "$@" > /dev/null; }
magic=$(head -c 16 "$dump" | od -An -c | tr -d ' \n')
if [[ $magic == PGDMP* ]]; then
    format=pg-custom
elif [[ $magic == 'SQLiteformat3\0'* ]]; then
    die "$PACKAGE_ID $version is a SQLite database file: copy it into place instead; this script restores MySQL/MariaDB and PostgreSQL dumps"
elif contains "-- MySQL dump" -e "-- MariaDB dump" -e "/*M!999999"; then
    format=mysql
elif contains "-- PostgreSQL database dump"; then
    format=pg-plain
elif contains "/*!40101 SET" -e "/*!40014 SET" -e "/*!40103 SET"; then
    format=mysql
elif contains "SET statement_timeout" -e "pg_catalog.set_config('search_path'"; then
    format=pg-plain
else
    die "$PACKAGE_ID $version holds no MySQL/MariaDB or pg_dump dump this script can restore; nothing was restored"
fi
case $format in
    mysql) note "$PACKAGE_ID $version is a MySQL/MariaDB dump" ;;
    pg-custom) note "$PACKAGE_ID $version is a pg_dump custom-format archive" ;;
    pg-plain) note "$PACKAGE_ID $version is a plain pg_dump script" ;;
esac

# --- 4. Restore into the target database ------------------------------------------------------------------

nonempty_allowed() { [[ ${RESTORE_INTO_NONEMPTY:-} == yes ]]; }
refuse_nonempty() {
    die "the target database $1 already holds $2 table(s): refusing to restore over them (set RESTORE_INTO_NONEMPTY=yes to restore anyway)"
}

restore_mysql() {
    : "${MYSQL_DATABASE:?$PACKAGE_ID $version is a MySQL/MariaDB dump: set MYSQL_DATABASE (and MYSQL_HOST or MYSQL_SOCKET …) to the target database}"
    local client
    client=$(command -v mariadb || command -v mysql) || die "neither mariadb nor mysql (the client) is installed (apt-get install mariadb-client)"
    # An option file must come first; it carries the password (not visible in the process list) and pulls in
    # MYSQL_DEFAULTS_FILE. Host, port, socket and user go on the command line, where they win over option files.
    local connection=()
    if [[ -n ${MYSQL_DEFAULTS_FILE:-} && ! -r $MYSQL_DEFAULTS_FILE ]]; then
        die "MYSQL_DEFAULTS_FILE $MYSQL_DEFAULTS_FILE cannot be read"
    fi
    if [[ -n ${MYSQL_PASSWORD:-} ]]; then
        local password=${MYSQL_PASSWORD//\\/\\\\}
        {
            if [[ -n ${MYSQL_DEFAULTS_FILE:-} ]]; then printf '!include %s\n' "$MYSQL_DEFAULTS_FILE"; fi
            printf '[client]\npassword="%s"\n' "${password//\"/\\\"}"
        } > "$workdir/client.cnf"
        connection+=("--defaults-extra-file=$workdir/client.cnf")
    elif [[ -n ${MYSQL_DEFAULTS_FILE:-} ]]; then
        connection+=("--defaults-extra-file=$MYSQL_DEFAULTS_FILE")
    fi
    if [[ -n ${MYSQL_HOST:-} ]]; then connection+=("--host=$MYSQL_HOST"); fi
    if [[ -n ${MYSQL_PORT:-} ]]; then connection+=("--port=$MYSQL_PORT"); fi
    if [[ -n ${MYSQL_SOCKET:-} ]]; then connection+=("--socket=$MYSQL_SOCKET"); fi
    if [[ -n ${MYSQL_USER:-} ]]; then connection+=("--user=$MYSQL_USER"); fi
    connection+=("--database=$MYSQL_DATABASE")

    local tables
    tables=$("$client" "${connection[@]}" --batch --skip-column-names \
        -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()") \
        || die "cannot reach the target database $MYSQL_DATABASE (the client's message is above); nothing was restored"
    if (( tables > 0 )) && ! nonempty_allowed; then refuse_nonempty "$MYSQL_DATABASE" "$tables"; fi
    note "restoring into MySQL/MariaDB database $MYSQL_DATABASE with $(basename "$client")"
    "$client" "${connection[@]}" --batch < "$dump" \
        || die "the restore into $MYSQL_DATABASE failed (the client's message is above); the database may hold part of the dump"
    target="MySQL/MariaDB database $MYSQL_DATABASE"
}

restore_postgres() {
    : "${PGDATABASE:?$PACKAGE_ID $version is a pg_dump dump: set PGDATABASE (and PGHOST …) to the target database}"
    command -v psql >/dev/null || die "psql is not installed (apt-get install postgresql-client)"
    local label=$PGDATABASE
    if [[ $PGDATABASE == *=* || $PGDATABASE == *://* ]]; then label="the database of PGDATABASE's connection string"; fi
    local tables
    tables=$(psql -X -q -A -t -v ON_ERROR_STOP=1 --no-password --dbname="$PGDATABASE" -c "
        SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'") \
        || die "cannot reach the target database $label (psql's message is above); nothing was restored"
    if (( tables > 0 )) && ! nonempty_allowed; then refuse_nonempty "$label" "$tables"; fi
    if [[ $format == pg-custom ]]; then
        command -v pg_restore >/dev/null || die "pg_restore is not installed (apt-get install postgresql-client)"
        local options default_options="--no-owner --no-acl"
        read -r -a options <<< "${PG_RESTORE_OPTIONS-$default_options}"
        if nonempty_allowed; then options+=(--clean --if-exists); fi
        note "restoring into PostgreSQL database $label with pg_restore ${options[*]}"
        # One transaction: a failed restore leaves the target as it was.
        pg_restore "${options[@]}" --exit-on-error --single-transaction --no-password --dbname="$PGDATABASE" "$dump" \
            || die "pg_restore into $label failed (its message is above); the transaction was rolled back"
    else
        # A plain dump is an SQL script psql runs with your rights: restore only dumps you made.
        note "restoring into PostgreSQL database $label with psql"
        psql -X -q -v ON_ERROR_STOP=1 --single-transaction --no-password --dbname="$PGDATABASE" -f "$dump" > /dev/null \
            || die "psql into $label failed (its message is above); the transaction was rolled back"
    fi
    target="PostgreSQL database $label"
}

case $format in
    mysql) restore_mysql ;;
    pg-custom | pg-plain) restore_postgres ;;
esac
echo "restored $PACKAGE_ID $version (sha256 $actual) into $target"
