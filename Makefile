# kworkshop: one command sets everything up and runs the workshop, one runs the tests.
#   make workshop   venv + pinned binaries + cluster up + JupyterLab on notebooks/
#   make test-fast  venv + lint + the unit tier (no cluster, no Go, no network): a couple of minutes
#   make test       the fast tier, then pinned binaries and every other tier in parallel workers
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: setup binaries up down workshop test test-fast test-slow test-notebooks lint bench clean messages layout kind-images

$(BIN)/kworkshop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# JupyterHub's proxy for `kworkshop class serve`, from npm, inside the venv (the kit finds it there)
CHP := $(VENV)/node/node_modules/.bin/configurable-http-proxy
$(CHP): | $(BIN)/kworkshop
	npm install --prefix $(VENV)/node --no-fund --no-audit --loglevel=error configurable-http-proxy@5.3.0

setup: $(BIN)/kworkshop $(CHP)

binaries: setup  ## cache, PATH, official download or Go build, in that order
	$(BIN)/kworkshop install

up: binaries
	$(BIN)/kworkshop up

down:
	$(BIN)/kworkshop down

# JupyterLab on 127.0.0.1, opening 00-start-here; its Terminal has KUBECONFIG, the pinned kubectl
# and kworkshop on PATH (works as root too, the usual user in containers)
workshop: up
	$(BIN)/kworkshop lab --port=$(PORT)

lint: $(BIN)/kworkshop
	$(BIN)/ruff check kworkshop tests benchmarks tools conftest.py

# The fast tier (conftest.py names the tiers): what a developer runs every few minutes
test-fast: lint
	$(BIN)/pytest -p no:cacheprovider -m unit

# The slow tiers side by side: cluster, go, browser, kind and the chapter notebooks (English and
# Chinese, solutions on: every checkpoint must pass) in parallel workers, each with clusters of its own.
# Most of their time is waiting (rollouts, HPA windows, JupyterLab, kind nodes), so more workers than
# cores pay: benchmarks/suite.py measured WORKERS on this 2-core machine.
WORKERS ?= 4
JUNIT ?= out/slow.xml
NBVAL := --nbval-lax --nbval-cell-timeout=600
test-slow: binaries
	$(BIN)/pytest -p no:cacheprovider -m "not unit" -n $(WORKERS) --dist loadfile $(NBVAL) \
	  --junitxml=$(JUNIT) tests notebooks

# Only the chapter notebooks (both editions), in parallel workers
test-notebooks: binaries
	$(BIN)/pytest -p no:cacheprovider -m notebooks -n $(WORKERS) --dist loadfile $(NBVAL) notebooks

# kind's node image and the chapter's images, built offline into the kit's own Docker daemon (test
# harness only, tests/harness/README.md: root, Debian's docker.io, debootstrap, Go); all cached
kind-images: setup
	$(BIN)/python tests/harness/docker.py start
	$(BIN)/python tests/harness/nodeimage.py

# Everything, the fast tier first (and stopping there when it fails). The kind backend's end-to-end
# test runs where the harness can build its images (root); elsewhere it is reported as skipped.
# Each phase prints its wall time (benchmarks/suite.py does the same and breaks the slow run down by tier).
test:
	@t=$$(date +%s); $(MAKE) --no-print-directory test-fast || exit $$?; \
	  echo "== phase: fast tier $$(( $$(date +%s) - t )) s"; t=$$(date +%s); \
	  $(MAKE) --no-print-directory binaries || exit $$?; \
	  echo "== phase: binaries $$(( $$(date +%s) - t )) s"; t=$$(date +%s); \
	  if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory kind-images \
	    || echo "warning: kind images not built: the kind test will be skipped"; fi; \
	  echo "== phase: kind images $$(( $$(date +%s) - t )) s"; t=$$(date +%s); \
	  $(MAKE) --no-print-directory test-slow; status=$$?; \
	  echo "== phase: slow tiers $$(( $$(date +%s) - t )) s"; \
	  if [ -f $(JUNIT) ]; then $(BIN)/python benchmarks/suite.py --report $(JUNIT); fi; exit $$status

# extract the kit's messages (Babel) into kworkshop/locale/*/LC_MESSAGES/*.po; then translate the new ones
messages: setup
	$(BIN)/python tools/messages.py

# rewrite README's Layout section from the package's docstrings (tests/unit/test_layout.py checks it)
layout: setup
	$(BIN)/python tools/layout.py --write

bench: binaries
	$(BIN)/python benchmarks/cluster_up.py

clean: down
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
