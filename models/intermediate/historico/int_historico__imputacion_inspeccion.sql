-- The historical matching (Module IV): every past inspection gets the indicators of its workplace for the
-- inspection's year, with the same rules as the current matching (macros/matching/mejor_estimacion_por_nivel):
-- the CT's own IMSS yearly value first (nominative), else the most specific aggregation level its
-- dimensions allow. The CT's attributes come from DNE_plus and are taken as constant over time (the DNE
-- keeps no history, as the manual states). One row per (inspeccion_id, indicador).
-- Memory: the widest join of the project (1.1M inspections x indicators at full scale) runs under the
-- pipeline's one DuckDB ceiling (SIDIL_MEMORIA) and spills to disk beyond it.
with inspecciones as (
    select
        inspecciones.inspeccion_id,
        inspecciones.anio as anio_inspeccion,
        ct.ct_imss_registro,
        ct.geo2,
        ct.geo5,
        ct.scian2018_2,
        ct.scian2018_3,
        ct.cat_tamanio,
    from {{ ref('int_historico__inspecciones') }} as inspecciones
    inner join {{ ref('int_dne__centros_trabajo') }} as ct on inspecciones.centro_trabajo_id = ct.centro_trabajo_id
),

anio_por_fuente as (
    select * from {{ ref('int_historico__anio_estimacion') }}
),

combinaciones as (
    select distinct
        anio_por_fuente.fuente,
        anio_por_fuente.anio,
        inspecciones.geo2,
        inspecciones.geo5,
        inspecciones.scian2018_2,
        inspecciones.scian2018_3,
        inspecciones.cat_tamanio,
    from inspecciones
    inner join anio_por_fuente on inspecciones.anio_inspeccion = anio_por_fuente.anio_inspeccion
),

estimaciones as (
    select
        fuente,
        anio,
        indicador,
        agregacion,
        geo2,
        geo5,
        scian2018_2,
        scian2018_3,
        cat_tamanio,
        valor,
        cv,
        supera_umbral_cv,
    from {{ ref('int_indicadores__historicos') }}
),

por_nivel as (
    {{ mejor_estimacion_por_nivel('combinaciones', 'estimaciones', llaves=['fuente', 'anio']) }}
),

nominativos as (
    select cve_registro, indicador, anio, valor,
    from {{ ref('int_imss__indicadores_nominativos') }}
    where frecuencia = 'anual' and valor is not null
)

select
    inspecciones.inspeccion_id,
    por_nivel.indicador,
    por_nivel.fuente,
    por_nivel.anio as anio_estimacion,
    coalesce(nominativos.valor, por_nivel.valor) as valor,
    case when nominativos.valor is not null then 'nominativo' else por_nivel.agregacion end as origen,
from inspecciones
inner join anio_por_fuente on inspecciones.anio_inspeccion = anio_por_fuente.anio_inspeccion
inner join por_nivel
    on anio_por_fuente.fuente = por_nivel.fuente
    and anio_por_fuente.anio = por_nivel.anio
    and inspecciones.geo2 is not distinct from por_nivel.geo2
    and inspecciones.geo5 is not distinct from por_nivel.geo5
    and inspecciones.scian2018_2 is not distinct from por_nivel.scian2018_2
    and inspecciones.scian2018_3 is not distinct from por_nivel.scian2018_3
    and inspecciones.cat_tamanio is not distinct from por_nivel.cat_tamanio
left join nominativos
    on por_nivel.fuente = 'imss'
    and inspecciones.ct_imss_registro = nominativos.cve_registro
    and por_nivel.indicador = nominativos.indicador
    and por_nivel.anio = nominativos.anio
