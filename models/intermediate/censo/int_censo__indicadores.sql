-- The two Censo Económico 2019 indicators at the single level 3_geo5_act2_tam, shared long format.
-- Rows with no total_ocupado are dropped (no size). Size: workers per unit of the three largest =
-- (ct3_po x total_ocupado / 100) / 3, classed with the tamanios cuts (rounded to whole workers).
-- subcontratacion = 1 - ct3_otra_razon / 100 and concentracion_censo = 1 - ct3_po / 100: the source's
-- percentages on the 0-1 scale, complemented so that more is better (the catalog's definition).
-- A census tabulation has no sampling error: cv = 0 (quality group 1 / 11), n_registro NULL,
-- n_trabajadores = total_ocupado. Sectors 31 and 48 are copied to 32, 33 and 49.
with
    censo as (
        select
            geo2,
            geo5,
            scian2018_2,
            ct3_po,
            ct3_otra_razon,
            total_ocupado,
            round(ct3_po * total_ocupado / 100 / 3) as trabajadores_por_unidad,
            periodo,
        from {{ ref('stg_censo__c3') }}
        where total_ocupado is not null
    ),

    con_tamanio as (
        select
            censo.geo2,
            censo.geo5,
            censo.scian2018_2,
            tamanios.cat_tamanio,
            censo.total_ocupado,
            censo.periodo,
            1 - censo.ct3_otra_razon / 100 as subcontratacion,
            1 - censo.ct3_po / 100 as concentracion_censo,
        from censo
        left join {{ ref('tamanios') }} as tamanios
            on censo.trabajadores_por_unidad >= tamanios.trabajadores_min
            and (tamanios.trabajadores_max is null or censo.trabajadores_por_unidad <= tamanios.trabajadores_max)
    ),

    largo as (
        unpivot con_tamanio
        on subcontratacion, concentracion_censo
        into name indicador value valor
    ),

    nivel as (
        select agregacion, agregacion_numerica, from {{ ref('niveles_agregacion') }} where aplica_censo = 1
    ),

    estimaciones as (
        select
            largo.indicador,
            largo.periodo,
            nivel.agregacion,
            nivel.agregacion_numerica,
            largo.geo2,
            largo.geo5,
            largo.scian2018_2,
            null::varchar as scian2018_3,
            largo.cat_tamanio,
            largo.valor,
            0.0 as cv,
            null::bigint as n_registro,
            largo.total_ocupado::bigint as n_trabajadores,
        from largo
        cross join nivel
    ),

    con_sectores_compuestos as (
        {{ copiar_sectores_compuestos('estimaciones') }}
    ),

    catalogo as (
        select indicador, umbral_cv, from {{ ref('indicadores') }} where fuente = 'censo'
    )

select
    'censo' as fuente,
    con_sectores_compuestos.indicador,
    con_sectores_compuestos.periodo,
    con_sectores_compuestos.periodo::integer as anio,
    null::integer as mes,
    con_sectores_compuestos.agregacion,
    con_sectores_compuestos.agregacion_numerica,
    con_sectores_compuestos.geo2,
    con_sectores_compuestos.geo5,
    con_sectores_compuestos.scian2018_2,
    con_sectores_compuestos.scian2018_3,
    con_sectores_compuestos.cat_tamanio,
    con_sectores_compuestos.valor,
    con_sectores_compuestos.cv,
    con_sectores_compuestos.n_registro,
    con_sectores_compuestos.n_trabajadores,
    {{ grupo_calidad_info1('con_sectores_compuestos.cv') }} as grupo_calidad_info1,
    {{ grupo_calidad_info2('con_sectores_compuestos.cv') }} as grupo_calidad_info2,
    {{ columnas_trazabilidad() }}
    coalesce(con_sectores_compuestos.cv > catalogo.umbral_cv, true) as supera_umbral_cv,
from con_sectores_compuestos
inner join catalogo on con_sectores_compuestos.indicador = catalogo.indicador
