# Two commands on a fresh machine: `make run` and `make test`. Both create .venv when it is missing.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    ?= demo_data
SCALE   ?= small
SEED    ?= 20261122

.PHONY: setup run test lint bench docs clean chromium rsurvey

$(STAMP): pyproject.toml
	@# libarchive-c reads .rar deliveries through the system's libarchive (in the base image; installed if not)
	@ldconfig -p | grep -q 'libarchive\.so\.13' || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq libarchive13 || apt-get install -y -qq libarchive13t64)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/sidil demo --scale $(SCALE) --seed $(SEED) --out $(DEMO)
	$(BIN)/sidil run --input $(DEMO) --publicar
	$(BIN)/sidil status

test: $(STAMP) chromium lint
	$(BIN)/python -m pytest -q

# Python: pyflakes, import order and the formatter (settings in pyproject.toml). SQL: sqlfluff with the DuckDB
# dialect and the Jinja templater over the project's macros (.sqlfluff: 17 rules, keywords lower case, spacing,
# aliases, comparison operators); sqlfmt was not adopted because it turns DuckDB's `//` into a comment.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models macros

# The interface's browser tests drive Debian's chromium (Playwright cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# R and its `survey` package, only for the peer benchmark of the survey estimator (bench/bench_encuesta_r.py).
rsurvey:
	@Rscript -e 'library(survey)' >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends r-base-core r-cran-survey)

# Production-scale measurements (about 3 hours; needs ~60 GB of free disk): results in bench/results/.
# The survey peer benchmark runs R `survey` on two indicators (hrs_trab, brecha_gen: about 40 minutes); all
# eleven would add about 90 minutes (drop --indicadores).
bench: $(STAMP) rsurvey
	$(BIN)/python bench/bench_demo.py --scale full --out bench_data --keep
	$(BIN)/python bench/bench_load.py --input bench_data/demo_full
	$(BIN)/python bench/bench_pipeline.py --input bench_data/demo_full --db bench_data/pipeline_full.duckdb
	$(BIN)/python bench/bench_ml.py --db bench_data/pipeline_full.duckdb --trabajo bench_data/ml
	$(BIN)/python bench/bench_refresco.py --input bench_data/demo_full --trabajo bench_data/refresco
	$(BIN)/python bench/bench_encuesta_r.py --input bench_data/demo_full --trabajo bench_data/encuesta_r \
		--indicadores hrs_trab,brecha_gen
	$(BIN)/python bench/bench_interfaz.py
	rm -rf bench_data

docs: $(STAMP)
	$(BIN)/dbt docs generate --static --profiles-dir . --project-dir .

clean:
	rm -rf $(VENV) demo_data bench_data warehouse target logs salidas models_store
