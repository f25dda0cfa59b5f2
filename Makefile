# Two commands do all set-up on a fresh machine:  make run  |  make test
# Each creates .venv and installs the locked dependencies (only package registries are needed).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PCP_VAR_DIR ?= $(CURDIR)/var
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: run test lint sqllint browser bench airflow airflow-stop install clean-var

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (CPython 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

## make run: build the warehouse from the bundled data, publish it, and write the panel reports.
run: $(STAMP)
	$(BIN)/pcp sample defaults
	$(BIN)/pcp build
	$(BIN)/pcp docs
	$(BIN)/pcp report --force "Thames Valley" --force "Leicestershire"

## make test: the linters, then the whole test suite (real DuckDB, dbt, Great Expectations and Airflow).
test: $(STAMP) browser lint sqllint
	$(BIN)/python -m pytest

## make lint: ruff (pyflakes, pycodestyle, import order, pyupgrade, bugbear) and ruff's formatter, as checks;
## `.venv/bin/ruff check --fix . && .venv/bin/ruff format .` fixes what they find. Settings: pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make sqllint: sqlfluff over the dbt models, macros and tests (rules and why in .sqlfluff)
sqllint: $(STAMP)
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

## make browser: Debian's chromium for the pack's layout checks (tests/report/test_reports.py); no-op when present.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }

## make airflow: local Airflow on 127.0.0.1 (LocalExecutor), AIRFLOW_HOME under var/, metadata in a PostgreSQL
## it starts itself (var/airflow/postgres, Unix socket only); each DAG unpaused on its first start only.
airflow: $(STAMP)
	scripts/airflow_local.sh start

## make airflow-stop: stop the Airflow process group started by `make airflow`, then its PostgreSQL.
airflow-stop:
	scripts/airflow_local.sh stop

## make bench: national-scale benchmark (docs/benchmark.md): warehouse vs pandas vs a raw DuckDB floor.
## Defaults: BENCH_SIZES=1M,3M,10M,30M (call rows), BENCH_MONTHS=12, BENCH_PANDAS_MAX=40M (~11 min, 8 GB of temp files; pandas peaks at 8 GiB at 30M, so lower it on a small machine); writes benchmarks/results.*
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean-var:
	rm -rf var
