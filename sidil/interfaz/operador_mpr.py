"""Tab "Matriz de riesgos" of the operators' app (manual 4.3, "descarga y envío de la MPR"): the matrix the
last prediction left for review, downloadable as CSV, XLSX and Parquet; "Enviar a consulta" publishes it
(under the pipeline lock, so never while a run writes); the list of every published version."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from shiny import module, reactive, render, ui

from sidil import pipeline, publicacion
from sidil.csv_seguro import copiar_csv
from sidil.interfaz.auditoria import auditar
from sidil.interfaz.xlsx import escribir_xlsx, hoja_de_consulta, hoja_de_filas

ORDEN = "riesgo desc nulls last, centro_trabajo_id"
RESUMEN = "Filas {start} a {end} de {total}"


def _fecha(valor) -> str:
    return str(valor or "")[:16].replace("T", " ") or "sin dato"


def _marca(meta: dict | None) -> str:
    """The candidate's generation time as part of a file name (digits and dashes only)."""
    texto = str((meta or {}).get("generado_en") or "")
    return "".join(ch if ch.isdigit() else "-" for ch in texto[:16]) or "sin-fecha"


def _huella() -> tuple:
    """What changes when a prediction writes a new candidate or a publication is made."""
    out = []
    for ruta in (
        publicacion.carpeta_revision() / publicacion.METADATOS,
        publicacion.carpeta_publicada() / publicacion.METADATOS,
        publicacion.carpeta_archivo(),
    ):
        try:
            st = ruta.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def escribir_csv(parquet: Path, ruta: Path) -> None:
    """The candidate as CSV, with text cells that look like formulas neutralised (csv_seguro)."""
    con = duckdb.connect()
    try:
        copiar_csv(con, "select * from read_parquet(?)", ruta, [str(parquet)], orden=ORDEN)
    finally:
        con.close()


def escribir_libro(carpeta: Path, meta: dict, ruta: Path) -> None:
    """The candidate as XLSX: sheets matriz, diccionario and metadatos."""
    con = duckdb.connect()
    try:
        hojas = [
            hoja_de_consulta(con, "matriz", "select * from read_parquet(?)", [str(carpeta / "mpr.parquet")], ORDEN)
        ]
        if (carpeta / "mpr_diccionario.parquet").exists():
            hojas.append(
                hoja_de_consulta(
                    con,
                    "diccionario",
                    "select * from read_parquet(?)",
                    [str(carpeta / "mpr_diccionario.parquet")],
                    "columna",
                )
            )
        hojas.append(
            hoja_de_filas(
                "metadatos",
                ["concepto", "valor"],
                [
                    [k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v]
                    for k, v in meta.items()
                    if k not in ("carpeta", "publicada")
                ],
            )
        )
        escribir_xlsx(ruta, hojas)
    finally:
        con.close()


def _temporal(sufijo: str) -> Path:
    fd, nombre = tempfile.mkstemp(prefix="sidil-mpr-", suffix=sufijo)
    os.close(fd)
    return Path(nombre)


def _servir(ruta: Path):
    """Stream a temporary file and remove it."""
    try:
        with open(ruta, "rb") as f:
            while bloque := f.read(1 << 16):
                yield bloque
    finally:
        ruta.unlink(missing_ok=True)


@module.ui
def mpr_ui():
    return ui.div(
        ui.card(
            ui.card_header("Matriz de predicción de riesgo por revisar"),
            ui.output_ui("candidata"),
            ui.div(
                ui.download_button("descargar_csv", "Descargar CSV", class_="me-2"),
                ui.download_button("descargar_xlsx", "Descargar XLSX", class_="me-2"),
                ui.download_button("descargar_parquet", "Descargar Parquet"),
                class_="my-2",
            ),
            ui.input_text_area(
                "comentario",
                "Comentario del envío",
                width="100%",
                rows=2,
                placeholder="Qué cambió en esta matriz (opcional)",
            ),
            ui.input_action_button("enviar", "Enviar a consulta", class_="btn-success"),
            ui.output_ui("respuesta"),
        ),
        ui.card(ui.card_header("Versiones publicadas"), ui.output_data_frame("versiones")),
    )


