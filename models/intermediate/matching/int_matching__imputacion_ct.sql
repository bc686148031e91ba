-- Every indicator imputed to every DNE_plus workplace (DOMAIN.md section 7): first the IMSS value of the
-- CT's own registro (nominative) for the same period the aggregates use, else the estimate of the most
-- specific aggregation level its dimensions allow (int_matching__estimacion_por_combinacion).
-- One row per (centro_trabajo_id, indicador).
with ct as (
    select
        centro_trabajo_id,
        ct_imss_registro,
        geo2,
        geo5,
        scian2018_2,
        scian2018_3,
        cat_tamanio,
    from {{ ref('int_dne__centros_trabajo') }}
),

por_nivel as (
    select * from {{ ref('int_matching__estimacion_por_combinacion') }}
),

periodos_vigentes as (
    select distinct indicador, periodo,
    from {{ ref('int_indicadores__coyuntura') }}
),

nominativos as (
    select
        nominativos.cve_registro,
        nominativos.indicador,
        nominativos.valor,
    from {{ ref('int_imss__indicadores_nominativos') }} as nominativos
    inner join periodos_vigentes
        on nominativos.indicador = periodos_vigentes.indicador
        and nominativos.periodo = periodos_vigentes.periodo
    where nominativos.frecuencia = 'mensual' and nominativos.valor is not null
)

select
    ct.centro_trabajo_id,
    por_nivel.indicador,
    coalesce(nominativos.valor, por_nivel.valor) as valor,
    case when nominativos.valor is not null then 'nominativo' else por_nivel.agregacion end as origen,
    case when nominativos.valor is null then por_nivel.cv end as cv,
    nominativos.valor is null and por_nivel.usa_estimacion_imprecisa as usa_estimacion_imprecisa,
from ct
inner join por_nivel
    on ct.geo2 is not distinct from por_nivel.geo2
    and ct.geo5 is not distinct from por_nivel.geo5
    and ct.scian2018_2 is not distinct from por_nivel.scian2018_2
    and ct.scian2018_3 is not distinct from por_nivel.scian2018_3
    and ct.cat_tamanio is not distinct from por_nivel.cat_tamanio
left join nominativos
    on ct.ct_imss_registro = nominativos.cve_registro
    and por_nivel.indicador = nominativos.indicador
