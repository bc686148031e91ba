"""SIDIL: labor-inspection intelligence for Mexico's STPS (dbt + DuckDB, Python loaders and ML)."""

__version__ = "0.1.0"
