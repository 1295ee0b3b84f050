#!/usr/bin/env bash
# minio-cluster.sh — a four-node, eight-drive erasure-coded MinIO cluster on
# loopback (127.0.0.1 only), one pool, one erasure set of 8 drives with
# parity 4 (EC:4): it keeps serving reads and writes with one node (two
# drives) down; with two nodes down it still serves reads (read quorum 4)
# but no writes (write quorum 5).
#
#   minio-cluster.sh up DIR          start the cluster in DIR (created), wait until it
#                                    has write quorum; DIR/cluster.env names it
#   minio-cluster.sh down DIR        stop every node this script started in DIR
#   minio-cluster.sh kill DIR N      kill node N (1–4) the hard way, as a crash
#   minio-cluster.sh start DIR N     start node N again on its address and drives
#   minio-cluster.sh run CMD [ARGS]  up in a temporary folder, run CMD with the
#                                    cluster's environment, down, pass CMD's status
#
# DIR/cluster.env (sourced by `run` for CMD, exported):
#   UTDRAG_CLUSTER_DIR         DIR
#   UTDRAG_CLUSTER_ENDPOINTS   host:port of the four nodes' S3 API, comma-separated
#   UTDRAG_CLUSTER_ACCESS_KEY, UTDRAG_CLUSTER_SECRET_KEY   root user and password
#   UTDRAG_CLUSTER_SCRIPT      this script, for kill and start
#
# Two things this MinIO build needs on one machine:
#  - MINIO_CI_CD=1: the drives are folders on the root disk, which MinIO
#    otherwise refuses for a distributed setup.
#  - _MINIO_SERVER_LOCAL=127.0.0.1:PORT, per node: inside a container
#    (/.dockerenv, /run/.containerenv or Kubernetes) MinIO does not trust a
#    host that resolves to loopback to be local and waits for it to resolve
#    to another address, forever. This variable (read in cmd/endpoint.go,
#    PoolEndpointList.UpdateIsLocal, only when containerised) names the
#    endpoint host that is the node itself. Outside a container it is not
#    read and the node finds itself by address and port.
# Each node's drives are separate folders (DIR/nodeN/d1, d2): MinIO refuses
# one path served on two ports of one address.
#
# Inputs: MINIO_BIN (default: the binary scripts/with-minio.sh builds and
# caches in ~/.cache/utdrag/bin), UTDRAG_CLUSTER_START_TIMEOUT (seconds,
# default 90).
set -euo pipefail

readonly NODES=4
readonly ACCESS_KEY="utdrag-cluster"
readonly SECRET_KEY="utdrag-cluster-secret"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT="$here/$(basename "${BASH_SOURCE[0]}")"

