"""ENOE: the three INEGI tables (SDEM, COE1, COE2) of every quarter, in the files INEGI delivers.

- Classic ENOE (to 2020 Q1): `SDEMT112.dbf`, `COE1T112.dbf`, `COE2T112.dbf`; weight `FAC`, stratum
  `EST_D`, period `PER`; keys cd_a, ent, con, v_sel, n_hog, h_mud, n_ren.
- ENOE-N (2021 Q1 on): `ENOEN_SDEMT121.dbf`, ...; `FAC_TRI`/`FAC_MEN`, `EST_D_TRI`/`EST_D_MEN`,
  `T_LOC_TRI`/`T_LOC_MEN`, and the keys `TIPO`, `MES_CAL`. From 2025 the state key is `CVE_ENT`
  instead of `ENT` (in all three tables).
- The CSV quarter (`PERIODS.enoe_trimestre_csv`) comes only as INEGI's open-data CSV:
  `conjunto_de_datos_sdem_enoe_2024_1t.csv` etc., lower-case headers, comma-separated, latin-1
  (INEGI's microdata CSVs are ISO-8859-1; only their catalogs are UTF-8), no BOM, LF line ends.
- First quarters carry the extended questionnaire (COE1 p3i = union, p3j = contract, p3k1 = contract
  type, p3m* = benefits, p3q = unit size, p5c_* = days/hours); the other quarters the basic one (p3i =
  contract, p3j1 = contract type, p3k* = benefits, p3l = unit size, p5b_* = days/hours).

DBF: dBase III, cp1252 text (language driver 0x03), codes as C fields, weights and derived
numbers as N fields; NULL (blank) where a question was not asked, as in INEGI's files. SDEM carries
`NOM_MUN`, the municipality name with its accents, so readers must honour the encoding.

Module "Semáforos": every resident is in SDEM with `INGOCUP` (0 when not employed), so labor income
sums by household (cd_a, ent, con, v_sel, n_hog, h_mud); `HRSOCUP` gives hours worked; a job in state
government is COE1 `P4D1 = 4` (public institution) and `P4D2 = 2` (state level; 1 federal, 3 municipal).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sidil.demo.enoe_muestra import Muestra, simular
from sidil.demo.formats.dbf import Field, write_dbf, zero_pad
from sidil.demo.scales import PERIODS
from sidil.demo.world import World

CSV_ENCODING = "latin-1"
TABLAS = ("sdem", "coe1", "coe2")


def edicion(anio: int, trimestre: int) -> str:
    return "clasica" if (anio, trimestre) <= (2020, 1) else "nueva"


def nombre_archivo(tabla: str, anio: int, trimestre: int) -> str:
    """File name INEGI uses for `tabla` ('sdem', 'coe1', 'coe2') of a quarter."""
    if (anio, trimestre) == PERIODS.enoe_trimestre_csv:
        return f"conjunto_de_datos_{tabla}_enoe_{anio}_{trimestre}t.csv"
    stem = f"{tabla.upper()}T{trimestre}{anio % 100:02d}.dbf"
    return stem if edicion(anio, trimestre) == "clasica" else f"ENOEN_{stem}"


def fecha_publicacion(anio: int, trimestre: int) -> dt.date:
    """Header date of the DBFs: INEGI publishes a quarter about seven weeks after it ends."""
    mes = 3 * trimestre + 2
    return dt.date(anio + (mes > 12), (mes - 1) % 12 + 1, 15)


# ---- column builders --------------------------------------------------------------------------
def _cod(valores: np.ndarray, ancho: int) -> np.ndarray:
    """Zero-padded code; NaN gives an empty (blank) field."""
    x = np.asarray(valores, dtype=float)
    vacio = np.isnan(x)
    out = zero_pad(np.where(vacio, 0, x).astype(np.int64), ancho)
    if vacio.any():
        out = out.copy()
        out[vacio] = b""
    return out


def _texto1(valores: np.ndarray) -> np.ndarray:
    """One-character code without padding (e.g. p6b1 '3'); NaN gives a blank."""
    return _cod(valores, 1)


Columna = tuple[Field, Callable[[dict], np.ndarray]]


def _c(nombre: str, ancho: int, fuente: Callable[[dict], np.ndarray]) -> Columna:
    return Field(nombre, "C", ancho), fuente


def _n(nombre: str, ancho: int, fuente: Callable[[dict], np.ndarray], dec: int = 0) -> Columna:
    return Field(nombre, "N", ancho, dec), fuente


def _llaves(anio: int, trimestre: int, con_upm: bool = True) -> list[Columna]:
    """Identification columns shared by the three tables, in INEGI's order."""
    ent = "CVE_ENT" if anio >= 2025 else "ENT"
    per = np.bytes_(f"{trimestre}{anio % 100:02d}")
    cols = [
        _c("CD_A", 2, lambda v: _cod(v["cd_a"], 2)),
        _c(ent, 2, lambda v: _cod(v["estado"] + 1, 2)),
        _c("CON", 5, lambda v: _cod(v["con"], 5)),
    ]
    if con_upm:
        cols.append(_c("UPM", 7, lambda v: _cod(v["upm"], 7)))
    cols += [
        _c("D_SEM", 3, lambda v: _cod(v["d_sem"], 3)),
        _c("N_PRO_VIV", 1, lambda v: _cod(v["n_pro_viv"], 1)),
        _c("V_SEL", 2, lambda v: _cod(v["v_sel"], 2)),
        _c("N_HOG", 1, lambda v: _cod(v["n_hog"], 1)),
        _c("H_MUD", 1, lambda v: _cod(v["h_mud"], 1)),
        _c("N_ENT", 1, lambda v: _cod(v["n_ent"], 1)),
        _c("PER", 3, lambda v: np.full(len(v["upm"]), per, dtype="S3")),
        _c("N_REN", 2, lambda v: _cod(v["n_ren"], 2)),
    ]
    return cols


