"""The consultation's "Plan" tab for planners: capacity per office (the seed or an uploaded CSV), the rules
(coverage of a sector and of a size class, maximum per municipality, exclusion of recent inspections,
priority workplaces, exploration share and its seed), solve, the summary against a random plan and top-k by
risk, and each office's plan as CSV or XLSX.

It reads the MPR snapshot the interface already holds (never the warehouse) and, for the exclusions, the
inspection history `sidil plan` leaves in salidas/plan/ultima_inspeccion.parquet."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
from shiny import reactive, render, ui

from ml.plan import almacen, entradas, evaluar, salidas
from ml.plan.optimizar import planear
from ml.plan.reglas import PlanInfactible, ReglaCobertura, Reglas
from sidil.interfaz.mpr import Matriz

# Above this many workplaces the tab skips re-solving once per rule (the rule costs): the answer stays fast.
MAX_CENTROS_COSTOS = 200_000
_IDS = re.compile(r"[\s,;]+")
ENCABEZADOS = {
    "orden": "Orden",
    "centro_trabajo_id": "Centro de trabajo",
    "nombre_ct": "Nombre",
    "nom_geo5": "Municipio",
    "scian2018_2": "Sector",
    "cat_tamanio": "Tamaño",
    "motivo": "Motivo",
    "exploracion": "Exploración",
    "infracciones_esperadas": "Infracciones esperadas",
    "riesgo": "Riesgo",
}


def _ultima_inspeccion() -> pd.DataFrame | None:
    from ml.paths import salidas as carpeta_salidas

    ruta = carpeta_salidas() / "plan" / "ultima_inspeccion.parquet"
    return pd.read_parquet(ruta) if ruta.exists() else None


def leer_ids(texto: str) -> frozenset[int]:
    """Priority workplaces typed or pasted: ids separated by spaces, commas or new lines."""
    partes = [p for p in _IDS.split(texto or "") if p]
    malos = [p for p in partes if not p.isdigit() or len(p) > 15]
    if malos:
        raise entradas.EntradaInvalida(f"Centros prioritarios: «{malos[0][:30]}» no es una clave de centro de trabajo.")
    if len(partes) > entradas.MAX_FILAS:
        raise entradas.EntradaInvalida(f"Centros prioritarios: más de {entradas.MAX_FILAS:,} claves.")
    return frozenset(int(p) for p in partes)


def _mpr(m: Matriz, pesos: dict[str, float]) -> pd.DataFrame:
    from loaders.sql import ident

    cols = [c for c in (*almacen.BASE, *pesos) if c in m.por_nombre]
    return m.cursor().execute(f"select {', '.join(ident(c) for c in cols)} from mpr").df()


def panel_plan(m: Matriz):
    try:
        semilla_reglas = entradas.leer_reglas()
    except entradas.EntradaInvalida:
        semilla_reglas = {"cobertura": [], "max_por_municipio": None, "exploracion": 0.1, "meses_exclusion": 12}
    sector = next((r for r in semilla_reglas["cobertura"] if r.dimension == "scian2018_2"), None)
    tamanio = next((r for r in semilla_reglas["cobertura"] if r.dimension == "cat_tamanio"), None)
    sectores = (
        {
            "": "(sin regla)",
            **{
                str(v): f"{v} {e or ''}".strip()
                for v, e in m.cursor()
                .execute(
                    "select distinct scian2018_2, nom_scian2018_2 from mpr where scian2018_2 is not null order by 1"
                    if "nom_scian2018_2" in m.por_nombre
                    else "select distinct scian2018_2, null from mpr where scian2018_2 is not null order by 1"
                )
                .fetchall()
            },
        }
        if "scian2018_2" in m.por_nombre
        else {"": "(sin regla)"}
    )
    tamanios = {"": "(sin regla)", **{str(i): str(i) for i in range(1, 7)}}
    return ui.nav_panel(
        "Plan",
        ui.layout_columns(
            ui.card(
                ui.card_header("Capacidad por oficina"),
                ui.p(
                    "Inspecciones disponibles por oficina estatal en el periodo: CSV con columnas geo2, periodo "
                    "y capacidad. Sin archivo se usa el catálogo seeds/plan_capacidad.csv.",
                    class_="sidil-desc",
                ),
                ui.input_file(
                    "plan_capacidad", "Archivo de capacidad (CSV)", accept=[".csv"], button_label="Seleccionar…"
                ),
                ui.output_ui("plan_capacidad_estado"),
                ui.input_text_area(
                    "plan_prioritarios", "Centros prioritarios que deben entrar (claves)", "", rows=3, width="100%"
                ),
            ),
            ui.card(
                ui.card_header("Reglas"),
                ui.layout_columns(
                    ui.input_select(
                        "plan_sector",
                        "Sector con cobertura mínima",
                        sectores,
                        selected=sector.valor if sector and sector.valor in sectores else "",
                    ),
                    ui.input_numeric(
                        "plan_sector_pct",
                        "Mínimo del sector (%)",
                        round(100 * sector.proporcion) if sector else 0,
                        min=0,
                        max=100,
                    ),
                    ui.input_select(
                        "plan_tamanio",
                        "Tamaño con cobertura mínima",
                        tamanios,
                        selected=tamanio.valor if tamanio else "",
                    ),
                    ui.input_numeric(
                        "plan_tamanio_pct",
                        "Mínimo del tamaño (%)",
                        round(100 * tamanio.proporcion) if tamanio else 0,
                        min=0,
                        max=100,
                    ),
                    col_widths=(6, 6, 6, 6),
                ),
                ui.layout_columns(
                    ui.input_numeric(
                        "plan_max_muni",
                        "Máximo por municipio (0 = sin máximo)",
                        semilla_reglas["max_por_municipio"] or 0,
                        min=0,
                    ),
                    ui.input_numeric(
                        "plan_meses",
                        "Excluir inspeccionados en los últimos meses",
                        semilla_reglas["meses_exclusion"],
                        min=0,
                        max=600,
                    ),
                    ui.input_numeric(
                        "plan_exploracion",
                        "Exploración aleatoria (%)",
                        round(100 * semilla_reglas["exploracion"]),
                        min=0,
                        max=100,
                    ),
                    ui.input_numeric("plan_semilla", "Semilla", 1, min=0),
                    col_widths=(6, 6, 6, 6),
                ),
                ui.input_action_button("plan_resolver", "Calcular plan", class_="btn-primary"),
            ),
            col_widths=(5, 7),
        ),
        ui.card(ui.card_header("Resultado"), ui.output_ui("plan_resultado")),
        ui.card(
            ui.card_header("Plan por oficina"),
            ui.input_select("plan_oficina", "Oficina", {}),
            ui.div(
                ui.download_button("plan_csv", "Descargar plan de la oficina (CSV)", class_="btn-exportar"),
                ui.download_button("plan_xlsx", "Descargar plan de la oficina (Excel)", class_="btn-exportar"),
                style="display:flex;gap:1rem;margin:0.5rem 0",
            ),
            ui.output_data_frame("plan_tabla"),
        ),
    )


def _pct(valor, nombre: str) -> float:
    if valor is None or not 0 <= float(valor) <= 100:
        raise entradas.EntradaInvalida(f"{nombre}: indique un porcentaje entre 0 y 100.")
    return float(valor) / 100


def servidor_plan(input, m: Matriz, usuario: str = "") -> None:
    resultado: reactive.Value[dict | None] = reactive.value(None)

    def capacidad() -> tuple[dict[str, int], str, str]:
        archivo = input.plan_capacidad()
        if archivo:
            ruta = Path(archivo[0]["datapath"])
            if ruta.stat().st_size > entradas.MAX_BYTES:
                raise entradas.EntradaInvalida(f"El archivo de capacidad excede {entradas.MAX_BYTES // 1_000_000} MB.")
            cap, periodo = entradas.leer_capacidad(ruta.read_bytes(), nombre="el archivo de capacidad")
            return cap, periodo, "archivo cargado"
        cap, periodo = entradas.leer_capacidad(entradas.SEEDS / "plan_capacidad.csv", nombre="plan_capacidad.csv")
        return cap, periodo, "catálogo seeds/plan_capacidad.csv"

    @render.ui
    def plan_capacidad_estado():
        try:
            cap, periodo, origen = capacidad()
        except entradas.EntradaInvalida as exc:
            return ui.p(f"***ERROR***: {exc}", class_="text-danger", id="plan_capacidad_error")
        return ui.p(
            f"Periodo {periodo}: {sum(cap.values()):,} inspecciones en {sum(c > 0 for c in cap.values())} "
            f"oficinas ({origen}).",
            id="plan_capacidad_texto",
        )

    @reactive.effect
    @reactive.event(input.plan_resolver)
    def _():
        try:
            cap, periodo, origen = capacidad()
            pesos = entradas.leer_pesos()
            pesos = {c: w for c, w in pesos.items() if c in m.por_nombre}
            if not pesos:
                raise entradas.EntradaInvalida("La MPR no trae ninguna submateria con peso en el catálogo.")
            cobertura = []
            if input.plan_sector():
                cobertura.append(
                    ReglaCobertura(
                        "scian2018_2", input.plan_sector(), _pct(input.plan_sector_pct(), "Mínimo del sector")
                    )
                )
            if input.plan_tamanio():
                cobertura.append(
                    ReglaCobertura(
                        "cat_tamanio", input.plan_tamanio(), _pct(input.plan_tamanio_pct(), "Mínimo del tamaño")
                    )
                )
            max_muni, meses, semilla = input.plan_max_muni(), input.plan_meses(), input.plan_semilla()
            if max_muni is None or max_muni < 0 or meses is None or meses < 0 or semilla is None or semilla < 0:
                raise entradas.EntradaInvalida("Indique el máximo por municipio, los meses y la semilla (0 o más).")
            mpr = _mpr(m, pesos)
            ultima = _ultima_inspeccion()
            if ultima is not None:
                fuera = almacen.excluidos(ultima, int(meses), date.today(), True)
                nota = f"Excluidos: inspeccionados en los últimos {int(meses)} meses o con procedimiento abierto."
            else:
                fuera = pd.Series([], dtype="int64")
                nota = (
                    "Sin historial de inspecciones (ejecute `sidil plan`): no se excluyen inspecciones "
                    "recientes ni procedimientos abiertos."
                )
            reglas = Reglas(
                capacidad=cap,
                pesos=pesos,
                cobertura=tuple(cobertura),
                max_por_municipio=int(max_muni) or None,
                prioritarios=leer_ids(input.plan_prioritarios()),
                exploracion=_pct(input.plan_exploracion(), "Exploración"),
                semilla=int(semilla),
                periodo=periodo,
                notas=(f"Capacidad: {origen}.", nota),
            )
            plan = planear(mpr, reglas, fuera.to_numpy())
            res = evaluar.resumen(mpr, plan, reglas, fuera.to_numpy(), con_costos=m.n_centros <= MAX_CENTROS_COSTOS)
            lineas = [*evaluar.texto(res), *reglas.notas, *(f"Aviso: {a}." for a in plan.avisos)]
            tabla = salidas.tabla_plan(plan, mpr, periodo)
            resultado.set({"tabla": tabla, "lineas": lineas, "error": None})
            oficinas = sorted(tabla["oficina"].unique())
            nombres = dict(zip(tabla["oficina"], tabla["nom_oficina"].fillna("")))
            ui.update_select("plan_oficina", choices={o: f"{o} {nombres.get(o, '')}".strip() for o in oficinas})
        except (entradas.EntradaInvalida, PlanInfactible) as exc:
            resultado.set({"tabla": None, "lineas": [], "error": str(exc)})

    @render.ui
    def plan_resultado():
        r = resultado()
        if r is None:
            return ui.p("Defina la capacidad y las reglas y pulse «Calcular plan».", id="plan_estado")
        if r["error"]:
            return ui.p(f"***ERROR***: {r['error']}", class_="text-danger", id="plan_error")
        return ui.div(*[ui.p(linea) for linea in r["lineas"]], id="plan_resumen")

    def _oficina() -> pd.DataFrame | None:
        r = resultado()
        if not r or r["tabla"] is None or not input.plan_oficina():
            return None
        return r["tabla"]

    @render.data_frame
    def plan_tabla():
        t = _oficina()
        if t is None:
            return render.DataGrid(pd.DataFrame())
        vista = t[t["oficina"] == input.plan_oficina()][
            [
                "orden",
                "centro_trabajo_id",
                "nombre_ct",
                "nom_geo5",
                "scian2018_2",
                "cat_tamanio",
                "motivo",
                "exploracion",
                "infracciones_esperadas",
                "riesgo",
            ]
        ]
        vista = vista.round({"infracciones_esperadas": 3, "riesgo": 3}).assign(
            exploracion=vista["exploracion"].map({True: "sí", False: "no"})
        )
        return render.DataGrid(vista.rename(columns=ENCABEZADOS), width="100%", height="360px")

    def _descargar(extension: str):
        t = _oficina()
        if t is None:
            return
        oficina = input.plan_oficina()
        if oficina not in set(t["oficina"]):
            return
        with tempfile.TemporaryDirectory(prefix="sidil-plan-") as d:
            filas = salidas.filas_resumen(resultado()["lineas"])
            if usuario:
                filas.append(["exportado por", usuario])
            (ruta,) = salidas.exportar_oficina(t, oficina, Path(d), filas, (extension,))
            yield ruta.read_bytes()

    def _nombre(extension: str) -> str:
        o = input.plan_oficina()
        return salidas.nombre_oficina(o if o and len(o) == 2 and o.isdigit() else "00", extension)

    @render.download(filename=lambda: _nombre("csv"), media_type="text/csv")
    def plan_csv():
        yield from _descargar("csv")

    @render.download(
        filename=lambda: _nombre("xlsx"), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    def plan_xlsx():
        yield from _descargar("xlsx")
