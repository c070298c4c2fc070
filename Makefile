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
	$(CARGO) test --release

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

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
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! SKIPPED: $(DATA)/imdb/test.tsv.gz is absent, so the shipped model's IMDB test"; \
	  echo "!! accuracy was NOT checked. Set POLARITY_DATA to a folder holding imdb/."; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

## Everything --------------------------------------------------------------------------------------

test: lint test-native test-onnxruntime test-imdb
