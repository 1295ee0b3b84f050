#!/usr/bin/env bash
# with-minio.sh CMD [ARGS...]
#
# Starts a throwaway MinIO server on a free loopback port, runs CMD with the
# environment the storage tests read, then stops MinIO and removes its data,
# passing CMD's exit code through.
#
# Exported to CMD:
#   UTDRAG_TEST_S3_ENDPOINT    host:port of the S3 API (plain HTTP)
#   UTDRAG_TEST_S3_ACCESS_KEY  root user
#   UTDRAG_TEST_S3_SECRET_KEY  root password
#   UTDRAG_TEST_MINIO_BIN      the minio binary, to restart the server
#   UTDRAG_TEST_MINIO_DATA     the server's data folder
#   UTDRAG_TEST_MINIO_PID      the server's process id, to stop it
#   UTDRAG_TEST_MINIO_CONSOLE  host:port of the console, to restart the server
# A test that restarts the server must stop the process it started itself;
# this script only stops the one it started.
#
# Inputs:
#   MINIO_BIN      use this binary instead of the cached build
#   UTDRAG_CACHE   cache folder (default ~/.cache/utdrag); the binary is
#                  built into $UTDRAG_CACHE/bin/minio when missing
set -euo pipefail

readonly MINIO_MODULE="github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
readonly ACCESS_KEY="utdrag-test"
readonly SECRET_KEY="utdrag-test-secret"

log() { echo "with-minio: $*" >&2; }

# shellcheck source=lib/ports.sh
source "$(dirname "$0")/lib/ports.sh"

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

# ensure_minio prints the path of a usable minio binary, building it if needed.
ensure_minio() {
	if [[ -n "${MINIO_BIN:-}" ]]; then
		[[ -x "$MINIO_BIN" ]] || { log "MINIO_BIN=$MINIO_BIN is not executable"; return 1; }
		echo "$MINIO_BIN"
		return
	fi
	local bindir="${UTDRAG_CACHE:-$HOME/.cache/utdrag}/bin"
	if [[ -x "$bindir/minio" ]]; then
		echo "$bindir/minio"
		return
	fi
	mkdir -p "$bindir"
	local attempt
	for attempt in 1 2 3; do
		log "building $MINIO_MODULE into $bindir (attempt $attempt of 3)"
		# The module download can stall; timeout turns a stall into a retry.
		if GOBIN="$bindir" timeout 900 go install "$MINIO_MODULE" >&2; then
			echo "$bindir/minio"
			return
		fi
	done
	log "could not build minio"
	return 1
}

minio_pid=""
workdir=""

cleanup() {
	if [[ -n "$minio_pid" ]] && kill -0 "$minio_pid" 2>/dev/null; then
		kill "$minio_pid" 2>/dev/null || true
		# Give MinIO a moment to exit cleanly before forcing it.
		for _ in $(seq 1 50); do
			kill -0 "$minio_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$minio_pid" 2>/dev/null || true
		wait "$minio_pid" 2>/dev/null || true
	fi
	if [[ -n "$workdir" ]]; then
		rm -rf "$workdir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_ready waits up to 60 s for the server at $1 to report ready and to
# answer S3 calls, giving up early when the process has died. MinIO's
# health check turns ready a moment before the S3 API stops answering
# 503 "Server not initialized"; an anonymous request then gets 403.
wait_ready() {
	local addr=$1 deadline=$((SECONDS + 60)) code
	while ((SECONDS < deadline)); do
		kill -0 "$minio_pid" 2>/dev/null || return 1
		if curl -fsS -o /dev/null --max-time 2 "http://$addr/minio/health/ready" 2>/dev/null; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$addr/" 2>/dev/null || true)
			if [[ $code != 503 && $code != 000 ]]; then
				return 0
			fi
		fi
		sleep 0.2
	done
	return 1
}

# start_minio starts the server on fresh ports, retrying when a port was
# taken in the meantime; it sets minio_pid and api_addr, console_addr.
start_minio() {
	local bin=$1 attempt
	for attempt in 1 2 3; do
		api_addr="127.0.0.1:$(free_port)"
		console_addr="$api_addr"
		while [[ "$console_addr" == "$api_addr" ]]; do
			console_addr="127.0.0.1:$(free_port)"
		done
		MINIO_ROOT_USER="$ACCESS_KEY" MINIO_ROOT_PASSWORD="$SECRET_KEY" \
			MINIO_BROWSER=off MINIO_UPDATE=off \
			"$bin" server --address "$api_addr" --console-address "$console_addr" \
			"$workdir/data" >>"$workdir/minio.log" 2>&1 &
		minio_pid=$!
		if wait_ready "$api_addr"; then
			return 0
		fi
		log "minio did not become ready on $api_addr (attempt $attempt of 3)"
		kill "$minio_pid" 2>/dev/null || true
		wait "$minio_pid" 2>/dev/null || true
		minio_pid=""
	done
	log "minio failed to start; its log follows"
	cat "$workdir/minio.log" >&2
	return 1
}

bin=$(ensure_minio)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/utdrag-minio.XXXXXX")
mkdir -p "$workdir/data"
start_minio "$bin"

export UTDRAG_TEST_S3_ENDPOINT="$api_addr"
export UTDRAG_TEST_S3_ACCESS_KEY="$ACCESS_KEY"
export UTDRAG_TEST_S3_SECRET_KEY="$SECRET_KEY"
export UTDRAG_TEST_MINIO_BIN="$bin"
export UTDRAG_TEST_MINIO_DATA="$workdir/data"
export UTDRAG_TEST_MINIO_PID="$minio_pid"
export UTDRAG_TEST_MINIO_CONSOLE="$console_addr"
log "minio ready at $api_addr (pid $minio_pid, data $workdir/data)"

status=0
"$@" || status=$?
exit "$status"
