# Build stage: the Swift toolchain, the C libraries' headers, a release build.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev libzip-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --product backupfeed --static-swift-stdlib \
    && cp .build/release/backupfeed /usr/local/bin/backupfeed

# Runtime stage: the binary, the UI, and the database programs verification starts (never their services).
FROM debian:bookworm-slim
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
    && apt-get update && apt-get install -y --no-install-recommends \
       libsqlite3-0 libzip4 ca-certificates curl mariadb-server mariadb-client postgresql \
    && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
    && useradd --system --create-home --home-dir /var/lib/backupfeed backupfeed
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
ENTRYPOINT ["backupfeed"]
CMD ["serve"]
