"""The Plan tab in headless Chromium over the tiny demo's MPR (`sidil serve` for real): the seed's capacity, an
uploaded one, the rules, the plan and its summary, each office's CSV and XLSX download checked against the
rules, a hostile upload and an infeasible rule refused in Spanish. A screenshot goes to tests/artifacts/."""

from __future__ import annotations

import csv
import math

import duckdb
import openpyxl

from tests.interfaz.test_navegador import (  # noqa: F401
    ARTEFACTOS,
    _descargar,
    _entrar,
    servidor,
)


def _texto(pagina, selector: str, timeout: float = 30_000) -> str:
    pagina.wait_for_selector(selector, timeout=timeout)
    return pagina.inner_text(selector)


def test_a_planner_builds_and_downloads_an_inspection_plan(navegador, servidor, tmp_path):  # noqa: F811
    con = duckdb.connect()
    parquet = str(servidor["mpr"] / "mpr.parquet")
    oficinas = [
        r[0]
        for r in con.execute(
            "select geo2 from read_parquet(?) group by geo2 having count(*) >= 60 order by count(*) desc limit 2",
            [parquet],
        ).fetchall()
    ]
    pagina = _entrar(navegador, servidor, "pepe")
    pagina.click("a[data-value='Plan']")
    assert _texto(pagina, "#plan_capacidad_texto").startswith(
        "Periodo 2027-T1: 945 inspecciones en 32 oficinas (catálogo seeds/plan_capacidad.csv)"
    )

    # a hostile upload is refused with its row and field, and nothing is solved with it
    malo = tmp_path / "malo.csv"
    malo.write_text('geo2,periodo,capacidad\n=HYPERLINK("x"),2027-T1,5\n', encoding="utf-8")
    pagina.set_input_files("#plan_capacidad", str(malo))
    assert "fila 2, campo geo2" in _texto(pagina, "#plan_capacidad_error")
    pagina.click("#plan_resolver")
    assert "fila 2, campo geo2" in _texto(pagina, "#plan_error")

    # the planner's capacity: 20 inspections in each of two offices
    cap = tmp_path / "capacidad.csv"
    cap.write_text("geo2,periodo,capacidad\n" + "".join(f"{o},2027-T2,20\n" for o in oficinas), encoding="utf-8")
    pagina.set_input_files("#plan_capacidad", str(cap))
    pagina.wait_for_function(
        "() => document.querySelector('#plan_capacidad_texto') && document.querySelector("
        "'#plan_capacidad_texto').innerText.includes('archivo cargado')"
    )
    assert _texto(pagina, "#plan_capacidad_texto").startswith("Periodo 2027-T2: 40 inspecciones en 2 oficinas")
    # the seed's rules are the defaults: sector 31 at 20 %, size 1 at 10 %, 8 per municipality, 10 % exploration
    assert pagina.input_value("#plan_sector") == "31" and pagina.input_value("#plan_sector_pct") == "20"
    assert pagina.input_value("#plan_exploracion") == "10"
    pagina.fill("#plan_semilla", "77")
    pagina.click("#plan_resolver")
    resumen = _texto(pagina, "#plan_resumen")
    assert "Plan de inspección 2027-T2: 40 centros de trabajo en 2 oficinas (capacidad 40)" in resumen
    assert "plan aleatorio del mismo tamaño" in resumen and "Regla «cobertura mínima 20% de sector SCIAN 31»" in resumen
    pagina.wait_for_timeout(800)
    pagina.screenshot(path=str(ARTEFACTOS / "interfaz_plan.png"), full_page=True)

    # each office's download holds its 20 workplaces, 2 drawn at random, the coverage rules met
    for o in oficinas:
        pagina.select_option("#plan_oficina", o)
        pagina.wait_for_timeout(300)
        ruta = _descargar(pagina, "plan_csv", tmp_path / o)
        assert ruta.name == f"plan_inspeccion-oficina_{o}.csv"
        with open(ruta, encoding="utf-8", newline="") as f:
            filas = list(csv.DictReader(f))
        assert len(filas) == 20 and {f["oficina"] for f in filas} == {o}
        assert sum(f["exploracion"] == "true" for f in filas) == 2
        assert sum(f["scian2018_2"] == "31" for f in filas) >= math.ceil(0.2 * 20)
        assert sum(f["cat_tamanio"] == "1" for f in filas) >= 2
        ids = [int(f["centro_trabajo_id"]) for f in filas]
        assert (
            con.execute(
                "select count(*) from read_parquet(?) where geo2 = ? and centro_trabajo_id in "
                "(select unnest(?::bigint[]))",
                [parquet, o, ids],
            ).fetchone()[0]
            == 20
        )
        xlsx = _descargar(pagina, "plan_xlsx", tmp_path / (o + "x"))
        wb = openpyxl.load_workbook(xlsx)
        assert wb.sheetnames == ["plan", "resumen"]
        assert sorted(r[4] for r in list(wb["plan"].iter_rows(values_only=True))[1:]) == sorted(ids)
        assert ["exportado por", "pepe"] in [list(r) for r in wb["resumen"].iter_rows(values_only=True)]

    # an infeasible rule: the message names it
    pagina.fill("#plan_sector_pct", "100")
    pagina.click("#plan_resolver")
    pagina.wait_for_function(
        "() => document.querySelector('#plan_error') && document.querySelector('#plan_error')"
        ".innerText.includes('cobertura mínima 100% de sector SCIAN 31')"
    )
    assert pagina.evaluate("window.__csp") == []
    pagina.close()
