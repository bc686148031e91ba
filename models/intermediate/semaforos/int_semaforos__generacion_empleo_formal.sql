-- Formal-employment generation per state (and national, cve_ent '00') and quarter against the goal of the
-- Semáforos Económicos Estatales (spec 004 section 5, DOMAIN.md section 9), from two series, each labelled
-- (`serie`, and `fuente` as before) and each compared only with its own previous quarter:
--   serie 'oficial'      (fuente 'imss_publicado'): IMSS's published insured jobs by state (seed
--                        imss_puestos_entidad_mensual_real = shared/data/real/imss_puestos_afiliados_
--                        entidad_mensual.csv, 1997-08 to 2021-09);
--   serie 'imss_cargado' (fuente 'imss_registros'): the insured jobs of the loaded puestos files
--                        (int_imss__registro_mes), by the state of the employer's registration.
-- empleos_generados = jobs in the quarter's last month - jobs in the previous quarter's last month (NULL
-- when either month is missing). The goal is the one the Semáforos use (int_semaforos__metas_empleo_formal:
-- the spec's table to 1T 2020, then the PEA-share rule), so this mart and marts.semaforos_estatales give
-- the same goals in every quarter: meta_trimestral = the yearly goal in force at the quarter's end / 4;
-- avance_meta = 100 x generated / goal; semaforo by the thresholds of seed semaforos_reglas (verde >= 100 %
-- of the goal, amarillo >= 75 %, rojo below). The model lives with the Semáforos (not the IMSS marts)
-- because its goals after 2020 come from the ENOE.
with
    publicado as (
        select
            'imss_publicado' as fuente,
            lpad(cve_ent::varchar, 2, '0') as cve_ent,
            make_date(anio, mes, 1) as periodo,
            tot_imss::bigint as puestos,
        from {{ ref('imss_puestos_entidad_mensual_real') }}
    ),

    registros as (
        select 'imss_registros' as fuente, geo2 as cve_ent, periodo, sum(n_asegurados)::bigint as puestos,
        from {{ ref('int_imss__registro_mes') }}
        where geo2 is not null
        group by geo2, periodo
    ),

    estatal as (
        select fuente, cve_ent, periodo, puestos, from publicado
        union all
        select fuente, cve_ent, periodo, puestos, from registros
    ),

    con_nacional as (
        select fuente, cve_ent, periodo, puestos, from estatal
        union all
        select fuente, '00' as cve_ent, periodo, sum(puestos)::bigint as puestos, from estatal group by fuente, periodo
    ),

    trimestres as (
        select
            actual.fuente,
            actual.cve_ent,
            actual.periodo,
            actual.puestos,
            anterior.puestos as puestos_trimestre_anterior,
            actual.puestos - anterior.puestos as empleos_generados,
        from con_nacional as actual
        left join con_nacional as anterior
            on actual.fuente = anterior.fuente
            and actual.cve_ent = anterior.cve_ent
            and anterior.periodo = (actual.periodo - interval 3 month)::date
        where month(actual.periodo) in (3, 6, 9, 12)
    ),

    metas as (
        select cve_ent, vigente_desde, vigente_hasta, meta_anual, calculada_en, origen,
        from {{ ref('int_semaforos__metas_empleo_formal') }}
    ),

    -- The colour thresholds (% of the goal) are the Semáforos' rule for this indicator.
    regla as (
        select umbral_verde, umbral_amarillo,
        from {{ ref('semaforos_reglas') }}
        where indicador = 'empleo_formal'
    ),

    con_meta as (
        select
            trimestres.*,
            metas.meta_anual,
            metas.meta_anual / 4 as meta_trimestral,
            metas.calculada_en as meta_calculada_en,
            metas.origen as origen_meta,
        from trimestres
        left join metas
            on trimestres.cve_ent = metas.cve_ent
            and trimestres.periodo between metas.vigente_desde and metas.vigente_hasta
    )

select
    fuente,
    case fuente when 'imss_publicado' then 'oficial' else 'imss_cargado' end as serie,
    year(periodo)::varchar || 'T' || quarter(periodo)::varchar as periodo,
    year(periodo)::integer as anio,
    quarter(periodo)::integer as trimestre,
    cve_ent,
    puestos,
    puestos_trimestre_anterior,
    empleos_generados,
    meta_anual,
    meta_trimestral,
    meta_calculada_en,
    origen_meta,
    100 * empleos_generados / meta_trimestral as avance_meta,
    case
        when empleos_generados is null or meta_trimestral is null then null
        when 100 * empleos_generados >= regla.umbral_verde * meta_trimestral then 'verde'
        when 100 * empleos_generados >= regla.umbral_amarillo * meta_trimestral then 'amarillo'
        else 'rojo'
    end as semaforo,
    {{ columnas_trazabilidad() }}
from con_meta
cross join regla
