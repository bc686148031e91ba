"""Synthetic IMSS deliveries: monthly patrones and puestos files and the riesgos Excel cuts.

Layout under `out/imss/`:
    patrones/PATRONES_STPS_<periodo>.<ext>   employer registrations, one row per registro
    puestos/PAFINALMES_F_<periodo>.<ext>     insured jobs, one row per (NSS, registro)
    riesgos/STPS_<aaaammdd>.xlsx             work risks, cumulative within the year (March and September)
<periodo> is `aaaamdd` or `aaaammdd` with the day always 31. The latest four months are plain `.tab`; history
months arrive as `.tab`, `.tab.gz`, `.7z` (the .tab inside) or, once, a comma-separated `.csv`. Months before
2022 call the registration `cve_patronal`, later ones `cve_registro`; 2019 files have Windows line ends and
2019-2020 patrones are Latin-1. History months hold only the registros `en_historia`, latest months all.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sidil.demo import catalogs
from sidil.demo.formats.archives import gzip_file, sevenzip_file
from sidil.demo.formats.xlsx import write_xlsx
from sidil.demo.imss_empleadores import Empleadores, clase_romana, empleadores, tamano_patron
from sidil.demo.imss_panel import Panel, cumsum0, simular
from sidil.demo.imss_riesgos import corte, riesgos_anio, tabla
from sidil.demo.randomness import stream
from sidil.demo.scales import PERIODS, imss_months
from sidil.demo.world import World

# Delivery format of history months (default: plain .tab).
FORMATOS = {
    (2019, 9): "7z",
    (2019, 10): "7z",
    (2020, 9): "gz",
    (2020, 10): "gz",
    (2020, 11): "gz",
    (2020, 12): "gz",
    (2022, 10): "csv",
    (2023, 11): "gz",
    (2023, 12): "gz",
    (2024, 9): "7z",
}
# Months 1-9 written with a one-digit month (aaaamdd); the others use aaaammdd.
SIETE_DIGITOS = {(2019, 9), (2021, 9), (2023, 9), (2025, 9), (2026, 6), (2026, 8)}
ANIOS_CRLF = {2019}
ANIOS_LATIN1 = {2019, 2020}
# Size of the history registros in December of each year relative to the latest month.
CRECIMIENTO = {2019: 0.90, 2020: 0.86, 2021: 0.90, 2022: 0.93, 2023: 0.96, 2024: 0.98, 2025: 0.99}
# UMA (daily, pesos) of each year; the insured wage is capped at 25 UMA.
UMA = {2019: 84.49, 2020: 86.88, 2021: 89.62, 2022: 96.22, 2023: 103.74, 2024: 108.57, 2025: 113.14, 2026: 117.31}
SHARE_CURP_VACIA = 0.01  # rows with an empty CURP, recoverable from other rows of the NSS
EDADES = np.array([15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75])
RANGOS_EDAD = np.array([f"E{k}" for k in range(1, 15)])
RANGOS_UMA = np.array([f"W{k}" for k in range(1, 26)])


def periodo(anio: int, mes: int) -> str:
    return f"{anio}{mes}31" if (anio, mes) in SIETE_DIGITOS else f"{anio}{mes:02d}31"


def campo_registro(anio: int) -> str:
    return "cve_patronal" if anio < 2022 else "cve_registro"


def _runs(world: World) -> list[list[tuple[int, int, bool]]]:
    """Months grouped into runs of consecutive months (one per history year, then the latest)."""
    runs: dict[tuple[int, bool], list] = {}
    for y, m, recent in imss_months(world.scale):
        runs.setdefault((0 if recent else y, recent), []).append((y, m, recent))
    return list(runs.values())


def expected_files(world: World) -> int:
    return 2 * len(imss_months(world.scale)) + 1 + len(PERIODS.riesgos_cortes)


# ---- text helpers ------------------------------------------------------------------------------------------
def fixed_strings(chars: np.ndarray, empty: np.ndarray | None = None) -> pa.Array:
    """A utf8 array from an (n, w) uint8 array of ASCII characters (rows flagged `empty` become '')."""
    n, w = chars.shape
    if empty is None:
        offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64)
        data = np.ascontiguousarray(chars).tobytes()
    else:
        offsets = cumsum0(np.where(empty, 0, w))
        data = np.ascontiguousarray(chars[~empty]).tobytes()
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data)).cast(pa.string())


def pesos(cents: np.ndarray) -> pa.Array:
    """Amounts with exactly two decimals ('315.04') from integer cents."""
    ent = pa.array(cents // 100).cast(pa.string())
    dec = pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(ent, dec, ".")


def _options(anio: int, delimiter: str = "\t") -> pacsv.WriteOptions:
    return pacsv.WriteOptions(
        delimiter=delimiter,
        quoting_style="none",
        quoting_header="none",
        eol="\r\n" if anio in ANIOS_CRLF else "\n",
        batch_size=65_536,
    )


def _write_text(path: Path, tables: Iterator[pa.Table], anio: int, latin1: bool = False) -> None:
    """Tab-separated text, unquoted, header first, table by table (memory stays one chunk)."""
    opts = _options(anio)
    with open(path, "wb") as fh:
        if latin1:  # old deliveries came from a Windows export: transcode each chunk
            for k, t in enumerate(tables):
                buf = io.BytesIO()
                pacsv.write_csv(t, buf, opts if k == 0 else _sin_encabezado(opts))
                fh.write(buf.getvalue().decode("utf-8").encode("latin-1"))
            return
        writer = None
        for t in tables:
            if writer is None:
                writer = pacsv.CSVWriter(fh, t.schema, write_options=opts)
            writer.write_table(t)
        if writer is not None:
            writer.close()


def _sin_encabezado(opts: pacsv.WriteOptions) -> pacsv.WriteOptions:
    return pacsv.WriteOptions(
        include_header=False,
        delimiter=opts.delimiter,
        quoting_style="none",
        quoting_header="none",
        eol=opts.eol,
        batch_size=opts.batch_size,
    )


def _write_csv(path: Path, tables: Iterator[pa.Table]) -> None:
    """Comma-separated, quoted only where needed (company names with commas), via DuckDB."""
    data = pa.concat_tables(list(tables))
    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.register("datos", data)
    target = path.as_posix().replace("'", "''")
    con.execute(f"COPY datos TO '{target}' (FORMAT csv, HEADER true, DELIMITER ',')")
    con.close()


def _deliver(folder: Path, stem: str, anio: int, mes: int, tables: Iterator[pa.Table], latin1: bool) -> Path:
    """Write one month's file in its delivery format; returns the final path."""
    fmt = FORMATOS.get((anio, mes), "tab")
    if fmt == "csv":
        path = folder / f"{stem}.csv"
        _write_csv(path, tables)
        if latin1:
            path.write_bytes(path.read_bytes().decode("utf-8").encode("latin-1"))
        return path
    tab = folder / f"{stem}.tab"
    _write_text(tab, tables, anio, latin1)
    if fmt == "tab":
        return tab
    if fmt == "gz":
        path = gzip_file(tab, folder / f"{stem}.tab.gz")
    else:
        when = dt.datetime(anio + (mes == 12), mes % 12 + 1, 5, 9, 0, 0)
        path = sevenzip_file(tab, folder / f"{stem}.7z", f"{stem}.tab", when)
    tab.unlink()
    return path


