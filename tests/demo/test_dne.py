"""DNE demo database: tables and columns, CT keys, missing values, IMSS registros and planted quirks."""

from __future__ import annotations

import hashlib
import re
import sqlite3

import numpy as np
import pytest

from sidil.demo import dne
from sidil.demo.registros import registro_strings, registro_valido
from sidil.demo.scales import SCALES
from sidil.demo.truth import centro_trabajo_id
from sidil.demo.world import World
from tests.conftest import SEED

COLUMNAS = {
    "centro_trabajo": [
        "centro_trabajo_id",
        "empresa_id",
        "ct_nombre",
        "ct_calle",
        "ct_num_exterior",
        "ct_colonia",
        "codigo_postal",
        "entidad_federativa_id",
        "municipio_id",
        "scian_id",
        "rama_industrial_id",
        "num_trabajadores",
        "ct_imss_registro",
        "clase_riesgo_id",
        "prima_riesgo",
        "sustancias_peligrosas",
        "recipientes_sujetos_presion",
        "materiales_piroforicos",
        "maquinaria_peligrosa",
        "trabajos_altura",
        "espacios_confinados",
        "ct_prioritario",
        "ct_declare",
        "fecha_alta",
        "fecha_actualizacion",
        "estatus",
    ],
    "empresa": ["empresa_id", "grupo_empresa_id", "razon_social", "rfc", "fecha_alta", "estatus"],
    "grupo_empresa": ["grupo_empresa_id", "nombre", "fecha_alta"],
}


def _escribir(tmp_path_factory, seed: int):
    out = tmp_path_factory.mktemp(f"dne{seed}")
    ticks: list[str] = []
    world = World(SCALES["tiny"], seed)
    (path,) = dne.write(world, out, ticks.append)
    return world, path, ticks


@pytest.fixture(scope="module")
def generado(tmp_path_factory):
    return _escribir(tmp_path_factory, SEED)


@pytest.fixture(scope="module")
def ct(generado):
    _, path, _ = generado
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    rows = con.execute("select * from centro_trabajo order by centro_trabajo_id").fetchall()
    con.close()
    return {k: np.array([r[k] for r in rows], dtype=object) for k in rows[0].keys()}


