#!/usr/bin/env bash
# pki.sh — a small public-key infrastructure for trying and testing
# signatures, made and answered by OpenSSL on 127.0.0.1:
#
#   root CA ─► issuing CA ─┬► signer   (e-seal: AIA with OCSP, CRL distribution point)
#                          ├► TSA      (extendedKeyUsage timeStamping, critical)
#                          └► OCSP responder (OCSPSigning, ocsp-nocheck)
#
# Commands (DIR is a folder of its own; init creates it):
#   pki.sh init DIR      make the CAs and certificates; three free loopback ports,
#                        chosen now, go into the URLs the certificates name
#   pki.sh start DIR [SERVICE...]
#                        start the services (default all three), each an HTTP server
#                        on its own 127.0.0.1 port:
#                          ocsp  OpenSSL's OCSP responder: each request is answered
#                                by `openssl ocsp -index … -reqin … -respout …`
#                          crl   the CRLs and CA certificates the certificates point at
#                          tsa   the timestamp authority: `openssl ts -reply`
#                        (`openssl ocsp -port` of OpenSSL 3.0 listens on every
#                        interface; the thin HTTP wrapper, scripts/pkihttp, keeps
#                        all three on loopback)
#   pki.sh stop DIR [SERVICE...]
#                        stop them (default all)
#   pki.sh issue DIR NAME [CSR]
#                        issue DIR/NAME.pem, a signer certificate, for a new key
#                        (DIR/NAME.key) or for the key of a PEM request (an HSM key);
#                        DIR/NAME-chain.pem is the certificate and its issuers
#   pki.sh revoke DIR CERT
#                        revoke a certificate the issuing CA issued, now; the CRL is
#                        made again and the OCSP responder reads the change
#   pki.sh env DIR       print the shell variables naming the servers
#
# Files in DIR: root.pem, issuing.pem, signer.pem (+ signer.key, signer-chain.pem),
# tsa.pem, ocsp.pem, crl/root.crl, crl/issuing.crl (DER), openssl.cnf, env.
# Keys are EC P-256 in PKCS #8 PEM, unencrypted: for tests and trials only.
#
# Inputs: UTDRAG_CACHE (default ~/.cache/utdrag) holds the HTTP server binary,
# built from scripts/pkihttp on first use.
set -euo pipefail

