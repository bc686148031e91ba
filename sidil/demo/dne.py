"""DNE (Directorio Nacional de Empresas): `dne/dne.sqlite`, standing in for the ministry's SQL Server, with
the tables the manual queries: `centro_trabajo`, `empresa`, `grupo_empresa`.

One `centro_trabajo` row per world CT (`centro_trabajo_id` = truth.centro_trabajo_id). What it plants:
- geography as INEGI keys (`entidad_federativa_id` 1-32, `municipio_id` the 3-digit municipality as an
  integer), missing on a few CTs and invalid on some (0, 999 or a key the state does not have);
- `scian_id` (6-digit SCIAN 2018 clase of the CT's subsector) missing on some, `rama_industrial_id`
  (federal branch, LFT art. 527) only for CTs in federal branches;
- `num_trabajadores` NULL on about 80 % of CTs, near the world's size on the rest;
- `ct_imss_registro`: the registro of the CT's world employer (the string the IMSS patrones files carry,
  from `registros.registro_strings`) on the CTs that have one, a few written with dashes, spaces or lower
  case and a few mistyped (wrong check digit, so they match nothing); a few CTs without an employer carry a
  well-formed registro IMSS does not have, or junk ('SIN REGISTRO', '0', 'N/A', '');
- risk attributes: `sustancias_peligrosas` = world peligro, `recipientes_sujetos_presion` = world
  recipientes, other hazard flags by sector, IMSS `clase_riesgo_id` 1-5 and `prima_riesgo` (%),
  priority flags `ct_prioritario`, `ct_declare`;
- a few duplicate-looking CTs: same company, name and address as another CT of the same municipality and
  subsector, under a different id (the manual keeps both);
- no data of persons: companies only (personas morales).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from sidil.demo import catalogs
from sidil.demo.dne_sqlite import abrir, dias, fechas, tabla
from sidil.demo.nombres import (
    CALLES,
    COLONIAS,
    COMPLEMENTOS,
    CP_PREFIJOS,
    NUCLEOS,
    RAMA_POR_PREFIJO,
    SUFIJOS,
    TIPO_POR_SECTOR,
)
from sidil.demo.randomness import stream
from sidil.demo.registros import LETRAS, luhn_digit, registro_strings
from sidil.demo.truth import centro_trabajo_id
from sidil.demo.world import World

ARCHIVO = "dne.sqlite"
HOY = "2026-09-30"
EMPRESAS_POR_CT = 0.8
# Hazard flags other than the world's: probability by SIDIL sector (default for the rest).
P_MAQUINARIA = {"31": 0.5, "21": 0.6, "23": 0.4, "11": 0.3, "48": 0.2, "22": 0.3}
P_ALTURA = {"23": 0.6, "22": 0.4, "21": 0.3, "31": 0.1, "51": 0.1}
P_CONFINADOS = {"21": 0.3, "22": 0.3, "31": 0.08, "23": 0.05}
PRIMA_MEDIA_CLASE = np.array([np.nan, 0.54355, 1.13065, 2.59840, 4.65325, 7.58875])  # LSS art. 73, percent


def expected_files(world: World) -> int:
    return 1


def _elegir(rng: np.random.Generator, opciones, n: int, p=None) -> np.ndarray:
    arr = np.empty(len(opciones), dtype=object)
    arr[:] = list(opciones)
    return arr[rng.choice(len(arr), n, p=p)]


def _por_sector(world: World, cts, tabla_p: dict[str, float], defecto: float) -> np.ndarray:
    sector = world.sectores[world.subsector_sector[cts.subsector]]
    p = np.array([tabla_p.get(s, defecto) for s in world.sectores])
    return p[np.searchsorted(world.sectores, sector)]


def _segundos(rng: np.random.Generator, desde: str, hasta: np.ndarray | str, n: int) -> np.ndarray:
    """Random datetimes (seconds since 1970) between a date and one or many later dates, office hours."""
    d0 = dias(desde)
    d1 = np.asarray(dias(hasta) if isinstance(hasta, str) else hasta, dtype=np.int64)
    dia = d0 + np.floor(rng.random(n) * np.maximum(d1 - d0, 1)).astype(np.int64)
    return dia * 86_400 + rng.integers(8 * 3600, 19 * 3600, n)


# ---- companies ---------------------------------------------------------------------------------------
def _empresas(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Company of each CT (0-based, numbered by first CT) and rank of the CT within its company.
    Most companies have one CT; chains gather CTs of one subsector."""
    rng = stream(world.seed, "dne", "empresas")
    sub = world.cts.subsector.astype(np.int64)
    n = len(sub)
    perm = rng.permutation(n)
    n_emp = max(1, int(round(EMPRESAS_POR_CT * n)))
    cabeza, resto = perm[:n_emp], perm[n_emp:]
    etiqueta = np.empty(n, dtype=np.int64)
    etiqueta[cabeza] = np.arange(n_emp)
    # Heads by subsector; an extra CT joins a head of its subsector, strongly skewed (big chains).
    orden = cabeza[np.argsort(sub[cabeza], kind="stable")]
    cuenta = np.bincount(sub[cabeza], minlength=sub.max() + 1)
    inicio = np.concatenate([[0], np.cumsum(cuenta)[:-1]])
    s = sub[resto]
    tiene = cuenta[s] > 0
    k = np.floor(rng.random(len(resto)) ** 4 * cuenta[s]).astype(np.int64)
    elegido = orden[np.minimum(inicio[s] + k, len(orden) - 1)]
    etiqueta[resto] = np.where(tiene, etiqueta[elegido], n_emp + np.arange(len(resto)))
    # Number companies by their first CT.
    _, primera, inversa = np.unique(etiqueta, return_index=True, return_inverse=True)
    rango_emp = np.empty(len(primera), dtype=np.int64)
    rango_emp[np.argsort(primera, kind="stable")] = np.arange(len(primera))
    empresa = rango_emp[inversa]
    orden_ct = np.lexsort((np.arange(n), empresa))
    inicio_emp = np.searchsorted(empresa[orden_ct], empresa[orden_ct], side="left")
    rango = np.empty(n, dtype=np.int64)
    rango[orden_ct] = np.arange(n) - inicio_emp
    return empresa, rango