# ---- tables ------------------------------------------------------------------------------------------------
def _ultimo_dia(anio: int, mes: int) -> np.datetime64:
    return (np.datetime64(f"{anio}-{mes:02d}", "M") + 1).astype("datetime64[D]") - 1


def _puestos(
    world: World, emp: Empleadores, panel: Panel, t: int, anio: int, mes: int, chunk: int
) -> Iterator[pa.Table]:
    rng = stream(world.seed, "imss", "puestos", anio, mes)
    s_gen = catalogs.salario_minimo(anio, mes, False)
    s_fro = catalogs.salario_minimo(anio, mes, True)
    tope = int(round(25 * UMA[anio] * 100))
    fecha_dias = int(_ultimo_dia(anio, mes).astype(np.int64))
    campo = campo_registro(anio)
    jobs = panel.activos[t]
    for start in range(0, len(jobs), chunk):
        j = jobs[start : start + chunk]
        wr = panel.registros[panel.registro_de[j]]
        per = panel.persona[j]
        vacia = ~panel.tiene_curp[per] | panel.curp_vacia[j] | (rng.random(len(j)) < SHARE_CURP_VACIA)
        minimo = np.where(emp.frontera[wr], s_fro, s_gen)
        cents = np.minimum(np.rint(panel.razon_sm[j].astype(np.float64) * minimo * 100).astype(np.int64), tope)
        edad = (fecha_dias - panel.nacimiento[per]) / 365.25
        rango_edad = RANGOS_EDAD[np.searchsorted(EDADES, edad, side="right")]
        rango_uma = RANGOS_UMA[np.clip(np.ceil(cents / (UMA[anio] * 100)).astype(np.int64), 1, 25) - 1]
        yield pa.table(
            {
                campo: fixed_strings(emp.registro[wr].view(np.uint8).reshape(-1, 11)),
                "nss": fixed_strings(panel.nss[per]),
                "curp": fixed_strings(panel.curp[per], vacia),
                "sbc": pesos(cents),
                "tipo_trabajador": pa.array(panel.tipo_trabajador[j]),
                "rango_edad": pa.array(rango_edad),
                "rango_uma": pa.array(rango_uma),
            }
        )


