"""Compare every marts table and view of two warehouses row for row: `python -m tests.marts_iguales A B` prints
{"tablas": N, "diferencias": {tabla: filas}} as JSON.

Equal means the same rows (as a multiset), except that
- the calculation timestamps (`fecha_calculo`, `registro_calculado_en`) are left out: they say when, not what;
- doubles are equal within a relative 1e-9: DuckDB's parallel sums add in no fixed order, so two builds of
  the same inputs differ in the last bits (measured: 16.986062122663995 against 16.986062122664);
- the columns a threshold computes from a double (the quality groups, `supera_umbral_cv`) are compared
  through that double: a CV of exactly 10.0 summed in another order is 10.000000000000002, and its group
  flips from 12 to 13 (measured on the IMSS yearly accident rates).
Run in its own process: dbt keeps the warehouses open in the test's.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict

import duckdb

SELLOS = ("fecha_calculo", "registro_calculado_en")
DE_UMBRAL = ("grupo_calidad_info1", "grupo_calidad_info2", "supera_umbral_cv")
TOLERANCIA = 1e-9


def _cerca(u, v) -> bool:
    if u is None or v is None:
        return u is v
    return math.isclose(u, v, rel_tol=TOLERANCIA, abs_tol=TOLERANCIA)


def comparar(db_a: str, db_b: str, ca: str, cb: str) -> dict:
    con = duckdb.connect()
    # Attached under their own names: the marts views name their warehouse's catalog.
    con.execute(f"attach '{db_a}' as \"{ca}\" (read_only)")
    con.execute(f"attach '{db_b}' as \"{cb}\" (read_only)")
    tablas = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'marts' "
            "order by 1",
            [ca],
        ).fetchall()
    ]
    diferencias = {}
    for tabla in tablas:
        tipos = con.execute(
            "select column_name, data_type from information_schema.columns where table_catalog = ? "
            "and table_schema = 'marts' and table_name = ? order by ordinal_position",
            [ca, tabla],
        ).fetchall()
        columnas = [c for c, _t in tipos if c not in SELLOS]
        flotantes = {c for c, t in tipos if t in ("DOUBLE", "FLOAT", "REAL")}
        sel = ", ".join(f'round("{c}", 6) as "{c}"' if c in flotantes else f'"{c}"' for c in columnas)
        crudo = ", ".join(f'"{c}"' for c in columnas)
        # Rows whose rounded form has no twin: only these few (near a rounding boundary, or really different)
        # are compared pairwise with the tolerance.
        a = con.execute(
            f'select {sel} from "{ca}".marts."{tabla}" except all select {sel} from "{cb}".marts."{tabla}"'
        ).fetchall()
        b = con.execute(
            f'select {sel} from "{cb}".marts."{tabla}" except all select {sel} from "{ca}".marts."{tabla}"'
        ).fetchall()
        if not a and not b:
            continue
        # Pair the leftovers by their non-double columns (threshold columns aside), then compare the raw doubles
        # with the tolerance.
        fijas = [i for i, c in enumerate(columnas) if c not in flotantes and c not in DE_UMBRAL]
        dobles = [i for i, c in enumerate(columnas) if c in flotantes]
        filtro = " and ".join(f'"{columnas[i]}" is not distinct from ?' for i in fijas) or "true"
        grupos_a, grupos_b = defaultdict(int), defaultdict(int)
        for r in a:
            grupos_a[tuple(r[i] for i in fijas)] += 1
        for r in b:
            grupos_b[tuple(r[i] for i in fijas)] += 1
        malas = 0
        for clave in set(grupos_a) | set(grupos_b):
            filas = [
                sorted(
                    con.execute(f'select {crudo} from "{cat}".marts."{tabla}" where {filtro}', list(clave)).fetchall(),
                    key=lambda r: tuple((v is None, v) for v in (r[i] for i in dobles)),
                )
                for cat in (ca, cb)
            ]
            if len(filas[0]) != len(filas[1]):
                malas += abs(len(filas[0]) - len(filas[1])) + min(len(filas[0]), len(filas[1]))
                continue
            malas += sum(1 for x, y in zip(*filas) if not all(_cerca(x[i], y[i]) for i in dobles))
        if malas:
            diferencias[tabla] = malas
    con.close()
    return {"tablas": len(tablas), "diferencias": diferencias}


if __name__ == "__main__":
    print(json.dumps(comparar(*sys.argv[1:5])))
