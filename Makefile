# kworkshop: one command sets everything up and runs the workshop, one runs the tests.
#   make workshop   venv + pinned binaries + cluster up + JupyterLab on notebooks/
#   make test       venv + pinned binaries + lint + every test against a live embedded cluster
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: setup binaries up down workshop test test-unit test-notebooks lint bench clean messages kind-images

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

lint: setup
	$(BIN)/ruff check kworkshop tests benchmarks tools

test-unit: setup
	$(BIN)/pytest tests/unit

NB_CLUSTER ?= kworkshop-notebooks
NBVAL := --nbval-lax --nbval-cell-timeout=600

# Every notebook runs top to bottom with its solutions on (every checkpoint must pass) against a
# cluster of its own, which is deleted afterwards whatever the result.
test-notebooks: binaries
	KWORKSHOP_SOLUTIONS=1 KWORKSHOP_CLUSTER=$(NB_CLUSTER) $(BIN)/pytest -p no:cacheprovider $(NBVAL) notebooks; \
	  status=$$?; $(BIN)/kworkshop down --name $(NB_CLUSTER); exit $$status

# kind's node image and the chapter's images, built offline into the kit's own Docker daemon (test
# harness only, tests/harness/README.md: root, Debian's docker.io, debootstrap, Go); all cached
kind-images: setup
	$(BIN)/python tests/harness/docker.py start
	$(BIN)/python tests/harness/nodeimage.py

# the kind backend's end-to-end test runs where the harness can build its images (root); elsewhere
# it is reported as skipped
test: binaries lint
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) kind-images || echo "warning: kind images not built: the kind test will be skipped"; fi
	$(BIN)/pytest
	$(MAKE) test-notebooks

# extract the kit's messages (Babel) into kworkshop/locale/*/LC_MESSAGES/*.po; then translate the new ones
messages: setup
	$(BIN)/python tools/messages.py

bench: binaries
	$(BIN)/python benchmarks/cluster_up.py

clean: down
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
