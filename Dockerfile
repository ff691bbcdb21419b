# A Cairn mailbox node: DHT server, mailbox, circuit relay and bootstrap peer, with Prometheus
# metrics and a health check. Build: `docker build -t cairn-mailbox .`; run and operate it with
# deploy/README.md. test/operator/dockerfile.test.ts checks this file against the build output.
#
# Debian slim, not Alpine: libsignal-client ships prebuilt glibc binaries only. No `# syntax=`
# line: nothing here needs a newer frontend, and BuildKit would fetch one from a registry (where
# there is none, NODE_IMAGE names a local base: test/image/ builds one with debootstrap).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: every dependency (dev ones too) and the TypeScript compile --------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# `npm ci` runs the project's own scripts: postinstall (patch-package applies patches/ to libp2p)
# and prepare (tsc writes dist/, then scripts/bundle-cli.mjs bundles the CLI). Their inputs must be
# in place before it runs.
COPY package.json package-lock.json tsconfig.json ./
COPY patches/ patches/
COPY proto/ proto/
COPY scripts/ scripts/
COPY src/ src/
RUN npm ci --no-audit --no-fund

# ---- run: runtime dependencies from the same lockfile, plus the bundled CLI --------------------
FROM ${NODE_IMAGE}
# tini is PID 1: it forwards SIGTERM/SIGINT to node, which then drains in-flight deposits and
# closes LevelDB (node as PID 1 would get no default signal handling), and it reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY patches/ patches/
# `--ignore-scripts`: our `prepare` script runs tsc, a dev dependency that is not installed here,
# so a plain `npm ci --omit=dev` fails; dist/ comes from the build stage instead. That also skips
# our postinstall, so patch-package runs explicitly: the libp2p fixes in patches/ must be in the
# image, and --error-on-fail stops the build if a patch no longer applies. No runtime dependency
# needs its own install script: libsignal-client's only prints a hint, and classic-level's
# (node-gyp-build) only compiles when no prebuilt binary fits; both ship linux glibc binaries.
# Then the prebuilt binaries for other platforms go (about 130 MB), and npm's download cache.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node node_modules/patch-package/index.js --error-on-fail \
 && grep -rq "CAIRN PATCH" node_modules/libp2p/dist \
 && arch="$(node -p process.arch)" \
 && for dir in $(find node_modules -type d -name prebuilds -prune); do \
      for p in "$dir"/*; do case "$(basename "$p")" in "linux-$arch"|"linux-$arch+"*) ;; *) rm -rf "$p" ;; esac; done; \
    done \
 && npm cache clean --force
# the CLI's bundle (scripts/bundle-cli.mjs): all of Cairn's code and the pure-JS dependencies; the
# native addons (libsignal-client, classic-level, argon2) load from node_modules
COPY --from=build /app/dist/cli dist/cli
# `cairn` on PATH for `docker exec ... cairn mailbox --check` and the client containers in deploy/.
# The data dir belongs to the unprivileged user; the code stays root-owned and read-only to it.
RUN chmod 755 dist/cli/main.js \
 && ln -s /app/dist/cli/main.js /usr/local/bin/cairn \
 && mkdir -p /data \
 && chown node:node /data

# Every setting is a CAIRN_* variable (deploy/README.md lists them all); these are the image's.
ENV CAIRN_DATA_DIR=/data \
    CAIRN_LISTEN=/ip4/0.0.0.0/tcp/4001,/ip4/0.0.0.0/tcp/4002/ws \
    CAIRN_RELAY_ENABLED=true \
    CAIRN_METRICS_ENABLED=true \
    CAIRN_METRICS_HOST=0.0.0.0 \
    CAIRN_METRICS_PORT=9464 \
    CAIRN_LOG_LEVEL=info

USER node
VOLUME ["/data"]
# libp2p over TCP, libp2p over WebSockets, Prometheus /metrics and /healthz
EXPOSE 4001/tcp 4002/tcp 9464/tcp
STOPSIGNAL SIGTERM
# `cairn mailbox --health` asks /healthz (200 only with the store open and listening) where the node
# recorded it serves it (/data/health-endpoint.json): whatever set the port (CAIRN_*, config.json, a
# flag in CMD), a private metrics address, or metrics off (then /healthz alone, on loopback). It
# prints why when it fails. No curl in the slim image. The timeout allows for loading the CLI.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "/app/dist/cli/main.js", "mailbox", "--health"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli/main.js", "mailbox"]
# one JSON line at start ({"peerId", "addresses", "metrics"}), like the pino logs on stderr
CMD ["--json"]
