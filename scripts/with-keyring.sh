#!/usr/bin/env bash
# Runs a command where a Secret Service (the Linux OS keychain keytar talks to) is reachable.
#
#   scripts/with-keyring.sh CMD [ARGS…]
#
# If the session bus already has one (a desktop session), CMD runs as is. Otherwise this
# re-executes itself inside a private D-Bus session (dbus-run-session), starts
# gnome-keyring-daemon there with a throwaway keyring (its own directory, a random password
# on stdin) and runs CMD; the bus, the daemon and the keyring go away afterwards. Without
# gnome-keyring or dbus-run-session, CMD runs as is and keychain tests report skipped.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS…]" >&2
  exit 2
fi

has_secret_service() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
  command -v dbus-send >/dev/null 2>&1 || return 1
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

if [ -z "${CONFIDANT_KEYRING_PRIVATE:-}" ]; then
  if has_secret_service; then exec "$@"; fi
  if ! command -v gnome-keyring-daemon >/dev/null 2>&1 || ! command -v dbus-run-session >/dev/null 2>&1; then
    echo "with-keyring: gnome-keyring or dbus-run-session is not installed; running without a Secret Service (keychain tests will be skipped)" >&2
    exec "$@"
  fi
  export CONFIDANT_KEYRING_PRIVATE=1
  exec dbus-run-session -- bash "$0" "$@"
fi

# Inside the private bus: a throwaway keyring that never touches the user's own.
keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/confidant-keyring.XXXXXX")
cleanup() {
  if [ -n "${GNOME_KEYRING_PID:-}" ]; then kill "$GNOME_KEYRING_PID" 2>/dev/null || true; fi
  rm -rf "$keyring_home"
}
trap cleanup EXIT

export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p -m 700 "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
password=$(head -c 24 /dev/urandom | base64)
# --unlock reads the password on stdin and creates and unlocks the "login" keyring with it;
# the daemon prints the variables clients need (GNOME_KEYRING_CONTROL, GNOME_KEYRING_PID).
daemon_env=$(printf '%s' "$password" | gnome-keyring-daemon --unlock --components=secrets)
while IFS= read -r line; do
  case "$line" in
    GNOME_KEYRING_CONTROL=* | GNOME_KEYRING_PID=* | SSH_AUTH_SOCK=*) export "${line?}" ;;
  esac
done <<<"$daemon_env"

# The daemon claims its bus name a moment after it forks; wait up to about 5 s.
for _ in $(seq 50); do has_secret_service && break; sleep 0.1; done
if ! has_secret_service; then
  echo "with-keyring: gnome-keyring-daemon did not register a Secret Service; keychain tests will be skipped" >&2
fi
unset CONFIDANT_KEYRING_PRIVATE
set +e
"$@"
status=$?
exit "$status"
