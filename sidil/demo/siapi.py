"""SIAPI-SIPAS: five SQLite databases `siapi/<instancia>.sqlite` (SQLite stands in for SQL Server), the
inspection history the manual queries, and `truth/inspecciones.parquet`.

Every instance has the same schema:
- `inspeccion` (inspeccion_id, centro_trabajo_id, oficina_id, entidad_federativa_id, tipo_inspeccion_id,
  subtipo_inspeccion_id, insp_fecha_orden, insp_fecha, insp_num_trabajadores, insp_estatus);
- `desahogo` (desahogo_id, inspeccion_id, dshgo_tipo_desahogo, dshgo_fecha): the proceedings;
- `dshgo_alcance` (dshgo_alcance_id, desahogo_id, submateria_id): the submaterias a proceeding covers;
- `dshgo_revision` (dshgo_revision_id, desahogo_id, indicador_id, drev_cumple): the items checked;
- `calif_violacion` (calif_violacion_id, dshgo_revision_id, cviol_procede, cviol_fecha): qualified
  violations, at most one per revision;
- `inspec_participantes` (inspec_participante_id, inspeccion_id, participante_id, ipart_responsable);
- catalogs (siapi_catalogos.py): tipo_inspeccion, subtipo_inspeccion, tipo_desahogo, materia, submateria,
  indicador (8,148 items), oficina (109), participantes (inspectors, ids only).

The manual's query, per (inspeccion_id, submateria_id) over proceedings of type 1-4:
    from desahogo d
    join dshgo_alcance a on a.desahogo_id = d.desahogo_id
    join dshgo_revision r on r.desahogo_id = d.desahogo_id
    join indicador i on i.indicador_id = r.indicador_id and i.submateria_id = a.submateria_id
    left join calif_violacion v on v.dshgo_revision_id = r.dshgo_revision_id
    where d.dshgo_tipo_desahogo between 1 and 4
nind = count(*), nvio = count(v.calif_violacion_id), nvio_procede = count of v.cviol_procede = 1.
Every inspection with results has exactly one proceeding of type 1-4. Planted traps the query handles:
cancelled proceedings (type 6) with their own revisions and violations, inspections with only an
"acta de hechos" (type 5, nothing checked), and a few revisions of items outside the proceeding's scope.

Volumes and dates (DOMAIN.md section 8): instances 1-4 keep the real windows and relative sizes;
instance 5 (SSI_DB_SIAPI_REFESSATV2) runs from January 2021 to PERIODS.inspecciones_hasta and holds 6 % of
the inspections (the temporal holdout); the total is Scale.n_inspecciones. Ids grow with the date.
CTs are drawn with replacement, larger and riskier ones more often. The outcome of each (inspection,
submateria) is Bernoulli(p), p from materias.log_odds with the CT's conditions and the rules of the year of
the inspection; positive outcomes get 1+ violations of which the first always stands (cviol_procede = 1), so
target = outcome.
Copies: a quarter of each instance's inspections reappear in the next instance (fewer further on), with
the same ids, sometimes incomplete (no violations, part of the revisions, no proceedings) or different
(cviol_procede reversed, status). The truth is always the first instance's version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sidil.demo.dne_sqlite import abrir, dias, fechas, tabla
from sidil.demo.materias import SUBMATERIAS, log_odds, probability
from sidil.demo.randomness import stream
from sidil.demo.scales import PERIODS
from sidil.demo.siapi_catalogos import (
    P_ORDINARIA,
    P_TIPO_DESAHOGO_VALIDO,
    SUBTIPOS_INSPECCION,
    Oficinas,
    inspectores,
    oficinas,
    tablas_catalogo,
)
from sidil.demo.truth import centro_trabajo_id
from sidil.demo.world import World

INSTANCIAS = (
    "SSI_DB_ReformaLaboral",
    "SSI_DB_Prod",
    "SSI_DB_Prod_Rgitas",
    "SSI_DB_SIAPI_ReFeSSAT_Prod",
    "SSI_DB_SIAPI_REFESSATV2",
)
VENTANAS = (
    ("2012-08-01", "2012-11-30"),
    ("2013-04-01", "2014-08-31"),
    ("2014-10-01", "2015-03-31"),
    ("2015-07-01", "2018-11-30"),
    ("2021-01-01", PERIODS.inspecciones_hasta),
)
INSPECCIONES_REALES = (59_879, 318_772, 115_109, 633_176)  # instances 1-4 in production
SHARE_ULTIMA = 0.06  # instance 5, extended to the demo's today: the temporal holdout
HOY = PERIODS.inspecciones_hasta
# Probability that an inspection reappears in the instance 1, 2, 3, 4 places later.
P_COPIA = (0.25, 0.10, 0.05, 0.05)
# Copy variants: identical, no violations, part of the revisions, no proceedings, different.
P_VARIANTE = (0.65, 0.10, 0.08, 0.07, 0.10)
P_SOLO_HECHOS = 0.03  # inspections with only an "acta de hechos" (nothing checked)
P_CANCELADO = 0.04  # inspections that also have a cancelled proceeding with its own revisions
P_FUERA_ALCANCE = 0.01  # proceedings with one revision of an item outside their scope

_SUB_IDS = np.array([s.submateria_id for s in SUBMATERIAS])
_MATERIA = np.array([s.materia_id for s in SUBMATERIAS])
_ITEMS = np.array([s.items for s in SUBMATERIAS])
_OFFSET = np.concatenate([[0], np.cumsum(_ITEMS)[:-1]])  # indicador_id = offset + position + 1


def _fila(
    sh: list[float], cgt: list[float], cap: list[float], ag: float, rec: float, cons: float, otras: list[float]
) -> list[float]:
    return sh + cgt + cap + [ag, ag] + [rec, rec] + [cons] + otras


# Probability that an inspection of each subtype (rows 1-5) covers each submateria (SUBMATERIAS order),
# before the CT and year adjustments.
COBERTURA = np.array(
    [
        _fila(
            [0.85, 0.85, 0.85, 0.9, 0.6, 0.8, 0.5, 0.5],
            [0.85, 0.8, 0.85, 0.75, 0.75, 0.7, 0.85, 0.4, 0.35, 0.3],
            [0.7, 0.7, 0.6],
            0.9,
            0.9,
            0.95,
            [0.5, 0.5],
        ),
        _fila(
            [0.7, 0.75, 0.75, 0.8, 0.55, 0.6, 0.4, 0.45],
            [0.55, 0.5, 0.55, 0.45, 0.45, 0.4, 0.5, 0.2, 0.2, 0.2],
            [0.5, 0.5, 0.4],
            0.9,
            0.9,
            0.6,
            [0.3, 0.35],
        ),
        _fila([0.2] * 8, [0.12] * 10, [0.12] * 3, 0.5, 0.4, 0.05, [0.08, 0.08]),
        _fila(
            [0.15, 0.15, 0.15, 0.2, 0.15, 0.15, 0.15, 0.15],
            [0.35, 0.4, 0.45, 0.35, 0.3, 0.3, 0.4, 0.1, 0.12, 0.12],
            [0.08] * 3,
            0.6,
            0.3,
            0.2,
            [0.1, 0.2],
        ),
        _fila([0.12] * 8, [0.12] * 10, [0.1] * 3, 0.3, 0.2, 0.1, [0.1, 0.1]),
    ],
    dtype=np.float32,
)
assert COBERTURA.shape == (5, len(SUBMATERIAS))


def expected_files(world: World) -> int:
    return len(INSTANCIAS)


def conteos(n: int) -> np.ndarray:
    """Inspections whose first instance is each of the five (sums to n)."""
    n5 = int(round(SHARE_ULTIMA * n))
    base = np.array(INSPECCIONES_REALES, dtype=float) * (n - n5) / sum(INSPECCIONES_REALES)
    c = np.floor(base).astype(np.int64)
    c[np.argsort(-(base - c), kind="stable")[: n - n5 - c.sum()]] += 1
    return np.append(c, n5)


@dataclass
class Historia:
    """Every row of the history (all instances' content before copies), in id order; `*_insp` is the
    position of the row's inspection in the `insp_*` arrays."""

    insp_id: np.ndarray
    insp_instancia: np.ndarray  # 0-based first instance
    insp_ct: np.ndarray  # world CT index
    insp_oficina: np.ndarray  # 0-based office
    insp_entidad: np.ndarray
    insp_tipo: np.ndarray
    insp_subtipo: np.ndarray
    insp_fecha: np.ndarray  # seconds since 1970
    insp_orden: np.ndarray
    insp_num: np.ndarray  # float, NaN = NULL
    insp_estatus: np.ndarray  # object
    des_id: np.ndarray
    des_insp: np.ndarray
    des_tipo: np.ndarray
    des_fecha: np.ndarray
    alc_id: np.ndarray
    alc_des: np.ndarray  # position in des_*
    alc_sub: np.ndarray  # submateria_id
    rev_id: np.ndarray
    rev_des: np.ndarray
    rev_ind: np.ndarray  # indicador_id
    rev_cumple: np.ndarray
    vio_id: np.ndarray
    vio_rev: np.ndarray  # position in rev_*
    vio_procede: np.ndarray
    vio_fecha: np.ndarray
    par_id: np.ndarray
    par_insp: np.ndarray
    par_participante: np.ndarray
    par_responsable: np.ndarray
    verdad: pa.Table


def _fechas_inspeccion(rng: np.random.Generator, conteo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inspection datetimes (seconds) and instance, weekdays within each instance's window, fewer in December."""
    segundos, instancia = [], []
    for k, (desde, hasta) in enumerate(VENTANAS):
        d = np.arange(dias(desde), dias(hasta) + 1)
        dt = d.astype("datetime64[D]")
        semana = (d + 3) % 7  # 0 = Monday
        mes = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
        w = np.where(semana < 5, 1.0, np.where(semana == 5, 0.1, 0.0)) * np.where(mes == 12, 0.5, 1.0)
        dia = d[rng.choice(len(d), conteo[k], p=w / w.sum())]
        segundos.append(dia * 86_400 + rng.integers(9 * 3600, 17 * 3600, conteo[k]))
        instancia.append(np.full(conteo[k], k, dtype=np.int8))
    return np.concatenate(segundos), np.concatenate(instancia)


def _agrupar(cuenta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: the group of each element and its position within the group."""
    grupo = np.repeat(np.arange(len(cuenta), dtype=np.int32), cuenta)
    inicio = np.concatenate([[0], np.cumsum(cuenta)[:-1]]).astype(np.int32)
    return grupo, np.arange(len(grupo), dtype=np.int32) - inicio[grupo]


# The history is drawn in stages, each from the one generator of `historia` in turn: the order of the
# stages and of the draws within them is what makes the files reproducible for a seed.


@dataclass
class _Inspecciones:
    """The inspections in id order (arrays indexed by inspection)."""

    insp_id: np.ndarray
    instancia: np.ndarray
    fecha: np.ndarray  # seconds since 1970
    anio: np.ndarray
    ct: np.ndarray
    tipo: np.ndarray
    subtipo: np.ndarray
    oficina: np.ndarray
    orden_fecha: np.ndarray
    num: np.ndarray


def _draw_inspecciones(rng: np.random.Generator, world: World, ofi: Oficinas) -> _Inspecciones:
    """Date, instance and id of each inspection; its CT (larger and riskier ones more often), type and
    subtype, office, order date and the number of workers recorded."""
    cts = world.cts
    n = world.scale.n_inspecciones
    fecha, instancia = _fechas_inspeccion(rng, conteos(n))
    orden = np.lexsort((rng.random(n), fecha))
    fecha, instancia = fecha[orden], instancia[orden]
    gap = np.where(rng.random(n) < 0.03, rng.integers(2, 20, n), 1)
    insp_id = 10_000_000 + np.cumsum(gap)
    anio = fecha.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970

    peso = (
        np.sqrt(cts.n_trabajadores)
        * (1 + 0.25 * (cts.clase_riesgo - 1))
        * (1 + 0.8 * cts.peligro + 0.4 * cts.recipientes)
        * np.exp(-0.25 * cts.calidad)
    )
    ct = rng.choice(len(peso), n, p=peso / peso.sum())
    ordinaria = rng.random(n) < P_ORDINARIA
    sub_ids = np.array(list(SUBTIPOS_INSPECCION))
    p_ord = np.array([v[2] if v[0] == 1 else 0 for v in SUBTIPOS_INSPECCION.values()])
    p_ext = np.array([v[2] if v[0] == 2 else 0 for v in SUBTIPOS_INSPECCION.values()])
    subtipo = np.where(ordinaria, sub_ids[rng.choice(5, n, p=p_ord)], sub_ids[rng.choice(5, n, p=p_ext)])
    # A "comprobación de medidas" revisits the CT of an earlier inspection.
    comprueba = np.flatnonzero((subtipo == 3) & (np.arange(n) > 0))
    ct[comprueba] = ct[np.floor(rng.random(len(comprueba)) * comprueba).astype(np.int64)]
    orden_fecha = fecha - rng.integers(1, 26, n) * 86_400
    orden_fecha = orden_fecha - orden_fecha % 86_400  # orders are dated at midnight
    num = np.round(cts.n_trabajadores[ct] * rng.lognormal(0, 0.25, n))
    num[rng.random(n) < 0.2] = np.nan
    return _Inspecciones(
        insp_id=insp_id,
        instancia=instancia,
        fecha=fecha,
        anio=anio,
        ct=ct,
        tipo=np.where(ordinaria, 1, 2),
        subtipo=subtipo,
        oficina=ofi.de_municipio[cts.municipio[ct]],
        orden_fecha=orden_fecha,
        num=num,
    )


def _draw_cobertura(rng: np.random.Generator, world: World, ins: _Inspecciones) -> np.ndarray:
    """Which submaterias each inspection covers (inspection x submateria): the subtype's rates adjusted by
    the CT (hazards, pressure vessels, staffing agency) and the year's rules; at least one each."""
    cts, ct, anio = world.cts, ins.ct, ins.anio
    agencia = world.scian3(cts.subsector[ct]) == "561"
    cob = COBERTURA[ins.subtipo - 1].copy()
    col = {s.submateria_id: j for j, s in enumerate(SUBMATERIAS)}
    cob[:, col[104]] *= np.where(cts.peligro[ct] == 1, 1.0, 0.15)
    for s in (501, 502):
        cob[:, col[s]] *= np.where(cts.recipientes[ct] == 1, 1.0, 0.03)
    for s in (401, 402):
        cob[:, col[s]] *= np.where(agencia, 1.0, 0.003)
    cob[:, col[107]] *= np.where(anio >= 2019, 1.0, 0.05)  # NOM-035 is from 2019
    cob[:, col[210]] = np.minimum(1.0, cob[:, col[210]] * np.where(anio >= 2021, 1.8, 1.0))
    u = rng.random(cob.shape, dtype=np.float32)
    cubre = u < cob
    nada = ~cubre.any(axis=1)
    cubre[nada, np.argmax(cob[nada] * (1 - u[nada]), axis=1)] = True
    return cubre


def _draw_clase_desahogo(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proceedings: most inspections one of type 1-4; a few only an "acta de hechos"; a few also a
    cancelled one. Returns (solo_hechos, tipo_valido, cancelado)."""
    solo_hechos = rng.random(n) < P_SOLO_HECHOS
    tipo_valido = rng.choice(4, n, p=P_TIPO_DESAHOGO_VALIDO) + 1
    cancelado = ~solo_hechos & (rng.random(n) < P_CANCELADO)
    return solo_hechos, tipo_valido, cancelado


def _draw_violacion(
    rng: np.random.Generator, world: World, ins: _Inspecciones, pi: np.ndarray, ps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome of each (inspection, submateria) pair, Bernoulli(p): (p, outcome)."""
    cts = world.cts
    n_par = len(pi)
    lo = np.empty(n_par)
    for j, s in enumerate(SUBMATERIAS):
        m = ps == j
        c = ins.ct[pi[m]]
        # The CT's conditions in the inspection's year (sidil/demo/dinamica.py) and the year's rules.
        lo[m] = log_odds(
            s,
            world.calidad_ct(c, ins.anio[pi[m]]),
            cts.peligro[c],
            cts.recipientes[c],
            cts.n_trabajadores[c],
            ins.anio[pi[m]],
        )
    prob = probability(lo)
    del lo
    return prob, rng.random(n_par) < prob


@dataclass
class _Revisiones:
    """The items checked under the valid proceedings (arrays indexed by revision)."""

    insp: np.ndarray  # position of the revision's inspection
    ind: np.ndarray  # indicador_id
    cumple: np.ndarray  # int8
    procede: np.ndarray  # int8: a violation of the item stands


def _draw_items(
    rng: np.random.Generator, pi: np.ndarray, ps: np.ndarray, viola: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], _Revisiones]:
    """Items checked per pair: a few consecutive incisos of the submateria's checklist, popular ones more
    often; the first of a violating pair always stands. Returns ((nind, nvio, nvio_procede) per pair, the
    revisions)."""
    n_par = len(pi)
    k = np.minimum(1 + rng.poisson(1.2, n_par), _ITEMS[ps]).astype(np.int32)
    inicio_item = np.floor(_ITEMS[ps] * rng.random(n_par) ** 2).astype(np.int32)
    nvio = np.where(viola, 1 + rng.binomial(k - 1, 0.3), 0).astype(np.int32)
    rp, rj = _agrupar(k)  # revision -> pair, position within the pair
    sub_r = ps[rp]
    rev_ind = (_OFFSET[sub_r] + (inicio_item[rp] + rj) % _ITEMS[sub_r] + 1).astype(np.int32)
    del sub_r, inicio_item
    rev_viola = rj < nvio[rp]
    rev_procede = (rj == 0) | (rng.random(len(rp), dtype=np.float32) < 0.75)
    del rj
    nvio_procede = np.bincount(rp, weights=rev_viola & rev_procede, minlength=n_par).astype(np.int32)
    revisiones = _Revisiones(
        insp=pi[rp], ind=rev_ind, cumple=(~rev_viola).astype(np.int8), procede=rev_procede.astype(np.int8)
    )
    return (k, nvio, nvio_procede), revisiones


@dataclass
class _Desahogos:
    """The proceedings (arrays indexed by proceeding, in id order) and each inspection's valid and
    cancelled one (-1 = none)."""

    insp: np.ndarray
    tipo: np.ndarray
    fecha: np.ndarray
    valido_de: np.ndarray
    cancelado_de: np.ndarray


def _build_desahogos(
    rng: np.random.Generator,
    fecha: np.ndarray,
    solo_hechos: np.ndarray,
    cancelado: np.ndarray,
    tipo_valido: np.ndarray,
    hoy: int,
) -> _Desahogos:
    """Proceedings (desahogos) in inspection order: valid, cancelled, acta de hechos; dated a few days
    after the visit unless of type 1."""
    n = len(fecha)
    des_insp = np.concatenate([np.flatnonzero(~solo_hechos), np.flatnonzero(cancelado), np.flatnonzero(solo_hechos)])
    des_clase = np.concatenate(
        [
            np.zeros((~solo_hechos).sum(), np.int8),
            np.ones(cancelado.sum(), np.int8),
            np.full(solo_hechos.sum(), 2, np.int8),
        ]
    )
    orden_des = np.argsort(des_insp, kind="stable")  # valid, cancelled, hechos: already in that order
    des_insp, des_clase = des_insp[orden_des], des_clase[orden_des]
    n_des = len(des_insp)
    des_tipo = np.where(des_clase == 0, tipo_valido[des_insp], np.where(des_clase == 1, 6, 5))
    retraso = np.where(des_tipo == 1, 0, rng.integers(3, 31, n_des)) * 86_400
    des_fecha = np.minimum(fecha[des_insp] + retraso, hoy)
    valido_de = np.full(n, -1, dtype=np.int64)  # position of each inspection's valid proceeding
    valido_de[des_insp[des_clase == 0]] = np.flatnonzero(des_clase == 0)
    cancelado_de = np.full(n, -1, dtype=np.int64)
    cancelado_de[des_insp[des_clase == 1]] = np.flatnonzero(des_clase == 1)
    return _Desahogos(insp=des_insp, tipo=des_tipo, fecha=des_fecha, valido_de=valido_de, cancelado_de=cancelado_de)


def _build_alcance(
    pi: np.ndarray, ps: np.ndarray, cancelado: np.ndarray, d: _Desahogos
) -> tuple[np.ndarray, np.ndarray]:
    """Scope: valid proceedings cover their pairs; cancelled ones repeat the scope of the valid one.
    Returns (proceeding position, submateria_id) per scope row."""
    alc_des = d.valido_de[pi]
    pc = np.flatnonzero(cancelado[pi])
    alc_des = np.concatenate([alc_des, d.cancelado_de[pi[pc]]])
    alc_sub = np.concatenate([_SUB_IDS[ps], _SUB_IDS[ps[pc]]])
    orden_alc = np.argsort(alc_des, kind="stable")  # the valid scope precedes the cancelled one
    return alc_des[orden_alc], alc_sub[orden_alc]


def _merge_revisiones(
    rng: np.random.Generator,
    pi: np.ndarray,
    ps: np.ndarray,
    rev: _Revisiones,
    solo_hechos: np.ndarray,
    cancelado: np.ndarray,
    d: _Desahogos,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All revisions in proceeding order: the valid ones; about half of them again under the cancelled
    proceeding, many not met; one item outside the scope on a few proceedings. Returns (proceeding
    position, indicador_id, cumple, procede) per revision."""
    n = len(solo_hechos)
    rev_des = d.valido_de[rev.insp].astype(np.int32)
    rc = np.flatnonzero(cancelado[rev.insp] & (rng.random(len(rev.insp), dtype=np.float32) < 0.5))
    rc_cumple = (rng.random(len(rc)) < 0.7).astype(np.int8)
    fuera_insp = np.flatnonzero(~solo_hechos & (rng.random(n) < P_FUERA_ALCANCE))
    fuera_sub = rng.integers(0, len(SUBMATERIAS), len(fuera_insp))
    en_alcance = np.zeros((n, len(SUBMATERIAS)), dtype=bool)
    en_alcance[pi, ps] = True
    libre = ~en_alcance[fuera_insp, fuera_sub]  # keep only items of submaterias outside the scope
    fuera_insp, fuera_sub = fuera_insp[libre], fuera_sub[libre]
    del en_alcance
    fuera_ind = _OFFSET[fuera_sub] + rng.integers(0, _ITEMS[fuera_sub]) + 1
    todas_des = np.concatenate([rev_des, d.cancelado_de[rev.insp[rc]], d.valido_de[fuera_insp]]).astype(np.int32)
    del rev_des
    todas_ind = np.concatenate([rev.ind, rev.ind[rc], fuera_ind])
    todas_cumple = np.concatenate([rev.cumple, rc_cumple, np.zeros(len(fuera_insp), np.int8)])
    todas_proc = np.concatenate([rev.procede, np.ones(len(rc), np.int8), np.ones(len(fuera_insp), np.int8)])
    # Valid revisions, then the cancelled proceedings', then the out-of-scope ones: a stable sort by
    # proceeding merges the three runs.
    orden_rev = np.argsort(todas_des, kind="stable")
    return todas_des[orden_rev], todas_ind[orden_rev], todas_cumple[orden_rev], todas_proc[orden_rev]


def _qualify_violaciones(
    rng: np.random.Generator,
    rev_des: np.ndarray,
    rev_cumple: np.ndarray,
    rev_proc: np.ndarray,
    des_fecha: np.ndarray,
    hoy: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Violations, one per revision not met, qualified some days after the proceeding: (revision
    position, procede, date)."""
    vio_rev = np.flatnonzero(rev_cumple == 0)
    vio_fecha = np.minimum(des_fecha[rev_des[vio_rev]] + rng.integers(10, 91, len(vio_rev)) * 86_400, hoy)
    return vio_rev, rev_proc[vio_rev], vio_fecha


def _draw_participantes(
    rng: np.random.Generator, world: World, ofi: Oficinas, oficina: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inspectors: one or two of the office, the first in charge; a supervisor now and then. Returns
    (inspection position, position within the inspection, participante_id) per participant."""
    n = len(oficina)
    ins = inspectores(world, ofi)
    n_ins = 1 + (rng.random(n) < 0.4) + (rng.random(n) < 0.05)
    par_insp, par_pos = _agrupar(n_ins)
    o = oficina[par_insp]
    par_participante = np.where(
        par_pos < 2,
        ins.participante_id[ins.inicio[o] + (rng.integers(0, 1 << 30, len(o)) % ins.cuenta[o])],
        ins.participante_id[len(ins.participante_id) - len(ofi.oficina_id) + o],
    )
    # Two inspectors of one office may coincide: the second then is the next one on the list.
    dup = (par_pos == 1) & (par_participante == np.roll(par_participante, 1))
    siguiente = ins.inicio[o] + (par_participante - 1 - ins.inicio[o] + 1) % ins.cuenta[o]
    return par_insp, par_pos, np.where(dup, ins.participante_id[siguiente], par_participante)


def _estatus(fecha: np.ndarray, solo_hechos: np.ndarray, hoy: int) -> np.ndarray:
    """Status: recent inspections are still in process; those with only an acta de hechos not carried out."""
    estatus = np.full(len(fecha), "CONCLUIDA", dtype=object)
    estatus[fecha > hoy - 45 * 86_400] = "EN PROCESO"
    estatus[solo_hechos] = "NO DESAHOGADA"
    return estatus


def _verdad(
    world: World,
    ins: _Inspecciones,
    pi: np.ndarray,
    ps: np.ndarray,
    tipo_valido: np.ndarray,
    prob: np.ndarray,
    viola: np.ndarray,
    conteos_par: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> pa.Table:
    """The truth: one row per (inspection, submateria) as the first instance holds it."""
    k, nvio, nvio_procede = conteos_par
    return pa.table(
        {
            "inspeccion_id": ins.insp_id[pi],
            "instancia": (ins.instancia[pi] + 1).astype(np.int8),
            "instancia_nombre": pa.array(np.array(INSTANCIAS, dtype=object)[ins.instancia[pi]]),
            "centro_trabajo_id": centro_trabajo_id(world)[ins.ct[pi]],
            "fecha": pa.array((ins.fecha[pi] // 86_400).astype(np.int32), type=pa.int32()).cast(pa.date32()),
            "anio": ins.anio[pi].astype(np.int16),
            "tipo_inspeccion_id": ins.tipo[pi].astype(np.int8),
            "subtipo_inspeccion_id": ins.subtipo[pi].astype(np.int8),
            "dshgo_tipo_desahogo": tipo_valido[pi].astype(np.int8),
            "materia_id": _MATERIA[ps].astype(np.int8),
            "submateria_id": _SUB_IDS[ps].astype(np.int16),
            "prob_violacion": prob,
            "violacion": viola.astype(np.int8),
            "nind": k.astype(np.int32),
            "nvio": nvio.astype(np.int32),
            "nvio_procede": nvio_procede.astype(np.int32),
        }
    )


def historia(world: World) -> Historia:
    """The whole inspection history, drawn once from the one `historia` stream."""
    rng = stream(world.seed, "siapi", "historia")
    hoy = dias(HOY) * 86_400 + 86_399
    ofi = oficinas(world)

    ins = _draw_inspecciones(rng, world, ofi)
    cubre = _draw_cobertura(rng, world, ins)
    solo_hechos, tipo_valido, cancelado = _draw_clase_desahogo(rng, len(ins.insp_id))
    cubre[solo_hechos] = False  # nothing is checked under an acta de hechos
    pi, ps = np.nonzero(cubre)  # pairs (inspection, submateria index), in inspection order
    pi, ps = pi.astype(np.int32), ps.astype(np.int8)
    del cubre
    prob, viola = _draw_violacion(rng, world, ins, pi, ps)
    conteos_par, rev = _draw_items(rng, pi, ps, viola)

    d = _build_desahogos(rng, ins.fecha, solo_hechos, cancelado, tipo_valido, hoy)
    alc_des, alc_sub = _build_alcance(pi, ps, cancelado, d)
    rev_des, rev_ind, rev_cumple, rev_proc = _merge_revisiones(rng, pi, ps, rev, solo_hechos, cancelado, d)
    del rev
    vio_rev, vio_procede, vio_fecha = _qualify_violaciones(rng, rev_des, rev_cumple, rev_proc, d.fecha, hoy)
    par_insp, par_pos, par_participante = _draw_participantes(rng, world, ofi, ins.oficina)

    return Historia(
        insp_id=ins.insp_id,
        insp_instancia=ins.instancia,
        insp_ct=ins.ct,
        insp_oficina=ins.oficina,
        insp_entidad=ofi.entidad[ins.oficina],
        insp_tipo=ins.tipo,
        insp_subtipo=ins.subtipo,
        insp_fecha=ins.fecha,
        insp_orden=ins.orden_fecha,
        insp_num=ins.num,
        insp_estatus=_estatus(ins.fecha, solo_hechos, hoy),
        des_id=np.arange(1, len(d.insp) + 1),
        des_insp=d.insp,
        des_tipo=d.tipo,
        des_fecha=d.fecha,
        alc_id=np.arange(1, len(alc_des) + 1),
        alc_des=alc_des,
        alc_sub=alc_sub,
        rev_id=np.arange(1, len(rev_des) + 1),
        rev_des=rev_des,
        rev_ind=rev_ind,
        rev_cumple=rev_cumple,
        vio_id=np.arange(1, len(vio_rev) + 1),
        vio_rev=vio_rev,
        vio_procede=vio_procede,
        vio_fecha=vio_fecha,
        par_id=np.arange(1, len(par_insp) + 1),
        par_insp=par_insp,
        par_participante=par_participante,
        par_responsable=(par_pos == 0).astype(np.int8),
        verdad=_verdad(world, ins, pi, ps, tipo_valido, prob, viola, conteos_par),
    )


def _copias(world: World, h: Historia, j: int) -> np.ndarray:
    """Variant of the copy of each inspection in instance j (0-based): -1 = not there as a copy."""
    rng = stream(world.seed, "siapi", "copias", j)
    n = len(h.insp_id)
    distancia = j - h.insp_instancia.astype(np.int64)
    p = np.where(distancia >= 1, np.array((0.0,) + P_COPIA)[np.clip(distancia, 0, 4)], 0.0)
    copiada = rng.random(n) < p
    variante = rng.choice(len(P_VARIANTE), n, p=P_VARIANTE)
    return np.where(copiada, variante, -1)


DDL = {
    "inspeccion": "inspeccion_id integer primary key, centro_trabajo_id integer not null, oficina_id integer, "
    "entidad_federativa_id smallint, tipo_inspeccion_id integer, subtipo_inspeccion_id integer, "
    "insp_fecha_orden datetime, insp_fecha datetime, insp_num_trabajadores integer, "
    "insp_estatus varchar(20)",
    "desahogo": "desahogo_id integer primary key, inspeccion_id integer not null, dshgo_tipo_desahogo integer, "
    "dshgo_fecha datetime",
    "dshgo_alcance": "dshgo_alcance_id integer primary key, desahogo_id integer not null, submateria_id integer",
    "dshgo_revision": "dshgo_revision_id integer primary key, desahogo_id integer not null, "
    "indicador_id integer not null, drev_cumple bit",
    "calif_violacion": "calif_violacion_id integer primary key, dshgo_revision_id integer not null, "
    "cviol_procede bit, cviol_fecha datetime",
    "inspec_participantes": "inspec_participante_id integer primary key, inspeccion_id integer not null, "
    "participante_id integer, ipart_responsable bit",
}


@dataclass
class _Copia:
    """What instance j holds of the history: a mask per table, and the status and cviol_procede of the
    inspections and violations it holds (copies may differ)."""

    insp: np.ndarray
    des: np.ndarray
    alc: np.ndarray
    rev: np.ndarray
    vio: np.ndarray
    par: np.ndarray
    estatus: np.ndarray
    procede: np.ndarray


def _copia(world: World, h: Historia, j: int) -> _Copia:
    """Instance j's own inspections and the copies of earlier ones, complete or not, the same or not."""
    rng = stream(world.seed, "siapi", "copias", "filas", j)
    var = _copias(world, h, j)
    propia = h.insp_instancia == j
    insp_m = propia | (var >= 0)
    # Proceedings (and everything under them) are missing from copies of variant 3.
    des_var = var[h.des_insp]
    des_m = propia[h.des_insp] | ((des_var >= 0) & (des_var != 3))
    alc_m = des_m[h.alc_des]
    rev_var = des_var[h.rev_des]
    rev_copia = ~propia[h.des_insp][h.rev_des]
    rev_m = des_m[h.rev_des] & ~(rev_copia & (rev_var == 2) & (rng.random(len(rev_var)) < 0.5))
    vio_var = rev_var[h.vio_rev]
    vio_copia = rev_copia[h.vio_rev]
    vio_m = rev_m[h.vio_rev] & ~(vio_copia & (vio_var == 1))
    par_m = insp_m[h.par_insp]

    estatus = h.insp_estatus[insp_m].copy()
    estatus[var[insp_m] == 4] = "EN PROCESO"
    procede = h.vio_procede[vio_m].copy()
    difiere = vio_copia[vio_m] & (vio_var[vio_m] == 4)
    procede[difiere] = 1 - procede[difiere]
    return _Copia(insp=insp_m, des=des_m, alc=alc_m, rev=rev_m, vio=vio_m, par=par_m, estatus=estatus, procede=procede)


def _tablas(h: Historia, c: _Copia, ids_ct: np.ndarray) -> Iterator[tuple[str, dict[str, np.ndarray], str]]:
    """The columns of each history table instance `c` holds and the column indexed, in writing order; one
    table at a time, so that only one table's columns are in memory."""
    insp_m, des_m, alc_m, rev_m, vio_m, par_m = c.insp, c.des, c.alc, c.rev, c.vio, c.par
    yield (
        "inspeccion",
        {
            "inspeccion_id": h.insp_id[insp_m],
            "centro_trabajo_id": ids_ct[h.insp_ct[insp_m]],
            "oficina_id": h.insp_oficina[insp_m] + 1,
            "entidad_federativa_id": h.insp_entidad[insp_m],
            "tipo_inspeccion_id": h.insp_tipo[insp_m],
            "subtipo_inspeccion_id": h.insp_subtipo[insp_m],
            "insp_fecha_orden": fechas(h.insp_orden[insp_m]),
            "insp_fecha": fechas(h.insp_fecha[insp_m]),
            "insp_num_trabajadores": h.insp_num[insp_m],
            "insp_estatus": c.estatus,
        },
        "centro_trabajo_id",
    )
    yield (
        "desahogo",
        {
            "desahogo_id": h.des_id[des_m],
            "inspeccion_id": h.insp_id[h.des_insp[des_m]],
            "dshgo_tipo_desahogo": h.des_tipo[des_m],
            "dshgo_fecha": fechas(h.des_fecha[des_m]),
        },
        "inspeccion_id",
    )
    yield (
        "dshgo_alcance",
        {
            "dshgo_alcance_id": h.alc_id[alc_m],
            "desahogo_id": h.des_id[h.alc_des[alc_m]],
            "submateria_id": h.alc_sub[alc_m],
        },
        "desahogo_id",
    )
    yield (
        "dshgo_revision",
        {
            "dshgo_revision_id": h.rev_id[rev_m],
            "desahogo_id": h.des_id[h.rev_des[rev_m]],
            "indicador_id": h.rev_ind[rev_m],
            "drev_cumple": h.rev_cumple[rev_m],
        },
        "desahogo_id",
    )
    yield (
        "calif_violacion",
        {
            "calif_violacion_id": h.vio_id[vio_m],
            "dshgo_revision_id": h.rev_id[h.vio_rev[vio_m]],
            "cviol_procede": c.procede,
            "cviol_fecha": fechas(h.vio_fecha[vio_m]),
        },
        "dshgo_revision_id",
    )
    yield (
        "inspec_participantes",
        {
            "inspec_participante_id": h.par_id[par_m],
            "inspeccion_id": h.insp_id[h.par_insp[par_m]],
            "participante_id": h.par_participante[par_m],
            "ipart_responsable": h.par_responsable[par_m],
        },
        "inspeccion_id",
    )


def _instancia(world: World, h: Historia, j: int, path: Path, catalogos: list) -> None:
    """Write instance j's database: the catalogs, then its part of the history."""
    c = _copia(world, h, j)
    ids_ct = centro_trabajo_id(world)
    con = abrir(path)
    try:
        for nombre, ddl, cols in catalogos:
            tabla(con, nombre, ddl, cols)
        for nombre, cols, indice in _tablas(h, c, ids_ct):
            tabla(con, nombre, DDL[nombre], cols, indices=(indice,))
            del cols
    finally:
        con.close()


def write(world: World, out: Path, tick: Callable[[str], None]) -> list[Path]:
    out = Path(out)
    h = historia(world)
    ofi = oficinas(world)
    catalogos = tablas_catalogo(world, ofi, inspectores(world, ofi))
    paths = []
    for j, nombre in enumerate(INSTANCIAS):
        path = out / "siapi" / f"{nombre}.sqlite"
        _instancia(world, h, j, path, catalogos)
        tick(path.name)
        paths.append(path)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    pq.write_table(h.verdad, out / "truth" / "inspecciones.parquet", compression="zstd")
    return paths
