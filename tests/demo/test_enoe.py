"""ENOE generator (tiny scale): file names, formats, variables per edition and quarter, survey design,
keys, non-response codes, realism against INEGI's 2023 Q1 state rates, determinism."""

from __future__ import annotations

import csv
import datetime as dt
import functools
from pathlib import Path

import dbfread
import numpy as np
import pandas as pd
import pytest

from sidil.demo import catalogs, enoe
from sidil.demo.scales import PERIODS, SCALES
from sidil.demo.world import World


def _generar(tmp_path_factory, seed: int, nombre: str):
    out = tmp_path_factory.mktemp(nombre)
    ticks: list[str] = []
    world = World(SCALES["tiny"], seed)
    files = enoe.write(world, out, ticks.append)
    return out / "enoe", files, ticks, world


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return _generar(tmp_path_factory, 11, "enoe_a")


def _leer(path) -> pd.DataFrame:
    return _leer_cache(str(path)).copy()


@functools.lru_cache(maxsize=None)
def _leer_cache(ruta: str) -> pd.DataFrame:
    """A table as INEGI's users read it: DBF with dbfread, CSV with the csv module (latin-1)."""
    path = Path(ruta)
    if path.suffix == ".csv":
        with open(path, newline="", encoding="latin-1") as fh:
            df = pd.DataFrame(list(csv.DictReader(fh)))
    else:
        df = pd.DataFrame(iter(dbfread.DBF(path)))
    df.columns = [c.lower() for c in df.columns]
    return df


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", np.nan), errors="coerce")


def _llaves(df: pd.DataFrame) -> list[str]:
    ent = "cve_ent" if "cve_ent" in df else "ent"
    extra = ["tipo", "mes_cal"] if "tipo" in df else []
    return ["cd_a", ent, "con", "v_sel", *extra, "n_hog", "h_mud", "n_ren"]


def test_names_per_period_style(demo):
    carpeta, files, ticks, world = demo
    esperados = set()
    for anio, trim in PERIODS.enoe_trimestres:
        yy = f"{anio % 100:02d}"
        for t in ("SDEM", "COE1", "COE2"):
            if (anio, trim) == PERIODS.enoe_trimestre_csv:
                esperados.add(f"conjunto_de_datos_{t.lower()}_enoe_{anio}_{trim}t.csv")
            elif (anio, trim) <= (2020, 1):
                esperados.add(f"{t}T{trim}{yy}.dbf")
            else:
                esperados.add(f"ENOEN_{t}T{trim}{yy}.dbf")
    assert {p.name for p in files} == esperados == {p.name for p in carpeta.iterdir()}
    assert "SDEMT112.dbf" in esperados and "ENOEN_COE1T326.dbf" in esperados
    assert "conjunto_de_datos_sdem_enoe_2024_1t.csv" in esperados and "ENOEN_SDEMT124.dbf" not in esperados
    assert sorted(ticks) == sorted(esperados) and enoe.expected_files(world) == len(files) == 51


def test_every_file_opens_with_ordinary_readers(demo):
    carpeta, files, _, _ = demo
    for p in files:
        if p.suffix == ".dbf":
            t = dbfread.DBF(p)
            assert t.encoding == "cp1252" and all(n == n.upper() for n in t.field_names)
            assert t.date == enoe.fecha_publicacion(int("20" + p.stem[-2:]), int(p.stem[-3]))
            df = _leer(p)  # reads every record (cached for the other tests)
            assert list(df.columns) == [n.lower() for n in t.field_names] and len(df) == len(t) > 500
        else:
            raw = p.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf")
            with open(p, newline="", encoding="latin-1") as fh:
                rows = list(csv.reader(fh))
            assert rows[0] == [c.lower() for c in rows[0]] and len(rows) > 500
            assert len({len(r) for r in rows}) == 1


def test_latin1_text_in_dbf_and_csv(demo):
    carpeta, _, _, _ = demo
    sdem = _leer(carpeta / "ENOEN_SDEMT123.dbf")
    assert sdem["nom_mun"].map(lambda s: not s.isascii()).any()
    raw = (carpeta / "conjunto_de_datos_sdem_enoe_2024_1t.csv").read_bytes()
    assert any(b > 0x7F for b in raw)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    csv_df = _leer(carpeta / "conjunto_de_datos_sdem_enoe_2024_1t.csv")
    assert csv_df["nom_mun"].isin(catalogs.municipios()["nom_mun"]).all()


