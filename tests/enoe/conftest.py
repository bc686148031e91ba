"""Fixtures for the ENOE indicator tests: the loaded tiny warehouse with only the ENOE models built."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import run_dbt

# The ENOE models, their seeds and their tests (cautious: no test of a node outside the selection).
SELECCION = [
    "--select",
    "+path:models/staging/enoe",
    "+path:models/intermediate/enoe",
    "+path:models/marts/enoe",
    "--indirect-selection",
    "cautious",
]


@pytest.fixture(scope="session")
def enoe_built(loaded_tiny, tmp_path_factory):
    """A copy of the loaded tiny warehouse after `dbt build` of the ENOE models (and their tests)."""
    src, _ = loaded_tiny
    db = tmp_path_factory.mktemp("enoe_built") / "sidil.duckdb"
    shutil.copy(src, db)
    result = run_dbt(db, "build", *SELECCION)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return db, result
