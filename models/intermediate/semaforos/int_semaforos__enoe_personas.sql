{{ incremental_por_periodo(periodos_vigentes="select periodo from {{ ref('stg_enoe__sdem') }}") }}
-- ENOE persons of the Semáforos, one row per resident and quarter: every usual resident of a complete
-- interview (r_def = 0, c_res 1 or 3) of any age, because labor poverty divides a household's labor
-- income among all its members (int_enoe__universo keeps ages 15-98 only). COE1 (government employer,
-- industry) joins on the same ENOE keys as in int_enoe__universo.
-- ingreso_laboral: monthly labor income of the employed following CONEVAL's reconstruction for the ITLP-IS
-- (income by wage intervals): the declared amount; for those who only gave their income as a range of
-- minimum wages (ing7c 1-5 without an amount), the weighted mean amount declared by the employed of the
-- same state, quarter and range; 0 for the employed without income (ing7c = 6); NULL (unknown) when
-- neither the amount nor the range is known (ing7c = 7).
-- Incremental by quarter (a quarter's rows, wage-range means included, depend only on that quarter): a run
-- recomputes only the quarters whose SDEM or COE1 was landed or replaced since (insumo_cargado_en = the
-- latest cargado_en of the quarter's SDEM and COE1 rows) and deletes the quarters whose SDEM is gone. No
-- seed is read here; after a code change the orchestrator (sidil/pipeline.py) runs it with --full-refresh.
with

{{ trimestres_por_calcular(filtrar=false) }},

sdem as (
    select
        periodo,
        anio,
        trimestre,
        {{ enoe_columnas_persona() }}
        geo2,
        peso,
        eda,
        ur,
        clase1,
        clase2,
        pos_ocu,
        hrs_trab,
        emp_ppal,
        ing_x_mes,
        ing7c,
    from {{ ref('stg_enoe__sdem') }}
    where r_def = 0 and c_res in (1, 3)
        and periodo in (select periodo from trimestres)
),

coe1 as (
    select
        periodo,
        {{ enoe_columnas_persona() }}
        scian2018_2,
        scian2018_3,
        p4d1,
        p4d2,
    from {{ ref('stg_enoe__coe1') }}
    where periodo in (select periodo from trimestres)
),

personas as (
    select
        sdem.periodo,
        sdem.anio,
        sdem.trimestre,
        sdem.periodo || '-' || sdem.ent || sdem.cd_a || sdem.con || sdem.v_sel || sdem.n_hog || sdem.h_mud
            || sdem.tipo || sdem.mes_cal as hogar_id,
        sdem.n_ren,
        sdem.geo2,
        sdem.peso,
        sdem.eda,
        sdem.ur,
        sdem.clase1,
        sdem.clase2,
        sdem.pos_ocu,
        sdem.hrs_trab,
        sdem.emp_ppal,
        sdem.ing_x_mes,
        sdem.ing7c,
        coe1.scian2018_2,
        coe1.scian2018_3,
        coe1.p4d1,
        coe1.p4d2,
    from sdem
    left join coe1
        on {{ enoe_misma_persona('sdem', 'coe1') }}
),

medias_por_rango as (
    select
        periodo,
        geo2,
        ing7c,
        sum(peso * ing_x_mes) / sum(peso) as ingreso_medio_rango,
    from personas
    where clase2 = 1 and ing_x_mes is not null and ing7c between 1 and 5
    group by periodo, geo2, ing7c
)

select
    personas.periodo,
    personas.anio,
    personas.trimestre,
    personas.hogar_id,
    personas.n_ren,
    personas.geo2,
    personas.peso,
    personas.eda,
    personas.ur,
    personas.clase1,
    personas.clase2,
    personas.pos_ocu,
    personas.hrs_trab,
    personas.emp_ppal,
    personas.scian2018_2,
    personas.scian2018_3,
    personas.p4d1,
    personas.p4d2,
    personas.ing_x_mes,
    personas.ing7c,
    case
        when personas.clase2 <> 1 then null
        when personas.ing_x_mes is not null then personas.ing_x_mes
        when personas.ing7c = 6 then 0
        when personas.ing7c between 1 and 5 then medias_por_rango.ingreso_medio_rango
    end as ingreso_laboral,
    personas.clase2 = 1 and personas.ing_x_mes is null and personas.ing7c between 1 and 5
        as ingreso_por_rango,
    trimestres.insumo_cargado_en,
from personas
inner join trimestres
    on personas.periodo = trimestres.periodo
left join medias_por_rango
    on personas.periodo = medias_por_rango.periodo
    and personas.geo2 = medias_por_rango.geo2
    and personas.ing7c = medias_por_rango.ing7c
