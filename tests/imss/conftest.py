"""Hand-made IMSS warehouses: raw tables shaped like the loader's, filled with a few employers whose
indicator values the tests work out by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

RAW_DDL = """
create schema if not exists raw;
create table raw.imss_patrones (
    cve_registro varchar, razon_social varchar, cve_delegacion varchar, cve_subdelegacion varchar,
    cve_municipio varchar, codigo_postal varchar, sector_economico_1 varchar, sector_economico_2 varchar,
    sector_economico_4 varchar, clase_riesgo varchar, tamano_patron varchar, num_puestos varchar,
    periodo date, archivo varchar, cargado_en timestamp);
create table raw.imss_puestos (
    cve_registro varchar, sbc varchar, tipo_trabajador varchar, rango_edad varchar, rango_uma varchar,
    nss_hash varchar, curp_hash varchar, sexo tinyint, curp_completada boolean, periodo date,
    archivo varchar, cargado_en timestamp);
create table raw.imss_riesgos (
    cve_registro varchar, fecha_inicio varchar, tipo_riesgo varchar, consecuencia varchar,
    dias_subsidiados varchar, porcentaje_incapacidad varchar, fecha_alta varchar, cve_delegacion varchar,
    cve_subdelegacion varchar, cve_municipio varchar, sector_economico_4 varchar, clase_riesgo varchar,
    nss_hash varchar, anio integer, periodo date, archivo varchar, cargado_en timestamp);
create table raw.censo_c3 (
    entidad varchar, etiq_entidad varchar, municipio varchar, etiq_municipio varchar, scian2dgts varchar,
    etiq_scian2dgts varchar, ct3_po varchar, ct3_remunerado varchar, ct3_otra_razon varchar,
    ct3_est_informales varchar, ue varchar, total_ocupado varchar, total_otra_rs varchar, periodo varchar,
    archivo varchar, cargado_en timestamp);
"""

# registro -> (IMSS municipality code, delegación, fracción as IMSS writes it: no leading zero)
REGISTROS = {
    "R1TIJUANA01": ("A08", "2", "3401"),  # Tijuana 02004: ZLFN, urban area ZM Tijuana, SCIAN 331 (sector 31)
    "R2AGUASCA01": ("A01", "1", "3401"),  # Aguascalientes 01001: general zone, its own urban area
    "R3ROSARIT01": ("Y94", "2", "3401"),  # Playas de Rosarito 02005: ZLFN, also ZM Tijuana
}


def create_raw(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db))
    con.execute(RAW_DDL)
    return con


def add_month(
    con,
    periodo: date,
    puestos: dict[str, list[tuple]],
    cargado_en: datetime,
    patrones_extra: dict[str, int] | None = None,
) -> None:
    """One month of patrones and puestos. puestos: registro -> [(nss, sexo, sbc, curp_completada)]."""
    for registro, (mun, deleg, fraccion) in REGISTROS.items():
        rows = puestos.get(registro, [])
        num = len(rows) if patrones_extra is None or registro not in patrones_extra else patrones_extra[registro]
        con.execute(
            "insert into raw.imss_patrones values (?, 'PATRÓN, S.A.', ?, '01', ?, '00000', '3', '34', ?, 'II', 's2', ?, ?, 'x.tab', ?)",
            [registro, deleg, mun, fraccion, str(num), periodo, cargado_en],
        )
        for nss, sexo, sbc, completada in rows:
            con.execute(
                "insert into raw.imss_puestos values (?, ?, '1', 'E5', 'W3', ?, ?, ?, ?, ?, 'x.tab', ?)",
                [
                    registro,
                    f"{sbc:.2f}",
                    "nss-" + nss,
                    None if sexo is None else "curp-" + nss,
                    sexo,
                    completada,
                    periodo,
                    cargado_en,
                ],
            )


def add_riesgo(con, registro: str, anio: int, corte: date, dias: int, n: int = 1) -> None:
    for i in range(n):
        con.execute(
            "insert into raw.imss_riesgos values (?, ?, '1', '1', ?, '0', null, '1', '01', 'A01', '3401', '2', ?, ?, ?, 'x.xlsx', ?)",
            [
                registro,
                f"{anio}-01-0{i + 1}T00:00:00",
                str(dias),
                f"nss-acc-{registro}-{i}",
                anio,
                corte,
                datetime(2026, 4, 1),
            ],
        )
