-- ENOE COE2, one row per interviewed person 15+ and quarter: income period and amount, income in
-- minimum wages when no amount is declared, and job search; columns resolved by the seed enoe_variables.
-- Special codes become NULL: p6b2 999999 (not specified), p6c 9 (does not know).
-- depends_on: {{ ref('enoe_variables') }}
with

mapeado as (
    select
        {{ enoe_llaves('coe2') }}
        {{ enoe_variables_mapeadas('coe2', source('enoe', 'coe2')) }}
    from {{ source('enoe', 'coe2') }}
)

select
    periodo,
    anio,
    trimestre,
    {{ enoe_columnas_persona() }}
    p6b1,
    case when p6b2 < 999999 then p6b2 end as p6b2,
    case when p6c <> 9 then p6c end as p6c,
    p8a,
from mapeado
