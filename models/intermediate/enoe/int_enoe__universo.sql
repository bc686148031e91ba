{{ incremental_por_periodo(
    periodos_vigentes="select periodo from {{ ref('stg_enoe__sdem') }} where true {{ enoe_periodos_filtro() }}"
) }}
-- ENOE survey universe, one row per person and quarter, kept whole: complete interview (r_def = 0),
-- usual resident (c_res 1 or 3), age 15-98. It carries the design (peso, estrato, upm) for every person,
-- so variances are domain estimates over the full sample; `poblacion_objetivo` flags the SIDIL target
-- population (employed, clase2 = 1, and paid subordinate, pos_ocu = 1). SDEM joins COE1 on the ENOE keys
-- (classic: cd_a, ent, con, v_sel, n_hog, h_mud, n_ren; ENOE-N adds tipo and mes_cal).
-- All loaded quarters by default; the variable `enoe_periodos` (a list of 'YYYYTq') restricts them.
-- Incremental by quarter: a run recomputes only the quarters whose SDEM or COE1 was landed or replaced
-- since (insumo_cargado_en = the latest cargado_en of the quarter's SDEM and COE1 rows; COE2 feeds no
-- column here), and deletes the quarters whose SDEM is gone (or that enoe_periodos leaves out).
-- calculado_en = the run that computed the quarter: int_enoe__indicadores recomputes a quarter whose
-- calculado_en is newer than its own. The seeds behind staging's recodes are not watched here: after a
-- seed or code change the orchestrator (sidil/pipeline.py) runs this model with --full-refresh.
with

{{ trimestres_por_calcular() }},

sdem as (
    select
        periodo,
        anio,
        trimestre,
        {{ enoe_columnas_persona() }}
        geo2,
        peso,
        estrato,
        upm,
        sexo,
        eda,
        clase1,
        clase2,
        pos_ocu,
        seg_soc,
        presta_soc,
        hrs_trab,
        ing_x_mes,
        ing_x_hrs,
        ing_min,
        dur9c,
        tpg_p8a,
        remune2c,
        sub_o,
        tcco,
        emp_ppal,
        tue2,
    from {{ ref('stg_enoe__sdem') }}
    where r_def = 0
        and c_res in (1, 3)
        and eda between 15 and 98
        and periodo in (select periodo from trimestres)
),

coe1 as (
    select
        periodo,
        {{ enoe_columnas_persona() }}
        dias_trab,
        contrato_escrito,
        tipo_contrato,
        sindicato,
        cat_tamanio,
        scian2018_2,
        scian2018_3,
        scian_rama,
        scian_mapeo,
        p4d1,
        p4d2,
    from {{ ref('stg_enoe__coe1') }}
    where periodo in (select periodo from trimestres)
)

select
    sdem.periodo,
    sdem.anio,
    sdem.trimestre,
    sdem.periodo || '-' || sdem.ent || sdem.cd_a || sdem.con || sdem.v_sel || sdem.n_hog || sdem.h_mud
        || sdem.n_ren || sdem.tipo || sdem.mes_cal as persona_id,
    sdem.peso,
    sdem.estrato,
    sdem.upm,
    sdem.clase2 = 1 and sdem.pos_ocu = 1 as poblacion_objetivo,
    sdem.geo2,
    sdem.cd_a,
    coe1.scian2018_2,
    coe1.scian2018_3,
    -- The raw SCIAN-hogares code (p4a) and how it was mapped (stg_enoe__coe1: catalogo, prefijo,
    -- sin_mapear; NULL when blank), for the report of unmapped codes.
    coe1.scian_rama as p4a,
    coe1.scian_mapeo,
    coe1.cat_tamanio,
    sdem.sexo,
    sdem.eda,
    -- The eleven SIDIL variables (NULL = excluded from that indicator's domain).
    coe1.dias_trab,
    sdem.hrs_trab,
    sdem.presta_soc,
    sdem.seg_soc,
    coe1.contrato_escrito,
    coe1.tipo_contrato,
    sdem.ing_x_mes,
    sdem.ing_x_hrs,
    sdem.ing_min,
    coe1.sindicato,
    -- Classification variables of INEGI's complementary rates.
    sdem.clase1,
    sdem.clase2,
    sdem.pos_ocu,
    sdem.dur9c,
    sdem.tpg_p8a,
    sdem.remune2c,
    sdem.sub_o,
    sdem.tcco,
    sdem.emp_ppal,
    sdem.tue2,
    coe1.p4d1,
    coe1.p4d2,
    trimestres.insumo_cargado_en,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as calculado_en,
from sdem
inner join trimestres
    on sdem.periodo = trimestres.periodo
left join coe1
    on {{ enoe_misma_persona('sdem', 'coe1') }}
