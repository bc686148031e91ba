"""Recompute ENOE estimates and CVs with an independent numpy implementation, straight from the raw
tables (its own recoding, join and design), and compare with int_enoe__indicadores to 1e-9 relative.

The variance is computed the textbook way, not the SQL way: a full PSU-by-stratum matrix of linearised
totals (zeros for PSUs without domain persons), centred on each stratum mean, times n_h / (n_h - 1);
single-PSU strata centred on the grand mean of all PSU totals (R survey's lonely.psu = "adjust").
The design (strata and their PSUs) is read from every raw SDEM row of the quarter, before the universe
filters (DOMAIN.md: never filter the sample before the design); the estimates use the universe only."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

REL = 1e-9
LLAVES = ["periodo", "ent", "cd_a", "con", "v_sel", "n_hog", "h_mud", "n_ren", "tipo", "mes_cal"]


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.astype("string").str.strip().replace("", pd.NA), errors="coerce")


def _muestra(con: duckdb.DuckDBPyConnection, periodo: str) -> pd.DataFrame:
    """The survey universe of a quarter with the recoded variables, built from raw with pandas; its
    `attrs["diseno"]` is the sample design, every (stratum, PSU) of ALL the quarter's SDEM rows."""
    sdem = con.execute("select * from raw.enoe_sdem where periodo = ?", [periodo]).df()
    coe1 = con.execute("select * from raw.enoe_coe1 where periodo = ?", [periodo]).df()
    for df in (sdem, coe1):
        for c in ["tipo", "mes_cal"]:
            if c not in df:
                df[c] = ""
        for c in LLAVES:
            df[c] = df[c].astype("string").fillna("").str.strip()
        df["ent"] = df["ent"].str.zfill(2)
    q1 = periodo.endswith("T1")
    clasica = periodo <= "2020T1"
    sdem["w"] = sdem["fac" if clasica else "fac_tri"].astype(float)
    estrato = sdem["est_d" if clasica else "est_d_tri"].astype("string").str.strip().replace("", pd.NA)
    sdem["h"] = sdem["ent"] + "-" + estrato
    sdem["psu"] = sdem["upm"].astype("string").str.strip().replace("", pd.NA)
    diseno = sdem.loc[sdem["h"].notna() & sdem["psu"].notna(), ["h", "psu"]]
    diseno = pd.MultiIndex.from_frame(diseno.drop_duplicates())
    u = sdem[(_num(sdem["r_def"]) == 0) & _num(sdem["c_res"]).isin([1, 3]) & _num(sdem["eda"]).between(15, 98)].copy()
    coe1["contrato"] = _num(coe1["p3j" if q1 else "p3i"])
    u = u.merge(coe1[LLAVES + ["contrato"]], on=LLAVES, how="left", validate="one_to_one")
    u["objetivo"] = (u["clase2"] == 1) & (u["pos_ocu"] == 1)
    u["seg_soc_v"] = u["seg_soc"].map({1: 1.0, 2: 0.0})
    u["contrato_v"] = u["contrato"].map({1: 1.0, 2: 0.0})
    u["ing"] = np.where(u["ingocup"] > 0, u["ingocup"].astype(float), np.nan)
    u["sexo"] = _num(u["sex"])
    u = u.reset_index(drop=True)
    u.attrs["diseno"] = diseno
    return u


def _varianza(z: np.ndarray, estrato: np.ndarray, psu: np.ndarray, diseno: pd.MultiIndex) -> float:
    """V = sum_h n_h/(n_h-1) sum_i (z_hi - mean_h)^2; lonely strata: (z_h1 - grand mean)^2. The PSU
    totals cover every PSU of the design (zeros for PSUs without universe persons)."""
    tot = pd.Series(z).groupby([estrato, psu]).sum()
    assert tot.index.isin(diseno).all()
    tot = tot.reindex(diseno, fill_value=0.0)  # every PSU of the sample (zeros included)
    grand = tot.mean()
    v = 0.0
    for _, t in tot.groupby(level=0):
        x = t.to_numpy()
        if len(x) > 1:
            v += len(x) / (len(x) - 1) * ((x - x.mean()) ** 2).sum()
        else:
            v += (x[0] - grand) ** 2
    return float(v)


def _media(u: pd.DataFrame, var: str, dominio: np.ndarray) -> tuple[float, float]:
    d = dominio & u[var].notna().to_numpy() & u["objetivo"].to_numpy()
    w, y = u["w"].to_numpy(), u[var].fillna(0).to_numpy()
    X = (w * d).sum()
    R = (w * y * d).sum() / X
    z = d * w * (y - R) / X
    v = _varianza(z, u["h"].to_numpy(), u["psu"].to_numpy(), u.attrs["diseno"])
    return R, 100 * np.sqrt(v) / abs(R)


def _brecha(u: pd.DataFrame, dominio: np.ndarray) -> tuple[float, float]:
    base = dominio & u["objetivo"].to_numpy() & u["ing"].notna().to_numpy()
    iw = base & (u["sexo"] == 2).to_numpy()
    im = base & (u["sexo"] == 1).to_numpy()
    w, y = u["w"].to_numpy(), u["ing"].fillna(0).to_numpy()
    Yw, Ym = (w * y * iw).sum(), (w * y * im).sum()
    Rw, Rm = Yw / (w * iw).sum(), Ym / (w * im).sum()
    G = Rw / Rm
    z = G * (iw * w * (y - Rw) / Yw - im * w * (y - Rm) / Ym)
    v = _varianza(z, u["h"].to_numpy(), u["psu"].to_numpy(), u.attrs["diseno"])
    return G, 100 * np.sqrt(v) / abs(G)


@pytest.mark.parametrize("periodo", ["2026T3", "2026T1", "2019T1"])
def test_estimaciones_nacionales_y_estatales_coinciden(enoe_built, periodo):
    db, _ = enoe_built
    con = duckdb.connect(str(db), read_only=True)
    u = _muestra(con, periodo)
    sql = con.execute(
        "select indicador, coalesce(geo2, '00') as geo2, valor, cv from intermediate.int_enoe__indicadores "
        "where periodo = ? and agregacion in ('0_geo0', '1_geo2')",
        [periodo],
    ).df()
    con.close()
    sql = sql.set_index(["indicador", "geo2"])
    comparados = 0
    todos = np.ones(len(u), dtype=bool)
    estados = sorted(u["ent"].unique())
    for geo2 in ["00"] + estados:
        dom = todos if geo2 == "00" else (u["ent"] == geo2).to_numpy()
        esperado = {
            "seg_soc": _media(u, "seg_soc_v", dom),
            "contrato_escrito": _media(u, "contrato_v", dom),
            "ing_x_mes": _media(u, "ing", dom),
            "brecha_gen": _brecha(u, dom),
        }
        for ind, (valor, cv) in esperado.items():
            if ind != "brecha_gen" and valor in (0.0, 1.0):
                assert (ind, geo2) not in sql.index  # means of exactly 0 or 1 are dropped
                continue
            fila = sql.loc[(ind, geo2)]
            assert fila["valor"] == pytest.approx(valor, rel=REL), (ind, geo2)
            assert fila["cv"] == pytest.approx(cv, rel=REL), (ind, geo2)
            comparados += 1
    # National + 32 states for four indicators (minus the few dropped 0/1 shares).
    assert comparados >= 4 * 30
