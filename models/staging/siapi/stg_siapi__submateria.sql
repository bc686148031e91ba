select
    cast(submateria_id as integer) as submateria_id,
    cast(materia_id as integer) as materia_id,
    descripcion as submateria,
from ({{ catalogo_vigente('siapi_submateria', 'submateria_id') }})
