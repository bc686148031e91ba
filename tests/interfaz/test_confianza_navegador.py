"""In the real application (headless Chromium over the tiny demo's MPR from `sidil train` and `sidil
predict`): each predictor shows its model's confidence in the predictor list, beside the chosen predictor,
in the preview table's header and in the XLSX export, as the MPR dictionary states it."""

from __future__ import annotations

import openpyxl

from sidil.interfaz.mpr import Matriz
from tests.interfaz.test_navegador import _descargar, _entrar, servidor  # noqa: F401 - fixtures


def _texto_confianza(pagina, esperado: str, timeout: float = 20_000) -> str:
    pagina.wait_for_function(
        "(t) => { const e = document.querySelector('#confianza_predictor'); return e && e.innerText.includes(t); }",
        arg=esperado,
        timeout=timeout,
    )
    return pagina.inner_text("#confianza_predictor")


def test_the_confidence_label_reaches_the_planner(navegador, servidor, tmp_path):  # noqa: F811
    m = Matriz(servidor["mpr"])
    predictores = m.grupo("prediccion")
    assert predictores and set(m.confianza) == {p.nombre for p in predictores} | {"riesgo"}
    pagina = _entrar(navegador, servidor, "pepe")

    # the list of predictors: every option carries its label
    opciones = {o.get_attribute("value"): o.inner_text() for o in pagina.locator("#pred_columna option").all()}
    for p in predictores:
        assert opciones[p.nombre] == f"{p.etiqueta} — {m.confianza[p.nombre].texto}"

    # beside the chosen predictor, for two of them in turn
    for p in (predictores[0], predictores[-1]):
        pagina.select_option("#pred_columna", p.nombre)
        c = m.confianza[p.nombre]
        texto = _texto_confianza(pagina, c.detalle)
        assert texto.startswith(f"Confianza del modelo: {c.nivel}")
        assert ("no apta para priorizar" in texto) == (not c.apta)

    # the preview's predictor column and the XLSX export
    primero = predictores[0]
    pagina.select_option("#pred_columna", primero.nombre)
    pagina.click("#pred_agregar")
    pagina.wait_for_function("() => document.querySelectorAll('#pred_aplicado option').length == 1")
    cabecera = f"{primero.etiqueta} — {m.confianza[primero.nombre].texto}"
    pagina.wait_for_function("(t) => document.body.innerText.includes(t)", arg=cabecera, timeout=20_000)
    wb = openpyxl.load_workbook(_descargar(pagina, "exportar_xlsx", tmp_path / "x"))
    filas = {r[0]: r[1] for r in wb["predictor"].iter_rows(min_row=2, values_only=True)}
    assert filas["Confianza del modelo"] == m.confianza[primero.nombre].texto
    for p in predictores:
        assert filas[f"Confianza de {p.etiqueta}"] == m.confianza[p.nombre].texto
