-- Module IV input: one period per year for every indicator, with the DOMAIN.md section 3 columns.
-- ENOE: the first quarter of each year from 2012 (the extended questionnaire, the only one with
-- sindicato). IMSS: the yearly mean of the monthly moving averages (accidents: the year's value), from var
-- imss_anio_inicio (2019) on.
-- The Censo is a single edition and not a model input, so it has no yearly series. Types are cast to
-- the contract so a change upstream shows here, not in every consumer.
with enoe as (
    select * from {{ ref('int_enoe__indicadores') }}
    where periodo like '%T1'
),

imss as (
    select * from {{ ref('int_imss__indicadores_anuales') }}
),

todas as (
    select * from enoe
    union all by name
    select * from imss
)

select
    fuente,
    indicador,
    periodo,
    cast(anio as integer) as anio,
    cast(mes as integer) as mes,
    agregacion,
    cast(agregacion_numerica as integer) as agregacion_numerica,
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    cast(cat_tamanio as integer) as cat_tamanio,
    cast(valor as double) as valor,
    cast(cv as double) as cv,
    cast(n_registro as bigint) as n_registro,
    cast(n_trabajadores as bigint) as n_trabajadores,
    cast(grupo_calidad_info1 as integer) as grupo_calidad_info1,
    cast(grupo_calidad_info2 as integer) as grupo_calidad_info2,
    cast(fecha_calculo as timestamp) as fecha_calculo,
    script_calculo,
    usuario,
    supera_umbral_cv,
from todas
