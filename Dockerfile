# pushboard image: `docker build -t pushboard .`, then run it like prom/pushgateway; container args are
# Pushgateway flags, e.g. `docker run -p 9091:9091 -v pushboard-data:/data pushboard --web.enable-admin-api`.
# Every build step lives in deploy/image/build.sh (tested in npm test without a container engine).
ARG NODE_VERSION=22

# Build stage: all dependencies, the production build, then the runtime tree in /app (production deps only).
FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 compiles its native addon here when no prebuilt binary matches this Node.js.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN bash deploy/image/build.sh /app

# Runtime stage: the packaged tree, owned by root and read-only to the server, which runs as nobody (65534,
# like prom/pushgateway). It writes only to /data (the store; mount a volume there) and /tmp, so
# `readOnlyRootFilesystem: true` works with a volume on /data and an emptyDir on /tmp.
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PUSHBOARD_DATA_DIR=/data
COPY --from=build /app /app
RUN mkdir -p /data && chown 65534:65534 /data
# Relative paths in flags (--persistence.file=pushgateway.data) land in the data volume.
WORKDIR /data
USER 65534:65534
EXPOSE 9091
ENTRYPOINT ["node", "/app/lib/cli/pushboard.mjs"]