def _patrones(
    world: World, emp: Empleadores, registros: np.ndarray, num_puestos: np.ndarray, anio: int
) -> Iterator[pa.Table]:
    keep = num_puestos > 0
    r, n = registros[keep], num_puestos[keep]
    yield pa.table(
        {
            campo_registro(anio): fixed_strings(emp.registro[r].view(np.uint8).reshape(-1, 11)),
            "razon_social": emp.razon_social.take(pa.array(r)),
            "cve_delegacion": pa.array(emp.cve_delegacion[r]),
            "cve_subdelegacion": pa.array(emp.cve_subdelegacion[r]),
            "cve_municipio": pa.array(emp.cve_municipio[r].astype(str)),
            "codigo_postal": emp.codigo_postal.take(pa.array(r)),
            "sector_economico_1": pa.array(emp.sector_economico_1[r]),
            "sector_economico_2": pa.array(emp.sector_economico_2[r]),
            "sector_economico_4": pa.array(emp.sector_economico_4[r]),
            "clase_riesgo": pa.array(clase_romana(world.registros.clase_riesgo[r])),
            "tamano_patron": pa.array(tamano_patron(n)),
            "num_puestos": pa.array(n),
        }
    )


# ---- orchestration -----------------------------------------------------------------------------------------
def write(world: World, out: Path, tick: Callable[[str], None]) -> list[Path]:
    base = Path(out) / "imss"
    dirs = {k: base / k for k in ("patrones", "puestos", "riesgos")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    emp = empleadores(world)
    reg = world.registros
    chunk = world.scale.imss_max_chunk
    written: list[Path] = []

    def done(path: Path) -> None:
        written.append(path)
        tick(path.name)

    for run in _runs(world):
        recent = run[0][2]
        last_y, last_m = run[-1][0], run[-1][1]
        if recent:
            registros = np.arange(len(reg.n_trabajadores))
            final = reg.n_trabajadores.astype(np.int64)
        else:
            registros = np.flatnonzero(reg.en_historia)
            noise = stream(world.seed, "imss", "anclas", last_y).normal(0, 0.15, len(registros))
            final = np.maximum(1, np.rint(reg.n_trabajadores[registros] * CRECIMIENTO[last_y] * np.exp(noise)))
            final = final.astype(np.int64)
        panel = simular(
            world,
            emp,
            registros,
            final,
            len(run),
            _ultimo_dia(last_y, last_m),
            stream(world.seed, "imss", "panel", last_y),
            chunk,
        )
        for t, (y, m, _r) in enumerate(run):
            stem = periodo(y, m)
            done(
                _deliver(
                    dirs["puestos"],
                    f"PAFINALMES_F_{stem}",
                    y,
                    m,
                    _puestos(world, emp, panel, t, y, m, chunk),
                    latin1=False,
                )
            )
            done(
                _deliver(
                    dirs["patrones"],
                    f"PATRONES_STPS_{stem}",
                    y,
                    m,
                    _patrones(world, emp, registros, panel.conteos[:, t], y),
                    latin1=y in ANIOS_LATIN1,
                )
            )
        if recent:
            # Patrones of the next month arrived before its puestos.
            y, m = PERIODS.imss_patrones_sin_puestos
            last = panel.conteos[:, -1]
            step = np.rint(last * stream(world.seed, "imss", "sin_puestos").normal(0, 0.02, len(last)))
            done(
                _deliver(
                    dirs["patrones"],
                    f"PATRONES_STPS_{periodo(y, m)}",
                    y,
                    m,
                    _patrones(world, emp, registros, np.maximum(1, last + step).astype(np.int64), y),
                    latin1=False,
                )
            )
        anio = 2026 if recent else last_y
        cortes = [m for y, m in PERIODS.riesgos_cortes if y == anio]
        if cortes:
            todos = riesgos_anio(world, emp, panel, anio, stream(world.seed, "imss", "riesgos", anio))
            for m in cortes:
                path = dirs["riesgos"] / f"STPS_{anio}{m:02d}31.xlsx"
                write_xlsx(
                    path,
                    tabla(world, emp, corte(todos, anio, m), campo_registro(anio)),
                    "Hoja1",
                    dt.datetime(anio + (m == 12), m % 12 + 1, 10, 9, 0, 0),
                )
                done(path)
        del panel
    return written
