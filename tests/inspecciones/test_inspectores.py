"""Inspectors (spec 002 4.5.2): marts.inspecciones_inspectores holds, keys only, the participants of each
inspection as the instance that counts records them (first-instance rule), checked against the demo's
SIAPI-SIPAS databases read directly."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter

import duckdb

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _expected(demo) -> tuple[set, dict]:
    """(inspeccion_id, participante_id, responsable) of the first instance where each inspection appears,
    and each participant's (type, office) from the catalog."""
    with open(ROOT / "seeds" / "siapi_instancias.csv", encoding="utf-8", newline="") as f:
        instancias = sorted((int(r["instancia"]), r["nombre"]) for r in csv.DictReader(f))
    vistas: set[int] = set()
    filas: set[tuple] = set()
    catalogo: dict[int, tuple] = {}
    for _, nombre in instancias:
        con = sqlite3.connect(demo / "siapi" / f"{nombre}.sqlite")
        propias = {i for (i,) in con.execute("select inspeccion_id from inspeccion")} - vistas
        for insp, part, resp in con.execute(
            "select inspeccion_id, participante_id, ipart_responsable from inspec_participantes"
        ):
            if insp in propias:
                filas.add((insp, part, bool(resp)))
        catalogo.update(
            {
                p: (t, o)
                for p, t, o in con.execute("select participante_id, tipo_participante, oficina_id from participantes")
            }
        )
        vistas |= propias
        con.close()
    return filas, catalogo


def test_inspectors_of_each_inspection_are_those_of_its_first_instance(built_tiny, tiny_demo):
    filas, catalogo = _expected(tiny_demo)
    assert len(filas) > 1000
    con = duckdb.connect(str(built_tiny), read_only=True)
    got = con.execute(
        "select inspeccion_id, participante_id, responsable, tipo_participante, "
        "oficina_id_participante, n_participantes from marts.inspecciones_inspectores"
    ).fetchall()
    assert {(i, p, r) for i, p, r, *_ in got} == filas
    assert len(got) == len(filas)  # one row per inspection and participant
    assert all((t, o) == catalogo[p] for _, p, _, t, o, _ in got)
    por_inspeccion = Counter(i for i, _, _ in filas)
    assert all(n == por_inspeccion[i] for i, _, _, _, _, n in got)
    # Each inspection has exactly one inspector in charge; some have a second inspector or a supervisor.
    responsables = Counter(i for i, _, r in filas if r)
    assert set(responsables) == set(por_inspeccion) and set(responsables.values()) == {1}
    assert max(por_inspeccion.values()) >= 3
    con.close()


def test_inspector_load_by_office_adds_up(built_tiny, tiny_demo):
    """The load of each inspector (inspections taken part in) and of each office, from the mart, equals the
    counts from the demo's databases; the inspections' office is the inspectors' office."""
    filas, catalogo = _expected(tiny_demo)
    carga = Counter(p for _, p, _ in filas)
    con = duckdb.connect(str(built_tiny), read_only=True)
    got = dict(
        con.execute("select participante_id, count(*) from marts.inspecciones_inspectores group by 1").fetchall()
    )
    assert got == dict(carga)
    por_oficina = Counter(catalogo[p][1] for _, p, _ in filas)
    got = dict(
        con.execute(
            "select oficina_id_participante, count(*) from marts.inspecciones_inspectores group by 1"
        ).fetchall()
    )
    assert got == dict(por_oficina)
    misma = con.execute(
        "select count(*) filter (where oficina_id = oficina_id_participante), count(*) "
        "from marts.inspecciones_inspectores"
    ).fetchone()
    assert misma[0] == misma[1]
    # Every inspection of the history has its inspectors.
    sin = con.execute(
        "select count(*) from intermediate.int_historico__inspecciones h where not exists "
        "(select 1 from marts.inspecciones_inspectores i where i.inspeccion_id = h.inspeccion_id)"
    ).fetchone()[0]
    assert sin == 0
    con.close()
