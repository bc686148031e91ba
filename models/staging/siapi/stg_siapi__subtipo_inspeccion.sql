select
    cast(subtipo_inspeccion_id as integer) as subtipo_inspeccion_id,
    cast(tipo_inspeccion_id as integer) as tipo_inspeccion_id,
    descripcion as subtipo_inspeccion,
from ({{ catalogo_vigente('siapi_subtipo_inspeccion', 'subtipo_inspeccion_id') }})
