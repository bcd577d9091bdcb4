#!/usr/bin/env bash
# Installs what a fresh machine lacks to build, run and test Confidant:
#   1. the Debian packages the project uses (only when run as root and missing);
#   2. Node 22 LTS where the system's Node is older (the official binary from its npm package,
#      pinned in scripts/runtime.mjs, kept in .runtime/; everything below runs on it), then
#      the npm packages, with Electron's binary download skipped unless asked for
#      (CONFIDANT_ELECTRON_BINARY=1), because its host is unreachable on locked-down machines,
#      and the native modules (better-sqlite3, keytar) built against that Node's headers;
#   3. mediasoup 3.8.4's worker, built from source against the system OpenSSL 3 with the
#      compatibility fixes in scripts/mediasoup-compat (see docs/decisions.md).
# Safe to run again: every step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf 'setup: %s\n' "$*"; }

# --- 1. Debian packages ------------------------------------------------------------
debs=(chromium gnome-keyring dbus-x11 libsecret-1-dev libssl-dev xvfb)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  fi
fi

# --- 2. Node and npm packages ----------------------------------------------------------
# From here on `node`, `npm` (npm-cli.js starts with `#!/usr/bin/env node`) and node-gyp use the
# provided Node when there is one: scripts/runtime.mjs prints what to export.
node_settings=$(node scripts/runtime.mjs provide)
while IFS= read -r line; do
  [ -n "$line" ] && export "${line?}"
done <<<"$node_settings"
node_abi=$(node -p 'process.version + " abi " + process.versions.modules')
log "Node $node_abi ($(command -v node))"

# mediasoup's own postinstall compiles the unpatched worker, which fails with current
# toolchains; MEDIASOUP_WORKER_BIN makes it skip that step, and step 3 builds it.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ "${CONFIDANT_ELECTRON_BINARY:-0}" != 1 ]; then export ELECTRON_SKIP_BINARY_DOWNLOAD=1; fi
# Native modules are built for one Node ABI: a change of Node (a first provided Node, a new
# pin, a system upgrade to 22) installs again, and the stamp records the ABI they were built for.
node_stamp=node_modules/.confidant-node-abi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ "$(cat "$node_stamp" 2>/dev/null)" != "$(node -p process.versions.modules)" ]; then
  log "installing npm packages"
  if [ -f package-lock.json ]; then
    MEDIASOUP_WORKER_BIN=/nonexistent npm ci --no-audit --no-fund
  else
    MEDIASOUP_WORKER_BIN=/nonexistent npm install --no-audit --no-fund
  fi
  node -p process.versions.modules > "$node_stamp"
fi

# Electron's package fetches its binary on first use rather than at install; fetch it now
# when asked, so nothing later downloads behind anyone's back.
if [ "${CONFIDANT_ELECTRON_BINARY:-0}" = 1 ] && [ ! -f node_modules/electron/path.txt ]; then
  log "fetching Electron's binary"
  node node_modules/electron/install.js
fi

# --- 3. mediasoup worker ---------------------------------------------------------------
worker_dir=node_modules/mediasoup/worker
worker_bin=$worker_dir/out/Release/mediasoup-worker
ms_version=$(node -p 'require("./node_modules/mediasoup/package.json").version')
compat_hash=$(cat scripts/mediasoup-compat/* scripts/setup.sh | sha256sum | cut -c1-12)
stamp=$worker_dir/out/.confidant-build
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/confidant
cached=$cache_dir/mediasoup-worker-$ms_version-$compat_hash

if [ -x "$worker_bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$compat_hash" ]; then
  log "mediasoup worker $ms_version is built"
elif [ -x "$cached" ]; then
  log "mediasoup worker $ms_version from cache $cached"
  mkdir -p "$(dirname "$worker_bin")"
  cp "$cached" "$worker_bin"
  echo "$compat_hash" > "$stamp"
else
  log "building mediasoup worker $ms_version (about 2-4 minutes)"
  compat=$root/scripts/mediasoup-compat
  # Link the distribution's OpenSSL 3 instead of the bundled, end-of-life 1.1.1k.
  cp "$compat/openssl.gyp" "$worker_dir/deps/openssl/openssl.gyp"
  sed -i "/--whole-archive <(libopenssl)/d" "$worker_dir/mediasoup-worker.gyp"
  rm -rf "$worker_dir/out"
  env -u MEDIASOUP_WORKER_BIN \
    PYTHON=python3 \
    PYTHONPATH="$compat${PYTHONPATH:+:$PYTHONPATH}" \
    CXXFLAGS="-include $compat/sigstksz.h -Wno-deprecated-declarations" \
    CFLAGS="-Wno-deprecated-declarations" \
    make -s -C "$worker_dir" >/tmp/confidant-mediasoup-build.log 2>&1 \
    || { tail -40 /tmp/confidant-mediasoup-build.log >&2; log "mediasoup worker build failed (full log: /tmp/confidant-mediasoup-build.log)" >&2; exit 1; }
  echo "$compat_hash" > "$stamp"
  mkdir -p "$cache_dir" && cp "$worker_bin" "$cached"
fi
log "done"
