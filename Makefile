# polarity: the two commands a person needs are `make demo` and `make test`.
# Every target installs what it needs (Rust target, wasm-bindgen-cli, Chromium, npm, Python venv).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
PORT ?= 8080
DATA ?= $(or $(POLARITY_DATA),../shared/data)
VENV := .venv
POLARITY := target/release/polarity

.PHONY: test test-native test-onnxruntime test-imdb lint setup-python native

## Native ----------------------------------------------------------------------------------------

native:
	$(CARGO) build --release --bin polarity

test-native:
	POLARITY_DATA="$(DATA)" $(CARGO) test --release

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --release

## ONNX cross-check with onnxruntime (Python) ------------------------------------------------------

$(VENV)/.ready: tests/onnxruntime/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/onnxruntime/requirements.txt
	touch $@

setup-python: $(VENV)/.ready

test-onnxruntime: native setup-python
	$(VENV)/bin/python tests/onnxruntime/crosscheck.py --polarity $(POLARITY) --data "$(DATA)"

## The shipped model on IMDB test, against the figure in its model card ---------------------------

test-imdb: native
	@if [ -f "$(DATA)/imdb/test.tsv.gz" ]; then \
	  tests/imdb_accuracy.sh $(POLARITY) "$(DATA)/imdb/test.tsv.gz" model/README.md; \
	  tests/imdb_flip.sh $(POLARITY) "$(DATA)/imdb/train.tsv.gz"; \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! SKIPPED: $(DATA)/imdb/test.tsv.gz is absent, so the shipped model's IMDB test"; \
	  echo "!! accuracy and the flipped-labels fine-tune were NOT checked. Set POLARITY_DATA to a"; \
	  echo "!! folder holding imdb/."; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

## Browser side: wasm package, demo, embed -------------------------------------------------------
# pkg/ is the npm package (wasm-bindgen output + package.json + README.md); www/pkg is a copy of it
# so that www/ is a self-contained static site (demo, embed.js, embed-example.html).

WASM_BINDGEN_VERSION := 0.2.130
WASM_TARGET := wasm32-unknown-unknown
CARGO_WASM_FLAGS := --target $(WASM_TARGET) --profile wasm --no-default-features
WASM_OUT := target/$(WASM_TARGET)/wasm/polarity.wasm
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup-wasm setup-chromium setup-node build build-examples demo test-wasm test-js lint-wasm sizes screenshot

setup-wasm:
	@rustup target list --installed | grep -q '^$(WASM_TARGET)$$' || rustup target add $(WASM_TARGET)
	@wasm-bindgen --version 2>/dev/null | grep -q ' $(WASM_BINDGEN_VERSION)$$' || \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force

setup-chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver)

node_modules/.ready: package.json package-lock.json
	npm ci --no-audit --no-fund --prefer-offline
	touch $@

setup-node: node_modules/.ready

build: setup-wasm
	$(CARGO) build --lib $(CARGO_WASM_FLAGS)
	rm -rf pkg
	wasm-bindgen --target web --out-dir pkg --out-name polarity \
	  --remove-name-section --remove-producers-section $(WASM_OUT)
	node npm/make-package.mjs pkg
	rm -rf www/pkg && cp -r pkg www/pkg
	@$(MAKE) --no-print-directory sizes

# Everything the demo page loads (the worker too: it is fetched when "Teach it" trains).
PAGE_FILES := www/index.html www/favicon.svg www/demo.css www/demo.js www/verdict.js www/ui.js www/teach.js \
  www/teach-examples.js www/teach-shared.js www/teach-training.js www/teach-model.js www/teach-next.js www/classify-file.js \
  www/store.js www/site-kit.js www/read-text.js www/teach-worker.js www/file-worker.js www/import-worker.js \
  www/classify-worker.js www/worker-package.js pkg/polarity.js pkg/polarity_bg.wasm

sizes:
	@w=$$(stat -c %s pkg/polarity_bg.wasm); wg=$$(gzip -9c pkg/polarity_bg.wasm | wc -c); \
	 p=$$(cat $(PAGE_FILES) | wc -c); \
	 pg=$$(for f in $(PAGE_FILES); do gzip -9c $$f | wc -c; done | awk '{ s += $$1 } END { print s }'); \
	 echo "wasm: $$w bytes raw, $$wg gzip -9; demo page (html+css+js+wasm): $$p raw, $$pg gzip -9"

# The 3-label classifier that www/embed-custom.html loads, taught from a fixture by the native CLI
# exactly as the page's "Teach it" would (fromPretrained + fineTune).
EXAMPLE_MODEL := www/models/feedback.onnx
$(EXAMPLE_MODEL): tests/fixtures/feedback.tsv model/polarity.onnx $(shell find src -name '*.rs')
	$(CARGO) build --release --bin polarity
	$(POLARITY) fine-tune --labels praise,complaint,question --data $< --out $@ --epochs 40 --seed 1

build-examples: $(EXAMPLE_MODEL)

demo: build build-examples
	node www/serve.mjs www $(PORT)

# The JS-facing facade (tests/web.rs) in headless Chromium. Same profile and features as `build`,
# so it reuses that build of tract instead of compiling it again.
test-wasm: build setup-chromium
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=$(CHROMEDRIVER) \
	  $(CARGO) test $(CARGO_WASM_FLAGS) --test web

# Demo page and embed end to end (Playwright + Chromium), the npm package in Vite / a plain page /
# Node, and IMDB accuracy of the package against the native CLI (skipped loudly without the data).
test-js: build build-examples native setup-node setup-chromium
	POLARITY_CHROMIUM=$(CHROMIUM) POLARITY_BIN=$(POLARITY) POLARITY_DATA="$(DATA)" \
	  node --test --test-concurrency=1 tests/js/

screenshot: build setup-node setup-chromium
	POLARITY_CHROMIUM=$(CHROMIUM) node tests/js/screenshot.mjs

lint-wasm: setup-wasm
	$(CARGO) clippy --target $(WASM_TARGET) --no-default-features --lib --test web -- -D warnings

## Benchmark (not part of `make test`) -------------------------------------------------------------
# polarity against onnxruntime-web and TF.js in one headless Chromium, and natively, on 5,000 IMDB
# test reviews: writes bench/RESULTS.md, bench/results.json and the table in README.md. Needs
# $(DATA)/imdb and stops at once without it. bench/fewshot.mjs (few-shot fine-tuning through the
# JS API) runs first, so that its section lands in RESULTS.md.

.PHONY: bench bench-data

bench-data:
	@for f in imdb/test.tsv.gz imdb/train.tsv.gz; do \
	  [ -f "$(DATA)/$$f" ] || { echo "!! make bench: $(DATA)/$$f is absent; set POLARITY_DATA" >&2; exit 1; }; \
	done

$(VENV)/.bench-ready: bench/requirements.txt $(VENV)/.ready
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: bench-data build native setup-node setup-chromium $(VENV)/.bench-ready
	POLARITY_CHROMIUM=$(CHROMIUM) POLARITY_BIN=$(POLARITY) POLARITY_DATA="$(DATA)" node bench/fewshot.mjs
	POLARITY_CHROMIUM=$(CHROMIUM) POLARITY_BIN=$(POLARITY) POLARITY_DATA="$(DATA)" node bench/custom.mjs
	POLARITY_CHROMIUM=$(CHROMIUM) POLARITY_BIN=$(POLARITY) POLARITY_DATA="$(DATA)" node bench/run.mjs

## Everything --------------------------------------------------------------------------------------

test: lint lint-wasm test-native test-onnxruntime test-imdb test-wasm test-js
