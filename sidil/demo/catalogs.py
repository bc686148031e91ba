"""Read the project's seed catalogs (real INEGI/IMSS/CONASAMI data copied into seeds/) for the generator."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from settings import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=None)
def seed(name: str) -> pd.DataFrame:
    """A seed CSV as strings (codes keep their leading zeros)."""
    path = SEEDS_DIR / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"No se encontró el catálogo {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def municipios() -> pd.DataFrame:
    """INEGI municipalities with population, sorted by cvegeo."""
    df = seed("inegi_municipios").copy()
    df["poblacion_2020"] = pd.to_numeric(df["poblacion_2020"], errors="coerce").fillna(1000).astype("int64")
    return df.sort_values("cvegeo").reset_index(drop=True)


def subsectores_scian() -> pd.DataFrame:
    """SCIAN 2018 subsectors with their sector as SIDIL uses it (31-33 -> '31', 48-49 -> '48')."""
    df = seed("scian2018")
    sub = df[df["nivel"] == "subsector"][["codigo", "titulo"]].rename(columns={"codigo": "scian2018_3"})
    sub["scian2018_2"] = sub["scian2018_3"].str[:2].replace({"32": "31", "33": "31", "49": "48"})
    return sub.sort_values("scian2018_3").reset_index(drop=True)


def salario_minimo(anio: int, mes: int, frontera: bool) -> float:
    """Daily minimum wage in pesos in force in a month for a zone (the general zone before 2019)."""
    df = seed("salarios_minimos_diarios")
    k = df["anio"].astype(int) * 100 + df["mes"].astype(int)
    vigentes = df[k <= anio * 100 + mes].assign(k=k)
    for zona in (["frontera_norte"] if frontera else []) + ["general"]:
        z = vigentes[vigentes["zona"] == zona]
        if not z.empty:
            return float(z.sort_values("k").iloc[-1]["salario_diario"])
    raise ValueError(f"Sin salario mínimo para {anio}-{mes:02d}")


def zlfn_cvegeo() -> frozenset[str]:
    return frozenset(seed("zlfn_municipios")["cvegeo"])


def ilmm_estados() -> pd.DataFrame:
    """INEGI's 2023 Q1 labor indicators (estimates, est = 1) for the nation (ent 0) and the 32 states:
    participation (`pea`), employed share of the labor force (`ocupados`) and informality (`informales`).
    Real data (shared/data/real), used to make the synthetic ENOE realistic state by state."""
    df = pd.read_csv(DATA_DIR / "ilmm_2023t1_estados.csv")
    return df[df["est"] == 1].drop(columns=["mun", "est"]).reset_index(drop=True)
