"""A demo world that changes over time (issue 16): conditions improve or worsen by workplace and state, a
sector shock in 2023, a rule change in 2021; truth/ holds the per-year conditions and rules, the
inspections' probabilities follow the year's conditions, and the IMSS records of a year follow that year's
conditions (so next year's records look ahead)."""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd
import pytest

from sidil.demo import imss
from sidil.demo.dinamica import ANIO_REFERENCIA, ANIOS, CHOQUE_SECTOR
from sidil.demo.materias import REFORMA, REFORMA_ANIO, ajuste_regla
from sidil.demo.registros import registro_strings
from sidil.demo.scales import SCALES
from sidil.demo.world import World
from tests.conftest import SEED


@pytest.fixture(scope="module")
def world() -> World:
    return World(SCALES["small"], 11)


def test_reference_year_is_the_latent_value_and_the_paths_are_deterministic(world):
    assert np.array_equal(world.calidad_cts(ANIO_REFERENCIA), world.cts.calidad)
    assert np.array_equal(world.calidad_registros(ANIO_REFERENCIA), world.registros.calidad)
    again = World(SCALES["small"], 11)
    assert np.array_equal(again.calidad_cts(2015), world.calidad_cts(2015))
    other = World(SCALES["small"], 12)
    assert not np.array_equal(other.trayectorias_cts.delta, world.trayectorias_cts.delta)
    with pytest.raises(ValueError):
        world.calidad_cts(2011)


def test_conditions_improve_or_worsen_over_the_years(world):
    antes, hoy = world.calidad_cts(2012), world.calidad_cts(ANIO_REFERENCIA)
    cambio = hoy - antes
    # Persistent but not constant: the 2012 conditions explain most, not all, of today's.
    assert 0.5 < np.corrcoef(antes, hoy)[0, 1] < 0.9
    assert (cambio > 0.5).mean() > 0.1 and (cambio < -0.5).mean() > 0.1  # some improve, some worsen
    # Year to year the conditions move less than over the whole period.
    assert np.corrcoef(world.calidad_cts(2022), world.calidad_cts(2023))[0, 1] > 0.9


def test_a_ct_with_a_registro_follows_its_registros_path(world):
    linked = np.flatnonzero(world.cts.registro >= 0)
    r = world.cts.registro[linked]
    for anio in (2012, 2019, 2023):
        assert np.array_equal(world.calidad_cts(anio)[linked], world.calidad_registros(anio)[r])


def test_the_sector_shock_hits_one_sector_in_its_year(world):
    sector, inicio, efecto, queda = CHOQUE_SECTOR
    s = int(np.searchsorted(world.sectores, sector))
    otro = int(np.searchsorted(world.sectores, "52"))
    estados = np.arange(32)

    def salto(k, a, b):
        return world.efecto_area(estados, np.full(32, k), b) - world.efecto_area(estados, np.full(32, k), a)

    # The state trend moves every sector alike; only the shocked sector jumps in the shock year.
    assert np.allclose(salto(s, inicio - 1, inicio) - salto(otro, inicio - 1, inicio), efecto)
    assert np.allclose(salto(s, inicio, inicio + 1) - salto(otro, inicio, inicio + 1), efecto * (queda - 1))
    assert np.allclose(salto(s, 2015, 2016), salto(otro, 2015, 2016))


def test_the_rule_changes_in_its_year():
    for submateria, desplazamiento in REFORMA.items():
        assert float(ajuste_regla(submateria, REFORMA_ANIO - 1)) == 0.0
        assert float(ajuste_regla(submateria, REFORMA_ANIO)) == desplazamiento > 0
    assert float(ajuste_regla(201, 2025)) == 0.0


def test_truth_per_year_exists_and_explains_every_inspection(tiny_demo):
    con = duckdb.connect()
    t = tiny_demo / "truth"
    n_ct = SCALES["tiny"].n_ct
    filas, anios = con.execute(f"select count(*), count(distinct anio) from '{t / 'ct_anio.parquet'}'").fetchone()
    assert (filas, anios) == (n_ct * len(ANIOS), len(ANIOS))
    # The rule change shows in the yearly mean probability of the reformed submaterias only.
    salto = dict(
        con.execute(f"""
        select submateria_id, max(prob_media) filter (where anio = {REFORMA_ANIO})
                              - max(prob_media) filter (where anio = {REFORMA_ANIO - 1})
        from '{t / "submateria_anio.parquet"}' group by submateria_id""").fetchall()
    )
    assert salto[210] > 0.05 and salto[207] > 0.02
    # Every inspection's planted probability is the year's rule applied to the CT's conditions that year.
    peor, n = con.execute(f"""
        select max(abs(v.prob_violacion - 1 / (1 + exp(-(
                   r.intercepto - r.coef_calidad * c.calidad + r.coef_peligro * l.peligro
                   + r.coef_recipientes * l.recipientes + r.coef_tamanio * log10(greatest(l.n_trabajadores, 1))))))),
               count(*)
        from '{t / "inspecciones.parquet"}' as v
        inner join '{t / "ct_anio.parquet"}' as c using (centro_trabajo_id, anio)
        inner join '{t / "ct_latente.parquet"}' as l using (centro_trabajo_id)
        inner join '{t / "submateria_anio.parquet"}' as r using (submateria_id, anio)""").fetchone()
    total = con.execute(f"select count(*) from '{t / 'inspecciones.parquet'}'").fetchone()[0]
    assert n == total > 0
    assert peor < 1e-5
    area = con.execute(f"select count(*), count(distinct anio) from '{t / 'area_anio.parquet'}'").fetchone()
    assert area == (32 * 20 * len(ANIOS), len(ANIOS))


def test_imss_records_of_a_year_follow_that_years_conditions(tiny_demo):
    """The turnover of a year's IMSS months tracks the registros' conditions of that year better than those
    of another year: 2019's records describe 2019, today's describe today."""
    world = World(SCALES["tiny"], SEED)
    carpeta = tiny_demo / "imss" / "puestos"
    regs = pd.Index(registro_strings(world).astype(str))

    def mes(anio, m):
        campo = imss.campo_registro(anio)
        df = pd.read_csv(
            carpeta / f"PAFINALMES_F_{imss.periodo(anio, m)}.tab", sep="\t", dtype=str, usecols=[campo, "nss"]
        )
        return set(zip(df[campo], df["nss"]))

    def correlaciones(anio, meses):
        conjuntos = [mes(anio, m) for m in meses]
        previos, movimientos = pd.Series(dtype=float), pd.Series(dtype=float)
        for a, b in itertools.pairwise(conjuntos):
            previos = previos.add(pd.Series([r for r, _ in a]).value_counts(), fill_value=0)
            movimientos = movimientos.add(pd.Series([r for r, _ in a ^ b]).value_counts(), fill_value=0)
        rot = np.log((movimientos.reindex(previos.index).fillna(0) + 0.5) / previos)[previos >= 10]
        pos = regs.get_indexer(rot.index)
        return {a: np.corrcoef(rot.to_numpy(), world.calidad_registros(a)[pos])[0, 1] for a in (2019, 2026)}

    en_2019 = correlaciones(2019, (11, 12))
    hoy = correlaciones(2026, (7, 8, 9))
    assert en_2019[2019] < -0.3 and hoy[2026] < -0.3  # worse conditions, more turnover
    assert en_2019[2019] < en_2019[2026]
    assert hoy[2026] < hoy[2019]
