# Build stage: the Swift toolchain, the C libraries' headers, a release build with the Swift runtime linked in.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev libzip-dev pkg-config \
       zlib1g-dev libzstd-dev liblzma-dev libbz2-dev liblz4-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.resolved pins dependency versions when present (it is not committed; the glob lets it be absent).
COPY Package.swift Package.resolved* ./
RUN swift package resolve
# SwiftPM refuses a package whose declared test targets have no folder, so Tests comes too (it is not compiled).
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product backupfeed --static-swift-stdlib \
    && install -m 0755 "$(swift build -c release --show-bin-path)/backupfeed" /usr/local/bin/backupfeed

# Runtime stage: the binary, the UI, and the database programs verification starts itself (never as services).
# The binary carries the Swift runtime (--static-swift-stdlib); it needs only libstdc++/libgcc, SQLite, libzip and
# the decompressors (zlib, libzstd, liblzma, libbz2, liblz4: named although bookworm-slim already has them).
# setpriv (util-linux) drops database programs to an unprivileged account when the server runs as root;
# sqlite3 takes online backups of the catalog (docs/operations.md).
# The data directory exists in the image, owned by the service user, so that a new named volume mounted there
# starts with that owner (Docker copies it) instead of root.
FROM debian:bookworm-slim AS runtime
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
    && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       libstdc++6 libsqlite3-0 libzip4 zlib1g libzstd1 liblzma5 libbz2-1.0 liblz4-1 ca-certificates tzdata curl util-linux bubblewrap sqlite3 \
       mariadb-server mariadb-client postgresql postgresql-client \
    && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
    && useradd --system --create-home --home-dir /var/lib/backupfeed --shell /usr/sbin/nologin backupfeed \
    && install -d -o backupfeed -g backupfeed -m 0750 /var/lib/backupfeed/data
COPY --from=build /usr/local/bin/backupfeed /usr/local/bin/backupfeed
COPY Public /usr/share/backupfeed/Public
USER backupfeed
WORKDIR /var/lib/backupfeed
ENV BACKUPFEED_HOST=0.0.0.0 \
    BACKUPFEED_PORT=8080 \
    BACKUPFEED_DATA_DIR=/var/lib/backupfeed/data \
    BACKUPFEED_PUBLIC_DIR=/usr/share/backupfeed/Public \
    BACKUPFEED_SANDBOX_DIR=/tmp/backupfeed-sandbox
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["backupfeed"]
CMD ["serve"]
