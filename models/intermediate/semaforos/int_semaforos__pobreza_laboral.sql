-- Labor poverty (spec 004 section 7, CONEVAL's ITLP): share of persons whose household labor income per
-- member is below the value of the food basket, per state and quarter (cve_ent '00' = national).
-- Household labor income = sum of its members' ingreso_laboral (int_semaforos__enoe_personas, with the
-- income-by-range reconstruction) divided by all its usual residents; the basket is the quarter's mean of
-- CONEVAL's monthly urban or rural value, by the dwelling's area (ur). Households with an employed
-- member of unknown income are left out (as CONEVAL does), and so are quarters without a basket value.
with

hogares as (
    select
        periodo,
        any_value(anio) as anio,
        any_value(trimestre) as trimestre,
        hogar_id,
        any_value(geo2) as geo2,
        any_value(ur) as ur,
        count(*) as residentes,
        sum(peso) as personas,
        coalesce(sum(ingreso_laboral), 0) as ingreso_hogar,
        bool_or(clase2 = 1 and ingreso_laboral is null) as ingreso_desconocido,
    from {{ ref('int_semaforos__enoe_personas') }}
    group by periodo, hogar_id
),

canasta as (
    select
        anio,
        trimestre,
        ambito,
        avg(canasta_mensual) as canasta_mensual,
    from {{ ref('stg_externos__canasta_alimentaria') }}
    where cve_ent = '00'
    group by anio, trimestre, ambito
),

clasificados as (
    select
        hogares.periodo,
        hogares.anio,
        hogares.trimestre,
        hogares.geo2,
        hogares.personas,
        hogares.ingreso_hogar / hogares.residentes < canasta.canasta_mensual as pobre,
    from hogares
    inner join canasta
        on hogares.anio = canasta.anio
        and hogares.trimestre = canasta.trimestre
        and canasta.ambito = case hogares.ur when 2 then 'rural' else 'urbano' end
    where not hogares.ingreso_desconocido
)

select
    periodo,
    any_value(anio) as anio,
    any_value(trimestre) as trimestre,
    coalesce(geo2, '00') as cve_ent,
    sum(personas) as personas,
    100 * coalesce(sum(personas) filter (where pobre), 0) / sum(personas) as pobreza_laboral,
from clasificados
group by grouping sets ((periodo, geo2), (periodo))
