# Two commands do everything on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test test-fast lint ingest eval bench load browser clean

install: $(VENV)/.installed

# torch first, pinned: the CPU build lies on this machine's disk; an unpinned torch pulls CUDA.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's Chromium for the browser tests (never `playwright install`).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

run: install
	$(VENV)/bin/assistant serve

test: install browser
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow and not browser and not server"

lint: install
	$(VENV)/bin/ruff check assistant app.py tests bench
	$(VENV)/bin/ruff format --check assistant app.py tests bench
	$(VENV)/bin/mypy

ingest: install
	$(VENV)/bin/assistant ingest

eval: install
	$(VENV)/bin/assistant eval eval/questions.jsonl --out bench/results/eval_results.jsonl

# Quality and speed on the shipped corpus, then the scaling curve (slow: ~15 min).
# Every number in docs/benchmarks.md, docs/evaluation.md, docs/currency.md and the upload
# figures in docs/security.md (~60 min; the before/after ingest runs and the 10k/100k-chunk
# scaling points are most of it).
bench: install
	$(PY) bench/run.py
	$(PY) bench/ingest_speed.py
	$(PY) bench/chunking.py
	$(PY) bench/verify_extractive.py
	$(PY) bench/currency.py
	$(PY) bench/scale.py
	$(PY) bench/answers.py
	$(PY) bench/hostile_uploads.py
	$(PY) bench/report.py

# 20 API clients for 60 s against the real app, with 5 user ingests part-way (~3 min).
load: install
	$(PY) bench/load.py

clean:
	rm -rf index .pytest_cache
