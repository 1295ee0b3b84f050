#!/usr/bin/env bash
# with-pki.sh CMD [ARGS...]
#
# Makes a throwaway test PKI with scripts/pki.sh (root CA, issuing CA, an
# e-seal signer certificate, a TSA certificate, OpenSSL's OCSP responder,
# the CRLs and OpenSSL's timestamp authority, each on a free 127.0.0.1
# port), runs CMD with the environment the signature tests read, then stops
# the services and removes the PKI, passing CMD's exit code through.
# Composes with the other with-*.sh scripts:
#
#	scripts/with-minio.sh scripts/with-pki.sh go test ./...
#
# Exported to CMD:
#   UTDRAG_TEST_PKI_DIR    the PKI folder (see scripts/pki.sh for its files)
#   UTDRAG_TEST_TSA_URL    the timestamp authority
#   UTDRAG_TEST_OCSP_URL   the OCSP responder the certificates name
#   UTDRAG_TEST_CRL_URL    the issuing CA's CRL
#   UTDRAG_TEST_PDFCPU     pdfcpu v0.15.0, a signature validator nobody
#                          here wrote, built once into $UTDRAG_CACHE/bin
# Tests that stop a service or revoke a certificate make a PKI of their own
# with the same script; this one is shared by every test package.
#
# Inputs:
#   UTDRAG_CACHE   cache folder (default ~/.cache/utdrag)
set -euo pipefail

readonly PDFCPU_MODULE="github.com/pdfcpu/pdfcpu/cmd/pdfcpu@v0.15.0"

log() { echo "with-pki: $*" >&2; }

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
cache="${UTDRAG_CACHE:-$HOME/.cache/utdrag}"

# ensure_pdfcpu prints the path of pdfcpu v0.15.0, building it once.
ensure_pdfcpu() {
	local bindir="$cache/pdfcpu-v0.15.0"
	if [[ -x "$bindir/pdfcpu" ]]; then
		echo "$bindir/pdfcpu"
		return
	fi
	mkdir -p "$bindir"
	local attempt
	for attempt in 1 2 3; do
		log "building $PDFCPU_MODULE into $bindir (attempt $attempt of 3)"
		if GOBIN="$bindir" CGO_ENABLED=0 timeout 600 go install "$PDFCPU_MODULE" >&2; then
			echo "$bindir/pdfcpu"
			return
		fi
	done
	log "could not build pdfcpu"
	return 1
}

command -v openssl >/dev/null 2>&1 || "$here/deps.sh" openssl

pki=""
cleanup() {
	if [[ -n "$pki" ]]; then
		"$here/pki.sh" stop "$pki/pki" || true
		rm -rf "$pki"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pdfcpu=$(ensure_pdfcpu)
pki=$(mktemp -d "${TMPDIR:-/tmp}/utdrag-pki.XXXXXX")
# A port chosen free may be taken before the service binds it; the ports
# are in the certificates, so a retry makes the PKI again.
for attempt in 1 2 3; do
	rm -rf "$pki/pki"
	"$here/pki.sh" init "$pki/pki"
	if "$here/pki.sh" start "$pki/pki"; then
		break
	fi
	"$here/pki.sh" stop "$pki/pki" || true
	((attempt < 3)) || { log "the PKI did not start"; exit 1; }
done
set -a
# shellcheck disable=SC1091
. "$pki/pki/env"
set +a
export UTDRAG_TEST_PDFCPU="$pdfcpu"
log "PKI ready in $UTDRAG_TEST_PKI_DIR (TSA $UTDRAG_TEST_TSA_URL, OCSP $UTDRAG_TEST_OCSP_URL)"

status=0
"$@" || status=$?
exit "$status"
