#!/usr/bin/env bash
# Builds mediasoup's worker from the sources shipped in node_modules/mediasoup/worker against
# Debian's libraries (libuv, OpenSSL 3, libsrtp 2, flatbuffers 2.0.8) with meson and ninja,
# applying mediasoup-<version>-debian.patch (see docs/decisions.md, "mediasoup from Debian's
# libraries"). Upstream's own build would download its meson subprojects and its prebuilt
# worker from GitHub, which this project never reaches.
#
# The result is cached per mediasoup version and patch hash in ~/.cache/confidant and copied
# to node_modules/mediasoup/worker/out/Release/mediasoup-worker, the path mediasoup spawns
# when MEDIASOUP_WORKER_BIN is unset. Safe to run again: an up-to-date worker is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/mediasoup

log() { printf 'setup: %s\n' "$*"; }

ms_version=$(node -p 'require("./node_modules/mediasoup/package.json").version')
patch_file=$here/mediasoup-$ms_version-debian.patch
if [ ! -f "$patch_file" ]; then
  log "no patch for mediasoup $ms_version ($patch_file); see docs/decisions.md to move the recipe" >&2
  exit 1
fi
# The build flags are part of the key as well as the patch: changing either rebuilds.
build_hash=$( (cat "$patch_file"; sed -n '/^meson_opts=/p' "$0") | sha256sum | cut -c1-12)
meson_opts=(--wrap-mode=nodownload --buildtype=release -Db_ndebug=true)

cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/confidant
cached=$cache_dir/mediasoup-worker-$ms_version-$build_hash
worker_bin=node_modules/mediasoup/worker/out/Release/mediasoup-worker
stamp=node_modules/mediasoup/worker/out/.confidant-build

if [ -x "$worker_bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ms_version-$build_hash" ]; then
  log "mediasoup worker $ms_version is built"
  exit 0
fi

if [ ! -x "$cached" ]; then
  log "building mediasoup worker $ms_version from Debian's libraries (about 10 minutes on 2 cores)"
  # A private copy: node_modules stays as npm left it, so `npm ci` never sees a patched tree.
  src=$(mktemp -d "${TMPDIR:-/tmp}/confidant-mediasoup-XXXXXX")
  trap 'rm -rf "$src"' EXIT
  cp -a node_modules/mediasoup/worker "$src/worker"
  rm -rf "$src/worker/out"
  patch -d "$src" -p1 --quiet --forward < "$patch_file"
  build_log=${TMPDIR:-/tmp}/confidant-mediasoup-$ms_version-build.log
  {
    nice meson setup "${meson_opts[@]}" "$src/build" "$src/worker" &&
      nice ninja -C "$src/build" -j"${CONFIDANT_BUILD_JOBS:-$(nproc)}" mediasoup-worker
  } >"$build_log" 2>&1 || {
    tail -40 "$build_log" >&2
    log "mediasoup worker build failed (full log: $build_log)" >&2
    exit 1
  }
  strip "$src/build/mediasoup-worker"
  mkdir -p "$cache_dir"
  install -m 0755 "$src/build/mediasoup-worker" "$cached.tmp" && mv "$cached.tmp" "$cached"
fi

# The worker must run on the distribution's OpenSSL 3 (security updates come from apt), never
# on a copy linked in: refuse a binary that does not load libssl.so.3 and libsrtp2.
deps=$(ldd "$cached")
for lib in libssl.so.3 libcrypto.so.3 libsrtp2.so.1 libuv.so.1; do
  grep -q "$lib => /" <<<"$deps" || { log "mediasoup worker does not link the system's $lib" >&2; exit 1; }
done

mkdir -p "$(dirname "$worker_bin")"
cp "$cached" "$worker_bin"
echo "$ms_version-$build_hash" > "$stamp"
log "mediasoup worker $ms_version from $cached"
