-- ENOE COE2, one row per interviewed person 15+ and quarter: income period and amount, income in
-- minimum wages when no amount is declared, and job search; columns resolved by the seed enoe_variables.
-- Special codes become NULL: p6b2 999999 (not specified), p6c 9 (does not know).
-- depends_on: {{ ref('enoe_variables') }}
with

mapeado as (
    select
        periodo,
        anio,
        trimestre,
        lpad(trim(ent), 2, '0') as ent,
        trim(cd_a) as cd_a,
        trim(con) as con,
        trim(v_sel) as v_sel,
        trim(n_hog) as n_hog,
        trim(h_mud) as h_mud,
        trim(n_ren) as n_ren,
        coalesce(trim({{ 'tipo' if 'tipo' in enoe_columnas(source('enoe', 'coe2')) else 'null' }}), '') as tipo,
        coalesce(trim({{ 'mes_cal' if 'mes_cal' in enoe_columnas(source('enoe', 'coe2')) else 'null' }}), '') as mes_cal,
        {{ enoe_variables_mapeadas('coe2', source('enoe', 'coe2')) }}
    from {{ source('enoe', 'coe2') }}
)

select
    periodo,
    anio,
    trimestre,
    ent,
    cd_a,
    con,
    v_sel,
    n_hog,
    h_mud,
    n_ren,
    tipo,
    mes_cal,
    p6b1,
    case when p6b2 < 999999 then p6b2 end as p6b2,
    case when p6c <> 9 then p6c end as p6c,
    p8a,
from mapeado