log() { echo "minio-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

minio_bin() {
	if [[ -n "${MINIO_BIN:-}" ]]; then
		echo "$MINIO_BIN"
		return
	fi
	local bin="${UTDRAG_CACHE:-$HOME/.cache/utdrag}/bin/minio"
	if [[ ! -x "$bin" ]]; then
		# with-minio.sh builds and caches the pinned MinIO; ask it to.
		"$here/with-minio.sh" true >/dev/null
	fi
	echo "$bin"
}

# free_ports prints n distinct loopback ports nobody listens on.
free_ports() {
	local n=$1 port tries=0
	local -a got=()
	while ((${#got[@]} < n)); do
		((tries++ < 1000)) || die "no free ports"
		port=$((20000 + RANDOM % 40000))
		[[ " ${got[*]} " == *" $port "* ]] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			got+=("$port")
		fi
	done
	echo "${got[@]}"
}

# state reads DIR/state: the folder's absolute path (CLUSTER_DIR), ports
# and the binary, written by up.
state() {
	local dir=$1
	[[ -f "$dir/state" ]] || die "$dir holds no cluster (no $dir/state)"
	# shellcheck source=/dev/null
	source "$dir/state"
}

# endpoints prints the drive arguments every node gets, the same on all:
# the eight drives listed one by one. (With an ellipsis per node, as
# node1/d{1...2}, MinIO would make four sets of two drives; one ellipsis
# over all nodes needs consecutive ports and one path for all.)
endpoints() {
	local i d
	for i in $(seq 1 $NODES); do
		for d in 1 2; do
			printf 'http://127.0.0.1:%s%s/node%s/d%s ' "${API_PORTS[$((i - 1))]}" "$CLUSTER_DIR" "$i" "$d"
		done
	done
}

start_node() {
	local dir=$1 i=$2
	state "$dir"
	local api="127.0.0.1:${API_PORTS[$((i - 1))]}"
	local console="127.0.0.1:${CONSOLE_PORTS[$((i - 1))]}"
	local pidfile="$dir/node$i.pid"
	if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		die "node $i runs already (pid $(cat "$pidfile"))"
	fi
	mkdir -p "$CLUSTER_DIR/node$i/d1" "$CLUSTER_DIR/node$i/d2"
	# shellcheck disable=SC2046 # the endpoints are meant to split into words
	MINIO_ROOT_USER="$ACCESS_KEY" MINIO_ROOT_PASSWORD="$SECRET_KEY" \
		MINIO_CI_CD=1 MINIO_BROWSER=off MINIO_UPDATE=off \
		MINIO_STORAGE_CLASS_STANDARD=EC:4 \
		_MINIO_SERVER_LOCAL="$api" \
		"$BIN" server --address "$api" --console-address "$console" $(endpoints) \
		>>"$dir/node$i.log" 2>&1 </dev/null &
	local pid=$!
	disown "$pid" # killed on purpose: no job notice
	echo "$pid" >"$pidfile"
	log "node $i on $api (pid $pid)"
}

kill_node() {
	local dir=$1 i=$2 pid
	local pidfile="$dir/node$i.pid"
	[[ -f "$pidfile" ]] || die "node $i was not started here"
	pid=$(cat "$pidfile")
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$pidfile"
	log "node $i killed (pid $pid)"
}

# wait_quorum waits until every running node reports write quorum on
# /minio/health/cluster (200) and answers S3 calls.
wait_quorum() {
	local dir=$1 deadline=$((SECONDS + ${UTDRAG_CLUSTER_START_TIMEOUT:-90})) i ok code
	state "$dir"
	while ((SECONDS < deadline)); do
		ok=1
		for i in $(seq 1 $NODES); do
			[[ -f "$dir/node$i.pid" ]] || continue
			kill -0 "$(cat "$dir/node$i.pid")" 2>/dev/null || die "node $i died; its log is $dir/node$i.log"
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
				"http://127.0.0.1:${API_PORTS[$((i - 1))]}/minio/health/cluster" 2>/dev/null || true)
			[[ $code == 200 ]] || { ok=0; break; }
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
				"http://127.0.0.1:${API_PORTS[$((i - 1))]}/" 2>/dev/null || true)
			[[ $code != 503 && $code != 000 ]] || { ok=0; break; }
		done
		((ok)) && return 0
		sleep 0.5
	done
	for i in $(seq 1 $NODES); do
		log "node $i log:"
		tail -n 20 "$dir/node$i.log" >&2 || true
	done
	die "no write quorum within ${UTDRAG_CLUSTER_START_TIMEOUT:-90} s"
}

up() {
	local dir=$1 i
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[[ ! -f "$dir/state" ]] || die "$dir holds a cluster already"
	local bin
	bin=$(minio_bin)
	read -r -a ports <<<"$(free_ports $((2 * NODES)))"
	{
		echo "CLUSTER_DIR='$dir'"
		echo "BIN='$bin'"
		echo "API_PORTS=(${ports[*]:0:NODES})"
		echo "CONSOLE_PORTS=(${ports[*]:NODES:NODES})"
	} >"$dir/state"
	state "$dir"
	for i in $(seq 1 $NODES); do
		start_node "$dir" "$i"
	done
	wait_quorum "$dir"
	local eps=()
	for i in $(seq 1 $NODES); do
		eps+=("127.0.0.1:${API_PORTS[$((i - 1))]}")
	done
	{
		echo "UTDRAG_CLUSTER_DIR='$dir'"
		echo "UTDRAG_CLUSTER_ENDPOINTS='$(
			IFS=,
			echo "${eps[*]}"
		)'"
		echo "UTDRAG_CLUSTER_ACCESS_KEY='$ACCESS_KEY'"
		echo "UTDRAG_CLUSTER_SECRET_KEY='$SECRET_KEY'"
		echo "UTDRAG_CLUSTER_SCRIPT='$SCRIPT'"
	} >"$dir/cluster.env"
	log "cluster ready: ${eps[*]} (EC:4 over 8 drives in $dir)"
}

down() {
	local dir=$1 i
	for i in $(seq 1 $NODES); do
		[[ -f "$dir/node$i.pid" ]] && kill_node "$dir" "$i"
	done
	return 0
}

run() {
	local dir status=0
	dir=$(mktemp -d "${TMPDIR:-/tmp}/utdrag-cluster.XXXXXX")
	# shellcheck disable=SC2064 # dir is fixed now
	trap "down '$dir'; rm -rf '$dir'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	up "$dir"
	set -a
	# shellcheck source=/dev/null
	source "$dir/cluster.env"
	set +a
	"$@" || status=$?
	return "$status"
}

node_arg() {
	[[ ${1:-} =~ ^[1-4]$ ]] || die "node must be 1–$NODES, not '${1:-}'"
}

cmd=${1:-}
shift || true
case "$cmd" in
up) [[ $# -eq 1 ]] || die "usage: $0 up DIR"; up "$1" ;;
down) [[ $# -eq 1 ]] || die "usage: $0 down DIR"; down "$1" ;;
kill) [[ $# -eq 2 ]] || die "usage: $0 kill DIR N"; node_arg "$2"; kill_node "$1" "$2" ;;
start) [[ $# -eq 2 ]] || die "usage: $0 start DIR N"; node_arg "$2"; start_node "$1" "$2" ;;
run) [[ $# -ge 1 ]] || die "usage: $0 run CMD [ARGS...]"; run "$@" ;;
*) die "usage: $0 up DIR | down DIR | kill DIR N | start DIR N | run CMD [ARGS...]" ;;
esac