def _cola(anio: int, trimestre: int) -> list[Columna]:
    """Weights and ENOE-N's extra keys, at the end of every table."""
    if edicion(anio, trimestre) == "clasica":
        return [_n("FAC", 9, lambda v: v["fac"])]
    return [
        _n("FAC_TRI", 9, lambda v: v["fac"]),
        _n("FAC_MEN", 9, lambda v: np.rint(v["fac"] * 3.0)),
        _c("TIPO", 1, lambda v: _cod(v["tipo"], 1)),
        _c("MES_CAL", 2, lambda v: _cod(v["mes_cal"], 2)),
    ]


def columnas_sdem(anio: int, trimestre: int, ancho_nombre: int) -> list[Columna]:
    nueva = edicion(anio, trimestre) == "nueva"
    geo = [
        _c("R_DEF", 2, lambda v: _cod(v["r_def"], 2)),
        _c("LOC", 4, lambda v: _cod(v["loc"], 4)),
        _c("MUN", 3, lambda v: v["cve_mun"]),
        _c("EST", 1, lambda v: _cod(v["est"], 1)),
    ]
    if nueva:
        geo += [
            _c("EST_D_TRI", 4, lambda v: _cod(v["estrato"], 4)),
            _c("EST_D_MEN", 4, lambda v: _cod(v["estrato"], 4)),
            _c("T_LOC_TRI", 1, lambda v: _cod(v["t_loc"], 1)),
            _c("T_LOC_MEN", 1, lambda v: _cod(v["t_loc"], 1)),
        ]
    else:
        geo += [_c("EST_D", 4, lambda v: _cod(v["estrato"], 4)), _c("T_LOC", 1, lambda v: _cod(v["t_loc"], 1))]
    llaves = _llaves(anio, trimestre)
    persona = [
        _c("C_RES", 1, lambda v: _cod(v["c_res"], 1)),
        _c("PAR_C", 3, lambda v: _cod(v["par_c"], 3)),
        _c("SEX", 1, lambda v: _cod(v["sex"], 1)),
        _c("EDA", 2, lambda v: _cod(v["eda"], 2)),
        _c("CS_P13_1", 2, lambda v: _cod(v["cs_p13_1"], 2)),
        _c("NOM_MUN", ancho_nombre, lambda v: v["nom_mun"]),
        _c("UR", 1, lambda v: _cod(v["ur"], 1)),
        _c("ZONA", 1, lambda v: _cod(np.where(v["salario"] > v["salario"].min(), 2, 1), 1)),
        _n("SALARIO", 6, lambda v: v["salario"], 2),
    ]
    derivadas = [
        _n(nombre.upper(), ancho, (lambda k: lambda v: v[k])(nombre), dec)
        for nombre, ancho, dec in (
            ("clase1", 1, 0),
            ("clase2", 1, 0),
            ("pos_ocu", 1, 0),
            ("seg_soc", 1, 0),
            ("rama", 1, 0),
            ("ing7c", 1, 0),
            ("dur9c", 1, 0),
            ("tue1", 1, 0),
            ("tue2", 1, 0),
            ("sub_o", 1, 0),
            ("remune2c", 1, 0),
            ("pre_asa", 1, 0),
            ("tip_con", 1, 0),
            ("anios_esc", 2, 0),
            ("hrsocup", 3, 0),
            ("ingocup", 6, 0),
            ("ing_x_hrs", 9, 2),
            ("tpg_p8a", 1, 0),
            ("tcco", 1, 0),
            ("emp_ppal", 1, 0),
        )
    ]
    # SDEM weights sit before the derived variables in INEGI's layout; ENOE-N keys go last.
    cola = _cola(anio, trimestre)
    pesos = [c for c in cola if c[0].name.startswith("FAC")]
    claves_n = [c for c in cola if not c[0].name.startswith("FAC")]
    return geo + llaves + persona + pesos + derivadas + claves_n


