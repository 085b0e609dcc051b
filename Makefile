# The Makefile is the interface: `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed-stamp
# checkov pins dependencies of its own (and many): it lives in a venv of its own too.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
# SAM CLI pins older boto3/pydantic: it lives in a venv of its own, on the Lambda runtime's Python.
SAM_PYTHON ?= $(shell for p in $$HOME/.pyenv/versions/3.13*/bin/python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12 python3.13 python3; do $$p -c 'import sys' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: install install-sam install-checkov run test lint unit bench build deploy requirements clean chromium

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install-sam: $(SAM_STAMP)

$(SAM_STAMP):
	test -x $(SAM_VENV)/bin/python || $(SAM_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli
	touch $(SAM_STAMP)

install-checkov: $(CHECKOV_STAMP)

$(CHECKOV_STAMP):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov>=3.2,<4'
	touch $(CHECKOV_STAMP)

run: install
	$(BIN)/newsdesk dev

lint: install install-sam install-checkov
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml --append-rules cfn_lint_serverless.rules
	# Every skipped check is justified beside the resource (Metadata.checkov.skip[].comment).
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --quiet --compact --skip-download
	AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --template template.yaml

test: lint chromium
	$(BIN)/python -m pytest

# The /docs browser test needs Debian's chromium: installed when missing and apt can (as root);
# otherwise that one test skips and says why.
chromium:
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "chromium could not be installed: the /docs browser test will be skipped"

unit: install
	$(BIN)/python -m pytest tests/unit

bench: install
	$(BIN)/python -m benchmarks

# Each layer's pinned, complete package list for python3.13 on arm64 (resolved with pip from PyPI).
requirements: install
	$(BIN)/python -m newsdesk_cli.layers

build: install-sam
	# sam build looks for python3.13 on PATH; pyenv's shim for it is not enough.
	PATH="$(dir $(SAM_PYTHON)):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build --template template.yaml

deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
