"""`sidil plan`: the inspection plan for a period from the warehouse's MPR (ml.mpr), the inspection history and
the rules (seeds plan_capacidad, plan_submaterias, plan_reglas, or files given by the user). Writes
ml.plan_inspeccion, the per-office exports in salidas/plan/ and a Spanish summary; one raw.bitacora row."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from ml.plan import almacen, entradas, evaluar, salidas
from ml.plan.optimizar import planear
from ml.plan.reglas import PlanInfactible, Reglas
from sidil.pipeline import FALLO, NO_INICIA, OK, Paso, Salida, _abrir_almacen


def carpeta_plan() -> Path:
    from ml.paths import salidas as carpeta_salidas

    return carpeta_salidas() / "plan"


def generar(
    con,
    decir,
    capacidad: Path | None = None,
    periodo: str | None = None,
    reglas_csv: Path | None = None,
    pesos_csv: Path | None = None,
    prioritarios: Path | None = None,
    semilla: int = 1,
    meses: int | None = None,
    exploracion: float | None = None,
    max_municipio: int | None = None,
    fecha_referencia: date | None = None,
    verdad: Path | None = None,
    destino: Path | None = None,
    con_costos: bool = True,
) -> dict:
    """Build, write and summarise the plan; raises EntradaInvalida or PlanInfactible with a Spanish message."""
    t0 = time.perf_counter()
    if exploracion is not None and not 0 <= exploracion <= 1:
        raise entradas.EntradaInvalida(f"--exploracion debe estar entre 0 y 1 (se indicó {exploracion}).")
    if (meses is not None and meses < 0) or (max_municipio is not None and max_municipio < 0):
        raise entradas.EntradaInvalida("--meses y --max-municipio deben ser 0 o más.")
    cap, periodo = entradas.leer_capacidad(
        capacidad or entradas.SEEDS / "plan_capacidad.csv",
        periodo,
        nombre=capacidad.name if capacidad else "plan_capacidad.csv",
    )
    pesos = entradas.leer_pesos(
        pesos_csv or entradas.SEEDS / "plan_submaterias.csv",
        nombre=pesos_csv.name if pesos_csv else "plan_submaterias.csv",
    )
    cfg = entradas.leer_reglas(
        reglas_csv or entradas.SEEDS / "plan_reglas.csv", nombre=reglas_csv.name if reglas_csv else "plan_reglas.csv"
    )
    prio = entradas.leer_prioritarios(prioritarios, prioritarios.name) if prioritarios else frozenset()
    meses = cfg["meses_exclusion"] if meses is None else meses
    fecha_referencia = fecha_referencia or date.today()

    mpr, faltan = almacen.leer_mpr(con, pesos)
    if faltan:
        decir(f"***ADVERTENCIA***: la MPR no trae {', '.join(faltan)} (submateria no modelada): no cuentan en el plan.")
        pesos = {c: w for c, w in pesos.items() if c not in faltan}
    if not pesos:
        raise entradas.EntradaInvalida("Ninguna submateria con peso está en la MPR: no hay nada que optimizar.")
    ultima, con_estatus = almacen.ultima_inspeccion(con, cfg["estatus_abierto"])
    por_procedimiento = cfg["excluir_procedimiento_abierto"] and con_estatus
    if cfg["excluir_procedimiento_abierto"] and not con_estatus:
        decir(
            "***ADVERTENCIA***: el historial de inspecciones no trae el estatus de SIAPI: no se excluyen los "
            "centros con procedimiento abierto."
        )
    fuera = almacen.excluidos(ultima, meses, fecha_referencia, por_procedimiento)
    notas = (
        f"Capacidad: {capacidad or 'seeds/plan_capacidad.csv'}, periodo {periodo}.",
        f"Excluidos: inspeccionados desde {fecha_referencia:%Y-%m-%d} menos {meses} meses"
        + (
            f"; con procedimiento abierto (estatus {', '.join(cfg['estatus_abierto'])})"
            if por_procedimiento
            else "; procedimiento abierto: no disponible o no aplicado"
        )
        + ".",
        f"Submaterias ponderadas: {', '.join(f'{c} ({w:g})' for c, w in pesos.items())}.",
        f"Semilla de la exploración y del plan aleatorio: {semilla}.",
    )
    reglas = Reglas(
        capacidad=cap,
        pesos=pesos,
        cobertura=tuple(cfg["cobertura"]),
        max_por_municipio=cfg["max_por_municipio"] if max_municipio is None else (max_municipio or None),
        prioritarios=prio,
        exploracion=cfg["exploracion"] if exploracion is None else exploracion,
        semilla=semilla,
        periodo=periodo,
        notas=notas,
    )
    faltan_prio = len(prio - set(mpr["centro_trabajo_id"].tolist()))
    if faltan_prio:
        decir(f"***ADVERTENCIA***: {faltan_prio} centros prioritarios no están en la MPR y no entran al plan.")
    t1 = time.perf_counter()
    plan = planear(mpr, reglas, fuera.to_numpy())
    t_plan = time.perf_counter() - t1
    if verdad is None:
        from ml.truth import Verdad

        verdad = Verdad.de_la_carga(con)
    if verdad is not None and not (Path(verdad) / "ct_submateria.parquet").exists():
        verdad = None
    resumen = evaluar.resumen(mpr, plan, reglas, fuera.to_numpy(), verdad, con_costos=con_costos)
    resumen["segundos_optimizacion"] = t_plan
    lineas = evaluar.texto(resumen)
    tabla = salidas.tabla_plan(plan, mpr, periodo)
    salidas.escribir_tabla(con, tabla)
    destino = salidas.escribir_salidas(tabla, resumen, lineas, destino or carpeta_plan(), ultima)
    for aviso in plan.avisos:
        decir(f"***ADVERTENCIA***: {aviso}.")
    for linea in lineas:
        decir(f"INFO: {linea}")
    resumen.update(salidas=str(destino), segundos=time.perf_counter() - t0)
    return resumen


def planear_paso(salida: Salida, **opciones) -> int:
    """The step as the CLI (and a scheduler) calls it: messages, exit code, one raw.bitacora row."""
    paso = Paso(salida, "plan", " ".join(f"{k}={v}" for k, v in opciones.items() if v is not None))
    if not _abrir_almacen(paso):
        return NO_INICIA
    try:
        r = generar(paso.con, paso.decir, **opciones)
        paso.terminar(
            True,
            f"INFO: plan de {r['centros']:,} inspecciones en ml.plan_inspeccion y {r['salidas']} "
            f"(un CSV y un XLSX por oficina) en {r['segundos']:.1f} s.",
        )
        return OK
    except (entradas.EntradaInvalida, PlanInfactible, FileNotFoundError) as exc:
        paso.terminar(False, f"***ERROR***: {exc} No se escribió un plan nuevo.")
        return FALLO
    except Exception as exc:
        return paso.inesperado(exc, " No se escribió un plan nuevo.")
    finally:
        paso.cerrar()
