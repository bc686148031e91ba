"""Where the ML step writes: model runs and exports. Environment variables override the defaults so tests
and a second warehouse never mix their files with the main one; both are settings (SIDIL_MODELOS,
SIDIL_SALIDAS), kept importable from here."""

from __future__ import annotations

from settings import PROJECT_DIR, models_store, salidas

__all__ = ["PROJECT_DIR", "models_store", "salidas"]
