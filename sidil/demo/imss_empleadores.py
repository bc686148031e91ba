"""Fixed attributes of every IMSS employer registration as the patrones file shows them.

Place (IMSS municipality code, delegación, subdelegación, postal code, minimum-wage zone), activity (IMSS
división / grupo / fracción chosen among those the project seed maps to the registro's SCIAN subsector) and
company name. Drawn once per world from `stream(seed, "imss", "empleadores")`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sidil.demo import catalogs
from sidil.demo.nombres import CP_PREFIJOS
from sidil.demo.randomness import stream
from sidil.demo.registros import registro_strings
from sidil.demo.world import World

FRACCION_DEFAULT = "8401"  # servicios profesionales: for sectors no fracción maps to (55 corporativos)

NOMBRES = (
    "JOSÉ",
    "JUAN",
    "MARÍA",
    "GUADALUPE",
    "FRANCISCO",
    "ANTONIO",
    "JESÚS",
    "ALEJANDRO",
    "MIGUEL ÁNGEL",
    "ROSA",
    "VERÓNICA",
    "JOSÉ LUIS",
    "CARLOS",
    "PATRICIA",
    "FERNANDO",
    "LETICIA",
    "MARTHA",
    "RAÚL",
    "SERGIO",
    "ANA MARÍA",
    "RICARDO",
    "JORGE",
    "ELIZABETH",
    "LUIS ÁNGEL",
    "SOFÍA",
    "JOAQUÍN",
    "IGNACIO",
    "NORMA",
)
APELLIDOS = (
    "HERNÁNDEZ",
    "GARCÍA",
    "MARTÍNEZ",
    "LÓPEZ",
    "GONZÁLEZ",
    "PÉREZ",
    "RODRÍGUEZ",
    "SÁNCHEZ",
    "RAMÍREZ",
    "CRUZ",
    "FLORES",
    "GÓMEZ",
    "MORALES",
    "VÁZQUEZ",
    "JIMÉNEZ",
    "REYES",
    "DÍAZ",
    "TORRES",
    "GUTIÉRREZ",
    "RUIZ",
    "MENDOZA",
    "AGUILAR",
    "ORTIZ",
    "CASTILLO",
    "MORENO",
    "ROMERO",
    "ÁLVAREZ",
    "CHÁVEZ",
    "RIVERA",
    "JUÁREZ",
    "DOMÍNGUEZ",
    "MUÑOZ",
    "IBARRA",
    "NÚÑEZ",
    "PEÑA",
    "ZÚÑIGA",
    "ESPINOSA",
    "VILLASEÑOR",
)
# Leading words of company names by SIDIL sector (a company's name usually says what it does).
GIROS = {
    "11": ("AGRÍCOLA", "AGROPECUARIA", "GRANJA", "INVERNADEROS", "EMPACADORA DE FRUTAS", "GANADERA"),
    "21": ("MINERA", "EXPLORACIONES MINERAS", "PERFORACIONES", "MATERIALES PÉTREOS"),
    "22": ("GENERADORA DE ENERGÍA", "ENERGÍA", "AGUAS", "GAS NATURAL"),
    "23": ("CONSTRUCTORA", "EDIFICACIONES", "URBANIZADORA", "INGENIERÍA Y CONSTRUCCIÓN", "PAVIMENTOS"),
    "31": (
        "INDUSTRIAS",
        "MANUFACTURAS",
        "MAQUILADORA",
        "PRODUCTOS",
        "METALÚRGICA",
        "PLÁSTICOS",
        "ALIMENTOS",
        "TEXTILES",
        "AUTOPARTES",
    ),
    "43": ("COMERCIALIZADORA", "DISTRIBUIDORA", "IMPORTADORA", "ABASTECEDORA", "SUMINISTROS"),
    "46": ("ABARROTES", "FARMACIA", "TIENDAS", "COMERCIAL", "PAPELERÍA", "FERRETERÍA", "AUTOSERVICIO", "BOUTIQUE"),
    "48": ("TRANSPORTES", "AUTOTRANSPORTES", "LOGÍSTICA", "FLETES Y MUDANZAS", "ALMACENADORA", "MENSAJERÍA"),
    "51": ("COMUNICACIONES", "EDITORIAL", "TELECOMUNICACIONES", "SISTEMAS", "SOFTWARE"),
    "52": ("FINANCIERA", "CAJA POPULAR", "ARRENDADORA FINANCIERA", "CASA DE CAMBIO", "AGENTE DE SEGUROS"),
    "53": ("INMOBILIARIA", "ARRENDADORA", "BIENES RAÍCES", "DESARROLLOS INMOBILIARIOS"),
    "54": ("CONSULTORES", "DESPACHO", "ASESORES", "LABORATORIOS", "INGENIEROS CONSULTORES", "ARQUITECTOS"),
    "55": ("CORPORATIVO", "GRUPO", "CONTROLADORA"),
    "56": ("SERVICIOS", "SEGURIDAD PRIVADA", "LIMPIEZA", "ADMINISTRADORA", "SERVICIOS INTEGRALES", "VIGILANCIA"),
    "61": ("COLEGIO", "INSTITUTO", "ESCUELA", "CENTRO EDUCATIVO", "UNIVERSIDAD"),
    "62": ("HOSPITAL", "CLÍNICA", "LABORATORIO CLÍNICO", "CENTRO MÉDICO", "ESTANCIA INFANTIL"),
    "71": ("CLUB DEPORTIVO", "GIMNASIO", "ESPECTÁCULOS", "PARQUE RECREATIVO", "CASINO"),
    "72": ("RESTAURANTE", "HOTELERA", "HOTEL", "OPERADORA TURÍSTICA", "ALIMENTOS Y BEBIDAS", "TAQUERÍA"),
    "81": ("TALLER", "SERVICIO AUTOMOTRIZ", "ESTÉTICA", "LAVANDERÍA", "ASOCIACIÓN", "REFACCIONARIA"),
    "93": ("ORGANISMO OPERADOR", "INSTITUTO ESTATAL", "COMISIÓN ESTATAL", "SISTEMA MUNICIPAL"),
}
NUCLEOS = (
    "DEL BAJÍO",
    "DEL NORTE",
    "DEL PACÍFICO",
    "DEL GOLFO",
    "PENINSULAR",
    "AZTECA",
    "SAN JOSÉ",
    "LA GUADALUPANA",
    "EL ÁGUILA",
    "MONTERREY",
    "OCCIDENTE",
    "DEL SURESTE",
    "MEXICANA",
    "INTERNACIONAL",
    "HERMANOS",
    "SANTA FE",
    "LAS AMÉRICAS",
    "DEL CENTRO",
    "TEPEYAC",
    "ANÁHUAC",
    "CUAUHTÉMOC",
    "NUEVO LEÓN",
    "ZARAGOZA",
    "SAN ÁNGEL",
    "MAGAÑA",
    "ÁLAMOS",
    "LA PIÑATA",
)
FORMAS = (
    " S.A. DE C.V.",
    ", S.A. DE C.V.",
    " SA DE CV",
    ", S. DE R.L. DE C.V.",
    " S. DE R.L. DE C.V.",
    " S.C.",
    ", S.A.P.I. DE C.V.",
    " A.C.",
    " S.A.",
    ", S.C.",
    " SAPI DE CV",
)
P_FORMAS = np.array([30, 22, 10, 8, 6, 5, 5, 4, 4, 3, 3], dtype=float)


@dataclass
class Empleadores:
    registro: np.ndarray  # S11
    razon_social: pa.Array  # utf8
    cve_municipio: np.ndarray  # str, e.g. 'A01'
    cve_delegacion: np.ndarray  # int
    cve_subdelegacion: np.ndarray  # int
    codigo_postal: pa.Array  # utf8 (5 digits or empty)
    fraccion: np.ndarray  # str, 4 digits
    sector_economico_1: np.ndarray  # int
    sector_economico_2: np.ndarray  # int (2-digit grupo)
    sector_economico_4: np.ndarray  # int (fracción without leading zeros, as IMSS writes it)
    frontera: np.ndarray  # bool, ZLFN minimum-wage zone
    estado: np.ndarray  # 0-based state
    sector: np.ndarray  # index into world.sectores


def _codigo_municipio(world: World, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """IMSS municipality code and delegación for every world municipality: an `exact` row, else a
    `contains` row, else a code of the same state."""
    imss = catalogs.seed("imss_municipios_inegi")
    imss = imss[imss["cve_municipio_imss"] != ""]
    exact = imss[imss["match_method"] == "exact"].groupby("cvegeo_inegi")
    contains = imss[imss["match_method"] == "contains"].groupby("cvegeo_inegi")
    by_state = imss.groupby("cve_entidad")
    ex, co = set(exact.groups), set(contains.groups)
    codes, delegs = [], []
    for cvegeo, ent in zip(world.municipios["cvegeo"], world.municipios["cve_ent"]):
        if cvegeo in ex:
            rows = exact.get_group(cvegeo)
        elif cvegeo in co:
            rows = contains.get_group(cvegeo)
        else:
            rows = by_state.get_group(ent)
        k = int(rng.integers(0, len(rows)))
        codes.append(rows["cve_municipio_imss"].iloc[k])
        delegs.append(int(rows["cve_delegacion"].iloc[k]))
    return np.array(codes), np.array(delegs)


def _subdelegacion(delegacion: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sub = catalogs.seed("imss_delegacion_subdelegacion")
    sub = sub[sub["id_deleg_rp"].str.strip().str.isdigit()]
    options = sub.groupby(sub["id_deleg_rp"].astype(int))["id_subdel_rp"].apply(lambda s: s.astype(int).to_numpy())
    out = np.empty(len(delegacion), dtype=np.int64)
    for d in np.unique(delegacion):
        idx = np.flatnonzero(delegacion == d)
        opts = options.get(d, np.array([1]))
        out[idx] = opts[rng.integers(0, len(opts), len(idx))]
    return out


def _fracciones(world: World, subsector: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    seed = catalogs.seed("imss_fraccion_scian2018")
    by_sub = seed.groupby("scian2018_3")["fraccion"].apply(list)
    by_sec = seed.groupby("scian2018_2")["fraccion"].apply(list)
    out = np.empty(len(subsector), dtype="U4")
    for k, (s3, s2) in enumerate(zip(world.subsectores["scian2018_3"], world.subsectores["scian2018_2"])):
        idx = np.flatnonzero(subsector == k)
        if len(idx) == 0:
            continue
        opts = np.array(by_sub.get(s3) or by_sec.get(s2) or [FRACCION_DEFAULT])
        out[idx] = opts[rng.integers(0, len(opts), len(idx))]
    return out


def _pick(values: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(idx))


def razones_sociales(rng: np.random.Generator, sector: np.ndarray, n_trabajadores: np.ndarray) -> pa.Array:
    """Company names: natural persons (mostly small employers) or companies named after their activity, with
    a legal form (often after a comma)."""
    n = len(sector)
    p_fisica = np.where(n_trabajadores <= 5, 0.45, np.where(n_trabajadores <= 50, 0.25, 0.04))
    fisica = rng.random(n) < p_fisica
    nombre = pc.binary_join_element_wise(
        _pick(NOMBRES, rng.integers(0, len(NOMBRES), n)),
        _pick(APELLIDOS, rng.integers(0, len(APELLIDOS), n)),
        _pick(APELLIDOS, rng.integers(0, len(APELLIDOS), n)),
        " ",
    )
    nucleo = np.where(rng.random(n) < 0.4, rng.integers(0, len(APELLIDOS), n), -1)
    core = pc.if_else(
        pa.array(nucleo >= 0), _pick(APELLIDOS, np.maximum(nucleo, 0)), _pick(NUCLEOS, rng.integers(0, len(NUCLEOS), n))
    )
    sectores = sorted(GIROS)
    vocab = tuple(g for s in sectores for g in GIROS[s])
    largo = np.array([len(GIROS[s]) for s in sectores])
    inicio = np.concatenate([[0], np.cumsum(largo)[:-1]])
    giro = inicio[sector] + np.floor(rng.random(n) * largo[sector]).astype(np.int64)
    moral = pc.binary_join_element_wise(
        pc.binary_join_element_wise(_pick(vocab, giro), core, " "),
        _pick(FORMAS, rng.choice(len(FORMAS), n, p=P_FORMAS / P_FORMAS.sum())),
        "",
    )
    return pc.if_else(pa.array(fisica), nombre, moral)


def empleadores(world: World) -> Empleadores:
    rng = stream(world.seed, "imss", "empleadores")
    reg = world.registros
    n = len(reg.n_trabajadores)
    mun_code, mun_deleg = _codigo_municipio(world, rng)
    delegacion = mun_deleg[reg.municipio]
    estado = world.municipio_estado[reg.municipio]
    # Postal code: a block of the state's range per municipality, a few codes per block.
    lo = np.array([min(CP_PREFIJOS[e]) for e in range(1, 33)])[estado]  # each state's prefixes are a range
    hi = np.array([max(CP_PREFIJOS[e]) for e in range(1, 33)])[estado]
    base = stream(world.seed, "imss", "cp").integers(0, 1000, len(world.municipios))[reg.municipio]
    span = (hi - lo + 1) * 1000
    cp = lo * 1000 + (base * 37 + rng.integers(0, 60, n)) % span
    cp_text = pc.utf8_lpad(pa.array(cp).cast(pa.string()), 5, "0")
    cp_text = pc.if_else(pa.array(rng.random(n) < 0.004), pa.scalar(""), cp_text)  # missing in the source
    fraccion = _fracciones(world, reg.subsector, rng)
    catalogo = catalogs.seed("imss_fraccion").copy()
    catalogo["fraccion"] = catalogo["sector_economico_4_4_pos"].str.zfill(4)
    catalogo = catalogo.set_index("fraccion")
    div = catalogo["sector_economico_1"].astype(int).reindex(fraccion).to_numpy()
    grupo = catalogo["sector_economico_2_2pos"].astype(int).reindex(fraccion).to_numpy()
    return Empleadores(
        registro=registro_strings(world),
        razon_social=razones_sociales(rng, world.subsector_sector[reg.subsector], reg.n_trabajadores),
        cve_municipio=mun_code[reg.municipio],
        cve_delegacion=delegacion,
        cve_subdelegacion=_subdelegacion(delegacion, rng),
        codigo_postal=cp_text,
        fraccion=fraccion,
        sector_economico_1=div,
        sector_economico_2=grupo,
        sector_economico_4=fraccion.astype(np.int64),
        frontera=np.isin(world.cvegeo(reg.municipio), list(catalogs.zlfn_cvegeo())),
        estado=estado,
        sector=world.subsector_sector[reg.subsector],
    )


def tamano_patron(num_puestos: np.ndarray) -> np.ndarray:
    """IMSS size class S1..S7 from the number of jobs."""
    k = np.searchsorted(np.array([1, 5, 50, 250, 500, 1000]), num_puestos, side="left")
    return np.array(["S1", "S2", "S3", "S4", "S5", "S6", "S7"])[k]


def clase_romana(clase: np.ndarray) -> np.ndarray:
    return np.array(["I", "II", "III", "IV", "V"])[np.asarray(clase, dtype=np.int64) - 1]
