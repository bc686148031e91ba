"""Shared fixtures: the repository root and a tiny demo generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = 7


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
