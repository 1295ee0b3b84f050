#!/usr/bin/env bash
# with-oidc.sh CMD [ARGS...]
#
# Starts an OpenID provider on a free loopback port — the example server of
# github.com/zitadel/oidc with groups and title claims (scripts/oidcprovider)
# — runs CMD with the environment the login tests read, then stops the
# provider, passing CMD's exit code through.
#
# The provider knows one client and these users (password "utdrag-test"
# for each):
#   lena    Lena Nordin, Nämndsekreterare; groups utdrag-kommun-registratorer
#   admin   Ada Admin, Systemförvaltare; groups utdrag-administratorer
#   nils    Nils Nyman, no title; groups utdrag-kommun-registratorer
#   utan    Ulla Utan; groups ekonomi (no group Utdrag maps)
#
# Exported to CMD:
#   UTDRAG_TEST_OIDC_ISSUER         http://127.0.0.1:PORT/
#   UTDRAG_TEST_OIDC_CLIENT_ID      the client's id
#   UTDRAG_TEST_OIDC_CLIENT_SECRET  its secret
#   UTDRAG_TEST_OIDC_USERS          the users file (JSON), for the tests to read
#
# The provider is built from scripts/oidcprovider (a module of its own) into
# $UTDRAG_CACHE/bin (default ~/.cache/utdrag/bin), once per version of its
# source.
set -euo pipefail

log() { echo "with-oidc: $*" >&2; }

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/ports.sh
source "$here/lib/ports.sh"

readonly CLIENT_ID="utdrag-test"

# ensure_provider prints the path of the provider binary, building it when
# its source changed.
ensure_provider() {
	local src="$here/oidcprovider" sum bindir bin attempt
	sum=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)
	bindir="${UTDRAG_CACHE:-$HOME/.cache/utdrag}/bin"
	bin="$bindir/utdrag-oidcprovider-$sum"
	if [[ -x "$bin" ]]; then
		echo "$bin"
		return
	fi
	mkdir -p "$bindir"
	for attempt in 1 2 3; do
		log "building scripts/oidcprovider into $bin (attempt $attempt of 3)"
		# The module download can stall; timeout turns a stall into a retry.
		if (cd "$src" && CGO_ENABLED=0 timeout 600 go build -trimpath -o "$bin.$$" .) >&2; then
			mv "$bin.$$" "$bin"
			echo "$bin"
			return
		fi
	done
	log "could not build scripts/oidcprovider"
	return 1
}

pid=""
workdir=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	[[ -n "$workdir" ]] && rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bin=$(ensure_provider)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/utdrag-oidc.XXXXXX")
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$workdir/users.json" <<'JSON'
{
  "u-lena": {"ID": "u-lena", "Username": "lena", "Password": "utdrag-test", "FirstName": "Lena", "LastName": "Nordin",
             "Email": "lena.nordin@example.se", "EmailVerified": true, "PreferredLanguage": "sv",
             "Groups": ["utdrag-kommun-registratorer"], "Title": "Nämndsekreterare"},
  "u-admin": {"ID": "u-admin", "Username": "admin", "Password": "utdrag-test", "FirstName": "Ada", "LastName": "Admin",
              "Email": "ada.admin@example.se", "EmailVerified": true, "PreferredLanguage": "sv",
              "Groups": ["utdrag-administratorer"], "Title": "Systemförvaltare"},
  "u-nils": {"ID": "u-nils", "Username": "nils", "Password": "utdrag-test", "FirstName": "Nils", "LastName": "Nyman",
             "Email": "nils.nyman@example.se", "EmailVerified": true, "PreferredLanguage": "sv",
             "Groups": ["utdrag-kommun-registratorer"]},
  "u-utan": {"ID": "u-utan", "Username": "utan", "Password": "utdrag-test", "FirstName": "Ulla", "LastName": "Utan",
             "Email": "ulla.utan@example.se", "EmailVerified": true, "PreferredLanguage": "sv",
             "Groups": ["ekonomi"]}
}
JSON

started=""
for attempt in 1 2 3; do
	addr="127.0.0.1:$(free_port)"
	"$bin" -addr "$addr" -users "$workdir/users.json" -client "$CLIENT_ID" -secret "$secret" >>"$workdir/provider.log" 2>&1 &
	pid=$!
	# Up to 30 s: on a busy machine the first start takes a while.
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		if curl -fsS -o /dev/null --max-time 2 "http://$addr/.well-known/openid-configuration" 2>/dev/null; then
			started=1
			break
		fi
		sleep 0.1
	done
	[[ -n "$started" ]] && break
	log "the provider did not start on $addr (attempt $attempt of 3); its log ends:"
	tail -n 5 "$workdir/provider.log" >&2 || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
done
if [[ -z "$started" ]]; then
	log "the provider failed to start; its log follows"
	cat "$workdir/provider.log" >&2
	exit 1
fi

export UTDRAG_TEST_OIDC_ISSUER="http://$addr/"
export UTDRAG_TEST_OIDC_CLIENT_ID="$CLIENT_ID"
export UTDRAG_TEST_OIDC_CLIENT_SECRET="$secret"
export UTDRAG_TEST_OIDC_USERS="$workdir/users.json"
log "provider ready at http://$addr/ (pid $pid)"

status=0
"$@" || status=$?
exit "$status"
