# The course's commands. `make book` and `make test` do all the set-up themselves.
#   make book [PROFILE=auto|smoke|quick|full] [DATASET=name]
#                                               execute every notebook once, build _build/html
#   make test                                   every test: package (TensorFlow and JAX),
#                                               notebooks (smoke), the Colab notebooks run as
#                                               in Colab (nbval), pairs, book build
SHELL := /bin/bash
PYTHON ?= python3
PROFILE ?= auto
# Another data set than the profile's (a name of imgclf.data.names()), e.g. DATASET=fashion_mnist.
DATASET ?=
# Notebooks that finished earlier with the same inputs are reused; FRESH=1 runs them all again.
FRESH ?=
VENV := .venv
PY := $(VENV)/bin/python
# pyproject extras to install; a GPU machine with TensorFlow adds gpu (CUDA libraries).
EXTRAS ?= tensorflow,book,test
# The pinned versions. The weekly drift workflow sets CONSTRAINTS= to try the newest allowed.
CONSTRAINTS ?= -c requirements/lock.txt
STAMP := $(VENV)/.installed-$(shell echo $(EXTRAS) $(CONSTRAINTS) | cat - requirements/lock.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install data notebooks book test browser test-package test-jax test-nbval lint sync lock clean

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check $(CONSTRAINTS) -e ".[$(EXTRAS)]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The data set the profile uses: found on this machine, else Debian's package (Fashion-MNIST),
# else downloaded through Keras. Prints where it is, or why it cannot be had.
data: $(STAMP)
	@dataset=$$($(PY) -m imgclf settings --profile $(PROFILE) $(if $(DATASET),--dataset $(DATASET)) --field dataset) || exit 1; \
	if ! $(PY) -m imgclf download $$dataset --local-only >/dev/null 2>&1 \
	   && [ "$$dataset" = fashion_mnist ]; then scripts/install-debian-packages.sh dataset-fashion-mnist; fi; \
	$(PY) -m imgclf download $$dataset

# Every notebook with papermill, each run checked against notebooks/expected.toml; in the full
# profile (the GPU run) nbval then checks the committed notebooks too.
notebooks: data
	$(PY) -m imgclf run-notebooks --profile $(PROFILE) $(if $(DATASET),--dataset $(DATASET)) \
	    $(if $(filter full,$(PROFILE)),--nbval) $(if $(FRESH),--fresh)

book: notebooks
	$(PY) -m imgclf build-book --profile $(PROFILE)

# Every part runs even when an earlier one fails; the command fails at the end if any did.
TEST_PARTS := lint browser test-package test-jax test-nbval
test:
	@failed=""; for part in $(TEST_PARTS); do \
	  echo "=== make $$part"; $(MAKE) --no-print-directory $$part || failed="$$failed $$part"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: these parts failed:$$failed" >&2; exit 1; fi; \
	echo "make test: every part passed ($(TEST_PARTS))"

# Debian's Chromium, for the test that opens the built book in a real browser.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || scripts/install-debian-packages.sh chromium

# ruff on the Python code; bash -n and shellcheck (Debian's package) on every shell script.
lint: $(STAMP)
	$(PY) -m ruff check imgclf tests scripts benchmarks
	@command -v shellcheck >/dev/null 2>&1 || scripts/install-debian-packages.sh shellcheck
	scripts/lint-shell.sh

# The package, every notebook in the smoke profile, the pairs and the book, on TensorFlow.
test-package: $(STAMP)
	$(PY) -m pytest

# The package's tests again on the JAX backend, those whose behaviour depends on the backend
# (notebooks, book, files, command line and the tooling run once, on TensorFlow).
test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest -m "not slow and not backend_independent"

# Every Colab notebook as Colab runs it (imgclf/course/colablike.py): a fresh environment with
# this one's TensorFlow and Keras, google.colab faked, imgclf installed by the notebook's own
# install cell from a clone; nbval compares the cells tagged nbval-check-output.
test-nbval: $(STAMP)
	$(PY) -m imgclf check-colab

# After editing notebooks/NN-topic.md: rewrite the .ipynb beside it, with fresh reference outputs.
# ONLY=05 (or ONLY="05 07") does those chapters alone.
ONLY ?=
sync: $(STAMP)
	$(PY) -m imgclf repository --apply
	$(PY) -m imgclf run-notebooks --profile smoke $(if $(ONLY),--only $(ONLY))
	$(PY) -m imgclf sync-notebooks --profile smoke $(if $(ONLY),--only $(ONLY))

# Re-resolve the pinned versions from pyproject.toml's ranges (needs PyPI).
lock:
	rm -rf /tmp/imgclf-lock && $(PYTHON) -m venv /tmp/imgclf-lock
	/tmp/imgclf-lock/bin/pip install -q ".[$(EXTRAS)]"
	{ echo "# The versions make installs (pip -c). Regenerate with: make lock"; \
	  /tmp/imgclf-lock/bin/python -c 'import platform as p; print(f"# Resolved on {p.system()} {p.machine()}, CPython {p.python_version()}: other platforms use make CONSTRAINTS= (book/running.md)")'; \
	  /tmp/imgclf-lock/bin/pip freeze --exclude imgclf; } > requirements/lock.txt

clean:
	rm -rf _build
