# Utdrag — make run starts the service on embedded defaults; make test runs
# every test against real MinIO and SMTP servers and the poppler tools.

GO        ?= go
BIN       := bin/utdrag
PKGS      := ./...
TEST_TIMEOUT ?= 30m

.PHONY: run build test test-unit vet fmt bench fuzz render-examples clean

# The example recipient directory lets a newcomer try distribution: the
# messages land as .eml files in ./data/outbox.
run:
	UTDRAG_RECIPIENTS=$${UTDRAG_RECIPIENTS:-examples/recipients.yaml} $(GO) run ./cmd/utdrag serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/utdrag

# Installs what is missing (poppler-utils, qpdf, certutil, chromium, node,
# postgresql; ajv and ajv-formats from npm and MinIO built from its pinned
# version, both cached under ~/.cache/utdrag), starts MinIO and a throwaway
# PostgreSQL on free loopback ports, runs every test, and stops them.
test:
	scripts/deps.sh chromium node postgresql
	scripts/node-deps.sh
	$(GO) vet $(PKGS)
	scripts/with-minio.sh scripts/with-postgres.sh $(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)

# Tests that need no server (MinIO tests skip outside CI).
test-unit:
	$(GO) test $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -l -w .

# Go benchmarks, the accessibility check of the HTML rendition, the
# comparison with Chromium, WeasyPrint and plain fpdf, and the load test
# against MinIO (see BENCHMARKS.md). Installs Chromium and WeasyPrint
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

FUZZTIME ?= 10m
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./extract/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalize$$' -fuzztime $(FUZZTIME) ./typeset/
	$(GO) test -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./render/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./certify/
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyForm$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./service/

render-examples:
	mkdir -p out
	for f in examples/*.json; do \
		case $$f in *recipients*) continue;; esac; \
		$(GO) run ./cmd/utdrag render $$f -o out/$$(basename $$f .json).pdf; \
	done

clean:
	rm -rf bin out
