#!/usr/bin/env bash
# Runs the BackupFeed server on its embedded defaults: SQLite catalog and blobs in ./feed-data,
# http://127.0.0.1:8080, the browser UI from ./Public. Extra arguments go to `backupfeed serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
ensure_packages libsqlite3-dev libzip-dev zlib1g-dev libzstd-dev liblzma-dev libbz2-dev liblz4-dev pkg-config curl bubblewrap util-linux
swift build -c release --product backupfeed
exec .build/release/backupfeed serve "$@"
