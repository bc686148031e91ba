-- Formal-employment generation of the Semáforos per state ('00' = national) and period, "trimestre o año"
-- (spec 004 section 5: X(i,p) = asegurados IMSS(i,p) - asegurados IMSS(i,p-1)):
--   periodicidad 'trimestral' (periodo 'YYYYTq'): quarter-end jobs minus the previous quarter-end's, from
--       marts.generacion_empleo_formal, with its goal (the yearly goal in force at the quarter's end / 4);
--   periodicidad 'anual' (periodo 'YYYY', trimestre NULL): December's jobs minus the previous December's,
--       of the same series; the goal of the year = the sum of its four quarterly goals, i.e. the yearly goal
--       when one goal holds all year (in a year where the goal changes, 1T under the old goal and 2T-4T
--       under the new one); NULL when a quarter of the year has no goal.
-- One series per period, never two: the official IMSS series (serie 'oficial') where it has the period,
-- otherwise the loaded puestos files (serie 'imss_cargado'); both figures of a subtraction come from the
-- same series. Spec example: Distrito Federal 1T 2014 = 2,923,496 - 2,893,950 = 29,546.
with

generacion as (
    select serie, fuente, periodo, anio, trimestre, cve_ent, puestos, empleos_generados, meta_anual,
        meta_trimestral, origen_meta,
        case serie when 'oficial' then 1 else 2 end as preferencia,
    from {{ ref('int_semaforos__generacion_empleo_formal') }}
),

serie_trimestre as (
    select periodo, min(preferencia) as preferencia,
    from generacion
    where empleos_generados is not null
    group by periodo
),

trimestral as (
    select
        generacion.cve_ent,
        'trimestral' as periodicidad,
        generacion.periodo,
        generacion.anio,
        generacion.trimestre,
        generacion.serie,
        generacion.fuente,
        generacion.empleos_generados,
        generacion.meta_anual,
        generacion.meta_trimestral as meta,
        generacion.origen_meta,
    from generacion
    inner join serie_trimestre
        on generacion.periodo = serie_trimestre.periodo
        and generacion.preferencia = serie_trimestre.preferencia
    where generacion.empleos_generados is not null
),

diciembres as (
    select serie, fuente, preferencia, anio, cve_ent, puestos,
    from generacion
    where trimestre = 4
),

anual_por_serie as (
    select
        actual.serie,
        actual.fuente,
        actual.preferencia,
        actual.anio,
        actual.cve_ent,
        actual.puestos - anterior.puestos as empleos_generados,
    from diciembres as actual
    inner join diciembres as anterior
        on actual.serie = anterior.serie
        and actual.cve_ent = anterior.cve_ent
        and anterior.anio = actual.anio - 1
),

serie_anio as (
    select anio, min(preferencia) as preferencia,
    from anual_por_serie
    group by anio
),

metas as (
    select cve_ent, vigente_desde, vigente_hasta, meta_anual, origen,
    from {{ ref('int_semaforos__metas_empleo_formal') }}
),

-- The goal of each quarter of the year (in force at the quarter's end, as for the quarterly figure).
metas_trimestres as (
    select anios.anio, trimestres.trimestre, metas.cve_ent, metas.meta_anual, metas.origen,
    from (select distinct anio from anual_por_serie) as anios
    cross join generate_series(1, 4) as trimestres (trimestre)
    inner join metas
        on make_date(anios.anio, 3 * trimestres.trimestre, 1) between metas.vigente_desde and metas.vigente_hasta
),

metas_anio as (
    select
        anio,
        cve_ent,
        sum(meta_anual / 4) as meta,
        max(meta_anual) filter (where trimestre = 4) as meta_anual,
        string_agg(distinct origen, ' y ' order by origen desc) as origen_meta,  -- 'tabla ...' before 'participación ...'
    from metas_trimestres
    group by anio, cve_ent
    having count(*) = 4
),

anual as (
    select
        anual_por_serie.cve_ent,
        'anual' as periodicidad,
        anual_por_serie.anio::varchar as periodo,
        anual_por_serie.anio,
        null::integer as trimestre,
        anual_por_serie.serie,
        anual_por_serie.fuente,
        anual_por_serie.empleos_generados,
        metas_anio.meta_anual,
        metas_anio.meta,
        metas_anio.origen_meta,
    from anual_por_serie
    inner join serie_anio
        on anual_por_serie.anio = serie_anio.anio
        and anual_por_serie.preferencia = serie_anio.preferencia
    left join metas_anio
        on anual_por_serie.anio = metas_anio.anio
        and anual_por_serie.cve_ent = metas_anio.cve_ent
)

select * from trimestral
union all
select * from anual
