-- National (0_geo0) value of each Censo indicator, so the matching can fall back to it like for every
-- other source (DOMAIN.md section 7: no workplace without a value). The Censo tabulates only
-- 3_geo5_act2_tam; the national value is the mean of its cells weighted by their employment
-- (n_trabajadores = total_ocupado), over the original cells (not the 32/33/49 copies). A census has no
-- sampling error: cv = 0.
with celdas as (
    select * from {{ ref('int_censo__indicadores') }}
    where scian2018_2 not in ('32', '33', '49')
)

select
    fuente,
    indicador,
    periodo,
    any_value(anio) as anio,
    any_value(mes) as mes,
    '0_geo0' as agregacion,
    0 as agregacion_numerica,
    null::varchar as geo2,
    null::varchar as geo5,
    null::varchar as scian2018_2,
    null::varchar as scian2018_3,
    null::integer as cat_tamanio,
    sum(valor * n_trabajadores) / sum(n_trabajadores) as valor,
    0.0 as cv,
    null::bigint as n_registro,
    sum(n_trabajadores)::bigint as n_trabajadores,
    {{ grupo_calidad_info1('0.0') }} as grupo_calidad_info1,
    {{ grupo_calidad_info2('0.0') }} as grupo_calidad_info2,
    {{ columnas_trazabilidad() }}
    false as supera_umbral_cv,
from celdas
group by fuente, indicador, periodo
