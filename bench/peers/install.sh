#!/usr/bin/env bash
# Install the peer benchmarks' dependencies only if needed:
#   - npm packages of bench/peers/package.json into bench/peers/node_modules
#     (better-sqlite3 is overridden to 13.x, which ships Node-API prebuilds: nothing compiles)
#   - Debian's mosquitto (apt-get, root only)
# Usage: bench/peers/install.sh [--node-only|--mosquitto-only] [--force]
# NODE may name the Node binary to use; default: the project's Node 24 (node_modules/.bin/node).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node="${NODE:-}"
if [ -z "$node" ]; then
  if [ -x "$here/../../node_modules/.bin/node" ]; then node="$here/../../node_modules/.bin/node"; else node="node"; fi
fi
exec "$node" "$here/deps.mjs" "$@"
