#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need when it is missing: the C libraries (libzip and the
# decompressors' zlib, libzstd, liblzma, libbz2, liblz4), the compressors' tools that remake the decoder fixtures, MariaDB and
# PostgreSQL (their programs only: the tests start their own servers), zip, curl, Chromium, and Maven with the
# dependency plugin (MavenViewTests resolves a backup with a real mvn from Debian's offline repository).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
ensure_packages libsqlite3-dev libzip-dev zlib1g-dev libzstd-dev liblzma-dev libbz2-dev liblz4-dev pkg-config \
    curl zip unzip gzip zstd xz-utils bzip2 lz4 tar bubblewrap util-linux poppler-utils age gnupg \
    mariadb-server mariadb-client postgresql chromium fonts-dejavu-core \
    maven libmaven-dependency-plugin-java junit4
# schemathesis checks the live server against docs/openapi.yaml; PyYAML reads docker-compose.yml in a test;
# aiosmtpd is the mail server the email notification tests deliver to; moto's server mode is the S3 server the
# object-storage tests write to, and the AWS CLI checks what they wrote.
ensure_pip_packages schemathesis==4.32.5 openapi-spec-validator==0.9.0 PyYAML==6.0.3 aiosmtpd==1.4.6 \
    'moto[server]==5.2.1' awscli==1.45.11
swift build --build-tests
# The dump lexer, scanners and rewriters under libFuzzer for a bounded time (docs/fuzzing.md).
./scripts/fuzz.sh "${BACKUPFEED_FUZZ_SECONDS:-60}"
# Every test runs in one process; on a two-core machine a cold run (templates to build, browsers to start)
# that starts all of them at once made deadlines pass. Eight at a time keeps the run short and the load sane.
swift test --skip-build --experimental-maximum-parallelization-width "${BACKUPFEED_TEST_PARALLELISM:-8}" "$@"
