"""`sidil demo` end to end at tiny scale: layout, determinism, truth coverage and the command itself."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sidil.cli import app
from sidil.demo.generate import generate
from sidil.demo.materias import SUBMATERIAS
from sidil.demo.scales import SCALES
from tests.conftest import SEED

LAYOUT = ["enoe", "imss/patrones", "imss/puestos", "imss/riesgos", "censo", "externos", "dne", "siapi", "truth"]


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_layout_has_every_source_folder_with_files(tiny_demo):
    for sub in LAYOUT:
        folder = tiny_demo / sub
        assert folder.is_dir(), sub
        assert any(p.is_file() for p in folder.iterdir()), f"{sub} is empty"


def test_summary_lists_every_written_file(tiny_demo):
    summary = json.loads((tiny_demo / "truth" / "demo.json").read_text(encoding="utf-8"))
    assert summary["escala"] == "tiny" and summary["semilla"] == SEED
    listed = {f for files in summary["archivos"].values() for f in files}
    on_disk = {
        str(p.relative_to(tiny_demo))
        for p in tiny_demo.rglob("*")
        if p.is_file() and not str(p.relative_to(tiny_demo)).startswith("truth")
    }
    assert listed == on_disk


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tiny_demo, tmp_path):
    again = tmp_path / "again"
    generate("tiny", SEED, again)
    assert _digests(again) == _digests(tiny_demo)
    other = tmp_path / "other"
    generate("tiny", SEED + 1, other)
    first, second = _digests(tiny_demo), _digests(other)
    changed = [f for f in first if f in second and first[f] != second[f]]
    assert len(changed) > 0.9 * len(first)


def test_truth_covers_every_ct_and_submateria(tiny_demo):
    con = duckdb.connect()
    path = str(tiny_demo / "truth" / "ct_submateria.parquet")
    n_ct, n_sub, n_rows, bad = con.execute(
        f"select count(distinct centro_trabajo_id), count(distinct submateria_id), count(*), "
        f"count(*) filter (where not (prob_violacion > 0 and prob_violacion < 1)) from '{path}'"
    ).fetchone()
    assert n_ct == SCALES["tiny"].n_ct
    assert n_sub == len(SUBMATERIAS)
    assert n_rows == n_ct * n_sub
    assert bad == 0


def test_command_writes_the_demo_and_refuses_to_wipe_another_folder(tmp_path):
    runner = CliRunner()
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--scale", "tiny", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "archivos de insumo generados" in result.output
    assert (out / "truth" / "demo.json").exists()

    precious = tmp_path / "mis_datos"
    precious.mkdir()
    (precious / "importante.txt").write_text("no borrar")
    result = runner.invoke(app, ["demo", "--scale", "tiny", "--out", str(precious)])
    assert result.exit_code == 2
    assert "***ERROR***" in result.output
    assert (precious / "importante.txt").read_text() == "no borrar"


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"]])
def test_help_is_available(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_unknown_scale_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--scale", "enorme", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "escala desconocida" in result.output