def _nombres_empresas(world: World, empresa: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per company: trade name (without legal form), legal name and RFC; sector of its first CT."""
    rng = stream(world.seed, "dne", "nombres")
    n_emp = int(empresa.max()) + 1
    primera = np.zeros(n_emp, dtype=np.int64)
    primera[empresa[::-1]] = np.arange(len(empresa))[::-1]
    sector = world.sectores[world.subsector_sector[world.cts.subsector[primera]]]
    tipo = np.empty(n_emp, dtype=object)
    for s, opciones in TIPO_POR_SECTOR.items():
        idx = np.flatnonzero(sector == s)
        tipo[idx] = _elegir(rng, opciones, len(idx))
    nucleo = _elegir(rng, NUCLEOS, n_emp)
    estado = np.char.upper(catalogs.municipios()["nom_ent"].to_numpy().astype(str))
    estado = np.char.translate(estado, str.maketrans("ÁÉÍÓÚÜ", "AEIOUU"))
    de_estado = rng.random(n_emp) < 0.12
    lugar = np.asarray(estado, dtype=object)[world.cts.municipio[primera]]
    nucleo = np.where(de_estado, "DE " + lugar, nucleo)
    comp = _elegir(rng, COMPLEMENTOS, n_emp)
    comercial = tipo + " " + nucleo + np.where(comp == "", "", " ") + comp
    sufijos, pesos = zip(*SUFIJOS)
    pesos = np.array(pesos) / sum(pesos)
    razon = comercial + _elegir(rng, sufijos, n_emp, pesos)
    # RFC of a persona moral: 3 letters, date of incorporation (yymmdd), 3-character homoclave.
    letras = LETRAS[rng.integers(0, len(LETRAS), (n_emp, 3))]
    alta = rng.integers(dias("1975-01-01"), dias("2024-12-31"), n_emp).astype("datetime64[D]")
    ymd = np.char.replace(np.datetime_as_string(alta, unit="D"), "-", "").astype("S8")
    ymd = np.frombuffer(ymd.tobytes(), dtype=np.uint8).reshape(n_emp, 8)[:, 2:]
    alnum = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789", dtype=np.uint8)
    homo = alnum[rng.integers(0, len(alnum), (n_emp, 3))]
    rfc = np.concatenate([letras, ymd, homo], axis=1).astype(np.uint8).view("S12").ravel().astype("U12").astype(object)
    _personas_fisicas(world, empresa, comercial, razon, rfc)
    return comercial, razon, rfc


def _personas_fisicas(
    world: World, empresa: np.ndarray, comercial: np.ndarray, razon: np.ndarray, rfc: np.ndarray
) -> None:
    """Some single-CT companies are employers who are persons (personas físicas): their legal and trade name
    is the person's name and their RFC has 13 characters (4 letters, birth date yymmdd, homoclave). Drawn
    from their own random stream, so every other value of the DNE stays as it was. Changes the arrays."""
    from sidil.demo.imss_empleadores import APELLIDOS, NOMBRES

    rng = stream(world.seed, "dne", "personas_fisicas")
    n_emp = len(razon)
    un_ct = np.bincount(empresa, minlength=n_emp) == 1
    fisica = np.flatnonzero(un_ct & (rng.random(n_emp) < 0.08))
    k = len(fisica)
    nombre = np.asarray(NOMBRES, dtype=object)[rng.integers(0, len(NOMBRES), k)]
    paterno = np.asarray(APELLIDOS, dtype=object)[rng.integers(0, len(APELLIDOS), k)]
    materno = np.asarray(APELLIDOS, dtype=object)[rng.integers(0, len(APELLIDOS), k)]
    completo = nombre + " " + paterno + " " + materno
    sin_acento = str.maketrans("ÁÉÍÓÚÜ", "AEIOUU")
    nacimiento = rng.integers(dias("1950-01-01"), dias("2002-12-31"), k).astype("datetime64[D]")
    ymd = np.char.replace(np.datetime_as_string(nacimiento, unit="D"), "-", "")
    alnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    homo = rng.integers(0, len(alnum), (k, 3))
    for j, i in enumerate(fisica):
        p, m, n = (x.translate(sin_acento) for x in (paterno[j], materno[j], nombre[j]))
        vocal = next((c for c in p[1:] if c in "AEIOU"), "X")
        rfc[i] = p[0] + vocal + m[0] + n[0] + str(ymd[j])[2:] + "".join(alnum[h] for h in homo[j])
        comercial[i] = completo[j]
        razon[i] = completo[j]


# ---- registro strings with capture quirks ------------------------------------------------------------
def _registros(world: World) -> np.ndarray:
    """`ct_imss_registro` of every CT (object array, None = NULL)."""
    rng = stream(world.seed, "dne", "registro")
    cts = world.cts
    n = len(cts.registro)
    reales = registro_strings(world)
    out = np.full(n, None, dtype=object)
    con = np.flatnonzero(cts.registro >= 0)
    txt = reales[cts.registro[con]].astype("U11").astype(object)
    u = rng.random(len(con))
    # Capture quirks on a few: IMSS-style dashes, spaces, lower case, padding, a mistyped digit.
    b = txt.astype("U11")
    chars = b.view("U1").reshape(-1, 11).copy()
    g = np.full((len(con), 14), "-", dtype="U1")
    g[:, 0:3], g[:, 4:9], g[:, 10:12], g[:, 13] = chars[:, 0:3], chars[:, 3:8], chars[:, 8:10], chars[:, 10]
    guiones = g.view("U14").ravel()
    espacios = np.char.replace(guiones, "-", " ")
    pos = rng.integers(1, 10, len(con))
    dig = chars[np.arange(len(con)), pos].astype(np.int64)
    chars[np.arange(len(con)), pos] = ((dig + rng.integers(1, 10, len(con))) % 10).astype("U1")
    errata = chars.view("U11").ravel()
    txt = np.where(u < 0.015, guiones.astype(object), txt)
    txt = np.where((u >= 0.015) & (u < 0.022), espacios.astype(object), txt)
    txt = np.where((u >= 0.022) & (u < 0.030), np.char.lower(b).astype(object), txt)
    txt = np.where((u >= 0.030) & (u < 0.035), (" " + b + " ").astype(object), txt)
    # A mistyped digit always breaks the Luhn check digit, so it matches no employer.
    txt = np.where((u >= 0.035) & (u < 0.041), errata.astype(object), txt)
    out[con] = txt
    # CTs without an employer: a few carry a registro IMSS does not have (a closed or foreign employer),
    # a few junk, a few an empty string.
    sin = np.flatnonzero(cts.registro < 0)
    v = rng.random(len(sin))
    ajenos = sin[v < 0.012]
    digits = rng.integers(0, 10, (len(ajenos), 9))
    chars = np.empty((len(ajenos), 11), dtype=np.uint8)
    chars[:, 0] = LETRAS[rng.integers(0, len(LETRAS), len(ajenos))]
    chars[:, 1:10] = digits + ord("0")
    chars[:, 10] = luhn_digit(digits) + ord("0")
    falsos = chars.view("S11").ravel()
    falsos = np.where(np.isin(falsos, reales), b"Z0000000000", falsos)  # never an existing employer
    out[ajenos] = falsos.astype("U11").astype(object)
    basura = sin[(v >= 0.012) & (v < 0.017)]
    out[basura] = _elegir(rng, ("SIN REGISTRO", "0", "00000000000", "N/A", "EN TRAMITE"), len(basura))
    out[sin[(v >= 0.017) & (v < 0.020)]] = ""
    return out


# ---- the tables ---------------------------------------------------------------------------------------
def centros_trabajo(
    world: World, empresa: np.ndarray, rango: np.ndarray, comercial: np.ndarray
) -> dict[str, np.ndarray]:
    """Columns of `centro_trabajo` (numpy / object arrays; None or NaN = NULL), in table order, for the
    CTs' companies (0-based), their rank within it and the companies' trade names."""
    rng = stream(world.seed, "dne", "centro_trabajo")
    cts = world.cts
    n = len(cts.calidad)
    ids = centro_trabajo_id(world)
    nombre = comercial[empresa]
    suc = rango > 0
    etiqueta = np.where(rng.random(n) < 0.5, " SUC. ", " PLANTA ")
    nombre = np.where(suc, nombre + etiqueta + (rango + 1).astype(str).astype(object), nombre)

    calle = _elegir(rng, CALLES, n)
    numero = rng.integers(1, 4000, n).astype(str).astype(object)
    numero = np.where(rng.random(n) < 0.06, "S/N", numero)
    colonia = _elegir(rng, COLONIAS, n)
    colonia = np.where(rng.random(n) < 0.3, "COL. " + colonia, colonia)

    mun = world.municipios
    ent = mun["cve_ent"].astype(int).to_numpy()[cts.municipio]
    cve_mun = mun["cve_mun"].astype(int).to_numpy()[cts.municipio]
    # Postal code by the state's SEPOMEX prefixes (CDMX's start with 0).
    pref = np.zeros(n, dtype=np.int64)
    for e, opciones in CP_PREFIJOS.items():
        idx = np.flatnonzero(ent == e)
        pref[idx] = np.array(opciones)[rng.integers(0, len(opciones), len(idx))]
    cp_num = pref * 1000 + rng.integers(0, 1000, n)
    cp = np.char.zfill(cp_num.astype(str), 5).astype(object)
    u = rng.random(n)
    cp = np.where(u < 0.01, cp_num.astype(str).astype(object), cp)  # leading zero lost
    cp = np.where((u >= 0.01) & (u < 0.04), None, cp)
    cp = np.where((u >= 0.04) & (u < 0.045), "00000", cp)

    # Geography: missing on a few (enrichment from IMSS fills them later), invalid on some.
    entidad = ent.astype(float)
    municipio = cve_mun.astype(float)
    u = rng.random(n)
    entidad[u < 0.02] = np.nan
    municipio[u < 0.055] = np.nan
    malo = (u >= 0.055) & (u < 0.065)
    municipio[malo] = _elegir(rng, (0, 999, 600, 888), int(malo.sum())).astype(float)

    # SCIAN clase within the CT's subsector; federal branch by code prefix.
    scian = catalogs.seed("scian2018")
    clases = np.sort(scian.loc[scian["nivel"] == "clase", "codigo"].to_numpy().astype(str))
    sub_codes = world.subsectores["scian2018_3"].to_numpy().astype(str)
    inicio = np.searchsorted(clases, sub_codes, side="left")
    fin = np.searchsorted(clases, np.array([str(int(c) + 1) for c in sub_codes]), side="left")
    s = cts.subsector.astype(np.int64)
    clase_idx = inicio[s] + np.floor(rng.random(n) * (fin[s] - inicio[s])).astype(np.int64)
    rama_clase = np.array(
        [next((RAMA_POR_PREFIJO[c[:k]] for k in (5, 4, 3) if c[:k] in RAMA_POR_PREFIJO), 0) for c in clases],
        dtype=float,
    )
    rama = rama_clase[clase_idx]
    rama[rama == 0] = np.nan
    scian_id = clases.astype(np.int64)[clase_idx].astype(float)
    scian_id[rng.random(n) < 0.08] = np.nan

    # Workers: captured on about one CT in five, near the real size.
    num = np.round(cts.n_trabajadores * rng.lognormal(0.0, 0.2, n))
    num[rng.random(n) >= 0.2] = np.nan

    # Risk: IMSS class known for employers and for part of the rest; premium around the class mean.
    clase = cts.clase_riesgo.astype(float)
    clase[(cts.registro < 0) & (rng.random(n) < 0.35)] = np.nan
    clase[(cts.registro >= 0) & (rng.random(n) < 0.05)] = np.nan
    prima = np.clip(PRIMA_MEDIA_CLASE[np.nan_to_num(clase).astype(int)] * rng.lognormal(0, 0.3, n), 0.5, 15.0)
    prima = np.round(prima, 5)
    sector_flags = {
        "maquinaria_peligrosa": _por_sector(world, cts, P_MAQUINARIA, 0.05),
        "trabajos_altura": _por_sector(world, cts, P_ALTURA, 0.03),
        "espacios_confinados": _por_sector(world, cts, P_CONFINADOS, 0.01),
    }
    flags = {}
    for nombre_flag, p in sector_flags.items():
        f = (rng.random(n) < p).astype(float)
        f[rng.random(n) < 0.05] = np.nan  # not captured
        flags[nombre_flag] = f
    piroforicos = ((cts.peligro == 1) & (rng.random(n) < 0.15)).astype(np.int64)
    grande = cts.n_trabajadores >= 250
    prioritario = (((cts.clase_riesgo >= 4) | grande | (cts.peligro == 1)) & (rng.random(n) < 0.5)) | (
        rng.random(n) < 0.02
    )
    declare = rng.random(n) < 0.05 + 0.25 * (cts.n_trabajadores >= 51)

    # Dates: the bulk loaded when the directory started, the rest added since; updated later.
    periodo = rng.choice(3, n, p=[0.4, 0.35, 0.25])
    desde = np.array([dias("1998-01-01"), dias("2009-01-01"), dias("2017-01-01")])[periodo]
    hasta = np.array([dias("2008-12-31"), dias("2016-12-31"), dias(HOY)])[periodo]
    alta = desde * 86_400 + np.floor(rng.random(n) * (hasta - desde) * 86_400).astype(np.int64)
    actualizacion = alta + np.floor(rng.random(n) * (dias(HOY) * 86_400 - alta)).astype(np.int64)
    estatus = np.array(["ACTIVO", "BAJA", "SUSPENDIDO"], dtype=object)[rng.choice(3, n, p=[0.94, 0.045, 0.015])]

    cols = {
        "centro_trabajo_id": ids,
        "empresa_id": empresa + 1,
        "ct_nombre": nombre,
        "ct_calle": calle,
        "ct_num_exterior": numero,
        "ct_colonia": colonia,
        "codigo_postal": cp,
        "entidad_federativa_id": entidad,
        "municipio_id": municipio,
        "scian_id": scian_id,
        "rama_industrial_id": rama,
        "num_trabajadores": num,
        "ct_imss_registro": _registros(world),
        "clase_riesgo_id": clase,
        "prima_riesgo": np.where(np.isnan(clase), np.nan, prima),
        "sustancias_peligrosas": cts.peligro.astype(np.int64),
        "recipientes_sujetos_presion": cts.recipientes.astype(np.int64),
        "materiales_piroforicos": piroforicos,
        **flags,
        "ct_prioritario": prioritario.astype(np.int64),
        "ct_declare": declare.astype(np.int64),
        "fecha_alta": fechas(alta),
        "fecha_actualizacion": fechas(actualizacion),
        "estatus": estatus,
    }
    _duplicados(world, cols)
    return cols


def _duplicados(world: World, cols: dict[str, np.ndarray]) -> None:
    """A few CTs repeat the company, name and address of another CT of the same municipality and
    subsector (captured twice under different ids)."""
    rng = stream(world.seed, "dne", "duplicados")
    cts = world.cts
    clave = cts.municipio.astype(np.int64) * 1000 + cts.subsector
    orden = np.argsort(clave, kind="stable")
    par = np.flatnonzero(clave[orden][1:] == clave[orden][:-1])
    par = par[rng.random(len(par)) < min(1.0, 0.005 * len(clave) / max(len(par), 1))]  # ~0.5 % of CTs
    par = par[np.concatenate([[True], np.diff(par) > 1])] if len(par) else par  # disjoint pairs
    original, copia = orden[par], orden[par + 1]
    for col in (
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
    ):
        cols[col][copia] = cols[col][original]


def empresas(world: World, empresa: np.ndarray, razon: np.ndarray, rfc: np.ndarray) -> tuple[dict, dict]:
    """Columns of `empresa` and `grupo_empresa`."""
    rng = stream(world.seed, "dne", "grupos")
    n_empresas = len(razon)
    n_ct_emp = np.bincount(empresa, minlength=n_empresas)
    en_grupo = rng.random(n_empresas) < np.where(n_ct_emp >= 2, 0.08, 0.005)
    n_grupos = max(1, int(en_grupo.sum()) // 6)
    grupo = np.full(n_empresas, np.nan)
    grupo[en_grupo] = rng.integers(1, n_grupos + 1, int(en_grupo.sum()))
    alta = _segundos(rng, "1998-01-01", "2024-12-31", n_empresas)
    empresa_cols = {
        "empresa_id": np.arange(1, n_empresas + 1),
        "grupo_empresa_id": grupo,
        "razon_social": razon,
        "rfc": np.where(rng.random(n_empresas) < 0.07, None, rfc),
        "fecha_alta": fechas(alta),
        "estatus": np.array(["ACTIVA", "BAJA"], dtype=object)[(rng.random(n_empresas) < 0.03).astype(int)],
    }
    nombre_grupo = (
        "GRUPO "
        + _elegir(rng, NUCLEOS, n_grupos)
        + _elegir(rng, ("", " CORPORATIVO", " INDUSTRIAL", " EMPRESARIAL", " DE MEXICO"), n_grupos)
    )
    grupo_cols = {
        "grupo_empresa_id": np.arange(1, n_grupos + 1),
        "nombre": nombre_grupo + ", S.A. DE C.V.",
        "fecha_alta": fechas(_segundos(rng, "1995-01-01", "2020-12-31", n_grupos)),
    }
    return empresa_cols, grupo_cols


DDL_CENTRO_TRABAJO = """
    centro_trabajo_id integer primary key, empresa_id integer not null, ct_nombre varchar(250),
    ct_calle varchar(150), ct_num_exterior varchar(20), ct_colonia varchar(150), codigo_postal varchar(5),
    entidad_federativa_id smallint, municipio_id smallint, scian_id integer, rama_industrial_id smallint,
    num_trabajadores integer, ct_imss_registro varchar(20), clase_riesgo_id smallint, prima_riesgo float,
    sustancias_peligrosas bit, recipientes_sujetos_presion bit, materiales_piroforicos bit, maquinaria_peligrosa bit,
    trabajos_altura bit, espacios_confinados bit, ct_prioritario bit, ct_declare bit,
    fecha_alta datetime, fecha_actualizacion datetime, estatus varchar(20)
"""
DDL_EMPRESA = """
    empresa_id integer primary key, grupo_empresa_id integer, razon_social varchar(250), rfc varchar(13),
    fecha_alta datetime, estatus varchar(20)
"""
DDL_GRUPO = "grupo_empresa_id integer primary key, nombre varchar(250), fecha_alta datetime"


def write(world: World, out: Path, tick: Callable[[str], None]) -> list[Path]:
    path = Path(out) / "dne" / ARCHIVO
    empresa, rango = _empresas(world)
    comercial, razon, rfc = _nombres_empresas(world, empresa)
    ct = centros_trabajo(world, empresa, rango, comercial)
    emp, grupo = empresas(world, empresa, razon, rfc)
    con = abrir(path)
    try:
        tabla(con, "grupo_empresa", DDL_GRUPO, grupo)
        tabla(con, "empresa", DDL_EMPRESA, emp, indices=("grupo_empresa_id",))
        tabla(con, "centro_trabajo", DDL_CENTRO_TRABAJO, ct, indices=("empresa_id", "ct_imss_registro"))
    finally:
        con.close()
    tick(ARCHIVO)
    return [path]
