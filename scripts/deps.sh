#!/usr/bin/env bash
# Installs the Debian tools the tests use, when they are missing:
# poppler-utils (pdftotext, pdffonts, pdfinfo, pdfsig, pdfdetach,
# pdftoppm), qpdf, jq (the audit export is read back with it), strings
# (binutils: the secrecy tests search stored
# objects with it), and certutil (libnss3-tools) to make the NSS database
# pdfsig trusts. Extras named as arguments: chromium; node (nodejs and npm,
# for the npm packages scripts/node-deps.sh installs); postgresql (the
# server with-postgres.sh runs); preflight (Apache PDFBox's PDF/A validator
# with what it needs to run: libpdfbox2-java, libactivation-java,
# libjaxb-api-java, a Java runtime); openssl (the test PKI of
# scripts/pki.sh); softhsm2 (the PKCS #11 token the HSM tests sign with);
# gcc (cgo, for the PKCS #11 build the tests run); or any Debian package.
set -euo pipefail

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v strings >/dev/null 2>&1 || need+=(binutils)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
command -v jq >/dev/null 2>&1 || need+=(jq)
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;;
    openssl) command -v openssl >/dev/null 2>&1 || need+=(openssl) ;;
    gcc) command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev) ;;
    softhsm2) [ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2) ;;
    preflight)
      command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
      for p in libpdfbox2-java:preflight.jar libactivation-java:javax.activation.jar libjaxb-api-java:jaxb-api.jar; do
        [ -f "/usr/share/java/${p#*:}" ] || need+=("${p%%:*}")
      done ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql) ;;
    node)
      command -v node >/dev/null 2>&1 || need+=(nodejs)
      command -v npm >/dev/null 2>&1 || need+=(npm)
      ;;
    *) need+=("$extra") ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
  if $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt-get failed (attempt $attempt), retrying" >&2
  sleep 5
done
exit 1
