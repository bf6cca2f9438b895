# ath-sdk developer tasks. Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := codegen/node_modules/.installed

.PHONY: venv node-tools generate check-generated spec spec-ts spec-diff spec-heyapi lint typecheck test pytest test-fast demo bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q -e '.[testing,langchain,keyring,redis,cli]'
	touch $(STAMP)

## The pinned Node tools (redocly, openapi-typescript, @hey-api/openapi-ts, zod, tsc).
node-tools: $(NODE_STAMP)

$(NODE_STAMP): codegen/package.json codegen/package-lock.json
	cd codegen && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

## Rewrite generated/ from spec/ (openapi-python-client + datamodel-code-generator).
generate: $(STAMP)
	$(PY) -m codegen generate --out generated

## Regenerate into a temporary folder and fail on any difference with generated/.
check-generated: $(STAMP)
	$(PY) -m codegen check

## Validate and lint the spec, write the published bundle (spec/dist/).
spec: $(STAMP)
	$(PY) -m codegen spec

## Prove the spec serves another language: TypeScript types with openapi-typescript, then a
## TypeScript client (openapi-fetch + jose) that runs the whole handshake against the local stack.
spec-ts: $(STAMP)
	bash codegen/typescript-check.sh
	ATH_PYTHON="$(abspath $(PY))" bash codegen/ts-client/run.sh

## Compare spec/openapi.yaml with the latest spec/released/<version>.yaml; fail on a breaking
## change unless the version's major (minor, while 0.x) changed.
spec-diff: $(STAMP)
	$(PY) -m codegen diff

## The second generator: a @hey-api/openapi-ts client compiled with tsc --strict (the run
## against the local stack is tests/spec/test_heyapi_client.py, part of `make test`).
spec-heyapi: $(NODE_STAMP)
	bash codegen/heyapi/run.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check ath codegen tests bench examples
	$(VENV)/bin/ruff format --check ath codegen tests bench examples

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## The whole suite: unit, end-to-end over loopback, spec and generation checks. It generates
## the Python clients once (tests/spec/test_codegen.py compares generated/ and spec/dist/ with
## that generation) and writes no tracked file; `make check-generated` is the same check on its
## own.
test: $(STAMP) $(NODE_STAMP)
	$(PY) -m codegen spec --check
	$(MAKE) --no-print-directory --jobs=5 --output-sync=target spec-ts spec-diff lint typecheck pytest

## pytest alone (part of `make test`, run beside its other checks; each prints when done).
pytest: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -x -q

## The main job: the full handshake against the embedded local stack, sync and async.
demo: $(STAMP)
	$(PY) -m ath.demo

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
