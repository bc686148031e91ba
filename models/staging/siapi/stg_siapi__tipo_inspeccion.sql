select
    cast(tipo_inspeccion_id as integer) as tipo_inspeccion_id,
    descripcion as tipo_inspeccion,
from ({{ catalogo_vigente('siapi_tipo_inspeccion', 'tipo_inspeccion_id') }})
