"""Fixtures for loader tests: a pseudonymisation key in the environment and copies of demo files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import KEY


@pytest.fixture(autouse=True)
def _pseudo_key(monkeypatch):
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", KEY.decode())


def copy_input(src_root: Path, dst_root: Path, *relpaths: str) -> Path:
    """A new input folder holding copies of some demo files (same relative paths)."""
    for rel in relpaths:
        target = dst_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src_root / rel, target)
    return dst_root
