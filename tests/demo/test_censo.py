"""Censo Económico 2019 demo table: layout of the team's CSV, censorship, ranges and world-driven shape."""

from __future__ import annotations

import csv
import hashlib
import io

import numpy as np
import pytest

from sidil.demo import censo
from sidil.demo.scales import SCALES
from sidil.demo.world import World
from tests.conftest import SEED

TOTALES = [c for c in censo.COLUMNAS if c.startswith("total_")]
PORCENTAJES = ["ct3_po", "ct3_remunerado", "ct3_otra_razon", "ct3_est_informales"]


def _escribir(tmp_path_factory, seed: int):
    out = tmp_path_factory.mktemp(f"censo{seed}")
    ticks: list[str] = []
    paths = censo.write(World(SCALES["tiny"], seed), out, ticks.append)
    return paths, ticks


@pytest.fixture(scope="module")
def generado(tmp_path_factory):
    return _escribir(tmp_path_factory, SEED)


@pytest.fixture(scope="module")
def filas(generado):
    (path,), _ = generado
    with open(path, encoding="cp1252", newline="") as f:
        return list(csv.DictReader(f))


def _num(filas, col) -> np.ndarray:
    return np.array([float(r[col]) if r[col] != "" else np.nan for r in filas])


def test_one_file_with_the_manual_name_and_a_tick(generado):
    (path,), ticks = generado
    assert path.name == "TABLA_C3_CENSO2019.csv" and path.parent.name == "censo"
    assert ticks == ["TABLA_C3_CENSO2019.csv"]
    assert censo.expected_files(World(SCALES["tiny"], SEED)) == 1


def test_header_has_the_30_fields_with_the_manual_spellings(generado):
    (path,), _ = generado
    header = path.read_bytes().split(b"\r\n", 1)[0].decode("cp1252").split(",")
    assert len(header) == 30 == len(set(header))
    for campo in (
        "entidad",
        "etiq_entidad",
        "municipio",
        "etiq_municipio",
        "scian2dgts",
        "etiq_scian2dgts",
        "ct3_po",
        "ct3_remunerado",
        "ct3_otra_razon",
        "ct3_est_informales",
        "ct3_remun_po",
        "ct3_remun_remunerado",
        "ct3_remuin_est_informales",
        "ct3_costo_otra_razon",
        "ue",
        "total_ocupado",
        "total_depndiente_rs",
        "total_remunerado",
        "total_otra_rs",
        "total_costo_otra_rs",
    ):
        assert campo in header, campo
    assert header[:6] == ["entidad", "etiq_entidad", "municipio", "etiq_municipio", "scian2dgts", "etiq_scian2dgts"]
    assert header[-2:] == ["total_otra_rs", "total_costo_otra_rs"]


def test_windows_1252_with_crlf_and_excel_style_keys(generado, filas):
    (path,), _ = generado
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == len(filas) + 1 and b"\n" not in raw.replace(b"\r\n", b"")
    assert any(b >= 0x80 for b in raw)  # accents in labels, as single bytes
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Información en medios masivos" in raw.decode("cp1252") or "Minería" in raw.decode("cp1252")
    # Excel dropped the keys' leading zeros; INEGI's sector codes keep their ranges.
    assert {r["entidad"] for r in filas} <= {str(i) for i in range(1, 33)}
    assert all(not r["municipio"].startswith("0") for r in filas)
    sectores = {r["scian2dgts"] for r in filas}
    assert "31-33" in sectores and "93" not in sectores and "31" not in sectores
    assert sectores <= {v[0] for v in censo.SECTORES.values()}
    # Labels with commas are quoted and read back whole.
    assert any("," in r["etiq_scian2dgts"] for r in filas)
    assert all(len(r) == 30 and None not in r for r in filas)


