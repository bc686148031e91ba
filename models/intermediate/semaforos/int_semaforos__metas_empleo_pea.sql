-- The goal rule of formal-employment generation (spec 004 section 5), computed from the ENOE: every five
-- years, in the second quarter (2T 2000, 2T 2005, ...), each state's yearly goal is
--     round(mean share of the state in the national PEA over the 5 years to that quarter
--           x national yearly goal, to the nearest hundred)
-- and it holds from that 2T to the 1T five years later. The 5-year window is 3T (Y-5) to 2T Y; its mean
-- is over the quarters loaded in it (n_trimestres says how many: the demo has first quarters only). The
-- national yearly goal is the latest national one of the spec's table (seed imss_metas_empleo_formal,
-- cve_ent '00': 1.2 million). Goals are computed only for a 2T already loaded. int_semaforos__metas_
-- empleo_formal uses them where the spec's table ends.
with

pea as (
    select
        periodo,
        anio,
        trimestre,
        coalesce(geo2, '00') as cve_ent,
        sum(peso) as pea,
    from {{ ref('int_semaforos__enoe_personas') }}
    where clase1 = 1
    group by grouping sets ((periodo, anio, trimestre, geo2), (periodo, anio, trimestre))
),

participacion as (
    select
        estatal.anio * 10 + estatal.trimestre as clave_trimestre,
        estatal.cve_ent,
        estatal.pea / nacional.pea as participacion,
    from pea as estatal
    inner join pea as nacional
        on estatal.periodo = nacional.periodo
        and nacional.cve_ent = '00'
),

calculos as (
    select anio_calculo,
    from generate_series(2000, 2100, 5) as t (anio_calculo)
    where anio_calculo * 10 + 2 <= (select max(clave_trimestre) from participacion)
),

meta_nacional as (
    select meta_anual as meta_nacional_anual,
    from {{ ref('imss_metas_empleo_formal') }}
    where cve_ent = '00'
    order by vigente_desde desc
    limit 1
),

ventanas as (
    select
        calculos.anio_calculo,
        participacion.cve_ent,
        avg(participacion.participacion) as participacion_pea,
        count(*) as n_trimestres,
    from calculos
    inner join participacion
        on participacion.clave_trimestre
            between (calculos.anio_calculo - 5) * 10 + 3 and calculos.anio_calculo * 10 + 2
    group by calculos.anio_calculo, participacion.cve_ent
)

select
    ventanas.cve_ent,
    '2T ' || ventanas.anio_calculo as calculada_en,
    make_date(ventanas.anio_calculo, 4, 1) as vigente_desde,
    make_date(ventanas.anio_calculo + 5, 3, 31) as vigente_hasta,
    ventanas.participacion_pea,
    ventanas.n_trimestres,
    meta_nacional.meta_nacional_anual,
    (round(ventanas.participacion_pea * meta_nacional.meta_nacional_anual / 100) * 100)::integer as meta_anual,
from ventanas
cross join meta_nacional