def columnas_coe1(anio: int, trimestre: int) -> list[Columna]:
    q1 = trimestre == 1
    cols = _llaves(anio, trimestre) + [
        _c("EDA", 2, lambda v: _cod(v["eda"], 2)),
        _c("N_INF", 2, lambda v: _cod(v["n_inf"], 2)),
        _c("P1", 1, lambda v: _texto1(v["p1"])),
        _c("P3", 4, lambda v: _cod(v["p3"], 4)),
        _c("P3A", 1, lambda v: _texto1(v["p3a"])),
    ]
    if q1:
        cols += [
            _c("P3I", 1, lambda v: _texto1(v["sindicato"])),
            _c("P3J", 1, lambda v: _texto1(v["contrato"])),
            _c("P3K1", 1, lambda v: _texto1(v["tipo_contrato"])),
            _c("P3M1", 1, lambda v: _texto1(v["aguinaldo"])),
            _c("P3M2", 1, lambda v: _texto1(v["vacaciones"])),
            _c("P3M3", 1, lambda v: _texto1(v["utilidades"])),
            _c("P3M9", 1, lambda v: _texto1(v["prest_ns"])),
            _c("P3Q", 2, lambda v: _cod(v["tamanio"], 2)),
        ]
    else:
        cols += [
            _c("P3I", 1, lambda v: _texto1(v["contrato"])),
            _c("P3J1", 1, lambda v: _texto1(v["tipo_contrato"])),
            _c("P3K1", 1, lambda v: _texto1(v["aguinaldo"])),
            _c("P3K2", 1, lambda v: _texto1(v["vacaciones"])),
            _c("P3K3", 1, lambda v: _texto1(v["utilidades"])),
            _c("P3K9", 1, lambda v: _texto1(v["prest_ns"])),
            _c("P3L", 2, lambda v: _cod(v["tamanio"], 2)),
        ]
    cols += [
        _c("P4A", 4, lambda v: v["p4a"]),
        _c("P4D1", 1, lambda v: _texto1(v["p4d1"])),
        _c("P4D2", 1, lambda v: _texto1(v["p4d2"])),
    ]
    p5 = "P5C" if q1 else "P5B"
    cols += [
        _n(f"{p5}_TDIA", 1, lambda v: v["dias"]),
        _n(f"{p5}_THRS", 3, lambda v: v["horas"]),
    ]
    return cols + _cola(anio, trimestre)


