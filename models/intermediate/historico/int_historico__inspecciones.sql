-- Past inspections as the first instance records them (the inspection index), with their date, type
-- and workplace. One row per inspeccion_id.
select
    indice.inspeccion_id,
    indice.instancia,
    indice.nombre_instancia,
    indice.n_instancias,
    inspeccion.centro_trabajo_id,
    inspeccion.fecha_inspeccion,
    year(inspeccion.fecha_inspeccion)::integer as anio,
    inspeccion.tipo_inspeccion_id,
    tipo.tipo_inspeccion,
    inspeccion.subtipo_inspeccion_id,
    subtipo.subtipo_inspeccion,
    inspeccion.oficina_id,
    inspeccion.geo2_oficina,
    inspeccion.estatus,
from {{ ref('int_inspecciones__indice') }} as indice
inner join {{ ref('stg_siapi__inspeccion') }} as inspeccion
    on indice.inspeccion_id = inspeccion.inspeccion_id
    and indice.instancia = inspeccion.instancia
left join {{ ref('stg_siapi__tipo_inspeccion') }} as tipo
    on inspeccion.tipo_inspeccion_id = tipo.tipo_inspeccion_id
left join {{ ref('stg_siapi__subtipo_inspeccion') }} as subtipo
    on inspeccion.subtipo_inspeccion_id = subtipo.subtipo_inspeccion_id
