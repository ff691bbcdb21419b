#!/bin/sh
# DEMO ONLY (deploy/docker-compose.yml): give a node the fixed peer key from deploy/compose/keys/
# on its first start, so the other nodes can name its PeerId in CAIRN_BOOTSTRAP before it exists.
# Never use these keys on a real network: anyone with this repository can impersonate the nodes.
# Usage: seed-peer-key.sh NAME [cairn mailbox flags...]
set -eu
name="$1"
shift
if [ ! -e /data/peer.key ]; then
  base64 -d "/keys/$name.key.b64" > /data/peer.key.tmp
  chmod 600 /data/peer.key.tmp
  mv /data/peer.key.tmp /data/peer.key
fi
exec node /app/dist/cli/main.js mailbox "$@"