def test_classic_vs_enoen_variables(demo):
    carpeta, _, _, _ = demo
    clasica = dbfread.DBF(carpeta / "SDEMT116.dbf").field_names
    nueva = dbfread.DBF(carpeta / "ENOEN_SDEMT123.dbf").field_names
    for v in ("FAC", "EST_D", "T_LOC", "PER", "ENT", "UPM"):
        assert v in clasica
    for v in ("FAC_TRI", "EST_D_TRI", "TIPO", "MES_CAL"):
        assert v not in clasica and v in nueva
    assert "FAC" not in nueva and "EST_D" not in nueva
    coe = dbfread.DBF(carpeta / "ENOEN_COE2T122.dbf").field_names
    assert {"FAC_TRI", "TIPO", "MES_CAL", "UPM", "P6B2"} <= set(coe)
    csv_cols = _leer(carpeta / "conjunto_de_datos_coe1_enoe_2024_1t.csv").columns
    assert {"fac_tri", "tipo", "mes_cal", "p3q", "p5c_thrs"} <= set(csv_cols)


def test_first_quarter_extended_questionnaire(demo):
    carpeta, _, _, _ = demo
    q1 = _leer(carpeta / "ENOEN_COE1T126.dbf")
    q2 = _leer(carpeta / "ENOEN_COE1T226.dbf")
    for v in ("p3i", "p3j", "p3k1", "p3q", "p5c_tdia", "p5c_thrs"):
        assert v in q1
    for v in ("p3q", "p3j", "p5c_thrs", "p5b_thrs", "p3l"):
        assert (v in q2) == (v in ("p5b_thrs", "p3l"))
    assert {"p3i", "p3j1", "p3l", "p5b_tdia", "p5b_thrs"} <= set(q2.columns)
    # Same name, different meaning: Q1 p3i is union membership (few), Q2 p3i a written contract.
    sindicato = (q1["p3i"] == "1").sum() / q1["p3i"].isin(["1", "2"]).sum()
    contrato_q2 = (q2["p3i"] == "1").sum() / q2["p3i"].isin(["1", "2"]).sum()
    contrato_q1 = (q1["p3j"] == "1").sum() / q1["p3j"].isin(["1", "2"]).sum()
    assert sindicato < 0.3 < contrato_q1 and contrato_q2 > 0.3
    # Contract type only for those with a written contract; codes 1 temporary / 2 base (9 n/s).
    assert set(q1.loc[q1["p3k1"] != "", "p3j"]) == {"1"}
    assert set(q2.loc[q2["p3j1"] != "", "p3i"]) == {"1"}
    assert set(q2["p3j1"]) <= {"", "1", "2", "9"}
    horas = _num(q1["p5c_thrs"]).dropna()
    assert horas.between(0, 168).mean() > 0.99 and set(horas[horas > 168]) <= {999}


def test_cve_ent_from_2025(demo):
    carpeta, _, _, _ = demo
    for nombre in ("ENOEN_SDEMT125.dbf", "ENOEN_COE1T126.dbf", "ENOEN_COE2T326.dbf"):
        campos = dbfread.DBF(carpeta / nombre).field_names
        assert "CVE_ENT" in campos and "ENT" not in campos
    for nombre in ("ENOEN_SDEMT123.dbf", "SDEMT120.dbf"):
        campos = dbfread.DBF(carpeta / nombre).field_names
        assert "ENT" in campos and "CVE_ENT" not in campos
    assert "ent" in _leer(carpeta / "conjunto_de_datos_coe2_enoe_2024_1t.csv")