def test_one_row_per_municipality_and_sector_for_a_share_of_municipalities(filas):
    claves = [(r["entidad"], r["municipio"], r["scian2dgts"]) for r in filas]
    assert len(claves) == len(set(claves))
    world = World(SCALES["tiny"], SEED)
    municipios = {(r["entidad"], r["municipio"]) for r in filas}
    share = len(municipios) / len(world.municipios)
    assert 0.02 < share < 0.09  # tiny keeps about 5 % of municipalities
    # Names and keys agree with the INEGI catalog.
    cat = {
        (str(int(e)), str(int(m))): n
        for e, m, n in world.municipios[["cve_ent", "cve_mun", "nom_mun"]].itertuples(index=False)
    }
    assert all(cat[(r["entidad"], r["municipio"])] == r["etiq_municipio"] for r in filas)


def test_censored_rows_have_every_total_empty_and_few_units(filas):
    ue = _num(filas, "ue")
    ocupado = _num(filas, "total_ocupado")
    censurada = np.isnan(ocupado)
    assert 0.2 < censurada.mean() < 0.4  # 9,089 of 31,399 in the real table
    assert not np.isnan(ue).any() and ue.min() >= 1
    assert ue[censurada].max() <= 29
    for col in TOTALES:
        assert np.isnan(_num(filas, col)[censurada]).all(), col
        assert not np.isnan(_num(filas, col)[~censurada]).any(), col


def test_percentages_in_range_and_concentration_follows_units(filas):
    for col in PORCENTAJES:
        x = _num(filas, col)
        x = x[~np.isnan(x)]
        assert len(x) and x.min() >= 0 and x.max() <= 100, col
    ue, po = _num(filas, "ue"), _num(filas, "ct3_po")
    assert (po[ue <= 3] == 100).all()
    assert (po[ue > 3] < 100).mean() > 0.9
    assert np.nanmean(po[ue <= 10]) > np.nanmean(po[ue > 100]) + 30
    # Subcontracting: many rows without it, the rest positive.
    otra = _num(filas, "ct3_otra_razon")
    assert 0.2 < (otra == 0).mean() < 0.9


def test_totals_add_up(filas):
    ok = ~np.isnan(_num(filas, "total_ocupado"))
    t = {c: _num(filas, c)[ok] for c in TOTALES}
    assert np.array_equal(t["total_depndiente_rs"] + t["total_no_depndiente_rs"], t["total_ocupado"])
    assert np.array_equal(t["total_ocupado_hombres"] + t["total_ocupado_mujeres"], t["total_ocupado"])
    assert np.array_equal(t["total_remunerado"] + t["total_propietarios"], t["total_depndiente_rs"])
    assert (t["total_otra_rs"] <= t["total_no_depndiente_rs"]).all()
    assert (t["total_ocupado"] >= _num(filas, "ue")[ok]).all()


def test_concentration_higher_in_small_municipalities():
    df = censo.tabla(World(SCALES["small"], SEED))
    world = World(SCALES["small"], SEED)
    pop = world.municipios.set_index(["cve_ent", "cve_mun"])["poblacion_2020"]
    clave = list(zip(df["entidad"].map("{:02d}".format), df["municipio"].map("{:03d}".format)))
    p = pop.loc[clave].to_numpy()
    chico = p < np.median(p)
    assert df["ct3_po"][chico].mean() > df["ct3_po"][~chico].mean() + 10
    # Subcontracting depends on the sector: financial services above retail.
    por_sector = df.groupby("scian2dgts")["ct3_otra_razon"].mean()
    assert por_sector["52"] > por_sector["46"]


def test_deterministic_for_a_seed(generado, tmp_path_factory):
    (path,), _ = generado
    (again,), _ = _escribir(tmp_path_factory, SEED)
    (other,), _ = _escribir(tmp_path_factory, SEED + 1)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(path) == digest(again)
    assert digest(path) != digest(other)
    assert list(csv.reader(io.StringIO(other.read_text(encoding="cp1252"))))[0] == censo.COLUMNAS
