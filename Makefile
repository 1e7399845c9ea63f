# The two commands a newcomer types: make run, make test. Both do the set-up
# first; scripts/setup is quick when everything is already there.

GO       ?= go
BIN      := bin/station
ADDR     ?= :8080
GOFILES  := $(shell find . -name '*.go' -not -path './var/*' 2>/dev/null) go.mod go.sum
EMBEDDED := $(shell find . -path ./var -prune -o \( -name '*.sql' -o -name '*.yaml' -o -name '*.json' -o -name '*.tmpl' -o -name '*.md' -o -name '*.css' -o -name '*.js' \) -print 2>/dev/null)

export OMP_THREAD_LIMIT := 1

.PHONY: setup build run sandbox test test-ops vet bench fuzz clean

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
	@# The OCR accuracy over the generated corpus, without the race detector's slowdown.
	$(GO) test -count=1 -timeout 15m -run '^TestCorpusKinds$$' ./ocr/

# The operations drill (internal/ops): two replicas behind HAProxy, a primary
# and a synchronous standby, a mixed load through a replica's and the
# primary's loss, failover, and a restore of the night's backup. About two
# minutes; ports 18710-18740 on loopback.
test-ops: setup
	$(GO) test -tags ops -count=1 -timeout 10m -v ./internal/ops/

bench: setup $(BIN)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...
	$(BIN) bench ocr -pages 10 -soak 5000

# Each fuzz target for FUZZTIME (a minute); make test runs their committed
# seed corpora (testdata/fuzz/) as ordinary tests.
FUZZTIME ?= 1m
FUZZ := ./internal/pii:FuzzMask ./internal/pii:FuzzMaskAnyText ./internal/imagelimit:FuzzCheck \
	./internal/httpserver:FuzzFormText ./kiosk/payments/vnpay:FuzzSignature \
	./ocr:FuzzParseMRZ ./ocr:FuzzParseCardQR ./ocr:FuzzDecode

fuzz:
	@for t in $(FUZZ); do pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

clean:
	rm -rf bin
