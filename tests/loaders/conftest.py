"""Fixtures for loader tests: a pseudonymisation key, a warehouse per test, and a loaded tiny demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from loaders.databases import load_databases
from loaders.run import load_files

KEY = b"clave-de-prueba-no-real"
ALL = {"enoe", "imss", "censo", "dne", "siapi"}


@pytest.fixture(autouse=True)
def _pseudo_key(monkeypatch):
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", KEY.decode())


def load_all(con: duckdb.DuckDBPyConnection, root: Path, sources: set[str] = ALL, solo_adicionales: bool = True,
             log=None):
    lines: list[str] = []
    log = log or lines.append
    out = load_files(con, root, sources, KEY, solo_adicionales, log)
    for db in load_databases(con, root, sources, None, [], solo_adicionales, log):
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


def copy_input(src_root: Path, dst_root: Path, *relpaths: str) -> Path:
    """A new input folder holding copies of some demo files (same relative paths)."""
    for rel in relpaths:
        target = dst_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src_root / rel, target)
    return dst_root
