#!/usr/bin/env bash
# Installs what a fresh machine lacks to build, run and test Confidant:
#   1. the Debian packages the project uses (only when run as root and missing);
#   2. Node 22 LTS where the system's Node is older (the official binary from its npm package,
#      pinned in scripts/runtime.mjs, kept in .runtime/; everything below runs on it), then
#      the npm packages, with Electron's binary download skipped unless asked for
#      (CONFIDANT_ELECTRON_BINARY=1), because its host is unreachable on locked-down machines,
#      and the native modules (better-sqlite3, keytar) built against that Node's headers;
#   3. mediasoup's worker, built from the sources in its npm package against the distribution's
#      libraries (OpenSSL 3, libsrtp 2, libuv, flatbuffers) by scripts/mediasoup/build-worker.sh
#      (see docs/decisions.md).
# Safe to run again: every step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf 'setup: %s\n' "$*"; }

# --- 1. Debian packages ------------------------------------------------------------
debs=(chromium gnome-keyring dbus-x11 libsecret-1-dev libssl-dev xvfb
  # PostgreSQL's server programs: the tests start throwaway clusters of their own (tests/support/postgres.ts)
  postgresql
  # ip, tc and ss: the weak-link tests' network namespaces, and reading a socket's buffers (tests/server/media.ports.test.ts)
  iproute2
  # mediasoup's worker (step 3)
  g++ meson ninja-build pkg-config libuv1-dev libsrtp2-dev libflatbuffers-dev flatbuffers-compiler)
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

# mediasoup's own postinstall downloads a prebuilt worker from GitHub or builds one whose
# dependencies it downloads; MEDIASOUP_WORKER_BIN makes it skip that step, and step 3 builds it.
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
bash scripts/mediasoup/build-worker.sh
log "done"