@pytest.mark.parametrize(
    "nombre,estrato,peso", [("SDEMT114.dbf", "est_d", "fac"), ("ENOEN_SDEMT126.dbf", "est_d_tri", "fac_tri")]
)
def test_design_is_valid(demo, nombre, estrato, peso):
    carpeta, _, _, _ = demo
    s = _leer(carpeta / nombre)
    ent = "cve_ent" if "cve_ent" in s else "ent"
    d = s[[ent, estrato, "upm"]].drop_duplicates()
    assert d.groupby("upm")[estrato].nunique().max() == 1  # every PSU in one stratum
    assert d.groupby(estrato)[ent].nunique().max() == 1  # strata nested in states
    assert d[ent].nunique() == 32
    upm_por_estrato = d.groupby(estrato)["upm"].nunique()
    assert (upm_por_estrato >= 2).mean() >= 0.85 and upm_por_estrato.max() >= SCALES["tiny"].enoe_upm_por_estrato
    w = _num(s[peso])
    assert (w > 0).all() and w.nunique() > 50
    # Weights vary by stratum and within strata (households), and expand to Mexico's population.
    assert s.assign(w=w).groupby(estrato)["w"].nunique().max() > 1
    assert 110e6 < w.sum() < 140e6


def test_keys_unique_and_coe_rows_have_their_person(demo):
    carpeta, _, _, _ = demo
    for anio, trim in [(2013, 1), (2024, 1), (2026, 2)]:
        s = _leer(carpeta / enoe.nombre_archivo("sdem", anio, trim))
        llaves = _llaves(s)
        assert not s.duplicated(llaves).any()
        universo = (s["r_def"] == "00") & s["c_res"].isin(["1", "3"]) & _num(s["eda"]).between(15, 98)
        for t in ("coe1", "coe2"):
            c = _leer(carpeta / enoe.nombre_archivo(t, anio, trim))
            assert not c.duplicated(llaves).any()
            m = c[llaves].merge(s[llaves + ["eda"]], on=llaves, how="left", indicator=True)
            assert (m["_merge"] == "both").all()
            assert len(c) == universo.sum()


@functools.lru_cache(maxsize=None)
def _todas_sdem(carpeta) -> pd.DataFrame:
    partes = []
    for anio, trim in PERIODS.enoe_trimestres:
        s = _leer(carpeta / enoe.nombre_archivo("sdem", anio, trim))
        s = s.rename(columns={"cve_ent": "ent", "fac_tri": "fac"})
        partes.append(
            s[
                [
                    "ent",
                    "eda",
                    "c_res",
                    "r_def",
                    "clase1",
                    "clase2",
                    "pos_ocu",
                    "seg_soc",
                    "pre_asa",
                    "ing7c",
                    "emp_ppal",
                    "fac",
                    "hrsocup",
                    "ingocup",
                    "tip_con",
                ]
            ].assign(anio=anio)
        )
    return pd.concat(partes, ignore_index=True)


def test_non_response_codes_present(demo):
    carpeta, _, _, _ = demo
    s = _todas_sdem(carpeta)
    ocupado = _num(s["clase2"]) == 1
    assert (s["eda"] == "98").any()
    assert {"2", "3"} <= set(s["c_res"]) and (s["r_def"] != "00").any()
    assert (_num(s.loc[ocupado, "seg_soc"]) == 3).any()
    assert (_num(s.loc[ocupado, "pre_asa"]) == 3).any()
    assert {6, 7} <= set(_num(s.loc[ocupado, "ing7c"]))
    assert (ocupado & (_num(s["ingocup"]) == 0) & _num(s["ing7c"]).between(1, 5)).any()  # range only
    coe1 = pd.concat(
        [_leer(carpeta / enoe.nombre_archivo("coe1", a, t)) for a, t in PERIODS.enoe_trimestres if (a, t) >= (2021, 1)],
        ignore_index=True,
    )
    tam = pd.concat([coe1["p3q"], coe1["p3l"]]).dropna()
    assert {"12", "13", "14", "99"} <= set(tam) and set(tam) <= {""} | {f"{i:02d}" for i in range(1, 15)} | {"99"}
    assert "9" in set(coe1["p3j"].dropna()) and "9" in set(coe1.loc[coe1["p3l"].notna(), "p3i"])
    horas = pd.concat([_num(coe1[c]) for c in ("p5c_thrs", "p5b_thrs")])
    assert (horas == 999).any()
    coe2 = pd.concat([_leer(carpeta / enoe.nombre_archivo("coe2", a, t)) for a, t in PERIODS.enoe_trimestres])
    assert (_num(coe2["p6b2"]) == 999999).any() and "9" in set(coe2["p6c"])


