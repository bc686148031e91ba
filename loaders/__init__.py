"""Loaders: raw files and databases -> DuckDB schema `raw`, with raw.load_manifest. No business logic."""