def _normal(x: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", x.upper())


def test_one_database_with_the_three_tables_and_their_columns(generado):
    world, path, ticks = generado
    assert path.name == "dne.sqlite" and path.parent.name == "dne" and ticks == ["dne.sqlite"]
    assert dne.expected_files(world) == 1
    con = sqlite3.connect(path)
    tablas = {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
    assert tablas == set(COLUMNAS)
    for tabla, columnas in COLUMNAS.items():
        assert [r[1] for r in con.execute(f"pragma table_info({tabla})")] == columnas
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_ct_ids_are_the_truth_keys(generado, ct):
    world, _, _ = generado
    ids = ct["centro_trabajo_id"].astype(np.int64)
    assert len(set(ids.tolist())) == len(ids)
    assert np.array_equal(ids, centro_trabajo_id(world))


def test_companies_and_groups_are_consistent(generado, ct):
    _, path, _ = generado
    con = sqlite3.connect(path)
    assert (
        con.execute(
            "select count(*) from centro_trabajo c left join empresa e using (empresa_id) where e.empresa_id is null"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.execute(
            "select count(*) from empresa e left join grupo_empresa g using (grupo_empresa_id) "
            "where e.grupo_empresa_id is not null and g.grupo_empresa_id is null"
        ).fetchone()[0]
        == 0
    )
    n_emp, n_ct = con.execute("select count(distinct empresa_id), count(*) from centro_trabajo").fetchone()
    assert 0.7 * n_ct < n_emp < 0.9 * n_ct  # most companies have one CT, chains several
    mayor = con.execute("select max(c) from (select count(*) c from centro_trabajo group by empresa_id)").fetchone()
    assert mayor[0] > 3
    # Mostly companies (legal forms in the names, 12-character RFCs of personas morales) and a few employers
    # who are persons (personas físicas: a person's name, 13-character RFC), with one CT (or its duplicate).
    filas = con.execute(
        "select razon_social, rfc, (select count(*) from centro_trabajo c "
        "where c.empresa_id = e.empresa_id) from empresa e"
    ).fetchall()
    morales = [r for r, f, _ in filas if f is None or len(f) == 12]
    assert np.mean([bool(re.search(r"S\.?A\.?|S\.? ?DE ?R\.?L\.?|S\.C\.|A\.C\.", r)) for r in morales]) > 0.99
    rfcs = [f for _, f, _ in filas if f is not None]
    assert all(re.fullmatch(r"[A-Z]{3}\d{6}[A-Z0-9]{3}|[A-Z]{4}\d{6}[A-Z0-9]{3}", f) for f in rfcs)
    fisicas = [(r, n) for r, f, n in filas if f is not None and len(f) == 13]
    assert 0.03 * len(filas) < len(fisicas) < 0.1 * len(filas)
    assert all(n <= 2 and not re.search(r"S\.A\.|S\.C\.|A\.C\.", r) for r, n in fisicas)


def test_about_80_percent_without_worker_counts_and_the_rest_near_the_world(generado, ct):
    world, _, _ = generado
    num = ct["num_trabajadores"]
    falta = np.array([v is None for v in num])
    assert 0.75 < falta.mean() < 0.85
    ratio = num[~falta].astype(float) / world.cts.n_trabajadores[~falta]
    assert 0.9 < np.median(ratio) < 1.1


def test_registros_match_the_imss_strings_with_capture_quirks(generado, ct):
    world, _, _ = generado
    reales = registro_strings(world).astype("U11")
    reg = ct["ct_imss_registro"]
    con_texto = np.array([v is not None and v != "" for v in reg])
    assert 0.25 < con_texto.mean() < 0.32  # a quarter carry one (plus a few junk values)
    tiene = world.cts.registro >= 0
    assert 0.25 < tiene.mean() < 0.30
    # Exact strings on most CTs with an employer; normalising recovers quirks but not typos.
    exacto = np.array([reg[i] == reales[world.cts.registro[i]] for i in np.flatnonzero(tiene)])
    normal = np.array(
        [reg[i] is not None and _normal(reg[i]) == reales[world.cts.registro[i]] for i in np.flatnonzero(tiene)]
    )
    assert 0.9 < exacto.mean() < 0.99
    assert 0.97 < normal.mean() < 1.0 and normal.sum() > exacto.sum()
    assert any("-" in reg[i] for i in np.flatnonzero(tiene))
    assert any(reg[i] != reg[i].upper() for i in np.flatnonzero(tiene))
    # A CT without an employer never matches one; some carry well-formed registros IMSS lacks.
    conjunto = set(reales.tolist())
    sin = [reg[i] for i in np.flatnonzero(~tiene) if reg[i] is not None]
    assert not any(_normal(r) in conjunto for r in sin)
    assert any(registro_valido(r) for r in sin)
    assert {"SIN REGISTRO", ""} & set(sin)
    # Share of all CTs whose (normalised) registro matches an IMSS employer.
    coincide = np.array([v is not None and _normal(v) in conjunto for v in reg])
    assert 0.25 < coincide.mean() < 0.285


def test_risk_flags_are_the_world_ones(generado, ct):
    world, _, _ = generado
    assert np.array_equal(ct["sustancias_peligrosas"].astype(int), world.cts.peligro)
    assert np.array_equal(ct["recipientes_sujetos_presion"].astype(int), world.cts.recipientes)
    clase = ct["clase_riesgo_id"]
    ok = np.array([c is not None for c in clase])
    assert np.array_equal(clase[ok].astype(int), world.cts.clase_riesgo[ok])
    prima = ct["prima_riesgo"][ok].astype(float)
    assert prima.min() >= 0.5 and prima.max() <= 15
    assert set(ct["ct_prioritario"].tolist()) == {0, 1}
    assert set(ct["estatus"].tolist()) == {"ACTIVO", "BAJA", "SUSPENDIDO"}


def test_geography_and_scian_mostly_right_some_missing_or_invalid(generado, ct):
    world, _, _ = generado
    mun = world.municipios
    ent_real = mun["cve_ent"].astype(int).to_numpy()[world.cts.municipio]
    mun_real = mun["cve_mun"].astype(int).to_numpy()[world.cts.municipio]
    ent, m = ct["entidad_federativa_id"], ct["municipio_id"]
    ent_ok = np.array([e is not None for e in ent])
    assert 0.005 < 1 - ent_ok.mean() < 0.05
    assert np.array_equal(ent[ent_ok].astype(int), ent_real[ent_ok])
    m_ok = np.array([x is not None for x in m])
    assert 0.02 < 1 - m_ok.mean() < 0.1
    validos = set(zip(mun["cve_ent"].astype(int), mun["cve_mun"].astype(int)))
    correcto = np.array([m[i] == mun_real[i] for i in np.flatnonzero(m_ok)])
    invalido = [(ent_real[i], m[i]) not in validos for i in np.flatnonzero(m_ok)]
    assert 0.97 < correcto.mean() < 1.0 and 0 < sum(invalido)
    scian = ct["scian_id"]
    s_ok = np.array([s is not None for s in scian])
    assert 0.04 < 1 - s_ok.mean() < 0.12
    assert all(100_000 <= s < 1_000_000 for s in scian[s_ok])
    sub = world.scian3(world.cts.subsector)
    dup = _duplicados(ct)
    propio = np.array([str(scian[i])[:3] == sub[i] for i in np.flatnonzero(s_ok) if i not in dup])
    assert propio.all()
    cp = [c for c in ct["codigo_postal"] if c is not None]
    assert np.mean([len(c) == 5 for c in cp]) > 0.95


def _duplicados(ct) -> set[int]:
    clave = list(zip(ct["ct_nombre"], ct["ct_calle"], ct["ct_num_exterior"], ct["ct_colonia"], ct["codigo_postal"]))
    vistos: dict = {}
    dup = set()
    for i, c in enumerate(clave):
        if c in vistos:
            dup.update({i, vistos[c]})
        vistos[c] = i
    return dup


def test_a_few_duplicate_looking_cts(ct):
    dup = _duplicados(ct)
    assert 2 <= len(dup) < 0.02 * len(ct["centro_trabajo_id"])


def test_deterministic_for_a_seed(generado, tmp_path_factory):
    _, path, _ = generado
    _, again, _ = _escribir(tmp_path_factory, SEED)
    _, other, _ = _escribir(tmp_path_factory, SEED + 1)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(path) == digest(again)
    assert digest(path) != digest(other)