def test_universe_codes_and_consistency(demo):
    carpeta, _, _, _ = demo
    s = _todas_sdem(carpeta)
    u = (s["r_def"] == "00") & s["c_res"].isin(["1", "3"]) & _num(s["eda"]).between(15, 98)
    assert set(_num(s.loc[u, "clase1"])) == {1, 2} and set(_num(s.loc[~u, "clase1"])) == {0}
    oc = _num(s["clase2"]) == 1
    assert set(_num(s.loc[oc, "pos_ocu"])) <= {1, 2, 3, 4, 5} and set(_num(s.loc[oc, "emp_ppal"])) == {1, 2}
    sub = oc & (_num(s["pos_ocu"]) == 1)
    # Paid subordinates with social security are formal; without it, informal.
    seg = _num(s.loc[sub, "seg_soc"])
    emp = _num(s.loc[sub, "emp_ppal"])
    assert ((seg == 1) == (emp == 2))[seg != 3].all()
    # Unpaid workers have no income; household income can be summed over all residents.
    assert (_num(s.loc[oc & (_num(s["pos_ocu"]) == 4), "ing7c"]) == 6).all()
    assert (_num(s.loc[~oc, "ingocup"]) == 0).all() and (_num(s.loc[~oc, "hrsocup"]) == 0).all()
    ing = _num(s.loc[sub & (_num(s["ingocup"]) > 0) & (s["anio"] == 2023), "ingocup"])
    assert 5_000 < ing.mean() < 15_000


def test_informality_by_state_matches_real(demo):
    carpeta, _, _, _ = demo
    s = _todas_sdem(carpeta)
    s = s[(s["anio"] >= 2019) & (_num(s["clase2"]) == 1)]
    w = _num(s["fac"])
    inf = (w * (_num(s["emp_ppal"]) == 1)).groupby(_num(s["ent"])).sum() / w.groupby(_num(s["ent"])).sum()
    real = catalogs.ilmm_estados().set_index("ent")["informales"].reindex(range(1, 33))
    assert np.corrcoef(inf.reindex(range(1, 33)).to_numpy(), real.to_numpy())[0, 1] > 0.75
    assert 0.45 < (w * (_num(s["emp_ppal"]) == 1)).sum() / w.sum() < 0.65


def test_job_quality_follows_area_effect(demo):
    carpeta, _, _, world = demo
    partes = []
    for anio, trim in PERIODS.enoe_trimestres:
        if (anio, trim) == PERIODS.enoe_trimestre_csv:
            continue
        c = _leer(carpeta / enoe.nombre_archivo("coe1", anio, trim))
        s = _leer(carpeta / enoe.nombre_archivo("sdem", anio, trim))
        m = c.merge(s, on=_llaves(s), suffixes=("", "_s"))
        partes.append(m.loc[_num(m["pos_ocu"]) == 1, ["p4a", "seg_soc"]])
    d = pd.concat(partes)
    sector = d["p4a"].str[:2].replace({"32": "31", "33": "31", "49": "48"})
    tasa = (_num(d["seg_soc"]) == 1).groupby(sector).mean()
    efecto = pd.Series(world.efecto_sector, index=world.sectores).reindex(tasa.index)
    assert np.corrcoef(tasa.to_numpy(), efecto.to_numpy())[0, 1] > 0.5
    # p4a is a 4-digit SCIAN rama coherent with the sector.
    ramas = set(catalogs.seed("scian2018").query("nivel == 'rama'")["codigo"])
    assert d["p4a"].isin(ramas).all()


def test_deterministic(demo, tmp_path_factory):
    carpeta, files, _, _ = demo
    otra, files2, _, _ = _generar(tmp_path_factory, 11, "enoe_b")
    for p in files:
        assert p.read_bytes() == (otra / p.name).read_bytes(), p.name
    distinta, _, _, _ = _generar(tmp_path_factory, 12, "enoe_c")
    for nombre in ("SDEMT112.dbf", "ENOEN_COE1T226.dbf", "conjunto_de_datos_sdem_enoe_2024_1t.csv"):
        assert (carpeta / nombre).read_bytes() != (distinta / nombre).read_bytes()


def test_header_date_fixed_by_quarter():
    assert enoe.fecha_publicacion(2023, 1) == dt.date(2023, 5, 15)
    assert enoe.fecha_publicacion(2026, 4) == dt.date(2027, 2, 15)
