"""`sidil plan`'s step on the tiny demo for real: the model trained and the MPR predicted on a copy of the built
warehouse, then the plan with the seeds' rules. Checks the table, the exports, the exploration share, every
coverage rule per office, the truth-based comparison, the run log, and that infeasible rules leave the previous
plan in place with the rule named."""

from __future__ import annotations

import csv
import json
import math
import shutil
from datetime import date

import duckdb
import pytest

from ml.predict import predict
from ml.train import train
from sidil.pipeline import Salida
from sidil.plan_step import planear_paso


@pytest.fixture(scope="module")
def demo(built_tiny, tiny_demo, tmp_path_factory):
    root = tmp_path_factory.mktemp("plan")
    db = root / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    mp = pytest.MonkeyPatch()
    for k, v in {"SIDIL_DB": db, "SIDIL_MODELOS": root / "models_store", "SIDIL_SALIDAS": root / "salidas"}.items():
        mp.setenv(k, str(v))
    con = duckdb.connect(str(db))
    train(con, say=lambda _l: None, reentrenar=False)
    predict(con, say=lambda _l: None)
    oficinas = [
        r[0]
        for r in con.execute("select geo2 from ml.mpr group by geo2 having count(*) >= 60 order by geo2").fetchall()
    ]
    con.close()
    capacidad = root / "capacidad.csv"
    capacidad.write_text(
        "geo2,periodo,capacidad\n" + "".join(f"{o},2027-T1,20\n" for o in oficinas[:6]), encoding="utf-8"
    )
    yield {"db": db, "root": root, "capacidad": capacidad, "oficinas": oficinas[:6]}
    mp.undo()


def _plan(demo, **kw) -> tuple[int, list[str]]:
    lineas: list[str] = []
    codigo = planear_paso(
        Salida(decir=lineas.append), capacidad=demo["capacidad"], fecha_referencia=date(2026, 11, 30), **kw
    )
    return codigo, lineas


def test_the_plan_on_the_tiny_demo(demo):
    codigo, lineas = _plan(demo)
    assert codigo == 0, "\n".join(lineas)
    con = duckdb.connect(str(demo["db"]), read_only=True)
    t = con.execute("""select p.oficina, p.centro_trabajo_id, p.exploracion, p.motivo, m.scian2018_2, m.cat_tamanio,
                              p.infracciones_esperadas
                       from ml.plan_inspeccion p join ml.mpr m using (centro_trabajo_id)""").df()
    bitacora = con.execute("select resultado from raw.bitacora where proceso = 'plan'").fetchall()
    con.close()
    assert bitacora == [("ok",)]
    assert sorted(t["oficina"].unique()) == demo["oficinas"]
    por_oficina = t.groupby("oficina").agg(
        n=("centro_trabajo_id", "size"),
        exp=("exploracion", "sum"),
        s31=("scian2018_2", lambda s: (s == "31").sum()),
        t1=("cat_tamanio", lambda s: (s == 1).sum()),
    )
    assert (por_oficina["n"] == 20).all() and (por_oficina["exp"] == 2).all()  # 10 % of 20, each office
    assert (por_oficina["s31"] >= math.ceil(0.2 * 20)).all() and (por_oficina["t1"] >= 2).all()
    assert t["centro_trabajo_id"].is_unique
    carpeta = demo["root"] / "salidas" / "plan"
    for o in demo["oficinas"]:
        with open(carpeta / f"plan_inspeccion-oficina_{o}.csv", encoding="utf-8", newline="") as f:
            assert len(list(csv.DictReader(f))) == 20
        assert (carpeta / f"plan_inspeccion-oficina_{o}.xlsx").stat().st_size > 0
    r = json.loads((carpeta / "resumen.json").read_text(encoding="utf-8"))
    p = r["planes"]
    # the demo's truth is found from what was loaded: what each plan would really have found
    # the tiny demo's model is weak (AUC about 0.6): the plan still finds more than a random one
    assert p["plan"]["infracciones_verdad"] > 1.08 * p["aleatorio"]["infracciones_verdad"]
    assert p["oraculo"]["infracciones_verdad"] >= p["plan"]["infracciones_verdad"]
    assert all(v == 0 for v in p["plan"]["reglas_incumplidas"].values())
    assert p["plan"]["infracciones_esperadas"] > p["aleatorio"]["infracciones_esperadas"]
    assert any(linea.startswith("INFO: Infracciones según la verdad del demo") for linea in lineas)
    assert lineas[-1].startswith("INFO: plan de 120 inspecciones en ml.plan_inspeccion")


def test_infeasible_rules_leave_the_previous_plan_and_name_the_rule(demo, tmp_path):
    codigo, _ = _plan(demo)
    assert codigo == 0
    con = duckdb.connect(str(demo["db"]), read_only=True)
    antes = con.execute("select * from ml.plan_inspeccion order by oficina, orden").fetchall()
    con.close()
    reglas = tmp_path / "reglas.csv"
    reglas.write_text("regla,dimension,valor,parametro\ncobertura_minima,scian2018_2,99,0.5\n", encoding="utf-8")
    codigo, lineas = _plan(demo, reglas_csv=reglas)
    assert codigo == 1
    assert lineas[-1].startswith(
        "***ERROR***: No se puede cumplir la regla de cobertura mínima 50% de sector SCIAN 99 en la oficina "
    )
    assert lineas[-1].endswith("No se escribió un plan nuevo.")
    con = duckdb.connect(str(demo["db"]), read_only=True)
    assert con.execute("select * from ml.plan_inspeccion order by oficina, orden").fetchall() == antes
    con.close()
