select
    cast(oficina_id as integer) as oficina_id,
    lpad(entidad_federativa_id, 2, '0') as geo2,
    nombre as oficina,
    tipo_oficina,
from ({{ catalogo_vigente('siapi_oficina', 'oficina_id') }})
