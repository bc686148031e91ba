-- ENOE COE1, one row per interviewed person 15+ and quarter: the questionnaire answers SIDIL uses,
-- resolved by the seed enoe_variables (the same name means different things in Q1 and Q2-Q4) and
-- recoded "more is better". Size class from the seed tamanios; industry from the 4-digit SCIAN-hogares
-- code (p4a) through the seed enoe_scian_hogares (exact code), else its first three digits when they are
-- a SCIAN 2018 subsector (the manual's 3-digit correspondence); sectors 31-33 and 48-49 harmonised to
-- '31' / '48'. A p4a that neither maps keeps scian2018_3 NULL and is counted and reported per quarter
-- in the mart enoe_codigos_sin_mapear (scian_mapeo says how each code was mapped).
-- depends_on: {{ ref('enoe_variables') }}
with

mapeado as (
    select
        {{ enoe_llaves('coe1') }}
        -- Landed by the loader; a raw table made by hand (tests) may lack it: NULL, always recomputed.
        {{ 'cargado_en' if 'cargado_en' in enoe_columnas(source('enoe', 'coe1')) else 'cast(null as timestamp)' }}
            as cargado_en,
        {{ enoe_variables_mapeadas('coe1', source('enoe', 'coe1')) }}
    from {{ source('enoe', 'coe1') }}
),

subsectores as (
    select codigo as scian2018_3
    from {{ ref('scian2018') }}
    where nivel = 'subsector'
),

scian_hogares as (
    select p4a, scian2018_3
    from {{ ref('enoe_scian_hogares') }}
),

tamanios as (
    select cat_tamanio, enoe_codigo_min, enoe_codigo_max
    from {{ ref('tamanios') }}
),

recodificado as (
    select
        mapeado.*,
        coalesce(scian_hogares.scian2018_3, subsectores.scian2018_3) as scian2018_3,
        case
            when mapeado.scian_rama is null then null
            when scian_hogares.p4a is not null then 'catalogo'
            when subsectores.scian2018_3 is not null then 'prefijo'
            else 'sin_mapear'
        end as scian_mapeo,
        tamanios.cat_tamanio,
    from mapeado
    left join scian_hogares
        on mapeado.scian_rama = scian_hogares.p4a
    left join subsectores
        on left(mapeado.scian_rama, 3) = subsectores.scian2018_3
    left join tamanios
        on mapeado.tamanio_cod between tamanios.enoe_codigo_min and tamanios.enoe_codigo_max
)

select
    periodo,
    anio,
    trimestre,
    {{ enoe_columnas_persona() }}
    -- dias_trab: days worked last week, kept when 1-7 (9 = not specified).
    case when dias_cod between 1 and 7 then dias_cod end as dias_trab,
    case when horas_coe1 between 1 and 168 then horas_coe1 end as hrs_trab_coe1,
    -- contrato_escrito: 1 (yes) -> 1, 2 (no) -> 0, 9 (does not know) -> NULL.
    case contrato_cod when 1 then 1 when 2 then 0 end as contrato_escrito,
    -- tipo_contrato: among those with a written contract, 2 (base/planta/indefinite) -> 1,
    -- 1 (temporary) -> 0, 9 -> NULL.
    case when contrato_cod = 1 then case tipo_contrato_cod when 2 then 1 when 1 then 0 end end
        as tipo_contrato,
    -- sindicato: union member, 1 -> 1, 2 -> 0, 9 -> NULL; asked only in the Q1 questionnaire.
    case sindicato_cod when 1 then 1 when 2 then 0 end as sindicato,
    tamanio_cod,
    cat_tamanio,
    scian_rama,
    scian_mapeo,
    {{ scian2_armonizado('left(scian2018_3, 2)', 'scian2018_3') }} as scian2018_2,
    scian2018_3,
    -- Government employer (p4d1 = 4) and its level (p4d2: 1 federal, 2 state, 3 municipal).
    p4d1,
    p4d2,
    -- When the quarter's file was landed (the ENOE models recompute a quarter whose inputs were reloaded).
    cargado_en,
from recodificado
