-- ENOE SDEM, one row per resident and quarter: design (peso, estrato, upm), universe filters and the
-- SDEM-based SIDIL variables recoded "more is better". Source columns per edition come from the seed
-- enoe_variables (macro enoe_variables_mapeadas); the recodes below are the indicator definitions.
-- depends_on: {{ ref('enoe_variables') }}
with

mapeado as (
    select
        {{ enoe_llaves('sdem') }}
        -- Landed by the loader; a raw table made by hand (tests) may lack it: NULL, always recomputed.
        {{ 'cargado_en' if 'cargado_en' in enoe_columnas(source('enoe', 'sdem')) else 'cast(null as timestamp)' }}
            as cargado_en,
        {{ enoe_variables_mapeadas('sdem', source('enoe', 'sdem')) }}
    from {{ source('enoe', 'sdem') }}
)

select
    periodo,
    anio,
    trimestre,
    {{ enoe_columnas_persona() }}
    ent as geo2,
    -- Design: the stratum is coded nationally but nested in the state; the key carries both.
    peso,
    ent || '-' || estrato as estrato,
    upm,
    r_def,
    c_res,
    eda,
    sexo,
    clase1,
    clase2,
    pos_ocu,
    -- seg_soc: access to health institutions, 1 -> 1, 2 -> 0, 3 (not specified) and 0 (not asked) -> NULL.
    case seg_soc_cod when 1 then 1 when 2 then 0 end as seg_soc,
    -- presta_soc: at least one benefit besides health (pre_asa), 1 -> 1, 2 -> 0, 3 and 0 -> NULL.
    case pre_asa_cod when 1 then 1 when 2 then 0 end as presta_soc,
    -- hrs_trab: hours worked last week, kept when 1-168.
    case when hrsocup between 1 and 168 then hrsocup end as hrs_trab,
    -- ing_x_mes / brecha_gen: monthly labor income, kept when > 0 (0 = no income or not declared).
    case when ingocup > 0 then ingocup end as ing_x_mes,
    -- ing_x_hrs: hourly labor income, kept when > 0.
    case when ing_x_hrs_monto > 0 then ing_x_hrs_monto end as ing_x_hrs,
    -- ing_min: more than one minimum wage, ing7c 1 -> 0, 2-5 -> 1, 6 (no income) and 7 (n/s) -> NULL.
    case when ing7c = 1 then 0 when ing7c between 2 and 5 then 1 end as ing_min,
    ing7c,
    dur9c,
    tpg_p8a,
    remune2c,
    sub_o,
    tcco,
    emp_ppal,
    tue2,
    -- ur: urban (1) or rural (2) dwelling; picks the CONEVAL food basket of labor poverty.
    ur,
    -- When the quarter's file was landed (the ENOE models recompute a quarter whose inputs were reloaded).
    cargado_en,
from mapeado