def columnas_coe2(anio: int, trimestre: int) -> list[Columna]:
    return (
        _llaves(anio, trimestre)
        + [
            _c("EDA", 2, lambda v: _cod(v["eda"], 2)),
            _c("N_INF", 2, lambda v: _cod(v["n_inf"], 2)),
            _c("P6B1", 1, lambda v: _texto1(v["p6b1"])),
            _n("P6B2", 6, lambda v: v["p6b2"]),
            _c("P6C", 1, lambda v: _texto1(v["p6c"])),
            _c("P8A", 1, lambda v: _texto1(v["p8a"])),
        ]
        + _cola(anio, trimestre)
    )


# ---- writers -----------------------------------------------------------------------------------
def _subconjunto(v: dict[str, np.ndarray], filas: np.ndarray) -> dict[str, np.ndarray]:
    return {k: x[filas] for k, x in v.items()}


def _escribir_csv(path: Path, columnas: list[Columna], v: dict[str, np.ndarray]) -> None:
    """INEGI's open-data CSV: lower-case bare header, codes as text with their zeros, numbers as
    numbers, empty for NULL, quotes only where a value needs them (a name with a comma)."""
    datos = {}
    for f, fuente in columnas:
        x = fuente(v)
        if f.type == "C":
            datos[f.name.lower()] = np.char.decode(x, "ascii") if x.dtype.kind == "S" else x.astype(str)
        else:
            xf = np.asarray(x, dtype=float)
            if f.decimals:
                datos[f.name.lower()] = np.round(xf, f.decimals)
            else:
                enteros = pd.array(np.where(np.isnan(xf), 0, xf).astype(np.int64), dtype="Int64")
                enteros[np.isnan(xf)] = pd.NA
                datos[f.name.lower()] = enteros
    pd.DataFrame(datos).to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def escribir_trimestre(
    world: World, anio: int, trimestre: int, carpeta: Path, tick: Callable[[str], None]
) -> list[Path]:
    muestra: Muestra = simular(world, anio, trimestre)
    v = muestra.v
    mun = world.municipios
    v["cve_mun"] = mun["cve_mun"].to_numpy().astype("S3")[v["municipio"]]
    nombres = mun["nom_mun"].to_numpy().astype(str)
    ancho_nombre = max(len(x.encode("cp1252")) for x in nombres)
    v["nom_mun"] = nombres[v["municipio"]]
    coe = _subconjunto(v, np.flatnonzero(muestra.coe))
    tablas = {
        "sdem": (columnas_sdem(anio, trimestre, ancho_nombre), v),
        "coe1": (columnas_coe1(anio, trimestre), coe),
        "coe2": (columnas_coe2(anio, trimestre), coe),
    }
    escritos = []
    for tabla, (columnas, datos) in tablas.items():
        path = carpeta / nombre_archivo(tabla, anio, trimestre)
        if path.suffix == ".csv":
            _escribir_csv(path, columnas, datos)
        else:
            write_dbf(
                path,
                [f for f, _ in columnas],
                [fuente(datos) for _, fuente in columnas],
                fecha_publicacion(anio, trimestre),
            )
        tick(path.name)
        escritos.append(path)
    return escritos


def expected_files(world: World) -> int:
    return len(TABLAS) * len(PERIODS.enoe_trimestres)


def write(world: World, out: Path, tick: Callable[[str], None]) -> list[Path]:
    carpeta = Path(out) / "enoe"
    carpeta.mkdir(parents=True, exist_ok=True)
    escritos: list[Path] = []
    for anio, trimestre in PERIODS.enoe_trimestres:
        escritos += escribir_trimestre(world, anio, trimestre, carpeta, tick)
    return escritos
