"""Catalog tables every SIAPI-SIPAS instance holds: inspection types and subtypes, proceeding types,
materias, submaterias, items (indicadores), the 109 offices and the inspectors (ids only, no names)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sidil.demo.materias import MATERIAS, SUBMATERIAS
from sidil.demo.randomness import stream
from sidil.demo.world import World

TIPOS_INSPECCION = {1: "Ordinaria", 2: "Extraordinaria"}
# subtipo_inspeccion_id: (tipo_inspeccion_id, description, share within its type)
SUBTIPOS_INSPECCION = {
    1: (1, "Inicial", 0.30),
    2: (1, "Periódica", 0.50),
    3: (1, "Comprobación de medidas", 0.20),
    4: (2, "Extraordinaria", 0.75),
    5: (2, "Orientación y asesoría", 0.25),
}
P_ORDINARIA = 0.40
# dshgo_tipo_desahogo: the manual's query keeps 1-4.
TIPOS_DESAHOGO = {
    1: "Acta de inspección",
    2: "Comparecencia",
    3: "Requerimiento documental",
    4: "Acta de reinspección",
    5: "Acta de hechos (no se desahogó)",
    6: "Desahogo cancelado",
}
P_TIPO_DESAHOGO_VALIDO = (0.86, 0.07, 0.05, 0.02)  # shares of types 1-4

# Legal basis of each submateria's items.
FUNDAMENTOS = {
    101: "NOM-019-STPS-2011",
    102: "NOM-017-STPS-2008",
    103: "NOM-002-STPS-2010",
    104: "NOM-018-STPS-2015",
    105: "NOM-004-STPS-1999",
    106: "NOM-030-STPS-2009",
    107: "NOM-035-STPS-2018",
    108: "NOM-025-STPS-2008",
    201: "LFT arts. 24-25",
    202: "LFT arts. 58-68",
    203: "LFT arts. 82-116",
    204: "LFT art. 87",
    205: "LFT arts. 76-81",
    206: "LFT arts. 117-131",
    207: "LSS art. 15; LINFONAVIT art. 29",
    208: "LFT arts. 173-180",
    209: "LFT arts. 3, 56, 133",
    210: "LFT arts. 12-15",
    301: "LFT art. 153-E",
    302: "LFT art. 153-H",
    303: "LFT art. 153-V",
    401: "RACT art. 9",
    402: "LFT art. 539-F",
    501: "NOM-020-STPS-2011",
    502: "NOM-020-STPS-2011",
    601: "LFT art. 541",
    701: "LFT arts. 422-425",
    702: "LFT art. 132",
}
N_OFICINAS = 109


@dataclass
class Oficinas:
    oficina_id: np.ndarray  # 1..109
    entidad: np.ndarray  # 1..32
    municipio: np.ndarray  # index into World.municipios
    nombre: np.ndarray
    tipo: np.ndarray
    de_municipio: np.ndarray  # office (0-based) that serves each municipality of the world


def oficinas(world: World) -> Oficinas:
    """One office per state (the state's representation, in its most populous municipality) and 77 local
    offices in the next most populous municipalities, shared out by population."""
    rng = stream(world.seed, "siapi", "oficinas")
    mun = world.municipios
    pop = mun["poblacion_2020"].to_numpy(dtype=float)
    estado = world.municipio_estado
    pop_estado = np.bincount(estado, weights=pop, minlength=32)
    extra = (N_OFICINAS - 32) * pop_estado / pop_estado.sum()
    n_est = 1 + np.floor(extra).astype(int)
    resto = N_OFICINAS - n_est.sum()
    n_est[np.argsort(-(extra - np.floor(extra)), kind="stable")[:resto]] += 1
    ofi_mun, ofi_ent, nombres, tipos = [], [], [], []
    de_municipio = np.zeros(len(mun), dtype=np.int64)
    for e in range(32):
        idx = np.flatnonzero(estado == e)
        top = idx[np.argsort(-pop[idx], kind="stable")][: n_est[e]]
        base = len(ofi_mun)
        for k, m in enumerate(top):
            ofi_mun.append(m)
            ofi_ent.append(e + 1)
            if k == 0:
                nombres.append(f"Oficina de Representación Federal del Trabajo en {mun['nom_ent'].iloc[m]}")
                tipos.append("REPRESENTACION")
            else:
                nombres.append(f"Oficina Local en {mun['nom_mun'].iloc[m]}, {mun['nom_ent'].iloc[m]}")
                tipos.append("LOCAL")
        # A municipality with an office goes to it; the rest mostly to the state's representation.
        w = np.full(len(top), 1.0)
        w[0] = 3.0
        elegido = rng.choice(len(top), len(idx), p=w / w.sum())
        de_municipio[idx] = base + elegido
        de_municipio[top] = base + np.arange(len(top))
    return Oficinas(
        oficina_id=np.arange(1, N_OFICINAS + 1),
        entidad=np.array(ofi_ent),
        municipio=np.array(ofi_mun),
        nombre=np.array(nombres, dtype=object),
        tipo=np.array(tipos, dtype=object),
        de_municipio=de_municipio,
    )


@dataclass
class Inspectores:
    participante_id: np.ndarray
    oficina: np.ndarray  # 0-based office
    tipo: np.ndarray  # 'INSPECTOR' / 'SUPERVISOR'
    activo: np.ndarray
    inicio: np.ndarray  # first inspector of each office (0-based position)
    cuenta: np.ndarray  # inspectors of each office


def inspectores(world: World, ofi: Oficinas) -> Inspectores:
    """About 900 inspectors shared out by office size, plus one supervisor per office (after them)."""
    rng = stream(world.seed, "siapi", "inspectores")
    peso = np.bincount(
        ofi.de_municipio, weights=world.municipios["poblacion_2020"].to_numpy(dtype=float), minlength=N_OFICINAS
    )
    cuenta = np.maximum(3, np.round(900 * peso / peso.sum())).astype(np.int64)
    inicio = np.concatenate([[0], np.cumsum(cuenta)[:-1]])
    n_insp = int(cuenta.sum())
    oficina = np.concatenate([np.repeat(np.arange(N_OFICINAS), cuenta), np.arange(N_OFICINAS)])
    tipo = np.array(["INSPECTOR"] * n_insp + ["SUPERVISOR"] * N_OFICINAS, dtype=object)
    return Inspectores(
        participante_id=np.arange(1, len(oficina) + 1),
        oficina=oficina,
        tipo=tipo,
        activo=(rng.random(len(oficina)) < 0.85).astype(np.int64),
        inicio=inicio,
        cuenta=cuenta,
    )


def indicadores() -> dict[str, np.ndarray]:
    """The 8,148 items: ids 1..8148 in submateria order, with their submateria, inciso and legal basis."""
    sub = np.repeat([s.submateria_id for s in SUBMATERIAS], [s.items for s in SUBMATERIAS])
    k = np.concatenate([np.arange(1, s.items + 1) for s in SUBMATERIAS])
    nombre = np.repeat(np.array([s.nombre for s in SUBMATERIAS], dtype=object), [s.items for s in SUBMATERIAS])
    fund = np.repeat(
        np.array([FUNDAMENTOS[s.submateria_id] for s in SUBMATERIAS], dtype=object), [s.items for s in SUBMATERIAS]
    )
    letra = np.array(list("abcdefghijklmnopqrstuvwxyz"), dtype=object)
    inciso = ((k - 1) // 26 + 1).astype(str).astype(object) + "." + letra[(k - 1) % 26] + ")"
    return {
        "indicador_id": np.arange(1, len(sub) + 1),
        "submateria_id": sub,
        "ind_inciso": inciso,
        "ind_fundamento": fund,
        "ind_descripcion": "Reactivo " + k.astype(str).astype(object) + " de " + nombre,
    }


def tablas_catalogo(world: World, ofi: Oficinas, insp: Inspectores) -> list[tuple[str, str, dict]]:
    """(table, DDL, columns) of every catalog table, identical in the five instances."""
    mun = world.municipios
    return [
        (
            "tipo_inspeccion",
            "tipo_inspeccion_id integer primary key, descripcion varchar(100)",
            {"tipo_inspeccion_id": list(TIPOS_INSPECCION), "descripcion": list(TIPOS_INSPECCION.values())},
        ),
        (
            "subtipo_inspeccion",
            "subtipo_inspeccion_id integer primary key, tipo_inspeccion_id integer, descripcion varchar(100)",
            {
                "subtipo_inspeccion_id": list(SUBTIPOS_INSPECCION),
                "tipo_inspeccion_id": [v[0] for v in SUBTIPOS_INSPECCION.values()],
                "descripcion": [v[1] for v in SUBTIPOS_INSPECCION.values()],
            },
        ),
        (
            "tipo_desahogo",
            "dshgo_tipo_desahogo integer primary key, descripcion varchar(100)",
            {"dshgo_tipo_desahogo": list(TIPOS_DESAHOGO), "descripcion": list(TIPOS_DESAHOGO.values())},
        ),
        (
            "materia",
            "materia_id integer primary key, descripcion varchar(150)",
            {"materia_id": list(MATERIAS), "descripcion": list(MATERIAS.values())},
        ),
        (
            "submateria",
            "submateria_id integer primary key, materia_id integer, descripcion varchar(150)",
            {
                "submateria_id": [s.submateria_id for s in SUBMATERIAS],
                "materia_id": [s.materia_id for s in SUBMATERIAS],
                "descripcion": [s.nombre for s in SUBMATERIAS],
            },
        ),
        (
            "indicador",
            "indicador_id integer primary key, submateria_id integer not null, ind_inciso varchar(10), "
            "ind_fundamento varchar(60), ind_descripcion varchar(250)",
            indicadores(),
        ),
        (
            "oficina",
            "oficina_id integer primary key, entidad_federativa_id smallint, municipio_id smallint, "
            "nombre varchar(200), tipo_oficina varchar(20)",
            {
                "oficina_id": ofi.oficina_id,
                "entidad_federativa_id": ofi.entidad,
                "municipio_id": mun["cve_mun"].astype(int).to_numpy()[ofi.municipio],
                "nombre": ofi.nombre,
                "tipo_oficina": ofi.tipo,
            },
        ),
        (
            "participantes",
            "participante_id integer primary key, tipo_participante varchar(20), oficina_id integer, "
            "clave varchar(20), activo bit",
            {
                "participante_id": insp.participante_id,
                "tipo_participante": insp.tipo,
                "oficina_id": insp.oficina + 1,
                "clave": np.char.add("STPS-", np.char.zfill(insp.participante_id.astype(str), 5)).astype(object),
                "activo": insp.activo,
            },
        ),
    ]
