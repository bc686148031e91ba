-- Workplace attributes as the history knew them on the inspection date (point-in-time rule, issue 16).
-- The DNE keeps no history, so its own worker count is today's; when the DNE lacks it, DNE_plus fills it
-- from the registro's latest IMSS patrones month. Here that fill uses instead the newest patrones month
-- published before the inspection (month end + the patrones lag of seed calendario_publicacion before
-- the date) within the 12 months before it: an inspection before the IMSS history has no count (NULL),
-- as the manual's rule would not. cat_tamanio follows from that count (seed tamanios) and is the size the
-- point-in-time matching uses. Geography, sector, risk class and the other DNE fields stay today's: no
-- dated source holds them. One row per inspection.
with inspecciones as (
    select
        inspecciones.inspeccion_id,
        inspecciones.fecha_inspeccion,
        dne.ct_imss_registro,
        dne.num_trabajadores as num_trabajadores_dne,
    from {{ ref('int_historico__inspecciones') }} as inspecciones
    left join {{ ref('stg_dne__centro_trabajo') }} as dne
        on inspecciones.centro_trabajo_id = dne.centro_trabajo_id
),

rezago as (
    select max(rezago_dias)::integer as rezago_dias,
    from {{ ref('calendario_publicacion') }}
    where fuente = 'imss' and entidad = 'patrones'
),

por_imss as (
    select
        inspecciones.inspeccion_id,
        inspecciones.ct_imss_registro,
        (date_trunc('month', (inspecciones.fecha_inspeccion - rezago.rezago_dias)::date) - interval 1 month)::date
            as ultimo_mes_publicado,
    from inspecciones
    cross join rezago
    where inspecciones.num_trabajadores_dne is null and inspecciones.ct_imss_registro is not null
),

imss_a_la_fecha as (
    select
        por_imss.inspeccion_id,
        max(patrones.periodo) as periodo_imss,
        arg_max(patrones.num_puestos, patrones.periodo) as num_puestos,
    from por_imss
    inner join {{ ref('stg_imss__patrones') }} as patrones
        on por_imss.ct_imss_registro = patrones.cve_registro
        and patrones.periodo <= por_imss.ultimo_mes_publicado
        and patrones.periodo > (por_imss.ultimo_mes_publicado - interval 12 month)::date
    group by por_imss.inspeccion_id
),

atributos as (
    select
        inspecciones.inspeccion_id,
        inspecciones.fecha_inspeccion,
        coalesce(inspecciones.num_trabajadores_dne, imss_a_la_fecha.num_puestos)::integer as num_trabajadores,
        case
            when inspecciones.num_trabajadores_dne is not null then 'dne'
            when imss_a_la_fecha.num_puestos is not null then 'imss'
        end as origen_num_trabajadores,
        imss_a_la_fecha.periodo_imss,
    from inspecciones
    left join imss_a_la_fecha on inspecciones.inspeccion_id = imss_a_la_fecha.inspeccion_id
)

select
    atributos.inspeccion_id,
    atributos.fecha_inspeccion,
    atributos.num_trabajadores,
    tamanios.cat_tamanio,
    atributos.origen_num_trabajadores,
    atributos.periodo_imss,
from atributos
left join {{ ref('tamanios') }} as tamanios
    on atributos.num_trabajadores >= tamanios.trabajadores_min
    and (tamanios.trabajadores_max is null or atributos.num_trabajadores <= tamanios.trabajadores_max)
