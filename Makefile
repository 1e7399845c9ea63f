# The two commands a newcomer types: make run, make test. Both do the set-up
# first; scripts/setup is quick when everything is already there.

GO       ?= go
BIN      := bin/station
ADDR     ?= :8080
GOFILES  := $(shell find . -name '*.go' -not -path './var/*' 2>/dev/null) go.mod go.sum
EMBEDDED := $(shell find . -path ./var -prune -o \( -name '*.sql' -o -name '*.yaml' -o -name '*.json' -o -name '*.tmpl' -o -name '*.md' -o -name '*.css' -o -name '*.js' \) -print 2>/dev/null)

export OMP_THREAD_LIMIT := 1

.PHONY: setup build run sandbox test vet bench clean

setup:
	@bash scripts/setup

$(BIN): $(GOFILES) $(EMBEDDED)
	$(GO) build -o $(BIN) ./cmd/station

build: $(BIN)

run: setup $(BIN)
	@$(BIN) migrate
	@$(BIN) import
	@$(BIN) import wards -if-empty sample
	@BIN=$(BIN) ADDR=$(ADDR) bash scripts/demo
	@# The public development data key is used only while STATION_DATA_KEY is unset.
	@# Receipts are signed with the development certificate scripts/demo made.
	@STATION_ADDR=$(ADDR) STATION_DEV_DATA_KEY=true STATION_SIGN_CERT=var/demo-signing/service.crt \
		STATION_SIGN_KEY=var/demo-signing/service.key STATION_PUBLIC_URL=http://localhost$(ADDR) $(BIN) serve

# The local payment gateway (VNPay protocol, no real money) that make run's
# payments go to; run it beside make run to try paying a fee or a bill.
sandbox: $(BIN)
	@$(BIN) sandbox-gateway -sandbox-ipn-url http://127.0.0.1$(ADDR)/api/v1/payments/vnpay/ipn

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test: setup vet
	$(GO) test -race -count=1 -timeout 30m ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

clean:
	rm -rf bin
