-- Economic growth (spec 004 section 4) per state (and '00' when the ITAEE file has a national row) and
-- quarter, in percent:
--   quarters 1-3: annual rate, 100 x (ITAEE(T, A) / ITAEE(T, A-1) - 1);
--   quarter 4:    full-year rate, 100 x (mean ITAEE of the four quarters of A / mean of the four quarters
--                 of A-1 - 1), only when all eight quarters are loaded.
-- Example (spec): Veracruz 4T 2013 with 109.4 and 111.5 gives 100 x (109.4 / 111.5 - 1) = -1.88 %.
with

itaee as (
    select cve_ent, periodo, anio, trimestre, itaee,
    from {{ ref('stg_externos__itaee') }}
),

anual as (
    select cve_ent, anio, avg(itaee) as itaee_promedio, count(*) as trimestres,
    from itaee
    group by cve_ent, anio
),

tasas as (
    select
        actual.cve_ent,
        actual.periodo,
        actual.anio,
        actual.trimestre,
        case
            when actual.trimestre = 4 then
                case when este.trimestres = 4 and previo.trimestres = 4
                    then 100 * (este.itaee_promedio / previo.itaee_promedio - 1) end
            else 100 * (actual.itaee / anterior.itaee - 1)
        end as crecimiento,
        case when actual.trimestre = 4 then 'tasa de todo el año' else 'tasa anual' end as tipo_tasa,
    from itaee as actual
    left join itaee as anterior
        on actual.cve_ent = anterior.cve_ent
        and anterior.anio = actual.anio - 1
        and anterior.trimestre = actual.trimestre
    left join anual as este
        on actual.cve_ent = este.cve_ent
        and este.anio = actual.anio
    left join anual as previo
        on actual.cve_ent = previo.cve_ent
        and previo.anio = actual.anio - 1
)

select cve_ent, periodo, anio, trimestre, crecimiento, tipo_tasa,
from tasas
where crecimiento is not null
