-- The inspectors of the inspection history (spec 002 4.5.2), keys only: one row per inspection and
-- participant (inspector or supervisor), first-instance rule applied (the participants recorded with the
-- inspection in the instance that counts), with the inspection's date, office, workplace and type, so
-- that inspections can be analysed by office and by inspector load. A participant listed twice for one
-- inspection counts once (in charge if any of the rows says so).
with participaciones as (
    select
        participacion.inspeccion_id,
        participacion.participante_id,
        bool_or(participacion.responsable) as responsable,
    from {{ ref('stg_siapi__inspec_participante') }} as participacion
    inner join {{ ref('int_inspecciones__indice') }} as indice
        on participacion.inspeccion_id = indice.inspeccion_id
        and participacion.instancia = indice.instancia
    where participacion.participante_id is not null
    group by participacion.inspeccion_id, participacion.participante_id
)

select
    participaciones.inspeccion_id,
    participaciones.participante_id,
    inspecciones.instancia,
    inspecciones.fecha_inspeccion,
    inspecciones.anio,
    inspecciones.oficina_id,
    inspecciones.centro_trabajo_id,
    inspecciones.tipo_inspeccion_id,
    inspecciones.subtipo_inspeccion_id,
    participante.tipo_participante,
    participante.oficina_id as oficina_id_participante,
    participaciones.responsable,
    count(*) over (partition by participaciones.inspeccion_id) as n_participantes,
from participaciones
inner join {{ ref('int_historico__inspecciones') }} as inspecciones
    on participaciones.inspeccion_id = inspecciones.inspeccion_id
left join {{ ref('stg_siapi__participante') }} as participante
    on participaciones.participante_id = participante.participante_id
