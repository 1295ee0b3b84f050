#!/usr/bin/env bash
# with-postgres.sh CMD [ARGS...]
#
# Starts a throwaway PostgreSQL cluster (initdb in a temporary folder,
# listening on a free port of 127.0.0.1 only), runs CMD with the
# environment the index tests read, then stops the server and removes the
# cluster, passing CMD's exit code through. Composes with with-minio.sh:
#
#	scripts/with-minio.sh scripts/with-postgres.sh go test ./...
#
# Exported to CMD:
#   UTDRAG_TEST_POSTGRES_URL  postgres://… of a superuser on the cluster's
#                             "postgres" database; tests create a database
#                             of their own on it
#
# Debian's postgresql package is installed (scripts/deps.sh) when no
# server is found. PostgreSQL refuses to run as root: as root the server
# runs as the unprivileged "postgres" user the package creates.
#
# Inputs:
#   PG_BINDIR       use the server binaries in this folder
#   UTDRAG_PG_FSYNC on: durable commits (benchmarks); default off, the
#                   cluster is thrown away
set -euo pipefail

log() { echo "with-postgres: $*" >&2; }

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/ports.sh
source "$here/lib/ports.sh"

# find_bindir prints the folder holding initdb and pg_ctl: PG_BINDIR, the
# newest /usr/lib/postgresql/N/bin, or the PATH.
find_bindir() {
	if [[ -n "${PG_BINDIR:-}" ]]; then
		echo "$PG_BINDIR"
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -n "$d" && -x "$d/initdb" ]]; then
		echo "$d"
		return
	fi
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return
	fi
	return 1
}

bindir=$(find_bindir || true)
if [[ -z "$bindir" ]]; then
	"$here/deps.sh" postgresql
	bindir=$(find_bindir) || { log "no PostgreSQL server binaries found after installing"; exit 1; }
fi

# as_server runs a command as the user the server runs as.
as_server() {
	if [[ "$(id -u)" -eq 0 ]]; then
		runuser -u "$pg_user" -- "$@"
	else
		"$@"
	fi
}

pg_user=$(id -un)
if [[ "$(id -u)" -eq 0 ]]; then
	pg_user=postgres
	id "$pg_user" >/dev/null 2>&1 || { log "running as root and no '$pg_user' user to run the server as"; exit 1; }
fi

workdir=""
started=""

cleanup() {
	if [[ -n "$started" ]]; then
		as_server "$bindir/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [[ -n "$workdir" ]]; then
		rm -rf "$workdir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

workdir=$(mktemp -d "${TMPDIR:-/tmp}/utdrag-postgres.XXXXXX")
chmod 755 "$workdir"
[[ "$(id -u)" -eq 0 ]] && chown "$pg_user" "$workdir"

locale=C
locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
as_server "$bindir/initdb" -D "$workdir/data" -U utdrag --auth=trust -E UTF8 --locale="$locale" \
	>"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; exit 1; }

fsync=off
[[ "${UTDRAG_PG_FSYNC:-}" == on ]] && fsync=on
for attempt in 1 2 3; do
	port=$(free_port)
	if as_server "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 start \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=$fsync -c max_connections=200" >/dev/null; then
		started=1
		break
	fi
	log "postgres did not start on port $port (attempt $attempt of 3)"
done
if [[ -z "$started" ]]; then
	log "postgres failed to start; its log follows"
	cat "$workdir/server.log" >&2 || true
	exit 1
fi

export UTDRAG_TEST_POSTGRES_URL="postgres://utdrag@127.0.0.1:$port/postgres?sslmode=disable"
log "postgres $("$bindir/postgres" --version | awk '{print $3}') ready at 127.0.0.1:$port (data $workdir/data)"

status=0
"$@" || status=$?
exit "$status"
