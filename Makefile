# One task runner; CI (.ci/run) calls `make ci`.
PY ?= python

.PHONY: demo test lint ci bench

demo:  ## install and open the dashboard on the built-in demo (the README's first command)
	pip install -r requirements.txt && streamlit run dashboard.py

test:  ## install test dependencies and run every test (the README's second command)
	pip install -r requirements-dev.txt && $(PY) -m pytest

lint:  ## ruff over the whole tree
	$(PY) -m ruff check .

ci: test lint

bench:  ## the benchmarks that print the README's tables (minutes; not part of CI)
	$(PY) bench/bench_collect.py
	$(PY) bench/bench_analysis.py
	$(PY) bench/bench_dashboard.py
