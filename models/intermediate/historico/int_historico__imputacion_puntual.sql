-- The point-in-time historical matching (issue 16), the default for training: every past inspection gets
-- the indicators of its workplace as they were published before the inspection date, with the same
-- nominative-then-level rule as the manual's matching (macros/matching/mejor_estimacion_por_nivel):
-- the CT's own IMSS values first (nominative: the registro's monthly values over the same published months
-- the corte names), else the most specific aggregation level of the estimates of that corte
-- (int_historico__estimaciones_por_corte) the CT's dimensions allow. The size used for the levels is the
-- one known at the date (int_historico__atributos_fechados); geography and sector are DNE_plus's (today's).
-- Nothing is back-filled: an indicator with nothing published yet has no row (NULL in the training table).
-- One row per (inspeccion_id, indicador).
-- Memory: as wide as the manual's matching (1.1M inspections x indicators at full scale), under the same
-- DuckDB ceiling (SIDIL_MEMORIA; it spills beyond it).
with inspecciones as (
    select
        inspecciones.inspeccion_id,
        inspecciones.fecha_inspeccion,
        ct.ct_imss_registro,
        ct.geo2,
        ct.geo5,
        ct.scian2018_2,
        ct.scian2018_3,
        atributos.cat_tamanio,
    from {{ ref('int_historico__inspecciones') }} as inspecciones
    inner join {{ ref('int_dne__centros_trabajo') }} as ct on inspecciones.centro_trabajo_id = ct.centro_trabajo_id
    inner join {{ ref('int_historico__atributos_fechados') }} as atributos
        on inspecciones.inspeccion_id = atributos.inspeccion_id
),

inspeccion_corte as (
    select
        inspecciones.inspeccion_id,
        inspecciones.ct_imss_registro,
        inspecciones.geo2,
        inspecciones.geo5,
        inspecciones.scian2018_2,
        inspecciones.scian2018_3,
        inspecciones.cat_tamanio,
        cortes.indicador,
        cortes.regla,
        cortes.periodo_desde,
        cortes.periodo_hasta,
        cortes.corte,
    from inspecciones
    inner join {{ ref('int_historico__corte_fecha') }} as cortes
        on inspecciones.fecha_inspeccion = cortes.fecha_inspeccion
),

combinaciones as (
    select distinct corte, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
    from inspeccion_corte
),

estimaciones as (
    select corte, indicador, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, valor, cv,
        supera_umbral_cv,
    from {{ ref('int_historico__estimaciones_por_corte') }}
),

por_nivel as (
    {{ mejor_estimacion_por_nivel('combinaciones', 'estimaciones', llaves=['corte']) }}
),

-- The registro's values over the corte's months: the mean of its monthly (moving-average) values
-- between periodo_desde and periodo_hasta; a one-period corte (accidents) is that period's value.
registro_corte as (
    select distinct ct_imss_registro, indicador, periodo_desde, periodo_hasta, corte,
    from inspeccion_corte
    where ct_imss_registro is not null
),

nominativos as (
    select
        registro_corte.ct_imss_registro,
        registro_corte.indicador,
        registro_corte.corte,
        avg(mensuales.valor) as valor,
    from registro_corte
    inner join {{ ref('int_imss__indicadores_nominativos') }} as mensuales
        on registro_corte.ct_imss_registro = mensuales.cve_registro
        and registro_corte.indicador = mensuales.indicador
        and mensuales.periodo between registro_corte.periodo_desde and registro_corte.periodo_hasta
    where mensuales.frecuencia = 'mensual' and mensuales.valor is not null
    group by all
)

select
    inspeccion_corte.inspeccion_id,
    inspeccion_corte.indicador,
    inspeccion_corte.corte,
    inspeccion_corte.periodo_desde,
    inspeccion_corte.periodo_hasta,
    coalesce(nominativos.valor, por_nivel.valor) as valor,
    case when nominativos.valor is not null then 'nominativo' else por_nivel.agregacion end as origen,
from inspeccion_corte
left join por_nivel
    on inspeccion_corte.corte = por_nivel.corte
    and inspeccion_corte.indicador = por_nivel.indicador
    and inspeccion_corte.geo2 is not distinct from por_nivel.geo2
    and inspeccion_corte.geo5 is not distinct from por_nivel.geo5
    and inspeccion_corte.scian2018_2 is not distinct from por_nivel.scian2018_2
    and inspeccion_corte.scian2018_3 is not distinct from por_nivel.scian2018_3
    and inspeccion_corte.cat_tamanio is not distinct from por_nivel.cat_tamanio
left join nominativos
    on inspeccion_corte.ct_imss_registro = nominativos.ct_imss_registro
    and inspeccion_corte.indicador = nominativos.indicador
    and inspeccion_corte.corte = nominativos.corte
where coalesce(nominativos.valor, por_nivel.valor) is not null
