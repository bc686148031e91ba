-- One row per inspection and instance, typed. An inspection id can appear in several instances;
-- the first-instance rule is applied in int_inspecciones__indice.
select
    instancia,
    cast(inspeccion_id as bigint) as inspeccion_id,
    cast(centro_trabajo_id as bigint) as centro_trabajo_id,
    cast(oficina_id as integer) as oficina_id,
    lpad(entidad_federativa_id, 2, '0') as geo2_oficina,
    cast(tipo_inspeccion_id as integer) as tipo_inspeccion_id,
    cast(subtipo_inspeccion_id as integer) as subtipo_inspeccion_id,
    cast(cast(insp_fecha_orden as timestamp) as date) as fecha_orden,
    cast(cast(insp_fecha as timestamp) as date) as fecha_inspeccion,
    cast(insp_num_trabajadores as integer) as num_trabajadores_inspeccion,
    insp_estatus as estatus,
from {{ source('siapi', 'siapi_inspeccion') }}
