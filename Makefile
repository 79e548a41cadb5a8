# OX Teams Connector. `make demo` opens the app; `make test` runs every test.
# Build output goes to $CARGO_TARGET_DIR (default ./target); keep it outside the clone to
# share builds between clones.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TARGET_DIR ?= $(CURDIR)/target
CARGO := cargo
CARGO_FLAGS := --locked
BIN := $(CARGO_TARGET_DIR)/debug
DEMO_DATA := $(CARGO_TARGET_DIR)/demo-data

.PHONY: demo test deps build ui check-rust test-rust bindings check-bindings test-ui \
        test-keychain e2e bundle clean

## Install what is missing, build, and open the app.
demo: deps build
	@echo "Opening OX Teams Connector (data folder: $(DEMO_DATA))"
	@mkdir -p "$(DEMO_DATA)"
	OX_TEAMS_DATA_DIR="$(DEMO_DATA)" tests/scripts/run-app.sh "$(BIN)/ox-teams"

## Every test: formatting, lints, Rust tests, bindings, UI checks, the real keychain, end to end.
test: deps ui check-rust test-ui test-rust check-bindings test-keychain e2e
	@echo "All tests passed."

deps: ui/node_modules/.installed tests/e2e/node_modules/.installed
	src-tauri/scripts/install-deps.sh

ui/node_modules/.installed: ui/package-lock.json
	npm --prefix ui ci --no-audit --no-fund
	touch $@

tests/e2e/node_modules/.installed: tests/e2e/package-lock.json
	npm --prefix tests/e2e ci --no-audit --no-fund
	touch $@

## The web UI (embedded into the app at compile time, so it is built first).
ui: ui/node_modules/.installed
	npm --prefix ui run build

build: ui
	$(CARGO) build $(CARGO_FLAGS) --workspace

check-rust: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy $(CARGO_FLAGS) --workspace --all-targets -- -D warnings

# ts-rs writes the TypeScript bindings to ./target/ts-bindings while the tests run.
test-rust: ui
	rm -rf target/ts-bindings
	$(CARGO) test $(CARGO_FLAGS) --workspace

## Regenerate ui/src/bindings from the Rust types.
bindings:
	rm -rf target/ts-bindings
	$(CARGO) test $(CARGO_FLAGS) --workspace export_bindings
	rm -rf ui/src/bindings && cp -r target/ts-bindings ui/src/bindings

check-bindings:
	@diff -r target/ts-bindings ui/src/bindings >/dev/null || { \
	  diff -r target/ts-bindings ui/src/bindings || true; \
	  echo "ui/src/bindings differs from the Rust types: run 'make bindings' and commit."; \
	  exit 1; }
	@echo "TypeScript bindings match the Rust types."

test-ui: ui/node_modules/.installed
	npm --prefix ui run typecheck
	npm --prefix ui run lint
	npm --prefix ui test

test-keychain:
	dbus-run-session -- tests/scripts/with-keyring.sh \
	  $(CARGO) test $(CARGO_FLAGS) --workspace --test keychain -- --ignored

e2e: build tests/e2e/node_modules/.installed
	tests/e2e/run.sh

## Installable packages (deb and rpm on Linux).
bundle: deps ui
	cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb,rpm

clean:
	$(CARGO) clean
	rm -rf ui/dist target/ts-bindings
