"""One memory setting for the whole pipeline (issue 17): SIDIL_MEMORIA is DuckDB's ceiling in the loaders'
connections and in dbt's profile, with one default, and a value that is not a size never reaches SQL."""

from __future__ import annotations

import re

import pytest

from loaders import warehouse


def test_profile_default_is_the_pipeline_default(repo_root):
    profile = (repo_root / "profiles.yml").read_text(encoding="utf-8")
    defaults = re.findall(r"env_var\('SIDIL_MEMORIA', '([^']+)'\)", profile)
    assert defaults == [warehouse.MEMORIA_POR_OMISION]
    # No model sets its own ceiling any more: one setting, not three.
    for sql in (repo_root / "models").rglob("*.sql"):
        assert "memory_limit" not in sql.read_text(encoding="utf-8"), sql


def test_connections_take_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv(warehouse.MEMORIA_ENV, raising=False)
    con = warehouse.connect(path=tmp_path / "a.duckdb")
    # DuckDB reports the ceiling in its own units: 4 GB = 4,000,000,000 bytes = 3.7 GiB.
    assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "3.7 GiB"
    con.close()
    monkeypatch.setenv(warehouse.MEMORIA_ENV, "2GiB")
    con = warehouse.connect(path=tmp_path / "a.duckdb")
    assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "2.0 GiB"
    con.close()


@pytest.mark.parametrize("valor", ["4GB'; drop table x; --", "mucho", "4 GB GB", "-1GB"])
def test_a_value_that_is_not_a_size_is_refused(tmp_path, monkeypatch, valor):
    monkeypatch.setenv(warehouse.MEMORIA_ENV, valor)
    with pytest.raises(ValueError, match="SIDIL_MEMORIA"):
        warehouse.connect(path=tmp_path / "a.duckdb")
