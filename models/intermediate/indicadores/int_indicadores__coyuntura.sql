-- Module I output: the latest period of every indicator of every source, on every aggregation level
-- (DOMAIN.md section 3 columns). "Latest" is per indicator: the newest ENOE quarter (sindicato: the newest
-- first quarter, the only one that asks it), the newest IMSS month with a three-month moving average, the
-- Censo 2019 (plus its national value, the matching's fallback). Estimates above their CV threshold are kept and flagged (`supera_umbral_cv`); the matching
-- never uses them.
with todas as (
    select * from {{ ref('int_enoe__indicadores') }}
    union all by name
    select * from {{ ref('int_imss__indicadores') }}
    union all by name
    select * from {{ ref('int_censo__indicadores') }}
    union all by name
    select * from {{ ref('int_censo__indicadores_nacionales') }}
),

ultimas as (
    select fuente, indicador, max(periodo) as periodo,
    from todas
    group by fuente, indicador
)

select
    todas.fuente,
    todas.indicador,
    todas.periodo,
    cast(todas.anio as integer) as anio,
    cast(todas.mes as integer) as mes,
    todas.agregacion,
    cast(todas.agregacion_numerica as integer) as agregacion_numerica,
    todas.geo2,
    todas.geo5,
    todas.scian2018_2,
    todas.scian2018_3,
    cast(todas.cat_tamanio as integer) as cat_tamanio,
    cast(todas.valor as double) as valor,
    cast(todas.cv as double) as cv,
    cast(todas.n_registro as bigint) as n_registro,
    cast(todas.n_trabajadores as bigint) as n_trabajadores,
    cast(todas.grupo_calidad_info1 as integer) as grupo_calidad_info1,
    cast(todas.grupo_calidad_info2 as integer) as grupo_calidad_info2,
    cast(todas.fecha_calculo as timestamp) as fecha_calculo,
    todas.script_calculo,
    todas.usuario,
    todas.supera_umbral_cv,
from todas
inner join ultimas using (fuente, indicador, periodo)
