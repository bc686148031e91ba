"""The latent world: linked CTs share their registro's attributes, and latent conditions follow the
real state informality and drive the violation probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from sidil.demo import catalogs
from sidil.demo.materias import SUBMATERIAS, log_odds, probability
from sidil.demo.registros import registro_strings, registro_valido
from sidil.demo.scales import SCALES
from sidil.demo.world import SHARE_CT_CON_REGISTRO, World


@pytest.fixture(scope="module")
def world() -> World:
    return World(SCALES["small"], 11)


def test_same_seed_same_world_and_other_seed_differs():
    a, b, c = World(SCALES["tiny"], 3), World(SCALES["tiny"], 3), World(SCALES["tiny"], 4)
    assert np.array_equal(a.cts.calidad, b.cts.calidad)
    assert np.array_equal(a.registros.n_trabajadores, b.registros.n_trabajadores)
    assert not np.array_equal(a.cts.calidad, c.cts.calidad)


def test_a_quarter_of_cts_are_the_workplace_of_a_registro(world):
    cts, reg = world.cts, world.registros
    linked = np.flatnonzero(cts.registro >= 0)
    assert abs(len(linked) / len(cts.calidad) - SHARE_CT_CON_REGISTRO) < 0.01
    r = cts.registro[linked]
    assert len(np.unique(r)) == len(r)  # one CT per registro
    assert np.array_equal(reg.ct[r], linked)  # the back-reference agrees
    for field in ("municipio", "subsector", "n_trabajadores", "calidad", "clase_riesgo"):
        assert np.array_equal(getattr(cts, field)[linked], getattr(reg, field)[r]), field


def test_jobs_total_matches_the_scale(world):
    total = world.registros.n_trabajadores.sum()
    assert 0.8 * SCALES["small"].n_puestos < total < 1.25 * SCALES["small"].n_puestos
    assert world.registros.n_trabajadores.min() >= 1


def test_latent_conditions_follow_real_state_informality(world):
    real = catalogs.ilmm_estados().set_index("ent")["informales"].reindex(range(1, 33)).to_numpy()
    state = world.municipio_estado[world.cts.municipio]
    mean_calidad = np.array([world.cts.calidad[state == s].mean() for s in range(32)])
    ok = ~np.isnan(mean_calidad)
    assert np.corrcoef(real[ok], mean_calidad[ok])[0, 1] < -0.5


def test_worse_conditions_mean_more_violations(world):
    cts = world.cts
    worst = cts.calidad < np.quantile(cts.calidad, 0.2)
    best = cts.calidad > np.quantile(cts.calidad, 0.8)
    for s in SUBMATERIAS:
        p = probability(log_odds(s, cts.calidad, cts.peligro, cts.recipientes, cts.n_trabajadores, 2026))
        assert np.all((p > 0) & (p < 1))
        assert p[worst].mean() > p[best].mean(), s.nombre


def test_registro_strings_are_unique_and_valid(world):
    r = registro_strings(world)
    assert len(np.unique(r)) == len(r)
    assert all(registro_valido(x.decode()) for x in r[:2000])
    bad = r[0].decode()
    bad = bad[:10] + str((int(bad[10]) + 1) % 10)
    assert not registro_valido(bad)
