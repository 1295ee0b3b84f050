#!/usr/bin/env bash
# Installs the npm packages the tests use, pinned, into a cache folder when
# they are missing: ajv and ajv-formats, with which the schema tests check
# schema/extract.schema.json as a validator nobody here wrote reads it.
#
# Inputs:
#   UTDRAG_CACHE   cache folder (default ~/.cache/utdrag); the packages go
#                  to $UTDRAG_CACHE/node/node_modules
# Needs node and npm (scripts/deps.sh node installs them).
set -euo pipefail

readonly PACKAGES=(ajv@8.20.0 ajv-formats@3.0.1)

dir="${UTDRAG_CACHE:-$HOME/.cache/utdrag}/node"
stamp="$dir/installed"
[[ -f "$stamp" && "$(cat "$stamp")" == "${PACKAGES[*]}" ]] && exit 0

mkdir -p "$dir"
for attempt in 1 2 3; do
	echo "node-deps: installing ${PACKAGES[*]} into $dir (attempt $attempt of 3)" >&2
	if timeout 300 npm install --prefix "$dir" --no-audit --no-fund --no-update-notifier --loglevel=error "${PACKAGES[@]}" >&2; then
		echo "${PACKAGES[*]}" >"$stamp"
		exit 0
	fi
	sleep 5
done
echo "node-deps: could not install ${PACKAGES[*]}" >&2
exit 1
