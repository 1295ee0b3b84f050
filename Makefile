# Utdrag — make run starts the service on embedded defaults; make test runs
# every test against real MinIO and SMTP servers and the poppler tools.

GO        ?= go
BIN       := bin/utdrag
PKGS      := ./...
TEST_TIMEOUT ?= 30m

.PHONY: run build build-pkcs11 test test-unit test-cluster vet fmt bench fuzz render-examples clean

# The example recipient directory lets a newcomer try distribution: the
# messages land as .eml files in ./data/outbox.
run:
	UTDRAG_RECIPIENTS=$${UTDRAG_RECIPIENTS:-examples/recipients.yaml} $(GO) run ./cmd/utdrag serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/utdrag

# With PKCS #11 (a signing key in an HSM): the token's module is a C
# library loaded at run time, so this build needs cgo and a C library
# where it runs; the static release build above has no PKCS #11.
build-pkcs11:
	CGO_ENABLED=1 $(GO) build -trimpath -tags pkcs11 -o $(BIN)-pkcs11 ./cmd/utdrag

# Installs what is missing (poppler-utils, qpdf, certutil, chromium, node,
# postgresql, PDFBox Preflight, openssl; ajv and ajv-formats from npm,
# MinIO and pdfcpu built from their pinned versions, all cached under
# ~/.cache/utdrag), starts MinIO, a throwaway PostgreSQL and the test PKI
# (scripts/pki.sh: OpenSSL's OCSP responder, CRLs and timestamp authority)
# and an OpenID provider (scripts/with-oidc.sh: zitadel's example server,
# built once into ~/.cache/utdrag/bin) on free loopback ports, runs every
# test, and stops them.
test:
	scripts/deps.sh chromium node postgresql preflight openssl softhsm2 gcc
	scripts/node-deps.sh
	$(GO) vet $(PKGS)
	$(GO) vet -tags pkcs11 $(PKGS)
	scripts/with-minio.sh scripts/with-postgres.sh scripts/with-pki.sh scripts/with-oidc.sh $(GO) test -tags pkcs11 -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)

# Not part of make test: two replicas behind a balancer, sharing PostgreSQL
# and a four-node MinIO cluster (scripts/minio-cluster.sh) behind its own
# balancer, under load from 16 clients while one node, then two, are
# killed; then every acknowledged extract is read back, readiness checked
# and the bucket searched for strays. About four minutes; bounded by 10.
test-cluster:
	scripts/deps.sh postgresql
	scripts/minio-cluster.sh run scripts/with-postgres.sh \
		$(GO) test -tags cluster -count=1 -timeout 10m -v -run TestClusterFaults ./e2e/cluster/

# Tests that need no server (MinIO tests skip outside CI).
test-unit:
	$(GO) test $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -l -w .

# Go benchmarks, the accessibility check of the HTML rendition, the
# comparison with Chromium, WeasyPrint and plain fpdf, the load test
# against MinIO, and the index at a million records on SQLite and
# PostgreSQL against today's listing (see BENCHMARKS.md). Installs Chromium and WeasyPrint
# (Debian) and axe-core (npm, under /tmp/utdrag-bench) when missing.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./typeset/ ./layout/ ./render/...
	$(GO) run ./cmd/utdrag typeset-report examples/*.json
	command -v chromium >/dev/null && command -v weasyprint >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium weasyprint; }
	test -f /tmp/utdrag-bench/node_modules/axe-core/axe.min.js || \
		npm install --prefix /tmp/utdrag-bench --no-audit --no-fund axe-core@4
	$(GO) run ./bench/a11y -axe /tmp/utdrag-bench/node_modules/axe-core/axe.min.js
	$(GO) run ./bench/peers
	scripts/with-minio.sh $(GO) run ./bench/load
	UTDRAG_PG_FSYNC=on scripts/with-minio.sh scripts/with-postgres.sh $(GO) run ./bench/index

FUZZTIME ?= 10m
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./extract/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalize$$' -fuzztime $(FUZZTIME) ./typeset/
	$(GO) test -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./render/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./certify/
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyForm$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./clerk/

render-examples:
	mkdir -p out
	for f in examples/*.json; do \
		case $$f in *recipients*) continue;; esac; \
		$(GO) run ./cmd/utdrag render $$f -o out/$$(basename $$f .json).pdf; \
	done

clean:
	rm -rf bin out
