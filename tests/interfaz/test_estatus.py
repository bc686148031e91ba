"""The status tab's logic: the period the publication calendar expects by a given day (checked by hand
against the seed's lags), the comparison with what is landed, and one read of a real tiny warehouse."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pytest

from sidil import estatus


@pytest.mark.parametrize(
    "periodicidad, rezago, hoy, esperado",
    [
        # IMSS puestos (20 days): October ends 31 Oct, out by 20 Nov; on 19 Nov only September is out.
        ("mensual", 20, date(2026, 11, 20), "2026-10"),
        ("mensual", 20, date(2026, 11, 19), "2026-09"),
        # January across the year: 20 Jan 2027 - 20 days = 31 Dec 2026, December is out that very day.
        ("mensual", 20, date(2027, 1, 20), "2026-12"),
        ("mensual", 20, date(2027, 1, 19), "2026-11"),
        # ENOE (50 days): Q3 ends 30 Sep, + 50 days = 19 Nov.
        ("trimestral", 50, date(2026, 11, 19), "2026T3"),
        ("trimestral", 50, date(2026, 11, 18), "2026T2"),
        # Q4 of the year before: 31 Dec + 50 days = 19 Feb.
        ("trimestral", 50, date(2027, 2, 19), "2026T4"),
        ("trimestral", 50, date(2027, 2, 18), "2026T3"),
        # PIB estatal (340 days): 2025 ends 31 Dec 2025, + 340 days = 6 Dec 2026.
        ("anual", 340, date(2026, 12, 6), "2025"),
        ("anual", 340, date(2026, 12, 5), "2024"),
        # Censo (210 days, years ending in 4 or 9): CE 2024 out on 29 Jul 2025.
        ("quinquenal", 210, date(2025, 7, 29), "2024"),
        ("quinquenal", 210, date(2025, 7, 28), "2019"),
        ("quinquenal", 210, date(2029, 12, 31), "2024"),
        ("cada_ejecucion", 0, date(2026, 11, 30), None),
    ],
)
def test_the_expected_period_follows_the_calendar(periodicidad, rezago, hoy, esperado):
    assert estatus.periodo_esperado(periodicidad, rezago, hoy) == esperado


def test_period_ends_and_the_status_of_a_source():
    assert estatus.fin_periodo("2026T3") == date(2026, 9, 30)
    assert estatus.fin_periodo("2024T1") == date(2024, 3, 31)
    assert estatus.fin_periodo("2024-02") == date(2024, 2, 29)
    assert estatus.fin_periodo("2026-12") == date(2026, 12, 31)
    assert estatus.fin_periodo("2019") == date(2019, 12, 31)
    assert estatus.estado_periodo("2026-10", "2026-10") == estatus.ACTUALIZADO
    assert estatus.estado_periodo("2026-11", "2026-10") == estatus.ACTUALIZADO
    assert estatus.estado_periodo("2026-09", "2026-10") == estatus.POSIBLE
    assert estatus.estado_periodo("2026-09", "2026T3") == estatus.ACTUALIZADO  # a riesgos cut vs a quarter
    assert estatus.estado_periodo("2019", "2024") == estatus.POSIBLE
    assert estatus.estado_periodo(None, "2026T3") == estatus.SIN_CARGAS
    assert estatus.estado_periodo(None, None) == estatus.CADA_EJECUCION


def test_the_calendar_seed_covers_every_input():
    filas = estatus.calendario()
    pares = {(p.fuente, p.entidad) for p in filas}
    assert {
        ("enoe", "sdem"),
        ("enoe", "coe1"),
        ("enoe", "coe2"),
        ("imss", "patrones"),
        ("imss", "puestos"),
        ("imss", "riesgos"),
        ("censo", "c3"),
        ("dne", "directorio"),
        ("siapi", "inspecciones"),
    } <= pares
    assert {p.periodicidad for p in filas if p.fuente in ("dne", "siapi")} == {"cada_ejecucion"}


def test_status_of_the_tiny_warehouse(loaded_tiny, tmp_path):
    """The tiny demo lands ENOE up to 2026T3, IMSS patrones to 2026-10 and puestos to 2026-09, riesgos cut
    2026-09, the Censo 2019; on 30 Nov 2026 puestos and the Censo may have news, the others are current."""
    db = tmp_path / "sidil.duckdb"
    shutil.copy(loaded_tiny[0], db)
    con = duckdb.connect(str(db))
    inicio = datetime(2026, 11, 30, 9, 15)
    con.execute(
        "insert into raw.bitacora values (?, ?, 'ana', 'load', '', 'ok', 'INFO: carga terminada', '')", [inicio, inicio]
    )
    con.execute(
        "insert into raw.bitacora values (?, ?, 'ana', 'load', '', 'error', 'ERROR viejo', '')",
        [datetime(2026, 1, 1), datetime(2026, 1, 1)],
    )
    con.close()
    lectura = estatus.leer(db)
    assert lectura.mensaje is None
    filas = {(f["Fuente"], f["Tabla"]): f for f in estatus.estatus_fuentes(lectura, date(2026, 11, 30))}
    assert filas[("IMSS", "patrones")]["Último periodo cargado"] == "2026-10"
    assert filas[("IMSS", "patrones")]["Estatus"] == estatus.ACTUALIZADO
    assert filas[("IMSS", "puestos")]["Último periodo cargado"] == "2026-09"
    assert filas[("IMSS", "puestos")]["Periodo esperado hoy"] == "2026-10"
    assert filas[("IMSS", "puestos")]["Estatus"] == estatus.POSIBLE
    assert filas[("IMSS", "riesgos")]["Último periodo cargado"] == "2026-09"
    assert filas[("IMSS", "riesgos")]["Estatus"] == estatus.ACTUALIZADO
    assert filas[("ENOE", "sdem")]["Último periodo cargado"] == "2026T3"
    assert filas[("ENOE", "sdem")]["Estatus"] == estatus.ACTUALIZADO
    assert filas[("Censo Económico", "c3")]["Periodo esperado hoy"] == "2024"
    assert filas[("Censo Económico", "c3")]["Estatus"] == estatus.POSIBLE
    assert filas[("DNE", "directorio")]["Estatus"] == estatus.CADA_EJECUCION
    assert filas[("DNE", "directorio")]["Última lectura"] != "—"
    procesos = estatus.estatus_procesos(lectura, {"load": "Carga de insumos", "train": "Entrenamiento"}, version="9.9")
    assert procesos[0] == {
        "Proceso": "Carga de insumos",
        "Versión del código": "9.9",
        "Periodo de referencia": "ENOE 2026T3 · IMSS 2026-09 · Censo Económico 2019",
        "Última ejecución": "2026-11-30 09:15",
        "Usuario": "ana",
        "Resultado": "correcto",
        "Último mensaje": "INFO: carga terminada",
    }
    assert procesos[1]["Resultado"] == "sin ejecuciones" and procesos[1]["Última ejecución"] == "—"
    # the read is closed: a writer can open the warehouse at once
    duckdb.connect(str(db)).close()


def test_a_missing_or_busy_warehouse_is_a_message(tmp_path):
    assert "No existe la base de datos" in estatus.leer(tmp_path / "no.duckdb").mensaje
    db = tmp_path / "ocupada.duckdb"
    duckdb.connect(str(db)).close()
    import subprocess
    import sys

    escritor = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, time, sys; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(30)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert escritor.stdout.readline().strip() == "ok"
        assert estatus.leer(db).mensaje == estatus.EN_ACTUALIZACION
    finally:
        escritor.kill()
        escritor.wait()


def test_code_version_names_the_package():
    from sidil import __version__

    assert estatus.version_codigo().startswith(__version__)


def test_the_operators_active_calendar_is_the_one_used(tmp_path, monkeypatch):
    """A calendar version uploaded in "Carga de catálogos" decides the expected periods."""
    from sidil import catalogos

    monkeypatch.setenv("SIDIL_CATALOGOS", str(tmp_path / "catalogos"))
    monkeypatch.setenv("SIDIL_AUDITORIA", str(tmp_path / "auditoria.log"))
    nueva = tmp_path / "calendario.csv"
    texto = estatus.CALENDARIO.read_text(encoding="utf-8")
    nueva.write_text(texto.replace("imss,puestos,mensual,20,", "imss,puestos,mensual,45,"), encoding="utf-8")
    assert "imss,puestos,mensual,45," in nueva.read_text(encoding="utf-8")
    version = catalogos.ruta_version  # the API this module reads through
    monkeypatch.setattr(catalogos, "activa", lambda nombre: "v0001")
    monkeypatch.setattr(
        catalogos,
        "ruta_version",
        lambda nombre, v: nueva if (nombre, v) == ("calendario_publicacion", "v0001") else version(nombre, v),
    )
    puestos = next(p for p in estatus.calendario() if (p.fuente, p.entidad) == ("imss", "puestos"))
    assert puestos.rezago_dias == 45
    # 30 Nov 2026 - 45 days = 16 Oct: October is not out yet, September is
    assert estatus.periodo_esperado(puestos.periodicidad, puestos.rezago_dias, date(2026, 11, 30)) == "2026-09"


def test_the_status_tab_shows_the_latest_drift_and_reference_alerts(tmp_path):
    """The operators' status tab reads ml.deriva (issue 16) and marts.alertas_referencia (issue 20): only the
    latest prediction's moderate and high drift, only each source's latest period's alerts, in Spanish with
    formatted numbers."""
    import duckdb

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema ml")
    con.execute("create schema marts")
    con.execute(
        "create table ml.deriva (generado_en timestamp, run_id varchar, comparacion varchar, "
        "variable varchar, psi double, nivel varchar, umbral_moderado double, umbral_alto double)"
    )
    con.execute("""insert into ml.deriva values
        ('2026-01-01 10:00', 'r0', 'entrenamiento_vs_universo', 'valor_rotacion', 0.9, 'alta', .1, .25),
        ('2026-02-01 10:00', 'r1', 'mpr_anterior_vs_nueva', 'riesgo', 0.12, 'moderada', .1, .25),
        ('2026-02-01 10:00', 'r1', 'entrenamiento_vs_universo', 'valor_sm105', 0.3141, 'alta', .1, .25),
        ('2026-02-01 10:00', 'r1', 'entrenamiento_vs_universo', 'geo2', 0.01, 'estable', .1, .25)""")
    con.execute(
        "create table marts.alertas_referencia (fuente varchar, periodo varchar, regla varchar, "
        "indicador varchar, nivel varchar, claves varchar, valor double, referencia double, "
        "periodo_referencia varchar, desviacion double, tipo_tolerancia varchar, tolerancia double)"
    )
    con.execute("""insert into marts.alertas_referencia values
        ('imss', '2026-01', 'variacion_mensual', 'rotacion', '0_geo0', '', 12345.6, 10000, '2025-12', 0.234,
         'relativa', 0.1),
        ('imss', '2025-12', 'variacion_mensual', 'rotacion', '0_geo0', '', 1, 1, '2025-11', 0.5, 'relativa', 0.1)""")
    con.close()
    lectura = estatus.leer(db)
    deriva = estatus.tabla_deriva(lectura)
    assert [(d["Variable"], d["PSI"], d["Nivel"], d["Modelo"]) for d in deriva] == [
        ("valor_sm105", "0.314", "alta", "r1"),
        ("riesgo", "0.120", "moderada", "r1"),
    ]
    assert deriva[1]["Comparación"] == "Riesgo: MPR anterior frente a la nueva"
    alertas = estatus.tabla_alertas(lectura)
    assert [(a["Periodo"], a["Valor"], a["Referencia"], a["Desviación"], a["Tolerancia"]) for a in alertas] == [
        ("2026-01", "12,346", "10,000 (2025-12)", "+23.4 %", "10.0 %")
    ]