log() { echo "pki: $*" >&2; }
die() { log "$*"; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
cache="${UTDRAG_CACHE:-$HOME/.cache/utdrag}"

# free_port prints a loopback port nobody listens on, below the range the
# kernel hands out to outgoing connections (which would make the bind fail
# later). Another process may still take it first: then start fails, and
# the caller makes a PKI again.
free_port() {
	local port i low=32768
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	((low > 12000)) || low=32768
	for i in $(seq 1 200); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	die "no free port found"
}

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

write_config() {
	local dir=$1 ocsp=$2 http=$3
	cat >"$dir/openssl.cnf" <<EOF
# Made by scripts/pki.sh: OCSP on port $ocsp, CRLs and CA certificates on port $http.
[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = unused

[ root_ca ]
dir              = $dir/root
database         = \$dir/index.txt
new_certs_dir    = \$dir/new
certificate      = $dir/root.pem
private_key      = $dir/root/root.key
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_days     = 3650
default_crl_days = 30
policy           = policy_any
unique_subject   = no
copy_extensions  = none

[ issuing_ca ]
dir              = $dir/issuing
database         = \$dir/index.txt
new_certs_dir    = \$dir/new
certificate      = $dir/issuing.pem
private_key      = $dir/issuing/issuing.key
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_days     = 730
default_crl_days = 7
policy           = policy_any
unique_subject   = no
copy_extensions  = none

[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied

[ v3_root ]
basicConstraints     = critical, CA:true
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_issuing ]
basicConstraints       = critical, CA:true, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = caIssuers;URI:http://127.0.0.1:$http/certs/root.cer
crlDistributionPoints  = URI:http://127.0.0.1:$http/crl/root.crl

[ v3_signer ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:http://127.0.0.1:$ocsp, caIssuers;URI:http://127.0.0.1:$http/certs/issuing.cer
crlDistributionPoints  = URI:http://127.0.0.1:$http/crl/issuing.crl

[ v3_tsa ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = critical, timeStamping
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:http://127.0.0.1:$ocsp, caIssuers;URI:http://127.0.0.1:$http/certs/issuing.cer
crlDistributionPoints  = URI:http://127.0.0.1:$http/crl/issuing.crl

[ v3_ocsp ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = critical, OCSPSigning
noCheck                = ignored
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir                    = $dir/tsa
serial                 = \$dir/serial
crypto_device          = builtin
signer_cert            = $dir/tsa.pem
certs                  = $dir/tsa-issuers.pem
signer_key             = $dir/tsa/tsa.key
signer_digest          = sha256
default_policy         = 2.999.16.1
digests                = sha256, sha384, sha512
accuracy               = secs:1
ordering               = no
tsa_name               = yes
ess_cert_id_chain      = no
ess_cert_id_alg        = sha256
EOF
}

# issue_cert CA EXTENSIONS SUBJECT KEY|CSR OUT: issues a certificate from
# the CA section for a key file or a certificate request.
issue_cert() {
	local dir=$1 ca=$2 ext=$3 subj=$4 in=$5 out=$6 csr
	if grep -q "CERTIFICATE REQUEST" "$in" 2>/dev/null; then
		csr=$in
	else
		csr="$dir/tmp.csr"
		openssl req -new -utf8 -config "$dir/openssl.cnf" -key "$in" -subj "$subj" -out "$csr"
	fi
	openssl ca -batch -notext -utf8 -config "$dir/openssl.cnf" -name "$ca" -extensions "$ext" \
		-subj "$subj" -preserveDN -in "$csr" -out "$out" 2>/dev/null ||
		die "openssl ca could not issue $out"
	rm -f "$dir/tmp.csr"
}

# make_crl CA NAME: writes the CA's CRL, DER, to crl/NAME.crl.
make_crl() {
	local dir=$1 ca=$2 name=$3
	openssl ca -config "$dir/openssl.cnf" -name "$ca" -gencrl -out "$dir/crl/$name.pem" 2>/dev/null ||
		die "openssl ca could not make the $name CRL"
	openssl crl -in "$dir/crl/$name.pem" -outform DER -out "$dir/crl/$name.crl.tmp"
	mv "$dir/crl/$name.crl.tmp" "$dir/crl/$name.crl"
}

cmd_init() {
	local dir=$1 ocsp http="" tsa=""
	ocsp=$(free_port)
	while [[ -z "$http" || "$http" == "$ocsp" ]]; do http=$(free_port); done
	while [[ -z "$tsa" || "$tsa" == "$ocsp" || "$tsa" == "$http" ]]; do tsa=$(free_port); done
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[[ ! -e "$dir/root.pem" ]] || die "$dir holds a PKI already"
	mkdir -p "$dir"/{root/new,issuing/new,tsa,crl,certs}
	for ca in root issuing; do
		: >"$dir/$ca/index.txt"
		echo "unique_subject = no" >"$dir/$ca/index.txt.attr"
		openssl rand -hex 16 >"$dir/$ca/serial"
		echo 1000 >"$dir/$ca/crlnumber"
	done
	echo 01 >"$dir/tsa/serial"
	write_config "$dir" "$ocsp" "$http"

	newkey "$dir/root/root.key"
	openssl req -x509 -new -utf8 -config "$dir/openssl.cnf" -key "$dir/root/root.key" -sha256 -days 7300 \
		-subj "/C=SE/O=Utdrag test-PKI/CN=Utdrag test-PKI rot-CA" -extensions v3_root -out "$dir/root.pem"
	newkey "$dir/issuing/issuing.key"
	issue_cert "$dir" root_ca v3_issuing "/C=SE/O=Utdrag test-PKI/CN=Utdrag test-PKI utfärdande CA" \
		"$dir/issuing/issuing.key" "$dir/issuing.pem"
	newkey "$dir/ocsp.key"
	issue_cert "$dir" issuing_ca v3_ocsp "/C=SE/O=Utdrag test-PKI/CN=Utdrag test-PKI OCSP" "$dir/ocsp.key" "$dir/ocsp.pem"
	newkey "$dir/tsa/tsa.key"
	issue_cert "$dir" issuing_ca v3_tsa "/C=SE/O=Utdrag test-PKI/CN=Utdrag test-PKI tidsstämpel" \
		"$dir/tsa/tsa.key" "$dir/tsa.pem"
	cat "$dir/issuing.pem" "$dir/root.pem" >"$dir/tsa-issuers.pem"
	openssl x509 -in "$dir/root.pem" -outform DER -out "$dir/certs/root.cer"
	openssl x509 -in "$dir/issuing.pem" -outform DER -out "$dir/certs/issuing.cer"
	make_crl "$dir" root_ca root
	make_crl "$dir" issuing_ca issuing
	cmd_issue "$dir" signer
	cat >"$dir/env" <<EOF
UTDRAG_TEST_PKI_DIR=$dir
UTDRAG_TEST_TSA_URL=http://127.0.0.1:$tsa/tsa
UTDRAG_TEST_OCSP_URL=http://127.0.0.1:$ocsp
UTDRAG_TEST_CRL_URL=http://127.0.0.1:$http/crl/issuing.crl
EOF
	echo "$ocsp" >"$dir/ocsp.port"
	echo "$http" >"$dir/crl.port"
	echo "$tsa" >"$dir/tsa.port"
	log "made a PKI in $dir (OCSP on 127.0.0.1:$ocsp, CRLs on 127.0.0.1:$http, TSA on 127.0.0.1:$tsa)"
}

cmd_issue() {
	local dir=$1 name=$2 csr=${3:-}
	[[ "$name" =~ ^[a-z0-9-]+$ ]] || die "name must be lower-case letters, digits and dashes"
	[[ ! -e "$dir/$name.pem" ]] || die "$dir/$name.pem exists already"
	local subj="/C=SE/O=Region Exempel/OU=Test/CN=Region Exempel e-sigill ($name)"
	if [[ -n "$csr" ]]; then
		issue_cert "$dir" issuing_ca v3_signer "$subj" "$csr" "$dir/$name.pem"
	else
		newkey "$dir/$name.key"
		issue_cert "$dir" issuing_ca v3_signer "$subj" "$dir/$name.key" "$dir/$name.pem"
	fi
	cat "$dir/$name.pem" "$dir/issuing.pem" "$dir/root.pem" >"$dir/$name-chain.pem"
}

cmd_revoke() {
	local dir=$1 cert=$2
	openssl ca -config "$dir/openssl.cnf" -name issuing_ca -revoke "$cert" -crl_reason keyCompromise 2>/dev/null ||
		die "openssl ca could not revoke $cert"
	make_crl "$dir" issuing_ca issuing
}

# ensure_pkihttp prints the path of the HTTP server binary, building it
# from scripts/pkihttp when missing or older than its source.
ensure_pkihttp() {
	local bin="$cache/bin/utdrag-pkihttp"
	if [[ ! -x "$bin" || "$here/pkihttp/main.go" -nt "$bin" ]]; then
		mkdir -p "$cache/bin"
		(cd "$here/.." && CGO_ENABLED=0 go build -o "$bin.$$" ./scripts/pkihttp) >&2 || die "could not build scripts/pkihttp"
		mv -f "$bin.$$" "$bin"
	fi
	echo "$bin"
}

wait_port() {
	local port=$1 pid=$2 deadline=$((SECONDS + 15))
	while ((SECONDS < deadline)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# alive reports whether process $1 runs; a zombie waiting to be reaped by
# whoever adopted it does not.
alive() {
	local state=""
	[[ -r "/proc/$1/stat" ]] || return 1
	read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
	[[ "$state" != Z ]]
}

services() { if [[ $# -eq 0 ]]; then echo ocsp crl tsa; else echo "$@"; fi; }

cmd_start() {
	local dir=$1 svc port bin pid
	shift
	dir=$(cd "$dir" && pwd)
	[[ -e "$dir/ocsp.port" ]] || die "$dir holds no PKI: run pki.sh init first"
	bin=$(ensure_pkihttp)
	for svc in $(services "$@"); do
		[[ -e "$dir/$svc.port" ]] || die "unknown service $svc: use ocsp, crl or tsa"
		if [[ -e "$dir/$svc.pid" ]] && alive "$(cat "$dir/$svc.pid")"; then
			continue
		fi
		port=$(cat "$dir/$svc.port")
		"$bin" -serve "$svc" -addr "127.0.0.1:$port" -dir "$dir" >>"$dir/$svc.log" 2>&1 &
		pid=$!
		echo "$pid" >"$dir/$svc.pid"
		wait_port "$port" "$pid" || { cat "$dir/$svc.log" >&2; die "$svc did not start on 127.0.0.1:$port"; }
	done
	log "started $(services "$@") for $dir"
}

cmd_stop() {
	local dir=$1 svc f pid
	shift
	for svc in $(services "$@"); do
		f="$dir/$svc.pid"
		[[ -e "$f" ]] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			alive "$pid" || break
			sleep 0.02
		done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$f"
	done
}

[[ $# -ge 2 ]] || { sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
cmd=$1
shift
case "$cmd" in
init) cmd_init "$@" ;;
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
issue | revoke)
	# openssl ca rewrites the index and serial files: one change at a time.
	exec 9>"$1/ca.lock"
	flock 9
	"cmd_$cmd" "$@"
	;;
env) sed 's/^/export /' "$1/env" ;;
*) die "unknown command $cmd" ;;
esac
