#!/usr/bin/env bash
# backup-postgres.sh: dump one PostgreSQL database with pg_dump in custom format (-Fc: compressed, restored
# selectively with pg_restore) and push it to a BackupFeed server as <PACKAGE_ID>.<PACKAGE_VERSION>.dump, where
# it is verified by restoring it into a throwaway PostgreSQL.
#
# Configuration is through environment variables only:
#
#   BACKUPFEED_SERVER     required  the feed's base URL, e.g. https://backups.example.com
#   BACKUPFEED_API_KEY    required  an API key with the push scope (sent in a header read from a private file,
#                                   so it never appears in the process list)
#   PACKAGE_ID            required  the package to push to, e.g. PetClinicDB (letters, digits, _ . -)
#   PGDATABASE            required  the database to dump (a name, or a postgresql:// connection URI)
#   PACKAGE_VERSION       optional  default: UTC date and time as YYYY.MM.DD.HHMM, e.g. 2026.11.24.0315
#   PGHOST, PGPORT, PGUSER, PGPASSWORD, PGPASSFILE, PGSSLMODE, PGSERVICE …
#                         optional  read by pg_dump itself, as by every libpq program: unset, it connects to the
#                                   local unix socket as your login name. Prefer ~/.pgpass (or PGPASSFILE) to
#                                   PGPASSWORD for the password.
#   PG_DUMP_EXTRA_ARGS    optional  more pg_dump options, split on spaces, e.g. --exclude-table-data=audit_log
#   AGE_RECIPIENT         optional  encrypt the backup: one or more age recipients (age1…), separated by spaces.
#                                   pg_dump's output is streamed through `age -r` and pushed as
#                                   <PACKAGE_ID>.<PACKAGE_VERSION>.dump.age; no plaintext touches this host's disk.
#                                   The feed verifies it with the matching identity stored on the server
#                                   (docs/encryption.md); without one the verdict is `error`.
#   TMPDIR                optional  where the dump is written before the push; default /tmp
#
# Needs: pg_dump (of the server's major version or newer), curl (7.76+), sha256sum, age with AGE_RECIPIENT.
# Exits non-zero, with the reason on stderr, when anything fails; always removes its temporary directory.
# Prints "pushed <id> <version> …" on stdout when the feed stored the version.
set -euo pipefail
umask 077

die() { echo "backup-postgres: $*" >&2; exit 1; }
note() { echo "backup-postgres: $*" >&2; }

: "${BACKUPFEED_SERVER:?set BACKUPFEED_SERVER to the feed URL, e.g. https://backups.example.com}"
: "${BACKUPFEED_API_KEY:?set BACKUPFEED_API_KEY to a key with the push scope}"
: "${PACKAGE_ID:?set PACKAGE_ID to the package name, e.g. PetClinicDB}"
: "${PGDATABASE:?set PGDATABASE to the database to dump}"
server=${BACKUPFEED_SERVER%/}
version=${PACKAGE_VERSION:-$(date -u +%Y.%m.%d.%H%M)}

[[ $PACKAGE_ID =~ ^[A-Za-z0-9_]+([._-][A-Za-z0-9_]+)*$ ]] \
    || die "PACKAGE_ID '$PACKAGE_ID' is not a package ID: letters, digits and _, separated by single . _ or -"
[[ $version =~ ^[0-9]+(\.[0-9]+){0,3}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]] \
    || die "PACKAGE_VERSION '$version' is not a version: 1 to 4 numbers separated by dots, e.g. 2026.11.24.0315"

tools=(pg_dump curl sha256sum)
recipients=()
if [[ -n ${AGE_RECIPIENT:-} ]]; then
    tools+=(age)
    read -r -a listed <<< "$AGE_RECIPIENT"
    for recipient in "${listed[@]}"; do
        [[ $recipient =~ ^age1[a-z0-9]+$ ]] || die "AGE_RECIPIENT '$recipient' is not an age recipient (age1…, from age-keygen -y)"
        recipients+=(-r "$recipient")
    done
fi
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || die "$tool is not installed (pg_dump: apt-get install postgresql-client; age: apt-get install age)"
done

workdir=$(mktemp -d "${TMPDIR:-/tmp}/backup-postgres.XXXXXXXX")
trap 'rm -rf "$workdir"' EXIT

# The custom format is already compressed and starts with PGDMP, which the feed recognises: it is pushed as
# it is, no zip around it. --dbname (rather than libpq reading PGDATABASE) also accepts a connection URI.
read -r -a extra <<< "${PG_DUMP_EXTRA_ARGS:-}"
dump="$workdir/$PACKAGE_ID.$version.dump"
# A connection string may hold a password: name the database only when PGDATABASE is a plain name.
[[ $PGDATABASE == *=* || $PGDATABASE == *://* ]] && label="the database of the connection string" || label=$PGDATABASE
note "dumping $label with $(pg_dump --version)"
if (( ${#recipients[@]} > 0 )); then
    # Encrypted: pg_dump | age, streamed (pipefail makes either's failure the pipeline's).
    dump="$dump.age"
    pg_dump --format=custom --no-password "${extra[@]}" --dbname="$PGDATABASE" | age "${recipients[@]}" -o "$dump" \
        || die "pg_dump or age failed (the message is above); nothing was pushed"
else
    pg_dump --format=custom --no-password "${extra[@]}" --file="$dump" --dbname="$PGDATABASE" \
        || die "pg_dump failed (its message is above); nothing was pushed"
fi
sha256=$(sha256sum "$dump" | cut -d' ' -f1)
size=$(wc -c < "$dump")

# The key goes in a header file (curl -H @file), not on curl's command line.
printf 'X-Octopus-ApiKey: %s\n' "$BACKUPFEED_API_KEY" > "$workdir/headers"
note "pushing $(basename "$dump") ($size bytes) to $server"
# The server checks X-Checksum-Sha256 against what arrived (422 and nothing kept when they differ).
# A retried push whose first attempt did land is harmless: the same bytes again are a 200.
response=$(curl --silent --show-error --fail-with-body --retry 3 --retry-delay 5 \
    -H @"$workdir/headers" -H "X-Checksum-Sha256: $sha256" \
    -F "file=@$dump" "$server/api/packages/raw") \
    || die "the push failed: ${response:-no response} (the version was not stored)"
echo "pushed $PACKAGE_ID $version ($size bytes, sha256 $sha256)"
note "server said: $response"
