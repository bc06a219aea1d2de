# CardPOS — the two set-up commands are `make demo` and `make test` (see README.md).
GO       ?= go
BIN      := bin/cardpos
# Release-style flags: fyne.Do migration acknowledged, reproducible paths.
GOFLAGS_BUILD := -tags migrated_fynedo -trimpath
# Packages with goroutines of their own: tested with the race detector.
RACE_PKGS := ./wxapi/... ./storage/... ./redeem/... ./scanner/... ./station/...

export LANG ?= en_US.UTF-8
export CGO_ENABLED := 1

.PHONY: demo test build deps deps-test check vet unit e2e package clean

## demo: build and open the counter window in training mode on the built-in emulator.
demo: deps build
	$(BIN) --demo

## test: everything CI runs — formatting, vet, unit tests, race tests, the end-to-end smoke test
## of the window and the crash harness on the real binary.
test: deps-test check vet unit e2e

deps:
	@bash scripts/deps.sh

deps-test:
	@bash scripts/deps.sh --test

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) .

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet -tags ci ./...

unit:
	$(GO) test -tags ci -count=1 ./...
	$(GO) test -tags ci -count=1 -race -short $(RACE_PKGS)

e2e: build
	bash scripts/e2e.sh $(BIN)
	bash scripts/crash.sh $(BIN)

package:
	bash packaging/package-linux.sh

clean:
	rm -rf bin dist .ci/artifacts
