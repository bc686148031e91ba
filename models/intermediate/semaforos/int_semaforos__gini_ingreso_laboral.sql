-- Labor-income Gini (spec 004 section 11) per state and quarter (cve_ent '00' = national), over the
-- employed with a positive monthly labor income (ingreso_laboral of int_semaforos__enoe_personas, with
-- CONEVAL's income-by-range reconstruction), weighted by the expansion factor:
--     G = sum_i w_i (2 C_i - w_i) y_i / (W Y) - 1
-- with persons sorted by income, C_i the cumulative weight up to and including i, W the total weight and
-- Y the total weighted income. It equals the weighted mean absolute difference over twice the mean
-- (sum_ij w_i w_j |y_i - y_j| / (2 W Y)), and does not depend on the order of tied incomes.
with

ingresos as (
    select periodo, anio, trimestre, geo2 as cve_ent, peso as w, ingreso_laboral as y,
    from {{ ref('int_semaforos__enoe_personas') }}
    where clase2 = 1 and ingreso_laboral > 0
),

unidades as (
    select periodo, anio, trimestre, cve_ent, w, y, from ingresos
    union all
    select periodo, anio, trimestre, '00' as cve_ent, w, y, from ingresos
),

acumulado as (
    select
        periodo,
        anio,
        trimestre,
        cve_ent,
        w,
        y,
        sum(w) over (
            partition by periodo, cve_ent order by y rows between unbounded preceding and current row
        ) as c,
    from unidades
)

select
    periodo,
    any_value(anio) as anio,
    any_value(trimestre) as trimestre,
    cve_ent,
    count(*) as n_personas,
    sum(w * (2 * c - w) * y) / (sum(w) * sum(w * y)) - 1 as gini,
from acumulado
group by periodo, cve_ent
