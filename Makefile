# Switchboard — the two commands a newcomer needs:
#   make run    build everything and start the center with the demo tenant
#   make test   run every test (both SQL engines, embedded and external NATS, the browser),
#               and beside them fuzz each fuzz target briefly (FUZZTIME, default 3000x executions)

GO      ?= go
BIN     := bin/switchboard
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
ADDR    ?= 127.0.0.1:8080

.PHONY: run build web web-deps test test-deps bench services clean

run: build
	./$(BIN) serve --demo --addr $(ADDR)

build: web
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/switchboard

# The browser app, built by Vite into web/dist and embedded into the binary.
web: web-deps
	cd web && npm run build

web-deps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

# test-deps installs what a fresh machine lacks for the browser and voice tests,
# all from Debian: Chromium (Playwright drives it; it never downloads a browser
# of its own), baresip as the phone network, sox to check audio, espeak-ng for
# speech.

test-deps: web-deps
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v baresip >/dev/null 2>&1 || missing="$$missing baresip-core"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	[ -z "$$missing" ] || { \
	  echo "installing Debian's$$missing for the browser and voice tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	  || { echo "could not install$$missing: run 'apt-get install$$missing' as root"; exit 1; }; }

test: test-deps web
	./scripts/check-services.sh
	$(GO) vet ./...
	GO=$(GO) ./scripts/test.sh

bench: build
	./scripts/bench.sh

services:
	./scripts/check-services.sh

clean:
	rm -rf bin web/dist/assets web/dist/index.html