@module.server
def mpr_server(input, output, session, usuario):
    @reactive.poll(_huella, 2.0)
    def estado() -> tuple[dict | None, list[dict]]:
        return publicacion.candidata(), publicacion.publicaciones()

    respuesta_texto: reactive.Value[tuple[str, str] | None] = reactive.value(None)

    @render.ui
    def candidata():
        cand, _ = estado()
        if cand is None:
            return ui.p(
                "No hay una matriz por revisar: ejecute la predicción en la pestaña «Estatus y procesos».",
                id="mpr_candidata",
            )
        enviada = (
            ui.span(" Ya está en consulta.", class_="badge text-bg-secondary", id="ya_publicada")
            if cand.get("publicada")
            else ui.span(" Aún no se envía a consulta.", class_="badge text-bg-warning")
        )
        return ui.div(
            ui.tags.ul(
                ui.tags.li("Generada el ", ui.strong(_fecha(cand.get("generado_en")), id="candidata_fecha")),
                ui.tags.li(f"Centros de trabajo: {int(cand.get('n_centros') or 0):,}"),
                ui.tags.li(
                    f"Corrida del modelo: {cand.get('run_id', 'sin dato')} (familia {cand.get('familia', 'sin dato')})"
                ),
            ),
            enviada,
            id="mpr_candidata",
        )

    def _cand() -> dict:
        cand = publicacion.candidata()
        if cand is None:
            raise ValueError("No hay una matriz por revisar.")
        return cand

    @render.download(filename=lambda: f"mpr_revision-{_marca(publicacion.candidata())}.csv")
    def descargar_csv():
        cand = _cand()
        ruta = _temporal(".csv")
        escribir_csv(Path(cand["carpeta"]) / "mpr.parquet", ruta)
        auditar(usuario(), "mpr_descarga", json.dumps({"formato": "csv", "generado_en": cand.get("generado_en")}))
        yield from _servir(ruta)

    @render.download(filename=lambda: f"mpr_revision-{_marca(publicacion.candidata())}.xlsx")
    def descargar_xlsx():
        cand = _cand()
        ruta = _temporal(".xlsx")
        escribir_libro(Path(cand["carpeta"]), cand, ruta)
        auditar(usuario(), "mpr_descarga", json.dumps({"formato": "xlsx", "generado_en": cand.get("generado_en")}))
        yield from _servir(ruta)

    @render.download(filename=lambda: f"mpr_revision-{_marca(publicacion.candidata())}.parquet")
    def descargar_parquet():
        cand = _cand()
        auditar(usuario(), "mpr_descarga", json.dumps({"formato": "parquet", "generado_en": cand.get("generado_en")}))
        with open(Path(cand["carpeta"]) / "mpr.parquet", "rb") as f:
            while bloque := f.read(1 << 16):
                yield bloque

    @reactive.effect
    @reactive.event(input.enviar)
    def _():
        cand = publicacion.candidata()
        if cand is None:
            respuesta_texto.set(("warning", "No hay una matriz por revisar: ejecute primero la predicción."))
            return
        if cand.get("publicada"):
            respuesta_texto.set(("info", "Esta matriz ya está en consulta; no se vuelve a enviar."))
            return
        quien = usuario()
        comentario = str(input.comentario() or "")[:2000]
        lineas: list[str] = []
        try:
            with pipeline.exclusive(pasos=["publish"], usuario=quien):  # one raw.bitacora row, as `sidil publish`
                codigo = pipeline.publicar(pipeline.Salida(decir=lineas.append), quien, comentario)
        except pipeline.PipelineBusy as exc:
            respuesta_texto.set(("warning", f"No se envió: {exc}"))
            return
        if codigo != pipeline.OK:
            respuesta_texto.set(("danger", lineas[-1] if lineas else "No se pudo enviar la matriz."))
            return
        meta = publicacion.vigente() or {}
        auditar(
            quien,
            "mpr_publicacion",
            json.dumps(
                {
                    "version": meta.get("version"),
                    "run_id": meta.get("run_id"),
                    "generado_en": meta.get("generado_en"),
                    "comentario": comentario,
                },
                ensure_ascii=False,
            ),
        )
        ui.update_text_area("comentario", value="")
        respuesta_texto.set(("success", f"Matriz enviada a consulta: versión {meta.get('version', '')}."))

    @render.ui
    def respuesta():
        r = respuesta_texto()
        return ui.div(r[1], class_=f"alert alert-{r[0]} mt-2", id="respuesta_envio") if r else None

    @render.data_frame
    def versiones():
        _, pubs = estado()
        if not pubs:
            return render.DataGrid(
                pd.DataFrame({"": ["Todavía no se ha publicado ninguna matriz."]}), width="100%", summary=False
            )
        df = pd.DataFrame(
            [
                {
                    "Versión": p.get("version", ""),
                    "Enviada el": _fecha(p.get("publicado_en")),
                    "Enviada por": p.get("publicado_por", ""),
                    "Comentario": p.get("comentario", ""),
                    "Generada el": _fecha(p.get("generado_en")),
                    "Corrida del modelo": p.get("run_id", ""),
                    "Centros de trabajo": f"{int(p.get('n_centros') or 0):,}",
                }
                for p in pubs
            ]
        )
        return render.DataGrid(df, width="100%", summary=RESUMEN)
