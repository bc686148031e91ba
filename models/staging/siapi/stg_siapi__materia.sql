select
    cast(materia_id as integer) as materia_id,
    descripcion as materia,
from ({{ catalogo_vigente('siapi_materia', 'materia_id') }})
