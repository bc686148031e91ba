-- Employment aggregates of the Semáforos per state and quarter (cve_ent '00' = national), weighted:
--   ocupados                  employed population (clase2 = 1);
--   horas_semana              hours worked in the reference week by the employed (hrsocup 1-168);
--   informalidad              TIL2 (spec 004 section 9): informal (emp_ppal = 1) non-agricultural
--                             employed / non-agricultural employed x 100; agricultural = SCIAN sector 11
--                             (an unknown sector counts as non-agricultural);
--   ocupados_gobierno_estatal paid subordinate workers (pos_ocu = 1) of a government institution
--                             (COE1 p4d1 = 4) of the state level (p4d2 = 2), excluding education (SCIAN
--                             61) and hospitals (SCIAN 622) as spec 004 section 10 asks; federal (p4d2 =
--                             1) and municipal (3) governments are not counted;
--   ocupacion_gobierno        ocupados_gobierno_estatal / ocupados x 100.
with

ocupados as (
    select
        periodo,
        anio,
        trimestre,
        geo2,
        peso,
        hrs_trab,
        coalesce(scian2018_2, '') = '11' as agropecuario,
        emp_ppal = 1 as informal,
        pos_ocu = 1 and p4d1 = 4 and p4d2 = 2
            and coalesce(scian2018_2, '') <> '61' and coalesce(scian2018_3, '') <> '622' as gobierno_estatal,
    from {{ ref('int_semaforos__enoe_personas') }}
    where clase2 = 1
)

select
    periodo,
    any_value(anio) as anio,
    any_value(trimestre) as trimestre,
    coalesce(geo2, '00') as cve_ent,
    sum(peso) as ocupados,
    sum(peso * hrs_trab) as horas_semana,
    100 * sum(peso) filter (where informal and not agropecuario)
        / sum(peso) filter (where not agropecuario) as informalidad,
    coalesce(sum(peso) filter (where gobierno_estatal), 0) as ocupados_gobierno_estatal,
    100 * coalesce(sum(peso) filter (where gobierno_estatal), 0) / sum(peso) as ocupacion_gobierno,
from ocupados
group by grouping sets ((periodo, geo2), (periodo))
