#!/usr/bin/env bash
# Runs a command with Confidant's Node (22 or newer) first on PATH:
#
#   scripts/with-node.sh CMD [ARGS…]      e.g. scripts/with-node.sh node --import tsx src/server/cli.ts
#
# npm starts scripts with whatever Node the user has; where that one is older than 22, this
# puts the Node that `npm run setup` provided (.runtime/, see scripts/runtime.mjs) first, so
# CMD and everything it starts (`node`, `npm`, `npx`, tools whose scripts start with
# `#!/usr/bin/env node`) run on it. Where the system's Node is new enough, CMD runs as is.
# exec, so signals reach CMD itself.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS…]" >&2
  exit 2
fi

settings=$(node "$(dirname "$0")/runtime.mjs" env)
while IFS= read -r line; do
  [ -n "$line" ] && export "${line?}"
done <<<"$settings"
exec "$@"
