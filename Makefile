# OX Teams Connector. `make demo` opens the app against the local sandbox; `make test` runs
# every test. Build output goes to $CARGO_TARGET_DIR (default ./target); keep it outside the
# clone to share builds between clones.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TARGET_DIR ?= $(CURDIR)/target
CARGO := cargo
CARGO_FLAGS := --locked
BIN := $(CARGO_TARGET_DIR)/debug
DEMO_DATA := $(CARGO_TARGET_DIR)/demo-data
NPM_PACKAGES := ui tests/e2e tests/oracles

.PHONY: demo test deps build ui check-rust deny test-rust bindings check-bindings test-ui \
        test-keychain e2e fuzz bench bundle test-packages clean

## Install what is missing, build, start the sandbox and open the app against it.
demo: deps build
	src-tauri/scripts/demo.sh "$(BIN)" "$(DEMO_DATA)"

## Every test: formatting, lints, the dependency policy, UI checks, Rust tests, bindings, the
## real keychain, end to end, and the deb/rpm packages.
test: deps ui check-rust deny test-ui test-rust check-bindings test-keychain e2e test-packages
	@echo "All tests passed."

deps: $(addsuffix /node_modules/.installed,$(NPM_PACKAGES))
	src-tauri/scripts/install-deps.sh

%/node_modules/.installed: %/package-lock.json
	npm --prefix $* ci --no-audit --no-fund
	touch $@

## The web UI (embedded into the app at compile time, so it is built first).
ui: ui/node_modules/.installed
	npm --prefix ui run build

build: ui
	$(CARGO) build $(CARGO_FLAGS) --workspace

check-rust: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy $(CARGO_FLAGS) --workspace --all-targets -- -D warnings

## The dependency policy in deny.toml: licenses, banned and duplicated crates, sources (builds
## nothing). Advisories are not checked: their database is on github.com, out of CI's reach.
## Only errors are shown; `cargo deny check licenses bans sources` shows the warnings too.
deny:
	@$(CARGO) deny --version >/dev/null 2>&1 || { echo "cargo-deny is missing: run 'make deps'."; exit 1; }
	$(CARGO) fetch $(CARGO_FLAGS)
	$(CARGO) deny $(CARGO_FLAGS) --offline --log-level error check licenses bans sources

# Also builds the binaries the end-to-end suite runs (with the test build's features, so
# nothing is compiled twice). ts-rs writes the TypeScript bindings to ./target/ts-bindings.
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

# The same build as test-rust (no recompiling), running only the ignored real-keychain test.
test-keychain:
	dbus-run-session -- tests/scripts/with-keyring.sh \
	  $(CARGO) test $(CARGO_FLAGS) --workspace -- --ignored os_keychain

e2e: ui tests/e2e/node_modules/.installed
	$(CARGO) test $(CARGO_FLAGS) --workspace --no-run
	tests/e2e/run.sh

## Many more fuzz-style cases than `make test` runs (the importers, deep links, cards, paths).
fuzz:
	PROPTEST_CASES=$${PROPTEST_CASES:-20000} $(CARGO) test $(CARGO_FLAGS) -p ox-teams-core --release --test fuzz

## Figures, not assertions: every benchmark, then one table of each measure beside its floor
## and target (tests/scripts/bench.sh).
bench: deps ui
	tests/scripts/bench.sh

## Installable packages (deb and rpm on Linux, with ox-teams-cli inside), in
## $(CARGO_TARGET_DIR)/release/bundle/{deb,rpm}.
bundle: deps ui
	src-tauri/scripts/bundle.sh

## Build the packages, then check what is inside and run the app and the CLI from the .deb.
test-packages: bundle tests/e2e/node_modules/.installed
	$(CARGO) build $(CARGO_FLAGS) -p ox-teams-sandbox
	tests/scripts/test-packages.sh

clean:
	$(CARGO) clean
	rm -rf ui/dist target/ts-bindings
