"""Where the ML step writes: model runs and exports. Environment variables override the defaults so tests
and a second warehouse never mix their files with the main one."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def models_store() -> Path:
    """One folder per model run: `models_store/<run_id>/` (SIDIL_MODELOS overrides)."""
    return Path(os.environ.get("SIDIL_MODELOS") or PROJECT_DIR / "models_store")


def salidas() -> Path:
    """Exports people and the consultation interface read: `salidas/mpr/` (SIDIL_SALIDAS overrides)."""
    return Path(os.environ.get("SIDIL_SALIDAS") or PROJECT_DIR / "salidas")
