select
    cast(grupo_empresa_id as bigint) as grupo_empresa_id,
    nombre as grupo_empresa,
    cast(cast(fecha_alta as timestamp) as date) as fecha_alta,
from {{ source('dne', 'dne_grupo_empresa') }}
