"""IMSS generator at tiny scale: names, formats, fields, ids, panel rotation, wages, riesgos, determinism."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import py7zr
import pytest

from sidil.demo import catalogs, imss
from sidil.demo.imss_ids import curp_valida, nss_validos
from sidil.demo.registros import registro_strings, registro_valido
from sidil.demo.scales import PERIODS, SCALES, imss_months
from sidil.demo.world import World

SEED = 20260
NAME = re.compile(r"^(PATRONES_STPS|PAFINALMES_F)_(\d{7,8})\.(tab|tab\.gz|7z|csv)$")


@pytest.fixture(scope="module")
def world() -> World:
    return World(SCALES["tiny"], SEED)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, world) -> Path:
    out = tmp_path_factory.mktemp("imss_a")
    ticks: list[str] = []
    written = imss.write(world, out, ticks.append)
    assert len(written) == len(ticks) == imss.expected_files(world)
    return out


def _period(digits: str) -> tuple[int, int]:
    assert digits.endswith("31")
    body = digits[:-2]
    return int(body[:4]), int(body[4:])


def _files(demo: Path, kind: str) -> dict[tuple[int, int], Path]:
    out = {}
    for p in (demo / "imss" / kind).iterdir():
        m = NAME.match(p.name)
        assert m, p.name
        key = _period(m.group(2))
        assert key not in out, f"dos archivos para {key}"
        out[key] = p
    return out


def _read(path: Path) -> pd.DataFrame:
    """Read a month the way a loader would: unpack, detect delimiter and encoding."""
    if path.name.endswith(".gz"):
        raw = gzip.open(path).read()
    elif path.suffix == ".7z":
        with py7zr.SevenZipFile(path) as z:
            names = z.getnames()
            assert names == [path.name.replace(".7z", ".tab")]
            target = path.parent / "_x"
            z.extractall(target)
        raw = (target / names[0]).read_bytes()
        for f in target.iterdir():
            f.unlink()
        target.rmdir()
    else:
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if path.suffix == ".csv":
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)


@pytest.fixture(scope="module")
def latest(demo) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = _files(demo, "puestos")
    return _read(p[(2026, 8)]), _read(p[(2026, 9)])


def test_names_and_periods(demo, world):
    patrones, puestos = _files(demo, "patrones"), _files(demo, "puestos")
    months = {(y, m) for y, m, _ in imss_months(world.scale)}
    assert set(puestos) == months
    assert set(patrones) == months | {PERIODS.imss_patrones_sin_puestos}
    digits = [NAME.match(p.name).group(2) for p in list(patrones.values()) + list(puestos.values())]
    assert any(len(d) == 7 for d in digits) and any(len(d) == 8 and d[4] == "0" for d in digits)
    assert "PATRONES_STPS_20221031.csv" in {p.name for p in patrones.values()}
    exts = {p.name.split(".", 1)[1] for p in puestos.values()}
    assert exts == {"tab", "tab.gz", "7z", "csv"}
    for y, m in PERIODS.imss_meses_recientes:
        assert puestos[(y, m)].suffix == ".tab" and patrones[(y, m)].suffix == ".tab"
    riesgos = sorted(p.name for p in (demo / "imss" / "riesgos").iterdir())
    assert riesgos == sorted(f"STPS_{y}{m:02d}31.xlsx" for y, m in PERIODS.riesgos_cortes)


def test_compressed_files_are_standard(demo):
    gz = [p for p in (demo / "imss" / "puestos").iterdir() if p.name.endswith(".gz")]
    assert gz and gzip.open(gz[0]).read(12) == b"cve_patronal"
    assert gz[0].read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0
    sz = [p for p in (demo / "imss" / "patrones").iterdir() if p.suffix == ".7z"]
    with py7zr.SevenZipFile(sz[0]) as z:
        assert z.getnames() == [sz[0].stem + ".tab"]


def test_field_names_change_in_2022_and_counts_match(demo, world):
    patrones, puestos = _files(demo, "patrones"), _files(demo, "puestos")
    regs = registro_strings(world).astype(str)
    hist = set(regs[world.registros.en_historia])
    for key in sorted(puestos):
        pat, pue = _read(patrones[key]), _read(puestos[key])
        campo = "cve_patronal" if key[0] < 2022 else "cve_registro"
        assert pat.columns[0] == campo and pue.columns[0] == campo, key
        assert list(pue.columns[1:]) == ["nss", "curp", "sbc", "tipo_trabajador", "rango_edad", "rango_uma"]
        counts = pue.groupby(campo).size()
        num = pat.set_index(campo)["num_puestos"].astype(int)
        assert num.index.is_unique
        assert counts.reindex(num.index).fillna(0).astype(int).equals(num), key
        assert set(counts.index) == set(num.index)
        if key in PERIODS.imss_meses_recientes:
            assert len(pat) == len(regs)
        else:
            assert set(num.index) <= hist
        assert not pue.duplicated(["nss", campo]).any()


def test_latest_month_matches_world_and_patrones_columns(demo, world):
    pat = _read(_files(demo, "patrones")[(2026, 9)])
    regs = registro_strings(world).astype(str)
    num = pat.set_index("cve_registro")["num_puestos"].astype(int).reindex(regs)
    assert (num.to_numpy() == world.registros.n_trabajadores).all()
    assert list(pat.columns) == [
        "cve_registro",
        "razon_social",
        "cve_delegacion",
        "cve_subdelegacion",
        "cve_municipio",
        "codigo_postal",
        "sector_economico_1",
        "sector_economico_2",
        "sector_economico_4",
        "clase_riesgo",
        "tamano_patron",
        "num_puestos",
    ]
    assert set(pat["clase_riesgo"]) <= {"I", "II", "III", "IV", "V"}
    assert set(pat["tamano_patron"]) <= {f"S{k}" for k in range(1, 8)}
    assert pat["razon_social"].str.contains(",").any() and pat["razon_social"].str.contains("S.A. DE C.V.").any()
    assert pat["razon_social"].str.contains("[ÁÉÍÓÚÑ]").any()
    codes = set(catalogs.seed("imss_municipios_inegi")["cve_municipio_imss"])
    assert set(pat["cve_municipio"]) <= codes
    fr = set(catalogs.seed("imss_fraccion")["sector_economico_4_4_pos"].astype(int).astype(str))
    assert set(pat["sector_economico_4"]) <= fr
    oct_ = _read(_files(demo, "patrones")[PERIODS.imss_patrones_sin_puestos])
    assert len(oct_) == len(regs)


def test_csv_month_quotes_commas_and_legacy_quirks(demo):
    path = _files(demo, "patrones")[(2022, 10)]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len({len(r) for r in rows}) == 1
    assert any("," in r[1] for r in rows[1:])
    assert '"' in path.read_text(encoding="utf-8")
    old = _files(demo, "patrones")[(2019, 11)].read_bytes()
    assert b"\r\n" in old
    with pytest.raises(UnicodeDecodeError):
        old.decode("utf-8")  # Latin-1 company names


def test_ids_valid_and_sex_from_curp(latest, world):
    pue = latest[1]
    assert nss_validos(pue["nss"].to_numpy()).all()
    curps = pue.loc[pue["curp"] != "", "curp"]
    assert all(curp_valida(c) for c in curps)
    assert all(registro_valido(r) for r in pue["cve_registro"].unique())
    sexo = curps.str[10]
    assert set(sexo) == {"H", "M"}
    assert 0.25 < (sexo == "M").mean() < 0.5
    assert "sexo" not in pue.columns


def test_missing_curp_recoverable_and_some_never(latest):
    pue = pd.concat(latest)
    has = pue.loc[pue["curp"] != "", ["nss", "curp"]].drop_duplicates()
    assert not has["nss"].duplicated().any()  # one CURP per NSS
    empty = pue.loc[pue["curp"] == "", "nss"]
    recoverable = empty.isin(has["nss"])
    assert 0.005 < len(empty) / len(pue) < 0.05
    assert recoverable.sum() > 0.5 * len(empty)
    assert (~recoverable).sum() > 0  # some NSS have no CURP anywhere
    month = latest[1]
    two = month.groupby("nss")["cve_registro"].nunique()
    assert 0.005 < (two > 1).mean() < 0.06  # a few % hold two jobs
    both = month[month["nss"].isin(two[two > 1].index)]
    mixed = both.groupby("nss")["curp"].agg(lambda s: (s == "").any() and (s != "").any())
    assert mixed.any()  # recoverable within the same month


def test_turnover_realistic_and_driven_by_calidad(latest, world):
    prev, cur = latest
    a = set(zip(prev["cve_registro"], prev["nss"]))
    b = set(zip(cur["cve_registro"], cur["nss"]))
    altas = pd.Series([r for r, _ in b - a]).value_counts()
    bajas = pd.Series([r for r, _ in a - b]).value_counts()
    n_prev = prev.groupby("cve_registro").size()
    assert 0.02 < altas.sum() / len(prev) < 0.10
    assert 0.02 < bajas.sum() / len(prev) < 0.10
    regs = registro_strings(world).astype(str)
    cal = pd.Series(world.registros.calidad, index=regs).reindex(n_prev.index)
    rot = altas.reindex(n_prev.index).fillna(0) + bajas.reindex(n_prev.index).fillna(0)
    low, high = cal <= cal.quantile(0.25), cal >= cal.quantile(0.75)
    assert rot[low].sum() / n_prev[low].sum() > 1.8 * rot[high].sum() / n_prev[high].sum()


def test_wages_near_zone_minimum(demo, latest, world):
    pue = latest[1]
    pat = _read(_files(demo, "patrones")[(2026, 9)])
    sbc = pue["sbc"].astype(float)
    assert pue["sbc"].str.fullmatch(r"\d+\.\d{2}").all()
    regs = registro_strings(world).astype(str)
    cvegeo = pd.Series(world.cvegeo(world.registros.municipio), index=regs)
    frontera = cvegeo.reindex(pue["cve_registro"]).isin(catalogs.zlfn_cvegeo()).to_numpy()
    minimo = np.where(frontera, catalogs.salario_minimo(2026, 9, True), catalogs.salario_minimo(2026, 9, False))
    ratio = sbc.to_numpy() / minimo
    assert (ratio < 0.999).mean() < 0.01  # a few capture errors only
    assert 0.1 < (ratio <= 1.05).mean() < 0.6
    assert 1.2 < np.median(ratio) < 3.0
    assert frontera.any() and np.min(ratio[frontera & (ratio >= 0.999)]) >= 0.999
    cal = pd.Series(world.registros.calidad, index=regs).reindex(pue["cve_registro"]).to_numpy()
    low, high = cal <= np.quantile(cal, 0.25), cal >= np.quantile(cal, 0.75)
    assert (ratio[low] <= 1.05).mean() > 2 * (ratio[high] <= 1.05).mean()
    mujer = (pue["curp"].str[10] == "M").to_numpy()
    hombre = (pue["curp"].str[10] == "H").to_numpy()
    assert sbc[mujer].mean() < sbc[hombre].mean()
    assert len(pat) > 0


def test_riesgos_cumulative_and_valid(demo):
    folder = demo / "imss" / "riesgos"

    def rows(name):
        ws = openpyxl.load_workbook(folder / name, read_only=True).active
        data = list(ws.iter_rows(values_only=True))
        return data[0], data[1:]

    for y in (2021, 2026):
        head3, mar = rows(f"STPS_{y}0331.xlsx")
        head9, sep = rows(f"STPS_{y}0931.xlsx")
        assert head3 == head9 and head9[0] == ("cve_patronal" if y < 2022 else "cve_registro")
        assert 0 < len(mar) < len(sep)
        assert set(mar) <= set(sep)
        df = pd.DataFrame(sep, columns=head9)
        assert set(df["tipo_riesgo"]) <= {1, 2, 3} and set(df["consecuencia"]) <= {0, 1, 2, 3, 4}
        assert (df["dias_subsidiados"] >= 0).all()
        assert (df["fecha_inicio"].dt.year == y).all() and (df["fecha_alta"] < f"{y}-10-01").all()
        assert nss_validos(df["nss"].to_numpy()).all()


def test_deterministic(demo, world, tmp_path):
    again = tmp_path / "b"
    imss.write(World(SCALES["tiny"], SEED), again, lambda _f: None)
    other = tmp_path / "c"
    imss.write(World(SCALES["tiny"], SEED + 1), other, lambda _f: None)

    def digests(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    a, b, c = digests(demo), digests(again), digests(other)
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[k] != c[k] for k in a)


def test_fraccion_seed_maps_all_to_scian():
    seed = catalogs.seed("imss_fraccion_scian2018")
    frac = catalogs.seed("imss_fraccion")["sector_economico_4_4_pos"].str.zfill(4)
    assert len(seed) == 276 and seed["fraccion"].is_unique
    assert set(seed["fraccion"]) == set(frac)
    assert seed["fraccion"].str.fullmatch(r"\d{4}").all()
    subs = catalogs.subsectores_scian().set_index("scian2018_3")["scian2018_2"]
    assert seed["scian2018_3"].isin(subs.index).all()
    assert (subs.reindex(seed["scian2018_3"]).to_numpy() == seed["scian2018_2"].to_numpy()).all()
    assert (seed["criterio"].str.len() > 3).all()
    assert seed["scian2018_2"].nunique() >= 18


def test_riesgos_rate_driven_by_calidad_and_class(demo, world):
    frames = []
    for y in range(2019, 2027):
        ws = openpyxl.load_workbook(demo / "imss" / "riesgos" / f"STPS_{y}0931.xlsx", read_only=True).active
        data = list(ws.iter_rows(values_only=True))
        frames.append(pd.DataFrame(data[1:], columns=["registro", *data[0][1:]]))
    r = pd.concat(frames)
    regs = registro_strings(world).astype(str)
    por_registro = r.groupby("registro").size().reindex(regs).fillna(0).to_numpy()
    tasa = por_registro / world.registros.n_trabajadores
    cal, clase = world.registros.calidad, world.registros.clase_riesgo
    n = world.registros.n_trabajadores
    low, high = cal <= np.quantile(cal, 0.25), cal >= np.quantile(cal, 0.75)
    assert por_registro[low].sum() / n[low].sum() > 1.5 * por_registro[high].sum() / n[high].sum()
    assert por_registro[clase >= 4].sum() / n[clase >= 4].sum() > por_registro[clase <= 2].sum() / n[clase <= 2].sum()
    assert 0.005 < por_registro.sum() / n.sum() / 8 < 0.05  # about 2-3 risks per 100 insured a year
    assert np.isfinite(tasa).all()
