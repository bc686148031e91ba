"""Shared fixtures: the repository root, a tiny demo generated once, that demo loaded into DuckDB, and
the same warehouse after `dbt build`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
KEY = b"clave-de-prueba-no-real"
ALL_SOURCES = {"enoe", "imss", "censo", "externos", "dne", "siapi"}


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory) -> Path:
    """A complete tiny demo folder (all sources), generated once for the whole session."""
    from sidil.demo.generate import generate

    out = tmp_path_factory.mktemp("demo") / "tiny"
    generate("tiny", SEED, out)
    return out


def load_all(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    sources: set[str] = ALL_SOURCES,
    solo_adicionales: bool = True,
    log=None,
    forzar: bool = False,
    key: bytes = KEY,
    muestra: int | None = None,
):
    """Land files and databases of an input folder like `sidil load`; the outcome carries `.lines`."""
    from loaders.databases import load_databases
    from loaders.run import load_files

    lines: list[str] = []
    log = log or lines.append
    out = load_files(con, root, sources, key, solo_adicionales, log, forzar=forzar, muestra=muestra)
    for db in load_databases(con, root, sources, None, [], solo_adicionales, log, forzar=forzar):
        out.entries.extend(db.entries)
    out.lines = lines  # type: ignore[attr-defined]
    return out


@pytest.fixture(scope="session")
def loaded_tiny(tiny_demo, tmp_path_factory):
    """The whole tiny demo loaded once into a warehouse file: (db path, outcome)."""
    db = tmp_path_factory.mktemp("wh") / "sidil.duckdb"
    con = duckdb.connect(str(db))
    outcome = load_all(con, tiny_demo)
    con.close()
    return db, outcome


def run_dbt(db: Path, *args: str, target: Path | None = None) -> subprocess.CompletedProcess:
    """Run dbt on the project against `db` (its own target folder, so runs never collide)."""
    env = dict(os.environ, SIDIL_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    target = target or db.parent / "target"
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [
            str(dbt),
            *args,
            "--profiles-dir",
            str(ROOT),
            "--project-dir",
            str(ROOT),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def built_tiny(loaded_tiny, tmp_path_factory) -> Path:
    """A copy of the loaded tiny warehouse after a full `dbt build` (models and their tests)."""
    src, _ = loaded_tiny
    db = tmp_path_factory.mktemp("built") / "sidil.duckdb"
    shutil.copy(src, db)
    result = run_dbt(db, "build")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return db
