"""The operators' background job: the steps ticked run in the pipeline's order as one subprocess, one job at
a time (a second request, or one while another run holds the warehouse lock, is refused naming who runs
what), its messages streamed from the log, its end and every request in the audit log."""

from __future__ import annotations

import json
import sys
import time

import pytest

from sidil import pipeline, trabajos

GUION = """import sys, time
n, pausa = int(sys.argv[1]), float(sys.argv[2])
print("ruido de dbt sin prefijo", flush=True)
for i in range(n):
    print(f"INFO: paso {i}", flush=True)
    time.sleep(pausa)
print("***ADVERTENCIA***: algo que mirar", flush=True)
print("***ERROR***: algo falló", flush=True)
sys.exit(int(sys.argv[3]))
"""


@pytest.fixture
def entorno(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_LOGS_PROCESOS", str(tmp_path / "procesos"))
    monkeypatch.setenv("SIDIL_AUDITORIA", str(tmp_path / "auditoria.log"))
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "sidil.duckdb"))
    guion = tmp_path / "sidil_falso.py"  # "sidil" in its command line, as a real run
    guion.write_text(GUION)
    return {"raiz": tmp_path, "guion": guion}


def _falso(entorno, n=3, pausa=0.3, codigo=0) -> list[str]:
    return [sys.executable, str(entorno["guion"]), str(n), str(pausa), str(codigo)]


def _esperar_fin(t, limite=30.0):
    fin = time.time() + limite
    while time.time() < fin:
        u = trabajos.ultimo()
        if u.id == t.id and u.codigo is not None:
            return u
        time.sleep(0.05)
    raise AssertionError("el trabajo no terminó")


def _eventos(entorno) -> list[dict]:
    ruta = entorno["raiz"] / "auditoria.log"
    return [json.loads(x) for x in ruta.read_text(encoding="utf-8").splitlines()] if ruta.exists() else []


def test_the_command_runs_the_ticked_steps_in_the_pipeline_order(tmp_path):
    cmd = trabajos.comando(pipeline.ordenar(["predict", "load", "build"]), "ana", tmp_path / "insumos")
    assert cmd[:4] == [sys.executable, "-m", "sidil.cli", "run"]
    assert cmd[cmd.index("--pasos") + 1] == "load,build,predict"
    assert cmd[cmd.index("--usuario") + 1] == "ana"
    assert cmd[cmd.index("--input") + 1] == str(tmp_path / "insumos")
    assert "--completo" not in cmd  # a run builds only what changed unless the operator asks for everything
    assert trabajos.comando(["build"], "ana", tmp_path, completo=True)[-1] == "--completo"


def test_a_job_runs_in_order_streams_its_messages_and_records_its_end(entorno):
    t = trabajos.iniciar(["predict", "build"], "ana", entorno["raiz"], orden=_falso(entorno, 4, 0.4, 1))
    assert t.pasos == ["build", "predict"] and t.usuario == "ana"
    assert trabajos.ultimo().en_curso and trabajos.ultimo().resultado == "en curso"
    # streaming: the console grows while it runs, only prefixed lines, never a half-written one
    vistos, posicion, antes = [], 0, []
    fin = time.time() + 20
    while time.time() < fin and trabajos.ultimo().codigo is None:
        nuevas, posicion = trabajos.leer_desde(t.ruta_log, posicion)
        vistos += nuevas
        if vistos and not antes:
            antes = list(vistos)  # what was there while it still ran
        time.sleep(0.05)
    nuevas, posicion = trabajos.leer_desde(t.ruta_log, posicion)
    vistos += nuevas
    assert antes and len(antes) < 6  # lines arrived before the end
    assert vistos == [
        "INFO: paso 0",
        "INFO: paso 1",
        "INFO: paso 2",
        "INFO: paso 3",
        "***ADVERTENCIA***: algo que mirar",
        "***ERROR***: algo falló",
    ]
    final = _esperar_fin(t)
    assert final.codigo == 1 and final.resultado == "con errores" and not final.en_curso
    assert trabajos.consola(final) == vistos
    assert "ruido de dbt sin prefijo" in t.ruta_log.read_text()  # the full log keeps everything
    assert t.ruta_log.parent == entorno["raiz"] / "procesos"
    eventos = _eventos(entorno)
    assert [e["accion"] for e in eventos] == ["proceso_iniciado", "proceso_terminado"]
    assert all(e["usuario"] == "ana" for e in eventos)
    assert json.loads(eventos[1]["detalle"])["codigo"] == 1


def test_a_second_job_is_refused_naming_who_runs_what(entorno):
    t = trabajos.iniciar(["load"], "ana", entorno["raiz"], orden=_falso(entorno, 20, 0.2))
    with pytest.raises(trabajos.TrabajoRechazado) as info:
        trabajos.iniciar(["build"], "luis", entorno["raiz"], orden=_falso(entorno, 1, 0))
    mensaje = str(info.value)
    assert "Carga de insumos" in mensaje and "ana" in mensaje and t.inicio[:10] in mensaje
    assert trabajos.ultimo().id == t.id  # the first job is untouched
    acciones = [(e["usuario"], e["accion"]) for e in _eventos(entorno)]
    assert ("luis", "proceso_rechazado") in acciones
    import os
    import signal

    os.killpg(t.pid, signal.SIGTERM)
    final = _esperar_fin(t)
    assert final.codigo != 0
    t2 = trabajos.iniciar(["build"], "luis", entorno["raiz"], orden=_falso(entorno, 1, 0, 0))
    assert _esperar_fin(t2).resultado == "correcto"


def test_a_run_holding_the_warehouse_lock_refuses_the_job(entorno):
    with pipeline.exclusive(pasos=["load", "build"], usuario="cron"):
        with pytest.raises(trabajos.TrabajoRechazado) as info:
            trabajos.iniciar(["predict"], "ana", entorno["raiz"], orden=_falso(entorno, 1, 0))
    assert "cron" in str(info.value) and "Carga de insumos" in str(info.value)
    assert trabajos.ultimo() is None  # nothing started


def test_nothing_ticked_or_an_unknown_step_is_refused(entorno):
    with pytest.raises(trabajos.TrabajoRechazado, match="Elija al menos un proceso"):
        trabajos.iniciar([], "ana", entorno["raiz"])
    with pytest.raises(trabajos.TrabajoRechazado, match="desconocido"):
        trabajos.iniciar(["load; rm -rf /"], "ana", entorno["raiz"])
    assert trabajos.ultimo() is None


def test_a_job_seen_after_a_server_restart(entorno):
    """The job file outlives the server: a running job is still seen running through its pid; one whose
    end nobody recorded reads as interrupted."""
    t = trabajos.iniciar(["load"], "ana", entorno["raiz"], orden=_falso(entorno, 10, 0.2))
    otro = trabajos.Trabajo(**t.__dict__)
    assert otro.en_curso
    import os
    import signal

    os.killpg(t.pid, signal.SIGKILL)
    _esperar_fin(t)
    muerto = trabajos.Trabajo(**{**t.__dict__, "codigo": None})
    assert not muerto.en_curso and muerto.resultado == "interrumpido"
    trabajos._ESPERANDO.add(t.id)  # reaped, its end not yet written by this server: still running
    try:
        assert muerto.en_curso and muerto.resultado == "en curso"
    finally:
        trabajos._ESPERANDO.discard(t.id)
    import os as _os

    reciclado = trabajos.Trabajo(**{**t.__dict__, "pid": _os.getpid(), "codigo": None})  # a live pid, not ours
    assert not reciclado.en_curso
